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
import html
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from analysis.core import config
from analysis.core.formatting import format_number
from analysis.core.text import nfc, slugify
from analysis.data import reference
from analysis.data.schemas import TABLES
from analysis.data.validation import Problem, check_relations, check_schema
from analysis.intake.problems import (
    IntakeLimits,
    IntakeProblem,
    human_size,
    make_problem,
    message,
    show_value,
    with_file,
)
from analysis.intake.read import ParsedSubmission, read_submission
from analysis.intake.units import place_key, resolve_unit
from analysis.intake.values import (
    clean_text,
    parse_booleans,
    parse_dates,
    parse_numbers,
    parse_years,
)
from analysis.intake.workbook import COVER_TITLE, sheet_specs, table_specs, unit_villages

__all__ = [
    "ARCHIVE_DIR",
    "IntakeLimits",
    "IntakeOptions",
    "IntakeProblem",
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
#: A test hook: when set to a path, the load writes that file just before COMMIT and waits, so
#: that a test can kill the process mid-transaction.
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")

# ---------------------------------------------------------------------------------- the tables

#: Tables the intake adds to the store (created if missing; ``build`` creates them empty).
INTAKE_DDL = {
    "ingest_log": """
        CREATE TABLE IF NOT EXISTS ingest_log (
            log_id INTEGER PRIMARY KEY, received_at TIMESTAMP, unit_code VARCHAR,
            unit_level VARCHAR, year INTEGER, sender VARCHAR, sender_position VARCHAR,
            sender_contact VARCHAR, sent_on DATE, received_on DATE, file_name VARCHAR,
            file_sha256 VARCHAR, file_bytes BIGINT, rows_added INTEGER, rows_replaced INTEGER,
            details VARCHAR, warnings INTEGER, warnings_text VARCHAR, archived_as VARCHAR)""",
    "submission_history": """
        CREATE TABLE IF NOT EXISTS submission_history (
            log_id INTEGER, table_name VARCHAR, change VARCHAR, row_json VARCHAR)""",
    "narratives": """
        CREATE TABLE IF NOT EXISTS narratives (
            unit_code VARCHAR, year INTEGER, section VARCHAR, text_vi VARCHAR, log_id INTEGER)""",
    "district_craft_sources": """
        CREATE TABLE IF NOT EXISTS district_craft_sources (
            unit_code VARCHAR, year INTEGER, district_code VARCHAR, craft_id VARCHAR,
            village_id VARCHAR, product_vi VARCHAR, log_id INTEGER)""",
}


def create_intake_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the intake's tables if missing (``store.write_store`` calls this on ``build``)."""
    for ddl in INTAKE_DDL.values():
        con.execute(ddl)


def table_checksums(db_path: Path) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent MD5 of every table's content (and column types).

    Two databases with equal checksums hold the same data; used to prove that a rejected file
    left the store exactly as it was.
    """
    out: dict[str, tuple[int, str]] = {}
    with duckdb.connect(str(db_path), read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                "ORDER BY table_name"
            ).fetchall()
        ]
        for name in names:
            columns = con.execute(f'DESCRIBE "{name}"').fetchall()
            count, digest = con.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::VARCHAR, chr(10) "
                f"ORDER BY t::VARCHAR), '')) FROM \"{name}\" t"
            ).fetchone()
            shape = ";".join(f"{c[0]}:{c[1]}" for c in columns)
            out[name] = (int(count), f"{digest}|{hashlib.md5(shape.encode()).hexdigest()}")
    return out


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

    def timestamp(self) -> datetime:
        """The time of this run."""
        return self.now or datetime.now()


# ---------------------------------------------------------------------------- the new state


@dataclass
class _Change:
    """Rows one table loses and gains, and the SQL that removes the lost ones."""

    table: str
    removed: pd.DataFrame
    added: pd.DataFrame
    delete_sql: str
    delete_params: list[object]
    delete_keys: pd.DataFrame | None = None


def read_store(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The data-model tables (typed as the schemas say) and the intake tables of the store."""
    specs = table_specs()
    names = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
    }
    # The store holds validated data: its types are restored, the checks are not run again
    # (the state after loading is checked in full before anything is written).
    tables = {
        name: specs[name].schema.coerce_dtype(con.execute(f"SELECT * FROM {name}").df())
        for name in TABLES
    }
    for name in INTAKE_DDL:
        tables[name] = (
            con.execute(f"SELECT * FROM {name}").df() if name in names else pd.DataFrame()
        )
    return tables


