"""The content of the mid-term (2025, sơ kết) and final (2030, tổng kết) reviews: the whole
period from 2021, not one year.

Pure functions on the validated tables and on :func:`analysis.indicators.progress.assess_progress`:

- :func:`target_series`: each target's value year by year since 2021, with its targets;
- :func:`funding_period`: money planned and disbursed by source and year, with the totals of each
  year and of the period and the disbursed share;
- :func:`activities_by_body` and :func:`tasks_period`: what was done, by which body;
- :func:`required_pace`: what each target still needs from the review year to 2030, a year, next
  to the pace kept so far;

The sentences drafted from these numbers (strengths, shortcomings, causes, directions) are in
:mod:`analysis.reports.review_text`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.formatting import (
    is_missing,
)
from analysis.data import reference

#: Money and output columns of ``activities`` summed in every table here.
MONEY = ("planned_mvnd", "disbursed_mvnd")
OUTPUTS = ("trainees", "trade_fairs", "trademarks_registered")
#: Reporting levels in the order a table lists the bodies.
LEVELS = ("department", "district", "commune")
#: Statuses read as good news; every other status of a target is a shortcoming.
GOOD = ("achieved", "on_track")
TOTAL = "total"


def review_rules() -> dict:
    """``review.yaml``: the task groups serving each target and the slow-disbursement share."""
    return reference.read_yaml("review.yaml")


def period_start() -> int:
    """First year of the programme: the year after the base year (2020), so 2021."""
    return int(reference.read_yaml("progress_thresholds.yaml")["base_year"]) + 1


def target_ids() -> list[str]:
    """The plan's targets (T1-T6), in order (``indicators.csv``, kind ``target``)."""
    ind = reference.indicators()
    return list(ind.loc[ind["kind"] == "target", "id"])


def disbursed_share(planned: pd.Series, disbursed: pd.Series) -> pd.Series:
    """Disbursed as a percentage of planned; missing where nothing was planned."""
    planned = pd.to_numeric(planned, errors="coerce").astype(float)
    disbursed = pd.to_numeric(disbursed, errors="coerce").astype(float)
    return (100 * disbursed / planned.where(planned > 0)).astype(float)


# ------------------------------------------------------------------------------ targets by year


def target_series(
    indicators: pd.DataFrame,
    targets: pd.DataFrame,
    place_id: str,
    first_year: int,
    last_year: int,
    ids: list[str] | None = None,
) -> pd.DataFrame:
    """Each target's value for one place in every year of the period, one row per indicator.

    Columns: ``indicator_id, unit, y<first>..y<last>`` (missing where the year has no value)
    and ``target_<year>`` for each target year (the value of ``targets``; for a target set per
    area, T2, the value each area must reach). ``indicators`` is the table of
    ``compute_indicators``; ``targets`` that of ``reference.targets()``.
    """
    ids = ids or target_ids()
    years = list(range(int(first_year), int(last_year) + 1))
    ind = indicators[
        (indicators["place_id"] == place_id)
        & indicators["indicator_id"].isin(ids)
        & indicators["year"].isin(years)
    ]
    wide = ind.pivot_table(index="indicator_id", columns="year", values="value", aggfunc="first")
    wide = wide.reindex(index=ids, columns=years)
    wide.columns = [f"y{y}" for y in years]
    units = reference.indicators().set_index("id")["unit"]
    out = wide.rename_axis("indicator_id").reset_index()
    out.insert(1, "unit", out["indicator_id"].map(units))
    tg = targets[targets["indicator_id"].isin(ids)]
    for ty in sorted(int(y) for y in tg["target_year"].unique()):
        values = tg[tg["target_year"] == ty].drop_duplicates("indicator_id")
        out[f"target_{ty}"] = out["indicator_id"].map(
            values.set_index("indicator_id")["value"].astype(float)
        )
    return out


# ------------------------------------------------------------------------------------- funding


def _source_order(codes: set[str]) -> list[str]:
    known = list(reference.code_list("funding_source"))
    return [c for c in known if c in codes] + sorted(codes - set(known))


