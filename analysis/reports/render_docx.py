"""The report model (JSON) as a Word file, written with python-docx into a Word template.

The template (``templates/report_template.docx``, made by ``scripts/make_word_template.py``)
holds the page (A4, Decree 30 margins), the headers and footers (page number, any letterhead)
and the styles (Normal: Times New Roman 13 pt; headings; "Table Text"; "Note"; "Doc Header").
A user changes the look by editing that file in Word; nothing here sets a font or a size. A
style missing from a template falls back to Normal.
"""

from __future__ import annotations

import base64
import copy
import io
from pathlib import Path
from typing import Any

import docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

WORD_TEMPLATE = Path(__file__).resolve().parent / "templates" / "report_template.docx"
_WORD_LANG = {"vi": "vi-VN", "en": "en-GB"}


def _style(document: DocxDocument, name: str, fallback: str = "Normal") -> str:
    """``name`` when the template defines that style, else ``fallback`` (names cached)."""
    names = getattr(document, "_style_names", None)
    if names is None:
        names = {s.name for s in document.styles}
        document._style_names = names  # type: ignore[attr-defined]
    return name if name in names else fallback


def _style_id(document: DocxDocument, name: str) -> str:
    """The id of a paragraph style by name (falling back to Normal), cached: python-docx looks a
    style up by scanning every style, which costs seconds over a report's table cells."""
    cache = getattr(document, "_style_ids", None)
    if cache is None:
        cache = {}
        document._style_ids = cache  # type: ignore[attr-defined]
    if name not in cache:
        cache[name] = document.styles[_style(document, name)].style_id
    return cache[name]


def _set_style(p: Paragraph, document: DocxDocument, name: str) -> None:
    p._p.style = _style_id(document, name)


def _clear_body(document: DocxDocument) -> None:
    """Remove the template's sample content, keeping its last section (page, headers)."""
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _para(document: DocxDocument, text: str = "", style: str = "Normal", **kw: Any) -> Paragraph:
    p = document.add_paragraph()
    _set_style(p, document, style)
    if text:
        _run(p, text, **kw)
    return p


def _run(
    p: Paragraph, text: str, bold: bool = False, italic: bool = False, underline: bool = False
) -> None:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        run = p.add_run(line)
        run.bold, run.italic, run.underline = bold or None, italic or None, underline or None
        if i < len(lines) - 1:
            run.add_break()


