"""Builders of the report's blocks: each takes a :class:`ReportContext` and returns blocks of the
report model (tables as DataFrames with column specs, figures as PNG bytes, paragraphs).

The outline of each kind of report (``data/reference/report_outlines.yaml``) names these
builders; :data:`BUILDERS` maps the names to the functions. Numbers come from the context; the
words from ``labels.yaml``; the formatting from ``analysis.core.formatting`` via the model's
column specs. No HTML here.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from analysis.core.formatting import format_count, format_date, is_missing, value_text
from analysis.core.labels import label
from analysis.core.text import vi_order
from analysis.data import places as places_mod
from analysis.data import reference
from analysis.data.schemas import village_year_schema
from analysis.indicators.progress import assess_progress
from analysis.indicators.recognition import screen_villages
from analysis.reports import charts, tables
from analysis.reports.content import ReportContext, indicator_names, indicator_value, progress_row
from analysis.reports.model import Block, Column, Figure, Legend, Note, Table
from analysis.reports.targets import (
    TARGET_IDS,
    TARGET_YEARS,
    place_value_text,
    status_words,
    targets_table,
)

#: The number a heading label may carry ("2. ", "IV. ", "Phụ lục 3. "): the outline numbers
#: the headings, so a caption or heading made from such a label drops it.
NUMBERED = re.compile(r"^(?:[IVX]+\.|\d+\.|Phụ lục \d+\.|Appendix \d+\.)\s*")


def unnumbered(text: str) -> str:
    """``text`` without a leading section number (the outline gives the numbers)."""
    return NUMBERED.sub("", text)


def figure(fig: object, alt: str = "", width_mm: float = 160.0) -> Figure:
    """A Matplotlib figure as a PNG block (the figure is closed afterwards). The caption is
    ``alt`` without a section number: a label's number need not be the section's."""

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    caption = unnumbered(alt)
    return Figure(buffer.getvalue(), alt=caption, caption=caption, width_mm=width_mm)


def _province_id() -> str:
    return str(reference.province()["slug"])


# ------------------------------------------------------------------------------------ results


def targets(ctx: ReportContext) -> list[Block]:
    """T1-T6: baseline, value, each target, status and what is still needed."""
    blocks: list[Block] = [
        targets_table(ctx.indicators, ctx.progress, ctx.year, ctx.place_id, ctx.lang)
    ]
    blocks.append(Note(label("status_unverified_note", ctx.lang)))
    if ctx.place_id != _province_id():
        blocks.append(Note(label("province_scope_note", ctx.lang)))
    return blocks


def status_legend(ctx: ReportContext) -> list[Block]:
    """The status symbols, words and colours (every status the bands define)."""
    bands = reference.status_bands()
    return [Legend(list(bands["status"]), title=label("legend_title", ctx.lang))]


def progress_chart(ctx: ReportContext) -> list[Block]:
    """Observed values against the path to each target, for the place's own series (an area
    report plots the area's values; the province's targets are drawn as the reference)."""
    targets_ref = reference.targets()
    ind = ctx.indicators
    frames, tg_rows = [], []
    for tid in TARGET_IDS:
        tgt = targets_ref[targets_ref["indicator_id"] == tid]
        district_scope = (tgt["scope"] == "district").any()
        if district_scope and ctx.place["level"] != "district":
            continue  # T2 is counted per district-level area: the heat map shows the rest
        obs = ind[(ind["indicator_id"] == tid) & (ind["place_id"] == ctx.place_id)]
        frames.append(obs[["indicator_id", "year", "value"]])
        base = 0.0
        if tid in ("T5", "T6") and obs["value"].notna().any():
            base = float(obs.sort_values("year")["value"].dropna().iloc[0])
        for t in tgt.itertuples(index=False):
            tg_rows.append(
                {
                    "indicator_id": tid,
                    "target_year": t.target_year,
                    "target_value": t.value,
                    "base_value": base,
                }
            )
    values = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    ind_ref = reference.indicators()
    shares = set(ind_ref.loc[ind_ref["unit"] == "percent", "id"])
    fig = charts.plot_progress_paths(
        values,
        pd.DataFrame(tg_rows),
        indicator_names(ctx.lang),
        ctx.lang,
        base_year=2020,
        shares=shares,
    )
    return [figure(fig, label("sec_progress_charts", ctx.lang))]


def status_heatmap(ctx: ReportContext, target_year: int | None = None) -> list[Block]:
    """Every area (and the province) by indicator, coloured by status, with values written."""
    lang = ctx.lang
    ty = target_year or (2025 if ctx.year <= 2025 else 2030)
    table = places_mod.places()
    areas = table[table["level"].isin(["province", "district"])]
    names = dict(zip(areas["place_id"], areas["short_name_vi"], strict=True))
    cells = []
    for tid in TARGET_IDS:
        for place_id in names:
            value = indicator_value(ctx, tid, place_id, ctx.year)
            prow = progress_row(ctx, tid, place_id, ty)
            symbol = f"{prow['symbol']} " if prow is not None else ""
            text = symbol + place_value_text(tid, place_id, value, lang)
            status = prow["status"] if prow is not None else None
            cells.append(
                {"place_id": place_id, "indicator_id": tid, "status": status, "text": text}
            )
    title = label("chart_heatmap", lang, target_year=ty)
    fig = charts.plot_status_heatmap(
        pd.DataFrame(cells), names, list(TARGET_IDS), title, lang, highlight=ctx.place_id
    )
    return [figure(fig, title)]


def t2_by_area(ctx: ReportContext) -> list[Block]:
    """Commodity crafts per area against 2 (2025) and 3 (2030)."""
    lang = ctx.lang
    table = places_mod.places()
    areas = table[table["level"] == "district"]
    crafts = ctx.ds.crafts.set_index("craft_id")[f"name_{lang}"]
    dc = ctx.ds.district_crafts[ctx.ds.district_crafts["year"] == ctx.year]
    rows = []
    for a in areas.itertuples(index=False):
        names = ", ".join(
            str(crafts.get(c, c)) for c in dc.loc[dc["district_code"] == a.code, "craft_id"]
        )
        row: dict[str, object] = {
            "place": a.short_name_vi,
            "value": indicator_value(ctx, "T2", a.place_id, ctx.year),
            "crafts": names or "—",
        }
        for ty in TARGET_YEARS:
            prow = progress_row(ctx, "T2", a.place_id, ty)
            row[f"status_{ty}"] = None if prow is None else prow["status"]
        rows.append(row)
    columns = [
        Column("place", label("col_place", lang)),
        Column("value", label("col_value", lang, year=ctx.year), "count"),
        Column("crafts", label("col_craft", lang)),
    ] + [
        Column(f"status_{ty}", label("col_status", lang, target_year=ty), "status")
        for ty in TARGET_YEARS
    ]
    t2 = reference.targets()
    t2 = t2[t2["indicator_id"] == "T2"].sort_values("target_year")
    targets = ", ".join(
        label("t2_target_part", lang, value=format_count(t.value, lang), target_year=t.target_year)
        for t in t2.itertuples(index=False)
    )
    caption = label("t2_table_caption", lang, year=ctx.year, targets=targets)
    return [Table(pd.DataFrame(rows), columns, name="t2_by_area", caption=caption)]


def trends_chart(ctx: ReportContext) -> list[Block]:
    """Households, workers, income and revenue of the place's villages over the years."""
    totals = tables.yearly_totals(ctx.ds, ctx.place_id)
    totals = totals[totals["year"] <= ctx.year]
    return [figure(charts.plot_trends(totals, ctx.lang), label("sec_trends", ctx.lang))]


