"""Builders of the mid-term (2025) and final (2030) review's own blocks: the whole period from
2021, from the tables of :mod:`analysis.reports.review` and the sentences of
:mod:`analysis.reports.review_text`. The review outline (``report_outlines.yaml``, kind
``review``) names them; ``analysis.reports.build.BUILDERS`` maps the names to these functions.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.labels import label
from analysis.data import places as places_mod
from analysis.data import reference
from analysis.reports import charts, review, review_text, tables
from analysis.reports.assessment import drafted, narrative
from analysis.reports.content import (
    ReportContext,
    indicator_names,
    narrative_texts,
    progress_row,
)
from analysis.reports.model import Block, BulletList, Column, Note, Paragraph, Table
from analysis.reports.sections import figure, funding_columns
from analysis.reports.targets import place_value_text, status_words, target_text

#: The year the programme ends; the review of an earlier year looks ahead to it.
END_YEAR = 2030


def period_activities(ctx: ReportContext) -> pd.DataFrame:
    """The activities of the place's units from 2021 to the report's year."""
    first = review.period_start()
    frames = [
        tables.activities_of_place(ctx.ds, ctx.place_id, y) for y in range(first, ctx.year + 1)
    ]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else ctx.ds.activities.iloc[0:0]


def _years_text(first: object, last: object) -> str:
    return str(int(first)) if int(first) == int(last) else f"{int(first)}-{int(last)}"


def review_targets_by_year(ctx: ReportContext) -> list[Block]:
    """T1-T6 year by year since 2021, with the 2025 and 2030 targets."""
    lang = ctx.lang
    first = review.period_start()
    targets = reference.targets()
    series = review.target_series(ctx.indicators, targets, ctx.place_id, first, ctx.year)
    names = indicator_names(lang)
    units = reference.indicators().set_index("id")["unit"]
    is_area = ctx.place_id != str(reference.province()["slug"])
    years = list(range(first, ctx.year + 1))
    rows = []
    for r in series.itertuples(index=False):
        tid = r.indicator_id
        row: dict[str, object] = {"indicator": f"{tid}. {names[tid]}"}
        for y in years:
            row[f"y{y}"] = place_value_text(tid, ctx.place_id, getattr(r, f"y{y}"), lang)
        for ty in (2025, END_YEAR):
            hit = targets[(targets["indicator_id"] == tid) & (targets["target_year"] == ty)]
            row[f"target_{ty}"] = (
                "—" if hit.empty else target_text(hit.iloc[0], str(units[tid]), lang, is_area)
            )
        rows.append(row)
    columns = [Column("indicator", label("col_indicator", lang))]
    columns += [Column(f"y{y}", str(y)) for y in years]
    columns += [
        Column(f"target_{ty}", label("col_target", lang, target_year=ty)) for ty in (2025, END_YEAR)
    ]
    return [Table(pd.DataFrame(rows), columns, name="review_targets_by_year", wide=True)]


def review_funding(ctx: ReportContext) -> list[Block]:
    """Money planned and disbursed by year and source since 2021, with the totals and the
    disbursed share."""
    lang = ctx.lang
    period = review.funding_period(period_activities(ctx), review.period_start(), ctx.year)
    sources = {k: v[lang] for k, v in reference.code_list("funding_source").items()}
    frame = pd.DataFrame(
        {
            "year": [
                label("col_period", lang) if pd.isna(y) else str(int(y)) for y in period["year"]
            ],
            "source": [
                label("total", lang) if s == review.TOTAL else sources.get(s, s)
                for s in period["funding_source"]
            ],
            "planned": period["planned_mvnd"],
            "disbursed": period["disbursed_mvnd"],
            "share": period["disbursed_pct"],
        }
    )
    columns = [Column("year", label("col_year", lang)), *funding_columns(lang)]
    return [Table(frame, columns, name="review_funding")]


def review_funding_chart(ctx: ReportContext) -> list[Block]:
    """Money disbursed each year, stacked by source, against the year's planned total."""
    acts = period_activities(ctx)
    if acts.empty:
        return [Note(label("none_yet", ctx.lang))]
    sources = {k: v[ctx.lang] for k, v in reference.code_list("funding_source").items()}
    fig = charts.plot_funding_years(acts, sources, ctx.lang)
    return [figure(fig, label("sec_review_funding", ctx.lang))]


def review_tasks(ctx: ReportContext) -> list[Block]:
    """Each task group over the period: activities, bodies, money and outputs."""
    lang = ctx.lang
    tasks = review.tasks_period(period_activities(ctx))
    groups = {k: v[lang] for k, v in reference.code_list("task_group").items()}
    frame = tasks.assign(
        task=[groups.get(g, g) for g in tasks["task_group"]],
        years=[
            _years_text(a, b) for a, b in zip(tasks["first_year"], tasks["last_year"], strict=True)
        ],
    )
    columns = [
        Column("task", label("col_task", lang)),
        Column("years", label("col_years_active", lang)),
        Column("activities", label("col_activities", lang), "count"),
        Column("bodies", label("col_bodies", lang), "count"),
        Column("planned_mvnd", label("col_planned", lang), "number", 1),
        Column("disbursed_mvnd", label("col_disbursed", lang), "number", 1),
        Column("disbursed_pct", label("col_disbursed_share", lang), "percent", 1),
        Column("trainees", label("col_trainees", lang), "count"),
        Column("trade_fairs", label("col_trade_fairs", lang), "count"),
        Column("trademarks_registered", label("col_trademarks", lang), "count"),
    ]
    return [Table(frame, columns, name="review_tasks", wide=True)]


