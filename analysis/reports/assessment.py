"""Builders of the assessment sections: the words of the reporting units (never rewritten), and,
where a unit has written nothing, sentences drafted from the numbers and marked as drafted.

An area report speaks of the area's own results (its T2 status, its contribution to the
province's counts), not of the province's."""

from __future__ import annotations

import re

import pandas as pd

from analysis.core.formatting import value_text
from analysis.core.labels import label
from analysis.data import places as places_mod
from analysis.data import reference
from analysis.indicators.progress import assess_progress
from analysis.reports import tables
from analysis.reports.content import ReportContext, indicator_names, narrative_texts
from analysis.reports.model import Block, BulletList, Paragraph
from analysis.reports.targets import TARGET_IDS, still_needed

#: Statuses counted as strengths; every other status (whatever progress calls it) is a shortfall.
GOOD = ("achieved", "on_track")


def _rows(ctx: ReportContext) -> pd.DataFrame:
    """The statuses this report judges: the province's for the province, the area's own else."""
    p = ctx.progress
    rows = p[(p["place_id"] == ctx.place_id) & p["indicator_id"].isin(TARGET_IDS)]
    return rows.sort_values(["indicator_id", "target_year"])


def suggestion(ctx: ReportContext, r: pd.Series) -> str:
    """One sentence on one target's status, with what is still needed."""
    lang = ctx.lang
    names = indicator_names(lang)
    unit = str(reference.indicators().set_index("id").at[r["indicator_id"], "unit"])
    words = label(
        "suggestion_sentence",
        lang,
        id=r["indicator_id"],
        name=names[r["indicator_id"]],
        value=value_text(r["current_value"], unit, lang),
        target_year=int(r["target_year"]),
        target=value_text(r["target_value"], unit, lang),
        status=str(r[f"label_{lang}"]).lower(),
    )
    needed = still_needed(r, unit, lang)
    return words + (f"; {needed}" if needed else "") + "."


def sentences(ctx: ReportContext, rows: pd.DataFrame) -> list[str]:
    """One sentence per indicator: its value once, then each target year's target, status and
    what is still needed ("T1 (...): 2 — mục tiêu năm 2025 (1): đã đạt; mục tiêu năm 2030 (2):
    đã đạt."), rather than the same value and name repeated for each year. An indicator whose
    rows disagree on the value keeps one sentence a row."""
    lang = ctx.lang
    names = indicator_names(lang)
    units = reference.indicators().set_index("id")["unit"]
    out = []
    for tid, group in rows.groupby("indicator_id", sort=False):
        values = group["current_value"]
        if len(group) == 1 or values.isna().any() or values.nunique() > 1:
            out += [suggestion(ctx, r) for _, r in group.iterrows()]
            continue
        unit = str(units[tid])
        parts = []
        for _, r in group.sort_values("target_year").iterrows():
            part = label(
                "suggestion_part",
                lang,
                target_year=int(r["target_year"]),
                target=value_text(r["target_value"], unit, lang),
                status=str(r[f"label_{lang}"]).lower(),
            )
            needed = still_needed(r, unit, lang)
            parts.append(part + (f", {needed}" if needed else ""))
        out.append(
            label(
                "suggestion_merged",
                lang,
                id=tid,
                name=names[tid],
                value=value_text(values.iloc[0], unit, lang),
                parts="; ".join(parts),
            )
        )
    return out


def _contributions(ctx: ReportContext) -> list[str]:
    """An area's own counts towards the province-wide targets (T1, T3, T4) that are above 0."""
    lang = ctx.lang
    names = indicator_names(lang)
    ind = ctx.indicators
    out = []
    for tid in ("T1", "T3", "T4"):
        hit = ind[
            (ind["indicator_id"] == tid)
            & (ind["place_id"] == ctx.place_id)
            & (ind["year"] == ctx.year)
        ]
        if len(hit) and float(hit["value"].fillna(0).iloc[0]) > 0:
            out.append(
                label(
                    "suggestion_contribution",
                    lang,
                    id=tid,
                    name=names[tid],
                    value=value_text(hit["value"].iloc[0], "count", lang),
                )
            )
    return out


