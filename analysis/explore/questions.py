"""Worked answers to the policy questions of ``notebooks/questions/``: each question is a
function returning a tidy table, and an ``*_answer`` function writing the answer in a few
sentences (numbers through ``analysis.core.formatting``, words from ``labels.yaml``).

- :func:`off_track`: which places are off track for a target year, and by how much;
- :func:`missed_targets`: which targets will be missed if the current trend holds;
- :func:`facilities_to_comply`: how many facilities still have to meet the environmental
  rules (T6); :func:`t6_shortfall`: which ones keep T6 below 100%, and in which communes;
- :func:`closest_to_recognition`: which villages are closest to recognition, and what each
  lacks.

The tables keep numbers as numbers; :func:`formatted` writes them for display.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.config import PROGRAMME_END
from analysis.core.formatting import (
    change_text,
    format_count,
    format_percent,
    is_missing,
    value_text,
)
from analysis.core.labels import label
from analysis.core.text import vi_order
from analysis.data import places as places_mod
from analysis.data import reference
from analysis.data.store import Dataset
from analysis.indicators.explain import explain
from analysis.indicators.progress import meets_target
from analysis.indicators.recognition import recognition_candidates
from analysis.pipeline import load_dataset
from analysis.reports.content import ReportContext, prepare

#: Statuses that count as "off track": behind the path, but the target not out of sight.
OFF_TRACK = ("not_achieved", "acceleration_needed", "limited_progress", "deterioration")
#: Columns :func:`formatted` writes in the indicator's unit (the row's ``unit``).
UNIT_COLUMNS = ("base_value", "current_value", "target_value", "projection")
#: Columns :func:`formatted` writes as changes (percentage points for shares).
CHANGE_COLUMNS = ("shortfall", "projected_shortfall", "required_per_year", "observed_per_year")
#: Columns :func:`formatted` writes as percentages of a fraction (0.2 -> 20,0%).
SHARE_COLUMNS = ("household_share", "min_household_share", "compliant_share")


def store_path(db_path: str | Path = "") -> Path | None:
    """A notebook's ``db_path`` parameter as the API takes it: "" means the default store."""
    return Path(db_path) if db_path else None


def load(db_path: str | Path = "") -> Dataset:
    """The validated tables of the store at ``db_path`` ("" for the default store)."""
    return load_dataset(store_path(db_path))


def context(year: int, lang: str = "vi", db_path: str | Path = "") -> ReportContext:
    """Data, indicators (up to ``year``) and statuses judged in ``year`` for the province:
    ``reports.prepare`` for the province, the one way every notebook loads the numbers."""
    return prepare("province", year, str(reference.province()["slug"]), lang, db_path)


_KEYS = ("indicator_id", "place_id", "place_level", "unit")
_STATUS = ("status", "symbol", "label_vi", "label_en")


def _shortfall(rows: pd.DataFrame, value: str) -> np.ndarray:
    """How far ``value`` is from the target, in the target's direction (positive: short)."""
    gap = (rows["target_value"] - rows[value]).to_numpy(dtype=float)
    return np.where(rows["operator"].isin(["<=", "<"]).to_numpy(), -gap, gap)


def _largest_first(rows: pd.DataFrame, by: str, columns: list[str]) -> pd.DataFrame:
    """``columns`` of ``rows``, by indicator, the largest ``by`` first, then by place."""
    ordered = rows.sort_values(["indicator_id", by, "place_id"], ascending=[True, False, True])
    return ordered.loc[:, columns].reset_index(drop=True)


def _units() -> pd.Series:
    return reference.indicators().set_index("id")["unit"]


def _place_names() -> pd.Series:
    return places_mod.places().set_index("place_id")["short_name_vi"]


def _indicator_text(indicator_id: str, lang: str) -> str:
    name = reference.indicators().set_index("id").at[indicator_id, f"name_{lang}"]
    return f"{indicator_id} ({name})"


def _target_text(row: pd.Series, lang: str) -> str:
    operator = str(row["operator"]).replace(">=", "≥").replace("<=", "≤")
    return f"{operator} {value_text(row['target_value'], row['unit'], lang)}"


