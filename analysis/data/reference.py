"""Reference facts read from ``data/reference/`` (targets, definitions, places, code lists).

Every table there carries a ``source`` column or field; facts marked ``verified: false`` are the
project's best knowledge and can be corrected in the file without touching code.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from analysis.core.config import REFERENCE_DIR

#: Columns read as text so that codes keep their leading zeros.
_CODE_COLUMNS = (
    "code",
    "district_code",
    "old_code",
    "new_code",
    "indicator_id",
    "id",
    "province_code",
)


def reference_path(name: str, folder: Path | None = None) -> Path:
    """Path of a reference file by name (``targets.csv``, ``decree52.yaml``...)."""
    return (folder or REFERENCE_DIR) / name


@lru_cache(maxsize=64)
def _read_csv_cached(path: str) -> pd.DataFrame:
    head = pd.read_csv(path, nrows=0).columns
    dtypes = {c: str for c in head if c in _CODE_COLUMNS}
    frame = pd.read_csv(path, dtype=dtypes, keep_default_na=True)
    for column in ("verified", "is_default"):
        if column in frame.columns:
            frame[column] = frame[column].astype(str).str.lower().eq("true")
    return frame


def read_csv(name: str, folder: Path | None = None) -> pd.DataFrame:
    """Read a reference CSV (a fresh copy each call, so callers may modify it)."""
    return _read_csv_cached(str(reference_path(name, folder))).copy()


@lru_cache(maxsize=64)
def _read_yaml_cached(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def read_yaml(name: str, folder: Path | None = None) -> dict[str, Any]:
    """Read a reference YAML file as a dictionary."""
    import copy

    return copy.deepcopy(_read_yaml_cached(str(reference_path(name, folder))))


def code_list(list_name: str) -> dict[str, dict[str, str]]:
    """Allowed codes of one list in ``codes.yaml`` with their Vietnamese and English labels."""
    codes = read_yaml("codes.yaml")
    if list_name not in codes:
        raise KeyError(f"codes.yaml has no list {list_name!r}")
    return {str(k): v for k, v in codes[list_name].items()}


def targets() -> pd.DataFrame:
    """Plan 244 targets, one row per indicator and target year."""
    frame = read_csv("targets.csv")
    frame["target_year"] = frame["target_year"].astype(int)
    frame["value"] = frame["value"].astype(float)
    return frame


def indicators() -> pd.DataFrame:
    """Indicator definitions: id, names, unit, direction, aggregation, progress method."""
    return read_csv("indicators.csv")


def status_bands() -> pd.DataFrame:
    """Progress statuses with labels in Vietnamese and English, colours and symbols."""
    return read_csv("status_bands.csv").sort_values("order").reset_index(drop=True)


def province() -> pd.Series:
    """The province row (code, slug, names)."""
    return read_csv("province.csv").iloc[0]


def districts() -> pd.DataFrame:
    """The 11 district-level units of the plan (before 1 Jul 2025), GSO codes and slugs."""
    return read_csv("districts.csv")


def communes_pre2025() -> pd.DataFrame:
    """Commune-level units before the 2025 reform."""
    return read_csv("communes_pre2025.csv")


def communes_2025() -> pd.DataFrame:
    """The 65 commune-level units from 1 Jul 2025."""
    return read_csv("communes_2025.csv")


def commune_map() -> pd.DataFrame:
    """Links from each former commune to the 2025 commune(s) it went into."""
    return read_csv("commune_map.csv")


def departments() -> pd.DataFrame:
    """Provincial departments that also report."""
    return read_csv("departments.csv")


def national_targets() -> pd.DataFrame:
    """Decision 801's national targets (context for the province's own figures)."""
    return read_csv("national_targets.csv")


def national_context_targets() -> pd.DataFrame:
    """Decision 801's targets for the context indicators that have one, shaped like
    ``targets()`` (``indicator_id, target_year, scope, operator, value``), so that
    ``assess_progress`` can judge the province against the national benchmarks."""
    national = national_targets()
    national = national[national["indicator_id"].notna() & (national["indicator_id"] != "")]
    long = national.melt(
        id_vars=["indicator_id", "operator", "unit", "verified", "source"],
        value_vars=["value_2025", "value_2030"],
        var_name="target_year",
        value_name="value",
    ).dropna(subset=["value"])
    long["target_year"] = long["target_year"].str[-4:].astype(int)
    long["value"] = long["value"].astype(float)
    long["scope"] = "province"
    columns = [
        "indicator_id",
        "target_year",
        "scope",
        "operator",
        "value",
        "unit",
        "verified",
        "source",
    ]
    return long[columns].sort_values(["indicator_id", "target_year"]).reset_index(drop=True)
