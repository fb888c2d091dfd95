"""Tests of analysis/export.py: executed notebook -> HTML, PDF, Word.

The notebook is built here by hand, as papermill would leave it: a ``parameters`` cell, an
``injected-parameters`` cell, a doc-header, Vietnamese markdown, a pandas table with Vietnamese
separators and a coloured status cell, a matplotlib chart and a stderr warning.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import matplotlib
import nbformat
import pandas as pd
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from analysis.reports.export import (
    BODY_FONT,
    MARGINS_MM,
    WIDE_COLUMNS,
    executed_text,
    html_to_pdf,
    notebook_to_docx,
    notebook_to_html,
)

matplotlib.use("Agg")

HEADING = "I. Kết quả thực hiện"
SENTENCE = "Năm 2025, toàn tỉnh có 12 làng nghề được công nhận."
CODE_MARKER = "show_table_CODE_MARKER"
STDERR_MARKER = "STDERR_MARKER: FutureWarning"
INJECTED_MARKER = "INJECTED_MARKER"
REMOVED_MARKER = "REMOVED_MARKER"
STATUS_FILL = "C6EFCE"
TABLE = pd.DataFrame(
    {
        "Xã, phường": ["Phường Lương Văn Tri", "Xã Hữu Lũng", "Xã Đồng Đăng"],
        "Số làng nghề": ["3", "5", "4"],
        "Doanh thu (triệu đồng)": ["1.234,5", "987,0", "12.345,6"],
        "Tình trạng": ["Đạt", "Chưa đạt", "Đạt"],
    }
)
DOC_HEADER = (
    '<table class="doc-header"><tr>'
    "<td><b>ỦY BAN NHÂN DÂN<br>TỈNH LẠNG SƠN</b></td>"
    "<td><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br>Độc lập - Tự do - Hạnh phúc</b></td>"
    "</tr><tr><td>Số: 01/BC-UBND</td><td><i>Lạng Sơn, ngày 15 tháng 12 năm 2025</i></td></tr>"
    "</table>"
)


def _chart_png() -> str:
    """A small matplotlib chart with a Vietnamese title, as base64 PNG (like the inline backend)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3), dpi=72)
    ax.bar(["Hữu Lũng", "Đồng Đăng"], [5, 4])
    ax.set_title("Số làng nghề theo xã")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _table_html() -> str:
    html = TABLE.to_html(index=False)
    # one status cell coloured inline, as the report tables do
    return html.replace("<td>Đạt</td>", f'<td style="background-color: #{STATUS_FILL}">Đạt</td>', 1)


def _tagged(cell: nbformat.NotebookNode, tag: str) -> nbformat.NotebookNode:
    cell.metadata["tags"] = [tag]
    return cell


def build_executed_notebook() -> nbformat.NotebookNode:
    """An executed report notebook as papermill leaves it."""
    nb = new_notebook()
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [
        _tagged(new_code_cell("year: int = 2025  # reporting year"), "parameters"),
        _tagged(
            new_code_cell(f'# Parameters\nyear = 2024\nunit = "{INJECTED_MARKER}"\n'),
            "injected-parameters",
        ),
        new_code_cell(
            "show_header()",
            outputs=[new_output("display_data", data={"text/html": DOC_HEADER})],
        ),
        # NFD on purpose: the report must carry NFC text
        new_markdown_cell(
            unicodedata.normalize("NFD", f"## {HEADING}\n\n")
            + "Năm 2025, **toàn tỉnh** có *12* làng nghề được công nhận.\n\n"
            + "- Tuyên truyền\n- Đào tạo nghề\n"
        ),
        new_code_cell(
            CODE_MARKER + "(df)",
            execution_count=3,
            outputs=[
                new_output("stream", name="stderr", text=STDERR_MARKER + "\n"),
                new_output(
                    "execute_result",
                    execution_count=3,
                    data={"text/html": _table_html(), "text/plain": TABLE.to_string()},
                ),
            ],
        ),
        new_code_cell(
            "plot_villages()",
            execution_count=4,
            outputs=[
                new_output(
                    "display_data",
                    data={"image/png": _chart_png(), "text/plain": "<Figure size 360x216>"},
                ),
                new_output(
                    "execute_result",
                    execution_count=4,
                    data={"text/plain": "<Figure size 360x216 with 1 Axes>"},
                ),
            ],
        ),
        new_code_cell(
            "total",
            execution_count=5,
            outputs=[new_output("execute_result", execution_count=5, data={"text/plain": "12"})],
        ),
        _tagged(new_markdown_cell(REMOVED_MARKER), "remove_cell"),
    ]
    nbformat.validate(nb)
    return nb


