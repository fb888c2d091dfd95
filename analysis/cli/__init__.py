"""The command line, ``python -m analysis VERB``: argument parsing and messages for people."""
