"""Sentences of the mid-term and final reviews drafted from the period's numbers (the tables of
:mod:`analysis.reports.review`): strengths, shortcomings, their possible causes and the
directions to 2030. The report prints them marked as drafted from the numbers, for the lead
department to keep, correct or replace; what a person wrote always takes their place.

Which task groups serve which target, and the disbursed share below which money is called slow,
are read from ``data/reference/review.yaml`` (the project's reading, unverified).
"""

from __future__ import annotations

import pandas as pd

from analysis.core.formatting import (
    change_text,
    format_count,
    format_number,
    format_percent,
    is_missing,
    value_text,
)
from analysis.core.labels import label
from analysis.data import reference
from analysis.reports.review import GOOD, TOTAL, review_rules

_OPERATORS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "=", "==": "=", "~": "≈"}


def money_text(value: object, lang: str) -> str:
    """Million VND with one decimal: ``1.234,5 triệu đồng`` / ``1,234.5 million VND``."""
    return label("review_money", lang, amount=format_number(value, 1, lang))


def target_text(operator: object, value: object, unit: str, lang: str) -> str:
    """A target as written: ``≥ 2``, ``≥ 100,0%``."""
    sign = _OPERATORS.get(str(operator), str(operator))
    return f"{sign} {value_text(value, unit, lang)}"


def _names(list_name: str, lang: str) -> dict[str, str]:
    return {k: v[lang] for k, v in reference.code_list(list_name).items()}


def _indicator_names(lang: str) -> dict[str, str]:
    ind = reference.indicators()
    return dict(zip(ind["id"], ind[f"name_{lang}"], strict=True))


def _status_words(status: str, lang: str) -> str:
    bands = reference.status_bands().set_index("status")
    return str(bands.at[status, f"label_{lang}"]).lower() if status in bands.index else status


def _slow(rules: dict | None) -> float:
    return float((rules or review_rules())["low_disbursement_pct"])


def _is_good(share: object, slow: float, good: bool) -> bool:
    """Whether a disbursed share is on the side of the slow share asked for."""
    return not is_missing(share) and (float(share) >= slow) == good


def _share_line(key: str, name: str, r: pd.Series, lang: str, slow: float) -> str:
    return label(
        key,
        lang,
        name=name,
        share=format_percent(r["disbursed_pct"], 1, lang),
        disbursed=money_text(r["disbursed_mvnd"], lang),
        planned=money_text(r["planned_mvnd"], lang),
        slow=format_percent(slow, 0, lang),
    )


def _list_line(key: str, items: list[tuple[str, object]], lang: str, slow: float) -> list[str]:
    """One sentence naming several items with their disbursed shares, or none."""
    if not items:
        return []
    joined = "; ".join(f"{name} ({format_percent(share, 1, lang)})" for name, share in items)
    return [label(key, lang, items=joined, slow=format_percent(slow, 0, lang))]


def funding_lines(
    period: pd.DataFrame,
    tasks: pd.DataFrame,
    lang: str = "vi",
    rules: dict | None = None,
    good: bool = True,
) -> list[str]:
    """The money of the period on one side of the slow share (``good``: at or above it): the
    whole period with its amounts; the sources, the years (shortcomings only) and the task
    groups, each side in one sentence.

    ``period``: :func:`analysis.reports.review.funding_period`; ``tasks``:
    :func:`analysis.reports.review.tasks_period`.
    """
    slow = _slow(rules)
    out = []
    whole = period[period["year"].isna() & (period["funding_source"] == TOTAL)]
    for _, r in whole.iterrows():
        if _is_good(r["disbursed_pct"], slow, good):
            out.append(_share_line("review_funding_period", "", r, lang, slow))
    sources = _names("funding_source", lang)
    by_source = period[period["year"].isna() & (period["funding_source"] != TOTAL)]
    items = [
        (sources.get(r["funding_source"], r["funding_source"]), r["disbursed_pct"])
        for _, r in by_source.iterrows()
        if _is_good(r["disbursed_pct"], slow, good)
    ]
    out += _list_line("review_sources_good" if good else "review_sources_slow", items, lang, slow)
    if not good:
        years = period[period["year"].notna() & (period["funding_source"] == TOTAL)]
        items = [
            (str(int(r["year"])), r["disbursed_pct"])
            for _, r in years.iterrows()
            if _is_good(r["disbursed_pct"], slow, good)
        ]
        out += _list_line("review_years_slow", items, lang, slow)
    groups = _names("task_group", lang)
    items = [
        (groups.get(r["task_group"], r["task_group"]), r["disbursed_pct"])
        for _, r in tasks.iterrows()
        if _is_good(r["disbursed_pct"], slow, good)
    ]
    out += _list_line("review_tasks_good" if good else "review_tasks_slow", items, lang, slow)
    return out