def funding_period(activities: pd.DataFrame, first_year: int, last_year: int) -> pd.DataFrame:
    """Money planned and disbursed (million VND) by year and funding source over the period, with
    the total of each year (``funding_source`` = ``"total"``) and of the period (``year`` missing),
    and the disbursed share (percent of planned).

    Every source used in the period gets a row in every year that has activities (0 when it
    had none that year); a year without any activity gets only its total row, with missing money
    (nothing was reported, which is not the same as nothing spent). Rows: year by year, sources in
    ``codes.yaml`` order then the year's total; then the period by source and the grand total.
    """
    years = list(range(int(first_year), int(last_year) + 1))
    acts = activities[activities["year"].isin(years)]
    sources = _source_order(set(acts["funding_source"]))
    sums = acts.groupby(["year", "funding_source"])[list(MONEY)].sum(min_count=1)
    rows: list[dict[str, object]] = []
    for year in years:
        if year not in set(acts["year"]):
            empty = {"planned_mvnd": np.nan, "disbursed_mvnd": np.nan}
            rows.append({"year": year, "funding_source": TOTAL, **empty})
            continue
        part = []
        for source in sources:
            hit = sums.loc[(year, source)] if (year, source) in sums.index else None
            row = {
                "year": year,
                "funding_source": source,
                "planned_mvnd": 0.0 if hit is None else hit["planned_mvnd"],
                "disbursed_mvnd": 0.0 if hit is None else hit["disbursed_mvnd"],
            }
            part.append(row)
        rows += part
        rows.append(_total_row(part, year))
    by_source = acts.groupby("funding_source")[list(MONEY)].sum(min_count=1)
    period = [
        {"year": pd.NA, "funding_source": s, **by_source.loc[s, list(MONEY)].to_dict()}
        for s in sources
    ]
    rows += period
    rows.append(_total_row(period, pd.NA))
    out = pd.DataFrame(rows, columns=["year", "funding_source", *MONEY])
    out["year"] = out["year"].astype("Int64")
    for column in MONEY:
        out[column] = out[column].astype(float)
    out["disbursed_pct"] = disbursed_share(out["planned_mvnd"], out["disbursed_mvnd"])
    return out


def _total_row(rows: list[dict[str, object]], year: object) -> dict[str, object]:
    frame = pd.DataFrame(rows, columns=["year", "funding_source", *MONEY])
    return {
        "year": year,
        "funding_source": TOTAL,
        **{c: frame[c].astype(float).sum(min_count=1) for c in MONEY},
    }


def funding_matrix(period: pd.DataFrame, column: str = "disbursed_mvnd") -> pd.DataFrame:
    """One money column of :func:`funding_period` as a grid: a row per source (then the total),
    a column ``y<year>`` per year and ``period`` for the whole period."""
    frame = period.assign(
        col=period["year"].map(lambda y: "period" if is_missing(y) else f"y{int(y)}")
    )
    grid = frame.pivot_table(
        index="funding_source", columns="col", values=column, aggfunc="first", dropna=False
    )
    order = list(dict.fromkeys(frame["funding_source"]))
    columns = list(dict.fromkeys(frame["col"]))
    return grid.reindex(index=order, columns=columns).rename_axis(columns=None).reset_index()


# --------------------------------------------------------------------------- tasks and bodies


def unit_directory(lang: str = "vi") -> pd.DataFrame:
    """Every reporting body with its name and level: the provincial departments, the district
    units (until 30 Jun 2025) and the 2025 communes. Columns ``unit_code, body, level``."""
    column = f"name_{lang}"
    parts = [
        reference.departments().assign(level="department"),
        reference.districts().assign(level="district"),
        reference.communes_2025().assign(level="commune"),
    ]
    frame = pd.concat([p[["code", column, "level"]] for p in parts], ignore_index=True)
    return frame.rename(columns={"code": "unit_code", column: "body"}).astype(str)


def _task_order(codes: set[str]) -> list[str]:
    known = list(reference.code_list("task_group"))
    return [c for c in known if c in codes] + sorted(codes - set(known))


