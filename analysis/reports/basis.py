"""What a report's numbers rest on, printed where they are used: the reading of each target
counted in more than one documented way (T4), the reduction of Decree 52's environmental
conditions to two recorded facts, and T5 village by village (each component of "operating
effectively", met or not), so that a reader sees why a village counts (docs/domain.md, 1-2)."""

from __future__ import annotations

import pandas as pd

from analysis.core.labels import label
from analysis.indicators.compute import indicator_readings
from analysis.indicators.effectiveness import (
    effectiveness_by_village,
    effectiveness_definition,
    environment_footnote,
)
from analysis.indicators.explain import explain
from analysis.reports import tables
from analysis.reports.content import ReportContext
from analysis.reports.model import Block, Column, Note, Table
from analysis.reports.sections import yes_no


def readings_note(ctx: ReportContext) -> list[Block]:
    """One note per target counted by a documented reading: which reading this report used."""
    notes: list[Block] = []
    for row in indicator_readings().itertuples(index=False):
        notes.append(
            Note(
                label(
                    "reading_note",
                    ctx.lang,
                    indicator=row.indicator_id,
                    reading=label(f"reading_{row.reading_id}", ctx.lang),
                )
            )
        )
    return notes


def environment_note(ctx: ReportContext) -> list[Block]:
    """The footnote of every table that uses the environmental conditions."""
    return [Note(environment_footnote(ctx.lang))]


def effectiveness_table(ctx: ReportContext) -> list[Block]:
    """T5 shown: the place's recognised villages, each component met or not, and the verdict."""
    lang = ctx.lang
    frame = effectiveness_by_village(ctx.ds, ctx.year)
    here = set(tables.villages_in(ctx.ds.villages, ctx.place_id)["village_id"].astype(str))
    frame = frame[frame["village_id"].isin(here)]
    if frame.empty:
        return [Note(label("effectiveness_none", lang))]
    components = effectiveness_definition()
    rows = pd.DataFrame(
        {
            "village_id": frame["village_id"],
            "village": frame["name_vi"],
            **{c: [yes_no(v, lang) for v in frame[c]] for c in components["component_id"]},
            "effective": [yes_no(v, lang) for v in frame["effective"]],
        }
    )
    columns = [
        Column("village", label("col_village", lang)),
        *[Column(c.component_id, getattr(c, lang)) for c in components.itertuples(index=False)],
        Column("effective", label("col_effective", lang)),
    ]
    return [Table(rows.reset_index(drop=True), columns, name="effectiveness")]


#: The targets whose shortfall has members a reader can act on: facilities not yet compliant
#: (T6), recognised villages not operating effectively (T5).
STILL_MISSING = ("T6", "T5")


def still_missing(ctx: ReportContext) -> list[Block]:
    """Who is still missing: the members behind each shortfall of T5 and T6 in the place, from
    :func:`analysis.indicators.explain.explain` (the same members ``explain`` lists)."""
    lang = ctx.lang
    frames = [
        explain(ctx.ds, indicator, ctx.year, ctx.place_id, lang) for indicator in STILL_MISSING
    ]
    members = pd.concat(frames, ignore_index=True)
    members = members[members["gap"].fillna(0).gt(0)]
    if members.empty:
        return [Note(label("still_missing_none", lang))]
    rows = pd.DataFrame(
        {
            "member_id": members["member_id"],
            "indicator": members["indicator_id"],
            "village": members["name_vi"],
            "area": members["area"].fillna(""),
            "commune": members["commune"].fillna(""),
            "gap": members["gap"].astype(float),
            "reason": members["reason"],
        }
    )
    columns = [
        Column("indicator", label("col_indicator", lang)),
        Column("village", label("col_village", lang)),
        Column("area", label("col_area", lang)),
        Column("commune", label("col_commune_2025", lang)),
        Column("gap", label("col_gap", lang), "count"),
        Column("reason", label("col_reason", lang)),
    ]
    return [Table(rows.reset_index(drop=True), columns, name="still_missing")]
