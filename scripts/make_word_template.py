"""Make the Word template of the reports (analysis/reports/templates/report_template.docx).

Run once; afterwards the file is edited in Word (letterhead, fonts, styles) and committed. The
template holds: A4 with the margins of Decree 30/2020/NĐ-CP (top/bottom 20 mm, left 30 mm,
right 15 mm); Times New Roman 13 pt; headings in bold 13 pt; the page number centred at the top
from page 2 on; the styles the renderer uses ("Doc Header", "Table Text", "Table Text Small",
"Note", "Drafted", "Caption", "List Bullet", "Table Grid").

    .venv/bin/python scripts/make_word_template.py [OUT.docx] [--font NAME] [--letterhead TEXT]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

OUT = (
    Path(__file__).resolve().parents[1]
    / "analysis"
    / "reports"
    / "templates"
    / "report_template.docx"
)


def _font(
    style, name: str, size: float, bold: bool | None = None, italic: bool | None = None
) -> None:
    style.font.name = name
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = italic
    style.font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), name)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def _paragraph_style(document, name: str, base: str = "Normal"):
    styles = document.styles
    if name in {s.name for s in styles}:
        return styles[name]
    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[base]
    return style


def _page_number(paragraph) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def make(out: Path, font: str = "Times New Roman", letterhead: str = "") -> Path:
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    section.different_first_page_header_footer = True  # no page number on page 1
    styles = document.styles
    normal = styles["Normal"]
    _font(normal, font, 13)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    normal.paragraph_format.line_spacing = 1.1
    for level in (1, 2, 3, 4):
        heading = styles[f"Heading {level}"]
        _font(heading, font, 13, bold=True, italic=level == 4)
        heading.paragraph_format.space_before = Pt(10)
        heading.paragraph_format.space_after = Pt(4)
        heading.paragraph_format.keep_with_next = True
    title = styles["Title"]
    _font(title, font, 14, bold=True)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(12)
    title.paragraph_format.space_after = Pt(6)
    pr = title.element.get_or_add_pPr()
    for border in pr.findall(qn("w:pBdr")):
        pr.remove(border)
    for name, size, italic in (
        ("Doc Header", 12, None),
        ("Table Text", 11, None),
        ("Table Text Small", 9.5, None),
        ("Note", 11, None),
        ("Drafted", 13, True),
    ):
        style = _paragraph_style(document, name)
        _font(style, font, size, italic=italic)
        style.paragraph_format.space_after = Pt(0 if "Table" in name or name == "Doc Header" else 4)
        style.paragraph_format.alignment = (
            WD_ALIGN_PARAGRAPH.CENTER if name == "Doc Header" else WD_ALIGN_PARAGRAPH.LEFT
        )
        style.paragraph_format.line_spacing = 1.0
    _font(styles["Caption"], font, 11, italic=True)
    _font(styles["List Bullet"], font, 13)
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(header)
    if letterhead:
        first = section.first_page_header.paragraphs[0]
        first.text = letterhead
        first.alignment = WD_ALIGN_PARAGRAPH.CENTER
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(out))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=str(OUT))
    parser.add_argument("--font", default="Times New Roman")
    parser.add_argument("--letterhead", default="")
    args = parser.parse_args()
    print(make(Path(args.out), args.font, args.letterhead))


if __name__ == "__main__":
    main()
