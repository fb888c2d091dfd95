"""Report builders without a kernel: parameters checked, numbers, words, escaping. Values
worked out by hand from data/sample."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import analysis.reports.content as r
from analysis.reports import assessment, sections, tables
from analysis.reports.build import build_report
from analysis.reports.model import BulletList, Paragraph
from tests.report_helpers import by_id, rows


@pytest.fixture(scope="module")
def ctx(sample_db: Path) -> r.ReportContext:
    return r.prepare("district", 2025, "cao-loc", "vi", sample_db)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("district", 2025, "tinh-lang-son"), "unknown place 'tinh-lang-son' for a district"),
        (("district", 2031, "cao-loc"), "no data for year 2031; valid years: 2021, 2022"),
        (("weekly", 2025, "cao-loc"), "unknown report kind 'weekly'"),
    ],
)
def test_bad_parameters_list_the_valid_ones(sample_db: Path, args: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        r.prepare(*args, "vi", sample_db)


def test_bad_language(sample_db: Path) -> None:
    with pytest.raises(ValueError, match="unknown language 'fr'; valid: vi, en"):
        r.prepare("district", 2025, "cao-loc", "fr", sample_db)


def test_targets_table_for_an_area(ctx: r.ReportContext) -> None:
    table = rows(sections.targets(ctx), "targets")
    assert table[0][:4] == [
        "Chỉ tiêu",
        "Giá trị gốc (năm)",
        "Kết quả năm 2025\n(Cao Lộc)",
        "Kết quả năm 2025\n(toàn tỉnh)",
    ]
    assert table[0][-1] == "Còn cần"
    got = by_id(table)
    assert list(got) == ["T1", "T2", "T3", "T4", "T5", "T6"]
    # Cao Lộc: rice wine 2021, incense 2022, black jelly 2024 -> 3 commodity crafts (T2 >= 2, 3);
    # its baseline is the first year it was counted: 1 craft in 2021.
    assert got["T2"][1] == "1 (2021)"
    assert got["T2"][2] == "3" and got["T2"][4] == "≥ 2" and got["T2"][6] == "≥ 3"
    assert got["T2"][5].startswith("✔ Đã đạt") and got["T2"][7].startswith("✔ Đã đạt")
    # Province-wide targets say so for an area, and the unverified ones carry a star.
    assert got["T1"][4] == "≥ 1 (toàn tỉnh)"
    assert got["T5"][4] == "≥ 100,0% (toàn tỉnh) *"
    # T6: 432 of 462 facilities (93,5%; VQ-NARO withdrawn in 2025) against 100% for 2025,
    # whose year has come: 6,5 points short.
    assert got["T6"][3] == "93,5%"
    assert "còn thiếu 6,5 điểm %" in got["T6"][-1]


def test_data_quality_shows_the_late_report(sample_db: Path) -> None:
    ctx = r.prepare("district", 2024, "huu-lung", "vi", sample_db)
    table = rows(sections.data_quality(ctx), "submissions")
    assert table[1] == ["Huyện Hữu Lũng", "15/12/2024", "20/01/2025", "Muộn 36 ngày"]


def test_missing_submission_counted(sample_db: Path) -> None:
    ctx = r.prepare("district", 2023, "dinh-lap", "en", sample_db)
    blocks = sections.data_quality(ctx)
    assert rows(blocks, "submissions", "en")[1] == [
        "Dinh Lap District",
        "15 Dec 2023",
        "—",
        "Missing",
    ]
    # both Đình Lập villages lack every figure that year
    missing = rows(blocks, "missing_values", "en")
    assert any("(+2 villages without figures)" in row[1] for row in missing[1:])


def test_narrative_from_the_units_kept_as_written(sample_db_copy: Path) -> None:
    ctx = r.prepare("district", 2025, "cao-loc", "vi", sample_db_copy)
    communes = sorted(tables.units_of_place(ctx.ds, "cao-loc", 2025)["unit_code"])
    with duckdb.connect(str(sample_db_copy)) as con:
        con.execute(
            "CREATE TABLE IF NOT EXISTS narratives (unit_code VARCHAR, year INTEGER, "
            "section VARCHAR, text_vi VARCHAR, log_id INTEGER)"
        )
        con.execute(
            "INSERT INTO narratives VALUES (?, 2025, 'strengths', ?, 1)",
            [communes[0], "Sản xuất ổn định.\n\n<script>alert(1)</script> Thu nhập tăng."],
        )
    model = build_report("district", 2025, "cao-loc", "vi", sample_db_copy).to_json()
    from analysis.reports.render_html import fragment_html

    html = fragment_html(model)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Thu nhập tăng." in html
    fresh = r.prepare("district", 2025, "cao-loc", "vi", sample_db_copy)
    blocks = assessment.narrative(fresh, "strengths")
    assert [(b.text, b.style) for b in blocks] == [
        ("Sản xuất ổn định.", "unit"),
        ("<script>alert(1)</script> Thu nhập tăng.", "unit"),
    ]
    # a section nobody wrote gets the placeholder
    assert "Đơn vị báo cáo bổ sung" in assessment.narrative(fresh, "proposals")[0].text


def test_drafted_sentences_are_the_areas_own_and_marked(ctx: r.ReportContext) -> None:
    strengths = assessment.narrative(ctx, "strengths")
    drafted = [b for b in strengths if isinstance(b, BulletList)]
    assert drafted and drafted[0].style == "drafted"
    text = "\n".join(drafted[0].items)
    # Cao Lộc's own T2 (3 crafts) and its own counts, not the province's achievements
    assert "T2 (Nghề sản xuất thành hàng hóa ở mỗi huyện): 3" in text
    assert (
        "T3 (Nghề, làng nghề, làng nghề truyền thống được công nhận mới): địa bàn đóng góp 1"
        in text
    )
    assert "T5 (" not in text  # a province-wide share: not the area's achievement
    assert not any("Lạng Sơn" in item for item in drafted[0].items)


def test_province_shortcomings_name_every_miss(sample_db: Path) -> None:
    ctx = r.prepare("province", 2025, "tinh-lang-son", "vi", sample_db)
    items = next(b for b in assessment.narrative(ctx, "shortcomings") if isinstance(b, BulletList))
    text = "\n".join(items.items)
    assert "T6 (Cơ sở sản xuất đáp ứng quy định môi trường): 93,5%" in text
    assert "còn thiếu 6,5 điểm %" in text
    # T2 missed in Bình Gia, Hữu Lũng and Đình Lập (1 commodity craft each)
    assert "Bình Gia" in text and "Hữu Lũng" in text and "Đình Lập" in text
    # C4 (trademarks) 20% against the national 30%: a context shortfall is named too
    assert "C4 (" in text
    assert isinstance(assessment.narrative(ctx, "shortcomings")[0], Paragraph)


def test_village_status_for_the_map(ctx: r.ReportContext) -> None:
    status = tables.village_status(ctx.ds, 2025).set_index("village_id")["map_status"]
    v = ctx.ds.villages
    withdrawn = v["withdrawal_year"].notna() & (v["withdrawal_year"] <= 2025)
    recognised = set(v.loc[(v["recognition"] != "none") & ~withdrawn, "village_id"])
    assert set(status[list(recognised)]) <= {"effective", "not_effective"}
    assert set(status.drop(list(recognised))) <= {"ready", "not_ready"}
    # Nà Rọ's recognition (2016) was withdrawn in 2025: not on the map as recognised; it meets
    # the Decree 52 screen (44% of households, stable, both environmental conditions)
    assert status["VQ-NARO"] == "ready"
    assert tables.village_status(ctx.ds, 2024).set_index("village_id").at[
        "VQ-NARO", "map_status"
    ] in (
        "effective",
        "not_effective",
    )
    # Long Hưng (roof tiles): 28% of households in the craft and stable, but no
    # self-managed environmental group in 2025, so not yet ready for recognition
    assert status["BS-LONGHUNG"] == "not_ready"


def test_province_t2_counts_the_areas(sample_db: Path) -> None:
    ctx = r.prepare("province", 2025, "tinh-lang-son", "vi", sample_db)
    got = by_id(rows(sections.targets(ctx), "targets"))
    # By 2025 (sample_spec.yaml): 8 areas have >= 2 commodity crafts; Bình Gia, Hữu Lũng and
    # Đình Lập have 1 each, and 2025 is the deadline: those three have not achieved it.
    assert got["T2"][2] == "8/11"
    assert got["T2"][3] == "11/11 địa bàn đạt ≥ 2"
    assert got["T2"][4] == "✔ 8, ✗ 3"


def test_commune_report(sample_db: Path) -> None:
    ctx = r.prepare("commune", 2025, "xa-cong-son", "vi", sample_db)
    got = by_id(rows(sections.targets(ctx), "targets"))
    assert got["T2"][2] == "—"  # T2 is counted per former district-level area
    assert got["T2"][5] == "Không áp dụng"
    # T4 counts recognised craft villages with tourism: the sample's three tourism villages are
    # not recognised, so the commune and the province both count 0 (docs/assumptions.md, I4)
    assert got["T4"][2] == "0" and got["T4"][3] == "0"
    model = build_report("commune", 2025, "xa-cong-son", "vi", sample_db).to_json()
    assert model["front"]["body"] == "ỦY BAN NHÂN DÂN\nXÃ CÔNG SƠN"
    villages = rows(sections.villages_table(ctx), "villages")
    assert [row[0] for row in villages[1:]] == ["Thôn Khuổi Lầy"]


def test_national_benchmarks(sample_db: Path) -> None:
    ctx = r.prepare("province", 2025, "tinh-lang-son", "vi", sample_db)
    from analysis.reports.targets import status_looks

    got = by_id(rows(sections.national_context(ctx), "national", "vi", status_looks(None, "vi")))
    assert list(got) == ["C3", "C4", "C5", "C7"]
    # C4 by hand: 6 of the 30 sample villages have a collective trademark or a geographical
    # indication (Nà Phiêng, Hội Hoan, Hà Quảng; the star-anise villages of Văn Lãng, Văn Quan
    # and Bình Gia) -> 20%, against Decision 801's 30% for 2025 and 50% for 2030.
    assert got["C4"][1:3] == ["20,0%", "≥ 30,0%"]
    assert got["C4"][4] == "≥ 50,0%"
    assert got["C7"][2] == "≥ 1,50" and got["C7"][4] == "—"
