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
from analysis.data.schemas import village_year_values
from analysis.data.store import Dataset

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


def reporting_years(ds: Dataset) -> list[int]:
    """Reporting years in the data: every year from 2021 found in ``village_year`` or
    ``district_crafts`` (2020 is the baseline, not a reporting year)."""
    found = pd.concat([ds.village_year["year"], ds.district_crafts["year"]]).astype(int)
    return sorted(int(y) for y in found.unique() if y >= PROGRAMME_START)


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


# --------------------------------------------------------------------------------------------
# The village-year panel


def _year_of(series: pd.Series) -> pd.Series:
    """Year of a date column, or the column itself when it already holds years (float)."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.year.astype(float)
    return pd.to_numeric(series, errors="coerce").astype(float)


def _float(series: pd.Series) -> np.ndarray:
    """Numbers (nullable counts, booleans) as float64 with NaN for missing."""
    numbers = pd.to_numeric(series.astype(object), errors="coerce")
    return numbers.to_numpy(dtype=float, na_value=np.nan)


def _village_attributes(ds: Dataset) -> pd.DataFrame:
    """Per-village attributes used by the indicators, with plain dtypes."""
    v = ds.villages
    crafts = ds.crafts.set_index(ds.crafts["craft_id"].astype(str))
    craft = v["craft_id"].astype(str)
    return pd.DataFrame(
        {
            "village_id": v["village_id"].astype(str).to_numpy(),
            "district_code": v["district_code"].astype(str).to_numpy(),
            "commune_code": v["commune_code"].astype(str).to_numpy(),
            "recognition": v["recognition"].astype(str).to_numpy(),
            "recognition_regime": v["recognition_regime"].astype(object).to_numpy(),
            "recognised_year": _year_of(v["recognition_date"]).to_numpy(),
            "tourism_since": _float(v["tourism_since"]),
            "trademark": v["trademark"].astype(str).to_numpy(),
            "trademark_since": _float(v["trademark_since"]),
            "restored_year": _float(v["restored_year"]),
            "craft_id": craft.to_numpy(),
            "craft_since": _float(craft.map(crafts["since_year"]).astype(object)),
            "craft_traditional": craft.map(crafts["is_traditional"])
            .astype(object)
            .eq(True)
            .to_numpy(),
            "craft_recognised_year": _year_of(craft.map(crafts["recognition_date"])).to_numpy(),
        }
    )


def _village_year_values(ds: Dataset) -> pd.DataFrame:
    """``village_year`` with every measure as float64 (NaN for missing)."""
    vy = ds.village_year
    out = {
        "village_id": vy["village_id"].astype(str).to_numpy(),
        "year": vy["year"].astype(int).to_numpy(),
    }
    for column in village_year_values():
        out[column] = _float(vy[column])
    return pd.DataFrame(out)


def village_panel(ds: Dataset, years: Sequence[int]) -> pd.DataFrame:
    """One row per village and year: its attributes, the year's figures, the previous year's
    revenue and income (``revenue_prev``, ``income_prev``), the 2020 income (``income_base``)
    and ``reported`` (1 if the village sent figures for the year). ``year_in_data`` is False
    for a year without any figures in the whole data set."""
    attrs = _village_attributes(ds)
    year_array = np.asarray(sorted({int(y) for y in years}), dtype=int)
    n_years = len(year_array)
    panel = attrs.iloc[np.repeat(np.arange(len(attrs)), n_years)].reset_index(drop=True)
    panel["year"] = np.tile(year_array, len(attrs))
    values = _village_year_values(ds)
    measures = [c for c in values.columns if c not in ("village_id", "year")]
    current = values.assign(reported=1.0)
    previous = (
        values[["village_id", "year", "revenue_mvnd", "income_mvnd_month"]]
        .assign(year=values["year"] + 1)
        .rename(columns={"revenue_mvnd": "revenue_prev", "income_mvnd_month": "income_prev"})
    )
    baseline = values.loc[
        values["year"] == BASELINE_YEAR, ["village_id", "income_mvnd_month"]
    ].rename(columns={"income_mvnd_month": "income_base"})
    panel = (
        panel.merge(current, on=["village_id", "year"], how="left", validate="one_to_one")
        .merge(previous, on=["village_id", "year"], how="left", validate="one_to_one")
        .merge(baseline, on="village_id", how="left", validate="many_to_one")
    )
    panel["reported"] = panel["reported"].fillna(0.0)
    panel["year_in_data"] = np.isin(panel["year"].to_numpy(), values["year"].unique())
    panel[measures] = panel[measures].astype(float)
    return panel


def recognised(panel: pd.DataFrame) -> np.ndarray:
    """Recognised (any type, any regime) by the end of the panel year."""
    return (panel["recognition"].ne("none") & panel["recognised_year"].le(panel["year"])).to_numpy()


def _in_programme(since: pd.Series, year: pd.Series) -> np.ndarray:
    """The event year falls in the programme, from 2021 up to the panel year."""
    return (since.ge(PROGRAMME_START) & since.le(year)).to_numpy()


# --------------------------------------------------------------------------------------------
# Effectiveness (T5)


def household_threshold(panel: pd.DataFrame) -> np.ndarray:
    """Household-share threshold of each village: that of the regime it was recognised under,
    else that of the regime in force now (Decree 52/2018)."""
    rules = reference.read_yaml("decree52.yaml")
    shares = {str(r["id"]): float(r["min_household_share"]) for r in rules["regimes"]}
    current = [str(r["id"]) for r in rules["regimes"] if not r.get("valid_to")]
    default = shares[current[0]] if current else max(shares.values())
    regime = panel["recognition_regime"].astype(object).where(panel["recognition"].ne("none"))
    return regime.map(shares).astype(float).fillna(default).to_numpy()


def _all_of(flags: Sequence[np.ndarray]) -> np.ndarray:
    """Three-valued AND of float flags (1, 0, NaN): 0 if any is 0, NaN if any unknown, else 1."""
    stack = np.vstack(flags)
    out = np.where(np.isnan(stack).any(axis=0), np.nan, 1.0)
    return np.where((stack == 0).any(axis=0), 0.0, out)


def environment_ok(panel: pd.DataFrame) -> np.ndarray:
    """Environmental conditions of Decree 52 (columns listed in ``decree52.yaml``), as 1/0/NaN."""
    required = reference.read_yaml("decree52.yaml")["craft_village"]["environment_required"]
    return _all_of([panel[c].to_numpy(dtype=float) for c in required])


def _at_least(value: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """1 where value >= floor, 0 where below, NaN where either is missing."""
    out = (value >= floor).astype(float)
    out[np.isnan(value) | np.isnan(floor)] = np.nan
    return out


def _component_meets_criteria(panel: pd.DataFrame, _: dict) -> np.ndarray:
    share = panel["households_craft"].to_numpy() / panel["households_total"].to_numpy()
    share = np.where(panel["households_total"].to_numpy() > 0, share, np.nan)
    return _all_of([_at_least(share, household_threshold(panel)), environment_ok(panel)])


def _component_production_stable(panel: pd.DataFrame, spec: dict) -> np.ndarray:
    tolerance = float(spec.get("revenue_tolerance", 0.0))
    return _at_least(
        panel["revenue_mvnd"].to_numpy(), panel["revenue_prev"].to_numpy() * (1.0 - tolerance)
    )


def _component_income_not_falling(panel: pd.DataFrame, spec: dict) -> np.ndarray:
    tolerance = float(spec.get("income_tolerance", 0.0))
    return _at_least(
        panel["income_mvnd_month"].to_numpy(), panel["income_prev"].to_numpy() * (1.0 - tolerance)
    )


#: Components of effectiveness.yaml by id: each returns 1 (holds), 0 (fails) or NaN (unknown).
EFFECTIVENESS_COMPONENTS: dict[str, Callable[[pd.DataFrame, dict], np.ndarray]] = {
    "meets_criteria": _component_meets_criteria,
    "production_stable": _component_production_stable,
    "income_not_falling": _component_income_not_falling,
}


def _effectiveness_matrix(panel: pd.DataFrame) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Each component of ``effectiveness.yaml`` and the combined ``effective`` (1/0/NaN)."""
    definition = reference.read_yaml("effectiveness.yaml")
    components: dict[str, np.ndarray] = {}
    for spec in definition["components"]:
        if spec["id"] not in EFFECTIVENESS_COMPONENTS:
            raise KeyError(
                f"effectiveness.yaml: unknown component {spec['id']!r}; "
                f"known: {', '.join(EFFECTIVENESS_COMPONENTS)}"
            )
        components[spec["id"]] = EFFECTIVENESS_COMPONENTS[spec["id"]](panel, spec)
    stack = np.vstack(list(components.values()))
    rule = definition.get("rule", "all")
    needed = stack.shape[0] if rule == "all" else int(rule)
    true = (stack == 1).sum(axis=0)
    unknown = np.isnan(stack).sum(axis=0)
    effective = np.where(true >= needed, 1.0, np.where(true + unknown < needed, 0.0, np.nan))
    return components, effective


