"""Indicators of Plan 244 (T1-T6) and the context indicators of Decision 801 (C1-C7).

Every indicator is computed for every year and every place (the province, the plan's 11
district-level areas, the 2025 communes) into one tidy table. Villages are the unit: each
village-year contributes a numerator, a denominator and whether it was in scope and reported;
the contributions are summed to each place. Definitions (unit, aggregation, method) are read
from ``data/reference/indicators.csv``; the operational definition of "operating effectively"
from ``effectiveness.yaml``; recognition thresholds from ``decree52.yaml``.

Adding an indicator: a row in ``indicators.csv`` and a small function in ``CONTRIBUTIONS`` that
returns, for each row of the village-year panel, ``num`` (and ``den`` for a ratio), ``exp``
(1 where the village is in scope) and ``rep`` (1 where its data were there).

Places that ``analysis.data.places`` does not know (the synthetic national set) get their code as
``place_id``; for the national set the top level is the whole data set, ``place_id`` ``VN``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from analysis.core.config import BASELINE_YEAR, PROGRAMME_START
from analysis.data import reference
from analysis.data.places import commune_slug_by_code, district_slug_by_code
from analysis.data.rules import unlawful_craft_recognition, year_of
from analysis.data.store import Dataset
from analysis.indicators.effectiveness import (
    effectiveness_components,
    effectiveness_matrix,
    household_threshold,
)
from analysis.indicators.panel import recognised, reporting_years, village_panel

# The panel and T5 live in their own modules; they stay importable from here.
__all__ = [
    "INDICATOR_COLUMNS",
    "LEVEL_ORDER",
    "NATIONAL_PLACE",
    "READINGS",
    "compute_indicators",
    "default_readings",
    "effectiveness_components",
    "household_threshold",
    "indicator_places",
    "indicator_readings",
    "indicator_years",
    "recognised",
    "reporting_years",
    "village_panel",
]

#: Columns of the result of :func:`compute_indicators`, in order.
INDICATOR_COLUMNS: tuple[str, ...] = (
    "indicator_id",
    "place_id",
    "place_level",
    "place_code",
    "year",
    "value",
    "numerator",
    "denominator",
    "unit",
    "n_expected",
    "n_reported",
)
LEVEL_ORDER = {"province": 0, "district": 1, "commune": 2}
#: Top level of a data set that is not Lạng Sơn's (the synthetic national benchmark set).
NATIONAL_PLACE = "VN"
_UNIT_SCALE = {"percent": 100.0, "ratio": 1.0}


# --------------------------------------------------------------------------------------------
# Years and places


def indicator_years(ds: Dataset, up_to: int | None = None) -> list[int]:
    """The 2020 baseline (when the data have it) and the reporting years up to ``up_to``.

    Progress is judged from the baseline: the programme counts from the end of 2020.
    """
    years = [y for y in reporting_years(ds) if up_to is None or y <= up_to]
    has_baseline = bool((ds.village_year["year"] == BASELINE_YEAR).any())
    return ([BASELINE_YEAR] if has_baseline else []) + years


def _is_national(ds: Dataset) -> bool:
    return str(ds.info.get("scale", "province")) == "national"


def _slugs(codes: pd.Index, slugs: dict[str, str]) -> np.ndarray:
    """The slug of each code, or the code itself when the reference does not know it."""
    series = pd.Series(codes, dtype=object)
    mapped = series.map(slugs)
    return np.where(mapped.isna(), series, mapped.astype(object)).astype(object)


def indicator_places(ds: Dataset) -> pd.DataFrame:
    """Places the indicators are computed for: ``place_id, place_level, place_code``.

    Lạng Sơn's province, its 11 district-level areas and 65 communes (from the reference
    tables), plus any district or commune code of the data that the reference does not know
    (its ``place_id`` is the code). The national benchmark set has no reference places: its top
    level (``VN``) is the whole data set, its districts and communes those found in the data.
    """
    national = _is_national(ds)
    district_codes = pd.concat(
        [ds.villages["district_code"], ds.district_crafts["district_code"]]
    ).astype(str)
    commune_codes = ds.villages["commune_code"].astype(str)
    if national:
        top = {"place_id": NATIONAL_PLACE, "place_code": NATIONAL_PLACE}
        district_slugs: dict[str, str] = {}
        commune_slugs: dict[str, str] = {}
    else:
        prov = reference.province()
        top = {"place_id": str(prov["slug"]), "place_code": str(prov["code"])}
        district_slugs = district_slug_by_code()
        commune_slugs = commune_slug_by_code()
    districts = pd.Index(list(district_slugs)).append(pd.Index(district_codes.unique()))
    communes = pd.Index(list(commune_slugs)).append(pd.Index(commune_codes.unique()))
    districts, communes = districts.unique().sort_values(), communes.unique().sort_values()
    frames = [
        pd.DataFrame(
            {
                "place_id": [top["place_id"]],
                "place_level": ["province"],
                "place_code": [top["place_code"]],
            }
        ),
        pd.DataFrame(
            {
                "place_id": _slugs(districts, district_slugs),
                "place_level": "district",
                "place_code": districts,
            }
        ),
        pd.DataFrame(
            {
                "place_id": _slugs(communes, commune_slugs),
                "place_level": "commune",
                "place_code": communes,
            }
        ),
    ]
    return pd.concat(frames, ignore_index=True).astype(str)


def _in_programme(since: pd.Series, year: pd.Series) -> np.ndarray:
    """The event year falls in the programme, from 2021 up to the panel year."""
    return (since.ge(PROGRAMME_START) & since.le(year)).to_numpy()


# --------------------------------------------------------------------------------------------
# Village-level contributions of each indicator

Contribution = dict[str, np.ndarray]


def _count(flag: np.ndarray, panel: pd.DataFrame) -> Contribution:
    """A count from village attributes: known for every village of a year in the data."""
    known = panel["year_in_data"].to_numpy(dtype=float)
    return {"num": flag.astype(float) * known, "exp": np.ones(len(panel)), "rep": known}


def _t1(panel: pd.DataFrame) -> Contribution:
    # Only restorations of a craft recorded at risk of dying out (the rules reject others).
    restored = _in_programme(panel["restored_year"], panel["year"])
    return _count(restored & panel["restoration_allowed"].to_numpy(dtype=bool), panel)


def _t3(panel: pd.DataFrame) -> Contribution:
    # Villages only; traditional crafts (not tied to one place) are added at the top level.
    # Lawful recognitions from 2021, counted while they stand (not after a withdrawal).
    return _count(_in_programme(panel["recognised_year"], panel["year"]) & recognised(panel), panel)


def _t4_recognised(panel: pd.DataFrame) -> Contribution:
    # The plan's "làng nghề": a recognised craft village, linked with tourism from 2021.
    return _count(_in_programme(panel["tourism_since"], panel["year"]) & recognised(panel), panel)


def _t4_any_village(panel: pd.DataFrame) -> Contribution:
    # The broader reading (unverified): any village practising a craft.
    return _count(_in_programme(panel["tourism_since"], panel["year"]), panel)


#: The readings of an indicator that ``targets.csv`` documents (``reading_id``), by indicator.
READINGS: dict[str, dict[str, Callable[[pd.DataFrame], Contribution]]] = {
    "T4": {"recognised_villages": _t4_recognised, "any_village": _t4_any_village},
}


def _c1(panel: pd.DataFrame) -> Contribution:
    return _count(recognised(panel), panel)


def _ratio_parts(num: np.ndarray, den: np.ndarray, scope: np.ndarray) -> Contribution:
    """Numerator and denominator of villages in ``scope`` whose both figures are known."""
    scope = scope.astype(bool)
    known = scope & ~np.isnan(num) & ~np.isnan(den)
    return {
        "num": np.where(known, num, 0.0),
        "den": np.where(known, den, 0.0),
        "exp": scope.astype(float),
        "rep": known.astype(float),
    }


def _t5(panel: pd.DataFrame) -> Contribution:
    _, effective = effectiveness_matrix(panel)
    return _ratio_parts(effective, np.ones(len(panel)), recognised(panel))


def _t6(panel: pd.DataFrame) -> Contribution:
    return _ratio_parts(
        panel["facilities_compliant"].to_numpy(), panel["facilities"].to_numpy(), recognised(panel)
    )


def _c2(panel: pd.DataFrame) -> Contribution:
    workers = panel["workers_regular"].to_numpy()
    scope = recognised(panel)
    known = scope & ~np.isnan(workers)
    return {
        "num": np.where(known, workers, 0.0),
        "exp": scope.astype(float),
        "rep": known.astype(float),
    }


def _c3(panel: pd.DataFrame) -> Contribution:
    return _ratio_parts(
        panel["workers_trained"].to_numpy(),
        panel["workers_regular"].to_numpy(),
        np.ones(len(panel)),
    )


def _c4(panel: pd.DataFrame) -> Contribution:
    marked = (
        panel["trademark"].ne("none").to_numpy()
        & panel["trademark_since"].le(panel["year"]).to_numpy()
    )
    known = panel["year_in_data"].to_numpy(dtype=float)
    return {"num": marked * known, "den": known, "exp": np.ones(len(panel)), "rep": known}


def _c5(panel: pd.DataFrame) -> Contribution:
    traditional = recognised(panel) & panel["recognition"].eq("lang_nghe_truyen_thong").to_numpy()
    ocop = panel["ocop_products"].to_numpy()
    has_ocop = np.where(np.isnan(ocop), np.nan, (ocop > 0).astype(float))
    return _ratio_parts(has_ocop, np.ones(len(panel)), traditional)


def _c6(panel: pd.DataFrame) -> Contribution:
    now, before = panel["revenue_mvnd"].to_numpy(), panel["revenue_prev"].to_numpy()
    return _ratio_parts(now - before, before, np.ones(len(panel)))


def _c7(panel: pd.DataFrame) -> Contribution:
    # Both years' incomes weighted by the year's workers: a like-for-like comparison.
    workers = panel["workers_regular"].to_numpy()
    parts = _ratio_parts(
        panel["income_mvnd_month"].to_numpy() * workers,
        panel["income_base"].to_numpy() * workers,
        np.ones(len(panel)),
    )
    parts["wt"] = np.where(parts["rep"] > 0, workers, 0.0)
    return parts


#: Village-level contribution of each indicator computed from the village-year panel.
CONTRIBUTIONS: dict[str, Callable[[pd.DataFrame], Contribution]] = {
    "T1": _t1,
    "T3": _t3,
    "T4": _t4_recognised,
    "T5": _t5,
    "T6": _t6,
    "C1": _c1,
    "C2": _c2,
    "C3": _c3,
    "C4": _c4,
    "C5": _c5,
    "C6": _c6,
    "C7": _c7,
}


# --------------------------------------------------------------------------------------------
# Aggregation to places


def _aggregate(
    panel: pd.DataFrame, parts: dict[str, Contribution], places: pd.DataFrame, years: list[int]
) -> dict[str, pd.DataFrame]:
    """Sum every contribution to each place and year: one wide frame per level, rows in the
    order of ``places`` x ``years``."""
    wide = pd.DataFrame(
        {f"{ind}|{part}": values for ind, cols in parts.items() for part, values in cols.items()}
    )
    keys = {"district": panel["district_code"], "commune": panel["commune_code"]}
    out = {}
    for level in ("province", "district", "commune"):
        codes = places.loc[places["place_level"] == level, "place_code"].to_numpy()
        grid = pd.MultiIndex.from_product([codes, years], names=["place_code", "year"])
        if level == "province":
            summed = wide.groupby(panel["year"].to_numpy()).sum()
            summed.index = pd.MultiIndex.from_product([codes, summed.index])
        else:
            summed = wide.groupby([keys[level].to_numpy(), panel["year"].to_numpy()]).sum()
        out[level] = summed.reindex(grid, fill_value=0.0)
    return out


def _values(summed: pd.DataFrame, ind: str, aggregation: str, unit: str) -> dict[str, np.ndarray]:
    """Value, numerator and denominator of one indicator from its summed contributions."""
    num = summed[f"{ind}|num"].to_numpy()
    exp = summed[f"{ind}|exp"].to_numpy()
    rep = summed[f"{ind}|rep"].to_numpy()
    if aggregation == "ratio":
        den = summed[f"{ind}|den"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(den > 0, _UNIT_SCALE.get(unit, 1.0) * num / den, np.nan)
            if f"{ind}|wt" in summed:
                weight = summed[f"{ind}|wt"].to_numpy()
                num, den = num / weight, den / weight
        num = np.where(rep > 0, num, np.nan)
        den = np.where(rep > 0, den, np.nan)
    else:
        value = np.where((exp > 0) & (rep == 0), np.nan, num)
        num, den = value, np.full(len(value), np.nan)
    return {
        "value": value,
        "numerator": num,
        "denominator": den,
        "n_expected": exp,
        "n_reported": rep,
    }


def _add_crafts_to_t3(province: pd.DataFrame, ds: Dataset, years: list[int]) -> pd.DataFrame:
    """Add the traditional crafts recognised from 2021 up to each year to the top level's T3
    (a craft is recognised for the province, not for one district or commune)."""
    lawful = ds.crafts[~unlawful_craft_recognition(ds.crafts).to_numpy()]
    recognised = np.sort(year_of(lawful["recognition_date"]).dropna().to_numpy())
    recognised = recognised[recognised >= PROGRAMME_START]
    in_data = np.isin(years, ds.village_year["year"].astype(int).unique()).astype(float)
    crafts = np.searchsorted(recognised, np.asarray(years), side="right").astype(float)
    n_crafts = float(len(ds.crafts))
    return province.assign(
        **{
            "T3|num": province["T3|num"].to_numpy() + crafts * in_data,
            "T3|exp": province["T3|exp"].to_numpy() + n_crafts,
            "T3|rep": province["T3|rep"].to_numpy() + n_crafts * in_data,
        }
    )


def _t2_frames(ds: Dataset, places: pd.DataFrame, years: list[int]) -> list[pd.DataFrame]:
    """T2: distinct commodity crafts per district-level area; top level: areas reaching the
    target of the next target year (2 up to 2025, 3 after), out of all areas."""
    dc = ds.district_crafts
    districts = places[places["place_level"] == "district"]
    grid = pd.MultiIndex.from_product([districts["place_code"], years])
    counts = (
        dc.assign(district_code=dc["district_code"].astype(str), year=dc["year"].astype(int))
        .groupby(["district_code", "year"])["craft_id"]
        .nunique()
        .reindex(grid, fill_value=0)
        .to_numpy(dtype=float)
    )
    known = _t2_known(ds, districts["place_code"].to_numpy(), years)
    counts = np.where(known, counts, np.nan)
    district_frame = pd.DataFrame(
        {
            "place_id": np.repeat(districts["place_id"].to_numpy(), len(years)),
            "place_level": "district",
            "place_code": np.repeat(districts["place_code"].to_numpy(), len(years)),
            "year": np.tile(years, len(districts)),
            "value": counts,
            "numerator": counts,
            "denominator": np.nan,
            "n_expected": np.nan,
            "n_reported": np.nan,
        }
    )
    needed = _t2_thresholds(years)
    grid = counts.reshape(len(districts), len(years))
    with np.errstate(invalid="ignore"):
        reaching = (grid >= needed).sum(axis=0).astype(float)
    reported = (~np.isnan(grid)).sum(axis=0).astype(float)
    any_known = reported > 0
    top = places[places["place_level"] == "province"].iloc[0]
    n_areas = float(len(districts))
    province_frame = pd.DataFrame(
        {
            "place_id": top["place_id"],
            "place_level": "province",
            "place_code": top["place_code"],
            "year": years,
            "value": np.where(any_known, reaching, np.nan),
            "numerator": np.where(any_known, reaching, np.nan),
            # Areas without data are neither reaching nor missing the target: they are left
            # out of the denominator and show in n_expected - n_reported (data quality).
            "denominator": np.where(any_known, reported, np.nan),
            "n_expected": n_areas,
            "n_reported": reported,
        }
    )
    return [province_frame, district_frame]


def _t2_known(ds: Dataset, districts: np.ndarray, years: list[int]) -> np.ndarray:
    """Whether each area's commodity crafts are known in each year (areas x years, flat).

    Known when the area lists commodity crafts that year, or sent its report that year (the
    district, or from 2025 a commune with villages in the area): a report without crafts is a
    true zero. An area that sent nothing is unknown ("no data"), never 0. Without a
    ``submissions`` table, every area of a year with any commodity crafts is known.
    """
    dc = ds.district_crafts
    listed = set(zip(dc["district_code"].astype(str), dc["year"].astype(int), strict=True))
    area_years = list(
        zip(np.repeat(districts, len(years)), np.tile(years, len(districts)), strict=True)
    )
    subs = ds.tables.get("submissions")
    if subs is None or subs.empty or "unit_code" not in subs.columns:
        with_rows = set(dc["year"].astype(int).unique())
        return np.array([y in with_rows for _, y in area_years], dtype=bool)
    villages = ds.villages
    areas_of = (
        villages.assign(district_code=villages["district_code"].astype(str))
        .groupby(villages["commune_code"].astype(str))["district_code"]
        .unique()
    )
    sent: set[tuple[str, int]] = set()
    for unit, year in zip(subs["unit_code"].astype(str), subs["year"].astype(int), strict=True):
        sent.add((unit, year))
        if unit in areas_of.index:
            sent.update((str(d), year) for d in areas_of[unit])
    return np.array([(d, y) in listed or (d, y) in sent for d, y in area_years], dtype=bool)


def _t2_thresholds(years: Sequence[int]) -> np.ndarray:
    """The T2 target in force for each year: that of the next target year (the last after)."""
    rows = reference.targets().query("indicator_id == 'T2'").sort_values("target_year")
    target_years = rows["target_year"].to_numpy()
    position = np.minimum(np.searchsorted(target_years, np.asarray(years)), len(rows) - 1)
    return rows["value"].to_numpy()[position]


def default_readings() -> dict[str, str]:
    """The reading of each indicator that has several (``READINGS``): the ``reading_id`` of
    its default rows in ``targets.csv``."""
    rows = reference.targets()
    chosen = rows[rows["indicator_id"].isin(list(READINGS))]
    return dict(zip(chosen["indicator_id"], chosen["reading_id"].astype(str), strict=True))


def indicator_readings(readings: dict[str, str] | None = None) -> pd.DataFrame:
    """The reading used for each indicator with several, for the reports to print:
    ``indicator_id, reading_id, is_default, verified, reading, source`` (one row each)."""
    used = {**default_readings(), **(readings or {})}
    rows = reference.target_readings()
    rows = rows[rows["indicator_id"].map(used).eq(rows["reading_id"])]
    rows = rows.drop_duplicates(["indicator_id", "reading_id"], keep="last")
    columns = ["indicator_id", "reading_id", "is_default", "verified", "reading", "source"]
    return rows[columns].reset_index(drop=True)


def _contributions(readings: dict[str, str] | None) -> dict[str, Callable]:
    """``CONTRIBUTIONS`` with the chosen reading of each indicator that has several."""
    chosen = {**default_readings(), **(readings or {})}
    out = dict(CONTRIBUTIONS)
    for indicator, reading in chosen.items():
        options = READINGS.get(indicator, {})
        if reading not in options:
            raise ValueError(
                f"unknown reading {reading!r} of {indicator}; known: {', '.join(options)}"
            )
        out[indicator] = options[reading]
    return out


def compute_indicators(
    ds: Dataset, years: Sequence[int] | None = None, readings: dict[str, str] | None = None
) -> pd.DataFrame:
    """Every indicator for every place and year, as one tidy table.

    Parameters
    ----------
    ds
        Validated tables (``analysis.load_dataset()``).
    years
        Years to compute; default every reporting year in the data (2021 to the last).
    readings
        Reading of an indicator that ``targets.csv`` documents more than one of, e.g.
        ``{"T4": "any_village"}``; default the rows marked ``is_default`` (T4: recognised
        craft villages only). The readings used are in ``result.attrs["readings"]`` and
        :func:`indicator_readings`.

    Returns
    -------
    pandas.DataFrame
        ``indicator_id, place_id, place_level, place_code, year, value, numerator, denominator,
        unit, n_expected, n_reported``. Percent indicators are in percent (0-100). ``value`` is
        NaN where no village in scope reported (a ratio with no denominator, a sum with no
        figures); counts of villages or crafts are 0 where there are none. ``n_expected`` counts
        the villages in scope, ``n_reported`` those whose figures were used. T2 has no commune
        rows (commodity crafts are reported per former district-level area only).
    """
    years = reporting_years(ds) if years is None else sorted({int(y) for y in years})
    definitions = reference.indicators().set_index("id")
    places = indicator_places(ds)
    panel = village_panel(ds, years)
    contributions = _contributions(readings)
    parts = {ind: contributions[ind](panel) for ind in definitions.index if ind in contributions}
    summed = _aggregate(panel, parts, places, years)
    if "T3" in parts:
        summed["province"] = _add_crafts_to_t3(summed["province"], ds, years)
    frames: dict[tuple[str, str], pd.DataFrame] = {}
    for level, table in summed.items():
        level_places = places[places["place_level"] == level]
        base = pd.DataFrame(
            {
                "place_id": np.repeat(level_places["place_id"].to_numpy(), len(years)),
                "place_level": level,
                "place_code": np.repeat(level_places["place_code"].to_numpy(), len(years)),
                "year": np.tile(np.asarray(years, dtype=int), len(level_places)),
            }
        )
        for ind in parts:
            row = definitions.loc[ind]
            values = _values(table, ind, str(row["aggregation"]), str(row["unit"]))
            frames[(ind, level)] = base.assign(indicator_id=ind, **values)
    if "T2" in definitions.index:
        province_t2, district_t2 = _t2_frames(ds, places, years)
        frames[("T2", "province")] = province_t2.assign(indicator_id="T2")
        frames[("T2", "district")] = district_t2.assign(indicator_id="T2")
    ordered = [
        frames[(ind, level)]
        for ind in definitions.index
        for level in LEVEL_ORDER
        if (ind, level) in frames
    ]
    result = pd.concat(ordered, ignore_index=True)
    result["unit"] = result["indicator_id"].map(definitions["unit"])
    # A year without any village figures is unknown for every village-based indicator.
    absent = (
        ~result["year"].isin(ds.village_year["year"].unique()).to_numpy()
        & result["indicator_id"].ne("T2").to_numpy()
    )
    result.loc[absent, ["value", "numerator", "denominator"]] = np.nan
    for column in ("n_expected", "n_reported"):
        result[column] = result[column].round().astype("Int64")
    result = result.loc[:, list(INDICATOR_COLUMNS)].reset_index(drop=True)
    result.attrs["readings"] = {**default_readings(), **(readings or {})}
    return result
