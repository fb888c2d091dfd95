"""The report model (JSON) as HTML, from the Jinja2 templates in ``templates/`` (autoescape on).

``report.html.j2`` is an nbconvert template: the page of an executed report notebook, made from
the model it carries. ``fragment_html`` renders the same macros for the notebook's own display.
``html_to_pdf`` prints a page with WeasyPrint, using the fonts bundled in ``fonts/``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"
FONTS = Path(__file__).resolve().parent / "fonts"
PAGE_TEMPLATE = TEMPLATES / "report.html.j2"
#: The bundled serif (Liberation Serif 2: Times New Roman's metrics, every Vietnamese glyph).
FONT_FACES = {
    ("normal", "normal"): "LiberationSerif-Regular.ttf",
    ("bold", "normal"): "LiberationSerif-Bold.ttf",
    ("normal", "italic"): "LiberationSerif-Italic.ttf",
    ("bold", "italic"): "LiberationSerif-BoldItalic.ttf",
}


SYMBOLS = "DejaVuSans.ttf"


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the report templates: autoescape on, undefined is an error."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
    )


def fragment_html(model: dict[str, Any]) -> str:
    """The report's body as HTML (no page): what the notebook shows a reader."""
    return environment().get_template("fragment.html.j2").render(m=model)


def table_html(block: dict[str, Any], statuses: dict | None = None) -> str:
    """One table block of the model as HTML (for a notebook showing a single builder's table)."""
    macros = environment().get_template("report_macros.html.j2").module
    return str(macros.table(block, statuses or {}))


def font_css() -> str:
    """``@font-face`` rules for the bundled fonts, as the first family of the report's stack."""
    rules = []
    for (weight, style), name in FONT_FACES.items():
        rules.append(
            '@font-face { font-family: "Times New Roman"; '
            f"src: url({(FONTS / name).as_uri()}); font-weight: {weight}; font-style: {style}; }}"
        )
    # The status symbols (✔ ▲ ► ▼ ✖) are not in Liberation Serif: DejaVu Sans, next in the
    # report's font stack ("Report Symbols"), gives them.
    for weight in ("normal", "bold"):
        rules.append(
            '@font-face { font-family: "Report Symbols"; '
            f"src: url({(FONTS / SYMBOLS).as_uri()}); font-weight: {weight}; }}"
        )
    return "\n".join(rules)


class _DropCssNoise(logging.Filter):
    """Drops WeasyPrint's CSS-parser warnings (unknown properties); keeps everything else."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.levelno <= logging.WARNING and "css" in record.pathname.replace("\\", "/")
        )


@contextmanager
def _quiet_weasyprint() -> Iterator[None]:
    logger = logging.getLogger("weasyprint")
    noise = _DropCssNoise()
    logger.addFilter(noise)
    try:
        yield
    finally:
        logger.removeFilter(noise)


def html_to_pdf_bytes(html: str) -> bytes:
    """Print a report page to A4 PDF bytes with WeasyPrint and the bundled fonts."""
    import weasyprint  # slow to import; only the PDF path needs it

    fonts = weasyprint.text.fonts.FontConfiguration()
    sheet = weasyprint.CSS(string=font_css(), font_config=fonts)
    with _quiet_weasyprint():
        return weasyprint.HTML(string=html, base_url=str(TEMPLATES)).write_pdf(
            stylesheets=[sheet], font_config=fonts
        )