def _status_text(row: pd.Series, lang: str) -> str:
    return f"{row['symbol']} {row[f'label_{lang}']}"


def _evaluation_year(progress: pd.DataFrame) -> int:
    """The year the statuses were judged in (``assess_progress``'s ``year``)."""
    if progress.empty:
        raise ValueError("no statuses: the progress table is empty")
    return int(progress["year"].max())


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


# ----------------------------------------------------------------------------- off track


def off_track(
    progress: pd.DataFrame, target_year: int = 2025, level: str = "district"
) -> pd.DataFrame:
    """Places of ``level`` whose status for ``target_year`` is off track (``OFF_TRACK``).

    Parameters
    ----------
    progress
        Statuses from :func:`analysis.indicators.progress.assess_progress`.
    target_year
        2025 or 2030.
    level
        ``district`` (the plan's areas: T2 is the target set per area) or ``province``.

    Returns
    -------
    pandas.DataFrame
        ``indicator_id, place_id, place_level, unit, current_year, current_value, operator,
        target_value, shortfall, required_per_year, status, symbol, label_vi, label_en, note``;
        ``shortfall`` is how far the latest value is from the target (in the indicator's unit),
        the largest first within each indicator.
    """
    rows = progress[
        (progress["target_year"] == target_year)
        & (progress["place_level"] == level)
        & progress["status"].isin(OFF_TRACK)
    ].copy()
    rows["unit"] = rows["indicator_id"].map(_units())
    rows["shortfall"] = _shortfall(rows, "current_value").clip(min=0)
    columns = [
        *_KEYS,
        "current_year",
        "current_value",
        "operator",
        "target_value",
        "shortfall",
        "required_per_year",
        *_STATUS,
        "note",
    ]
    return _largest_first(rows, "shortfall", columns)


def off_track_answer(
    progress: pd.DataFrame, target_year: int = 2025, level: str = "district", lang: str = "vi"
) -> str:
    """The answer in Markdown: how many places (or province-wide targets) are off track for
    ``target_year``, then each with its value, target, shortfall and status."""
    table = off_track(progress, target_year, level)
    year = _evaluation_year(progress)
    universe = progress[(progress["target_year"] == target_year)]
    if level == "district":
        universe = universe[universe["place_level"] == "district"]
        total, n = universe["place_id"].nunique(), table["place_id"].nunique()
        key = "q_off_track_district"
    else:
        universe = universe[universe["place_level"] == "province"]
        total, n = universe["indicator_id"].nunique(), table["indicator_id"].nunique()
        key = "q_off_track_province"
    head = label(key, lang, n=n, total=total, target_year=target_year, year=year)
    names = _place_names()
    items = [
        label(
            "q_off_track_item",
            lang,
            place=names.get(r["place_id"], r["place_id"]),
            indicator=_indicator_text(r["indicator_id"], lang),
            value=value_text(r["current_value"], r["unit"], lang),
            target=_target_text(r, lang),
            shortfall=change_text(r["shortfall"], r["unit"], lang),
            status=_status_text(r, lang),
        )
        for _, r in table.iterrows()
    ]
    return head + "\n\n" + (_bullets(items) if items else label("q_none", lang))


# --------------------------------------------------------------------------- missed 2030


