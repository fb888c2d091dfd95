"""Views (and result tables) in the DuckDB store for people who ask their questions in SQL.

``python -m analysis sql "SELECT ..."`` runs on the store; besides the validated tables
(``docs/data_dictionary.md``) and the reference tables (``ref_*``), the store holds:

- views that join names to codes: ``v_places``, ``v_villages``, ``v_village_year``,
  ``v_district_crafts``, ``v_submissions_status``;
- the results of the indicator engine, written at build time: ``indicator_values``,
  ``progress_status``, ``effectiveness_components``, ``recognition_screen``,
  ``recognition_candidates``, with the views ``v_indicators`` and ``v_progress``.

Every view and its columns are listed in ``docs/api.md`` (a test keeps the two in step).
``install(con, ds)`` does both steps on a writable connection; ``store.write_store`` calls it.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from analysis.core.config import PROGRAMME_START
from analysis.data import reference
from analysis.data.store import Dataset
from analysis.indicators.outputs import indicator_tables

#: Result tables written by :func:`write_results`: SQL name -> key of
#: ``analysis.indicators.outputs.indicator_tables``.
RESULT_TABLES: dict[str, str] = {
    "indicator_values": "indicators",
    "progress_status": "progress",
    "effectiveness_components": "effectiveness",
    "recognition_screen": "recognition_screen",
    "recognition_candidates": "recognition_candidates",
}


def _places_sql() -> str:
    prov = reference.province()
    name_vi = str(prov["name_vi"]).replace("'", "''")
    short = str(prov["short_name_vi"]).replace("'", "''")
    name_en = str(prov["name_en"]).replace("'", "''")
    return f"""
    SELECT '{prov["slug"]}' AS place_id, 'province' AS place_level, '{prov["code"]}' AS code,
           '{name_vi}' AS name_vi, '{short}' AS short_name_vi, '{name_en}' AS name_en
    UNION ALL
    SELECT slug, 'district', code, name_vi, short_name_vi, name_en FROM ref_districts
    UNION ALL
    SELECT slug, 'commune', code, name_vi, short_name_vi, name_en FROM ref_communes_2025
    """


_VILLAGES_SQL = """
    SELECT v.village_id, v.name_vi, v.craft_id, c.name_vi AS craft_name_vi,
           c.name_en AS craft_name_en, c.is_traditional AS craft_traditional,
           v.district_code, d.slug AS district_id, d.short_name_vi AS district_name_vi,
           v.old_commune_code, o.name_vi AS old_commune_name_vi,
           v.commune_code, n.slug AS commune_id, n.name_vi AS commune_name_vi,
           v.recognition, CAST(year(v.recognition_date) AS BIGINT) AS recognised_year,
           v.recognition_regime, v.tourism_since, v.trademark, v.trademark_since,
           v.restored_year, v.lat, v.lon
    FROM villages v
    LEFT JOIN crafts c ON c.craft_id = v.craft_id
    LEFT JOIN ref_districts d ON d.code = v.district_code
    LEFT JOIN ref_communes_pre2025 o ON o.code = v.old_commune_code
    LEFT JOIN ref_communes_2025 n ON n.code = v.commune_code
"""

_VILLAGE_YEAR_SQL = """
    SELECT vy.village_id, vy.year, v.name_vi, v.craft_id, v.craft_name_vi, v.district_code,
           v.district_id, v.district_name_vi, v.commune_code, v.commune_id, v.commune_name_vi,
           v.recognition,
           (v.recognition <> 'none' AND v.recognised_year <= vy.year) AS recognised,
           vy.households_total, vy.households_craft,
           vy.households_craft / NULLIF(vy.households_total, 0) AS household_share,
           vy.workers_regular, vy.workers_trained,
           vy.workers_trained / NULLIF(vy.workers_regular, 0) AS trained_share,
           vy.facilities, vy.facilities_compliant,
           vy.facilities_compliant / NULLIF(vy.facilities, 0) AS compliant_share,
           vy.env_plan, vy.env_group, vy.revenue_mvnd, vy.income_mvnd_month,
           vy.ocop_products, vy.ocop_max_stars
    FROM village_year vy
    LEFT JOIN v_villages v ON v.village_id = vy.village_id
"""

_DISTRICT_CRAFTS_SQL = """
    SELECT dc.district_code, d.slug AS district_id, d.short_name_vi AS district_name_vi,
           dc.year, dc.craft_id, c.name_vi AS craft_name_vi, c.name_en AS craft_name_en,
           dc.product_vi
    FROM district_crafts dc
    LEFT JOIN ref_districts d ON d.code = dc.district_code
    LEFT JOIN crafts c ON c.craft_id = dc.craft_id