def village_rows(ctx: ReportContext) -> pd.DataFrame:
    """The place's villages with the Decree 52 screen of the year: one row per village, yes/no
    criteria as real booleans (missing stays missing)."""

    villages = tables.villages_in(ctx.ds.villages, ctx.place_id)
    screen = screen_villages(ctx.ds, ctx.year)
    merged = villages.merge(screen, on="village_id", how="left")
    return merged.sort_values(  # villages in Vietnamese order within each area
        ["district_code", "name_vi"], key=lambda c: vi_order(c) if c.name == "name_vi" else c
    )


def yes_no(value: object, lang: str) -> str:
    """``Có``/``Không`` from a Python, numpy or pandas boolean; a dash when unknown."""
    if is_missing(value) or value is pd.NA:
        return "—"
    return label("word_yes" if bool(value) else "word_no", lang)


def recognition_text(
    v: Any, year: int, recog: dict[str, dict[str, str]], lang: str
) -> tuple[str, bool]:
    """A village's recognition as it stood in ``year`` and whether it was then recognised: a
    recognition of a later year is not yet one ("Chưa công nhận"); a withdrawn one says when
    it was withdrawn (a village withdrawn in 2025 is no longer counted from 2025)."""
    recognised_year = (
        None if is_missing(v.recognition_date) else pd.Timestamp(v.recognition_date).year
    )
    if v.recognition == "none" or (recognised_year is not None and recognised_year > year):
        return recog["none"][lang], False
    text = recog[v.recognition][lang]
    details = [] if recognised_year is None else [f"{recognised_year}, {v.recognition_regime}"]
    withdrawn = getattr(v, "withdrawal_year", None)
    if not is_missing(withdrawn) and int(withdrawn) <= year:
        details.append(label("recognition_withdrawn", lang, year=int(withdrawn)))
        return f"{text} ({'; '.join(details)})", False
    return (f"{text} ({details[0]})" if details else text), True


