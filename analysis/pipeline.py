"""Building and opening the store: the steps of the data flow put together.

``build_store`` validates every raw table (all problems at once), writes a new database file with
the indicator results and the intake history tables, loads again the submissions the old store had
loaded, and only then swaps it in with an atomic rename: a failed build leaves the previous store
exactly as it was. ``load_dataset`` is the one call notebooks use to get validated tables.

This module sits above ``data``, ``indicators`` and ``intake`` because a build uses all three.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd

from analysis.core import config
from analysis.data.problems import Problem
from analysis.data.store import Dataset, read_dataset, validate_raw, write_store
from analysis.data.store_file import StoreUnreadable
from analysis.data.validation import DataValidationError
from analysis.indicators.sql_views import install
from analysis.intake import ledger as ledger_file
from analysis.intake.ingest import (
    ARCHIVE_DIR,
    create_intake_tables,
    received_history,
    replay_history,
)


def _add_intake_tables(con: duckdb.DuckDBPyConnection, ds: Dataset) -> None:
    create_intake_tables(con)  # empty history and narrative tables, filled by `ingest`


#: What a build adds to the validated tables: result tables and views for SQL users, then the
#: (empty) intake history.
FINISHERS = (install, _add_intake_tables)


def build_store(
    raw_dir: Path | None = None,
    db_path: Path | None = None,
    *,
    replay: bool = True,
    ledger: Path | None = None,
) -> Path:
    """Validate the raw tables and (re)build the DuckDB store; return its path.

    Submissions loaded into the store (``ingest``) are loaded again into the new one, from
    their archived copies and in their first order, before it replaces the old one: a rebuild
    loses nothing. The list of them is the ledger beside the archived files (``ledger``, default
    ``data/received/ledger.csv``), so a store that is lost or corrupt can be rebuilt; a store
    with no row in the ledger (made before the ledger existed) replays its own history. Any
    failure leaves the old store exactly as it was.
    """
    raw = raw_dir or config.raw_dir()
    target = db_path or config.db_path()
    tables, info = validate_raw(raw)
    history = replay_plan(target, ledger) if replay else None
    if history is None or history.empty:
        write_store(tables, info, target, FINISHERS)
        return target
    staged = target.with_name(target.name + ".rebuild")
    try:
        write_store(tables, info, staged, FINISHERS)
        results = replay_history(history, staged)
        rejected = [r for r in results if r.outcome not in ("loaded", "unchanged")]
        if rejected:
            raise DataValidationError(
                [
                    Problem(
                        "ingest_log",
                        None,
                        None,
                        r.file_name,
                        "a submission the store had loaded no longer passes the rules; "
                        "the store was left as it was",
                        file=str(r.path),
                    )
                    for r in rejected
                ]
            )
        os.replace(staged, target)
    finally:
        staged.unlink(missing_ok=True)
    return target


def replay_plan(db_path: Path, ledger: Path | None = None) -> pd.DataFrame:
    """The archived submissions a rebuild of ``db_path`` loads again (``archived_as``,
    ``received_on``), from the ledger, else from the store's own history."""
    path = ledger or ARCHIVE_DIR / ledger_file.LEDGER_NAME
    if len(ledger_file.entries_for(path, db_path)):
        return ledger_file.replayable(path, db_path)
    try:
        return received_history(db_path)
    except StoreUnreadable:
        return pd.DataFrame(columns=["archived_as", "received_on"])  # a corrupt store: nothing


def load_dataset(db_path: Path | None = None, *, build_if_missing: bool = True) -> Dataset:
    """Validated tables from the store; builds the store from the raw folder if it is missing."""
    path = db_path or config.db_path()
    if not path.exists() and build_if_missing:
        build_store(db_path=path)
    return read_dataset(path)