@pytest.fixture(scope="module")
def notebook() -> nbformat.NotebookNode:
    return build_executed_notebook()


@pytest.fixture(scope="module")
def html(notebook: nbformat.NotebookNode) -> str:
    return notebook_to_html(notebook, title="Báo cáo 2025")


@pytest.fixture(scope="module")
def docx_path(notebook: nbformat.NotebookNode, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return notebook_to_docx(notebook, tmp_path_factory.mktemp("docx") / "bao-cao.docx", title="BC")


# -- executed_text ---------------------------------------------------------------------------


def test_executed_text_holds_what_a_reader_sees(notebook: nbformat.NotebookNode) -> None:
    text = executed_text(notebook)
    assert HEADING in text
    assert SENTENCE in text  # markdown emphasis removed
    assert "Phường Lương Văn Tri\t3\t1.234,5\tĐạt" in text
    assert "\n12" in text  # a plain result that is its cell's only output stays
    for hidden in (CODE_MARKER, STDERR_MARKER, INJECTED_MARKER, REMOVED_MARKER, "<Figure"):
        assert hidden not in text


def test_inputs_are_not_mutated(notebook: nbformat.NotebookNode) -> None:
    before = nbformat.writes(notebook)
    executed_text(notebook)
    assert nbformat.writes(notebook) == before


# -- HTML ------------------------------------------------------------------------------------


def test_html_hides_code_prompts_parameters_and_stderr(html: str) -> None:
    for hidden in (CODE_MARKER, "year: int", INJECTED_MARKER, STDERR_MARKER, REMOVED_MARKER):
        assert hidden not in html
    body = html[html.index("<body") :]  # Lab's CSS names these classes and prompts too
    assert 'class="jp-CodeMirrorEditor' not in body and 'class="highlight' not in body
    assert "In&nbsp;[" not in body and "In [" not in body and "Out[" not in body
    assert "&lt;Figure size" not in body


def test_html_keeps_vietnamese_nfc_tables_and_images(html: str) -> None:
    assert HEADING in html  # NFC, although the cell source was NFD
    assert unicodedata.normalize("NFD", HEADING) not in html
    assert "1.234,5" in html and "Phường Lương Văn Tri" in html
    assert f"background-color: #{STATUS_FILL}" in html
    assert 'class="doc-header"' in html
    assert "data:image/png;base64," in html
    assert '<html lang="vi">' in html
    assert "<title>Báo cáo 2025</title>" in html


def test_html_marks_number_cells_so_they_never_wrap(html: str) -> None:
    assert '<td class="num">1.234,5</td>' in html
    assert '<td class="num">3</td>' in html
    assert "<td>Phường Lương Văn Tri</td>" in html
    assert f'<td style="background-color: #{STATUS_FILL}">Đạt</td>' in html


def test_html_is_self_contained_and_carries_report_css(html: str) -> None:
    assert "<script src=" not in html  # no require.js / MathJax from a CDN
    assert "table.doc-header" in html
    assert f"{MARGINS_MM['left']}mm" in html


def test_unknown_language_is_refused(notebook: nbformat.NotebookNode) -> None:
    with pytest.raises(ValueError, match="unknown language"):
        notebook_to_html(notebook, title="x", lang="fr")


# -- PDF -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_path(html: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return html_to_pdf(html, tmp_path_factory.mktemp("pdf") / "bao-cao.pdf")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} not found: install poppler-utils (apt-get install poppler-utils)")
    return path


def test_pdf_text_has_vietnamese_and_numbers(pdf_path: Path) -> None:
    text = subprocess.run(
        [_tool("pdftotext"), "-enc", "UTF-8", str(pdf_path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    text = unicodedata.normalize("NFC", text)
    assert "Kết quả thực hiện" in text
    assert "1.234,5" in text
    assert "Phường Lương Văn Tri" in text
    assert STDERR_MARKER not in text and CODE_MARKER not in text


def test_pdf_pages_are_a4(pdf_path: Path) -> None:
    info = subprocess.run(
        [_tool("pdfinfo"), str(pdf_path)], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"Page size:\s+595\.2\d* x 841\.8\d* pts \(A4\)", info)


def test_pdf_margins_win_over_the_html_page_rule(tmp_path: Path) -> None:
    """Text starts at the left margin (30 mm) even if the HTML asks for 0.5 in."""
    style = "@page { margin: 0.5in } body { margin: 0 }"
    html = f"<html><style>{style}</style><body><p>Lạng Sơn</p></body></html>"
    pdf = html_to_pdf(html, tmp_path / "m.pdf")
    bbox = subprocess.run(
        [_tool("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    x_min = float(bbox.split('<word xMin="')[1].split('"')[0])  # points
    assert x_min == pytest.approx(MARGINS_MM["left"] / 25.4 * 72, abs=1.0)


def _words(pdf: Path, page: int) -> list[tuple[str, float]]:
    """(word, top y in points) on one page of ``pdf``."""
    bbox = subprocess.run(
        [_tool("pdftotext"), "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)"[^>]*>([^<]*)</word>', bbox)
    return [(word, float(y)) for y, word in found]


def test_pdf_page_numbers_bottom_or_top_as_decree_30(tmp_path: Path) -> None:
    html = '<p>Trang một</p><p style="break-before: page">Trang hai</p>'
    bottom = html_to_pdf(html, tmp_path / "b.pdf", page_numbers="bottom")
    assert ("1", pytest.approx(841.89 - 20 / 25.4 * 72, abs=40)) in _words(bottom, 1)
    top = html_to_pdf(html, tmp_path / "t.pdf")  # the default: Decree 30's place
    assert [w for w, _ in _words(top, 1)] == ["Trang", "một"]  # no number on page 1
    numbers = [y for w, y in _words(top, 2) if w == "2"]
    assert len(numbers) == 1 and numbers[0] < 20 / 25.4 * 72  # in the top margin


# -- Word ------------------------------------------------------------------------------------


def test_docx_page_is_a4_with_decree_margins(docx_path: Path) -> None:
    section = Document(str(docx_path)).sections[0]
    close = Mm(0.1)
    assert abs(section.page_width - Mm(210)) < close
    assert abs(section.page_height - Mm(297)) < close
    for side, mm in MARGINS_MM.items():
        assert abs(getattr(section, f"{side}_margin") - Mm(mm)) < close, side


def test_docx_body_font_is_times_in_every_script_slot(docx_path: Path) -> None:
    document = Document(str(docx_path))
    normal = document.styles["Normal"]
    assert normal.font.name == BODY_FONT
    assert normal.font.size.pt == 13
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        assert fonts.get(qn(f"w:{slot}")) == BODY_FONT
    heading = document.styles["Heading 2"]
    assert heading.font.name == BODY_FONT and heading.font.bold


def test_docx_has_headings_paragraphs_and_lists(docx_path: Path) -> None:
    paragraphs = Document(str(docx_path)).paragraphs
    headings = [p.text for p in paragraphs if p.style.name.startswith("Heading")]
    assert headings == [HEADING]
    body = next(p for p in paragraphs if p.text == SENTENCE)
    assert [r.text for r in body.runs if r.bold] == ["toàn tỉnh"]
    assert [r.text for r in body.runs if r.italic] == ["12"]
    bullets = [p.text for p in paragraphs if p.style.name == "List Bullet"]
    assert bullets == ["Tuyên truyền", "Đào tạo nghề"]


def test_docx_table_matches_the_dataframe(docx_path: Path) -> None:
    tables = Document(str(docx_path)).tables
    header_block, data = tables
    cells = [[cell.text for cell in row.cells] for row in data.rows]
    assert cells == [list(TABLE.columns), *TABLE.to_numpy().tolist()]
    assert all(run.bold for cell in data.rows[0].cells for run in cell.paragraphs[0].runs)
    assert header_block.cell(0, 1).text == (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    )


def test_docx_keeps_cell_colour_and_doc_header_borderless(docx_path: Path) -> None:
    header_block, data = Document(str(docx_path)).tables
    status = data.cell(1, 3)
    assert status.text == "Đạt"
    assert status._tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) == STATUS_FILL
    assert data.cell(3, 3)._tc.tcPr.find(qn("w:shd")) is None
    borders = header_block._tbl.tblPr.find(qn("w:tblBorders"))
    assert {edge.get(qn("w:val")) for edge in borders} == {"nil"}


def test_docx_has_the_picture_and_no_code(docx_path: Path) -> None:
    document = Document(str(docx_path))
    assert len(document.inline_shapes) == 1
    section = document.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    assert document.inline_shapes[0].width <= text_width
    everything = "\n".join(p.text for p in document.paragraphs)
    for hidden in (CODE_MARKER, INJECTED_MARKER, STDERR_MARKER, REMOVED_MARKER, "<Figure"):
        assert hidden not in everything
    assert "12" in [p.text for p in document.paragraphs]  # lone plain result kept


def test_docx_takes_styler_colours(tmp_path: Path) -> None:
    """pandas' Styler writes colours as #id rules in a <style> block, not inline."""
    styled = TABLE.style.hide(axis="index").map(
        lambda v: "background-color: #ffc7ce" if v == "Chưa đạt" else ""
    )
    nb = new_notebook(
        cells=[
            new_code_cell(
                "t",
                outputs=[new_output("display_data", data={"text/html": styled.to_html()})],
            )
        ]
    )
    (table,) = Document(str(notebook_to_docx(nb, tmp_path / "s.docx", title="s"))).tables
    assert [c.text for c in table.rows[2].cells] == TABLE.iloc[1].tolist()
    assert table.cell(2, 3)._tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) == "FFC7CE"


# -- wide tables -----------------------------------------------------------------------------


def _wide_notebook() -> nbformat.NotebookNode:
    """Indicator values for 2021-2030: more columns than fit on a portrait page."""
    years = {str(year): [f"{year - 2000}.234,5"] for year in range(2021, 2031)}
    frame = pd.DataFrame({"Chỉ tiêu": ["Doanh thu làng nghề (triệu đồng)"], **years})
    assert frame.shape[1] > WIDE_COLUMNS
    html = frame.to_html(index=False)
    return new_notebook(
        cells=[
            new_markdown_cell("Bảng dưới đây."),
            new_code_cell("t", outputs=[new_output("display_data", data={"text/html": html})]),
            new_markdown_cell("Sau bảng."),
        ]
    )


def test_wide_table_goes_on_a_landscape_page(tmp_path: Path) -> None:
    html = notebook_to_html(_wide_notebook(), title="rộng")
    assert '<table border="1" class="dataframe wide">' in html
    pdf = html_to_pdf(html, tmp_path / "w.pdf")
    info = subprocess.run(
        [_tool("pdfinfo"), "-f", "1", "-l", "3", str(pdf)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)
    portrait, landscape, back = ((float(w) > float(h)) for w, h in sizes)
    assert (portrait, landscape, back) == (False, True, False)
    text = subprocess.run(
        [_tool("pdftotext"), "-f", "2", "-l", "2", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "30.234,5" in text  # the last column is on the page, not cut off


def test_wide_table_gets_a_landscape_section_in_word(tmp_path: Path) -> None:
    document = Document(str(notebook_to_docx(_wide_notebook(), tmp_path / "w.docx", title="r")))
    orientations = [section.orientation for section in document.sections]
    assert orientations == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    landscape = document.sections[1]
    assert landscape.page_width > landscape.page_height
    assert abs(landscape.left_margin - Mm(MARGINS_MM["left"])) < Mm(0.1)
    (table,) = document.tables
    assert table.rows[1].cells[-1].text == "30.234,5"
    assert sum(c.width for c in table.columns) <= (
        landscape.page_width - landscape.left_margin - landscape.right_margin
    )


def test_docx_columns_never_narrower_than_their_longest_word(tmp_path: Path) -> None:
    """Regression: a narrow unit column broke 'lượng' letter by letter in Word/LibreOffice."""
    from docx.shared import Pt

    long_text = "Nghề, làng nghề, làng nghề truyền thống được công nhận mới " * 2
    table = (
        "<table><tr><th>Chỉ tiêu</th><th>Đơn vị</th>"
        + "".join(f"<th>Cột {i}</th>" for i in range(6))
        + f"</tr><tr><td>{long_text}</td><td>số lượng</td>"
        + "".join(f"<td>{long_text}</td>" for _ in range(6))
        + "</tr></table>"
    )
    nb = new_notebook(
        cells=[new_code_cell("x", outputs=[new_output("display_data", data={"text/html": table})])]
    )
    out = notebook_to_docx(nb, tmp_path / "t.docx", title="t")
    document = Document(str(out))
    unit_width = document.tables[0].columns[1].width
    assert unit_width >= Pt(6.5) * len("lượng") + Pt(10)
    assert document.tables[0].autofit is False
