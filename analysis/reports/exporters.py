"""nbconvert exporters of the report model, registered as entry points (``pyproject.toml``)::

    jupyter nbconvert --to crafthtml executed.ipynb     # the batch's HTML page
    jupyter nbconvert --to craftpdf executed.ipynb      # its PDF (WeasyPrint, bundled fonts)
    jupyter nbconvert --to craftdocx executed.ipynb     # Word, from the Word template
    jupyter nbconvert --to craftdocx --CraftDocxExporter.word_template=mine.docx executed.ipynb

Each reads only the model the executed notebook carries (``application/vnd.langson.report+json``);
none parses HTML. The HTML exporter is nbconvert's own with our template
(``templates/report.html.j2``): ``jupyter nbconvert --to html --template-file
analysis/reports/templates/report.html.j2`` gives the same page.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from nbconvert.exporters import Exporter, HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from traitlets import Unicode

from analysis.reports.model import model_of
from analysis.reports.render_docx import WORD_TEMPLATE, model_to_docx
from analysis.reports.render_html import PAGE_TEMPLATE, html_to_pdf_bytes


class CraftHTMLExporter(HTMLExporter):
    """The report page: nbconvert's HTML exporter with the report template."""

    export_from_notebook = "Craft report (HTML)"

    def __init__(self, **kw: Any) -> None:
        kw.setdefault("template_file", str(PAGE_TEMPLATE))
        super().__init__(**kw)

    @property
    def default_config(self) -> Any:
        config = super().default_config
        config.merge({"HTMLExporter": {"exclude_input": True}})
        return config


def page_html(nb: Any) -> str:
    """The report page of an executed notebook (what ``--to crafthtml`` writes)."""
    html, _ = CraftHTMLExporter().from_notebook_node(nb)
    return html


class CraftPDFExporter(Exporter):
    """The report page printed to PDF with WeasyPrint."""

    output_extension = ".pdf"
    export_from_notebook = "Craft report (PDF)"

    def from_notebook_node(self, nb: Any, resources: dict | None = None, **kw: Any) -> tuple:
        nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
        resources["output_extension"] = ".pdf"
        return html_to_pdf_bytes(page_html(nb_copy)), resources


class CraftDocxExporter(Exporter):
    """The report model written into the Word template (``word_template`` to use another)."""

    output_extension = ".docx"
    export_from_notebook = "Craft report (Word)"
    word_template = Unicode(
        str(WORD_TEMPLATE), help="the .docx whose page and styles are used"
    ).tag(config=True)

    def from_notebook_node(self, nb: Any, resources: dict | None = None, **kw: Any) -> tuple:
        nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
        resources["output_extension"] = ".docx"
        return model_to_docx(model_of(nb_copy), self.word_template), resources


#: Cells left out of a notebook that carries no report model (a question notebook).
REMOVE_CELL_TAGS = frozenset({"parameters", "injected-parameters", "remove_cell", "remove-cell"})


def notebook_html(nb: Any) -> str:
    """A notebook without a report model (a question notebook) as a page: nbconvert's lab
    template, without code, prompts, removed cells or stderr."""

    visible = copy.deepcopy(nb)
    visible, _ = TagRemovePreprocessor(remove_cell_tags=set(REMOVE_CELL_TAGS)).preprocess(
        visible, {}
    )
    for cell in visible.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.outputs if not (o.get("name") == "stderr" and "text" in o)
            ]
    exporter = HTMLExporter(
        template_name="lab",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    html, _ = exporter.from_notebook_node(visible)
    return html


def _has_model(nb: Any) -> bool:
    try:
        model_of(nb)
    except ValueError:
        return False
    return True


def render(nb: Any, formats: Any) -> tuple[dict[str, bytes], dict[str, float]]:
    """The files of an executed report notebook by format (``html``, ``pdf``, ``docx``) and the
    seconds each took; the PDF is printed from the HTML page, made once. A notebook without a
    report model (a question notebook) is rendered as a plain page (HTML, PDF; no Word)."""

    files: dict[str, bytes] = {}
    timings: dict[str, float] = {}
    html = None
    report = _has_model(nb)
    for fmt in formats:
        started = time.perf_counter()
        if fmt in ("html", "pdf") and html is None:
            html = page_html(nb) if report else notebook_html(nb)
        if fmt == "html":
            files["html"] = html.encode("utf-8")
        elif fmt == "pdf":
            files["pdf"] = html_to_pdf_bytes(html)
        elif fmt == "docx":
            files["docx"] = model_to_docx(model_of(nb))  # ValueError without a model
        else:
            raise ValueError(f"unknown format {fmt!r}; use html, pdf or docx")
        timings[fmt] = round(time.perf_counter() - started, 3)
    return files, timings