def missed_targets(progress: pd.DataFrame, target_year: int = PROGRAMME_END) -> pd.DataFrame:
    """Targets of ``target_year`` that the current trend misses: not yet achieved, and the
    projection of :func:`~analysis.indicators.progress.assess_progress` (the trend from the base
    year to the latest year, carried to the target year) does not meet the target.

    Projections of shares are kept within 0-100%. Returns the columns of :func:`off_track`
    plus ``base_year, base_value, observed_per_year`` (the trend's yearly change),
    ``projection`` and ``projected_shortfall``; the largest shortfall first within each
    indicator. Rows whose projection is unknown are left out (see :func:`unprojected`).
    """
    rows = progress[
        (progress["target_year"] == target_year)
        & progress["status"].ne("achieved")
        & progress["projection"].notna()
    ].copy()
    rows["unit"] = rows["indicator_id"].map(_units())
    share = rows["unit"].eq("percent")
    rows["projection"] = rows["projection"].where(~share, rows["projection"].clip(0, 100))
    met = meets_target(
        rows["projection"].to_numpy(), rows["target_value"].to_numpy(), rows["operator"].to_numpy()
    )
    rows = rows[~met].copy()
    rows["projected_shortfall"] = _shortfall(rows, "projection")
    span = (rows["current_year"] - rows["base_year"]).astype(float)
    rows["observed_per_year"] = (rows["current_value"] - rows["base_value"]) / span.where(span > 0)
    columns = [
        *_KEYS,
        "base_year",
        "base_value",
        "current_year",
        "current_value",
        "observed_per_year",
        "projection",
        "operator",
        "target_value",
        "projected_shortfall",
        "required_per_year",
        *_STATUS,
    ]
    return _largest_first(rows, "projected_shortfall", columns)


def unprojected(progress: pd.DataFrame, target_year: int = PROGRAMME_END) -> pd.DataFrame:
    """Targets of ``target_year`` not achieved whose projection is unknown (missing data)."""
    keep = (
        (progress["target_year"] == target_year)
        & progress["status"].ne("achieved")
        & (progress["projection"].isna())
    )
    return progress.loc[keep, ["indicator_id", "place_id", "place_level", "status", "note"]]


def missed_targets_answer(
    progress: pd.DataFrame, target_year: int = PROGRAMME_END, lang: str = "vi"
) -> str:
    """The answer in Markdown: how many targets the current trend misses, then each with its
    projection, the pace needed and the pace of the trend."""
    table = missed_targets(progress, target_year)
    year = _evaluation_year(progress)
    names = _place_names()
    head = label("q_missed", lang, n=len(table), target_year=target_year, year=year)
    items = []
    for _, r in table.iterrows():
        unit = r["unit"]
        items.append(
            label(
                "q_missed_item",
                lang,
                place=names.get(r["place_id"], r["place_id"]),
                indicator=_indicator_text(r["indicator_id"], lang),
                value=value_text(r["current_value"], unit, lang),
                current_year=r["current_year"],
                projection=value_text(r["projection"], unit, lang),
                target=_target_text(r, lang),
                pace=change_text(r["required_per_year"], unit, lang),
                observed=change_text(r["observed_per_year"], unit, lang),
            )
        )
    text = head + "\n\n" + (_bullets(items) if items else label("q_none", lang))
    unknown = len(unprojected(progress, target_year))
    if unknown:
        text += "\n\n" + label("q_missed_unknown", lang, n=unknown)
    return text


# ------------------------------------------------------------------------------------ T6


def facilities_to_comply(ds: Dataset, year: int) -> pd.DataFrame:
    """The production facilities and households of the recognised villages (the scope of T6)
    in ``year``, per village: ``village_id, name_vi, district_code, area, facilities,
    facilities_compliant, remaining`` (not yet meeting the environmental rules) and
    ``compliant_share`` (a fraction). Villages without both figures have missing values;
    the most remaining first. The members of T6 (:func:`~analysis.indicators.explain.explain`)."""
    members = explain(ds, "T6", year)
    members = members[members["in_scope"]]
    facilities, compliant = members["denominator"], members["numerator"]
    out = pd.DataFrame(
        {
            "village_id": members["member_id"].to_numpy(),
            "name_vi": members["name_vi"].to_numpy(),
            "district_code": members["district_code"].to_numpy(),
            "area": members["area"].to_numpy(),
            "facilities": facilities.to_numpy(),
            "facilities_compliant": compliant.to_numpy(),
            "remaining": members["gap"].to_numpy(),
            "compliant_share": (compliant / facilities.where(facilities > 0)).to_numpy(),
        }
    )
    return out.sort_values(
        ["remaining", "village_id"], ascending=[False, True], na_position="last"
    ).reset_index(drop=True)


