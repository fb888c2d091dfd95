"""The embedded DuckDB store: raw CSV tables in, validated tables out, queryable with SQL.

``validate_raw`` checks every raw table (all problems at once); ``write_store`` writes a new
database file next to the old one and swaps it in with an atomic rename, so a failed write leaves
the previous store exactly as it was. ``analysis.pipeline`` puts these steps together.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from analysis.core import config
from analysis.core.errors import UsageError
from analysis.data import reference
from analysis.data.problems import Problem
from analysis.data.sample import COMMENT_PREFIX
from analysis.data.schemas import TABLES, table_specs
from analysis.data.store_file import StoreUnreadable, connect, first_line, unreadable_message
from analysis.data.validation import DataValidationError, check_relations, check_schema

#: Reference tables copied into the store so that SQL users can join them.
REFERENCE_TABLES = {
    "ref_districts": "districts.csv",
    "ref_communes_2025": "communes_2025.csv",
    "ref_communes_pre2025": "communes_pre2025.csv",
    "ref_commune_map": "commune_map.csv",
    "ref_targets": "targets.csv",
    "ref_indicators": "indicators.csv",
    "ref_status_bands": "status_bands.csv",
}


@dataclass(frozen=True)
class Dataset:
    """Validated tables of one data set, and what is known about it (``info``)."""

    tables: dict[str, pd.DataFrame]
    info: dict[str, object] = field(default_factory=dict)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = object.__getattribute__(self, "tables")
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    @property
    def synthetic(self) -> bool:
        """True when the data are synthetic (every output must say so)."""
        return bool(self.info.get("synthetic", False))


def _count_comment_lines(path: Path) -> int:
    count = 0
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith(COMMENT_PREFIX):
                break
            count += 1
    return count


def read_raw_table(path: Path) -> tuple[pd.DataFrame, int]:
    """Read a raw CSV table as text; return it with the file line of its first data row."""
    skip = _count_comment_lines(path)
    frame = pd.read_csv(path, skiprows=skip, dtype=str, keep_default_na=False, na_values=[""])
    return frame, skip + 2


def read_dataset_info(raw_dir: Path) -> dict[str, object]:
    """The ``dataset.yaml`` of a raw folder, or an empty dict for real data without one."""
    path = raw_dir / "dataset.yaml"
    if not path.exists():
        return {"synthetic": False}
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


_BOOL_WORDS = {"true": True, "false": False, "1": True, "0": False, "có": True, "không": False}


def parse_booleans(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Turn yes/no text into booleans in the schema's boolean columns; leave other text for
    the schema to reject with a clear message."""
    out = frame.copy()
    for column, spec in table_specs()[name].schema.columns.items():
        if column in out.columns and str(spec.dtype) in ("bool", "boolean"):
            out[column] = (
                out[column]
                .map(lambda v: _BOOL_WORDS.get(v.strip().lower(), v) if isinstance(v, str) else v)
                .astype(object)
            )
    return out


def validate_raw(raw_dir: Path) -> tuple[dict[str, pd.DataFrame], dict[str, object]]:
    """Read and validate every table under ``raw_dir``; raise with all problems if any."""
    info = read_dataset_info(raw_dir)
    tables: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    files: dict[str, str] = {}
    offsets: dict[str, int] = {}
    for name in TABLES:
        path = raw_dir / f"{name}.csv"
        files[name] = str(path)
        if not path.exists():
            problems.append(
                Problem(name, None, None, None, "table file is missing", file=str(path))
            )
            continue
        try:
            frame, offset = read_raw_table(path)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            problems.append(
                Problem(
                    name,
                    None,
                    None,
                    None,
                    f"not a readable UTF-8 CSV table ({reason})",
                    file=str(path),
                )
            )
            continue
        offsets[name] = offset
        valid, found = check_schema(
            name, parse_booleans(frame, name), file=str(path), row_offset=offset
        )
        problems += found
        if valid is not None:
            tables[name] = valid
    if not problems:
        problems += check_relations(
            tables, files=files, offsets=offsets, check_places=info.get("scale") != "national"
        )
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataValidationError(errors)
    return tables, info