def _typed_like(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Rows in the table's column order and types (the schema coerces them)."""
    columns = list(table_specs()[table].schema.columns)
    out = frame.reindex(columns=columns)
    return table_specs()[table].schema.validate(out.reset_index(drop=True))


def plan_changes(
    sub: ParsedSubmission,
    tables: dict[str, pd.DataFrame],
    received_on: date,
    file_name: str,
    sha256: str,
) -> tuple[list[_Change], list[IntakeProblem]]:
    """What loading ``sub`` changes in each table, and the warnings it raises (later-year
    village updates skipped, implausible jumps)."""
    assert sub.unit is not None and sub.year is not None
    unit, year = sub.unit, sub.year
    code, level = str(unit["code"]), str(unit["level"])
    warnings_: list[IntakeProblem] = []
    changes: list[_Change] = []
    villages = tables["villages"]
    mine = unit_villages(villages, code, level)
    ids = list(mine["village_id"])

    # Yearly village figures: the unit's villages in the year are replaced.
    vy = tables["village_year"]
    if level != "department":
        removed = vy[vy["village_id"].isin(ids) & (vy["year"] == year)]
        added = _typed_like(sub.village_year.dropna(subset=["village_id"]), "village_year")
        changes.append(
            _Change(
                "village_year",
                removed,
                added,
                "DELETE FROM village_year WHERE year = ? AND village_id IN (SELECT unnest(?))",
                [year, ids],
            )
        )

    # Activities of the unit and year.
    act = tables["activities"]
    removed = act[(act["unit_code"] == code) & (act["year"] == year)]
    added = (
        _typed_like(sub.activities.dropna(subset=["task_group", "funding_source"]), "activities")
        if len(sub.activities)
        else act.iloc[0:0]
    )
    changes.append(
        _Change(
            "activities",
            removed,
            added,
            "DELETE FROM activities WHERE unit_code = ? AND year = ?",
            [code, year],
        )
    )

    # Commodity crafts: each unit's rows are kept apart (district_craft_sources), and the
    # district-level table is recomputed for the keys this unit touched.
    if level != "department":
        changes += _craft_changes(sub, tables, code, level, year)

    # Village updates, only for villages with no figures of a later year.
    if len(sub.village_updates):
        changes += _village_changes(sub, tables, year, warnings_)

    # The submission itself (completeness and timeliness).
    subs = tables["submissions"]
    removed = subs[(subs["unit_code"] == code) & (subs["year"] == year)]
    added = _typed_like(
        pd.DataFrame(
            [
                {
                    "unit_code": code,
                    "unit_level": level,
                    "year": year,
                    "received_on": pd.Timestamp(received_on),
                    "file_name": file_name,
                    "file_sha256": sha256,
                }
            ]
        ),
        "submissions",
    )
    changes.append(
        _Change(
            "submissions",
            removed,
            added,
            "DELETE FROM submissions WHERE unit_code = ? AND year = ?",
            [code, year],
        )
    )

    # Narrative texts.
    old_text = tables["narratives"]
    removed = (
        old_text[(old_text["unit_code"] == code) & (old_text["year"] == year)]
        if len(old_text)
        else pd.DataFrame(columns=["unit_code", "year", "section", "text_vi", "log_id"])
    )
    texts = (
        sub.narratives.dropna(subset=["section"])
        if len(sub.narratives)
        else pd.DataFrame(columns=["section", "text_vi"])
    )
    added = pd.DataFrame(
        {"unit_code": code, "year": year, "section": texts["section"], "text_vi": texts["text_vi"]}
    ).dropna(subset=["text_vi"])
    changes.append(
        _Change(
            "narratives",
            removed,
            added.reset_index(drop=True),
            "DELETE FROM narratives WHERE unit_code = ? AND year = ?",
            [code, year],
        )
    )
    warnings_ += _jumps(sub, tables, year)
    return changes, warnings_


def _craft_changes(
    sub: ParsedSubmission, tables: dict[str, pd.DataFrame], code: str, level: str, year: int
) -> list[_Change]:
    """Commodity crafts: the unit's own rows (``district_craft_sources``) replaced, and
    ``district_crafts`` recomputed for every district-year-craft the unit touched."""
    sources = tables["district_craft_sources"]
    if sources.empty:
        sources = pd.DataFrame(
            columns=[
                "unit_code",
                "year",
                "district_code",
                "craft_id",
                "village_id",
                "product_vi",
                "log_id",
            ]
        )
    old = sources[(sources["unit_code"] == code) & (sources["year"] == year)]
    new = pd.DataFrame(columns=["district_code", "craft_id", "village_id", "product_vi"])
    if len(sub.crafts):
        new = sub.crafts.dropna(subset=["district_code", "craft_id"])[
            ["district_code", "craft_id", "village_id", "product_vi"]
        ]
    new = new.assign(unit_code=code, year=year).reset_index(drop=True)
    remaining = pd.concat([sources.drop(old.index), new], ignore_index=True)
    dc = tables["district_crafts"]
    key = ["district_code", "year", "craft_id"]
    touched = pd.concat([old[key], new[key]], ignore_index=True)
    if level == "district":
        touched = pd.concat(
            [touched, dc.loc[(dc["district_code"] == code) & (dc["year"] == year), key]],
            ignore_index=True,
        )
    touched = touched.drop_duplicates().astype({"year": "int64"})
    removed = dc.merge(touched, on=key, how="inner")
    rebuilt = (
        remaining.astype({"year": "int64"})
        .merge(touched, on=key, how="inner")
        .sort_values(["district_code", "craft_id", "unit_code"])
        .groupby(key, as_index=False)
        .agg(product_vi=("product_vi", lambda s: s.dropna().iloc[0] if s.notna().any() else None))
    )
    added = _typed_like(rebuilt, "district_crafts") if len(rebuilt) else dc.iloc[0:0]
    return [
        _Change(
            "district_crafts",
            removed,
            added,
            "DELETE FROM district_crafts USING touched_keys k WHERE "
            "district_crafts.district_code = k.district_code AND district_crafts.year = "
            "k.year AND district_crafts.craft_id = k.craft_id",
            [],
            touched,
        ),
        _Change(
            "district_craft_sources",
            old,
            new[["unit_code", "year", "district_code", "craft_id", "village_id", "product_vi"]],
            "DELETE FROM district_craft_sources WHERE unit_code = ? AND year = ?",
            [code, year],
        ),
    ]


_UPDATE_COLUMNS = (
    "recognition",
    "recognition_decision",
    "recognition_date",
    "recognition_regime",
    "tourism_since",
    "trademark",
    "trademark_since",
    "restored_year",
)


def _village_changes(
    sub: ParsedSubmission,
    tables: dict[str, pd.DataFrame],
    year: int,
    warnings_: list[IntakeProblem],
) -> list[_Change]:
    """Villages whose recognition, tourism or trademark the workbook changes. A workbook of an
    earlier year than the village's latest figures changes nothing (it would undo newer facts):
    a warning says so."""
    villages = tables["villages"]
    updates = sub.village_updates.dropna(subset=["village_id"]).drop_duplicates("village_id")
    current = villages.set_index("village_id")
    updates = updates[updates["village_id"].isin(current.index)]
    rows = pd.Series(updates.index, index=updates["village_id"])
    updates = updates.set_index("village_id")
    # A column missing from the sheet changes nothing (it is not read as "now empty").
    present = sub.letters.get("village_updates", {})
    columns = [c for c in _UPDATE_COLUMNS if c in present]
    proposed = current.loc[updates.index].copy()
    for column in columns:
        proposed[column] = updates[column]
    proposed = _typed_like(proposed.reset_index(), "villages").set_index("village_id")
    before = current.loc[updates.index]
    same = pd.concat(
        [_same(before[c], proposed[c]) for c in columns] + [pd.Series(True, index=before.index)],
        axis=1,
    ).all(axis=1)
    differs = ~same
    latest = tables["village_year"].groupby("village_id")["year"].max()
    later = differs & (updates.index.map(latest).to_series(index=updates.index) > year)
    sheet = sheet_specs()["village_updates"].title
    for village in later.index[later]:
        warnings_.append(
            make_problem(
                "updates_skipped",
                severity="warning",
                village=village,
                later=int(latest[village]),
                row=int(rows[village]),
                sheet=sheet,
            )
        )
    changed = list(differs.index[differs & ~later])
    if not changed:
        return []
    return [
        _Change(
            "villages",
            before.loc[changed].reset_index(),
            proposed.loc[changed].reset_index(),
            "DELETE FROM villages WHERE village_id IN (SELECT unnest(?))",
            [changed],
        )
    ]


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    """Element-wise equality where two missing values are equal."""
    equal = (a.astype(object) == b.astype(object)).fillna(False).astype(bool)
    return (a.isna() & b.isna()) | equal


def _jumps(
    sub: ParsedSubmission, tables: dict[str, pd.DataFrame], year: int
) -> list[IntakeProblem]:
    """Warnings for values far from the village's previous reported year."""
    rules = reference.read_yaml("intake.yaml")["jumps"]
    if "village_id" not in sub.village_year.columns:
        return []
    new = sub.village_year.dropna(subset=["village_id"])
    if new.empty:
        return []
    vy = tables["village_year"]
    before = vy[vy["year"] < year]
    previous = before.sort_values("year").groupby("village_id").tail(1).set_index("village_id")
    spec = sheet_specs()["village_year"]
    out = []
    for column, minimum in rules["min_change"].items():
        if column not in new.columns:
            continue
        now = new[column].astype("Float64")
        prev = new["village_id"].map(previous[column]).astype("Float64")
        ratio = float(rules["ratio"])
        jump = ((now > prev * ratio) | (now < prev / ratio)) & ((now - prev).abs() >= minimum)
        jump = jump.fillna(False).astype(bool)
        f = spec.field(column)
        decimals = 0 if f.kind == "int" else 1
        prev_year = new["village_id"].map(previous["year"])
        for row in jump.index[jump]:
            out.append(
                make_problem(
                    "jump",
                    severity="warning",
                    sheet=spec.title,
                    row=int(row),
                    column=sub.letters.get("village_year", {}).get(column),
                    header_vi=f.header_vi,
                    header_en=f.header_en,
                    value=now[row],
                    prev_vi=format_number(prev[row], decimals),
                    value_vi=format_number(now[row], decimals),
                    prev_en=format_number(prev[row], decimals, "en"),
                    value_en=format_number(now[row], decimals, "en"),
                    prev_year=int(prev_year[row]),
                )
            )
    return out


def _apply_changes(
    tables: dict[str, pd.DataFrame], changes: list[_Change]
) -> dict[str, pd.DataFrame]:
    """The data-model tables as they will be after the changes (to check them before loading)."""
    out = dict(tables)
    for change in changes:
        if change.table not in TABLES:
            continue
        frame = out[change.table]
        if len(change.removed):
            merged = frame.merge(change.removed.drop_duplicates(), how="left", indicator=True)
            frame = frame[(merged["_merge"] == "left_only").to_numpy()]
        out[change.table] = pd.concat([frame, change.added], ignore_index=True)
    return out


def _guard(after: dict[str, pd.DataFrame], file: str) -> list[IntakeProblem]:
    """The data model's own rules on the state after loading (a safety net over the sheet
    checks above, so that the store always stays loadable)."""
    problems: list[Problem] = []
    for name in TABLES:
        _, found = check_schema(name, after[name].reset_index(drop=True), file=file)
        problems += found
    if not problems:
        problems += check_relations({k: after[k].reset_index(drop=True) for k in TABLES})
    return [
        make_problem("guard", file=file, value=p.value, table=p.table, broken=p.rule)
        for p in problems
        if p.severity == "error"
    ]


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
    con: duckdb.DuckDBPyConnection, changes: list[_Change], log: dict[str, object], sha256: str
) -> dict[str, tuple[int, int]] | None:
    """Apply the changes in one transaction; return rows (added, replaced) per table, or None
    when the same file is already the current data (nothing is changed)."""
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
        _insert(con, "ingest_log", pd.DataFrame([row]))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return counts


