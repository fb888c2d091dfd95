"""Command line: ``python -m analysis VERB ...``.

Exit codes: 0 all good; 1 some input rejected or some report failed (the rest done); 2 usage error.
Messages are for people; tracebacks only with ``--debug``.

The arguments are in :mod:`analysis.cli.parser`; the module that runs a verb is imported only
when that verb runs, so ``--help``, ``sql`` or a report batch with nothing to do start without
loading papermill, matplotlib or the intake.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Callable, Sequence

from analysis.cli.parser import build_parser
from analysis.core.errors import EXIT_PARTIAL, EXIT_USAGE, UsageError


def command(args: argparse.Namespace) -> Callable[[argparse.Namespace], int]:
    """The function that runs the parsed verb (``args.command``, ``"module:function"``)."""
    module, name = args.command.split(":")
    return getattr(importlib.import_module(module), name)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one verb; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return command(args)(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        else:
            print(f"error: {exc} (run with --debug for details)", file=sys.stderr)
        return EXIT_PARTIAL