def _no_borders(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.append(borders)


def _cell_text(
    cell: _Cell, document: DocxDocument, lines: list[tuple[str, dict]], style: str
) -> None:
    """Write lines (text, run options) into a cell, centred, one paragraph each."""
    for i, (text, opts) in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        _set_style(p, document, style)
        p.alignment = opts.pop("align", WD_ALIGN_PARAGRAPH.CENTER)
        _run(p, text, **opts)


def _front(document: DocxDocument, m: dict) -> None:
    f = m["front"]
    if f.get("draft"):
        p = _para(document, f["draft_word"], "Doc Header", bold=True)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    _widths(table, [0.42, 0.58], _text_width(document))
    left_lines = []
    if f.get("parent_body"):
        left_lines.append((f["parent_body"], {}))
    left_lines += [(f["body"], {"bold": True}), ("―――――", {}), (f["number"], {})]
    _cell_text(left, document, left_lines, "Doc Header")
    _cell_text(
        right,
        document,
        [
            (f["motto_1"], {"bold": True}),
            (f["motto_2"], {"bold": True, "underline": True}),
            (f["place_date"], {"italic": True}),
        ],
        "Doc Header",
    )
    title = _para(document, "", "Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, "\n".join(f["title_lines"]), bold=True)
    if f.get("recipient"):
        p = _para(document, f"{f['recipient_word']} {f['recipient']}")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if m.get("notice"):
        p = _para(document, m["notice"], "Note", bold=True)
        for run in p.runs:
            run.font.color.rgb = RGBColor(0x8B, 0x1A, 0x10)


def _shade(cell: _Cell, colour: str, text_colour: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), colour.lstrip("#").upper())
    cell._tc.get_or_add_tcPr().append(shd)
    for p in cell.paragraphs:
        for run in p.runs:
            run.font.color.rgb = RGBColor.from_string(text_colour.lstrip("#").upper())


def _text_width(document: DocxDocument) -> int:
    """Width of the text block of the current section (EMU)."""
    section = document.sections[-1]
    return int(section.page_width - section.left_margin - section.right_margin)


def _widths(table: Table, shares: list[float], total: int) -> None:
    """Fixed column widths (shares of ``total``): Word and LibreOffice otherwise spread the
    columns evenly, squeezing the long texts."""
    table.autofit = False
    widths = [int(total * share / sum(shares)) for share in shares]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _shares(b: dict, capacity: float) -> list[float]:
    """Column widths (in characters) from the text they hold: each column first gets its
    longest word (never broken inside a syllable or a number), then the room left goes to the
    columns whose lines are longer, up to ``capacity`` characters in all."""
    need, want = [], []
    for j, c in enumerate(b["columns"]):
        lines = [line for row in b["text"] for line in row[j].split("\n")]
        head = c["header"].split("\n")
        words = [w for line in [*lines, *head] for w in line.split()]
        cells = [len(line) for line in lines]
        longest = max((len(w) for w in words), default=3) + 1
        if c.get("numeric") or max(cells, default=0) <= 10:
            longest = max(longest, max(cells, default=0) + 1)
        need.append(float(longest))
        want.append(float(max(longest, min(max(cells, default=0), 30))))
    spare = max(capacity - sum(need), 0.0)
    extra = [w - n for w, n in zip(want, need, strict=True)]
    total = sum(extra) or 1.0
    return [n + spare * e / total for n, e in zip(need, extra, strict=True)]


def _repeat_header(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _table(document: DocxDocument, b: dict, statuses: dict) -> None:
    small = b["wide"] or len(b["columns"]) >= 8
    style = _style(document, "Table Text Small" if small else "Table Text")
    if b.get("caption"):
        _para(document, b["caption"], "Caption")
    table = document.add_table(rows=1 + len(b["text"]), cols=len(b["columns"]))
    table.style = document.styles[_style(document, "Table Grid", table.style.name)]
    rows = list(table.rows)  # table.rows is rebuilt on every access
    for cell, c in zip(rows[0].cells, b["columns"], strict=True):
        _set_style(cell.paragraphs[0], document, style)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(cell.paragraphs[0], c["header"], bold=True)
    _repeat_header(rows[0])
    width = _text_width(document)
    char_emu = 190_000 if small else 220_000  # an average letter of 9.5 pt / 11 pt Times
    _widths(table, _shares(b, width / char_emu), width)
    for i, row in enumerate(b["text"]):
        cells = rows[i + 1].cells
        for j, text in enumerate(row):
            p = cells[j].paragraphs[0]
            _set_style(p, document, style)
            if b["columns"][j]["numeric"]:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _run(p, text)
            status = b["styles"][i][j]
            if status and status in statuses:
                _shade(cells[j], statuses[status]["colour"], statuses[status]["text_colour"])


def _orient(document: DocxDocument, landscape: bool) -> None:
    """Start a new section in landscape or portrait (same margins turned)."""
    current = document.sections[-1]
    if (current.orientation == WD_ORIENT.LANDSCAPE) == landscape:
        return
    section = document.add_section(WD_SECTION.NEW_PAGE)
    width, height = current.page_width, current.page_height
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = height, width
    _number_pages(document, section)


def _number_pages(document: DocxDocument, section: Any) -> None:
    """A section after the first numbers every page, its first too: it shares the first
    section's page-number header explicitly (LibreOffice does not inherit a linked header)
    and drops the "different first page" the first section has for the front page."""
    sect = section._sectPr
    first_page = sect.find(qn("w:titlePg"))
    if first_page is not None:
        sect.remove(first_page)
    if sect.find(qn("w:headerReference")) is not None:
        return
    for ref in reversed(document.sections[0]._sectPr.findall(qn("w:headerReference"))):
        if ref.get(qn("w:type")) == "default":
            sect.insert(0, copy.deepcopy(ref))


def _block(document: DocxDocument, b: dict, statuses: dict, turned: bool = False) -> None:
    kind = b["type"]
    if kind == "paragraph":
        style = {"italic": "Note", "drafted": "Drafted"}.get(b["style"], "Normal")
        p = _para(document, "", style)
        if b.get("lead"):
            _run(p, b["lead"] + " ", bold=True)
        _run(p, b["text"], italic=b["style"] in ("italic", "drafted"))
    elif kind == "list":
        for item in b["items"]:
            _para(document, item, "List Bullet", italic=b.get("style") == "drafted")
    elif kind == "note":
        _para(document, b["text"], "Note", italic=True)
    elif kind == "keyfigures":
        for item in b["items"]:
            p = _para(document)
            _run(p, item["value"] + " ", bold=True)
            _run(p, item["label"])
    elif kind == "legend":
        p = _para(document, "", "Note")
        if b.get("title"):
            _run(p, b["title"] + ": ", bold=True)
        _run(p, " · ".join(f"{i['symbol']} {i['label']}" for i in b["items"]))
    elif kind == "figure":
        document.add_picture(io.BytesIO(base64.b64decode(b["png"])), width=Mm(b["width_mm"]))
        document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        if b.get("caption"):
            _para(document, b["caption"], "Caption").alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif kind == "table":
        if b["wide"] and not turned:
            _orient(document, True)
        _table(document, b, statuses)
        if b["wide"] and not turned:
            _orient(document, False)


def _turned_until(blocks: list[dict]) -> int:
    """Index of the last block on landscape pages: the last wide table and the notes after it."""
    last = max(i for i, b in enumerate(blocks) if b["type"] == "table" and b["wide"])
    while last + 1 < len(blocks) and blocks[last + 1]["type"] == "note":
        last += 1
    return last


def _wide(s: dict) -> bool:
    return any(b["type"] == "table" and b["wide"] for b in s["blocks"])


def _section(document: DocxDocument, s: dict, statuses: dict, carried: dict | None = None) -> None:
    """A section; one holding a wide table is on landscape pages whole, heading included, and
    so is the heading of a section with no text whose first subsection is turned."""
    turned = _wide(s)
    carry = not s["blocks"] and bool(s["sections"]) and _wide(s["sections"][0])
    if turned:
        _orient(document, True)
    for head in ([carried] if carried else []) + ([] if carry else [s]):
        _set_style(document.add_paragraph(head["heading"]), document, f"Heading {head['level']}")
    last = _turned_until(s["blocks"]) if turned else -1
    for i, b in enumerate(s["blocks"]):
        if turned and i == last + 1:
            _orient(document, False)  # a figure after the wide table is back in portrait
        _block(document, b, statuses, turned)
    if turned and last == len(s["blocks"]) - 1:
        _orient(document, False)
    for i, sub in enumerate(s["sections"]):
        _section(document, sub, statuses, s if carry and i == 0 else None)


def _back(document: DocxDocument, m: dict) -> None:
    b = m["back"]
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [0.5, 0.5], _text_width(document))
    left, right = table.rows[0].cells
    left_align = {"align": WD_ALIGN_PARAGRAPH.LEFT}
    lines = [(b["distribution_word"], {"bold": True, "italic": True, **left_align})]
    lines += [(f"- {line}", dict(left_align)) for line in b["distribution"]]
    _cell_text(left, document, lines, "Note")
    signer = [(line, {"bold": True}) for line in b["signer_lines"]]
    signer += [("\n\n\n", {}), (b.get("signer_name", ""), {"bold": True})]
    _cell_text(right, document, signer, "Normal")


def model_to_docx(model: dict[str, Any], template: Path | str | None = None) -> bytes:
    """The report model as the bytes of a ``.docx`` written into ``template``."""
    document = docx.Document(str(template or WORD_TEMPLATE))
    _clear_body(document)
    _front(document, model)
    for s in model["sections"]:
        _section(document, s, model["statuses"])
    _back(document, model)
    props = document.core_properties
    props.title = model["title"]
    props.language = _WORD_LANG.get(model["lang"], model["lang"])
    props.comments = model.get("notice", "")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