def _areas_missing_t2(ctx: ReportContext) -> list[str]:
    """For the province: the areas whose T2 (commodity crafts) is not achieved, by target year."""
    p = ctx.progress
    out = []
    for ty, rows in p[(p["indicator_id"] == "T2") & (p["place_level"] == "district")].groupby(
        "target_year"
    ):
        bad = rows[~rows["status"].isin(GOOD)]
        if len(bad):
            names = ", ".join(places_mod.place(pid)["short_name_vi"] for pid in bad["place_id"])
            out.append(label("suggestion_t2_areas", ctx.lang, target_year=int(ty), areas=names))
    return out


def _national_shortfalls(ctx: ReportContext) -> list[str]:
    """For the province: context indicators below Decision 801's national benchmark."""

    statuses = assess_progress(ctx.indicators, ctx.year, reference.national_context_targets())
    rows = statuses[
        (statuses["place_id"] == ctx.place_id)
        & ~statuses["status"].isin(GOOD)
        & statuses["current_value"].notna()
    ]
    return sentences(ctx, rows.sort_values(["indicator_id", "target_year"]))


def drafted(ctx: ReportContext, section: str) -> list[str]:
    """Sentences drafted from the numbers for ``strengths`` or ``shortcomings``."""
    rows = _rows(ctx)
    province = ctx.place["level"] == "province"
    if section == "strengths":
        out = sentences(ctx, rows[rows["status"].isin(GOOD)])
        return out + ([] if province else _contributions(ctx))
    if section == "shortcomings":
        out = sentences(ctx, rows[~rows["status"].isin(GOOD)])
        if province:
            out += _areas_missing_t2(ctx) + _national_shortfalls(ctx)
        return out
    return []


#: A line of a Markdown file that starts an item of a list ("- ", "* ", "+ ", "1. ", "a) ").
_ITEM = re.compile(r"^\s*(?:[-*+•]\s|\d{1,2}[.)]\s|[a-zđ]\)\s)")


#: Letters only Vietnamese writes (a paragraph with one is in Vietnamese, whatever the report's
#: language).
_VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)


def reflow(text: str) -> str:
    """A paragraph of a Markdown narrative file as it reads: lines wrapped in the file join with
    a space (as Markdown does), a list item keeps its own line. A workbook cell's line breaks
    are the writer's own (Alt+Enter) and are not reflowed."""
    lines = text.split("\n")
    out = [lines[0]]
    for line in lines[1:]:
        if _ITEM.match(line) or not out[-1].strip():
            out.append(line)
        else:
            out[-1] = f"{out[-1].rstrip()} {line.strip()}"
    return "\n".join(out)


def narrative(ctx: ReportContext, section: str, placeholder: bool = True) -> list[Block]:
    """The words people wrote for a section (the place's narrative file, then its units'
    workbooks), as they wrote them; else a placeholder and the sentences drafted from the
    numbers, marked as drafted. ``placeholder=False``: nothing when nobody wrote the section."""
    lang = ctx.lang
    texts = narrative_texts(ctx, section)
    blocks: list[Block] = []
    if len(texts):
        names = tables.unit_names(lang)
        several = texts["unit_code"].nunique() > 1
        if lang != "vi" and texts["text"].str.contains(_VIETNAMESE).any():
            # people's words are never translated: an English report says they are as written
            blocks.append(Paragraph(label("narrative_as_written", lang), style="italic"))
        for t in texts.itertuples(index=False):
            lead = ""
            if several and t.origin == "workbook" and t.paragraph == 1:
                lead = names.get(t.unit_code, t.unit_code) + ":"
            text = reflow(t.text) if t.origin == "file" else t.text
            blocks.append(Paragraph(text, style="unit", lead=lead))
        return blocks
    if not placeholder:
        return blocks
    hints = drafted(ctx, section)
    if not hints:  # the drafted mark already asks the unit to review, correct or replace
        return [Paragraph(label("narrative_missing", lang), style="italic")]
    blocks.append(Paragraph(label("drafted_mark", lang), style="drafted"))
    blocks.append(BulletList(hints, style="drafted"))
    return blocks
