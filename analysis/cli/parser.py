"""What the command line accepts: every verb's arguments, and the function that runs it.

Light on purpose (argparse only): each verb names its function as ``"module:function"``
(``args.command``), and :func:`analysis.cli.main.main` imports that module only when the verb
runs, so ``--help`` and a report batch with nothing to do start without pandas, matplotlib or
the intake.
"""

from __future__ import annotations

import argparse


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--csv`` and ``--json`` (exclusive) to a verb's parser; ``args.output`` is
    ``text`` (the default), ``csv`` or ``json``."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--csv", dest="output", action="store_const", const="csv", help="print CSV")
    group.add_argument(
        "--json", dest="output", action="store_const", const="json", help="print JSON records"
    )
    parser.set_defaults(output="text")


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
    p.set_defaults(command="analysis.cli.commands:cmd_sample")

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
    p.set_defaults(command="analysis.cli.commands:cmd_build")

    p = verbs.add_parser(
        "sql",
        help="run one read-only SQL statement on the store (sandboxed: no files, no extensions)",
    )
    p.add_argument("statement", help="one SELECT statement")
    p.add_argument("--db")
    p.add_argument("--max-rows", type=int, default=200)
    add_output_options(p)
    p.set_defaults(command="analysis.cli.commands:cmd_sql")

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
        "--render-timeout",
        type=float,
        default=120.0,
        help="seconds allowed for rendering a report after its notebook ran (default 120); "
        "a worker silent for start + timeout + this is given up and replaced",
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
    p.set_defaults(command="analysis.run.runner:run_from_args")

    _intake(verbs)  # template, ingest
    _status(verbs)
    _explain(verbs)
    return parser


def _intake(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``template`` and ``ingest`` verbs to the main parser's sub-commands."""
    p = subparsers.add_parser(
        "template", help="write the Excel workbooks the reporting units fill in"
    )
    p.add_argument("--year", type=int, required=True, help="reporting year, e.g. 2025")
    p.add_argument(
        "--unit", required=True, help='unit code (183, 06187, SCT) or name ("Cao Lộc"), or all'
    )
    p.add_argument("--out", help="folder to write (default outputs/templates/YEAR)")
    p.add_argument("--db", help="database file (default data/processed/langson.duckdb)")
    p.set_defaults(command="analysis.cli.intake:cmd_template")

    p = subparsers.add_parser(
        "ingest", help="validate and load workbooks; rejected files go to data/quarantine/"
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="workbooks, or folders of them")
    p.add_argument("--db", help="database file (default data/processed/langson.duckdb)")
    p.add_argument("--quarantine", help="folder for rejected files (default data/quarantine)")
    p.add_argument(
        "--archive",
        help="folder keeping loaded files and their ledger.csv (default data/received)",
    )
    p.add_argument("--no-archive", action="store_true", help="do not keep copies of loaded files")
    p.add_argument(
        "--received",
        help="date received, dd/mm/yyyy (default: the date sent on the cover, else today)",
    )
    p.set_defaults(command="analysis.cli.intake:cmd_ingest")


def _status(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``status`` verb to the command line's subparsers; return its parser."""
    parser = subparsers.add_parser("status", help="print the targets table of a year and place")
    parser.add_argument("--year", type=int, help="evaluation year (default: latest in the data)")
    parser.add_argument(
        "--place",
        help="province, district-level area or 2025 commune: slug, code or name "
        "(default: the province)",
    )
    parser.add_argument("--lang", choices=["vi", "en"], default="vi")
    parser.add_argument("--db", help="database file (default data/processed/langson.duckdb)")
    add_output_options(parser)
    parser.set_defaults(command="analysis.cli.status:cmd_status")
    return parser


def _explain(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``explain`` verb to the command line's subparsers; return its parser."""
    parser = subparsers.add_parser(
        "explain", help="list the villages (crafts, areas) behind an indicator value, and why"
    )
    parser.add_argument("indicator", help="T1-T6")
    parser.add_argument("--year", type=int, help="year (default: latest in the data)")
    parser.add_argument(
        "--place",
        help="province (default), district-level area or 2025 commune: slug, code or name",
    )
    parser.add_argument("--lang", choices=["vi", "en"], default="vi")
    parser.add_argument("--all", action="store_true", help="list the members out of scope too")
    parser.add_argument("--db", help="database file (default data/processed/langson.duckdb)")
    add_output_options(parser)
    parser.set_defaults(command="analysis.cli.explain:cmd_explain")
    return parser
