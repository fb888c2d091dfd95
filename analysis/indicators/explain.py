"""The members behind every indicator value: which villages, crafts or areas a value counts,
which it leaves out, and why.

``T6 = 94,7%`` for the province says nothing about the facilities that fail; ``explain`` lists
every village in the place with what it adds to the numerator and the denominator and the
reason it is in or out::

    from analysis.indicators.explain import explain
    members = explain(ds, "T6", 2025, place="Cao Lộc huyện")   # names go through the resolver
    members.attrs["value"]                                     # the value, from the members
    members.query("gap > 0")                                   # villages keeping T6 below 100%

The contributions come from :data:`analysis.indicators.compute.CONTRIBUTIONS`, the very
functions ``compute_indicators`` sums, so the members always add up to the published value
(``tests/test_explain.py`` checks it for every place and year of the sample). The reasons are
written from the village's own fields.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from analysis.core.config import PROGRAMME_START
from analysis.core.errors import UsageError
from analysis.core.formatting import format_number
from analysis.core.labels import label
from analysis.core.text import vi_order
from analysis.data import places as places_mod
from analysis.data import reference
from analysis.data.resolve import resolve_place
from analysis.data.rules import unlawful_craft_recognition
from analysis.data.store import Dataset
from analysis.indicators.compute import (
    CONTRIBUTIONS,
    compute_indicators,
    effectiveness_components,
    household_threshold,
    indicator_places,
    recognised,
    village_panel,
)

#: Columns of the result of :func:`explain`, in order.
EXPLAIN_COLUMNS: tuple[str, ...] = (
    "indicator_id",
    "year",
    "member_type",
    "member_id",
    "name_vi",
    "district_code",
    "area",
    "commune_code",
    "commune",
    "in_scope",
    "reported",
    "counted",
    "numerator",
    "denominator",
    "gap",
    "reason",
)
#: Indicators :func:`explain` knows: the targets of Plan 244.
EXPLAINED = ("T1", "T2", "T3", "T4", "T5", "T6")
_SCALE = {"percent": 100.0}


def _year_text(value: float) -> str:
    return str(int(value))


# ------------------------------------------------------------------------------ reasons


def _event_reasons(
    since: pd.Series,
    counted: np.ndarray,
    year: int,
    lang: str,
    event: str,
    rule: Callable[[int], str] | None = None,
) -> list[str]:
    """Reasons for a cumulative count of an event dated by year (restored, recognised,
    linked with tourism): counted, never, before the programme, after the year; else the
    indicator's own rule left it out (``rule(i)`` says which). ``event`` is the label key of
    the words saying it happened (``explain_event_restored``); ``<event>_not`` says it did not."""
    done = label(event, lang)
    out = []
    for i, (when, hit) in enumerate(zip(since.to_numpy(dtype=float), counted, strict=True)):
        at = "" if np.isnan(when) else _year_text(when)
        if hit:
            out.append(label("explain_event_in", lang, event=done, year=at))
        elif np.isnan(when):
            out.append(label(f"{event}_not", lang))
        elif when < PROGRAMME_START:
            out.append(
                label(
                    "explain_event_before_programme",
                    lang,
                    event=done,
                    year=at,
                    start=PROGRAMME_START,
                )
            )
        elif when > year:
            out.append(label("explain_event_after_year", lang, event=done, year=at, until=year))
        else:
            why = (rule(i) if rule is not None else "") or label("explain_not_by_definition", lang)
            out.append(label("explain_event_but", lang, event=done, year=at, why=why))
    return out


def _reasons_t1(panel: pd.DataFrame, counted: np.ndarray, year: int, lang: str) -> list[str]:
    def rule(i: int) -> str:
        allowed = panel["restoration_allowed"] if "restoration_allowed" in panel else None
        if allowed is not None and not bool(allowed.iloc[i]):
            return label("explain_not_at_risk", lang)
        return ""

    return _event_reasons(
        panel["restored_year"], counted, year, lang, "explain_event_restored", rule
    )


def _reasons_t3(panel: pd.DataFrame, counted: np.ndarray, year: int, lang: str) -> list[str]:
    def rule(i: int) -> str:
        withdrawn = panel["withdrawn_year"].iloc[i] if "withdrawn_year" in panel else np.nan
        if not np.isnan(withdrawn) and withdrawn <= year:
            return label("explain_withdrawn", lang, year=_year_text(withdrawn))
        return label("explain_unlawful", lang)

    since = panel["recognised_year"].where(panel["recognition"].ne("none"))
    return _event_reasons(since, counted, year, lang, "explain_event_recognised", rule)


def _reasons_t4(panel: pd.DataFrame, counted: np.ndarray, year: int, lang: str) -> list[str]:
    scope = recognised(panel)

    def rule(i: int) -> str:
        if not scope[i]:
            return label("explain_not_recognised_village", lang)
        return ""

    return _event_reasons(
        panel["tourism_since"], counted, year, lang, "explain_event_tourism", rule
    )


def _not_recognised(panel: pd.DataFrame, i: int, year: int, lang: str) -> str:
    """Why a village is outside T5 and T6: withdrawn, unlawfully recognised, or not (yet)
    recognised by the end of ``year``."""
    withdrawn = panel["withdrawn_year"].iloc[i] if "withdrawn_year" in panel else np.nan
    if not np.isnan(withdrawn) and withdrawn <= year:
        return label("explain_withdrawn", lang, year=_year_text(withdrawn))
    lawful = bool(panel["lawful"].iloc[i]) if "lawful" in panel else True
    if panel["recognition"].iloc[i] != "none" and not lawful:
        return label("explain_unlawful", lang)
    return label("explain_not_recognised_by", lang, year=year)


def _reasons_t5(ds: Dataset, panel: pd.DataFrame, year: int, lang: str) -> list[str]:
    """Effective, or the components of effectiveness.yaml that fail or are unknown."""
    specs = reference.read_yaml("effectiveness.yaml")["components"]
    comp = effectiveness_components(ds, [year]).set_index("village_id")
    scope = recognised(panel)
    share = panel["households_craft"] / panel["households_total"].where(
        panel["households_total"] > 0
    )
    floor = household_threshold(panel)
    out = []
    for i, village in enumerate(panel["village_id"]):
        if not scope[i]:
            out.append(_not_recognised(panel, i, year, lang))
            continue
        row = comp.loc[village]
        failed = [s for s in specs if row[s["id"]] is not pd.NA and not bool(row[s["id"]])]
        unknown = [s for s in specs if row[s["id"]] is pd.NA]
        parts = [label("explain_fails", lang, component=s[lang]) for s in failed]
        if any(s["id"] == "meets_criteria" for s in failed) and not np.isnan(share.iloc[i]):
            parts.append(
                label(
                    "explain_household_share",
                    lang,
                    share=format_number(100 * share.iloc[i], 1, lang),
                    floor=format_number(100 * floor[i], 0, lang),
                )
            )
        parts += [label("explain_no_data_on", lang, component=s[lang]) for s in unknown]
        if row["effective"] is pd.NA:
            parts.insert(0, label("explain_cannot_judge", lang))
        elif bool(row["effective"]):
            parts = [label("explain_effective", lang)]
        out.append("; ".join(parts))
    return out


def _reasons_t6(panel: pd.DataFrame, year: int, lang: str) -> list[str]:
    scope = recognised(panel)
    out = []
    for i, (fac, ok) in enumerate(
        zip(panel["facilities"], panel["facilities_compliant"], strict=True)
    ):
        if not scope[i]:
            out.append(_not_recognised(panel, i, year, lang))
        elif np.isnan(fac) or np.isnan(ok):
            out.append(label("explain_no_facility_figures", lang))
        elif ok >= fac:
            out.append(label("explain_all_comply", lang, total=int(fac)))
        else:
            out.append(label("explain_not_all_comply", lang, short=int(fac - ok), total=int(fac)))
    return out


# ------------------------------------------------------------------------------ members


def _place_names(level: str) -> dict[str, str]:
    table = places_mod.places()
    table = table[table["level"] == level]
    return dict(zip(table["code"].astype(str), table["short_name_vi"], strict=True))


def _village_members(ds: Dataset, indicator_id: str, year: int, lang: str) -> pd.DataFrame:
    """One row per village: its contribution to ``indicator_id`` in ``year``, with reasons."""
    panel = village_panel(ds, [year])
    parts = CONTRIBUTIONS[indicator_id](panel)
    in_data = bool(panel["year_in_data"].any()) if len(panel) else False
    num = parts["num"]
    den = parts.get("den")
    exp, rep = parts["exp"] > 0, (parts["rep"] > 0) & in_data
    ratio = den is not None
    # In the numerator: a counted village, an effective one (T5); for T6, its facilities used.
    counted = rep if indicator_id == "T6" else rep & (num > 0)
    if indicator_id == "T5":
        reasons = _reasons_t5(ds, panel, year, lang)
    elif indicator_id == "T6":
        reasons = _reasons_t6(panel, year, lang)
    else:
        reasons = {"T1": _reasons_t1, "T3": _reasons_t3, "T4": _reasons_t4}[indicator_id](
            panel, num > 0, year, lang
        )
    if not in_data:
        reasons = [label("explain_no_data_year", lang, year=year)] * len(panel)
    villages = ds.villages.set_index(ds.villages["village_id"].astype(str))
    districts, communes = _place_names("district"), _place_names("commune")
    numerator = np.where(rep, num, np.nan)
    denominator = np.where(rep, den, np.nan) if ratio else np.full(len(panel), np.nan)
    return pd.DataFrame(
        {
            "indicator_id": indicator_id,
            "year": year,
            "member_type": "village",
            "member_id": panel["village_id"].to_numpy(),
            "name_vi": panel["village_id"].map(villages["name_vi"]).astype(str).to_numpy(),
            "district_code": panel["district_code"].to_numpy(),
            "area": panel["district_code"].map(lambda c: districts.get(c, c)).to_numpy(),
            "commune_code": panel["commune_code"].to_numpy(),
            "commune": panel["commune_code"].map(lambda c: communes.get(c, c)).to_numpy(),
            "in_scope": exp,
            "reported": rep,
            "counted": counted,
            "numerator": numerator,
            "denominator": denominator,
            "gap": denominator - numerator,
            "reason": reasons,
        }
    )


def _lawful_crafts(crafts: pd.DataFrame) -> np.ndarray:
    """Which crafts' recognitions T3 counts: those the rules catalogue allows."""
    return ~unlawful_craft_recognition(crafts).to_numpy(dtype=bool)


