"""Paths of the project, derived from the package location (never from the working folder)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT: Path = Path(__file__).resolve().parents[2]
DATA_DIR: Path = ROOT / "data"
REFERENCE_DIR: Path = DATA_DIR / "reference"
SAMPLE_DIR: Path = DATA_DIR / "sample"
PROCESSED_DIR: Path = DATA_DIR / "processed"
QUARANTINE_DIR: Path = DATA_DIR / "quarantine"
NOTEBOOKS_DIR: Path = ROOT / "notebooks"
OUTPUTS_DIR: Path = ROOT / "outputs"

#: Years the programme covers (Decision 801/QĐ-TTg, Plan 244/KH-UBND).
PROGRAMME_START: int = 2021
PROGRAMME_END: int = 2030
#: Reference year for "income against 2020" (Decision 801 context target).
BASELINE_YEAR: int = 2020


def db_path() -> Path:
    """Return the DuckDB store path; ``LANGSON_DB`` overrides it (tests, other data sets)."""
    override = os.environ.get("LANGSON_DB")
    return Path(override) if override else PROCESSED_DIR / "langson.duckdb"


def reference_dir() -> Path:
    """Return the folder of reference facts; ``LANGSON_REFERENCE`` overrides it (tests)."""
    override = os.environ.get("LANGSON_REFERENCE")
    return Path(override) if override else REFERENCE_DIR


def raw_dir() -> Path:
    """Return the folder of raw tables that ``build`` reads; ``LANGSON_RAW`` overrides it."""
    override = os.environ.get("LANGSON_RAW")
    return Path(override) if override else SAMPLE_DIR
