"""Executed report notebooks -> HTML, PDF and Word, laid out as Decree 30/2020/NĐ-CP asks.

Papermill executes a report notebook once; these functions only render what it produced. All
three formats show the same things: no code, no prompts, no ``parameters`` /
``injected-parameters`` / ``remove_cell`` cells, no stderr, no bare ``text/plain`` reprs next to
a richer output (``<Figure size ...>``), and text in Unicode NFC.

The Word file is the one officials edit and sign: A4, margins top/bottom 20 mm, left 30 mm,
right 15 mm, Times New Roman 13 pt, real headings, lists and tables.
"""

from __future__ import annotations

import base64
import binascii
import copy
import io
import logging
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Literal

import docx
import nbformat
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.shared import Length, Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from jinja2 import DictLoader
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors import TagRemovePreprocessor

from analysis.core.formatting import LANGS

__all__ = [
    "MARGINS_MM",
    "PAGE_SIZE_MM",
    "REMOVE_CELL_TAGS",
    "SERIF_FAMILIES",
    "executed_text",
    "html_to_pdf",
    "notebook_to_docx",
    "notebook_to_html",
]

_LOG = logging.getLogger(__name__)

#: Cells with any of these tags are left out of every report format.
REMOVE_CELL_TAGS = frozenset({"parameters", "injected-parameters", "remove_cell", "remove-cell"})
#: A4 portrait, in millimetres (width, height).
PAGE_SIZE_MM = (210, 297)
#: Decree 30/2020/NĐ-CP margins (mm): top 20-25, bottom 20-25, left 30-35, right 15-20.
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
BODY_FONT = "Times New Roman"
BODY_PT = 13
TABLE_PT = 12
WIDE_TABLE_PT = 10
#: Tables with more columns than this get a smaller type ("wide").
WIDE_COLUMNS = 8
CSS_PATH = Path(__file__).resolve().parent / "templates" / "report.css"

PageNumbers = Literal["bottom", "top"]
_WORD_LANG = {"vi": "vi-VN", "en": "en-GB"}
_PLAIN = "text/plain"
_TEXT_MIMES = ("text/html", "text/markdown", "text/plain", "text/latex")
_TEMPLATE_NAME = "analysis_report.html.j2"
# The lab template without its scripts (require.js, MathJax, Mermaid, widgets from CDNs): a
# report must open offline and print the same everywhere. Our CSS comes last so it wins.
_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}
<style type="text/css">
{{ resources.report_css }}
</style>
{%- endblock html_head_css -%}
{% block data_png scoped %}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}"
 alt="{{ ((output | get_metadata('alt', 'image/png')) or '') | escape_html }}">
</div>
{%- endblock data_png %}
"""


# --------------------------------------------------------------------------------------------
# What a report shows
# --------------------------------------------------------------------------------------------


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    return lang


def _is_plain_only(output: nbformat.NotebookNode) -> bool:
    """True for an execute_result/display_data whose only representation is text/plain."""
    if output.get("output_type") not in {"execute_result", "display_data"}:
        return False
    return set(output.get("data", {})) <= {_PLAIN}


def _nfc_output(output: nbformat.NotebookNode) -> None:
    if output.get("output_type") == "stream":
        output["text"] = unicodedata.normalize("NFC", _joined(output.get("text", "")))
    for mime in _TEXT_MIMES:
        if mime in output.get("data", {}):
            output["data"][mime] = unicodedata.normalize("NFC", _joined(output["data"][mime]))


def _joined(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def _visible_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` holding only what a report shows.

    Drops cells tagged with :data:`REMOVE_CELL_TAGS` (nbconvert's TagRemovePreprocessor),
    stderr streams (they belong in the run log), and text/plain-only outputs of a cell that
    also has a richer output; normalises text to NFC.
    """
    visible = copy.deepcopy(nb)
    remover = TagRemovePreprocessor(remove_cell_tags=set(REMOVE_CELL_TAGS))
    visible, _ = remover.preprocess(visible, {})
    for cell in visible.cells:
        if cell.cell_type == "markdown":
            cell.source = unicodedata.normalize("NFC", _joined(cell.source))
        if cell.cell_type != "code":
            continue
        outputs = [
            out
            for out in cell.get("outputs", [])
            if not (out.get("output_type") == "stream" and out.get("name") == "stderr")
        ]
        if any(not _is_plain_only(out) for out in outputs):
            outputs = [out for out in outputs if not _is_plain_only(out)]
        for out in outputs:
            _nfc_output(out)
        cell.outputs = outputs
    return visible


def _render_markdown(source: str) -> str:
    """Markdown -> HTML with the renderer nbconvert's HTML export uses (same dialect)."""
    renderer = IPythonRenderer(escape=False, exclude_anchor_links=True)
    return MarkdownWithMath(renderer=renderer).render(source)


def _output_html(output: nbformat.NotebookNode) -> str | None:
    """The HTML (or markdown rendered to HTML) carried by an output, if any."""
    data = output.get("data", {})
    if "text/html" in data:
        return _joined(data["text/html"])
    if "text/markdown" in data:
        return _render_markdown(_joined(data["text/markdown"]))
    return None