def villages_table(ctx: ReportContext) -> list[Block]:
    """The place's villages: craft, former and new commune, recognition, the Decree 52 screen."""
    lang = ctx.lang
    merged = village_rows(ctx)
    crafts = ctx.ds.crafts.set_index("craft_id")[f"name_{lang}"]
    old = reference.communes_pre2025().set_index("code")["name_vi"]
    new = reference.communes_2025().set_index("code")["name_vi"]
    recog = reference.code_list("recognition")
    rows = []
    for v in merged.itertuples(index=False):
        rec, recognised = recognition_text(v, ctx.year, recog, lang)
        lacks = "" if recognised else (getattr(v, f"lacks_{lang}") or "—")
        rows.append(
            {
                "village_id": v.village_id,
                "village": v.name_vi,
                "craft": crafts.get(v.craft_id, v.craft_id),
                "communes": f"{old.get(v.old_commune_code, '')} → {new.get(v.commune_code, '')}",
                "recognition": rec,
                "household_share": None
                if is_missing(v.household_share)
                else 100 * float(v.household_share),
                "stable": yes_no(v.meets_stable_production, lang),
                "environment": yes_no(v.meets_environment, lang),
                "lacks": "" if is_missing(lacks) else lacks,
            }
        )
    columns = [
        Column("village", label("col_village", lang)),
        Column("craft", label("col_craft", lang)),
        Column("communes", label("col_communes", lang)),
        Column("recognition", label("col_recognition", lang)),
        Column("household_share", label("col_household_share", lang), "percent"),
        Column("stable", label("col_stable", lang)),
        Column("environment", label("col_environment", lang)),
        Column("lacks", label("col_lacks", lang)),
    ]
    return [
        Table(
            pd.DataFrame(rows, columns=["village_id", *[c.key for c in columns]]),
            columns,
            name="villages",
            wide=True,
        )
    ]


def funding_table(ctx: ReportContext) -> list[Block]:
    """Planned against disbursed money by source, with the total."""
    lang = ctx.lang
    funding = tables.funding_by_source(ctx.ds, ctx.place_id, ctx.year)
    sources = {k: v[lang] for k, v in reference.code_list("funding_source").items()}
    frame = pd.DataFrame(
        {
            "source": [sources.get(s, s) for s in funding["funding_source"]],
            "planned": funding["planned_mvnd"],
            "disbursed": funding["disbursed_mvnd"],
            "share": funding["disbursed_pct"],
        }
    )
    if len(funding):
        planned, disbursed = funding["planned_mvnd"].sum(), funding["disbursed_mvnd"].sum()
        total = {
            "source": label("total", lang),
            "planned": planned,
            "disbursed": disbursed,
            "share": 100 * disbursed / planned if planned else None,
        }
        frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    return [Table(frame, funding_columns(lang), name="funding")]


def funding_columns(lang: str) -> list[Column]:
    """The columns of a funding table: source, planned, disbursed (million VND), share."""
    return [
        Column("source", label("col_source", lang)),
        Column("planned", label("col_planned", lang), "number", 1),
        Column("disbursed", label("col_disbursed", lang), "number", 1),
        Column("share", label("col_disbursed_share", lang), "percent", 1),
    ]


def outputs_table(ctx: ReportContext) -> list[Block]:
    """What the money bought, by task group."""
    lang = ctx.lang
    tasks = tables.outputs_by_task(ctx.ds, ctx.place_id, ctx.year)
    groups = {k: v[lang] for k, v in reference.code_list("task_group").items()}
    frame = tasks.assign(task=[groups.get(g, g) for g in tasks["task_group"]])
    columns = [
        Column("task", label("col_task", lang)),
        Column("planned_mvnd", label("col_planned", lang), "number", 1),
        Column("disbursed_mvnd", label("col_disbursed", lang), "number", 1),
        Column("trainees", label("col_trainees", lang), "count"),
        Column("trade_fairs", label("col_trade_fairs", lang), "count"),
        Column("trademarks_registered", label("col_trademarks", lang), "count"),
    ]
    return [Table(frame, columns, name="outputs")]


def funding_chart(ctx: ReportContext) -> list[Block]:
    """Bars of planned and disbursed money by funding source."""
    funding = tables.funding_by_source(ctx.ds, ctx.place_id, ctx.year)
    sources = {k: v[ctx.lang] for k, v in reference.code_list("funding_source").items()}
    fig = charts.plot_funding(funding, sources, ctx.lang)
    return [figure(fig, label("chart_funding", ctx.lang), width_mm=130)]