def effectiveness_components(ds: Dataset, years: Sequence[int] | None = None) -> pd.DataFrame:
    """Per recognised village and year: each component of "operating effectively" (T5).

    Returns ``village_id, year, household_share, min_household_share`` (fractions: 0.2 is
    20%), one nullable boolean column per component of ``effectiveness.yaml``, and
    ``effective``. A component is missing (<NA>) when its data are;
    ``effective`` follows the rule of the file (``all`` or at least k components), missing when
    the known components cannot decide it.
    """
    years = reporting_years(ds) if years is None else list(years)
    panel = village_panel(ds, years)
    components, effective = _effectiveness_matrix(panel)
    keep = recognised(panel)
    total = panel["households_total"]
    share = panel["households_craft"] / total.where(total > 0)
    out = pd.DataFrame(
        {
            "village_id": panel["village_id"],
            "year": panel["year"],
            "household_share": share,
            "min_household_share": household_threshold(panel),
        }
    )
    for name, values in {**components, "effective": effective}.items():
        out[name] = pd.array(np.where(np.isnan(values), None, values == 1), dtype="boolean")
    return out[keep].sort_values(["year", "village_id"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Village-level contributions of each indicator

Contribution = dict[str, np.ndarray]


def _count(flag: np.ndarray, panel: pd.DataFrame) -> Contribution:
    """A count from village attributes: known for every village of a year in the data."""
    known = panel["year_in_data"].to_numpy(dtype=float)
    return {"num": flag.astype(float) * known, "exp": np.ones(len(panel)), "rep": known}


def _t1(panel: pd.DataFrame) -> Contribution:
    return _count(_in_programme(panel["restored_year"], panel["year"]), panel)


def _t3(panel: pd.DataFrame) -> Contribution:
    # Villages only; traditional crafts (not tied to one place) are added at the top level.
    return _count(
        _in_programme(panel["recognised_year"], panel["year"])
        & panel["recognition"].ne("none").to_numpy(),
        panel,
    )


def _t4(panel: pd.DataFrame) -> Contribution:
    return _count(_in_programme(panel["tourism_since"], panel["year"]), panel)


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
    _, effective = _effectiveness_matrix(panel)
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
    "T4": _t4,
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
    recognised = np.sort(_year_of(ds.crafts["recognition_date"]).dropna().to_numpy())
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
    in_data = np.isin(np.tile(years, len(districts)), dc["year"].astype(int).unique())
    counts = np.where(in_data, counts, np.nan)
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
    reaching = (counts.reshape(len(districts), len(years)) >= needed).sum(axis=0).astype(float)
    known = np.isin(years, dc["year"].astype(int).unique())
    top = places[places["place_level"] == "province"].iloc[0]
    n_areas = float(len(districts))
    province_frame = pd.DataFrame(
        {
            "place_id": top["place_id"],
            "place_level": "province",
            "place_code": top["place_code"],
            "year": years,
            "value": np.where(known, reaching, np.nan),
            "numerator": np.where(known, reaching, np.nan),
            "denominator": n_areas,
            "n_expected": n_areas,
            "n_reported": np.where(known, n_areas, 0.0),
        }
    )
    return [province_frame, district_frame]


def _t2_thresholds(years: Sequence[int]) -> np.ndarray:
    """The T2 target in force for each year: that of the next target year (the last after)."""
    rows = reference.targets().query("indicator_id == 'T2'").sort_values("target_year")
    target_years = rows["target_year"].to_numpy()
    position = np.minimum(np.searchsorted(target_years, np.asarray(years)), len(rows) - 1)
    return rows["value"].to_numpy()[position]


def compute_indicators(ds: Dataset, years: Sequence[int] | None = None) -> pd.DataFrame:
    """Every indicator for every place and year, as one tidy table.

    Parameters
    ----------
    ds
        Validated tables (``analysis.load_dataset()``).
    years
        Years to compute; default every reporting year in the data (2021 to the last).

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
    parts = {ind: CONTRIBUTIONS[ind](panel) for ind in definitions.index if ind in CONTRIBUTIONS}
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
    return result.loc[:, list(INDICATOR_COLUMNS)].reset_index(drop=True)
