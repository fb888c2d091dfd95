"""Build a report model from its outline: ``build_report(kind, year, place, ...)``.

The outline of each kind (``data/reference/report_outlines.yaml``) lists the sections in order
and the builders each shows; the front matter (issuing body, number, motto, place and date,
title, recipient, draft mark) and the back matter (recipients, signature) follow Decree
30/2020/NĐ-CP, from the reference files. A report notebook calls :func:`build_report` once and
displays the result; the executed notebook then carries the model for every renderer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from analysis.core.labels import label
from analysis.data import reference
from analysis.reports import appendices, assessment, basis, review_sections, sections
from analysis.reports.content import ReportContext, prepare
from analysis.reports.model import Block, Report, Section
from analysis.reports.targets import status_looks

BUILDERS: dict[str, Callable[..., list[Block]]] = {
    "targets": sections.targets,
    "readings_note": basis.readings_note,
    "environment_note": basis.environment_note,
    "effectiveness_table": basis.effectiveness_table,
    "still_missing": basis.still_missing,
    "status_legend": sections.status_legend,
    "progress_chart": sections.progress_chart,
    "status_heatmap": sections.status_heatmap,
    "t2_by_area": sections.t2_by_area,
    "trends_chart": sections.trends_chart,
    "villages_table": sections.villages_table,
    "funding_table": sections.funding_table,
    "outputs_table": sections.outputs_table,
    "funding_chart": sections.funding_chart,
    "village_map": sections.village_map,
    "data_quality": sections.data_quality,
    "national_context": sections.national_context,
    "narrative": assessment.narrative,
    "appendix_values": appendices.appendix_values,
    "appendix_audit": appendices.appendix_audit,
    "appendix_definitions": appendices.appendix_definitions,
    "method_appendix": appendices.method_appendix,
    "review_targets_by_year": review_sections.review_targets_by_year,
    "review_tasks": review_sections.review_tasks,
    "review_bodies": review_sections.review_bodies,
    "review_funding": review_sections.review_funding,
    "review_funding_chart": review_sections.review_funding_chart,
    "review_pace": review_sections.review_pace,
    "review_narrative": review_sections.review_narrative,
}
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def outline(kind: str) -> list[dict[str, Any]]:
    """The outline of a kind of report (sections in order)."""
    kinds = reference.read_yaml("report_outlines.yaml")["kinds"]
    if kind not in kinds:
        raise ValueError(f"no outline for report kind {kind!r}; valid: {', '.join(kinds)}")
    return kinds[kind]


def _heading(key: str, style: str, n: int, lang: str) -> str:
    text = sections.unnumbered(label(key, lang))
    if style == "roman":
        return f"{_ROMAN[n - 1]}. {text.upper()}"
    if style == "arabic":
        return f"{n}. {text}"
    if style == "appendix":
        return f"{label('appendix_word', lang)} {n}. {text}"
    return text.upper() if key == "sec_appendix" else text


def _blocks(ctx: ReportContext, specs: list[Any]) -> list[Block]:
    out: list[Block] = []
    for spec in specs:
        name, kwargs = (spec, {}) if isinstance(spec, str) else (spec["builder"], dict(spec))
        kwargs.pop("builder", None)
        if name not in BUILDERS:
            raise ValueError(
                f"unknown builder {name!r} in the outline; valid: {', '.join(BUILDERS)}"
            )
        out += BUILDERS[name](ctx, **kwargs)
    return out


def _sections(ctx: ReportContext, nodes: list[dict[str, Any]], level: int) -> list[Section]:
    out, counters = [], {"roman": 0, "arabic": 0, "appendix": 0, "none": 0}
    for node in nodes:
        style = node.get("number", "roman" if level == 1 else "arabic")
        counters[style] += 1
        out.append(
            Section(
                heading=_heading(node["heading"], style, counters[style], ctx.lang),
                level=level,
                blocks=_blocks(ctx, node.get("blocks", [])),
                sections=_sections(ctx, node.get("sections", []), level + 1),
                id=node["heading"],
            )
        )
    return out


#: Longest line of a body's name in the header's left column (12 pt capitals in 44 % of the
#: 165 mm text width hold about 25); words a line of a body's name starts with by custom.
HEADER_LINE = 25
_LINE_STARTS = ("TỈNH", "HUYỆN", "THÀNH", "XÃ", "PHƯỜNG", "THỊ", "VÀ", "AND", "OF")


def header_lines(name: str, limit: int = HEADER_LINE) -> str:
    """A body's name in the Decree 30 header, broken into lines of at most ``limit``
    characters where a line of the name customarily starts ("ỦY BAN NHÂN DÂN" / "TỈNH LẠNG
    SƠN", "SỞ NÔNG NGHIỆP" / "VÀ MÔI TRƯỜNG"), else at the most even split; never inside a
    word. Lines are joined with a line break, which every renderer keeps."""
    words = name.split()
    if len(name) <= limit or len(words) < 2:
        return name

    def cost(i: int) -> float:
        left, right = " ".join(words[:i]), " ".join(words[i:])
        return max(len(left), len(right)) - (6 if words[i] in _LINE_STARTS else 0)

    cut = min(range(1, len(words)), key=cost)
    left, right = " ".join(words[:cut]), " ".join(words[cut:])
    return f"{header_lines(left, limit)}\n{header_lines(right, limit)}"


def _front_back(ctx: ReportContext, issued: date, final: bool) -> tuple[dict, dict, str]:
    """Front matter (header, title, recipient, draft mark) and back matter (recipients,
    signature) from the report's Decree 30 form (``report_forms.yaml``)."""
    form = reference.report_form(ctx.kind, ctx.place_id, lang=ctx.lang, year=ctx.year)
    recipients = list(form["recipients"])
    front = {
        "parent_body": header_lines(form["parent_body_header"]),
        "body": header_lines(form["issuing_body_header"]),
        "number": form["number_line"],
        "motto_1": form["national_title"],
        "motto_2": form["motto"],
        "place_date": reference.form_date_line(form, issued),
        "title_lines": [form["title"], form["subject"]],
        "recipient": "; ".join(recipients),
        "recipient_word": form["recipient_label"],
        "draft": not final,
        "draft_word": form["draft_mark"],
    }
    back = {
        "distribution_word": form["distribution_label"],
        "distribution": list(form["distribution"]),
        "signer_lines": list(form["signer_lines"]),
        "signer_name": form["signer_name"],
    }
    return front, back, f"{form['title']} {form['subject']}"


def build_report(
    kind: str,
    year: int,
    place: str,
    lang: str = "vi",
    db_path: str | Path = "",
    issued: str | date | None = None,
    final: bool = False,
) -> Report:
    """The report model of one kind, year, place and language.

    ``issued``: the date of issue (``YYYY-MM-DD`` or a date; default today); ``final``: without
    the "DỰ THẢO" (draft) mark. Raises ``ValueError`` naming the valid choices for a bad kind,
    place, year or language.
    """
    ctx = prepare(kind, year, place, lang, db_path)
    day = date.fromisoformat(issued) if isinstance(issued, str) and issued else issued
    front, back, title = _front_back(ctx, day or date.today(), final)
    return Report(
        kind=kind,
        year=year,
        place_id=place,
        lang=lang,
        title=title,
        front=front,
        back=back,
        sections=_sections(ctx, outline(kind), 1),
        statuses=status_looks(ctx.progress, lang),
        synthetic=bool(ctx.ds.synthetic),
        notice=label("synthetic", lang) if ctx.ds.synthetic else "",
    )