def t6_shortfall(ds: Dataset, year: int, place: str | None = None) -> pd.DataFrame:
    """Which facilities keep T6 below 100%, and in which communes: the recognised villages of
    ``place`` (slug, code or name; default the province) with facilities not yet meeting the
    environmental rules in ``year``, the most first. The members of T6 whose ``gap`` is above
    zero (:func:`~analysis.indicators.explain.explain`: ``member_id, name_vi, commune, area,
    numerator, denominator, gap, reason``...); ``attrs`` holds T6's value for the place."""
    members = explain(ds, "T6", year, place)
    short = members[members["gap"].fillna(0) > 0].reset_index(drop=True)
    short.attrs.update(members.attrs)
    return short


def t6_shortfall_by_commune(shortfall: pd.DataFrame) -> pd.DataFrame:
    """The facilities of :func:`t6_shortfall` still to comply, summed per 2025 commune:
    ``commune_code, commune, area, villages, facilities, remaining``, the most first, then by
    name in Vietnamese order."""
    grouped = (
        shortfall.groupby(["commune_code", "commune", "area"], as_index=False)
        .agg(
            villages=("member_id", "nunique"),
            facilities=("denominator", "sum"),
            remaining=("gap", "sum"),
        )
        .astype({"villages": int})
    )
    grouped = grouped.assign(_name=vi_order(grouped["commune"]))
    return (
        grouped.sort_values(["remaining", "_name"], ascending=[False, True])
        .drop(columns="_name")
        .reset_index(drop=True)
    )


def t6_shortfall_answer(ds: Dataset, year: int, place: str | None = None, lang: str = "vi") -> str:
    """The answer in Markdown: T6 of the place with its numerator and denominator, then each
    village keeping it below 100%, with its commune and area and the facilities to comply."""
    short = t6_shortfall(ds, year, place)
    attrs = short.attrs
    names = _place_names()
    words = {
        "place": names.get(attrs["place_id"], attrs["place_id"]),
        "year": year,
        "share": value_text(attrs["value"], "percent", lang),
    }
    if short.empty:
        return label("q_t6_gaps_none", lang, **words)
    head = label(
        "q_t6_gaps",
        lang,
        **words,
        compliant=format_count(attrs["numerator"], lang),
        total=format_count(attrs["denominator"], lang),
        remaining=format_count(short["gap"].sum(), lang),
        villages=format_count(len(short), lang),
        communes=format_count(short["commune_code"].nunique(), lang),
    )
    communes = places_mod.commune_name_by_code()
    items = [
        label(
            "q_t6_gap_item",
            lang,
            village=r.name_vi,
            village_id=r.member_id,
            commune=communes.get(r.commune_code, r.commune),
            area=r.area,
            remaining=format_count(r.gap, lang),
            total=format_count(r.denominator, lang),
        )
        for r in short.itertuples(index=False)
    ]
    return head + "\n\n" + _bullets(items)


def facilities_answer(
    ds: Dataset, year: int, target_year: int = PROGRAMME_END, lang: str = "vi"
) -> str:
    """The answer in Markdown: facilities still to comply in ``year``, T6, the yearly pace to
    100% by ``target_year``, and the recognised villages without figures."""
    table = facilities_to_comply(ds, year)
    known = table.dropna(subset=["remaining"])
    total, remaining = known["facilities"].sum(), known["remaining"].sum()
    share = 100.0 * known["facilities_compliant"].sum() / total if total else None
    years_left = target_year - year
    per_year = remaining / years_left if years_left > 0 else None
    text = label(
        "q_facilities",
        lang,
        year=year,
        remaining=format_count(remaining, lang),
        total=format_count(total, lang),
        villages=format_count(len(known), lang),
        share=format_percent(share, 1, lang),
        target_year=target_year,
        per_year=value_text(per_year, "count", lang),
    )
    missing = len(table) - len(known)
    if missing:
        text += " " + label("q_facilities_missing", lang, n=missing)
    return text


