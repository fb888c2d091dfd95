"""``python -m analysis status``: the targets table in the terminal, on a store built from the
shipped sample; values checked by hand against data/sample, statuses against the engine."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from analysis.cli import main as cli
from analysis.cli.output import render_text_table
from analysis.cli.parser import build_parser
from analysis.cli.status import status_places, targets_text
from analysis.core.errors import EXIT_OK, EXIT_USAGE, UsageError
from analysis.explore.questions import context
from analysis.indicators.progress import assess_progress


def rows_of(text: str) -> dict[str, str]:
    """The first line of each target's row, by id (``T1`` ... ``T6``)."""
    return {line[:2]: line for line in text.splitlines() if line[:1] == "T" and line[2:3] == "."}


@pytest.fixture(scope="module")
def province_vi(sample_db: Path) -> str:
    return targets_text(2025, None, "vi", sample_db)


def test_province_table_in_vietnamese(province_vi: str, sample_db: Path) -> None:
    text = province_vi
    assert text == unicodedata.normalize("NFC", text)
    lines = text.splitlines()
    assert lines[0] == "Kế hoạch 244/KH-UBND — Tỉnh Lạng Sơn — đánh giá theo số liệu đến năm 2025"
    assert lines[1].startswith("DỮ LIỆU GIẢ LẬP")
    header = next(line for line in lines if line.startswith("Chỉ tiêu"))
    for word in (
        "Kết quả năm 2025",
        "Mục tiêu 2025",
        "Đánh giá đến 2025",
        "Mục tiêu 2030",
        "Đánh giá đến 2030",
        "Còn cần",
    ):
        assert word in header
    rows = rows_of(text)
    assert list(rows) == ["T1", "T2", "T3", "T4", "T5", "T6"]
    # data/sample: restored BS-LONGHUNG 2024 and TP-MAIPHA 2025 (T1 = 2); 432 of the 462
    # facilities of the 4 recognised villages compliant (T6 = 93,5%; VQ-NARO's 107 of 107 are
    # out since its recognition was withdrawn in 2025); 8 of 11 areas with at least 2
    # commodity crafts (T2 = 8/11).
    assert "  2  " in rows["T1"] and "  93,5%  " in rows["T6"] and "  8/11  " in rows["T2"]
    progress = context(2025, "vi", sample_db).progress
    t6 = progress[(progress["indicator_id"] == "T6") & (progress["target_year"] == 2030)].iloc[0]
    assert f"{t6['symbol']} {t6['label_vi']}" in rows["T6"]
    # T2 for the province: the areas' statuses counted by symbol, 8 achieved for 2025.
    assert "✔ 8," in rows["T2"]
    # The legend spells every symbol out, so colour is never needed.
    assert "✔ Đã đạt · ▲ Đúng tiến độ · ► Cần đẩy nhanh" in text


def test_district_table_in_english(sample_db: Path) -> None:
    text = targets_text(2025, "cao-loc", "en", sample_db)
    assert text.splitlines()[0] == (
        "Plan 244/KH-UBND — Cao Loc District — judged on the data up to 2025"
    )
    assert "(Cao Lộc)" in text and "(province)" in text
    rows = rows_of(text)
    # Cao Lộc 2025: HUONG, RUOU and THACHDEN produced as commodities (3 >= 2 and >= 3).
    cells = re.split(r"\s{2,}", rows["T2"])
    assert cells[1:6] == ["1 (2021)", "3", "8/11", "≥ 2", "✔ Target achieved"]
    assert "≥ 1 (province)" in rows["T1"]
    assert "T1 and T3-T6 are province-wide targets" in text


def test_needed_per_year_is_the_engine_pace(sample_db: Path) -> None:
    # In 2023 nothing was restored yet (T1 = 0): 1 is needed by 2025 (0,5 a year) and 2 by
    # 2030 (2/7 = 0,3 a year).
    text = targets_text(2023, None, "vi", sample_db)
    block = text[text.index("T1.") : text.index("T2.")]
    assert "đến 2025: +0,5 mỗi năm" in block and "đến 2030: +0,3 mỗi năm" in block


def test_unknown_place_or_year_names_the_choices(sample_db: Path) -> None:
    with pytest.raises(
        ValueError, match="unknown place 'atlantis'; valid: tinh-lang-son, thanh-pho-lang-son"
    ):
        targets_text(2025, "atlantis", "vi", sample_db)
    with pytest.raises(
        ValueError, match="no data for year 2019; valid years: 2021, 2022, 2023, 2024, 2025"
    ):
        targets_text(2019, None, "vi", sample_db)
    with pytest.raises(ValueError, match="unknown language"):
        targets_text(2025, None, "fr", sample_db)
    assert len(status_places()) == 1 + 11 + 65  # the province, the areas, the 2025 communes


def test_status_of_a_commune(sample_db: Path) -> None:
    text = targets_text(2025, "xa-cong-son", "vi", sample_db)
    rows = rows_of(text)
    assert "Xã Công Sơn" in text.splitlines()[0]
    # Công Sơn's one village (Khuổi Lầy, rice wine) was recognised in 2024: T3 counts it
    assert re.search(r"\s1\s+6\s", rows["T3"])  # Công Sơn 1, the province 6
    assert "Không áp dụng" in rows["T2"]  # T2 is counted per former district-level area


def test_the_status_verb(sample_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    args = parser.parse_args(["status", "--db", str(sample_db), "--lang", "en"])
    assert args.place is None and args.year is None  # the province (read when run, not at --help)
    assert cli.command(args)(args) == EXIT_OK
    assert "judged on the data up to 2025" in capsys.readouterr().out
    bad = parser.parse_args(["status", "--db", str(sample_db), "--place", "atlantis"])
    with pytest.raises(UsageError, match="valid: tinh-lang-son"):
        cli.command(bad)(bad)
    missing = parser.parse_args(["status", "--db", str(sample_db.parent / "none.duckdb")])
    with pytest.raises(UsageError, match="no database"):
        cli.command(missing)(missing)


def test_the_status_verb_through_the_cli(
    sample_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["status", "--db", str(sample_db), "--year", "2024"]) == EXIT_OK
    assert "đến năm 2024" in capsys.readouterr().out
    assert cli.main(["status", "--db", str(sample_db), "--year", "2031"]) == EXIT_USAGE
    assert "valid years" in capsys.readouterr().err


def test_render_text_table_wraps_and_aligns() -> None:
    text = render_text_table(["a", "bb"], [["one two three", "x"], ["4", "y\nz"]], {0: 7})
    assert text.splitlines() == [
        "a        bb",
        "-------  --",
        "one two  x",
        "three",
        "4        y",
        "         z",
    ]


def test_status_agrees_with_progress_of_that_year(sample_db: Path) -> None:
    ctx = context(2024, "en", sample_db)
    again = assess_progress(ctx.indicators, 2024)
    text = targets_text(2024, None, "en", sample_db)
    t3 = again[(again["indicator_id"] == "T3") & (again["target_year"] == 2030)].iloc[0]
    assert f"{t3['symbol']} {t3['label_en']}" in rows_of(text)["T3"]