def drafted_strengths(
    period: pd.DataFrame, tasks: pd.DataFrame, lang: str = "vi", rules: dict | None = None
) -> list[str]:
    """Strengths drafted from the period: what the activities produced; money disbursed at or
    above the slow share (the period, sources, task groups)."""
    out = []
    if len(tasks):
        out.append(
            label(
                "review_outputs",
                lang,
                activities=format_count(tasks["activities"].sum(), lang),
                trainees=format_count(tasks["trainees"].sum(), lang),
                fairs=format_count(tasks["trade_fairs"].sum(), lang),
                marks=format_count(tasks["trademarks_registered"].sum(), lang),
            )
        )
    return out + funding_lines(period, tasks, lang, rules, good=True)


def drafted_met_targets(pace: pd.DataFrame, lang: str = "vi") -> list[str]:
    """The targets already met for the end year (``pace``:
    :func:`analysis.reports.review.required_pace`), with the review year's value."""
    names = _indicator_names(lang)
    out = []
    for _, r in pace.iterrows():
        if r["status_end"] != "achieved":
            continue
        unit = str(r["unit"])
        out.append(
            label(
                "review_met_end",
                lang,
                id=r["indicator_id"],
                name=names.get(r["indicator_id"], r["indicator_id"]),
                value=value_text(r["value"], unit, lang),
                year=int(r["review_year"]),
                end=int(r["end_year"]),
                target=target_text(r["operator"], r["target_end"], unit, lang),
            )
        )
    return out


def drafted_shortcomings(
    period: pd.DataFrame, tasks: pd.DataFrame, lang: str = "vi", rules: dict | None = None
) -> list[str]:
    """Shortcomings drafted from the period's money: the period, sources, years and task groups
    whose disbursed share is below the slow share (``review.yaml``)."""
    return funding_lines(period, tasks, lang, rules, good=False)


def drafted_causes(
    pace: pd.DataFrame, tasks: pd.DataFrame, lang: str = "vi", rules: dict | None = None
) -> list[str]:
    """Possible causes drafted for each target missed or behind (its review-year status, else its
    2030 status, outside achieved and on track): what the task groups serving it
    (``review.yaml``) were planned over the period, their share of all planned money and the share
    disbursed; or that none of them had an activity; or that the data are missing.

    ``pace``: :func:`analysis.reports.review.required_pace` for one place; ``tasks``:
    :func:`analysis.reports.review.tasks_period`.
    """
    links = (rules or review_rules())["target_tasks"]
    groups = _names("task_group", lang)
    by_task = tasks.set_index("task_group")
    total = tasks["planned_mvnd"].sum()
    out = []
    for indicator_id, rows in pace.groupby("indicator_id", sort=True):
        r = rows.iloc[0]
        status = r["status_review"] if not is_missing(r["status_review"]) else r["status_end"]
        if status in GOOD:
            continue
        if status in ("no_data", "not_assessable"):
            out.append(label("review_cause_no_data", lang, id=indicator_id))
            continue
        wanted = list(links.get(indicator_id, []))
        linked = [t for t in wanted if t in by_task.index]
        task_names = ", ".join(groups.get(t, t) for t in wanted)
        if not linked:
            out.append(label("review_cause_no_tasks", lang, id=indicator_id, tasks=task_names))
            continue
        planned = by_task.loc[linked, "planned_mvnd"].sum()
        disbursed = by_task.loc[linked, "disbursed_mvnd"].sum()
        out.append(
            label(
                "review_cause_tasks",
                lang,
                id=indicator_id,
                status=_status_words(str(status), lang),
                tasks=task_names,
                planned=money_text(planned, lang),
                share_of_total=format_percent(100 * planned / total if total else None, 1, lang),
                rate=format_percent(100 * disbursed / planned if planned else None, 1, lang),
            )
        )
    return out


