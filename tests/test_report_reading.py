"""The reports as the official who signs them reads them: no English in a Vietnamese report,
no recognition shown that did not stand in the report's year, captions and notes that say what
they show, placeholders only where nothing is drafted, tables in the order officials use.
Expected values worked out by hand from the sample store (the queries are in the tests)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import docx
import duckdb
import pandas as pd
import pytest
from docx.oxml.ns import qn

import analysis.reports.content as r
from analysis.reports import appendices, assessment, review_sections, review_text, sections
from analysis.reports.assessment import reflow
from analysis.reports.build import build_report, header_lines
from analysis.reports.model import BulletList, Figure, Note, Paragraph
from analysis.reports.render_docx import model_to_docx
from analysis.reports.render_html import environment, html_to_pdf_bytes
from analysis.reports.review import TOTAL
from tests.report_helpers import by_id, rows

ENGLISH = re.compile(r"\b(the|and|its|is|has|value|target|year|shown|missing)\b")


@pytest.fixture(scope="module")
def province(sample_db: Path) -> r.ReportContext:
    return r.prepare("province", 2025, "tinh-lang-son", "vi", sample_db)


@pytest.fixture(scope="module")
def cao_loc(sample_db: Path) -> r.ReportContext:
    return r.prepare("district", 2025, "cao-loc", "vi", sample_db)


def test_method_appendix_states_every_rule_in_vietnamese(province: r.ReportContext) -> None:
    rules = next(b for b in appendices.method_appendix(province) if isinstance(b, BulletList))
    assert len(rules.items) == 8  # the eight statuses of status_bands.csv
    for item in rules.items:
        assert not ENGLISH.search(item), item
    assert "✗ Không đạt — đã đến năm mục tiêu mà giá trị của năm đó chưa đạt mục tiêu " in (
        "\n".join(rules.items)
    )
    no_data = next(i for i in rules.items if i.startswith("∅"))
    # the status's own words hold a colon: the rule follows a dash, not a second colon
    assert no_data == (
        "∅ Không đánh giá được: chưa có số liệu năm mục tiêu — đã đến năm mục tiêu nhưng chưa "
        "có số liệu của năm đó (ghi kèm giá trị gần nhất đã có)"
    )
    assert "✔ Đã đạt — giá trị mới nhất đã đạt mục tiêu" in rules.items


def _recognition(sample_db: Path, kind: str, year: int, place: str, village: str) -> list[str]:
    ctx = r.prepare(kind, year, place, "vi", sample_db)
    table = rows(sections.villages_table(ctx), "villages")
    header = table[0]
    row = next(row for row in table[1:] if row[0] == village)
    return [row[header.index("Công nhận")], row[header.index("Còn thiếu")]]


def test_villages_table_shows_recognition_as_it_stood_in_the_year(sample_db: Path) -> None:
    with duckdb.connect(str(sample_db), read_only=True) as con:
        naro = con.execute(
            "SELECT year(recognition_date), recognition_regime, withdrawal_year FROM villages "
            "WHERE village_id = 'VQ-NARO'"
        ).fetchone()
        khuoi = con.execute(
            "SELECT year(recognition_date) FROM villages WHERE village_id = 'CL-CONGSON'"
        ).fetchone()
    assert naro == (2016, "66/2006", 2025)  # recognised 2016, withdrawn 2025
    assert khuoi == (2024,)
    # Nà Rọ (Văn Quan): recognised until 2024, withdrawn in 2025, which the 2025 report says
    assert _recognition(sample_db, "district", 2024, "van-quan", "Thôn Nà Rọ") == [
        "Làng nghề truyền thống (2016, 66/2006)",
        "",
    ]
    withdrawn = _recognition(sample_db, "district", 2025, "van-quan", "Thôn Nà Rọ")
    assert withdrawn[0] == "Làng nghề truyền thống (2016, 66/2006; đã thu hồi năm 2025)"
    assert withdrawn[1] != ""  # no longer recognised: what it lacks (or "—") is shown
    # Khuổi Lầy (Cao Lộc) was recognised in 2024: not yet in the 2023 report
    assert _recognition(sample_db, "district", 2023, "cao-loc", "Thôn Khuổi Lầy")[0] == (
        "Chưa công nhận"
    )
    assert _recognition(sample_db, "district", 2025, "cao-loc", "Thôn Khuổi Lầy") == [
        "Làng nghề (2024, 52/2018)",
        "",
    ]


def test_figure_captions_carry_no_section_number_of_another_report(
    cao_loc: r.ReportContext,
) -> None:
    # the district outline has no "areas" section: trends are section 3 there, not 4
    caption = sections.trends_chart(cao_loc)[0]
    assert isinstance(caption, Figure)
    assert caption.caption == "Hộ, lao động, thu nhập và doanh thu"
    assert sections.progress_chart(cao_loc)[0].caption == "Tiến độ so với lộ trình đến mục tiêu"


def test_no_missing_values_is_said_in_a_sentence(sample_db: Path, cao_loc: r.ReportContext) -> None:
    with duckdb.connect(str(sample_db), read_only=True) as con:
        missing = con.execute(
            "SELECT count(*) FROM village_year y JOIN villages v USING (village_id) "
            "WHERE y.year = 2025 AND v.district_code = '183' AND (y.workers_trained IS NULL "
            "OR y.households_total IS NULL OR y.facilities IS NULL OR y.revenue_mvnd IS NULL)"
        ).fetchone()
    assert missing == (0,)
    notes = [b.text for b in sections.data_quality(cao_loc) if isinstance(b, Note)]
    assert notes == ["Không có ô thiếu số liệu trong năm 2025."]


def test_line_breaks_people_wrote_are_kept_in_the_page() -> None:
    block = {
        "type": "paragraph",
        "style": "unit",
        "lead": "",
        "text": "(Văn bản mẫu.)\n- Việc một.\n- Việc <hai>.",
    }
    html = str(environment().get_template("report_macros.html.j2").module.block(block, {}))
    assert html == '<p class="unit">(Văn bản mẫu.)<br>- Việc một.<br>- Việc &lt;hai&gt;.</p>'


def test_drafted_sentences_come_without_the_empty_placeholder(
    province: r.ReportContext, cao_loc: r.ReportContext
) -> None:
    strengths = assessment.narrative(province, "strengths")
    texts = [b.text for b in strengths if isinstance(b, Paragraph)]
    assert texts == ["[Dự thảo từ số liệu — đơn vị xem lại, sửa hoặc thay thế]"]
    # Cao Lộc has nothing short of its own targets: only the placeholder, nothing drafted
    shortcomings = assessment.narrative(cao_loc, "shortcomings")
    assert [(type(b), b.text) for b in shortcomings] == [
        (Paragraph, "[Đơn vị báo cáo bổ sung nội dung phần này.]")
    ]


def test_funding_sources_in_the_official_order(province: r.ReportContext) -> None:
    table = rows(sections.funding_table(province), "funding")
    # from the store: SELECT funding_source, sum(planned_mvnd), sum(disbursed_mvnd)
    # FROM activities WHERE year = 2025 GROUP BY 1
    assert [row[:3] for row in table[1:]] == [
        ["Ngân sách trung ương", "1.950,0", "1.587,4"],
        ["Ngân sách tỉnh", "3.340,0", "2.756,9"],
        ["Ngân sách cấp huyện/xã", "3.250,0", "2.218,0"],
        ["Nguồn khác (doanh nghiệp, người dân)", "1.370,0", "1.199,8"],
        ["Tổng", "9.910,0", "7.762,1"],
    ]
    tasks = rows(sections.outputs_table(province), "outputs")
    assert [row[0] for row in tasks[1:]] == [
        "Bảo tồn, khôi phục nghề",
        "Đào tạo nghề, truyền nghề",
        "Xúc tiến thương mại, quảng bá",
        "Xây dựng nhãn hiệu, OCOP",
        "Bảo vệ môi trường làng nghề",
        "Phát triển du lịch làng nghề",
        "Hạ tầng làng nghề",
    ]


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        ("ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN", ["ỦY BAN NHÂN DÂN", "TỈNH LẠNG SƠN"]),
        ("SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG", ["SỞ NÔNG NGHIỆP", "VÀ MÔI TRƯỜNG"]),
        ("ỦY BAN NHÂN DÂN PHƯỜNG HOÀNG VĂN THỤ", ["ỦY BAN NHÂN DÂN", "PHƯỜNG HOÀNG VĂN THỤ"]),
        (
            "DEPARTMENT OF AGRICULTURE AND ENVIRONMENT",
            ["DEPARTMENT OF AGRICULTURE", "AND ENVIRONMENT"],
        ),
        ("SỞ CÔNG THƯƠNG", ["SỞ CÔNG THƯƠNG"]),
    ],
)
def test_header_names_break_where_their_lines_start(name: str, lines: list[str]) -> None:
    assert header_lines(name).split("\n") == lines


@pytest.fixture(scope="module")
def province_model(sample_db: Path) -> dict:
    return build_report("province", 2025, "tinh-lang-son", "vi", sample_db, "2025-12-20").to_json()


def test_header_of_the_page_keeps_the_lines(province_model: dict) -> None:
    assert province_model["front"]["parent_body"] == "ỦY BAN NHÂN DÂN\nTỈNH LẠNG SƠN"
    html = str(environment().get_template("report_macros.html.j2").module.front(province_model))
    assert '<div class="caps issuer">SỞ NÔNG NGHIỆP<br>VÀ MÔI TRƯỜNG</div>' in html


def _text(element: object) -> str:
    """The text of a Word paragraph element (its w:t runs)."""
    return "".join(t.text or "" for t in element.iter(qn("w:t")))  # type: ignore[attr-defined]


VILLAGES = "5. Làng nghề và tiêu chí công nhận (Nghị định 52/2018/NĐ-CP)"


def test_the_villages_heading_is_on_the_landscape_page_of_its_table(province_model: dict) -> None:
    results = province_model["sections"][0]
    villages = next(s for s in results["sections"] if s["heading"] == VILLAGES)
    html = str(environment().get_template("report_macros.html.j2").module.section(villages, {}))
    assert html.startswith(f'<section class="landscape">\n<h3 id="sec_villages">{VILLAGES}</h3>')
    assert html.count("<section") == 1  # the table inside is not turned a second time
    document = docx.Document(io.BytesIO(model_to_docx(province_model)))
    body = list(document.element.body.iterchildren())
    at = next(i for i, el in enumerate(body) if _text(el) == VILLAGES)
    # a section break just before the heading, and the section the heading opens is landscape
    assert body[at - 1].find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None
    after = next(
        el.find(f"{qn('w:pPr')}/{qn('w:sectPr')}")
        for el in body[at:]
        if el.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None
    )
    assert after.find(qn("w:pgSz")).get(qn("w:orient")) == "landscape"


def test_an_area_says_whose_baseline_it_shows(sample_db: Path, cao_loc: r.ReportContext) -> None:
    with duckdb.connect(str(sample_db), read_only=True) as con:
        t6_2020 = con.execute(
            "SELECT numerator, denominator FROM indicator_values WHERE indicator_id = 'T6' "
            "AND place_id = 'tinh-lang-son' AND year = 2020"
        ).fetchone()
        t2_2021 = con.execute(
            "SELECT value FROM indicator_values WHERE indicator_id = 'T2' "
            "AND place_id = 'cao-loc' AND year = 2021"
        ).fetchone()
    assert round(100 * t6_2020[0] / t6_2020[1], 1) == 92.5
    assert t2_2021 == (1.0,)
    table = by_id(rows([sections.targets(cao_loc)[0]], "targets"))
    # province-wide targets are judged from the province's base, and the area's table says so
    assert table["T6"][1] == "92,5% (2020, toàn tỉnh)"
    assert table["T1"][1] == "0 (2020, toàn tỉnh)"
    assert table["T2"][1] == "1 (2021)"  # T2 is the area's own target and base


def test_a_missed_count_says_what_is_missing(province: r.ReportContext) -> None:
    # T4 (province, 2025): 0 villages linked with tourism against >= 1 by 2025 and >= 2 by
    # 2030: 1 short now, (2 - 0) / 5 = 0,4 a year from 2025 to 2030.
    table = by_id(rows([sections.targets(province)[0]], "targets"))
    assert table["T4"][-1] == "còn thiếu 1 làng nghề\nđến 2030: +0,4 mỗi năm"


def test_the_sample_narrative_agrees_with_the_numbers(province: r.ReportContext) -> None:
    """The shipped sample assessment is synthetic, but must not contradict the sample store:
    T1 (2) and T3 (6) met their 2025 targets of 1; T4 (0 against 1) did not."""
    statuses = province.progress[
        (province.progress["place_id"] == "tinh-lang-son")
        & (province.progress["target_year"] == 2025)
    ].set_index("indicator_id")["status"]
    assert (statuses["T1"], statuses["T3"], statuses["T4"]) == (
        "achieved",
        "achieved",
        "not_achieved",
    )
    text = " ".join(
        b.text for b in assessment.narrative(province, "assessment", placeholder=False)
    ).replace("\n", " ")
    sentence = next(s for s in text.split(".") if "du lịch" in s)
    assert "du lịch chưa đạt chỉ tiêu" in sentence
    assert "khôi phục nghề truyền thống và công nhận nghề, làng nghề đạt" in sentence


def test_the_review_drafts_lessons_the_numbers_support(sample_db: Path) -> None:
    ctx = r.prepare("review", 2025, "tinh-lang-son", "vi", sample_db)
    with duckdb.connect(str(sample_db), read_only=True) as con:
        spent = dict(
            con.execute(
                "SELECT task_group, round(sum(disbursed_mvnd), 1) FROM activities "
                "WHERE year BETWEEN 2021 AND 2025 GROUP BY 1"
            ).fetchall()
        )
        yearly = con.execute(
            "SELECT year, 100 * sum(disbursed_mvnd) / sum(planned_mvnd) FROM activities "
            "WHERE year BETWEEN 2021 AND 2025 GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert round(spent["tourism"] + spent["infrastructure"], 1) == 5822.2
    assert spent["environment"] == 3272.4
    assert [y for y, share in yearly if share < 80] == [2021, 2022, 2023, 2024, 2025]
    blocks = review_sections.review_narrative(ctx, "lessons")
    assert blocks[0].text == "[Dự thảo từ số liệu — đơn vị xem lại, sửa hoặc thay thế]"
    assert blocks[1].style == "drafted"
    # T1 (2 >= 2), T3 (6 >= 2) and T5 (100% >= 50%) already meet their 2030 targets; T4 (0 of
    # 1) and T6 (93,5% of 100%) missed 2025; every year disbursed under 80% of its plan.
    assert blocks[1].items == [
        "T1, T3, T5 đã đạt mục tiêu năm 2030 (số liệu năm 2025), khi các nhóm nhiệm vụ liên "
        "quan được triển khai trong giai đoạn (Bảo tồn, khôi phục nghề; Đào tạo nghề, truyền "
        "nghề; Xúc tiến thương mại, quảng bá; Xây dựng nhãn hiệu, OCOP): cách làm này cần được "
        "duy trì, nhân rộng.",
        "T4 không đạt dù các nhóm nhiệm vụ liên quan (Phát triển du lịch làng nghề; Hạ tầng "
        "làng nghề) đã giải ngân 5.822,2 triệu đồng trong giai đoạn: kinh phí cần gắn với kết "
        "quả cụ thể của chỉ tiêu và được theo dõi hằng năm.",
        "T6 không đạt dù các nhóm nhiệm vụ liên quan (Bảo vệ môi trường làng nghề) đã giải ngân "
        "3.272,4 triệu đồng trong giai đoạn: kinh phí cần gắn với kết quả cụ thể của chỉ tiêu "
        "và được theo dõi hằng năm.",
        "Giải ngân dưới 80% kế hoạch ở 5/5 năm của giai đoạn 2021-2025: kế hoạch kinh phí hằng "
        "năm cần sát với khả năng thực hiện và giải ngân.",
    ]


def test_no_lesson_is_drafted_without_numbers_behind_it() -> None:
    pace = pd.DataFrame(
        {
            "indicator_id": ["T4"],
            "status_review": ["on_track"],
            "status_end": ["on_track"],
            "end_year": [2030],
            "review_year": [2025],
        }
    )
    tasks = pd.DataFrame({"task_group": ["tourism"], "disbursed_mvnd": [100.0]})
    # one slow year of two is not "more than half of the years"
    period = pd.DataFrame(
        {
            "year": pd.array([2024, 2025, pd.NA], dtype="Int64"),
            "funding_source": [TOTAL, TOTAL, TOTAL],
            "disbursed_pct": [90.0, 70.0, 80.0],
        }
    )
    assert review_text.drafted_lessons(pace, period, tasks, "vi") == []
    # the same target met for 2030, but none of its task groups had an activity: no lesson
    met = pace.assign(status_review="achieved", status_end="achieved")
    assert review_text.drafted_lessons(met, period, tasks.iloc[:0], "vi") == []


def test_a_markdown_paragraph_reads_as_markdown(province: r.ReportContext) -> None:
    # data/narrative/2025/tinh-lang-son.md wraps its prose at 100 characters and lists the
    # tasks for next year as "- " items
    assessment_text = [b.text for b in assessment.narrative(province, "assessment", False)]
    assert (
        "không phải ý kiến của cơ quan nào.) Năm 2025, các cấp, các ngành trong tỉnh tiếp tục "
        "triển khai Kế hoạch số 244/KH-UBND; việc sắp xếp đơn vị hành chính" in assessment_text[0]
    )
    assert all("\n" not in t for t in assessment_text)
    tasks = [b.text for b in assessment.narrative(province, "next_year")]
    assert tasks == [
        "(Văn bản mẫu.)\n"
        "- Hướng dẫn các xã, phường hoàn thiện hồ sơ bảo vệ môi trường của các cơ sở trong "
        "làng nghề.\n"
        "- Lựa chọn thêm làng nghề có điều kiện để phát triển gắn với du lịch.\n"
        "- Duy trì báo cáo theo thôn bằng biểu mẫu Excel đúng hạn."
    ]
    # a wrapped line that begins with a year is not taken for a numbered item
    assert reflow("đến năm\n2025. Một số") == "đến năm 2025. Một số"


def test_each_indicator_is_drafted_once_with_both_target_years(province: r.ReportContext) -> None:
    # T1 = 2 (targets 1 for 2025, 2 for 2030), T3 = 6 (1, 2), T5 = 100% (100%, 50%): met
    strengths = next(
        b for b in assessment.narrative(province, "strengths") if isinstance(b, BulletList)
    )
    assert strengths.items == [
        "T1 (Nghề/làng nghề truyền thống có nguy cơ mai một được khôi phục): 2 — mục tiêu năm "
        "2025 (1): đã đạt; mục tiêu năm 2030 (2): đã đạt.",
        "T3 (Nghề, làng nghề, làng nghề truyền thống được công nhận mới): 6 — mục tiêu năm 2025 "
        "(1): đã đạt; mục tiêu năm 2030 (2): đã đạt.",
        "T5 (Làng nghề được công nhận hoạt động có hiệu quả): 100,0% — mục tiêu năm 2025 "
        "(100,0%): đã đạt; mục tiêu năm 2030 (50,0%): đã đạt.",
    ]
    short = next(
        b for b in assessment.narrative(province, "shortcomings") if isinstance(b, BulletList)
    )
    # T4 = 0: 1 short of 2025's 1; (2 - 0) / 5 = 0,4 a year to reach 2030's 2
    assert short.items[0] == (
        "T4 (Làng nghề gắn với du lịch): 0 — mục tiêu năm 2025 (1): không đạt, còn thiếu 1 làng "
        "nghề; mục tiêu năm 2030 (2): tiến độ hạn chế, đến 2030: +0,4 mỗi năm."
    )
    assert sum(item.startswith("T6 (") for item in short.items) == 1


def test_each_reading_shows_the_target_as_counted(province: r.ReportContext) -> None:
    readings = appendices.method_appendix(province)[-1]
    assert isinstance(readings, BulletList)
    items = {i.split(":")[0]: i for i in readings.items}
    # T5 2025: the plan gives no number; the project reads it as 100% (unverified)
    assert items["T5 (2025, ≥ 100,0%)"].endswith(
        "phát triển hoạt động có hiệu quả. (diễn giải, chưa xác minh)"
    )
    # T6 2030: our copy of the plan is cut off; said in words an official reads
    assert items["T6 (2030, ≥ 100,0%)"] == (
        "T6 (2030, ≥ 100,0%): (Bản Kế hoạch hiện có không ghi được mục tiêu này; tạm lấy 100% "
        "như mục tiêu năm 2025 và Quyết định 801/QĐ-TTg.) (diễn giải, chưa xác minh)"
    )
    assert items["T3 (2025, ≥ 1)"].endswith("làng nghề, làng nghề truyền thống.")  # no "[1]"
    assert items["T2 (2030, 11/11 địa bàn đạt ≥ 3)"].startswith("T2 (2030, 11/11 địa bàn đạt")


def test_an_english_report_says_the_units_words_are_as_written(sample_db: Path) -> None:
    ctx = r.prepare("province", 2025, "tinh-lang-son", "en", sample_db)
    blocks = assessment.narrative(ctx, "causes")
    assert blocks[0].text == "[The unit's own words, in Vietnamese as written.]"
    assert blocks[1].text.startswith("(Văn bản mẫu.) Nguồn vốn hỗ trợ xử lý chất thải")
    # the Vietnamese report has no such note
    vi = r.prepare("province", 2025, "tinh-lang-son", "vi", sample_db)
    assert assessment.narrative(vi, "causes")[0].text.startswith("(Văn bản mẫu.)")


def test_every_page_of_the_word_file_after_the_first_is_numbered(
    province_model: dict, tmp_path: Path
) -> None:
    data = model_to_docx(province_model)
    document = docx.Document(io.BytesIO(data))
    refs = [s._sectPr.find(qn("w:headerReference")).get(qn("r:id")) for s in document.sections]
    assert len(refs) >= 3 and len(set(refs)) == 1  # portrait, landscape, portrait...: one header
    assert [s._sectPr.find(qn("w:titlePg")) is not None for s in document.sections][1:] == [
        False
    ] * (len(refs) - 1)
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice not installed: the layout check needs it")
    (tmp_path / "report.docx").write_bytes(data)
    subprocess.run(
        [
            soffice,
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "report.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pages = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) > 8
    for number, page in enumerate(pages[1:], start=2):
        first_line = next(line for line in page.splitlines() if line.strip())
        assert first_line.strip() == str(number), (number, first_line)


def test_the_t2_table_says_what_it_counts(sample_db: Path, province: r.ReportContext) -> None:
    table = next(b for b in sections.t2_by_area(province))
    assert table.caption == (
        "Chỉ tiêu T2 theo địa bàn: số nghề sản xuất thành hàng hóa năm 2025 "
        "(mục tiêu mỗi địa bàn: ≥ 2 năm 2025, ≥ 3 năm 2030)"
    )
    with duckdb.connect(str(sample_db), read_only=True) as con:
        counts = dict(
            con.execute(
                "SELECT d.short_name_vi, count(*) FROM district_crafts c "
                "JOIN ref_districts d ON d.code = c.district_code WHERE c.year = 2025 GROUP BY 1"
            ).fetchall()
        )
    got = {row[0]: row[1] for row in rows([table], "t2_by_area")[1:]}
    assert got == {area: str(n) for area, n in counts.items()}
    assert got["Bình Gia"] == got["Hữu Lũng"] == got["Đình Lập"] == "1"


def test_the_status_legend_is_not_stretched_across_the_line() -> None:
    # paragraphs are justified; the legend is a row of symbols and words, set flush left
    css = (Path(environment().loader.searchpath[0]) / "report_blocks.css").read_text("utf-8")
    rule = re.search(r"^\.legend \{([^}]*)\}", css, re.MULTILINE)
    assert rule is not None and "text-align: left" in rule.group(1)


def _pdf_pages(model: dict, tmp_path: Path) -> list[tuple[str, bool]]:
    """Each page of the model's PDF (the batch's engine): its text and whether it is landscape."""
    nb = {"cells": [{"outputs": [{"data": {"application/vnd.langson.report+json": model}}]}]}
    html = environment().get_template("report.html.j2").render(nb=nb)
    path = tmp_path / "report.pdf"
    path.write_bytes(html_to_pdf_bytes(html))
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(path)], check=True, capture_output=True, text=True
    ).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout.split("\f")
    return [(t, float(w) > float(h)) for t, (w, h) in zip(text, sizes, strict=False)]


def _page_of(pages: list[tuple[str, bool]], heading: str) -> tuple[str, bool]:
    return next(p for p in pages if any(line.strip() == heading for line in p[0].splitlines()))


def test_landscape_pages_hold_their_section_and_its_parent_heading_only(
    sample_db: Path, province_model: dict, tmp_path: Path
) -> None:
    review = build_report("review", 2025, "tinh-lang-son", "vi", sample_db, "2025-12-20")
    pages = _pdf_pages(review.to_json(), tmp_path)
    # III has no text of its own and its first subsection is the wide pace table: the roman
    # heading goes with it, not at the foot of the page before
    text, landscape = _page_of(pages, "III. PHƯƠNG HƯỚNG, NHIỆM VỤ GIAI ĐOẠN TIẾP THEO")
    assert landscape and "1. Mức còn thiếu và tiến độ cần đạt đến năm 2030" in text
    # what follows the landscape section is back on a portrait page
    assert _page_of(pages, "2. Nhiệm vụ, giải pháp chủ yếu")[1] is False
    # the period's section: its wide table in landscape, the chart after it in portrait, with
    # its caption on the chart's page (a landscape page could not hold the chart)
    assert _page_of(pages, "2. Kết quả các chỉ tiêu qua các năm của giai đoạn")[1] is True
    chart_page = _page_of(pages, "Tiến độ so với lộ trình đến mục tiêu")
    assert chart_page[1] is False
    images = subprocess.run(
        ["pdfimages", "-list", str(tmp_path / "report.pdf")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()[2:]
    pages_with_images = {int(line.split()[0]) for line in images}
    assert pages.index(chart_page) + 1 in pages_with_images  # the chart is on its caption's page
    # the Word file likewise: a section break right before III, and III's section is landscape
    body = list(docx.Document(io.BytesIO(model_to_docx(review.to_json()))).element.body)
    at = next(i for i, el in enumerate(body) if _text(el).startswith("III. PHƯƠNG HƯỚNG, NHIỆM VỤ"))
    assert body[at - 1].find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None
    assert _text(body[at + 1]) == "1. Mức còn thiếu và tiến độ cần đạt đến năm 2030"
    province = _pdf_pages(province_model, tmp_path)
    assert _page_of(province, VILLAGES)[1] is True
    assert _page_of(province, "6. Hoạt động và kinh phí thực hiện")[1] is False