def _craft_members(ds: Dataset, year: int, lang: str) -> pd.DataFrame:
    """T3 at the top level: the traditional crafts recognised from 2021 up to ``year``."""
    crafts = ds.crafts
    when = pd.to_datetime(crafts["recognition_date"]).dt.year.astype(float)
    in_data = bool((ds.village_year["year"] == year).any())
    lawful = _lawful_crafts(crafts)
    counted = (when.ge(PROGRAMME_START) & when.le(year)).to_numpy() & lawful & in_data

    def rule(i: int) -> str:
        return label("explain_unlawful_craft", lang)

    reasons = _event_reasons(when, counted, year, lang, "explain_event_craft", rule)
    return pd.DataFrame(
        {
            "indicator_id": "T3",
            "year": year,
            "member_type": "craft",
            "member_id": crafts["craft_id"].astype(str).to_numpy(),
            "name_vi": crafts["name_vi"].astype(str).to_numpy(),
            "district_code": None,
            "area": None,
            "commune_code": None,
            "commune": None,
            "in_scope": True,
            "reported": in_data,
            "counted": counted,
            "numerator": np.where(in_data, counted.astype(float), np.nan),
            "denominator": np.nan,
            "gap": np.nan,
            "reason": reasons,
        }
    )


def _t2_needed(year: int) -> float:
    """Commodity crafts an area needs in ``year``: the target of the next target year."""
    rows = reference.targets().query("indicator_id == 'T2'").sort_values("target_year")
    later = rows[rows["target_year"] >= year]
    return float((later if len(later) else rows.tail(1))["value"].iloc[0])


