"""``python -m analysis status``: the targets table of Plan 244 in the terminal.

One row per target (T1-T6): the value of the year, each target (2025, 2030) with its status in
symbol and words (never colour alone), and the yearly pace still needed. Numbers and words are
the reports' own (``reports.prepare``, ``labels.yaml``, ``analysis.core.formatting``)::

    python -m analysis status --year 2025 --place cao-loc --lang en
"""

from __future__ import annotations

import argparse
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.cli.output import print_frame, render_text_table
from analysis.core import config
from analysis.core.errors import EXIT_OK, UsageError
from analysis.core.labels import label
from analysis.data import places as places_mod
from analysis.data import reference
from analysis.data.resolve import resolve_place
from analysis.reports.content import prepare
from analysis.reports.targets import status_looks, targets_text_rows
from analysis.run.plan import available_years

if TYPE_CHECKING:
    from analysis.reports.content import ReportContext


#: Widths of the columns that wrap (characters); the others take their longest cell.
INDICATOR_WIDTH = 34
STATUS_WIDTH = 24
TARGET_WIDTH = 16


def status_places() -> list[str]:
    """Places the status table is made for: the province, the 11 district-level areas, and
    (by their slugs) the 65 communes and wards of 2025."""
    table = places_mod.places()
    return list(table["place_id"])


def _context(year: int | None, place: str | None, lang: str, db_path: Path | None) -> ReportContext:
    """Check year, place and language (``ValueError`` naming the valid choices), then compute."""
    if lang not in ("vi", "en"):
        raise ValueError(f"unknown language {lang!r}; valid: vi, en")
    place = resolve_place(place) if place else str(reference.province()["slug"])
    valid = status_places()
    if place not in valid:
        areas = ", ".join(valid[:12])
        raise ValueError(
            f"unknown place {place!r}; valid: {areas}, or a 2025 commune slug such as {valid[12]}"
        )
    db = db_path or config.db_path()
    years = available_years(db)
    if not years:
        raise ValueError(f"the store {db} has no reporting years")
    year = years[-1] if year is None else int(year)
    if year not in years:
        raise ValueError(f"no data for year {year}; valid years: {', '.join(map(str, years))}")
    level = places_mod.place(place)["level"]
    kind = {"province": "province", "district": "district", "commune": "commune"}[level]
    return prepare(kind, year, place, lang, db)


def targets_table(ctx: ReportContext) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the targets table for the context's place and year (plain text): the
    reports' own table (``analysis.reports.targets``), so both print the same row."""
    return targets_text_rows(ctx.indicators, ctx.progress, ctx.year, ctx.place_id, ctx.lang)


def targets_text(
    year: int | None = None,
    place: str | None = None,
    lang: str = "vi",
    db_path: str | Path | None = None,
) -> str:
    """The targets table of a place and year as plain text for the terminal.

    Parameters
    ----------
    year
        Evaluation year; default the latest reporting year in the store.
    place
        Slug of the province (default) or of a district-level area.
    lang
        ``vi`` (default) or ``en``.
    db_path
        The DuckDB store; default ``data/processed/langson.duckdb`` (or ``LANGSON_DB``).

    Returns
    -------
    str
        Title, the synthetic-data notice when it applies, the table, a legend of the status
        symbols and notes; NFC-normalised. Raises ``ValueError`` naming the valid choices for an
        unknown year, place or language, ``FileNotFoundError`` without a store.
    """
    ctx = _context(year, place, lang, Path(db_path) if db_path else None)
    header, rows = targets_table(ctx)
    lines = [label("status_title", lang, place=ctx.place_name, year=ctx.year)]
    if ctx.ds.synthetic:
        lines.append(label("synthetic", lang))
    last = len(header) - 1  # ... target, status (2025), target, status (2030), needed
    widths = {j: TARGET_WIDTH for j in range(1, last - 4)}
    widths |= {
        0: INDICATOR_WIDTH,
        last - 4: TARGET_WIDTH,
        last - 3: STATUS_WIDTH,
        last - 2: TARGET_WIDTH,
        last - 1: STATUS_WIDTH,
        last: STATUS_WIDTH + 6,
    }
    lines += ["", render_text_table(header, rows, widths), ""]
    looks = status_looks(None, lang)
    lines.append(" · ".join(f"{v['symbol']} {v['label']}" for v in looks.values()))
    lines.append(label("status_unverified_note", lang))
    if ctx.place_id != str(reference.province()["slug"]):
        lines.append(label("province_scope_note", lang))
    return unicodedata.normalize("NFC", "\n".join(lines)) + "\n"


def targets_frame(
    year: int | None = None,
    place: str | None = None,
    lang: str = "vi",
    db_path: str | Path | None = None,
) -> pd.DataFrame:
    """The targets table of :func:`targets_text` as a frame for the next tool (``--csv``,
    ``--json``): ``indicator_id``, then the table's columns (headers on one line), the
    texts as printed."""
    ctx = _context(year, place, lang, Path(db_path) if db_path else None)
    header, rows = targets_table(ctx)
    columns = [" ".join(h.split()) for h in header]
    frame = pd.DataFrame(rows, columns=columns)
    frame.insert(0, "indicator_id", [r[0].split(".")[0] for r in rows])
    return frame


def cmd_status(args: argparse.Namespace) -> int:

    try:
        if args.output != "text":
            print_frame(targets_frame(args.year, args.place, args.lang, args.db), args.output)
            return EXIT_OK
        text = targets_text(args.year, args.place, args.lang, args.db)
    except (ValueError, FileNotFoundError) as exc:
        raise UsageError(str(exc)) from exc
    print(text, end="")
    return EXIT_OK
