"""People's own words: narrative files under data/narrative/ and the workbooks' narrative sheets."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import duckdb
import pytest

from analysis.data import narrative as nv

SAMPLE = Path(nv.NARRATIVE_DIR) / "2025" / "tinh-lang-son.md"


def test_the_shipped_sample_parses_and_says_it_is_a_sample() -> None:
    assert SAMPLE.exists()
    raw = SAMPLE.read_text(encoding="utf-8")
    assert "SYNTHETIC SAMPLE" in raw
    result = nv.read_narrative_file(2025, "tinh-lang-son")
    assert result.warnings == []
    sections = result.sections()
    assert list(sections) == ["assessment", "causes", "next_year", "proposals"]
    assert len(sections["assessment"]) == 2
    assert sections["assessment"][0].startswith("(Văn bản mẫu do dự án tạo")
    # line breaks inside a paragraph are kept, the list stays one paragraph
    assert sections["next_year"][0].count("\n") == 3
    assert set(result.frame["source"]) == {"unit"}
    assert set(result.frame["origin"]) == {"file"}
    assert set(result.frame["where"]) == {"data/narrative/2025/tinh-lang-son.md"}


def test_paragraphs_and_line_breaks() -> None:
    text = "## Kiến nghị\nDòng một\r\ndòng hai\n\n\n  \nĐoạn hai\n"
    result = nv.parse_narrative(text, "x.md")
    assert result.sections() == {"proposals": ["Dòng một\ndòng hai", "Đoạn hai"]}
    assert list(result.frame["paragraph"]) == [1, 2]


def test_a_sub_heading_is_a_paragraph_of_its_own() -> None:
    text = "## Nhiệm vụ năm tới\nMở đầu.\n### Về môi trường\nHoàn thiện hồ sơ.\n"
    result = nv.parse_narrative(text, "x.md")
    assert result.sections() == {"next_year": ["Mở đầu.", "Về môi trường", "Hoàn thiện hồ sơ."]}


def test_text_is_nfc_whatever_the_file_holds() -> None:
    nfc = "## Đánh giá chung\nNghề làm hương ở Nà Phiêng được duy trì."
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    result = nv.parse_narrative(nfd, "x.md")
    assert result.sections() == {"assessment": ["Nghề làm hương ở Nà Phiêng được duy trì."]}
    text = result.frame["text"].iloc[0]
    assert unicodedata.is_normalized("NFC", text)


def test_control_and_bidi_characters_are_removed_and_counted() -> None:
    # a right-to-left override, a zero-width space, a bell, a BOM; the tab becomes a space
    text = "\ufeff## Nguyên nhân\nThôn\u202e Nà\u200b Phiêng\x07\tnhỏ\u202c"
    result = nv.parse_narrative(text, "x.md")
    assert result.sections() == {"causes": ["Thôn Nà Phiêng nhỏ"]}
    assert result.warnings == [
        "x.md: 5 control or invisible character(s) removed "
        "(bidirectional overrides, zero-width or control characters)"
    ]
    assert nv.clean_text("a\u2028b").text == "a\nb"


@pytest.mark.parametrize(
    ("heading", "code"),
    [
        ("1. Đánh giá chung:", "assessment"),
        ("II. NGUYÊN NHÂN", "causes"),
        ("kien nghi", "proposals"),
        ("Đề xuất, kiến nghị", "proposals"),
        ("Nhiệm vụ, giải pháp năm tiếp theo", "next_year"),
        ("Tasks for next year", "next_year"),
        ("Ưu điểm", "strengths"),
        ("Tồn tại, hạn chế và nguyên nhân", "shortcomings"),
        ("Ghi chú", None),
    ],
)
def test_headings(heading: str, code: str | None) -> None:
    assert nv.section_code(heading) == code


def test_unknown_heading_and_stray_text_are_named_by_line() -> None:
    text = "<!-- a note\nover two lines -->\nstray words\n# Title\n## Ghi chú\nmột đoạn\n"
    result = nv.parse_narrative(text, "x.md")
    assert result.warnings[0] == "x.md:3: text before the first '## ' heading ignored"
    assert result.warnings[1].startswith("x.md:5: unknown section heading 'Ghi chú'")
    assert result.sections() == {"other": ["một đoạn"]}
    assert result.frame["heading"].iloc[0] == "Ghi chú"


def test_a_missing_file_gives_an_empty_narrative(tmp_path: Path) -> None:
    result = nv.read_narrative(2025, "cao-loc", folder=tmp_path)
    assert result.frame.empty and list(result.frame.columns) == nv.COLUMNS
    assert not (tmp_path / "2025").exists()  # reading never creates anything


@pytest.mark.parametrize("place", ["../tinh-lang-son", "Cao-Loc", "a/b", ""])
def test_a_place_cannot_name_another_path(place: str) -> None:
    with pytest.raises(ValueError, match="not a place slug"):
        nv.narrative_path(2025, place)


def test_stub_is_written_once_and_never_overwrites(tmp_path: Path) -> None:
    path, created = nv.write_narrative_stub(2026, "cao-loc", folder=tmp_path)
    assert created and path == tmp_path / "2026" / "cao-loc.md"
    stub = path.read_text(encoding="utf-8")
    assert "# Thuyết minh năm 2026: Huyện Cao Lộc" in stub
    parsed = nv.parse_narrative(stub, "stub.md")
    assert parsed.frame.empty and parsed.warnings == []
    for heading in ("Đánh giá chung", "Nguyên nhân", "Nhiệm vụ năm tới", "Kiến nghị"):
        assert f"## {heading}\n" in stub
    # the user writes; a second stub call (a rerun) leaves the file exactly as it is
    path.write_text("## Kiến nghị\nLời của huyện.\n", encoding="utf-8")
    os.utime(path, (1_000_000_000, 1_000_000_000))
    again, created_again = nv.write_narrative_stub(2026, "cao-loc", folder=tmp_path)
    assert (again, created_again) == (path, False)
    assert path.read_text(encoding="utf-8") == "## Kiến nghị\nLời của huyện.\n"
    assert path.stat().st_mtime == 1_000_000_000


def test_the_shipped_sample_is_not_overwritten_by_a_stub() -> None:
    before = SAMPLE.read_bytes()
    _, created = nv.write_narrative_stub(2025, "tinh-lang-son")
    assert not created
    assert SAMPLE.read_bytes() == before


def _add_workbook_texts(db: Path) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute(
            "INSERT INTO ingest_log (log_id, unit_code, year, file_name) VALUES "
            "(901, '180', 2025, 'trang-dinh-2025.xlsx')"
        )
        con.execute(
            "INSERT INTO narratives VALUES "
            "('180', 2025, 'strengths', 'Đoạn một\ndòng hai\n\nĐoạn hai', 901), "
            "('180', 2025, 'proposals', 'Đề nghị\u202e hỗ trợ.', 901), "
            "('184', 2025, 'strengths', 'Cao Lộc viết.', NULL), "
            "('180', 2024, 'strengths', 'Năm trước.', NULL)"
        )


def test_workbook_narratives_say_where_they_came_from(sample_db_copy: Path, tmp_path: Path) -> None:
    _add_workbook_texts(sample_db_copy)
    (tmp_path / "2025").mkdir()
    (tmp_path / "2025" / "trang-dinh.md").write_text(
        "## Kiến nghị\nLời trong tệp.\n", encoding="utf-8"
    )
    result = nv.read_narrative(
        2025, "trang-dinh", db_path=sample_db_copy, unit_codes=["180"], folder=tmp_path
    )
    frame = result.frame
    assert list(zip(frame["section"], frame["origin"], frame["text"], strict=True)) == [
        ("strengths", "workbook", "Đoạn một\ndòng hai"),
        ("strengths", "workbook", "Đoạn hai"),
        ("proposals", "file", "Lời trong tệp."),
        ("proposals", "workbook", "Đề nghị hỗ trợ."),
    ]
    assert set(frame["source"]) == {"unit"}
    assert frame["where"].iloc[0] == "workbook of unit 180 (trang-dinh-2025.xlsx)"
    assert result.warnings == [
        "workbook of unit 180 (trang-dinh-2025.xlsx): 1 control or invisible character(s) removed"
    ]
    every_unit = nv.read_store_narratives(sample_db_copy, 2025)
    assert sorted(set(every_unit.frame["unit_code"])) == ["180", "184"]


def test_no_store_means_no_workbook_texts(tmp_path: Path) -> None:
    result = nv.read_store_narratives(tmp_path / "none.duckdb", 2025)
    assert result.frame.empty


def test_the_review_has_a_narrative_file_of_its_own(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The mid-term review's words are about 2021-2025, the annual report's about 2025: each
    # reads its own file; a review without one still reads the place's file (where its words
    # were written before), so nobody's words are lost.
    from analysis.reports.content import prepare
    from analysis.run.plan import Job, job_fingerprint

    monkeypatch.setattr(nv, "NARRATIVE_DIR", tmp_path)
    annual = nv.narrative_path(2025, "tinh-lang-son")
    review = nv.narrative_path(2025, "tinh-lang-son", kind="review")
    assert (annual.name, review.name) == ("tinh-lang-son.md", "review-tinh-lang-son.md")
    annual.parent.mkdir(parents=True)
    annual.write_text("## Đánh giá chung\n\nNăm 2025, tỉnh đạt 4 mục tiêu.\n", encoding="utf-8")

    def texts(kind: str) -> list[str]:
        ctx = prepare(kind, 2025, "tinh-lang-son", "vi", sample_db)
        own = ctx.narratives[ctx.narratives["origin"] == "file"]
        return list(own["text"])

    assert texts("review") == ["Năm 2025, tỉnh đạt 4 mục tiêu."]  # no file of its own yet
    job = Job("review", 2025, "tinh-lang-son")
    before = job_fingerprint(job, "data", "code")
    review.write_text(
        "## Bài học kinh nghiệm\n\nGiai đoạn 2021-2025 cho thấy cần giải ngân sớm.\n",
        encoding="utf-8",
    )
    assert texts("review") == ["Giai đoạn 2021-2025 cho thấy cần giải ngân sớm."]
    assert texts("province") == ["Năm 2025, tỉnh đạt 4 mục tiêu."]
    # An edit of the review's file makes the review again (not the annual report).
    assert job_fingerprint(job, "data", "code") != before
    province = Job("province", 2025, "tinh-lang-son")
    kept = job_fingerprint(province, "data", "code")
    review.write_text("## Bài học kinh nghiệm\n\nĐã sửa.\n", encoding="utf-8")
    assert job_fingerprint(province, "data", "code") == kept