def _t2_members(ds: Dataset, year: int, district: str | None, lang: str) -> pd.DataFrame:
    """T2: the commodity crafts of one area, or (top level) every area and whether it reaches
    the number of crafts the target asks."""
    dc = ds.district_crafts
    dc = dc[dc["year"].astype(int) == year].assign(
        district_code=dc["district_code"].astype(str), craft_id=dc["craft_id"].astype(str)
    )
    names = _place_names("district")
    crafts = ds.crafts.set_index(ds.crafts["craft_id"].astype(str))["name_vi"]
    if district is not None:
        rows = dc[dc["district_code"] == district].drop_duplicates("craft_id")
        return pd.DataFrame(
            {
                "indicator_id": "T2",
                "year": year,
                "member_type": "craft",
                "member_id": rows["craft_id"].to_numpy(),
                "name_vi": rows["craft_id"].map(crafts).astype(str).to_numpy(),
                "district_code": district,
                "area": names.get(district, district),
                "commune_code": None,
                "commune": None,
                "in_scope": True,
                "reported": True,
                "counted": True,
                "numerator": 1.0,
                "denominator": np.nan,
                "gap": np.nan,
                "reason": [
                    label("explain_commodity_product", lang, product=p)
                    if isinstance(p, str) and p
                    else label("explain_commodity", lang)
                    for p in rows["product_vi"]
                ],
            }
        )
    # The areas' counts as compute_indicators gives them (an area without data is unknown).
    published = compute_indicators(ds, [year])
    areas = published[
        (published["indicator_id"] == "T2") & (published["place_level"] == "district")
    ]
    codes = areas["place_code"].astype(str).to_numpy()
    counts = areas["value"].to_numpy(dtype=float)
    known = ~np.isnan(counts)
    needed = _t2_needed(year)
    with np.errstate(invalid="ignore"):
        reach = known & (counts >= needed)
    return pd.DataFrame(
        {
            "indicator_id": "T2",
            "year": year,
            "member_type": "area",
            "member_id": codes,
            "name_vi": [names.get(c, c) for c in codes],
            "district_code": codes,
            "area": [names.get(c, c) for c in codes],
            "commune_code": None,
            "commune": None,
            "in_scope": True,
            "reported": known,
            "counted": reach,
            "numerator": np.where(known, reach.astype(float), np.nan),
            "denominator": np.where(known, 1.0, np.nan),
            "gap": counts,
            "reason": [
                label("explain_area_crafts", lang, n=int(n), target=int(needed))
                if ok
                else label("explain_no_data_year", lang, year=year)
                for n, ok in zip(counts, known, strict=True)
            ],
        }
    )