def _output_plain(output: nbformat.NotebookNode) -> str | None:
    """The plain text an output shows when it has no richer representation."""
    kind = output.get("output_type")
    if kind == "stream":
        return _joined(output.get("text", ""))
    if kind == "error":
        return f"{output.get('ename', '')}: {output.get('evalue', '')}"
    data = output.get("data", {})
    if _PLAIN in data and not any(m in data for m in ("text/html", "text/markdown")):
        if not any(m.startswith("image/") for m in data):
            return _joined(data[_PLAIN])
    return None


def executed_text(nb: nbformat.NotebookNode) -> str:
    """All visible text of a report notebook: its markdown and its kept outputs, in order.

    Markup is removed (``**Kết quả**`` -> ``Kết quả``; table cells separated by tabs, rows by
    newlines), so tests can look for sentences and numbers as a reader sees them.
    """
    blocks: list[str] = []
    for cell in _visible_notebook(nb).cells:
        if cell.cell_type == "markdown":
            blocks.append(_html_text(_render_markdown(cell.source)))
        elif cell.cell_type == "code":
            for out in cell.outputs:
                html = _output_html(out)
                text = _html_text(html) if html is not None else _output_plain(out)
                if text:
                    blocks.append(text.strip("\n"))
    return "\n".join(block for block in blocks if block)


# --------------------------------------------------------------------------------------------
# HTML and PDF
# --------------------------------------------------------------------------------------------


def _page_css(page_numbers: PageNumbers = "top", *, important: bool = False) -> str:
    """``@page`` rules: A4 with the Decree 30 margins, a centred page number, and a named
    ``landscape`` page (same margins) for tables too wide for portrait."""
    bang = " !important" if important else ""
    m = MARGINS_MM
    used, unused = ("@top-center", "@bottom-center")[:: 1 if page_numbers == "top" else -1]
    number = (
        f"{used} {{ content: counter(page){bang}; font-family: var(--report-font, "
        f"'{BODY_FONT}'), 'DejaVu Serif', serif; font-size: {BODY_PT}pt; }} "
        f"{unused} {{ content: none{bang}; }}"
    )
    margin = f"margin: {m['top']}mm {m['right']}mm {m['bottom']}mm {m['left']}mm{bang};"
    rules = [
        f"@page {{ size: A4 portrait{bang}; {margin} {number} }}",
        f"@page landscape {{ size: A4 landscape{bang}; }}",
    ]
    if page_numbers == "top":  # Decree 30: no number on the first page
        rules.append(f"@page :first {{ @top-center {{ content: none{bang}; }} }}")
    return "\n".join(rules) + "\n"


#: Serif families that may set a Decree 30 document, in order of preference.
SERIF_FAMILIES = ("Times New Roman", "Tinos", "Liberation Serif", "DejaVu Serif", "Noto Serif")