# --------------------------------------------------------------------------- recognition


def closest_to_recognition(ds: Dataset, year: int, n: int = 5) -> pd.DataFrame:
    """The ``n`` unrecognised villages closest to recognition in ``year``: those meeting the
    three criteria of a craft village first, then those lacking one, the largest share of
    households in the craft first (``analysis.indicators.recognition.recognition_candidates``), with
    the area and craft named."""
    candidates = recognition_candidates(ds, year, max_lacking=1).head(n)
    crafts = ds.crafts.set_index(ds.crafts["craft_id"].astype(str))
    areas = places_mod.district_slug_by_code()
    names = _place_names()
    return candidates.assign(
        area=candidates["district_code"].map(lambda c: names.get(areas.get(c, c), c)),
        craft_vi=candidates["craft_id"].map(crafts["name_vi"]),
        craft_en=candidates["craft_id"].map(crafts["name_en"]),
    )[
        [
            "village_id",
            "name_vi",
            "area",
            "craft_id",
            "craft_vi",
            "craft_en",
            "household_share",
            "min_household_share",
            "stable_years",
            "meets_environment",
            "ready",
            "eligible_type",
            "n_lacking",
            "lacks_vi",
            "lacks_en",
        ]
    ]


def closest_answer(ds: Dataset, year: int, n: int = 5, lang: str = "vi") -> str:
    """The answer in Markdown: the villages ready for recognition, then the closest of the
    others, each with what it still lacks."""
    table = closest_to_recognition(ds, year, n)

    def item(r: pd.Series) -> str:
        key = "q_recognition_ready_item" if r["ready"] else "q_recognition_item"
        return label(
            key,
            lang,
            village=r["name_vi"],
            village_id=r["village_id"],
            area=r["area"],
            craft=r[f"craft_{lang}"],
            share=format_percent(100.0 * r["household_share"], 1, lang),
            lacks=r[f"lacks_{lang}"],
        )

    ready, next_ = table[table["ready"]], table[~table["ready"]]
    parts = [label("q_recognition_ready", lang, n=len(ready))]
    if len(ready):
        parts.append(_bullets([item(r) for _, r in ready.iterrows()]))
    parts.append(label("q_recognition_next", lang, n=len(next_)))
    if len(next_):
        parts.append(_bullets([item(r) for _, r in next_.iterrows()]))
    return "\n\n".join(parts)


# ------------------------------------------------------------------------------- display


def formatted(table: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The table written for people: values in ``UNIT_COLUMNS`` in the row's unit (changes in
    ``CHANGE_COLUMNS`` in percentage points for shares), shares in
    ``SHARE_COLUMNS`` as percentages, other numbers with the language's separators, place
    ids as names; missing values as an em dash."""
    out = table.copy()
    names = _place_names()
    for column in out.columns:
        values = out[column]
        if column in UNIT_COLUMNS and "unit" in out.columns:
            text = [value_text(v, u, lang) for v, u in zip(values, out["unit"], strict=True)]
        elif column in CHANGE_COLUMNS and "unit" in out.columns:
            text = [change_text(v, u, lang) for v, u in zip(values, out["unit"], strict=True)]
        elif column in SHARE_COLUMNS:
            text = [format_percent(None if is_missing(v) else 100.0 * v, 1, lang) for v in values]
        elif column == "place_id":
            text = [names.get(v, v) for v in values]
        elif pd.api.types.is_bool_dtype(values.dtype):
            text = [
                label("word_yes" if v else "word_no", lang) if not is_missing(v) else "—"
                for v in values
            ]
        elif pd.api.types.is_numeric_dtype(values.dtype) and column not in (
            "year",
            "current_year",
            "base_year",
            "target_year",
        ):
            text = [value_text(v, "", lang) for v in values]
        else:
            continue
        out[column] = text
    if {"status", "symbol", f"label_{lang}"} <= set(out.columns):
        out["status"] = out["symbol"] + " " + out[f"label_{lang}"]
        out = out.drop(columns=["symbol", "label_vi", "label_en"])
    return out