# -------------------------------------------------------------------------------- the results


@dataclass
class IntakeResult:
    """What happened to one file: ``loaded``, ``unchanged``, ``rejected`` or ``failed``."""

    path: Path
    file_name: str
    sha256: str
    outcome: str
    unit_code: str | None = None
    year: int | None = None
    problems: list[IntakeProblem] = field(default_factory=list)
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    quarantine: Path | None = None
    archived: Path | None = None
    message: str = ""

    @property
    def errors(self) -> list[IntakeProblem]:
        """Problems that rejected the file."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[IntakeProblem]:
        """Findings that inform without rejecting."""
        return [p for p in self.problems if p.severity != "error"]

    @property
    def codes(self) -> set[str]:
        """The rule codes of the errors (for programs and tests)."""
        return {p.code for p in self.errors}


def safe_file_name(name: str, limit: int = 60) -> str:
    """A file name safe as a path component: ASCII slug of the stem, a known extension."""
    path = Path(name.replace("\\", "/")).name
    suffix = Path(path).suffix.lower()
    stem = slugify(Path(path).stem)[:limit] or "tep"
    return f"{stem}{suffix if suffix in EXCEL_SUFFIXES else '.bin'}"


def display_name(path: Path) -> str:
    """The file's name for messages: NFC, control characters escaped."""
    return show_value(nfc(path.name), limit=120) or "?"


