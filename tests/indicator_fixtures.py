"""Tiny hand-written data sets for the indicator, progress, recognition and output tests.

Rows are written as short dictionaries; the builders fill every other column of the data model
with a neutral default and give each column the dtype that ``load_dataset`` returns, so the
engine sees what it sees in production (``test_fixture_matches_the_schemas`` checks this).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.data.store import Dataset

#: Places used by the fixtures: Cao Lộc (183) with xã Công Sơn, Tràng Định (180) with xã Quốc
#: Khánh and xã Tân Tiến.
CAO_LOC, TRANG_DINH = "183", "180"
CONG_SON, QUOC_KHANH, TAN_TIEN = "06220", "06004", "06019"

_VILLAGE_DEFAULTS: dict[str, Any] = {
    "name_vi": "Thôn thử",
    "craft_id": "RUOU",
    "district_code": CAO_LOC,
    "old_commune_code": "06202",
    "commune_code": CONG_SON,
    "recognition": "none",
    "recognition_decision": None,
    "recognition_date": None,
    "recognition_regime": None,
    "withdrawal_year": None,
    "withdrawal_decision": None,
    "tourism_since": None,
    "trademark": "none",
    "trademark_since": None,
    "restored_year": None,
    "lat": None,
    "lon": None,
}
_VY_DEFAULTS: dict[str, Any] = {
    "households_total": 100,
    "households_craft": 50,
    "workers_regular": 80,
    "workers_trained": 40,
    "facilities": 50,
    "facilities_compliant": 40,
    "env_plan": True,
    "env_group": True,
    "revenue_mvnd": 1000.0,
    "income_mvnd_month": 5.0,
    "ocop_products": 0,
    "ocop_max_stars": 0,
}
_CRAFT_DEFAULTS: dict[str, Any] = {
    "name_vi": "Nghề thử",
    "name_en": "Test craft",
    "rural_group": 1,
    "is_traditional": True,
    "since_year": 1950,
    "at_risk": False,
    "recognition_decision": None,
    "recognition_date": None,
}
_INT = (
    "households_total",
    "households_craft",
    "workers_regular",
    "workers_trained",
    "facilities",
    "facilities_compliant",
    "ocop_products",
    "ocop_max_stars",
)


def _frame(rows: list[dict[str, Any]], defaults: dict[str, Any], key: str) -> pd.DataFrame:
    columns = [key, *defaults]
    return pd.DataFrame([{**defaults, **row} for row in rows], columns=columns)


def villages_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Villages; give ``recognised`` (a year) instead of ``recognition_date`` for brevity."""
    rows = [
        {
            **{k: v for k, v in r.items() if k != "recognised"},
            **({"recognition_date": f"{r['recognised']}-06-01"} if r.get("recognised") else {}),
        }
        for r in rows
    ]
    frame = _frame(rows, _VILLAGE_DEFAULTS, "village_id")
    frame["recognition_date"] = pd.to_datetime(frame["recognition_date"])
    for column in ("withdrawal_year", "tourism_since", "trademark_since", "restored_year"):
        frame[column] = frame[column].astype("Int64")
    for column in ("lat", "lon"):
        frame[column] = frame[column].astype(float)
    text = [c for c in frame.columns if frame[c].dtype == object]
    frame[text] = frame[text].astype("string")
    return frame


def village_year_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Yearly figures; ``None`` in a field means the value is missing."""
    frame = _frame(rows, _VY_DEFAULTS, "village_id")
    frame.insert(1, "year", [int(r["year"]) for r in rows])
    for column in _INT:
        frame[column] = frame[column].astype("Int64")
    for column in ("env_plan", "env_group"):
        frame[column] = frame[column].astype("boolean")
    for column in ("revenue_mvnd", "income_mvnd_month"):
        frame[column] = frame[column].astype(float)
    frame["village_id"] = frame["village_id"].astype("string")
    return frame


def crafts_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Crafts; give ``recognised`` (a year) instead of ``recognition_date``."""
    rows = [
        {
            **{k: v for k, v in r.items() if k != "recognised"},
            **({"recognition_date": f"{r['recognised']}-03-01"} if r.get("recognised") else {}),
        }
        for r in rows
    ]
    frame = _frame(rows, _CRAFT_DEFAULTS, "craft_id")
    frame["recognition_date"] = pd.to_datetime(frame["recognition_date"])
    frame["since_year"] = frame["since_year"].astype("Int64")
    for column in ("is_traditional", "at_risk"):
        frame[column] = frame[column].astype(bool)
    for column in ("craft_id", "name_vi", "name_en", "recognition_decision"):
        frame[column] = frame[column].astype("string")
    return frame


def district_crafts_frame(rows: list[tuple[str, int, str]]) -> pd.DataFrame:
    """Commodity crafts as (district code, year, craft id) triples."""
    frame = pd.DataFrame(rows, columns=["district_code", "year", "craft_id"])
    frame["year"] = frame["year"].astype(int)
    frame["product_vi"] = pd.Series([None] * len(frame), dtype="string")
    return frame.astype({"district_code": "string", "craft_id": "string"})


def make_dataset(
    villages: list[dict[str, Any]],
    village_year: list[dict[str, Any]],
    crafts: list[dict[str, Any]] | None = None,
    district_crafts: list[tuple[str, int, str]] | None = None,
    info: dict[str, object] | None = None,
) -> Dataset:
    """A Dataset of hand-written rows (crafts default to one traditional craft per craft id)."""
    vframe = villages_frame(villages)
    if crafts is None:
        crafts = [{"craft_id": c} for c in sorted(set(vframe["craft_id"]))]
    tables = {
        "crafts": crafts_frame(crafts),
        "villages": vframe,
        "village_year": village_year_frame(village_year),
        "district_crafts": district_crafts_frame(district_crafts or []),
        "activities": pd.DataFrame(),
        "submissions": pd.DataFrame(),
    }
    return Dataset(tables=tables, info=info if info is not None else {"synthetic": True})
