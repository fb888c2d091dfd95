"""Output of the command line: plain-text tables for people, and ``--csv``/``--json`` for the
next tool.

A verb that prints a table adds the two flags with :func:`add_output_options` and prints its
frame with :func:`print_frame`: CSV (UTF-8, a header row) or JSON (a list of records, UTF-8 text
kept as is, missing values as ``null``) go to standard output with nothing else, so that
``python -m analysis status --json | jq`` works.
"""

from __future__ import annotations

import json
import sys
import textwrap
import unicodedata

import numpy as np
import pandas as pd

from analysis.core.text import defuse_frame


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


def _wrap(cell: str, width: int | None) -> list[str]:
    """The lines of a cell: its own line breaks kept, each line wrapped to ``width``."""
    lines = cell.split("\n")
    if width is None:
        return lines
    return [part for line in lines for part in (textwrap.wrap(line, width) or [""])]


def render_text_table(
    header: list[str], rows: list[list[str]], widths: dict[int, int] | None = None
) -> str:
    """A plain-text table: columns separated by two spaces, a rule under the header, cells
    wrapped to ``widths`` (by column index; line breaks in a cell kept), NFC-normalised."""
    widths = widths or {}
    table = [header, *rows]
    wrapped = [[_wrap(cell, widths.get(j)) for j, cell in enumerate(row)] for row in table]
    sizes = [max(len(line) for row in wrapped for line in row[j]) for j in range(len(header))]
    lines = []
    for i, row in enumerate(wrapped):
        for k in range(max(len(cell) for cell in row)):
            parts = [
                (cell[k] if k < len(cell) else "").ljust(sizes[j]) for j, cell in enumerate(row)
            ]
            lines.append("  ".join(parts).rstrip())
        if i == 0:
            lines.append("  ".join("-" * s for s in sizes))
    return unicodedata.normalize("NFC", "\n".join(lines))
