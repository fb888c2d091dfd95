"""The store's file: open it (read-only by default), say why it cannot be opened, and
fingerprint its content.

DuckDB only (no pandas, no schemas), so that the report batch can tell whether anything changed
since the last run without loading the data stack (a rerun with nothing to do stays quick).
The tables themselves are read and written by :mod:`analysis.data.store`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from analysis.core import config
from analysis.core.errors import UsageError


class StoreUnreadable(UsageError):
    """The store file exists but cannot be opened (corrupt, truncated, not a DuckDB file)."""


def connect(db_path: Path | None = None, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """A connection to the store (read-only by default, so readers never block each other).

    A missing store raises ``FileNotFoundError``; one that cannot be opened raises
    :class:`StoreUnreadable` with a message saying how to rebuild it.
    """
    path = db_path or config.db_path()
    if not path.exists():
        raise FileNotFoundError(
            f"no database at {path}: run `python -m analysis build` (or `make build`) first"
        )
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise StoreUnreadable(unreadable_message(path, exc)) from exc


def unreadable_message(path: Path, exc: BaseException) -> str:
    """What to tell someone whose store cannot be opened: why, and how to rebuild it."""
    return (
        f"the store {path} cannot be read ({first_line(exc)}). Rebuild it: "
        f"`python -m analysis build --db {path}` makes it again from the raw tables and loads "
        "again every submission listed in the ledger beside the archived files "
        "(data/received/ledger.csv)"
    )


def first_line(exc: BaseException) -> str:
    """The first line of an error's message (DuckDB adds the statement with a caret below)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def content_fingerprint(db_path: Path | None = None) -> str:
    """A hash of the stored data's content (not of the file's bytes, nor of when it was built).

    Used to skip reports whose data did not change; order-independent within each table.
    """
    digest = hashlib.sha256()
    with connect(db_path) as con:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables ORDER BY table_name"
            ).fetchall()
        ]
        for name in names:
            where = " WHERE key <> 'built_at'" if name == "dataset_info" else ""
            count, total = con.execute(
                f'SELECT count(*), coalesce(sum(hash(t)), 0) FROM "{name}" t{where}'
            ).fetchone()
            digest.update(f"{name}:{count}:{total};".encode())
    return digest.hexdigest()
