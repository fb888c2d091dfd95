"""Command line: ``python -m analysis VERB ...``.

Exit codes: 0 all good; 1 some input rejected or some report failed (the rest done); 2 usage error.
Messages are for people; tracebacks only with ``--debug``.

Each verb imports the layers it uses when it runs (the imports inside the ``_cmd_*`` functions):
``--help``, ``sql`` or ``status`` then start without loading papermill, matplotlib or the intake.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from analysis.cli import explain as explain_cli
from analysis.cli import intake as intake_cli
from analysis.cli import status
from analysis.cli.output import add_output_options, print_frame
from analysis.core import config
from analysis.core.errors import EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, UsageError


def _cmd_sample(args: argparse.Namespace) -> int:
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


def _cmd_build(args: argparse.Namespace) -> int:
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


def _cmd_sql(args: argparse.Namespace) -> int:

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


def _cmd_report(args: argparse.Namespace) -> int:
    # Loaded when this verb runs: the other verbs and --help start without it.
    from analysis.run.runner import run_from_args

    return run_from_args(args)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every verb."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Lạng Sơn craft villages (Plan 244/KH-UBND): data, indicators, reports.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    p = verbs.add_parser("sample", help="write the synthetic data set")
    p.add_argument("--seed", type=int, default=244)
    p.add_argument("--years", default="2021-2025", help="range of reporting years, e.g. 2021-2025")
    p.add_argument("--scale", choices=["province", "national"], default="province")
    p.add_argument("--out", help="folder to write (default data/sample, or data/national)")
    p.set_defaults(func=_cmd_sample)

    p = verbs.add_parser("build", help="validate the raw tables and (re)build the DuckDB store")
    p.add_argument("--raw", help="folder of raw tables (default data/sample)")
    p.add_argument("--db", help="database file (default data/processed/langson.duckdb)")
    p.add_argument(
        "--out",
        help="folder for the indicator CSVs (default outputs/indicators, or beside --db)",
    )
    p.add_argument(
        "--no-replay",
        action="store_true",
        help="do not load again the submissions listed in the ledger (needs --yes if any)",
    )
    p.add_argument("--yes", action="store_true", help="confirm dropping them with --no-replay")
    p.add_argument(
        "--archive",
        help="folder of the archived submissions and their ledger.csv (default data/received)",
    )
    p.set_defaults(func=_cmd_build)

    p = verbs.add_parser(
        "sql",
        help="run one read-only SQL statement on the store (sandboxed: no files, no extensions)",
    )
    p.add_argument("statement", help="one SELECT statement")
    p.add_argument("--db")
    p.add_argument("--max-rows", type=int, default=200)
    add_output_options(p)
    p.set_defaults(func=_cmd_sql)

    p = verbs.add_parser("report", help="run the report notebooks and render them")
    p.add_argument("--year", type=int, help="reporting year (default: latest in the data)")
    p.add_argument("--place", default="all", help="place slug, code or name, or all")
    p.add_argument(
        "--kind",
        default="district",
        help="district, province, review, commune, questions (the question notebooks; "
        "comma-separated), or all (all but commune)",
    )
    p.add_argument("--format", default="html", help="comma-separated: html,pdf,docx")
    p.add_argument("--lang", choices=["vi", "en"], default="vi")
    p.add_argument("--date", default="", help="date of issue, YYYY-MM-DD (default: today)")
    p.add_argument("--final", action="store_true", help="final version: no DỰ THẢO (draft) mark")
    p.add_argument(
        "--jobs",
        type=int,
        help="reports at once: worker processes here (default 2), or a cap on a Dask cluster",
    )
    p.add_argument("--force", action="store_true", help="redo reports whose inputs did not change")
    p.add_argument(
        "--scheduler", help="address of a Dask scheduler, e.g. tcp://host:8786 (docs/cluster.md)"
    )
    p.add_argument(
        "--timeout", type=float, default=600.0, help="seconds one report may run (default 600)"
    )
    p.add_argument(
        "--start-timeout",
        type=float,
        default=120.0,
        help="seconds a kernel may take to start (default 120)",
    )
    p.add_argument(
        "--worker-timeout",
        type=float,
        default=60.0,
        help="with --scheduler: seconds to wait with no worker before failing the rest",
    )
    p.add_argument(
        "--shared-store",
        action="store_true",
        help="with --scheduler: workers read the store at the same path (checked), not sent",
    )
    p.add_argument("--db")
    p.add_argument("--out", help="output folder (default outputs/)")
    p.set_defaults(func=_cmd_report)

    intake_cli.register(verbs)  # template, ingest
    status.register(verbs)  # status
    explain_cli.register(verbs)  # explain
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one verb; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        else:
            print(f"error: {exc} (run with --debug for details)", file=sys.stderr)
        return EXIT_PARTIAL