@cache
def _vietnamese_serifs() -> tuple[str, ...]:
    """Installed :data:`SERIF_FAMILIES` whose glyphs cover Vietnamese, asking fontconfig.

    fontconfig aliases "Times New Roman" to Liberation Serif, whose 1.x release (Debian's
    ``fonts-liberation``) has no Vietnamese glyphs; WeasyPrint then takes letters like "ế"
    from another font, mid-word. Empty when ``fc-list`` is missing (the CSS stack applies).
    """
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return ()
    try:
        listing = subprocess.run(
            [fc_list, ":lang=vi", "family"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    installed = {name.strip() for line in listing.splitlines() for name in line.split(",")}
    return tuple(family for family in SERIF_FAMILIES if family in installed)


def _pdf_font_css() -> str:
    """Point the report's font variables at a serif that has every Vietnamese glyph."""
    families = _vietnamese_serifs()
    if not families:
        return ""
    stack = ", ".join(f'"{family}"' for family in families) + ", serif"
    return (
        f":root {{ --report-font: {stack} !important; --report-table-font: {stack} !important; }}\n"
    )


@cache
def _report_css() -> str:
    return CSS_PATH.read_text(encoding="utf-8") + "\n" + _page_css()


_NUMBER_CELL = re.compile(
    r"<td(?P<attrs>\s[^>]*)?>(?P<body>\s*(?:[-+−]?\d[\d.,\s\u00a0]*%?|—)\s*)</td>", re.IGNORECASE
)
_TABLE_OPEN = re.compile(r"<table(?P<attrs>\s[^>]*)?>", re.IGNORECASE)
_FIRST_ROW = re.compile(r"<tr\b.*?</tr>", re.IGNORECASE | re.DOTALL)
_CELL_OPEN = re.compile(r"<t[hd]\b(?P<attrs>[^>]*)>", re.IGNORECASE)
_CLASS = re.compile(r"""\bclass\s*=\s*(["'])(?P<names>.*?)\1""", re.IGNORECASE)


def _with_class(attrs: str | None, name: str) -> str:
    """Tag attributes ``attrs`` with ``name`` added to their class list."""
    attrs = attrs or ""
    if match := _CLASS.search(attrs):
        start, end = match.span("names")
        return f"{attrs[:start]}{match['names']} {name}{attrs[end:]}"
    return f'{attrs} class="{name}"'


def _column_count(row: str) -> int:
    spans = (re.search(r"colspan\s*=\s*[\"']?(\d+)", m["attrs"]) for m in _CELL_OPEN.finditer(row))
    return sum(int(span.group(1)) if span else 1 for span in spans)


def _mark_tables(html: str) -> str:
    """Class numeric cells ``num`` (kept on one line) and many-column tables ``wide``."""

    def table(match: re.Match[str]) -> str:
        attrs = match["attrs"] or ""
        row = _FIRST_ROW.search(html, match.end())
        if "doc-header" in attrs or row is None or _column_count(row.group()) <= WIDE_COLUMNS:
            return match.group()
        return f"<table{_with_class(attrs, 'wide')}>"

    def number(match: re.Match[str]) -> str:
        return f"<td{_with_class(match['attrs'], 'num')}>{match['body']}</td>"

    return _NUMBER_CELL.sub(number, _TABLE_OPEN.sub(table, html))


def notebook_to_html(nb: nbformat.NotebookNode, *, title: str, lang: str = "vi") -> str:
    """Render an executed notebook as one self-contained HTML page for reading and printing.

    No code, no prompts, no removed cells, no stderr; images stay embedded as base64; no
    scripts from the network. Our ``templates/report.css`` (fonts with Vietnamese diacritics,
    tables that wrap within A4, borderless ``table.doc-header``) is inlined after Lab's CSS;
    numeric table cells get class ``num`` (right-aligned, never broken) and tables with more
    than :data:`WIDE_COLUMNS` columns class ``wide`` (smaller type).
    """
    _check_lang(lang)
    visible = _visible_notebook(nb)
    visible.metadata["title"] = title
    for cell in visible.cells:
        for out in cell.get("outputs", []):
            if "text/html" in out.get("data", {}):
                out["data"]["text/html"] = _mark_tables(out["data"]["text/html"])
    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({_TEMPLATE_NAME: _TEMPLATE})],
        template_file=_TEMPLATE_NAME,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=True,
        language_code=lang,
        log=_LOG,
    )
    html, _ = exporter.from_notebook_node(visible, resources={"report_css": _report_css()})
    return html


class _DropCssNoise(logging.Filter):
    """Drops WeasyPrint's warnings from its CSS parser (Lab's stylesheet causes dozens).

    Only WARNING and below from ``weasyprint/css``; errors (a stylesheet that fails to load)
    and warnings from elsewhere (images, fonts, layout) still reach the handlers.
    """

    _CSS_DIR = str(Path("weasyprint", "css"))

    def filter(self, record: logging.LogRecord) -> bool:
        from_css = self._CSS_DIR in str(Path(record.pathname).parent)
        return not (from_css and record.levelno <= logging.WARNING)


@contextmanager
def _quiet_weasyprint() -> Iterator[None]:
    """Filter WeasyPrint's CSS warnings on its own logger for the duration of one render.

    The filter sits on the ``weasyprint`` logger only (records logged there are filtered
    before propagating), so no other logging is touched.
    """
    logger = logging.getLogger("weasyprint")
    noise = _DropCssNoise()
    logger.addFilter(noise)
    try:
        yield
    finally:
        logger.removeFilter(noise)


def html_to_pdf(
    html: str,
    out_path: Path,
    base_url: Path | None = None,
    *,
    page_numbers: PageNumbers = "top",
) -> Path:
    """Print ``html`` to an A4 PDF with WeasyPrint and return ``out_path``.

    Margins follow Decree 30 (:data:`MARGINS_MM`) and page numbers are centred in the footer
    (``page_numbers="top"``: in the top margin, none on page 1, as the Decree describes). The
    page rules are applied as ``!important`` so that they win over any ``@page`` in ``html``.
    ``base_url`` resolves relative links and images (a folder or a file).
    """
    import weasyprint  # slow to import; only the PDF path needs it

    page = weasyprint.CSS(string=_page_css(page_numbers, important=True) + _pdf_font_css())
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    base = None
    if base_url is not None:
        base = Path(base_url).resolve().as_uri() + ("/" if Path(base_url).is_dir() else "")
    with _quiet_weasyprint():
        weasyprint.HTML(string=html, base_url=base).write_pdf(out_path, stylesheets=[page])
    return out_path


# --------------------------------------------------------------------------------------------
# A small HTML tree (stdlib html.parser; no lxml)
# --------------------------------------------------------------------------------------------