def drafted_directions(pace: pd.DataFrame, first_year: int, lang: str = "vi") -> list[str]:
    """For each target not yet met for 2030: how much is still needed and the pace needed a year
    after the review year, next to the pace kept since ``first_year``; in the final review (the
    review year is the end year) what it fell short by, next to the pace kept."""
    names = _indicator_names(lang)
    out = []
    for _, r in pace.iterrows():
        if is_missing(r["still_needed"]) or r["still_needed"] <= 0:
            continue
        unit = str(r["unit"])
        if int(r["review_year"]) >= int(r["end_year"]):
            key = "review_direction_final"
        elif is_missing(r["required_per_year"]):
            key = "review_direction_gap"
        else:
            key = "review_direction"
        out.append(
            label(
                key,
                lang,
                id=r["indicator_id"],
                name=names.get(r["indicator_id"], r["indicator_id"]),
                end=int(r["end_year"]),
                target=target_text(r["operator"], r["target_end"], unit, lang),
                needed=change_text(r["still_needed"], unit, lang),
                pace=change_text(r["required_per_year"], unit, lang),
                start=int(r["review_year"]) + 1,
                first=int(first_year),
                last=int(r["review_year"]),
                observed=change_text(r["observed_per_year"], unit, lang),
            )
        )
    return out


def drafted_area_directions(
    pace: pd.DataFrame, indicator_id: str, area_names: dict[str, str], lang: str = "vi"
) -> list[str]:
    """For a target set per area (T2): one sentence naming the areas still short of the 2030
    target and what each still needs; none when every area has met it."""
    rows = pace[(pace["indicator_id"] == indicator_id) & (pace["still_needed"] > 0)]
    if rows.empty:
        return []
    r0 = rows.iloc[0]
    unit = str(r0["unit"])
    items = "; ".join(
        f"{area_names.get(r.place_id, r.place_id)} (+{change_text(r.still_needed, unit, lang)})"
        for r in rows.itertuples(index=False)
    )
    return [
        label(
            "review_direction_areas",
            lang,
            id=indicator_id,
            name=_indicator_names(lang).get(indicator_id, indicator_id),
            end=int(r0["end_year"]),
            target=target_text(r0["operator"], r0["target_end"], unit, lang),
            n=len(rows),
            items=items,
        )
    ]


def drafted_lessons(
    pace: pd.DataFrame,
    period: pd.DataFrame,
    tasks: pd.DataFrame,
    lang: str = "vi",
    rules: dict | None = None,
) -> list[str]:
    """Lessons drafted from the period, only where the numbers show one: the targets already
    met for the end year, with the task groups serving them (``review.yaml``) that had
    activities; each target missed or behind although its task groups disbursed money; and
    money disbursed below the slow share in more than half of the period's years.

    ``pace``: :func:`analysis.reports.review.required_pace`; ``period``:
    :func:`analysis.reports.review.funding_period`; ``tasks``:
    :func:`analysis.reports.review.tasks_period`.
    """
    links = (rules or review_rules())["target_tasks"]
    groups = _names("task_group", lang)
    spent = tasks.set_index("task_group")["disbursed_mvnd"] if len(tasks) else pd.Series()
    active = [g for g in groups if g in spent.index and float(spent[g]) > 0]
    out = []
    met = pace[pace["status_end"] == "achieved"].sort_values("indicator_id")
    met_tasks = {g for tid in met["indicator_id"] for g in links.get(tid, []) if g in active}
    if len(met) and met_tasks:
        r = met.iloc[0]
        out.append(
            label(
                "review_lesson_met",
                lang,
                ids=", ".join(met["indicator_id"]),
                end=int(r["end_year"]),
                year=int(r["review_year"]),
                tasks="; ".join(groups[g] for g in groups if g in met_tasks),
            )
        )
    for _, r in pace.sort_values("indicator_id").iterrows():
        status = r["status_review"] if not is_missing(r["status_review"]) else r["status_end"]
        if status in GOOD or status in ("no_data", "not_assessable"):
            continue
        linked = [g for g in links.get(r["indicator_id"], []) if g in active]
        if linked:
            out.append(
                label(
                    "review_lesson_money",
                    lang,
                    id=r["indicator_id"],
                    status=_status_words(str(status), lang),
                    tasks="; ".join(groups[g] for g in linked),
                    disbursed=money_text(spent[linked].sum(), lang),
                )
            )
    slow = _slow(rules)
    years = period[
        period["year"].notna()
        & (period["funding_source"] == TOTAL)
        & period["disbursed_pct"].notna()
    ]
    slow_years = years[years["disbursed_pct"] < slow]
    if len(years) and 2 * len(slow_years) > len(years):
        out.append(
            label(
                "review_lesson_years_slow",
                lang,
                slow=format_percent(slow, 0, lang),
                n=len(slow_years),
                total=len(years),
                first=int(years["year"].min()),
                last=int(years["year"].max()),
            )
        )
    return out