def activities_by_body(activities: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """What each body did over the period: one row per reporting unit with its name and level,
    the years it reported activities, its task groups (codes, in ``codes.yaml`` order), the
    number of activities, money planned and disbursed, the disbursed share and the outputs.

    ``units``: :func:`unit_directory` (a code it lacks keeps its code as its name). Rows:
    departments, then district units, then communes, each by code.
    """
    acts = activities.assign(unit_code=activities["unit_code"].astype(str))
    grouped = acts.groupby("unit_code")
    out = grouped[[*MONEY, *OUTPUTS]].sum(min_count=1)
    out["activities"] = grouped.size()
    out["first_year"] = grouped["year"].min()
    out["last_year"] = grouped["year"].max()
    out["task_groups"] = grouped["task_group"].agg(lambda s: tuple(_task_order(set(s))))
    out = out.reset_index().merge(units, on="unit_code", how="left")
    out["body"] = out["body"].fillna(out["unit_code"])
    out["level"] = out["level"].fillna("other")
    rank = {lv: i for i, lv in enumerate(LEVELS)}
    out = out.assign(_rank=out["level"].map(rank).fillna(len(LEVELS)))
    out = out.sort_values(["_rank", "unit_code"]).drop(columns="_rank").reset_index(drop=True)
    out["disbursed_pct"] = disbursed_share(out["planned_mvnd"], out["disbursed_mvnd"])
    columns = ["unit_code", "body", "level", "first_year", "last_year", "task_groups"]
    return out[[*columns, "activities", *MONEY, "disbursed_pct", *OUTPUTS]]


def tasks_period(activities: pd.DataFrame) -> pd.DataFrame:
    """Each task group over the period: activities, bodies carrying them out, first and last
    year, money planned and disbursed, disbursed share, share of the period's planned money
    and the outputs; task groups in ``codes.yaml`` order."""
    grouped = activities.groupby("task_group")
    out = grouped[[*MONEY, *OUTPUTS]].sum(min_count=1)
    out["activities"] = grouped.size()
    out["bodies"] = grouped["unit_code"].nunique()
    out["first_year"] = grouped["year"].min()
    out["last_year"] = grouped["year"].max()
    out = out.reindex(_task_order(set(out.index))).rename_axis("task_group").reset_index()
    out["disbursed_pct"] = disbursed_share(out["planned_mvnd"], out["disbursed_mvnd"])
    total = out["planned_mvnd"].sum()
    out["planned_share_pct"] = 100 * out["planned_mvnd"] / total if total else np.nan
    columns = ["task_group", "activities", "bodies", "first_year", "last_year", *MONEY]
    return out[[*columns, "disbursed_pct", "planned_share_pct", *OUTPUTS]]


# ------------------------------------------------------------------------------ pace to 2030


def required_pace(
    progress: pd.DataFrame, place_ids: list[str], review_year: int, end_year: int = 2030
) -> pd.DataFrame:
    """What each target of the given places needs after the review year, from the statuses of
    ``assess_progress(indicators, review_year)``.

    One row per (indicator, place) with a target for ``end_year``: the value in the review year,
    the review year's target, status and shortfall (when that target's year is the review year),
    the ``end_year`` target, how much is still needed (``still_needed``, 0 once met), the pace
    needed a year from the review year to ``end_year`` (``required_per_year``, the progress
    table's own) and the pace kept so far (``observed_per_year``: the change from the base year
    to the latest value, a year), and their ratio (``pace_ratio``: how many times faster).
    """
    p = progress[progress["place_id"].isin(place_ids)]
    end = p[p["target_year"] == end_year].set_index(["indicator_id", "place_id"])
    now = p[p["target_year"] == review_year].set_index(["indicator_id", "place_id"])
    rows = []
    for key, r in end.iterrows():
        mid = now.loc[key] if key in now.index else None
        value = r["current_value"] if not is_missing(r["current_value"]) else r["last_known_value"]
        gap = _gap(value, r["target_value"], str(r["operator"]))
        span = _years(r["current_year"], r["base_year"])
        observed = (
            (float(value) - float(r["base_value"])) / span
            if span and not is_missing(value) and not is_missing(r["base_value"])
            else np.nan
        )
        needed = r["required_per_year"]
        if is_missing(needed) and not is_missing(gap) and gap == 0:
            needed = 0.0
        ratio = (  # only while something is still needed and something was gained
            float(needed) / observed
            if not is_missing(needed) and needed > 0 and not is_missing(observed) and observed > 0
            else np.nan
        )
        rows.append(
            {
                "indicator_id": key[0],
                "place_id": key[1],
                "unit": r["unit"],
                "review_year": int(review_year),
                "value": value,
                "target_review": None if mid is None else mid["target_value"],
                "status_review": None if mid is None else mid["status"],
                "shortfall_review": None if mid is None else mid["shortfall"],
                "end_year": int(end_year),
                "target_end": r["target_value"],
                "operator": r["operator"],
                "still_needed": gap,
                "required_per_year": needed,
                "observed_per_year": observed,
                "pace_ratio": ratio,
                "status_end": r["status"],
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    for column in ("value", "target_review", "shortfall_review", "target_end"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    return out.sort_values(["indicator_id", "place_id"]).reset_index(drop=True)


def _gap(value: object, target: object, operator: str) -> float:
    """How far ``value`` still is from ``target`` in its direction (0 once met)."""
    if is_missing(value) or is_missing(target):
        return np.nan
    v, t = float(value), float(target)
    if operator in ("<=", "<"):
        return max(v - t, 0.0)
    if operator in ("=", "==", "~"):
        return abs(v - t)
    return max(t - v, 0.0)


def _years(current: object, base: object) -> float:
    if is_missing(current) or is_missing(base):
        return 0.0
    return float(current) - float(base)