def village_map(ctx: ReportContext) -> list[Block]:
    """The place's villages on a locator map over the 2025 commune centres."""
    villages = tables.villages_in(ctx.ds.villages, ctx.place_id).merge(
        tables.village_status(ctx.ds, ctx.year), on="village_id", how="left"
    )
    communes = reference.communes_2025()
    names = {s: label(f"map_{s}", ctx.lang) for s in tables.MAP_STATUSES}
    if ctx.place["level"] in ("district", "commune"):
        lat, lon = villages["lat"].mean(), villages["lon"].mean()
        near = (communes["lat"] - lat).abs().lt(0.35) & (communes["lon"] - lon).abs().lt(0.35)
        communes = communes[near]
    fig = charts.plot_village_map(
        villages, communes, names, ctx.lang, highlight_communes=set(villages["commune_code"])
    )
    return [figure(fig, label("chart_map", ctx.lang), width_mm=140)]


def data_quality(ctx: ReportContext) -> list[Block]:
    """Submissions (on time, late, missing) and missing values for the year."""
    lang = ctx.lang
    subs = tables.submissions_of_place(ctx.ds, ctx.place_id, ctx.year)
    names = tables.unit_names(lang)
    rows = []
    for s in subs.itertuples(index=False):
        if s.status == "missing":
            text = label("missing", lang)
        elif s.status == "late":
            text = label("late", lang, days=int(s.days_late))
        else:
            text = label("on_time", lang)
        rows.append(
            {
                "unit": names.get(s.unit_code, s.unit_code),
                "deadline": format_date(s.deadline, lang),
                "received": format_date(s.received_on, lang),
                "timeliness": text,
            }
        )
    columns = [
        Column(k, label(h, lang))
        for k, h in (
            ("unit", "col_unit_code"),
            ("deadline", "col_deadline"),
            ("received", "col_received"),
            ("timeliness", "col_timeliness"),
        )
    ]
    blocks: list[Block] = [
        Table(pd.DataFrame(rows, columns=[c.key for c in columns]), columns, name="submissions")
    ]
    missing = tables.missing_values(ctx.ds, ctx.place_id, ctx.year)
    schema_cols = village_year_schema().columns
    absent = label("villages_without_figures", lang)
    m_rows = [
        {
            "field": schema_cols[m.column].metadata[lang],
            "missing": f"{int(m.missing)}/{int(m.expected)}"
            + (f" (+{int(m.absent_rows)} {absent})" if m.absent_rows else ""),
        }
        for m in missing.itertuples(index=False)
    ]
    if m_rows:
        m_columns = [
            Column("field", label("col_column", lang)),
            Column("missing", label("col_missing_values", lang)),
        ]
        blocks.append(Table(pd.DataFrame(m_rows), m_columns, name="missing_values"))
    else:
        blocks.append(Note(label("no_missing_values", lang, year=ctx.year)))
    return blocks


def national_context(ctx: ReportContext) -> list[Block]:
    """The province's context indicators judged against Decision 801's national targets (a
    benchmark: Plan 244 sets no such targets for the province)."""

    lang = ctx.lang
    province_id = _province_id()
    national = reference.national_context_targets()
    statuses = assess_progress(ctx.indicators, ctx.year, national)
    ind = reference.indicators().set_index("id")
    rows = []
    for iid in dict.fromkeys(national["indicator_id"]):
        unit = str(ind.at[iid, "unit"])
        row: dict[str, object] = {
            "indicator": f"{iid}. {ind.at[iid, f'name_{lang}']}",
            "unit": unit,
            "value": indicator_value(ctx, iid, province_id, ctx.year),
        }
        for ty in TARGET_YEARS:
            hit = statuses[
                (statuses["indicator_id"] == iid)
                & (statuses["target_year"] == ty)
                & (statuses["place_id"] == province_id)
            ]
            if hit.empty:
                row[f"target_{ty}"], row[f"status_{ty}"] = None, None
                continue
            p = hit.iloc[0]
            op = str(p["operator"]).replace(">=", "≥").replace("<=", "≤")
            row[f"target_{ty}"] = f"{op} {value_text(p['target_value'], unit, lang)}"
            row[f"status_{ty}"] = p["status"]
        rows.append(row)
    columns = [
        Column("indicator", label("col_indicator", lang)),
        Column("value", label("col_value", lang, year=ctx.year), "value", unit_key="unit"),
    ]
    for ty in TARGET_YEARS:
        columns += [
            Column(f"target_{ty}", label("col_national_target", lang, target_year=ty)),
            Column(f"status_{ty}", label("col_status", lang, target_year=ty), "status"),
        ]
    return [Table(pd.DataFrame(rows), columns, name="national"), Note(label("national_note", lang))]


def status_words_of(ctx: ReportContext, indicator_id: str, place_id: str, ty: int) -> str:
    """Status words of one target for a place (for sentences)."""
    return status_words(progress_row(ctx, indicator_id, place_id, ty), ctx.lang)


Builder = Callable[..., list[Block]]
