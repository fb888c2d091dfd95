"""The tables the intake adds to the store (history, narratives, craft sources), the store read
as the intake needs it, and table checksums (to prove a rejected file changed nothing)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pandas as pd

from analysis.data.schemas import TABLES
from analysis.intake.workbook import table_specs

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
