"""Progress against the 2025 and 2030 targets: a status per indicator, place and target year,
with every component behind it (an audit table), docs/domain.md section 5.

Two methods, declared per indicator in ``indicators.csv`` (``method``):

- ``linear`` (UN ESCAP "current status", for counts that start at zero): the share of the gap
  closed, ``(y_now - y_base) / (target - y_base)``, against the share of the time elapsed,
  ``(t_now - t_base) / (t_target - t_base)``; ``ratio`` is the first over the second.
- ``growth`` (Open SDG / Statistics Canada, for positive quantities): observed yearly growth
  ``(y_now / y_base) ** (1 / (t_now - t_base)) - 1`` against the growth required from the base to
  the target; ``ratio`` is observed over required.

Either ratio is banded with ``progress_thresholds.yaml``: >= 0.95 on track, >= 0.60 acceleration
needed, >= 0 limited progress, < 0 deterioration; a latest value that meets the target is
"achieved" whatever the ratio. The base is the value of ``base_year`` (2020) if the table has it;
for cumulative counts (``base_rule`` ``zero``) it is 0 at the end of 2020 by definition; otherwise
the first year with data. A target whose year has come is judged on data up to that year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.labels import label
from analysis.data import reference

#: Columns of the result of :func:`assess_progress`, in order.
PROGRESS_COLUMNS: tuple[str, ...] = (
    "indicator_id",
    "place_id",
    "place_level",
    "year",
    "target_year",
    "operator",
    "target_value",
    "method",
    "base_year",
    "base_value",
    "current_year",
    "current_value",
    "gap_closed_share",
    "time_elapsed_share",
    "observed_growth",
    "required_growth",
    "ratio",
    "projection",
    "required_per_year",
    "status",
    "label_vi",
    "label_en",
    "colour",
    "symbol",
    "note",
    "first_met_year",
    "unit",
    "deadline_passed",
    "shortfall",
    "last_known_year",
    "last_known_value",
)
_KEYS = ["indicator_id", "place_id", "target_year"]


def status_bands() -> pd.DataFrame:
    """The statuses with their labels, colours and symbols (``status_bands.csv``), in order."""
    return reference.status_bands()


def status_label(status: str | pd.Series, lang: str = "vi") -> str | pd.Series:
    """Label of a status key (or a Series of keys) in Vietnamese (``vi``) or English (``en``)."""
    if lang not in ("vi", "en"):
        raise ValueError(f"unknown language {lang!r}; use vi or en")
    labels = status_bands().set_index("status")[f"label_{lang}"]
    if isinstance(status, pd.Series):
        return status.map(labels)
    if status not in labels.index:
        raise KeyError(f"unknown status {status!r}; known: {', '.join(labels.index)}")
    return str(labels[status])


def meets_target(value: np.ndarray, target: np.ndarray, operator: np.ndarray) -> np.ndarray:
    """Whether each value meets its target under its operator (>=, >, <=, <, =); False if
    the value is missing."""
    value, target = np.asarray(value, dtype=float), np.asarray(target, dtype=float)
    operator = np.asarray(operator).astype(str)
    with np.errstate(invalid="ignore"):
        return np.select(
            [
                operator == ">=",
                operator == ">",
                operator == "<=",
                operator == "<",
                np.isin(operator, ["=", "==", "~"]),
            ],
            [
                value >= target,
                value > target,
                value <= target,
                value < target,
                np.isclose(value, target),
            ],
            default=False,
        ) & ~np.isnan(value)


def status_from_ratio(ratio: np.ndarray, thresholds: dict | None = None) -> np.ndarray:
    """Band each ratio with ``progress_thresholds.yaml``: on track (>= 0.95), acceleration
    needed (>= 0.60), limited progress (>= 0), deterioration (< 0); missing: not assessable."""
    limits = thresholds or reference.read_yaml("progress_thresholds.yaml")
    ratio = np.asarray(ratio, dtype=float)
    return np.select(
        [
            ratio >= limits["on_track"],
            ratio >= limits["acceleration_needed"],
            ratio >= limits["limited_progress"],
            ratio < limits["limited_progress"],
        ],
        ["on_track", "acceleration_needed", "limited_progress", "deterioration"],
        default="not_assessable",
    )


def _definitions(ids: pd.Index) -> pd.DataFrame:
    """Method and base rule of each indicator (linear and observed when not defined)."""
    defs = reference.indicators().set_index("id")
    if "base_rule" not in defs.columns:
        defs["base_rule"] = "observed"
    return defs.reindex(ids)[["method", "base_rule"]].fillna(
        {"method": "linear", "base_rule": "observed"}
    )


def _history(indicators: pd.DataFrame, targets: pd.DataFrame, year: int) -> pd.DataFrame:
    """Indicator rows of the places each target applies to, one copy per target year, with
    ``gid`` numbering each (indicator, place, target year)."""
    wanted = targets.rename(columns={"scope": "place_level", "value": "target_value"})[
        ["indicator_id", "place_level", "target_year", "operator", "target_value"]
    ]
    keep = indicators["indicator_id"].isin(wanted["indicator_id"].unique()) & indicators[
        "place_level"
    ].isin(wanted["place_level"].unique())
    rows = indicators.loc[keep, ["indicator_id", "place_id", "place_level", "year", "value"]]
    merged = rows.merge(wanted, on=["indicator_id", "place_level"], how="inner")
    merged["target_year"] = merged["target_year"].astype(int)
    merged["year"] = merged["year"].astype(int)
    merged["value"] = merged["value"].astype(float)
    merged["cutoff"] = np.minimum(int(year), merged["target_year"].to_numpy())
    merged["gid"] = merged.groupby(_KEYS, sort=False).ngroup()
    return merged


def _per_group(n: int, gid: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Spread one value per group (``gid``) into an array of ``n`` groups, NaN elsewhere."""
    out = np.full(n, np.nan)
    out[gid] = values
    return out


