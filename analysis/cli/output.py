"""Output of the command line for the next tool: ``--csv`` and ``--json`` besides the table.

A verb that prints a table adds the two flags with :func:`add_output_options` and prints its
frame with :func:`print_frame`: CSV (UTF-8, a header row) or JSON (a list of records, UTF-8 text
kept as is, missing values as ``null``) go to standard output with nothing else, so that
``python -m analysis status --json | jq`` works.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np
import pandas as pd

from analysis.core.text import defuse_frame


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--csv`` and ``--json`` (exclusive) to a verb's parser; ``args.output`` is
    ``text`` (the default), ``csv`` or ``json``."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--csv", dest="output", action="store_const", const="csv", help="print CSV")
    group.add_argument(
        "--json", dest="output", action="store_const", const="json", help="print JSON records"
    )
    parser.set_defaults(output="text")


def _plain(value: object) -> object:
    """A cell as JSON has it: numbers as numbers, missing as None."""
    if value is None or (not isinstance(value, str | list | dict) and pd.isna(value)):
        return None
    if isinstance(value, np.integer | np.bool_ | np.floating):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def frame_text(frame: pd.DataFrame, output: str) -> str:
    """``frame`` as CSV or JSON text."""
    if output == "csv":  # text a spreadsheet would run as a formula is defused
        return defuse_frame(frame).to_csv(index=False, lineterminator="\n")
    if output == "json":
        records = [
            {str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")
        ]
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    raise ValueError(f"unknown output {output!r}; valid: csv, json")


def print_frame(frame: pd.DataFrame, output: str) -> None:
    """Print ``frame`` as CSV or JSON to standard output."""
    sys.stdout.write(frame_text(frame, output))