"""


def _submissions_sql() -> str:
    """Expected units per year (as ``analysis.data.timeliness.reporting_units``), their submission,
    the deadline of ``reporting.yaml`` and on time / late / missing."""
    calendar = reference.read_yaml("reporting.yaml")
    month, day = int(calendar["deadline_month"]), int(calendar["deadline_day"])
    communes_from = int(calendar["commune_reporting_from_year"])
    return f"""
    WITH years AS (
        SELECT DISTINCT year FROM village_year WHERE year >= {PROGRAMME_START}
        UNION SELECT DISTINCT year FROM submissions
    ), expected AS (
        SELECT y.year, d.code AS unit_code, 'district' AS unit_level
        FROM years y CROSS JOIN ref_districts d WHERE y.year < {communes_from}
        UNION ALL
        SELECT y.year, c.commune_code, 'commune'
        FROM years y CROSS JOIN (SELECT DISTINCT commune_code FROM villages) c
        WHERE y.year >= {communes_from}
    ), dated AS (
        SELECT e.*, make_date(CAST(e.year AS BIGINT), {month}, {day}) AS deadline,
               s.received_on, s.file_name
        FROM expected e
        LEFT JOIN submissions s ON s.unit_code = e.unit_code AND s.year = e.year
    )
    SELECT d.year, d.unit_code, d.unit_level,
           coalesce(r.short_name_vi, n.name_vi) AS unit_name_vi, d.deadline, d.received_on,
           CASE WHEN d.received_on IS NOT NULL THEN greatest(
               date_diff('day', d.deadline, CAST(d.received_on AS DATE)), 0) END AS days_late,
           CASE WHEN d.received_on IS NULL THEN 'missing'
                WHEN CAST(d.received_on AS DATE) > d.deadline THEN 'late'
                ELSE 'on_time' END AS status,
           d.file_name
    FROM dated d
    LEFT JOIN ref_districts r ON d.unit_level = 'district' AND r.code = d.unit_code
    LEFT JOIN ref_communes_2025 n ON d.unit_level = 'commune' AND n.code = d.unit_code
    """


_INDICATORS_SQL = """
    SELECT iv.indicator_id, i.name_vi AS indicator_name_vi, i.name_en AS indicator_name_en,
           i.kind AS indicator_kind, iv.place_id, iv.place_level, iv.place_code,
           p.short_name_vi AS place_name_vi, iv.year, iv.value, iv.numerator, iv.denominator,
           iv.unit, iv.n_expected, iv.n_reported
    FROM indicator_values iv
    LEFT JOIN ref_indicators i ON i.id = iv.indicator_id
    LEFT JOIN v_places p ON p.place_id = iv.place_id
"""

_PROGRESS_SQL = """
    SELECT ps.year AS evaluation_year, ps.indicator_id, i.name_vi AS indicator_name_vi,
           i.name_en AS indicator_name_en, ps.place_id, ps.place_level,
           p.short_name_vi AS place_name_vi, ps.target_year, ps.operator, ps.target_value,
           ps.current_year, ps.current_value, ps.ratio, ps.projection, ps.required_per_year,
           ps.status, ps.symbol, ps.label_vi, ps.label_en, ps.note
    FROM progress_status ps
    LEFT JOIN ref_indicators i ON i.id = ps.indicator_id
    LEFT JOIN v_places p ON p.place_id = ps.place_id
"""


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    return {str(r[0]) for r in rows}


def create_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Create (or replace) the views on a writable connection; return their names.

    ``v_indicators`` and ``v_progress`` are made only when the result tables are there
    (:func:`write_results`).
    """
    views = {
        "v_places": _places_sql(),
        "v_villages": _VILLAGES_SQL,
        "v_village_year": _VILLAGE_YEAR_SQL,
        "v_district_crafts": _DISTRICT_CRAFTS_SQL,
        "v_submissions_status": _submissions_sql(),
    }
    present = _tables(con)
    if "indicator_values" in present:
        views["v_indicators"] = _INDICATORS_SQL
    if "progress_status" in present:
        views["v_progress"] = _PROGRESS_SQL
    for name, sql in views.items():
        con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")
    return list(views)


def write_results(con: duckdb.DuckDBPyConnection, ds: Dataset) -> list[str]:
    """Compute the indicator results of ``ds`` (``outputs.indicator_tables``) and write them
    as the tables of ``RESULT_TABLES``; return their names."""
    results = indicator_tables(ds)
    written = []
    for name, key in RESULT_TABLES.items():
        frame = results[key]
        if frame.empty and not len(frame.columns):
            continue
        con.register("result_frame", pd.DataFrame(frame))
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM result_frame")
        con.unregister("result_frame")
        written.append(name)
    return written


def install(con: duckdb.DuckDBPyConnection, ds: Dataset) -> list[str]:
    """Write the result tables, then create the views; return every name made."""
    return [*write_results(con, ds), *create_views(con)]