def _notes(*parts: tuple[np.ndarray, pd.Series | str]) -> np.ndarray:
    """Join the note parts whose condition holds with "; " (vectorised)."""
    out = None
    for condition, text in parts:
        piece = pd.Series(np.where(condition, text, ""), dtype=object).astype(str)
        out = piece if out is None else out.str.cat(piece, sep="; ")
    if out is None:
        return np.array([], dtype=object)
    cleaned = out.str.replace(r"(; )+", "; ", regex=True).str.strip("; ")
    return cleaned.to_numpy(dtype=object)


def _years_text(values: np.ndarray) -> pd.Series:
    return pd.Series(values).astype("Int64").astype(str)


def assess_progress(
    indicators: pd.DataFrame, year: int, targets: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Status of every indicator with a target, for each place it applies to and each target
    year, judged on the data up to ``year``.

    Parameters
    ----------
    indicators
        The table of :func:`analysis.indicators.compute_indicators` (at least
        ``indicator_id, place_id, place_level, year, value``).
    year
        Evaluation year: only values of that year and before are used.
    targets
        Targets with ``indicator_id, target_year, scope, operator, value``; default
        ``targets.csv``. A target applies to the places whose level equals its ``scope``.

    Returns
    -------
    pandas.DataFrame
        One row per (indicator, place, target year) with the components of the status (see
        ``PROGRESS_COLUMNS``); ``status`` is a key of ``status_bands.csv``, ``note`` a short
        English reason. ``required_per_year`` is in the indicator's unit; ``gap_closed_share``
        and ``time_elapsed_share`` are filled for both methods, the growth rates only for the
        growth method.
    """
    targets = reference.targets() if targets is None else targets
    thresholds = reference.read_yaml("progress_thresholds.yaml")
    base_year = int(thresholds["base_year"])
    merged = _history(indicators, targets, year)
    out = (
        merged.drop_duplicates("gid")
        .sort_values("gid")[[*_KEYS, "place_level", "operator", "target_value"]]
        .reset_index(drop=True)
    )
    n = len(out)
    used = (
        merged["value"].notna()
        & (merged["year"] <= merged["cutoff"])
        & (merged["year"] >= base_year)
    )
    history = merged.loc[used, ["gid", "year", "value", "target_value", "operator"]]
    history = history.sort_values(["gid", "year"], kind="stable")
    last = history.drop_duplicates("gid", keep="last")
    first = history.drop_duplicates("gid", keep="first")
    at_base = history[history["year"] == base_year]
    out["current_year"] = _per_group(n, last["gid"].to_numpy(), last["year"].to_numpy())
    out["current_value"] = _per_group(n, last["gid"].to_numpy(), last["value"].to_numpy())
    base_year_of = _per_group(n, first["gid"].to_numpy(), first["year"].to_numpy())
    base_value = _per_group(n, first["gid"].to_numpy(), first["value"].to_numpy())
    base_year_of[at_base["gid"].to_numpy()] = base_year
    base_value[at_base["gid"].to_numpy()] = at_base["value"].to_numpy()

    # Cumulative counts (base_rule "zero") are 0 at the end of the base year by definition.
    defs = _definitions(pd.Index(out["indicator_id"].unique()))
    out["method"] = out["indicator_id"].map(defs["method"]).astype(str)
    zero_base = out["indicator_id"].map(defs["base_rule"]).eq("zero").to_numpy()
    replace = zero_base & (base_year_of != base_year)
    out["base_year"] = np.where(replace, base_year, base_year_of)
    out["base_value"] = np.where(replace, 0.0, base_value)

    # Earliest year the target was met before the current year ("met, then lost").
    met = meets_target(
        history["value"].to_numpy(),
        history["target_value"].to_numpy(),
        history["operator"].to_numpy(),
    )
    before = history["year"].to_numpy() < out["current_year"].to_numpy()[history["gid"]]
    first_met = history.loc[met & before].drop_duplicates("gid", keep="first")
    out["first_met_year"] = _per_group(n, first_met["gid"].to_numpy(), first_met["year"].to_numpy())
    return _judge(out, int(year), thresholds)


def _bounds(ids: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The possible range of each indicator (``min_value``, ``max_value`` of
    ``indicators.csv``): a share stays within 0-100%, a count is never negative. Indicators
    without a definition are unbounded."""
    defs = reference.indicators().set_index("id")
    low = pd.to_numeric(ids.map(defs.get("min_value", pd.Series(dtype=float))), errors="coerce")
    high = pd.to_numeric(ids.map(defs.get("max_value", pd.Series(dtype=float))), errors="coerce")
    return low.fillna(-np.inf).to_numpy(float), high.fillna(np.inf).to_numpy(float)


def _shortfall(value: np.ndarray, target: np.ndarray, operator: np.ndarray) -> np.ndarray:
    """How far a value is from its target, in the indicator's unit (positive: missing)."""
    below = np.isin(operator, ["<=", "<"])
    exact = np.isin(operator, ["=", "==", "~"])
    gap = np.where(below, value - target, target - value)
    return np.where(exact, np.abs(value - target), gap)


def _judge(out: pd.DataFrame, year: int, thresholds: dict) -> pd.DataFrame:
    """Compute the components and the status of each row (all vectorised).

    Once the evaluation year reaches a target's year the target is judged on the target year's
    own value: achieved or not achieved (with the shortfall), or, without that value, "no data"
    (the last known value and its year are kept beside it, never passed off as the target
    year's). Before the deadline the trend bands apply.
    """
    by, bv = out["base_year"].to_numpy(float), out["base_value"].to_numpy(float)
    cy, cv = out["current_year"].to_numpy(float), out["current_value"].to_numpy(float)
    ty, tv = out["target_year"].to_numpy(float), out["target_value"].to_numpy(float)
    operator = out["operator"].to_numpy()
    growth = out["method"].eq("growth").to_numpy()
    has_current = ~np.isnan(cv)
    achieved = meets_target(cv, tv, operator)
    base_met = meets_target(bv, tv, operator)
    single = has_current & (cy == by)
    passed = np.full(len(out), float(year)) >= ty
    at_deadline = passed & has_current & (cy == ty)
    no_data = passed & ~at_deadline

    with np.errstate(divide="ignore", invalid="ignore"):
        time_share = np.where(ty > by, np.minimum((cy - by) / (ty - by), 1.0), np.nan)
        gap_share = np.where(tv != bv, (cv - bv) / (tv - bv), np.nan) + 0.0
        positive = (bv > 0) & (cv >= 0) & (cy > by)
        observed = np.where(positive, np.power(cv / bv, 1.0 / (cy - by)) - 1.0, np.nan)
        required = np.where(
            (bv > 0) & (tv > 0) & (ty > by), np.power(tv / bv, 1.0 / (ty - by)) - 1.0, np.nan
        )
        ratio_linear = np.where(time_share > 0, gap_share / time_share, np.nan)
        ratio_growth = np.where(required != 0, observed / required, np.nan)
        ratio = np.where(growth, ratio_growth, ratio_linear)
        projection_linear = np.where(cy > by, bv + (cv - bv) * (ty - by) / (cy - by), np.nan)
        projection_growth = cv * np.power(1.0 + observed, ty - cy)
        projection = np.where(growth, projection_growth, projection_linear)
        pace = np.where(ty > cy, (tv - cv) / (ty - cy), np.nan)
    ratio = np.where(np.isfinite(ratio), ratio, np.nan)
    projection = np.where(cy == ty, cv, projection)
    low, high = _bounds(out["indicator_id"])
    projection = np.where(no_data, np.nan, np.clip(projection, low, high))
    pace = np.where(achieved | passed, np.where(achieved & ~no_data, 0.0, np.nan), pace)
    bad_base = growth & ~(bv > 0)

    band = status_from_ratio(ratio, thresholds)
    status = np.select(
        [
            no_data,
            at_deadline & achieved,
            at_deadline,
            ~has_current,
            achieved,
            base_met,
            bad_base,
            single,
            np.isnan(ratio),
        ],
        [
            "no_data",
            "achieved",
            "not_achieved",
            "not_assessable",
            "achieved",
            "deterioration",
            "not_assessable",
            "not_assessable",
            "not_assessable",
        ],
        default=band,
    )
    shortfall = np.where(status == "not_achieved", _shortfall(cv, tv, operator), np.nan)
    first_met = out["first_met_year"].to_numpy(float)
    trend = has_current & ~passed & ~achieved & ~base_met
    lost = has_current & ~achieved & ~base_met & ~np.isnan(first_met) & ~no_data
    last_value = pd.Series(cv).round(2).astype(str).str.replace(r"\.0$", "", regex=True)
    note = _notes(
        (no_data, "no data for " + _years_text(ty)),
        (no_data & has_current, "last known value " + last_value + " (" + _years_text(cy) + ")"),
        (~has_current & ~no_data, f"no data up to {year}"),
        (has_current & ~passed & (cy < year), "latest data " + _years_text(cy)),
        (
            has_current & ~achieved & base_met & ~no_data,
            "target met in base year " + _years_text(by) + ", not met in " + _years_text(cy),
        ),
        (lost, "target met in " + _years_text(first_met) + ", not met in " + _years_text(cy)),
        (trend & bad_base, "zero or missing base: growth ratio undefined"),
        (trend & ~bad_base & single, "one year of data: no trend to judge"),
        (trend & ~bad_base & ~single & np.isnan(ratio), "ratio undefined"),
        (status == "not_achieved", "target year reached, target not met"),
        (passed & (year > ty), "target year passed: judged on the target year's data"),
    )
    bands = status_bands().set_index("status")
    units = reference.indicators().set_index("id")["unit"]
    result = out.assign(
        year=year,
        current_year=np.where(no_data, np.nan, cy),
        current_value=np.where(no_data, np.nan, cv),
        gap_closed_share=gap_share,
        time_elapsed_share=time_share,
        observed_growth=np.where(growth, observed, np.nan),
        required_growth=np.where(growth, required, np.nan),
        ratio=ratio,
        projection=projection,
        required_per_year=pace,
        status=status,
        note=note,
        unit=out["indicator_id"].map(units),
        deadline_passed=passed,
        shortfall=shortfall,
        last_known_year=cy,
        last_known_value=cv,
    )
    for column in ("label_vi", "label_en", "colour", "symbol"):
        result[column] = result["status"].map(bands[column])
    # "Cannot be assessed: no data for 2025": the words carry the target year.
    for lang in ("vi", "en"):
        result[f"label_{lang}"] = result[f"label_{lang}"].where(
            ~no_data,
            result["target_year"].map(
                lambda y, lang=lang: label("status_no_data_year", lang, year=int(y))
            ),
        )
    for column in (
        "base_year",
        "current_year",
        "first_met_year",
        "target_year",
        "last_known_year",
    ):
        result[column] = result[column].astype(float).round().astype("Int64")
    level = result["place_level"].map({"province": 0, "district": 1, "commune": 2})
    order = np.lexsort(
        (
            result["place_id"].to_numpy(),
            level.fillna(3).to_numpy(),
            result["target_year"].to_numpy(),
            result["indicator_id"].to_numpy(),
        )
    )
    return result.iloc[order].loc[:, list(PROGRESS_COLUMNS)].reset_index(drop=True)


def summarise_area_statuses(progress: pd.DataFrame, indicator_id: str, target_year: int) -> str:
    """Statuses of the district-level areas for a target, counted by symbol: ``✔ 8, ▼ 3``."""
    rows = progress[
        (progress["indicator_id"] == indicator_id)
        & (progress["place_level"] == "district")
        & (progress["target_year"] == target_year)
    ]
    if rows.empty:
        return "—"
    bands = reference.status_bands()
    counts = rows["status"].value_counts()
    return ", ".join(
        f"{b.symbol} {counts[b.status]}"
        for b in bands.itertuples(index=False)
        if b.status in counts.index
    )
