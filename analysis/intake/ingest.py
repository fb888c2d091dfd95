"""Data intake: the reporting units' Excel workbooks, validated, loaded safely, nothing lost.

For each workbook :func:`ingest_file` checks everything at once and then either

* loads it, in one DuckDB transaction: the unit-year's previous rows are replaced and kept in
  ``submission_history``, ``ingest_log`` records who sent what, when, the file's SHA-256 and
  the rows added and replaced; a file already loaded as a unit-year's current data changes
  nothing; or
* rejects it: the database is not touched (it is never opened for writing), and an untouched copy of
  the file goes to ``data/quarantine/<date>-<sha256 prefix>/`` with ``errors.txt`` and
  ``errors.html`` beside it, naming sheet, row, column, the value found and the rule broken, in
  Vietnamese and English.

Files are untrusted: size and zip limits are checked before unpacking, every XML part is parsed with
``defusedxml`` (no DTDs, entities or external references) before openpyxl reads it, macros are
refused, formulas are never evaluated (the value Excel saved is read), rows and columns are bounded,
file and unit names never become path components unsanitised, and every text reaching HTML is
escaped. A process killed mid-load leaves the last committed state (DuckDB's transaction log).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from analysis.core import config
from analysis.core.labels import label
from analysis.data.problems import show_value
from analysis.data.schemas import TABLES
from analysis.data.store import Dataset, read_info
from analysis.data.store_file import connect
from analysis.indicators.sql_views import install
from analysis.intake import ledger
from analysis.intake.changes import Change, apply_changes, guard_problems, plan_changes
from analysis.intake.ledger import LEDGER_NAME
from analysis.intake.problems import IntakeLimits, human_size, make_problem, message
from analysis.intake.read import ParsedSubmission, read_submission
from analysis.intake.report import (
    EXCEL_SUFFIXES,
    IntakeResult,
    display_name,
    format_report,
    format_report_html,
    quarantine,
    safe_file_name,
)
from analysis.intake.tables import create_intake_tables, read_store, table_checksums
from analysis.intake.units import place_key, resolve_unit
from analysis.intake.values import (
    clean_text,
    parse_booleans,
    parse_dates,
    parse_numbers,
    parse_years,
)
from analysis.intake.workbook import COVER_TITLE, table_specs

__all__ = [
    "ARCHIVE_DIR",
    "IntakeLimits",
    "IntakeOptions",
    "IntakeResult",
    "ParsedSubmission",
    "clean_text",
    "create_intake_tables",
    "expand_paths",
    "format_report",
    "format_report_html",
    "ingest",
    "ingest_file",
    "load_changes",
    "message",
    "parse_booleans",
    "parse_dates",
    "parse_numbers",
    "parse_years",
    "place_key",
    "plan_changes",
    "quarantine",
    "read_store",
    "read_submission",
    "resolve_unit",
    "safe_file_name",
    "show_value",
    "table_checksums",
]

#: Where loaded files are archived (content-addressed, so that a rebuilt store can be replayed).
ARCHIVE_DIR: Path = config.DATA_DIR / "received"


@dataclass(frozen=True)
class IntakeOptions:
    """Where and how to ingest. ``now`` and ``received_on`` make runs reproducible in tests."""

    db_path: Path
    quarantine_dir: Path = config.QUARANTINE_DIR
    archive_dir: Path | None = ARCHIVE_DIR
    limits: IntakeLimits = field(default_factory=IntakeLimits.from_reference)
    received_on: date | None = None
    now: datetime | None = None
    debug: bool = False
    #: The ledger of accepted submissions (default ``ledger.csv`` in the archive folder, or in
    #: ``data/received`` with ``--no-archive``); ``keep_ledger=False`` when replaying.
    ledger: Path | None = None
    keep_ledger: bool = True

    def timestamp(self) -> datetime:
        """The time of this run."""
        return self.now or datetime.now()

    def ledger_path(self) -> Path:
        """Where accepted submissions are listed."""
        return self.ledger or (self.archive_dir or ARCHIVE_DIR) / LEDGER_NAME


def _results_dataset(after: dict[str, pd.DataFrame], info: dict[str, object]) -> Dataset:
    """The data set as it will be once the changes are loaded, typed as the schemas say (the
    indicator results are computed from it in the load's transaction)."""
    specs = table_specs()
    return Dataset(
        tables={n: specs[n].schema.validate(after[n].reset_index(drop=True)) for n in TABLES},
        info=info,
    )


# ------------------------------------------------------------------------------------ loading


def _history_rows(log_id: int, table: str, change: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``submission_history``: one JSON record per row added or replaced."""
    if frame.empty:
        return pd.DataFrame(columns=["log_id", "table_name", "change", "row_json"])
    lines = frame.to_json(orient="records", lines=True, date_format="iso", force_ascii=False)
    return pd.DataFrame(
        {
            "log_id": log_id,
            "table_name": table,
            "change": change,
            "row_json": lines.strip().split("\n"),
        }
    )


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Insert a frame into a table, columns matched by name."""
    if frame.empty:
        return
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    con.register("incoming_rows", frame)
    try:
        con.execute(f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM incoming_rows')
    finally:
        con.unregister("incoming_rows")


def load_changes(
    con: duckdb.DuckDBPyConnection,
    changes: list[Change],
    log: dict[str, object],
    sha256: str,
    refresh: Dataset | None = None,
) -> dict[str, tuple[int, int]] | None:
    """Apply the changes in one transaction; return rows (added, replaced) per table, or None
    when the same file is already the current data (nothing is changed).

    ``refresh`` is the data set after the changes: the result tables (``indicator_values``,
    ``progress_status``...) and the views are rewritten from it in the same transaction, so that
    SQL users never see results older than the data."""
    counts: dict[str, tuple[int, int]] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        create_intake_tables(con)
        if con.execute(
            "SELECT count(*) FROM submissions WHERE file_sha256 = ?", [sha256]
        ).fetchone()[0]:
            con.execute("ROLLBACK")
            return None
        log_id = int(
            con.execute("SELECT coalesce(max(log_id), 0) + 1 FROM ingest_log").fetchone()[0]
        )
        history = []
        for change in changes:
            if change.delete_keys is not None:
                con.register("touched_keys", change.delete_keys)
            try:
                con.execute(change.delete_sql, change.delete_params)
            finally:
                if change.delete_keys is not None:
                    con.unregister("touched_keys")
            added = change.added
            if change.table in ("narratives", "district_craft_sources"):
                added = added.assign(log_id=log_id)
            _insert(con, change.table, added)
            history += [
                _history_rows(log_id, change.table, "replaced", change.removed),
                _history_rows(log_id, change.table, "added", change.added),
            ]
            counts[change.table] = (len(change.added), len(change.removed))
        _insert(con, "submission_history", pd.concat(history, ignore_index=True))
        row = {
            **log,
            "log_id": log_id,
            "rows_added": sum(a for a, _ in counts.values()),
            "rows_replaced": sum(r for _, r in counts.values()),
            "details": json.dumps({k: {"added": a, "replaced": r} for k, (a, r) in counts.items()}),
        }
        if refresh is not None:
            install(con, refresh)
        _insert(con, "ingest_log", pd.DataFrame([row]))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return counts


def _archive(data: bytes, name: str, sha256: str, folder: Path, when: datetime) -> Path:
    """Keep an exact copy of a loaded file under ``<time>-<sha256 prefix>/``."""
    target = folder / f"{when:%Y%m%dT%H%M%S}-{sha256[:16]}"
    target.mkdir(parents=True, exist_ok=True)
    path = target / safe_file_name(name)
    path.write_bytes(data)
    return path


def _file_hash(path: Path) -> str:
    """SHA-256 of a file read in blocks (for files too large to read at once)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ingest_file(path: Path, options: IntakeOptions) -> IntakeResult:
    """Validate one workbook and load it, or reject it into quarantine."""
    when = options.timestamp()
    name = display_name(path)
    size = path.stat().st_size
    if size > options.limits.max_file_bytes:
        result = IntakeResult(
            path,
            name,
            _file_hash(path),
            "rejected",
            problems=[
                make_problem(
                    "too_large",
                    file=name,
                    size=human_size(size),
                    limit=human_size(options.limits.max_file_bytes),
                )
            ],
        )
        quarantine(result, path, options.quarantine_dir, when)
        return result
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    if not options.db_path.exists():
        raise FileNotFoundError(
            f"no database at {options.db_path}: run `python -m analysis build` first"
        )
    with connect(options.db_path) as con:
        current = con.execute(
            "SELECT unit_code, year FROM submissions WHERE file_sha256 = ?", [sha256]
        ).fetchall()
        if current:
            unit_code, year = current[0]
            return IntakeResult(path, name, sha256, "unchanged", unit_code, int(year))
        tables = read_store(con)
        info = read_info(con)
    received = options.received_on or when.date()
    try:
        sub = read_submission(data, name, tables, options.limits, when.date())
    except Exception as exc:
        if options.debug:
            raise
        sub = ParsedSubmission.failed(
            [make_problem("internal_error", file=name, detail=type(exc).__name__)]
        )
    problems = list(sub.problems)
    result = IntakeResult(
        path,
        name,
        sha256,
        "rejected",
        None if sub.unit is None else str(sub.unit["code"]),
        sub.year,
        problems,
    )
    if not sub.errors:
        sent_on = sub.cover.get("sent_on")
        if options.received_on is None and sent_on is not None:
            received = sent_on  # type: ignore[assignment]
        elif sent_on is None:
            problems.append(
                make_problem(
                    "sent_on_missing",
                    severity="warning",
                    file=name,
                    sheet=COVER_TITLE,
                    value=received.strftime("%d/%m/%Y"),
                )
            )
        try:
            changes, found = plan_changes(sub, tables, received, name, sha256)
            problems += [p.in_file(name) for p in found]
            after = apply_changes(tables, changes)
            problems += guard_problems(after, name)
        except Exception as exc:
            if options.debug:
                raise
            problems.append(make_problem("internal_error", file=name, detail=type(exc).__name__))
    if any(p.severity == "error" for p in problems):
        quarantine(result, data, options.quarantine_dir, when)
        return result
    archived = None
    if options.archive_dir is not None:
        archived = _archive(data, path.name, sha256, options.archive_dir, when)
    cover = sub.cover
    unit = sub.unit
    assert unit is not None and sub.year is not None
    log = {
        "received_at": pd.Timestamp(when),
        "unit_code": str(unit["code"]),
        "unit_level": str(unit["level"]),
        "year": sub.year,
        "sender": cover.get("sender"),
        "sender_position": cover.get("position"),
        "sender_contact": cover.get("contact"),
        "sent_on": cover.get("sent_on"),
        "received_on": received,
        "file_name": name,
        "file_sha256": sha256,
        "file_bytes": len(data),
        "warnings": len(result.warnings),
        "warnings_text": "\n".join(p.describe("vi") for p in result.warnings) or None,
        "archived_as": None if archived is None else str(archived),
    }
    try:
        with duckdb.connect(str(options.db_path)) as con:
            counts = load_changes(con, changes, log, sha256, _results_dataset(after, info))
    except duckdb.Error as exc:
        if options.debug:
            raise
        result.outcome = "failed"
        result.message = (
            f"Lỗi cơ sở dữ liệu, chưa nạp / database error, nothing loaded: "
            f"{show_value(str(exc), 200)}"
        )
        return result
    if counts is None:
        result.outcome = "unchanged"
        return result
    result.outcome, result.counts, result.archived = "loaded", counts, archived
    if archived is None:
        result.message = (
            label("intake_not_archived", "vi") + " / " + label("intake_not_archived", "en")
        )
    if options.keep_ledger:
        ledger.record(
            options.ledger_path(),
            {
                "loaded_at": pd.Timestamp(when).isoformat(timespec="seconds"),
                "store": ledger.store_key(options.db_path),
                "unit_code": log["unit_code"],
                "year": sub.year,
                "file_name": name,
                "sha256": sha256,
                "received_on": received.isoformat(),
                "archived_as": None if archived is None else str(archived),
                "status": "not_archived" if archived is None else "archived",
            },
        )
    return result


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files named directly, and the Excel files of named folders (sorted; Excel's ``~$`` lock
    files and hidden files skipped). Raises ``FileNotFoundError`` for a missing path."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in EXCEL_SUFFIXES
                and not p.name.startswith(("~$", "."))
            )
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    return files


def ingest(paths: Sequence[Path], options: IntakeOptions) -> list[IntakeResult]:
    """Ingest every workbook under ``paths``, one transaction each; the others go on when one
    is rejected."""
    return [ingest_file(path, options) for path in expand_paths(paths)]


def received_history(db_path: Path) -> pd.DataFrame:
    """The files a store has loaded, in the order it loaded them: ``archived_as``,
    ``received_on``, ``log_id`` (empty when the store has no intake history)."""
    empty = pd.DataFrame(columns=["log_id", "archived_as", "received_on"])
    if not db_path.exists():
        return empty
    with connect(db_path) as con:
        names = {
            r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        if "ingest_log" not in names:
            return empty
        return con.execute(
            "SELECT log_id, archived_as, received_on FROM ingest_log "
            "WHERE archived_as IS NOT NULL ORDER BY log_id"
        ).df()


def replay_history(history: pd.DataFrame, db_path: Path) -> list[IntakeResult]:
    """Load again, in their first order and with their first dates received, the archived
    files of ``history`` into the store at ``db_path`` (a rebuilt store), so that a rebuild
    from the raw tables loses no submission. Each file keeps its archive path in the log."""
    results = []
    for row in history.itertuples(index=False):
        path = Path(row.archived_as)
        if not path.exists():
            raise FileNotFoundError(
                f"the store's history names {path}, which is gone: restore it, or rebuild "
                "with `build --no-replay` and ingest the submissions again"
            )
        received = None if pd.isna(row.received_on) else pd.Timestamp(row.received_on).date()
        options = IntakeOptions(
            db_path=db_path, archive_dir=None, received_on=received, keep_ledger=False
        )
        result = ingest_file(path, options)
        if result.outcome == "loaded":
            with duckdb.connect(str(db_path)) as con:
                con.execute(
                    "UPDATE ingest_log SET archived_as = ? "
                    "WHERE log_id = (SELECT max(log_id) FROM ingest_log)",
                    [str(path)],
                )
        results.append(result)
    return results
