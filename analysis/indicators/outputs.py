"""Indicator results written as CSV under ``outputs/indicators/`` for anyone to check.

``python -m analysis build`` calls :func:`write_indicator_csvs` after building the store. Each
file opens with a comment line saying the data are synthetic when they are. Text fields are
quoted (colours such as ``"#1a7f37"`` start with ``#``), so ``pandas.read_csv(path,
comment="#")`` reads them back whole; :func:`read_indicator_csv` does the same.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from analysis.core import config
from analysis.core.text import defuse_frame
from analysis.data.store import Dataset, read_dataset
from analysis.indicators.compute import (
    compute_indicators,
    effectiveness_components,
    indicator_readings,
    indicator_years,
    reporting_years,
)
from analysis.indicators.progress import assess_progress
from analysis.indicators.recognition import recognition_candidates, screen_villages

SYNTHETIC_COMMENT = "# DỮ LIỆU GIẢ LẬP - SYNTHETIC DATA: indicators computed from synthetic data, "
SYNTHETIC_COMMENT += "not real statistics"


def indicator_tables(ds: Dataset) -> dict[str, pd.DataFrame]:
    """Every result table for the data set: indicators for every reporting year, progress
    statuses judged in each reporting year, effectiveness components, the recognition screen,
    the recognition candidates of each year, and the readings used (``readings``: which of the
    documented readings of ``targets.csv`` each indicator with several was counted by)."""
    years = reporting_years(ds)
    indicators = compute_indicators(ds, indicator_years(ds))
    empty = pd.DataFrame()
    progress = (
        pd.concat([assess_progress(indicators, y) for y in years], ignore_index=True)
        if years
        else empty
    )
    screen = (
        pd.concat([screen_villages(ds, y) for y in years], ignore_index=True) if years else empty
    )
    candidates = (
        pd.concat([recognition_candidates(ds, y) for y in years], ignore_index=True)
        if years
        else empty
    )
    return {
        "indicators": indicators,
        "progress": progress,
        "effectiveness": effectiveness_components(ds, years),
        "recognition_screen": screen,
        "recognition_candidates": candidates,
        "readings": indicator_readings(indicators.attrs.get("readings")),
    }


def write_csv(frame: pd.DataFrame, path: Path, synthetic: bool) -> Path:
    """Write one table as UTF-8 CSV, with the synthetic-data comment line first if needed;
    text that a spreadsheet would run as a formula is made inert (``core.text.defuse_frame``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        if synthetic:
            handle.write(SYNTHETIC_COMMENT + "\n")
        defuse_frame(frame).to_csv(
            handle, index=False, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC
        )
    return path


def read_indicator_csv(path: Path) -> pd.DataFrame:
    """Read back a CSV written by :func:`write_csv` (comment line skipped, codes kept as text)."""
    return pd.read_csv(path, comment="#", dtype={"place_code": str})


def write_indicator_csvs(db_path: Path | None = None, out_dir: Path | None = None) -> list[Path]:
    """Compute the results from the store and write them to ``out_dir`` (default
    ``outputs/indicators``): ``indicators.csv``, ``progress.csv``, ``effectiveness.csv``,
    ``recognition_screen.csv``, ``recognition_candidates.csv`` and ``readings.csv``. Returns the
    paths written."""
    ds = read_dataset(db_path)
    folder = out_dir or config.OUTPUTS_DIR / "indicators"
    return [
        write_csv(frame, folder / f"{name}.csv", ds.synthetic)
        for name, frame in indicator_tables(ds).items()
    ]
