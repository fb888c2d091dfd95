"""Tidy tables behind the report sections: a place's villages, yearly totals, data quality,
funding. Pure functions on the validated tables; formatting happens in
``analysis.reports.content``."""

from __future__ import annotations

import pandas as pd

from analysis.data import places as places_mod
from analysis.data import reference, timeliness
from analysis.data.schemas import village_year_values
from analysis.data.store import Dataset
from analysis.indicators.compute import effectiveness_components
from analysis.indicators.recognition import screen_villages


def villages_in(villages: pd.DataFrame, place_id: str) -> pd.DataFrame:
    """The villages of a place: all for the province, by former district or by 2025 commune."""
    row = places_mod.place(place_id)
    if row["level"] == "province":
        return villages.copy()
    column = "district_code" if row["level"] == "district" else "commune_code"
    return villages[villages[column] == row["code"]].copy()


def yearly_totals(ds: Dataset, place_id: str) -> pd.DataFrame:
    """Per year: households in the craft, regular workers, revenue (sum) and the
    worker-weighted average income of the place's villages."""
    ids = villages_in(ds.villages, place_id)["village_id"]
    vy = ds.village_year[ds.village_year["village_id"].isin(ids)].copy()
    vy["income_weight"] = vy["workers_regular"].where(vy["income_mvnd_month"].notna())
    vy["income_x_workers"] = vy["income_mvnd_month"] * vy["workers_regular"]
    grouped = vy.groupby("year").agg(
        households_craft=("households_craft", "sum"),
        workers_regular=("workers_regular", "sum"),
        revenue_mvnd=("revenue_mvnd", "sum"),
        income_x_workers=("income_x_workers", "sum"),
        income_weight=("income_weight", "sum"),
        villages=("village_id", "nunique"),
    )
    grouped["income_mvnd_month"] = grouped["income_x_workers"] / grouped["income_weight"]
    return grouped.drop(columns=["income_x_workers", "income_weight"]).reset_index()


def units_of_place(ds: Dataset, place_id: str, year: int) -> pd.DataFrame:
    """Reporting units expected for ``year`` whose figures belong to the place."""
    expected = timeliness.reporting_units(ds.villages, year)
    row = places_mod.place(place_id)
    if row["level"] == "district":
        expected = expected[expected["district_code"] == row["code"]]
    elif row["level"] == "commune":
        expected = expected[expected["unit_code"] == row["code"]]
    return expected.drop_duplicates("unit_code").reset_index(drop=True)


def submissions_of_place(ds: Dataset, place_id: str, year: int) -> pd.DataFrame:
    """On time / late / missing for each unit reporting for the place in ``year``."""
    status = timeliness.submission_status(ds.villages, ds.submissions, year)
    units = units_of_place(ds, place_id, year)["unit_code"]
    return (
        status[status["unit_code"].isin(units)].drop_duplicates("unit_code").reset_index(drop=True)
    )


def unit_names(lang: str = "vi") -> dict[str, str]:
    """Reporting-unit code -> name (districts, 2025 communes, departments)."""

    column = "name_vi" if lang == "vi" else "name_en"
    names: dict[str, str] = {}
    for table in (reference.districts(), reference.communes_2025(), reference.departments()):
        names.update(dict(zip(table["code"], table[column], strict=True)))
    return names


def missing_values(ds: Dataset, place_id: str, year: int) -> pd.DataFrame:
    """Per field of the yearly village table: how many of the place's villages lack a value."""
    ids = villages_in(ds.villages, place_id)["village_id"]
    vy = ds.village_year[
        (ds.village_year["year"] == year) & ds.village_year["village_id"].isin(ids)
    ]
    expected = len(ids)
    counts = vy[list(village_year_values())].isna().sum()
    table = counts.rename("missing").rename_axis("column").reset_index()
    table["absent_rows"] = expected - len(vy)
    table["expected"] = expected
    return table[(table["missing"] > 0) | (table["absent_rows"] > 0)].reset_index(drop=True)


def activities_of_place(ds: Dataset, place_id: str, year: int) -> pd.DataFrame:
    """The activities reported for ``year`` by the units whose figures belong to the place."""
    acts = ds.activities[ds.activities["year"] == year]
    row = places_mod.place(place_id)
    if row["level"] == "province":
        return acts.reset_index(drop=True)
    units = units_of_place(ds, place_id, year)["unit_code"]
    return acts[acts["unit_code"].isin(units)].reset_index(drop=True)


def funding_by_source(ds: Dataset, place_id: str, year: int) -> pd.DataFrame:
    """Planned and disbursed money (million VND) by funding source, and the disbursed share."""
    acts = activities_of_place(ds, place_id, year)
    table = acts.groupby("funding_source", as_index=False)[["planned_mvnd", "disbursed_mvnd"]].sum()
    table["disbursed_pct"] = 100 * table["disbursed_mvnd"] / table["planned_mvnd"]
    return in_code_order(table, "funding_source", "funding_source")


def in_code_order(table: pd.DataFrame, column: str, list_name: str) -> pd.DataFrame:
    """Rows in the order of the code list (``codes.yaml``: central, provincial, local budget,
    other), as every table of the reports lists them, not alphabetically by code; codes not in
    the list come last."""
    order = {code: i for i, code in enumerate(reference.code_list(list_name))}
    rank = table[column].map(order).fillna(len(order))
    return table.iloc[rank.argsort(kind="stable")].reset_index(drop=True)


def outputs_by_task(ds: Dataset, place_id: str, year: int) -> pd.DataFrame:
    """What was done per task group: money and outputs (trainees, trade fairs, trademarks)."""
    acts = activities_of_place(ds, place_id, year)
    table = acts.groupby("task_group", as_index=False)[
        ["planned_mvnd", "disbursed_mvnd", "trainees", "trade_fairs", "trademarks_registered"]
    ].sum()
    return in_code_order(table, "task_group", "task_group")


MAP_STATUSES = ("effective", "not_effective", "ready", "not_ready")


def village_status(ds: Dataset, year: int) -> pd.DataFrame:
    """Each village's standing in ``year``, for the map: a recognised village operating
    effectively or not (T5's definition), an unrecognised one (never recognised, or withdrawn
    by ``year``) ready for recognition or not (the Decree 52 screen). Columns ``village_id``,
    ``map_status``."""

    screen = screen_villages(ds, year)[["village_id", "ready"]]
    effective = effectiveness_components(ds, [year])[["village_id", "effective"]]
    columns = ["village_id", "recognition_date", "withdrawal_year"]
    table = ds.villages.reindex(columns=columns).merge(screen, on="village_id", how="left")
    table = table.merge(effective, on="village_id", how="left")
    # recognised in ``year``: recognised by then and not withdrawn by then
    withdrawn = table["withdrawal_year"].astype("Float64").le(year).fillna(False).astype(bool)
    recognised = table["recognition_date"].dt.year.le(year).fillna(False).astype(bool) & ~withdrawn
    ready = table["ready"].fillna(False).astype(bool)
    is_effective = table["effective"].fillna(False).astype(bool)
    table["map_status"] = "not_ready"
    table.loc[~recognised & ready, "map_status"] = "ready"
    table.loc[recognised & is_effective, "map_status"] = "effective"
    table.loc[recognised & ~is_effective, "map_status"] = "not_effective"
    return table[["village_id", "map_status"]]
