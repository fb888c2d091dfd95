"""Builders of the appendices: indicator values by year, the components of each status, the
definitions, and the method explained in plain words ("Phương pháp đánh giá"), generated from the
reference data (thresholds, the reading of each target, what is not verified)."""

from __future__ import annotations

import re

import pandas as pd

from analysis.core.formatting import format_number, is_missing, value_text
from analysis.core.labels import label
from analysis.data import places as places_mod
from analysis.data import reference
from analysis.reports.content import ReportContext
from analysis.reports.model import Block, BulletList, Column, Paragraph, Table
from analysis.reports.targets import target_text

_FILE = re.compile(r"\b[\w-]+\.(?:yaml|csv|md)\b")


def plain_words(text: object, lang: str) -> str:
    """A reference text as a report prints it: a file named in it (``effectiveness.yaml``)
    becomes the words "the project's criteria" (the reader has no files)."""
    out = _FILE.sub(label("project_criteria", lang), str(text))
    out = re.sub(r"\[\d+\]", "", out)  # a footnote mark of the source, whose note is not printed
    return out.replace(", correctable here", "")


def _scope(ctx: ReportContext) -> list[str]:
    province_id = str(reference.province()["slug"])
    return [ctx.place_id, province_id] if ctx.place_id != province_id else [province_id]


def appendix_values(ctx: ReportContext) -> list[Block]:
    """Every indicator of the place by year (the whole period for a review)."""
    lang = ctx.lang
    ind = reference.indicators().set_index("id")
    values = ctx.indicators[ctx.indicators["place_id"] == ctx.place_id]
    years = sorted(int(y) for y in values["year"].unique())
    rows = []
    for iid in ind.index:
        sub = values[values["indicator_id"] == iid].set_index("year")["value"]
        if sub.empty:
            continue
        row: dict[str, object] = {"indicator": f"{iid}. {ind.at[iid, f'name_{lang}']}"}
        row["unit"] = ind.at[iid, "unit"]
        for y in years:
            row[str(y)] = sub.get(y)
        rows.append(row)
    columns = [Column("indicator", label("col_indicator", lang))] + [
        Column(str(y), str(y), "value", unit_key="unit") for y in years
    ]
    return [Table(pd.DataFrame(rows), columns, name="values_by_year", wide=len(years) > 6)]


def appendix_audit(ctx: ReportContext) -> list[Block]:
    """The components behind each status: base, current, target, ratios, projection."""
    lang = ctx.lang
    ind = reference.indicators().set_index("id")
    p = ctx.progress[ctx.progress["place_id"].isin(_scope(ctx))].sort_values(
        ["indicator_id", "target_year", "place_id"]
    )
    rows = []
    for r in p.itertuples(index=False):
        unit = str(ind.at[r.indicator_id, "unit"])
        method = label(f"method_{r.method}", lang) if r.method in ("linear", "growth") else r.method
        rows.append(
            {
                "indicator": r.indicator_id,
                "place": places_mod.place(r.place_id)["short_name_vi"],
                "target": f"{r.target_year}: {value_text(r.target_value, unit, lang)}",
                "method": method,
                "base": f"{'' if is_missing(r.base_year) else int(r.base_year)} / "
                f"{value_text(r.base_value, unit, lang)}",
                "current": f"{'' if is_missing(r.current_year) else int(r.current_year)} / "
                f"{value_text(r.current_value, unit, lang)}",
                "gap_closed": r.gap_closed_share,
                "time_elapsed": r.time_elapsed_share,
                "ratio": r.ratio,
                "projection": value_text(r.projection, unit, lang),
                "status": r.status,
            }
        )
    columns = [
        Column("indicator", label("col_indicator", lang)),
        Column("place", label("col_place", lang)),
        Column("target", label("col_target", lang, target_year="").strip()),
        Column("method", label("col_method", lang)),
        Column("base", label("col_base", lang)),
        Column("current", label("col_current", lang)),
        Column("gap_closed", label("col_gap_closed", lang), "number", 2),
        Column("time_elapsed", label("col_time_elapsed", lang), "number", 2),
        Column("ratio", label("col_ratio", lang), "number", 2),
        Column("projection", label("col_projection", lang)),
        Column("status", label("col_assessment", lang), "status"),
    ]
    return [Table(pd.DataFrame(rows), columns, name="audit", wide=True)]


def appendix_definitions(ctx: ReportContext) -> list[Block]:
    """Indicator definitions and their sources (documents, not files)."""
    lang = ctx.lang
    ind = reference.indicators()
    frame = pd.DataFrame(
        {
            "indicator": [f"{r.id}. {getattr(r, f'name_{lang}')}" for r in ind.itertuples()],
            "formula": [plain_words(x, lang) for x in ind[f"formula_{lang}"]],
            "method": [label(f"method_{m}", lang) for m in ind["method"]],
            "source": [plain_words(x, lang) for x in ind["source"]],
        }
    )
    columns = [
        Column("indicator", label("col_indicator", lang)),
        Column("formula", label("col_formula", lang)),
        Column("method", label("col_method", lang)),
        Column("source", label("col_source_ref", lang)),
    ]
    return [Table(frame, columns, name="definitions")]


def method_appendix(ctx: ReportContext) -> list[Block]:
    """ "Phương pháp đánh giá": how a status is decided, in plain words, from the reference data
    (the status bands and their rules, the reading of each target, what is unverified)."""
    lang = ctx.lang
    bands = reference.status_bands()
    blocks: list[Block] = [Paragraph(label("method_intro", lang))]
    limits = reference.read_yaml("progress_thresholds.yaml")
    numbers = {
        k: format_number(limits[k], 2, lang)
        for k in ("on_track", "acceleration_needed", "limited_progress")
        if k in limits
    }
    items = []
    for b in bands.itertuples(index=False):
        # every status has its rule in the report's language (labels.yaml); the English
        # ``rule`` of status_bands.csv documents the band and is never printed
        rule = label(f"method_rule_{b.status}", lang, **numbers)
        items.append(f"{b.symbol} {getattr(b, f'label_{lang}')} — {rule}")
    blocks.append(BulletList(items))
    blocks.append(Paragraph(label("method_deadline", lang)))
    blocks.append(Paragraph(label("method_linear_text", lang)))
    blocks.append(Paragraph(label("method_growth_text", lang)))
    targets = reference.targets()
    units = reference.indicators().set_index("id")["unit"]
    readings = []
    for _, t in targets.iterrows():
        mark = "" if bool(t["verified"]) else f" ({label('method_unverified', lang)})"
        text = t["text_vi"] if lang == "vi" else t["reading"]
        # the target as the tables count it, so an interpreted target shows its reading
        plain = pd.Series({**t.to_dict(), "verified": True})  # the star: the mark below says it
        counted = target_text(plain, str(units[t["indicator_id"]]), lang, False)
        readings.append(
            f"{t['indicator_id']} ({t['target_year']}, {counted}): {plain_words(text, lang)}{mark}"
        )
    blocks.append(Paragraph(label("method_targets", lang)))
    blocks.append(BulletList(readings))
    return blocks