def review_bodies(ctx: ReportContext) -> list[Block]:
    """Which body did what over the period: its task groups, activities, money and trainees."""
    lang = ctx.lang
    bodies = review.activities_by_body(period_activities(ctx), review.unit_directory(lang))
    groups = {k: v[lang] for k, v in reference.code_list("task_group").items()}
    frame = bodies.assign(
        level_text=[label(f"level_{lv}", lang) for lv in bodies["level"]],
        years=[
            _years_text(a, b)
            for a, b in zip(bodies["first_year"], bodies["last_year"], strict=True)
        ],
        tasks=["; ".join(groups.get(t, t) for t in ts) for ts in bodies["task_groups"]],
    )
    columns = [
        Column("body", label("col_body", lang)),
        Column("level_text", label("col_level", lang)),
        Column("years", label("col_years_active", lang)),
        Column("tasks", label("col_task_groups", lang)),
        Column("activities", label("col_activities", lang), "count"),
        Column("planned_mvnd", label("col_planned", lang), "number", 1),
        Column("disbursed_mvnd", label("col_disbursed", lang), "number", 1),
        Column("disbursed_pct", label("col_disbursed_share", lang), "percent", 1),
        Column("trainees", label("col_trainees", lang), "count"),
    ]
    return [Table(frame, columns, name="review_bodies", wide=True)]


def _pace(ctx: ReportContext, areas: bool = False) -> pd.DataFrame:
    """What each target needs to 2030: the place's own targets (``areas``: the areas' T2)."""
    if areas:
        table = places_mod.places()
        ids = list(table.loc[table["level"] == "district", "place_id"])
    else:
        ids = [ctx.place_id]
    return review.required_pace(ctx.progress, ids, min(ctx.year, END_YEAR), END_YEAR)


def review_pace(ctx: ReportContext) -> list[Block]:
    """Each target's value in the review year, its status for the review year, what it still
    needs for 2030 and the pace needed a year, next to the pace kept since 2021."""
    lang = ctx.lang
    pace = _pace(ctx)
    names = indicator_names(lang)
    first, start = review.period_start(), ctx.year + 1
    # the status shown: the review year's own target (2025, 2030), else the 2030 one
    status_year = ctx.year if ctx.year in (2025, END_YEAR) else END_YEAR
    rows = []
    for r in pace.itertuples(index=False):
        unit = str(r.unit)
        prow = progress_row(ctx, r.indicator_id, r.place_id, status_year)
        rows.append(
            {
                "indicator": f"{r.indicator_id}. {names[r.indicator_id]}",
                "value": place_value_text(r.indicator_id, r.place_id, r.value, lang),
                "status": status_words(prow, lang),
                "status_id": None if prow is None else prow["status"],
                "target_end": review_text.target_text(r.operator, r.target_end, unit, lang),
                "gap": review_text.change_text(r.still_needed, unit, lang),
                "needed": review_text.change_text(r.required_per_year, unit, lang),
                "kept": review_text.change_text(r.observed_per_year, unit, lang),
                "ratio": r.pace_ratio,
            }
        )
    columns = [
        Column("indicator", label("col_indicator", lang)),
        Column("value", label("col_value", lang, year=ctx.year)),
        Column("status", label("col_status", lang, target_year=status_year)),
        Column("target_end", label("col_target", lang, target_year=END_YEAR)),
        Column("gap", label("col_gap_end", lang, end=END_YEAR)),
    ]
    if ctx.year < END_YEAR:
        columns += [
            Column("needed", label("col_pace_needed", lang, start=start, end=END_YEAR)),
            Column("kept", label("col_pace_kept", lang, first=first, last=ctx.year)),
            Column("ratio", label("col_pace_ratio", lang), "number", 1),
        ]
    frame = pd.DataFrame(rows, columns=["status_id", *[c.key for c in columns]])
    return [Table(frame, columns, name="review_pace", status_of={"status": "status_id"}, wide=True)]


def drafted_review(ctx: ReportContext, section: str) -> list[str]:
    """Sentences drafted from the period's numbers for one assessment section of the review."""

    lang = ctx.lang
    acts = period_activities(ctx)
    first = review.period_start()
    period = review.funding_period(acts, first, ctx.year)
    tasks = review.tasks_period(acts)
    pace = _pace(ctx)
    if section == "strengths":
        return drafted(ctx, section) + review_text.drafted_strengths(period, tasks, lang)
    if section == "shortcomings":
        return drafted(ctx, section) + review_text.drafted_shortcomings(period, tasks, lang)
    if section == "causes":
        return review_text.drafted_causes(pace, tasks, lang)
    if section == "lessons":
        return review_text.drafted_lessons(pace, period, tasks, lang)
    if section == "directions" and ctx.year < END_YEAR:
        table = places_mod.places()
        areas = table[table["level"] == "district"]
        names = dict(zip(areas["place_id"], areas["short_name_vi"], strict=True))
        return review_text.drafted_directions(pace, first, lang) + (
            review_text.drafted_area_directions(_pace(ctx, areas=True), "T2", names, lang)
        )
    return []


def review_narrative(ctx: ReportContext, section: str) -> list[Block]:
    """What people wrote for a section of the review, as written; else a placeholder and the
    sentences drafted from the whole period's numbers, marked as drafted."""

    if len(narrative_texts(ctx, section)):
        return narrative(ctx, section)
    hints = drafted_review(ctx, section)
    if not hints:  # the drafted mark already asks the unit to review, correct or replace
        return [Paragraph(label("narrative_missing", ctx.lang), style="italic")]
    return [
        Paragraph(label("drafted_mark", ctx.lang), style="drafted"),
        BulletList(hints, style="drafted"),
    ]