def format_report(result: IntakeResult, *, limit: int | None = None) -> str:
    """The plain-text report of one file, in Vietnamese then English."""
    head_vi = {
        "loaded": "ĐÃ NẠP",
        "unchanged": "KHÔNG THAY ĐỔI (tệp đã được nạp trước đây)",
        "rejected": "BỊ TỪ CHỐI",
        "failed": "KHÔNG NẠP ĐƯỢC",
    }[result.outcome]
    head_en = {
        "loaded": "LOADED",
        "unchanged": "UNCHANGED (this file was loaded before)",
        "rejected": "REJECTED",
        "failed": "NOT LOADED",
    }[result.outcome]
    lines = [
        f"Tệp / File: {result.file_name}",
        f"SHA-256: {result.sha256}",
        f"Kết quả / Result: {head_vi} / {head_en}",
    ]
    if result.unit_code:
        lines.append(f"Đơn vị / Unit: {result.unit_code}, năm / year {result.year}")
    if result.message:
        lines.append(result.message)
    if result.counts:
        lines.append(
            "Số dòng (thêm / thay thế) / Rows (added / replaced): "
            + ", ".join(f"{t} {a}/{r}" for t, (a, r) in result.counts.items())
        )
    errors, warns = result.errors, result.warnings
    if errors:
        lines += ["", f"LỖI / ERRORS ({len(errors)}):"]
        for p in errors[:limit]:
            lines += [f"  - {p.describe('vi')}", f"    {p.describe('en')}"]
        if limit is not None and len(errors) > limit:
            lines.append(
                f"  ... và {len(errors) - limit} lỗi khác / and {len(errors) - limit} more"
            )
    if warns:
        lines += ["", f"CẢNH BÁO / WARNINGS ({len(warns)}):"]
        for p in warns[:limit]:
            lines += [f"  - {p.describe('vi')}", f"    {p.describe('en')}"]
        if limit is not None and len(warns) > limit:
            lines.append(
                f"  ... và {len(warns) - limit} cảnh báo khác / and {len(warns) - limit} more"
            )
    return "\n".join(lines) + "\n"


