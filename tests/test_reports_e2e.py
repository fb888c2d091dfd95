"""End to end: real papermill runs on a real kernel, real nbconvert/WeasyPrint/python-docx output,
numbers in every format equal to the indicator engine's, a failing report that spares the others,
and a real headless Chromium opening the index and a report."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import docx
import nbformat
import pytest

from analysis.core import config
from analysis.core.formatting import format_percent
from analysis.indicators.compute import compute_indicators
from analysis.indicators.progress import assess_progress
from analysis.pipeline import load_dataset
from analysis.run.runner import BatchSummary, Job, plan_jobs, run_batch
from tests.conftest import html_tables

pytestmark = pytest.mark.slow

ALL = ("html", "pdf", "docx")
EXTRA = [
    Job("district", 2025, "cao-loc", "en", ("html",)),
    Job("district", 2025, "van-lang", "xx", ("html",)),  # a bad language: this report fails
    Job("commune", 2025, "xa-cong-son", "vi", ("html",)),
]


@pytest.fixture(scope="session")
def sample_year_jobs(sample_db: Path) -> list[Job]:
    """Every report of the sample year (11 areas, the province, the review) in all formats."""
    return plan_jobs(
        kinds=["district", "province", "review"],
        year=2025,
        place="all",
        lang="vi",
        formats=ALL,
        db_path=sample_db,
    )


@pytest.fixture(scope="session")
def batch(
    sample_db: Path, sample_year_jobs: list[Job], tmp_path_factory: pytest.TempPathFactory
) -> tuple[BatchSummary, Path]:
    """One batch per test session: the 13 reports of 2025 in three formats, and three more."""
    out = tmp_path_factory.mktemp("outputs")
    jobs = [*sample_year_jobs, *EXTRA]
    summary = run_batch(jobs, out_dir=out, db_path=sample_db, n_jobs=2, progress=False)
    return summary, out


@pytest.fixture(scope="module")
def engine(sample_db: Path) -> dict[tuple[str, str], object]:
    """The engine's 2025 values and statuses, to compare with what the reports print."""
    ind = compute_indicators(load_dataset(sample_db), [2020, 2021, 2022, 2023, 2024, 2025])
    latest = ind[ind["year"] == 2025]
    out: dict[tuple[str, str], object] = {
        (r.indicator_id, r.place_id): r.value for r in latest.itertuples(index=False)
    }
    progress = assess_progress(ind, 2025)
    for r in progress.itertuples(index=False):
        out[(r.indicator_id, r.place_id, r.target_year)] = r.label_vi
    return out


def _targets_rows(html: str) -> dict[str, list[str]]:
    table = next(
        t for t in html_tables(html) if t and t[0] and t[0][0] in ("Chỉ tiêu", "Indicator")
    )
    return {row[0].split(".")[0]: row for row in table[1:]}


def test_one_failure_leaves_the_others_complete(batch: tuple[BatchSummary, Path]) -> None:
    summary, out = batch
    status = {(r.job.kind, r.job.place_id, r.job.lang): r.status for r in summary.results}
    assert len(status) == 13 + 3
    assert status[("district", "van-lang", "xx")] == "failed"
    assert {v for k, v in status.items() if k[2] != "xx"} == {"done"}
    failed = summary.failed[0]
    assert "unknown language 'xx'" in failed.error
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entries = {e["key"]: e for e in manifest["reports"]}
    assert entries["2025/district/cao-loc"]["status"] == "done"
    assert entries["2025/district/van-lang.xx"]["status"] == "failed"
    assert len(entries["2025/district/cao-loc"]["fingerprint"]) == 64
    assert entries["2025/district/cao-loc"]["seconds"] > 0
    # the seconds of each step, so the next bottleneck is visible
    assert set(entries["2025/district/cao-loc"]["timings"]) >= {"execute", "html", "pdf", "docx"}


