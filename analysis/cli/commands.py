"""The verbs ``sample``, ``build`` and ``sql``.

``report`` runs :func:`analysis.run.runner.run_from_args`; ``template``/``ingest``, ``status``
and ``explain`` have modules of their own. Each verb imports the layers it needs when it runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from analysis.cli.output import print_frame
from analysis.core import config
from analysis.core.errors import EXIT_OK, EXIT_PARTIAL, UsageError


def cmd_sample(args: argparse.Namespace) -> int:
    # Loaded when this verb runs: the other verbs and --help start without it.
    from analysis.data.sample import SampleOptions, generate, parse_years, write_tables

    try:
        first, last = parse_years(args.years)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    options = SampleOptions(seed=args.seed, first_year=first, last_year=last, scale=args.scale)
    out = (
        Path(args.out)
        if args.out
        else (config.SAMPLE_DIR if args.scale == "province" else config.DATA_DIR / "national")
    )
    tables = generate(options)
    write_tables(tables, out, options)
    sizes = ", ".join(f"{name} {len(frame)}" for name, frame in tables.items())
    print(
        f"Synthetic data ({args.scale}, seed {args.seed}, {first}-{last}) written to {out}: {sizes}"
    )
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    # Loaded when this verb runs: the other verbs and --help start without it.
    from analysis.data.validation import DataValidationError
    from analysis.intake import ledger as ledger_file
    from analysis.intake.ingest import ARCHIVE_DIR
    from analysis.pipeline import build_store, replay_plan

    raw = Path(args.raw) if args.raw else config.raw_dir()
    db = Path(args.db) if args.db else config.db_path()
    ledger = (Path(args.archive) if args.archive else ARCHIVE_DIR) / ledger_file.LEDGER_NAME
    entries = ledger_file.entries_for(ledger, db)
    live = entries[entries["status"] != "dropped"]
    if args.no_replay:
        history = replay_plan(db, ledger) if not len(live) else live
        if len(history) and not args.yes:
            raise UsageError(
                f"`build --no-replay` would drop the {len(history)} submission(s) loaded into "
                f"{db} (listed in {ledger}); they would have to be ingested again. Add --yes "
                "to confirm, or build without --no-replay to keep them"
            )
    try:
        path = build_store(raw, db, replay=not args.no_replay, ledger=ledger)
    except DataValidationError as exc:
        print(
            f"Rejected: the data in {raw} break the rules; the store was left unchanged.\n{exc}",
            file=sys.stderr,
        )
        return EXIT_PARTIAL
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from exc
    print(f"Store built: {path}")
    if args.no_replay:
        dropped = ledger_file.mark_dropped(ledger, db)
        if dropped:
            print(f"{dropped} submission(s) dropped from the store (marked in {ledger})")
    else:
        replayed = int((live["status"] == "archived").sum())
        if replayed:
            print(f"Submissions loaded again from {ledger}: {replayed}")
        lost = live[live["status"] == "not_archived"]
        for row in lost.itertuples(index=False):
            print(
                f"Not loaded again: {row.file_name} ({row.unit_code}, {row.year}) was ingested "
                "with --no-archive, so there is no copy to replay; ingest it again",
                file=sys.stderr,
            )
    written = _write_indicator_outputs(db, _indicator_out(args, db))
    for item in written:
        print(f"Indicators written: {item}")
    return EXIT_OK


def _indicator_out(args: argparse.Namespace, db: Path) -> Path:
    """Where a build writes its indicator CSVs: ``--out``; else beside a store named with
    ``--db`` (``<its folder>/indicators``), so that a build into another store never writes
    over the project's own ``outputs/``; else ``outputs/indicators``."""
    if args.out:
        return Path(args.out)
    if args.db and db.resolve() != config.db_path().resolve():
        return db.parent / "indicators"
    return config.OUTPUTS_DIR / "indicators"


def _write_indicator_outputs(db: Path, out: Path) -> list[Path]:
    """Write the indicator CSVs of the store ``db`` into the folder ``out``."""
    # Loaded when this verb runs: the other verbs and --help start without it.
    from analysis.indicators.outputs import write_indicator_csvs

    return write_indicator_csvs(db_path=db, out_dir=out)


def cmd_sql(args: argparse.Namespace) -> int:

    # Loaded when this verb runs: the other verbs and --help start without it.
    from analysis.data.store import sandboxed_query

    db = Path(args.db) if args.db else config.db_path()
    result = sandboxed_query(args.statement, db)  # UsageError (exit 2) when refused
    if args.output != "text":
        print_frame(result, args.output)
    else:
        with pd.option_context(
            "display.max_rows", args.max_rows, "display.width", 200, "display.max_columns", 50
        ):
            print(result.to_string(index=False) if len(result) else "(no rows)")
    return EXIT_OK
