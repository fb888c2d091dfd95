"""What one report is about, computed once: :class:`ReportContext` and ``prepare(...)``.

The section builders (``analysis.reports.sections``) read the numbers from here; the indicators
come from ``analysis.indicators.compute``/``progress``. Nothing here computes an indicator or
writes HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core import config
from analysis.data import places as places_mod
from analysis.data import reference
from analysis.data.narrative import read_narrative_file, read_store_narratives
from analysis.data.store import Dataset
from analysis.indicators.compute import compute_indicators, indicator_years
from analysis.indicators.progress import assess_progress
from analysis.pipeline import load_dataset
from analysis.reports import tables

TARGET_IDS = ("T1", "T2", "T3", "T4", "T5", "T6")
TARGET_YEARS = (2025, 2030)
KINDS = ("district", "province", "review", "commune")


@dataclass(frozen=True)
class ReportContext:
    """Everything one report needs, computed once."""

    kind: str
    year: int
    place_id: str
    lang: str
    ds: Dataset
    indicators: pd.DataFrame
    progress: pd.DataFrame
    narratives: pd.DataFrame
    db_path: Path | None = None

    @property
    def place(self) -> pd.Series:
        return places_mod.place(self.place_id)

    @property
    def place_name(self) -> str:
        return places_mod.place_name(self.place_id, self.lang)


def _years_in(ds: Dataset) -> list[int]:
    return sorted(int(y) for y in ds.village_year["year"].unique() if y > config.BASELINE_YEAR)


def prepare(
    kind: str, year: int, place: str, lang: str = "vi", db_path: str | Path = ""
) -> ReportContext:
    """Check the parameters and compute what the report shows.

    Raises ``ValueError`` naming the valid choices when a parameter is wrong, before any work.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown report kind {kind!r}; valid: {', '.join(KINDS)}")
    if lang not in ("vi", "en"):
        raise ValueError(f"unknown language {lang!r}; valid: vi, en")
    table = places_mod.places()
    level = kind if kind in ("district", "commune") else "province"
    valid = list(table.loc[table["level"] == level, "place_id"])
    if place not in valid:
        raise ValueError(f"unknown place {place!r} for a {kind} report; valid: {', '.join(valid)}")
    path = Path(db_path) if db_path else config.db_path()
    ds, indicators, progress, stored = _computed(path, year)
    narratives = _narratives(ds, kind, place, year, stored)
    return ReportContext(kind, year, place, lang, ds, indicators, progress, narratives, path)


def _narratives(
    ds: Dataset, kind: str, place: str, year: int, stored: pd.DataFrame
) -> pd.DataFrame:
    """What people wrote for this report: its narrative file (read afresh each time, never
    written; the review's own file, ``review-<place>.md``, when there is one), then the
    narrative sheets of its units' workbooks (the district itself before the reform, its
    communes after it, every unit for the province)."""

    row = places_mod.place(place)
    if row["level"] != "province":
        units = set(tables.units_of_place(ds, place, year)["unit_code"])
        units.add(row["code"])
        stored = stored[stored["unit_code"].isin(units)]
    own = read_narrative_file(year, place, kind=kind).frame
    frames = [f for f in (own, stored) if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else own


def _computed(path: Path, year: int) -> tuple[Dataset, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Dataset, indicators (from the 2020 baseline to ``year``), statuses and narratives.

    Kept for the next report in the same kernel (the batch runs many notebooks in one warm
    kernel); the key holds the store's size and modification time, so a changed store is
    read again.
    """
    stat = path.stat() if path.exists() else None
    key = (str(path), stat.st_mtime_ns if stat else 0, stat.st_size if stat else 0, year)
    if key in _CACHE:
        return _CACHE[key]

    ds = load_dataset(path)
    years = _years_in(ds)
    if year not in years:
        raise ValueError(f"no data for year {year}; valid years: {', '.join(map(str, years))}")
    indicators = compute_indicators(ds, indicator_years(ds, up_to=year))

    stored = read_store_narratives(path, year).frame
    result = (ds, indicators, assess_progress(indicators, year), stored)
    _CACHE.clear()
    _CACHE[key] = result
    return result


_CACHE: dict[tuple, tuple[Dataset, pd.DataFrame, pd.DataFrame, pd.DataFrame]] = {}


# ------------------------------------------------------------------------------ small helpers


def indicator_names(lang: str) -> dict[str, str]:
    """Indicator id -> its name in ``lang``."""
    ind = reference.indicators()
    return dict(zip(ind["id"], ind[f"name_{lang}"], strict=True))


def progress_row(
    ctx: ReportContext, indicator_id: str, place_id: str, target_year: int
) -> pd.Series | None:
    p = ctx.progress
    hit = p[
        (p["indicator_id"] == indicator_id)
        & (p["place_id"] == place_id)
        & (p["target_year"] == target_year)
    ]
    return hit.iloc[0] if len(hit) else None


def indicator_value(ctx: ReportContext, indicator_id: str, place_id: str, year: int) -> object:
    ind = ctx.indicators
    hit = ind[
        (ind["indicator_id"] == indicator_id)
        & (ind["place_id"] == place_id)
        & (ind["year"] == year)
    ]
    return hit["value"].iloc[0] if len(hit) else None


def narrative_texts(ctx: ReportContext, section: str) -> pd.DataFrame:
    """The paragraphs people wrote for a section of this report (``analysis.data.narrative``
    columns: section, paragraph, text, origin, unit_code, where), file first."""
    n = ctx.narratives
    return n[n["section"] == section].reset_index(drop=True)