def test_html_report_numbers_and_no_code(batch: tuple[BatchSummary, Path], engine: dict) -> None:
    _, out = batch
    html = (out / "reports" / "2025" / "cao-loc.html").read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", html)
    for leak in ("import analysis", "build_report(", "db_path", "In&nbsp;[", "data/reference"):
        assert leak not in html, leak
    assert "I. KẾT QUẢ THỰC HIỆN" in html
    assert "DỮ LIỆU GIẢ LẬP" in html
    rows = _targets_rows(html)
    # Cao Lộc's commodity crafts in 2025: rice wine (2021), incense (2022), black jelly (2024).
    assert engine[("T2", "cao-loc")] == 3
    assert rows["T2"][2] == "3"
    assert rows["T6"][3] == format_percent(engine[("T6", "tinh-lang-son")], 1, "vi")
    assert rows["T3"][3] == str(int(engine[("T3", "tinh-lang-son")]))
    # status cells (2025 and 2030) carry the engine's words for the province-wide T6
    assert engine[("T6", "tinh-lang-son", 2025)] in rows["T6"][5]
    assert engine[("T6", "tinh-lang-son", 2030)] in rows["T6"][7]
    assert engine[("T2", "cao-loc", 2030)] in rows["T2"][7]


def test_english_report(batch: tuple[BatchSummary, Path], engine: dict) -> None:
    _, out = batch
    html = (out / "reports" / "2025" / "cao-loc.en.html").read_text(encoding="utf-8")
    assert "I. RESULTS" in html and "SYNTHETIC DATA" in html
    rows = _targets_rows(html)
    assert rows["T6"][3] == format_percent(engine[("T6", "tinh-lang-son")], 1, "en")


