"""Report sections without a kernel: parameters checked, numbers, words, escaping."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import analysis.reports.content as r
from analysis.reports import tables
from tests.conftest import html_tables


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
    table = html_tables(r.targets_table(ctx).data)[0]
    assert table[0][:4] == [
        "Chỉ tiêu",
        "Đơn vị",
        "Kết quả năm 2025 (Cao Lộc)",
        "Kết quả năm 2025 (toàn tỉnh)",
    ]
    rows = {row[0].split(".")[0]: row for row in table[1:]}
    assert list(rows) == ["T1", "T2", "T3", "T4", "T5", "T6"]
    # Cao Lộc: rice wine 2021, incense 2022, black jelly 2024 -> 3 commodity crafts (T2 >= 2, 3)
    assert rows["T2"][2] == "3" and rows["T2"][4] == "≥ 2" and rows["T2"][6] == "≥ 3"
    assert rows["T2"][5].startswith("✔ Đã đạt") and rows["T2"][7].startswith("✔ Đã đạt")
    # Province-wide targets say so for an area, and the unverified ones carry a star.
    assert rows["T1"][4] == "≥ 1 (toàn tỉnh)"
    assert rows["T5"][4] == "≥ 100,0% (toàn tỉnh) *"


def test_data_quality_shows_the_late_report(sample_db: Path) -> None:
    ctx = r.prepare("district", 2024, "huu-lung", "vi", sample_db)
    table = html_tables(r.data_quality(ctx).data)[0]
    assert table[1] == ["Huyện Hữu Lũng", "15/12/2024", "20/01/2025", "Muộn 36 ngày"]


def test_missing_submission_counted(sample_db: Path) -> None:
    ctx = r.prepare("district", 2023, "dinh-lap", "en", sample_db)
    tables_html = html_tables(r.data_quality(ctx).data)
    assert tables_html[0][1] == ["Dinh Lap District", "15 Dec 2023", "—", "Missing"]
    # both Đình Lập villages lack every figure that year
    assert any("(+2 villages without figures)" in row[1] for row in tables_html[1][1:])


def test_narrative_from_the_units_escaped(sample_db_copy: Path) -> None:
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
    fresh = r.prepare("district", 2025, "cao-loc", "vi", sample_db_copy)
    html = r.narrative(fresh, "strengths").data
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Thu nhập tăng." in html
    assert html.startswith("<p>Sản xuất ổn định.</p>")
    # a section nobody wrote gets the placeholder
    assert "Đơn vị báo cáo bổ sung" in r.narrative(fresh, "proposals").data


def test_suggestions_follow_the_statuses(ctx: r.ReportContext) -> None:
    text = r.narrative(ctx, "shortcomings").data
    # 432 of 462 facilities (VQ-NARO's recognition withdrawn in 2025).
    assert "T6 (Cơ sở sản xuất đáp ứng quy định môi trường, Lạng Sơn): 93,5%" in text
    assert "cần thêm khoảng" in text
    strengths = r.narrative(ctx, "strengths").data
    assert "T2 (Nghề sản xuất thành hàng hóa ở mỗi huyện, Cao Lộc): 3" in strengths


def test_village_status_for_the_map(ctx: r.ReportContext) -> None:
    status = tables.village_status(ctx.ds, 2025).set_index("village_id")["map_status"]
    recognised = set(ctx.ds.villages.loc[ctx.ds.villages["recognition"] != "none", "village_id"])
    assert set(status[list(recognised)]) <= {"effective", "not_effective"}
    assert set(status.drop(list(recognised))) <= {"ready", "not_ready"}
    # Long Hưng (roof tiles): 28% of households in the craft and stable, but no
    # self-managed environmental group in 2025, so not yet ready for recognition
    assert status["BS-LONGHUNG"] == "not_ready"


def test_province_t2_counts_the_areas(sample_db: Path) -> None:
    ctx = r.prepare("province", 2025, "tinh-lang-son", "vi", sample_db)
    rows = {row[0].split(".")[0]: row for row in html_tables(r.targets_table(ctx).data)[0][1:]}
    # By 2025 (sample_spec.yaml): 8 areas have >= 2 commodity crafts; Bình Gia, Hữu Lũng and
    # Đình Lập have 1 each, and 2025 is the deadline: those three have not achieved it.
    assert rows["T2"][2] == "8"
    assert rows["T2"][3] == "11/11 địa bàn đạt ≥ 2"
    assert rows["T2"][4] == "✔ 8, ✗ 3"


def test_commune_report(sample_db: Path) -> None:
    ctx = r.prepare("commune", 2025, "xa-cong-son", "vi", sample_db)
    rows = {row[0].split(".")[0]: row for row in html_tables(r.targets_table(ctx).data)[0][1:]}
    assert rows["T2"][2] == "—"  # T2 is counted per former district-level area
    assert rows["T2"][5] == "Không áp dụng"
    # T4 counts recognised craft villages (targets.csv): none of the sample's three villages
    # linked with tourism is recognised, so the province's T4 is 0 too.
    assert rows["T4"][2] == "0" and rows["T4"][3] == "0"
    header = r.document_header(ctx).data
    assert "ỦY BAN NHÂN DÂN<br>XÃ CÔNG SƠN" in header
    villages = html_tables(r.villages_table(ctx).data)[0]
    assert [row[0] for row in villages[1:]] == ["Thôn Khuổi Lầy"]


def test_national_benchmarks(sample_db: Path) -> None:
    ctx = r.prepare("province", 2025, "tinh-lang-son", "vi", sample_db)
    rows = {row[0].split(".")[0]: row for row in html_tables(r.national_context(ctx).data)[0][1:]}
    assert list(rows) == ["C3", "C4", "C5", "C7"]
    # C4 by hand: 6 of the 30 sample villages have a collective trademark or a geographical
    # indication (Nà Phiêng, Hội Hoan, Hà Quảng; the star-anise villages of Văn Lãng, Văn Quan
    # and Bình Gia) -> 20%, against Decision 801's 30% for 2025 and 50% for 2030.
    assert rows["C4"][1:3] == ["20,0%", "≥ 30,0%"]
    assert rows["C4"][4] == "≥ 50,0%"
    assert "điểm %/năm" in rows["C4"][5]  # a share's pace is in percentage points
    assert rows["C7"][2] == "≥ 1,50" and rows["C7"][4] == "—"