def _summary(
    members: pd.DataFrame, indicator_id: str, level: str, known: bool
) -> dict[str, float | str]:
    """Value, numerator and denominator of the members, as ``compute_indicators`` gives them
    (``known``: the year has figures at all)."""
    unit = str(reference.indicators().set_index("id").at[indicator_id, "unit"])
    nothing = {"value": np.nan, "numerator": np.nan, "denominator": np.nan, "unit": unit}
    used = members[members["reported"]]
    if not known or (used.empty and members["in_scope"].any()):
        return nothing
    if indicator_id == "T2" and level == "province":  # areas reaching the target, of those known
        num = float(used["counted"].sum())
        return {"value": num, "numerator": num, "denominator": float(len(used)), "unit": unit}
    if indicator_id in ("T5", "T6"):
        if used.empty:
            return nothing
        num, den = float(used["numerator"].sum()), float(used["denominator"].sum())
        value = _SCALE.get(unit, 1.0) * num / den if den > 0 else np.nan
        return {"value": value, "numerator": num, "denominator": den, "unit": unit}
    num = float(used["counted"].sum())
    return {"value": num, "numerator": num, "denominator": np.nan, "unit": unit}


def explain(
    ds: Dataset, indicator_id: str, year: int, place: str | None = None, lang: str = "vi"
) -> pd.DataFrame:
    """The members behind ``indicator_id`` (T1-T6) in ``year`` for ``place``: every village (or
    craft, or area) the value could count, what each adds, and why it is in or out.

    Parameters
    ----------
    ds
        Validated tables (``analysis.load_dataset()``).
    indicator_id
        ``T1``-``T6``.
    year
        The year of the value.
    place
        Slug, code or name of the province (default), a district-level area or a 2025
        commune; resolved by :func:`analysis.data.resolve.resolve_place` (an ambiguous or
        unknown name is an error listing the close matches).
    lang
        Language of ``reason`` (``vi`` or ``en``).

    Returns
    -------
    pandas.DataFrame
        ``EXPLAIN_COLUMNS``: ``member_type`` (``village``; ``craft`` for the traditional crafts
        of T3 at the top level and the commodity crafts of T2 in an area; ``area`` for T2 at the
        top level), ``in_scope`` (the value could count it), ``reported`` (its figures were
        used), ``counted`` (in the numerator of a count; operating effectively for T5; its
        facilities used for T6), ``numerator`` and
        ``denominator`` (what it adds to each), ``gap`` (denominator minus numerator: the
        facilities not yet compliant for T6, 1 for a village not operating effectively for
        T5; for T2's areas, their number of commodity crafts), ``reason``. Counted members
        first, then in scope, then the largest gap, then by name in Vietnamese order.
        ``attrs`` holds ``value``, ``numerator``, ``denominator`` and ``unit`` worked out
        from the members: the value ``compute_indicators`` gives.
    """
    indicator_id = str(indicator_id).upper()
    if indicator_id not in EXPLAINED:
        raise UsageError(f"unknown indicator {indicator_id!r}; valid: {', '.join(EXPLAINED)}")
    if lang not in ("vi", "en"):
        raise UsageError(f"unknown language {lang!r}; valid: vi, en")
    year = int(year)
    places = indicator_places(ds)
    top = places[places["place_level"] == "province"].iloc[0]
    if place is None or str(place) == str(top["place_id"]):
        place_id, level, code = str(top["place_id"]), "province", str(top["place_code"])
    else:
        hit = places[(places["place_id"] == str(place)) | (places["place_code"] == str(place))]
        place_id = str(hit["place_id"].iloc[0]) if len(hit) == 1 else resolve_place(place)
        row = places[places["place_id"] == place_id].iloc[0]
        level, code = str(row["place_level"]), str(row["place_code"])
    if indicator_id == "T2":
        if level == "commune":
            raise UsageError("T2 is reported per district-level area and province, not commune")
        members = _t2_members(ds, year, code if level == "district" else None, lang)
    else:
        members = _village_members(ds, indicator_id, year, lang)
        if level != "province":
            members = members[members[f"{level}_code"] == code]
        elif indicator_id == "T3":
            members = pd.concat([members, _craft_members(ds, year, lang)], ignore_index=True)
    order = members.assign(
        _name=vi_order(members["name_vi"]), _gap=members["gap"].fillna(-1.0)
    ).sort_values(
        ["counted", "in_scope", "_gap", "_name", "member_id"],
        ascending=[False, False, False, True, True],
    )
    out = order.loc[:, list(EXPLAIN_COLUMNS)].reset_index(drop=True)
    out.insert(1, "place_id", place_id)
    table = ds.district_crafts if indicator_id == "T2" else ds.village_year
    known = bool((table["year"].astype(int) == year).any())
    if indicator_id == "T2" and level == "district":  # an area that sent nothing: unknown
        published = compute_indicators(ds, [year])
        area = published[
            (published["indicator_id"] == "T2")
            & (published["place_level"] == "district")
            & (published["place_code"].astype(str) == code)
        ]["value"]
        known = bool(len(area)) and not np.isnan(float(area.iloc[0]))
    out.attrs.update(
        _summary(out, indicator_id, level, known), place_id=place_id, place_level=level
    )
    return out