def write_store(
    tables: dict[str, pd.DataFrame],
    info: dict[str, object],
    db_path: Path,
    finishers: Sequence[Callable[[duckdb.DuckDBPyConnection, Dataset], None]] = (),
) -> None:
    """Write validated tables to a new DuckDB file and swap it in atomically.

    ``finishers`` run on the new file before the swap: the layers above the data (indicator
    results, intake history) add their tables there, so the store is complete when it appears.
    """
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = db_path.with_name(db_path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        for name in TABLES:
            frame = tables[name]
            con.register("frame_view", frame)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame_view")
            con.unregister("frame_view")
        for name, file in REFERENCE_TABLES.items():
            if reference.reference_path(file).exists():
                ref = reference.read_csv(file)
                con.register("frame_view", ref)
                con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame_view")
                con.unregister("frame_view")
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        meta = {**{k: str(v) for k, v in info.items()}, "built_at": stamp}
        con.execute("CREATE TABLE dataset_info (key VARCHAR PRIMARY KEY, value VARCHAR)")
        con.executemany("INSERT INTO dataset_info VALUES (?, ?)", list(meta.items()))
        for finish in finishers:  # layers above add their tables (results, intake history)
            finish(con, Dataset(tables=tables, info=info))
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(tmp, db_path)


def query(sql: str, db_path: Path | None = None) -> pd.DataFrame:
    """Run one SQL statement on the store and return the result as a DataFrame."""
    with connect(db_path) as con:
        return con.execute(sql).df()


#: The settings of a sandboxed connection (``python -m analysis sql``): no file, network or
#: extension outside the store, and the settings locked so that a statement cannot undo them.
SANDBOX_CONFIG: dict[str, object] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}
#: Statement types a sandboxed query may run: reading only.
SANDBOX_STATEMENTS = ("SELECT", "EXPLAIN", "PRAGMA", "CALL")


class QueryRefused(UsageError):
    """A statement the SQL sandbox does not run (several statements, writing, files, settings)."""


def sandboxed_query(sql: str, db_path: Path | None = None) -> pd.DataFrame:
    """Run one read-only statement on the store in a sandbox and return its result.

    The store is opened read-only with external access (files, network), extension install and
    autoload disabled and the configuration locked; exactly one statement of the
    ``SANDBOX_STATEMENTS`` types is accepted. Anything else raises :class:`QueryRefused` with a
    message saying why; a malformed statement raises :class:`UsageError`.
    """
    path = db_path or config.db_path()
    if not sql.strip():
        raise UsageError("empty SQL statement: give one SELECT statement")
    if not path.exists():
        raise UsageError(
            f"no database at {path}: run `python -m analysis build` (or `make build`) first"
        )
    try:
        con = duckdb.connect(str(path), read_only=True, config=SANDBOX_CONFIG)
    except duckdb.Error as exc:
        raise StoreUnreadable(unreadable_message(path, exc)) from exc
    with con:
        try:
            statements = con.extract_statements(sql)
        except duckdb.Error as exc:
            raise UsageError(f"SQL error: {first_line(exc)}") from exc
        if not statements:
            raise UsageError("empty SQL statement: give one SELECT statement")
        if len(statements) > 1:
            raise QueryRefused(
                f"{len(statements)} statements given: `sql` runs one statement per call"
            )
        kind = str(statements[0].type).rsplit(".", 1)[-1]
        if kind not in SANDBOX_STATEMENTS:
            raise QueryRefused(
                f"{kind} statements are refused: `sql` only reads the store "
                f"({', '.join(SANDBOX_STATEMENTS)}); it does not write, copy, export, attach, "
                "install or load extensions, or change settings"
            )
        try:
            return con.execute(sql).df()
        except duckdb.PermissionException as exc:
            raise QueryRefused(
                f"refused: `sql` reads only the tables of the store, no other file, address "
                f"or extension ({first_line(exc)})"
            ) from exc
        except duckdb.Error as exc:
            raise UsageError(f"SQL error: {first_line(exc)}") from exc


def read_info(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """What the store knows about its data set (``dataset_info``: synthetic, scale, built_at)."""
    rows = con.execute("SELECT key, value FROM dataset_info").fetchall()
    info: dict[str, object] = dict(rows)
    info["synthetic"] = str(info.get("synthetic", "False")).lower() == "true"
    return info


def read_dataset(db_path: Path | None = None) -> Dataset:
    """Validated tables from an existing store (``analysis.load_dataset`` builds it if missing)."""
    path = db_path or config.db_path()
    specs = table_specs()
    with connect(path) as con:
        tables = {}
        for name in TABLES:
            frame = con.execute(f"SELECT * FROM {name}").df()
            tables[name] = specs[name].schema.validate(frame)
        info = read_info(con)
    return Dataset(tables=tables, info=info)