_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
_SKIP = frozenset({"style", "script", "head", "title", "template", "noscript"})
_WS = re.compile(r"[ \t\n\r\f]+")
_LISTS = frozenset({"ul", "ol"})


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[_Node | str] = field(default_factory=list)

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def elements(self, *tags: str) -> Iterator[_Node]:
        """Descendant elements with one of ``tags``, in document order, not inside a match."""
        for child in self.children:
            if isinstance(child, _Node):
                if child.tag in tags:
                    yield child
                else:
                    yield from child.elements(*tags)

    def text(self) -> str:
        """Whitespace-collapsed text content (``<br>`` as a newline)."""
        parts: list[str] = []
        self._collect(parts)
        lines = (_WS.sub(" ", line).strip(" ") for line in "".join(parts).split("\n"))
        return "\n".join(lines).strip("\n")

    def _collect(self, parts: list[str]) -> None:
        for child in self.children:
            if isinstance(child, str):
                parts.append(child.replace("\n", " "))
            elif child.tag == "br":
                parts.append("\n")
            elif child.tag not in _SKIP:
                child._collect(parts)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root")
        self.stack = [self.root]
        self.css: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, {k: (v or "") for k, v in attrs})
        if tag in {"p", "li", "tr", "td", "th"}:  # implied end tags
            closers = {"p": {"p"}, "li": {"li", "p"}, "tr": {"tr", "td", "th", "p"}}
            implied = closers.get(tag, {"td", "th", "p"})
            while self.stack[-1].tag in implied:
                self.stack.pop()
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(_Node(tag, {k: (v or "") for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if any(node.tag == tag for node in self.stack[1:]):
            while self.stack.pop().tag != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self.stack[-1].tag == "style":
            self.css.append(data)
        self.stack[-1].children.append(data)


def _parse_html(html: str) -> tuple[_Node, dict[str, dict[str, str]]]:
    """Parse ``html`` into a tree, plus the declarations of ``#id`` rules in its <style>s.

    pandas' Styler writes cell colours as ``#T_x_row0_col1 { background-color: ... }``.
    """
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    by_id: dict[str, dict[str, str]] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", "".join(builder.css)):
        declarations = _style(body)
        for selector in selectors.split(","):
            selector = selector.strip()
            if re.fullmatch(r"#[\w-]+", selector):
                by_id.setdefault(selector[1:], {}).update(declarations)
    return builder.root, by_id


def _html_text(html: str) -> str:
    """Visible text of an HTML fragment: blocks on their own lines, table cells tab-separated."""
    root, _ = _parse_html(html)
    lines: list[str] = []
    _text_lines(root, lines)
    return "\n".join(line for line in lines if line)


_BLOCKS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "blockquote", "caption"}
)


def _text_lines(node: _Node, lines: list[str]) -> None:
    inline: list[_Node | str] = []

    def flush() -> None:
        text = _Node("span", children=list(inline)).text()
        if text:
            lines.append(text)
        inline.clear()

    for child in node.children:
        if isinstance(child, _Node) and child.tag in _SKIP:
            continue
        if isinstance(child, _Node) and child.tag == "table":
            flush()
            for row in child.elements("tr"):
                lines.append("\t".join(cell.text() for cell in row.elements("td", "th")))
        elif isinstance(child, _Node) and (child.tag in _BLOCKS or child.tag in _LISTS):
            flush()
            _text_lines(child, lines)
        else:
            inline.append(child)
    flush()


# --------------------------------------------------------------------------------------------
# Word
# --------------------------------------------------------------------------------------------

_HEADING_PT = {1: 14, 2: 13, 3: 13}


def _style(text: str) -> dict[str, str]:
    """``"a: b; c: d"`` -> ``{"a": "b", "c": "d"}`` (names lower-cased)."""
    out: dict[str, str] = {}
    for declaration in text.split(";"):
        name, sep, value = declaration.partition(":")
        if sep:
            out[name.strip().lower()] = value.replace("!important", "").strip()
    return out


def _hex_colour(value: str | None) -> str | None:
    """``#abc`` / ``#aabbcc`` / ``rgb(1, 2, 3)`` inside a CSS value -> ``AABBCC``."""
    if not value:
        return None
    if match := re.search(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b", value):
        digits = match.group(1)
        return (digits if len(digits) == 6 else "".join(c * 2 for c in digits)).upper()
    if match := re.search(r"rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)", value):
        return "".join(f"{min(int(v), 255):02X}" for v in match.groups())
    return None


@dataclass(frozen=True)
class _Fmt:
    """Character formatting inherited down the HTML tree."""

    bold: bool = False
    italic: bool = False
    underline: bool = False
    strike: bool = False
    mono: bool = False
    superscript: bool = False
    subscript: bool = False
    colour: str | None = None
    size: float | None = None


def _inline_fmt(node: _Node, fmt: _Fmt, css: dict[str, str]) -> _Fmt:
    tag = node.tag
    fmt = replace(
        fmt,
        bold=fmt.bold or tag in {"b", "strong", "th"},
        italic=fmt.italic or tag in {"i", "em"},
        underline=fmt.underline or tag in {"u", "ins"},
        strike=fmt.strike or tag in {"s", "del", "strike"},
        mono=fmt.mono or tag in {"code", "kbd", "samp", "tt"},
        superscript=fmt.superscript or tag == "sup",
        subscript=fmt.subscript or tag == "sub",
    )
    weight = css.get("font-weight", "")
    if weight:
        fmt = replace(fmt, bold=weight == "bold" or weight.isdigit() and int(weight) >= 600)
    if "font-style" in css:
        fmt = replace(fmt, italic=css["font-style"] in {"italic", "oblique"})
    if colour := _hex_colour(css.get("color")):
        fmt = replace(fmt, colour=colour)
    return fmt


def _set_run_fonts(rpr: CT_RPr, name: str) -> None:
    """Point every script slot of ``w:rFonts`` at ``name`` and drop theme-font overrides."""
    fonts = rpr.get_or_add_rFonts()
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{slot}"), name)
    for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{theme}"), None)


def _set_lang(rpr: CT_RPr, tag: str) -> None:
    """Mark text as ``tag`` (``vi-VN``) so Word proofs it in that language."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    for slot in ("val", "eastAsia", "bidi"):
        lang.set(qn(f"w:{slot}"), tag)


def _setup_document(title: str, lang: str, page_numbers: PageNumbers) -> DocxDocument:
    """A blank Word document with the Decree 30 page, fonts and heading styles."""
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(v) for v in PAGE_SIZE_MM)
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    section.header_distance = section.footer_distance = Mm(10)

    word_lang = _WORD_LANG[lang]
    normal = document.styles["Normal"]
    base = [normal.element.get_or_add_rPr()]
    default_rpr = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}")
    if default_rpr is not None and default_rpr.find(qn("w:rPr")) is not None:
        base.append(default_rpr.find(qn("w:rPr")))
    # and every style that names fonts of its own (the headings name theme fonts)
    named = [
        style.element.rPr
        for style in document.styles
        if style.element.rPr is not None and style.element.rPr.rFonts is not None
    ]
    for rpr in [*base, *named]:
        _set_run_fonts(rpr, BODY_FONT)
    for rpr in base:
        _set_lang(rpr, word_lang)
    normal.font.size = Pt(BODY_PT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for level, size in _HEADING_PT.items():
        heading = document.styles[f"Heading {level}"]
        heading.font.size = Pt(size)
        heading.font.bold = True
        heading.font.italic = level == 3
        heading.font.color.rgb = RGBColor(0, 0, 0)
        heading.paragraph_format.space_before = Pt(12)
        heading.paragraph_format.space_after = Pt(6)
        heading.paragraph_format.keep_with_next = True
        if level == 1:
            heading.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    _add_page_number(section, page_numbers)
    document.core_properties.title = title
    document.core_properties.language = word_lang
    return document


def _add_page_number(section: object, where: PageNumbers) -> None:
    """A centred PAGE field in the footer, or (Decree style) the header from page 2 on."""
    if where == "top":
        section.different_first_page_header_footer = True  # type: ignore[attr-defined]
        part = section.header  # type: ignore[attr-defined]
    else:
        part = section.footer  # type: ignore[attr-defined]
    paragraph = part.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field_ = OxmlElement("w:fldSimple")
    field_.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field_.append(run)
    paragraph._p.append(field_)


def _text_width(document: DocxDocument) -> Length:
    section = document.sections[-1]
    return Length(section.page_width - section.left_margin - section.right_margin)


def _shade(cell: _Cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    for old in tcpr.findall(qn("w:shd")):
        tcpr.remove(old)
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.insert_element_before(
        shd, "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark"
    )


def _set_borders(table: Table, visible: bool) -> None:
    tblpr = table._tbl.tblPr
    for old in tblpr.findall(qn("w:tblBorders")):
        tblpr.remove(old)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single" if visible else "nil")
        if visible:
            element.set(qn("w:sz"), "4")
            element.set(qn("w:space"), "0")
            element.set(qn("w:color"), "000000")
        borders.append(element)
    tblpr.insert_element_before(
        borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption"
    )


def _repeat_header(row_tr: OxmlElement) -> None:
    trpr = row_tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.insert_element_before(header, "w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del")


def _png_bytes(data: str | list[str]) -> bytes | None:
    try:
        return base64.b64decode(_joined(data))
    except (binascii.Error, ValueError):
        return None


_NUMERIC = re.compile(r"[-+−]?[\d.,  ]*\d[\d.,  ]*%?")
_ALIGN = {
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}


class _DocxWriter:
    """Writes HTML trees (markdown rendered by nbconvert, outputs) into a Word document."""

    def __init__(self, document: DocxDocument) -> None:
        self.document = document
        self.width = _text_width(document)
        self.ids: dict[str, dict[str, str]] = {}

    # -- blocks ------------------------------------------------------------------------------

    def write_html(self, html: str) -> None:
        root, self.ids = _parse_html(html)
        self._blocks(root, self.document, _Fmt(), body=True)

    def write_plain(self, text: str) -> None:
        for line in text.rstrip("\n").split("\n"):
            self._paragraph(self.document).add_run(line)

    def write_png(self, data: str | list[str], width_px: object = None) -> None:
        raw = _png_bytes(data)
        if raw is None:
            return
        width = self.width
        if isinstance(width_px, int | float) and width_px > 0:
            width = Length(min(int(width_px * 914400 / 96), self.width))
        paragraph = self._paragraph(self.document)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.keep_together = True
        paragraph.add_run().add_picture(io.BytesIO(raw), width=width)

    def _paragraph(self, container: object, style: str | None = None) -> Paragraph:
        """A new paragraph in ``container``; in the body, back on a portrait page if needed."""
        if container is self.document:
            self._orient(landscape=False)
        return container.add_paragraph(style=style)  # type: ignore[attr-defined]

    def _orient(self, *, landscape: bool) -> None:
        """Start a new section (new page, same margins) if the orientation must change."""
        current = self.document.sections[-1]
        if (current.orientation == WD_ORIENT.LANDSCAPE) == landscape:
            return
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        short, long = (Mm(v) for v in PAGE_SIZE_MM)
        section.page_width, section.page_height = (long, short) if landscape else (short, long)
        self.width = _text_width(self.document)

    def _blocks(self, node: _Node, container: object, fmt: _Fmt, *, body: bool) -> None:
        """Write ``node``'s children as paragraphs/tables into ``container``."""
        inline: list[_Node | str] = []

        def flush() -> None:
            if any(isinstance(c, _Node) or c.strip(" \t\n\r\f") for c in inline):
                paragraph = self._paragraph(container)
                if body:
                    self._body_paragraph(paragraph)
                self._inline(paragraph, inline, fmt)
                if not paragraph.text.strip():
                    paragraph._p.getparent().remove(paragraph._p)
            inline.clear()

        for child in node.children:
            if isinstance(child, str):
                inline.append(child)
                continue
            tag = child.tag
            css = self._css(child)
            if tag in _SKIP:
                continue
            if re.fullmatch(r"h[1-6]", tag):
                flush()
                level = min(int(tag[1]), 3)
                paragraph = self._paragraph(container, f"Heading {level}")
                self._inline(paragraph, child.children, fmt)
            elif tag == "p":
                flush()
                paragraph = self._paragraph(container)
                if body:
                    self._body_paragraph(paragraph)
                self._align(paragraph, child, css)
                self._inline(paragraph, child.children, _inline_fmt(child, fmt, css))
            elif tag in _LISTS:
                flush()
                self._list(child, container, fmt, depth=0)
            elif tag == "table":
                flush()
                self._table(child, container)
            elif tag == "img":
                flush()
                src = child.attrs.get("src", "")
                if src.startswith("data:image/png;base64,") and container is self.document:
                    self.write_png(src.partition(",")[2])
            elif tag == "pre":
                flush()
                paragraph = self._paragraph(container)
                self._inline(paragraph, child.children, replace(fmt, mono=True), pre=True)
            elif tag == "hr":
                flush()
            elif tag in {"div", "section", "article", "blockquote", "figure", "body", "html"}:
                flush()
                self._blocks(child, container, _inline_fmt(child, fmt, css), body=body)
            else:
                inline.append(child)
        flush()

    @staticmethod
    def _body_paragraph(paragraph: Paragraph) -> None:
        paragraph.paragraph_format.first_line_indent = Mm(10)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    def _list(self, node: _Node, container: object, fmt: _Fmt, depth: int) -> None:
        ordered = node.tag == "ol"
        base = "List Number" if ordered else "List Bullet"
        style = base if depth == 0 else f"{base} {min(depth + 1, 3)}"
        num_id = self._restart_numbering(style) if ordered else None
        for item in node.elements("li"):
            paragraph = self._paragraph(container, style)
            if num_id is not None:
                num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
                num_pr.get_or_add_ilvl().val = 0
                num_pr.get_or_add_numId().val = num_id
            inline = [c for c in item.children if not (isinstance(c, _Node) and c.tag in _LISTS)]
            # "loose" lists wrap items in <p>: unwrap them into the item's paragraph
            flat: list[_Node | str] = []
            for child in inline:
                if isinstance(child, _Node) and child.tag == "p":
                    flat.extend([*child.children, " "])
                else:
                    flat.append(child)
            self._inline(paragraph, flat, fmt)
            for sub in item.children:
                if isinstance(sub, _Node) and sub.tag in _LISTS:
                    self._list(sub, container, fmt, depth + 1)

    def _restart_numbering(self, style: str) -> int | None:
        """A new w:num for ``style``'s list so that each ordered list starts at 1."""
        ppr = self.document.styles[style].element.pPr
        if ppr is None or ppr.numPr is None or ppr.numPr.numId is None:
            return None
        numbering = self.document.part.numbering_part.element
        current = numbering.num_having_numId(ppr.numPr.numId.val)
        num = numbering.add_num(current.abstractNumId.val)
        num.add_lvlOverride(ilvl=0).add_startOverride(1)
        return int(num.numId)

    # -- inline ------------------------------------------------------------------------------

    def _inline(
        self,
        paragraph: Paragraph,
        children: list[_Node | str],
        fmt: _Fmt,
        *,
        pre: bool = False,
    ) -> None:
        self._inline_into(paragraph, children, fmt, pre)
        # trim trailing whitespace of the paragraph, as a browser would
        for run in reversed(paragraph.runs):
            if run.text.strip(" "):
                run.text = run.text.rstrip(" ")
                break
            run.text = ""

    def _inline_into(
        self, paragraph: Paragraph, children: list[_Node | str], fmt: _Fmt, pre: bool
    ) -> None:
        for child in children:
            if isinstance(child, str):
                text = child if pre else _WS.sub(" ", child)
                if not pre and (not paragraph.text or paragraph.text.endswith((" ", "\n"))):
                    text = text.lstrip(" ")
                if text:
                    self._run(paragraph, text, fmt)
            elif child.tag == "br":
                paragraph.add_run().add_break(WD_BREAK.LINE)
            elif child.tag in _SKIP or child.tag == "img":
                continue
            elif child.tag in _LISTS or child.tag == "table":
                # block content inside inline context: keep its text at least
                self._run(paragraph, " " + child.text().replace("\n", " ") + " ", fmt)
            else:
                css = self._css(child)
                self._inline_into(paragraph, child.children, _inline_fmt(child, fmt, css), pre)

    @staticmethod
    def _run(paragraph: Paragraph, text: str, fmt: _Fmt) -> None:
        run = paragraph.add_run(text)
        font = run.font
        if fmt.bold:
            font.bold = True
        if fmt.italic:
            font.italic = True
        if fmt.underline:
            font.underline = True
        if fmt.strike:
            font.strike = True
        if fmt.superscript:
            font.superscript = True
        if fmt.subscript:
            font.subscript = True
        if fmt.colour:
            font.color.rgb = RGBColor.from_string(fmt.colour)
        if fmt.size:
            font.size = Pt(fmt.size)
        if fmt.mono:
            _set_run_fonts(run._r.get_or_add_rPr(), "Courier New")

    def _css(self, node: _Node) -> dict[str, str]:
        css = dict(self.ids.get(node.attrs.get("id", ""), {}))
        css.update(_style(node.attrs.get("style", "")))
        if "align" in node.attrs:
            css.setdefault("text-align", node.attrs["align"].lower())
        if "bgcolor" in node.attrs:
            css.setdefault("background-color", node.attrs["bgcolor"])
        return css

    @staticmethod
    def _align(paragraph: Paragraph, node: _Node, css: dict[str, str]) -> None:
        align = _ALIGN.get(css.get("text-align", ""))
        if align is not None:
            paragraph.alignment = align

    # -- tables ------------------------------------------------------------------------------

    def _table(self, node: _Node, container: object) -> None:
        """An HTML table as a Word table: spans merged, <th> bold, colours kept as shading."""
        header_block = "doc-header" in node.classes()
        rows: list[tuple[_Node, bool]] = []  # (tr, in thead)
        for child in node.children:
            if isinstance(child, _Node) and child.tag == "thead":
                rows += [(tr, True) for tr in child.elements("tr")]
            elif isinstance(child, _Node) and child.tag in {"tbody", "tfoot"}:
                rows += [(tr, False) for tr in child.elements("tr")]
            elif isinstance(child, _Node) and child.tag == "tr":
                rows.append((child, False))
        if not rows:
            return
        grid, spans = self._layout([tr for tr, _ in rows])
        n_rows, n_cols = len(grid), max((len(r) for r in grid), default=0)
        if n_cols == 0:
            return
        if container is self.document:
            self._orient(landscape=n_cols > WIDE_COLUMNS and not header_block)
        caption = next(node.elements("caption"), None)
        if caption is not None and caption.text():
            title = self._paragraph(container)
            title.alignment = WD_ALIGN_PARAGRAPH.CENTER
            title.paragraph_format.keep_with_next = True
            self._run(title, caption.text(), replace(_Fmt(), bold=True))
        table = container.add_table(rows=n_rows, cols=n_cols)  # type: ignore[attr-defined]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _set_borders(table, visible=not header_block)
        widths = self._column_widths(grid, n_cols)
        table.autofit = False  # fixed layout: Word and LibreOffice keep the widths we set
        for c, column in enumerate(table.columns):
            column.width = widths[c]
        for row in table.rows:
            for c, cell in enumerate(row.cells):
                cell.width = widths[c]
        for (r, c), (cell_node, rowspan, colspan) in spans.items():
            cell = table.cell(r, c)
            if rowspan > 1 or colspan > 1:
                cell = cell.merge(table.cell(r + rowspan - 1, c + colspan - 1))
            self._fill_cell(cell, cell_node, header_block, wide=n_cols > WIDE_COLUMNS)
        for r, (_, in_head) in enumerate(rows):
            if in_head and r < n_rows and not header_block:
                _repeat_header(table.rows[r]._tr)
        if container is self.document:  # Word needs a paragraph between adjacent tables
            self.document.add_paragraph().paragraph_format.space_after = Pt(0)

    @staticmethod
    def _layout(
        trs: list[_Node],
    ) -> tuple[list[list[_Node | None]], dict[tuple[int, int], tuple[_Node, int, int]]]:
        """Place cells on a grid honouring rowspan/colspan; spans keyed by top-left position."""
        grid: list[list[_Node | None]] = [[] for _ in trs]
        spans: dict[tuple[int, int], tuple[_Node, int, int]] = {}
        for r, tr in enumerate(trs):
            c = 0
            for cell in tr.elements("td", "th"):
                while c < len(grid[r]) and grid[r][c] is not None:
                    c += 1
                rowspan = max(1, min(_int(cell.attrs.get("rowspan")), len(trs) - r))
                colspan = max(1, _int(cell.attrs.get("colspan")))
                for dr in range(rowspan):
                    row = grid[r + dr]
                    row.extend([None] * (c + colspan - len(row)))
                    for dc in range(colspan):
                        row[c + dc] = cell
                spans[(r, c)] = (cell, rowspan, colspan)
                c += colspan
        width = max((len(row) for row in grid), default=0)
        for row in grid:
            row.extend([None] * (width - len(row)))
        return grid, spans

    def _column_widths(self, grid: list[list[_Node | None]], n_cols: int) -> list[Length]:
        """Column widths that never break a word letter by letter: each column gets at least
        its longest word, and the room left is shared by how much longer its text runs
        (up to 40 characters)."""
        char, pad = Pt(6.5), Pt(10)  # an average character at the table's 12 pt, cell padding
        minimum, desired = [], []
        for c in range(n_cols):
            texts = [cell.text() for row in grid if (cell := row[c]) is not None]
            longest = max((len(t) for t in texts), default=1)
            word = max((len(w) for t in texts for w in t.split()), default=1)
            minimum.append(char * max(word, 2) + pad)
            desired.append(char * min(max(longest, 4), 40) + pad)
        width = int(self.width)
        if sum(minimum) >= width:
            return [Length(int(width * m / sum(minimum))) for m in minimum]
        if sum(desired) <= width:
            return [Length(int(width * d / sum(desired))) for d in desired]
        room = width - sum(minimum)
        slack = [d - m for d, m in zip(desired, minimum, strict=True)]
        total = sum(slack) or 1
        return [Length(int(m + room * s / total)) for m, s in zip(minimum, slack, strict=True)]

    def _fill_cell(self, cell: _Cell, node: _Node, header_block: bool, *, wide: bool) -> None:
        css = self._css(node)
        if fill := _hex_colour(css.get("background-color") or css.get("background")):
            _shade(cell, fill)
        size = None if header_block else WIDE_TABLE_PT if wide else TABLE_PT
        fmt = _inline_fmt(node, _Fmt(size=size), css)
        if header_block and node.tag == "th":
            fmt = replace(fmt, bold=True)
        paragraph = cell.paragraphs[0]
        has_blocks = any(
            isinstance(c, _Node) and (c.tag in _BLOCKS or c.tag in _LISTS or c.tag == "table")
            for c in node.children
        )
        if has_blocks:
            self._blocks(node, cell, fmt, body=False)
            if not paragraph.text and len(cell.paragraphs) > 1:
                paragraph._p.getparent().remove(paragraph._p)
        else:
            self._inline(paragraph, node.children, fmt)
        text = cell.text
        align = _ALIGN.get(css.get("text-align", ""))
        if align is None:
            if header_block or node.tag == "th":
                align = WD_ALIGN_PARAGRAPH.CENTER
            elif _NUMERIC.fullmatch(text.strip()):
                align = WD_ALIGN_PARAGRAPH.RIGHT
            else:
                align = WD_ALIGN_PARAGRAPH.LEFT
        for p in cell.paragraphs:
            p.alignment = align
            p.paragraph_format.space_after = Pt(0)
            p.paragraph_format.first_line_indent = None


def _int(value: str | None) -> int:
    try:
        return int(value or 1)
    except ValueError:
        return 1


def notebook_to_docx(
    nb: nbformat.NotebookNode,
    out_path: Path,
    *,
    title: str,
    lang: str = "vi",
    page_numbers: PageNumbers = "top",
) -> Path:
    """Write an executed notebook as an editable Word document and return ``out_path``.

    Decree 30 layout: A4, :data:`MARGINS_MM`, Times New Roman 13 pt (all script slots, so
    Vietnamese uses it too), bold Times headings. Markdown becomes headings, paragraphs, lists
    and bold/italic runs; HTML tables become Word tables (``<th>`` bold, inline or Styler
    ``background-color`` as shading, ``table.doc-header`` borderless, more than
    :data:`WIDE_COLUMNS` columns on a landscape section); PNG outputs become
    pictures at most the text width; a text/plain-only output appears only when it is the
    cell's only output; stdout is kept as plain paragraphs.
    """
    _check_lang(lang)
    document = _setup_document(title, lang, page_numbers)
    writer = _DocxWriter(document)
    for cell in _visible_notebook(nb).cells:
        if cell.cell_type == "markdown":
            writer.write_html(_render_markdown(cell.source))
        elif cell.cell_type == "code":
            for out in cell.outputs:
                data = out.get("data", {})
                if (html := _output_html(out)) is not None:
                    writer.write_html(html)
                elif "image/png" in data:
                    width = out.get("metadata", {}).get("image/png", {}).get("width")
                    writer.write_png(data["image/png"], width)
                elif (text := _output_plain(out)) is not None:
                    writer.write_plain(text)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(out_path))
    return out_path