def test_pdf_text_has_vietnamese_and_numbers(
    batch: tuple[BatchSummary, Path], engine: dict
) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed")
    _, out = batch
    text = subprocess.run(
        ["pdftotext", "-layout", str(out / "reports" / "2025" / "cao-loc.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    text = unicodedata.normalize("NFC", text)
    assert "KẾT QUẢ THỰC HIỆN" in text
    assert "DỮ LIỆU GIẢ LẬP" in text
    assert format_percent(engine[("T6", "tinh-lang-son")], 1, "vi") in text
    assert "import analysis" not in text


def test_docx_tables_equal_the_engine(batch: tuple[BatchSummary, Path], engine: dict) -> None:
    _, out = batch
    document = docx.Document(str(out / "reports" / "2025" / "cao-loc.docx"))
    table = next(t for t in document.tables if t.rows[0].cells[0].text.strip() == "Chỉ tiêu")
    rows = {r.cells[0].text.split(".")[0]: [c.text.strip() for c in r.cells] for r in table.rows}
    assert rows["T2"][2] == "3"
    assert rows["T6"][3] == format_percent(engine[("T6", "tinh-lang-son")], 1, "vi")
    body = "\n".join(p.text for p in document.paragraphs)
    assert "I. KẾT QUẢ THỰC HIỆN" in body
    assert "import analysis" not in body
    assert document.sections[0].page_width.mm == pytest.approx(210, abs=0.5)


def test_second_run_skips_unchanged(
    batch: tuple[BatchSummary, Path], sample_db: Path, sample_year_jobs: list[Job]
) -> None:
    _, out = batch
    fine = [j for j in [*sample_year_jobs, *EXTRA] if j.lang != "xx"]
    again = run_batch(fine, out_dir=out, db_path=sample_db, n_jobs=2, progress=False)
    assert [r.status for r in again.results] == ["skipped"] * len(fine)


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _shoot(page: Path, png: Path, tmp: Path) -> str:
    """Open a page in headless Chromium: return its DOM and keep a screenshot."""
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp}",
    ]
    browser = _chromium()
    subprocess.run(
        [browser, *flags, f"--screenshot={png}", "--window-size=1200,1600", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    return subprocess.run(
        [browser, *flags, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout


def test_index_and_report_render_in_chromium(
    batch: tuple[BatchSummary, Path], tmp_path: Path
) -> None:
    if _chromium() is None:
        pytest.skip("chromium (Debian package) is not installed")
    from PIL import Image, ImageStat

    _, out = batch
    artifacts = config.OUTPUTS_DIR / "test-artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    for page, name in (
        (out / "index.html", "index.png"),
        (out / "reports" / "2025" / "cao-loc.html", "report-cao-loc.png"),
    ):
        dom = _shoot(page, artifacts / name, tmp_path / name)
        assert "<table" in dom
        image = Image.open(artifacts / name).convert("L")
        assert image.size == (1200, 1600)
        assert ImageStat.Stat(image).stddev[0] > 10  # not a blank page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "reports/2025/cao-loc.html" in index
    assert "DỮ LIỆU GIẢ LẬP" in index
    glance = next(t for t in html_tables(index) if t and t[0][0] == "Địa bàn")
    assert [row[0] for row in glance[1:3]] == ["Lạng Sơn", "TP. Lạng Sơn"]


_NUMBER = re.compile(r"\d[\d.,]*%?")


def _cells(text: str) -> str:
    return " ".join(text.split())


def test_every_table_cell_is_the_same_in_every_format(
    batch: tuple[BatchSummary, Path], sample_year_jobs: list[Job]
) -> None:
    """For every report of 2025: each cell of each table of the model is the cell of the HTML
    table (parsed), of the Word table (python-docx), and its numbers are in the PDF's text."""
    from analysis.reports.model import model_of
    from tests.report_helpers import model_tables

    _, out = batch
    has_pdftotext = shutil.which("pdftotext") is not None
    checked = 0
    for job in sample_year_jobs:
        stem = out / "reports" / "2025" / job.stem
        nb = nbformat.read(out / "notebooks" / "2025" / f"{job.kind}-{job.stem}.ipynb", 4)
        tables = model_tables(model_of(nb))
        expected = [
            [
                [_cells(c["header"]) for c in t["columns"]],
                *[[_cells(x) for x in r] for r in t["text"]],
            ]
            for t in tables
        ]
        html = html_tables(stem.with_suffix(".html").read_text(encoding="utf-8"))[1:-1]
        assert html == expected, job.stem
        document = docx.Document(str(stem.with_suffix(".docx")))
        words = [
            [[_cells(c.text) for c in row.cells] for row in table.rows]
            for table in document.tables[1:-1]
        ]
        assert words == expected, job.stem
        if has_pdftotext:
            text = subprocess.run(
                ["pdftotext", str(stem.with_suffix(".pdf")), "-"], capture_output=True, text=True
            ).stdout
            numbers = set(_NUMBER.findall(unicodedata.normalize("NFC", text)))
            for table in expected:
                for row in table[1:]:
                    for cell in row:
                        for number in _NUMBER.findall(cell):
                            assert number in numbers, (job.stem, cell)
        checked += sum(len(t) - 1 for t in expected)
    assert checked > 13 * 20


def test_a_users_narrative_survives_force_and_shows_in_every_format(
    sample_db: Path, tmp_path: Path
) -> None:
    """A narrative file an official wrote is merged into the three formats, is never touched
    by ``--force``, and an edit to it makes the report stale (it is made again)."""
    from analysis.data.narrative import narrative_path

    path = narrative_path(2025, "van-quan")
    if path.exists():
        pytest.skip(f"{path} exists: this test writes and removes its own file")
    words = "Huyện Văn Quan tổ chức tập huấn nghề cho 40 hộ (văn bản của người dùng)."
    text = f"# Thuyết minh\n\n## Nguyên nhân\n\n{words}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    try:
        job = Job("district", 2025, "van-quan", "vi", ALL)
        out = tmp_path / "out"
        for _ in range(2):
            summary = run_batch([job], out_dir=out, db_path=sample_db, force=True, progress=False)
            assert [r.status for r in summary.results] == ["done"]
        assert path.read_text(encoding="utf-8") == text  # never overwritten
        stem = out / "reports" / "2025" / "van-quan"
        assert words in stem.with_suffix(".html").read_text(encoding="utf-8")
        document = docx.Document(str(stem.with_suffix(".docx")))
        assert words in "\n".join(p.text for p in document.paragraphs)
        if shutil.which("pdftotext"):
            pdf = subprocess.run(
                ["pdftotext", str(stem.with_suffix(".pdf")), "-"], capture_output=True, text=True
            ).stdout
            assert "40 hộ" in " ".join(unicodedata.normalize("NFC", pdf).split())
        same = run_batch([job], out_dir=out, db_path=sample_db, progress=False)
        assert [r.status for r in same.results] == ["skipped"]
        path.write_text(text.replace("40 hộ", "45 hộ"), encoding="utf-8")
        edited = run_batch([job], out_dir=out, db_path=sample_db, progress=False)
        assert [r.status for r in edited.results] == ["done"]
        assert "45 hộ" in stem.with_suffix(".html").read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)
