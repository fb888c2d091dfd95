"""Foundations every layer may use: paths, errors and exit codes, text, number formatting and
the words of the reports in both languages. Imports nothing else of the package."""