def format_report_html(result: IntakeResult) -> str:
    """The same report as a small HTML page; every text from the file is escaped."""
    e = html.escape
    rows = "".join(
        f"<tr class='{e(p.severity)}'><td>{e(p.sheet or '')}</td><td>{e(str(p.row or ''))}</td>"
        f"<td>{e(p.column or '')} {e(p.header_vi or '')}</td><td>{e(show_value(p.value))}</td>"
        f"<td>{e(p.rule_vi)}<br><i>{e(p.rule_en)}</i></td></tr>"
        for p in result.problems
    )
    return (
        "<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
        f"<title>{e(result.file_name)}</title><style>body{{font-family:sans-serif}}"
        "td,th{border:1px solid #999;padding:4px;vertical-align:top}"
        "table{border-collapse:collapse}.warning{background:#fff6d5}</style></head><body>"
        f"<h1>{e(result.file_name)}</h1><p>SHA-256: {e(result.sha256)}<br>"
        f"{e(result.outcome)}</p><table><tr><th>Trang / Sheet</th><th>Dòng / Row</th>"
        "<th>Cột / Column</th><th>Giá trị / Value</th><th>Quy tắc / Rule</th></tr>"
        f"{rows}</table></body></html>\n"
    )


def quarantine(result: IntakeResult, source: Path | bytes, folder: Path, when: datetime) -> Path:
    """Keep an untouched copy of a rejected file with its error reports; return the folder."""
    target = folder / f"{when:%Y%m%d}-{result.sha256[:16]}"
    target.mkdir(parents=True, exist_ok=True)
    copy = target / safe_file_name(result.path.name)
    if isinstance(source, bytes):
        copy.write_bytes(source)
    else:
        shutil.copyfile(source, copy)
    result.quarantine = target
    (target / "errors.txt").write_text(format_report(result), encoding="utf-8")
    (target / "errors.html").write_text(format_report_html(result), encoding="utf-8")
    return target


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
    with duckdb.connect(str(options.db_path), read_only=True) as con:
        current = con.execute(
            "SELECT unit_code, year FROM submissions WHERE file_sha256 = ?", [sha256]
        ).fetchall()
        if current:
            unit_code, year = current[0]
            return IntakeResult(path, name, sha256, "unchanged", unit_code, int(year))
        tables = read_store(con)
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
            problems += [with_file(p, name) for p in found]
            problems += _guard(_apply_changes(tables, changes), name)
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
            counts = load_changes(con, changes, log, sha256)
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
    with duckdb.connect(str(db_path), read_only=True) as con:
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
        options = IntakeOptions(db_path=db_path, archive_dir=None, received_on=received)
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
