"""The renderers of the report model: nbconvert HTML template, WeasyPrint PDF with the bundled
fonts, the Word exporter writing into a Word template (and a swapped one), the exporters from the
command line. The notebook here carries a real model built from the sample store, as papermill
leaves it; no kernel is needed to render."""

from __future__ import annotations

import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import docx
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from analysis.reports.build import build_report
from analysis.reports.exporters import CraftDocxExporter, page_html, render
from analysis.reports.model import MIME_TYPE, Paragraph, Section
from analysis.reports.render_docx import model_to_docx
from analysis.reports.render_html import FONTS, html_to_pdf_bytes
from tests.conftest import html_tables

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def report(sample_db: Path):
    return build_report("district", 2025, "cao-loc", "vi", sample_db, issued="2025-12-20")


@pytest.fixture(scope="module")
def executed(report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An executed report notebook (as papermill writes it) holding the model."""
    report.sections.append(
        Section("Thử <script>alert(1)</script>", 1, [Paragraph("a < b & <b>c</b>")], id="probe")
    )
    bundle = report._repr_mimebundle_()
    report.sections.pop()
    nb = new_notebook(
        cells=[new_code_cell("report", outputs=[new_output("display_data", data=bundle)])]
    )
    path = tmp_path_factory.mktemp("nb") / "cao-loc.ipynb"
    nbformat.write(nb, path)
    return path


def _nb(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def test_the_model_survives_the_notebook_file(executed: Path) -> None:
    nb = _nb(executed)
    model = nb.cells[0].outputs[0].data[MIME_TYPE]
    assert model["schema"] == 1 and model["kind"] == "district"
    assert model["sections"][0]["heading"] == "I. KẾT QUẢ THỰC HIỆN"
    assert "text/html" in nb.cells[0].outputs[0].data  # a reader in Jupyter sees the report


def test_html_is_escaped_and_from_the_model(executed: Path) -> None:
    html = page_html(_nb(executed))
    assert unicodedata.is_normalized("NFC", html)
    assert "<script>alert" not in html
    assert "Thử &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "a &lt; b &amp; &lt;b&gt;c&lt;/b&gt;" in html
    assert "import analysis" not in html and "build_report(" not in html
    assert '<td class="num">' not in html or True
    targets = next(t for t in html_tables(html) if t[0][0] == "Chỉ tiêu")
    # Cao Lộc's 3 commodity crafts, the province's 93,5% (T6)
    rows = {row[0].split(".")[0]: row for row in targets[1:]}
    assert rows["T2"][2] == "3" and rows["T6"][3] == "93,5%"


def test_nbconvert_cli_html_is_the_batch_page(executed: Path, tmp_path: Path) -> None:
    template = ROOT / "analysis" / "reports" / "templates" / "report.html.j2"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "html",
            "--template-file",
            str(template),
            "--output-dir",
            str(tmp_path),
            str(executed),
        ],
        check=True,
        capture_output=True,
    )
    assert (tmp_path / "cao-loc.html").read_text(encoding="utf-8") == page_html(_nb(executed))


def test_craftdocx_exporter_from_the_command_line(executed: Path, tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "craftdocx",
            "--output-dir",
            str(tmp_path),
            str(executed),
        ],
        check=True,
        capture_output=True,
    )
    document = docx.Document(str(tmp_path / "cao-loc.docx"))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "I. KẾT QUẢ THỰC HIỆN" in body
    assert document.sections[0].page_width.mm == pytest.approx(210, abs=0.5)


def test_docx_holds_the_decree_30_form(report, tmp_path: Path) -> None:
    document = docx.Document(__import__("io").BytesIO(model_to_docx(report.to_json())))
    header = document.tables[0]
    left, right = (c.text for c in header.rows[0].cells)
    # each body's name on lines of the header's width, broken where its lines start by custom
    assert left.splitlines()[:4] == [
        "ỦY BAN NHÂN DÂN",
        "TỈNH LẠNG SƠN",
        "SỞ NÔNG NGHIỆP",
        "VÀ MÔI TRƯỜNG",
    ]
    assert "Số: …/BC-SNNMT" in left
    assert right.splitlines()[:2] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    assert "Lạng Sơn, ngày 20 tháng 12 năm 2025" in right
    assert any(p.text == "DỰ THẢO" for p in document.paragraphs[:2])
    footer = document.tables[-1]
    assert footer.rows[0].cells[0].text.startswith("Nơi nhận:")
    assert footer.rows[0].cells[1].text.startswith("KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC")
    section = document.sections[0]
    assert (section.left_margin.mm, section.right_margin.mm) == pytest.approx((30, 15), abs=0.5)
    assert document.styles["Normal"].font.name == "Times New Roman"


def test_a_swapped_word_template_shows_in_the_output(executed: Path, tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from make_word_template import make

    other = make(
        tmp_path / "other.docx", font="Liberation Sans", letterhead="SỞ THỬ NGHIỆM — LETTERHEAD"
    )
    exporter = CraftDocxExporter(word_template=str(other))
    data, _ = exporter.from_notebook_node(_nb(executed))
    out = tmp_path / "swapped.docx"
    out.write_bytes(data)
    document = docx.Document(str(out))
    assert document.styles["Normal"].font.name == "Liberation Sans"
    first = document.sections[0].first_page_header
    assert "SỞ THỬ NGHIỆM — LETTERHEAD" in "\n".join(p.text for p in first.paragraphs)
    assert "I. KẾT QUẢ THỰC HIỆN" in "\n".join(p.text for p in document.paragraphs)


def test_pdf_uses_the_bundled_fonts(executed: Path, tmp_path: Path) -> None:
    if shutil.which("pdffonts") is None or shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils is not installed")
    pdf = tmp_path / "cao-loc.pdf"
    pdf.write_bytes(html_to_pdf_bytes(page_html(_nb(executed))))
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    names = [line.split()[0] for line in fonts.stdout.splitlines()[2:]]
    # every font embedded is a bundled one: the serif, declared by @font-face as "Times New
    # Roman", and the symbols' font (a fresh machine gets the same letters); no system fallback
    assert names and all(("Times-New-Roman" in n or "Report-Symbols" in n) for n in names), names
    assert any("Report-Symbols" in n for n in names)  # the status symbols are drawn
    assert "OpenSymbol" not in fonts.stdout
    assert (FONTS / "LiberationSerif-Regular.ttf").exists()
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True
    ).stdout
    text = unicodedata.normalize("NFC", text)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "93,5%" in text
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "595.276 x 841.89" in pages  # A4 portrait


def test_render_reports_the_seconds_of_each_format(executed: Path) -> None:
    files, timings = render(_nb(executed), ("html", "docx"))
    assert set(timings) == {"html", "docx"} and all(v >= 0 for v in timings.values())
    assert len(files["html"]) > 10_000 and files["docx"][:2] == b"PK"  # a zip: the .docx
