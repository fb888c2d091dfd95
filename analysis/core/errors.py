"""The project's exceptions and the command line's exit codes, in one place.

Every error the package raises on purpose derives from :class:`AnalysisError`, so a caller (the
command line, a notebook) can tell a message meant for people from a programming fault.
"""

from __future__ import annotations

#: Exit codes of ``python -m analysis``: all good; some input rejected or some report failed
#: (the rest done); a usage error (wrong argument, missing file, bad address).
EXIT_OK, EXIT_PARTIAL, EXIT_USAGE = 0, 1, 2


class AnalysisError(Exception):
    """Root of the errors the package raises with a message meant for people."""


class UsageError(AnalysisError, ValueError):
    """A wrong argument or value given by the user (exit code 2)."""
