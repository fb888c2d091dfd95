"""The ``template`` and ``ingest`` verbs of ``python -m analysis``.

``analysis.cli.main.build_parser`` calls :func:`register` to add them. Each verb imports the
intake layer when it runs, so that the rest of the command line starts without it.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import pandas as pd

from analysis.core import config
from analysis.core.errors import EXIT_OK, EXIT_PARTIAL, UsageError
from analysis.intake.ingest import (
    ARCHIVE_DIR,
    IntakeOptions,
    expand_paths,
    format_report,
    ingest_file,
    parse_dates,
)
from analysis.intake.ledger import LEDGER_NAME
from analysis.intake.problems import message
from analysis.intake.template import expected_units, write_template
from analysis.intake.units import resolve_unit
from analysis.pipeline import load_dataset

#: Problems shown per file on the terminal; the quarantine report has them all.
TERMINAL_LIMIT = 40


def _db(args: argparse.Namespace) -> Path:
    """The database of ``--db``, else the project's."""
    return Path(args.db) if getattr(args, "db", None) else config.db_path()


def _resolve_units(text: str, year: int, villages: object) -> list:
    """The units a ``--unit`` value names: ``all``, a code or a name."""

    if text.strip().lower() == "all":
        table = expected_units(villages, year)  # type: ignore[arg-type]
        return [row for _, row in table.iterrows()]
    unit, problems = resolve_unit(text, None, year)
    if unit is None:
        unit, by_name = resolve_unit(None, text, year)
        if unit is None:
            code, params = (by_name or problems)[0]
            vi, en = message(code)
            values = {"value": text, "hint": "", "hint_en": "", **params}
            raise UsageError(f"{vi.format(**values)} / {en.format(**values)}")
    assert isinstance(unit, pd.Series)
    return [unit]


def cmd_template(args: argparse.Namespace) -> int:
    """``template``: one workbook per unit, pre-filled from the store."""
    if not config.BASELINE_YEAR <= args.year <= config.PROGRAMME_END:
        raise UsageError(f"--year must lie in {config.BASELINE_YEAR}-{config.PROGRAMME_END}")
    db = _db(args)
    if not db.exists():
        raise UsageError(f"no database at {db}: run `python -m analysis build` first")
    ds = load_dataset(db, build_if_missing=False)
    units = _resolve_units(args.unit, args.year, ds.villages)
    out = Path(args.out) if args.out else config.OUTPUTS_DIR / "templates" / str(args.year)
    for unit in units:
        path = write_template(ds.tables, unit, args.year, out, synthetic=ds.synthetic)
        print(f"Biểu mẫu / template: {path}  ({unit['code']} {unit['name_vi']})")
    return EXIT_OK


def _parse_date(text: str) -> date:
    """The date of ``--received`` (day first)."""

    values, bad = parse_dates(pd.Series([text], dtype=object))
    if bad.iloc[0] or pd.isna(values.iloc[0]):
        raise UsageError(f"--received must be a date such as 15/12/2025, got {text!r}")
    return values.iloc[0].date()


def cmd_ingest(args: argparse.Namespace) -> int:
    """``ingest``: every workbook validated, then loaded or quarantined; exit 1 if any was
    rejected."""
    db = _db(args)
    if not db.exists():
        raise UsageError(f"no database at {db}: run `python -m analysis build` first")
    try:
        files = expand_paths([Path(p) for p in args.paths])
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from exc
    if not files:
        raise UsageError("no Excel files (.xlsx) found in the given folders")
    options = IntakeOptions(
        db_path=db,
        quarantine_dir=Path(args.quarantine) if args.quarantine else config.QUARANTINE_DIR,
        archive_dir=None
        if args.no_archive
        else (Path(args.archive) if args.archive else ARCHIVE_DIR),
        received_on=_parse_date(args.received) if args.received else None,
        ledger=(Path(args.archive) if args.archive else ARCHIVE_DIR) / LEDGER_NAME,
        debug=bool(getattr(args, "debug", False)),
    )
    tally = {"loaded": 0, "unchanged": 0, "rejected": 0, "failed": 0}
    for path in files:
        result = ingest_file(path, options)
        tally[result.outcome] += 1
        print(format_report(result, limit=TERMINAL_LIMIT))
        if result.quarantine is not None:
            print(
                f"Tệp và báo cáo lỗi lưu tại / file and error report kept in: {result.quarantine}\n"
            )
    print(
        f"Tổng cộng / total: {tally['loaded']} đã nạp / loaded, {tally['unchanged']} không "
        f"đổi / unchanged, {tally['rejected']} bị từ chối / rejected, {tally['failed']} lỗi "
        f"nạp / failed."
    )
    return EXIT_OK if tally["rejected"] + tally["failed"] == 0 else EXIT_PARTIAL
