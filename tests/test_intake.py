"""Intake of the reporting units' workbooks: reading values the way they arrive, finding the
reporting unit, loading (with history), and the 2025 communes mapped onto the plan's districts.

Expected values are worked out by hand from the figures each test types into its workbook.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
import zipfile
from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from intake_helpers import (
    FIGURE_COLUMNS,
    FIGURES_183_2024,
    column_of,
    copy_db,
    cover_row,
    fill,
    good_183_2024,
    options,
    template,
)

from analysis.intake.ingest import (
    create_intake_tables,
    ingest_file,
    parse_booleans,
    parse_dates,
    parse_numbers,
    place_key,
    resolve_unit,
    table_checksums,
)
from analysis.intake.workbook import COVER_TITLE, FIRST_DATA_ROW, sheet_specs
from analysis.pipeline import load_dataset


@pytest.fixture
def db(sample_db: Path, tmp_path: Path) -> Path:
    """A private copy of the store built from the sample (``conftest.sample_db``)."""
    return copy_db(sample_db, tmp_path / "store")


def _rows(db: Path, sql: str, params: list[object] | None = None) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).df()


# ----------------------------------------------------------------------------- reading values


def test_numbers_are_read_the_vietnamese_way() -> None:
    cells = pd.Series(
        [
            "1.234,5",
            "1234,5",
            "1.234",
            "1.234.567",
            "1,234.5",
            " 1 234 ",
            "5.5",
            "12",
            7,
            2.25,
            "nhiều",
            True,
            None,
        ],
        dtype=object,
    )
    values, bad = parse_numbers(cells)
    expected = [1234.5, 1234.5, 1234, 1234567, 1234.5, 1234, 5.5, 12, 7, 2.25]
    assert values[:10].tolist() == expected
    assert bad.tolist() == [False] * 10 + [True, True, False]
    # In a whole-number column "1,234" can only mean one thousand two hundred and thirty-four.
    assert parse_numbers(pd.Series(["1,234"], dtype=object), integer=True)[0][0] == 1234
    assert parse_numbers(pd.Series(["1,234"], dtype=object))[0][0] == pytest.approx(1.234)


def test_dates_are_read_as_text_or_excel_serials() -> None:
    serial = (date(2025, 12, 15) - date(1899, 12, 30)).days  # 46006
    cells = pd.Series(
        [
            "15/12/2025",
            "15-12-2025",
            "15.12.2025",
            "2025-12-15",
            "ngày 15 tháng 12 năm 2025",
            serial,
            datetime(2025, 12, 15, 8, 0),
            "32/13/2025",
            None,
        ],
        dtype=object,
    )
    values, bad = parse_dates(cells)
    assert (values[:6] == pd.Timestamp("2025-12-15")).all()
    assert values[6] == pd.Timestamp("2025-12-15 08:00")
    assert bad.tolist() == [False] * 7 + [True, False]


def test_yes_no_in_several_spellings() -> None:
    values, bad = parse_booleans(
        pd.Series(["Có", "co", "KHÔNG", "khong", True, 0, "x", "?"], dtype=object)
    )
    assert values[:7].tolist() == [True, True, False, False, True, False, True]
    assert bad.tolist() == [False] * 7 + [True]


@pytest.mark.parametrize(
    "name",
    [
        "TP. Lạng Sơn",
        "Thành phố Lạng Sơn",
        "thanh pho lang son",
        "UBND thành phố Lạng Sơn",
        "  Thành  phố Lạng Sơn ",
        unicodedata.normalize("NFD", "Thành phố Lạng Sơn"),
    ],
)
def test_place_names_written_several_ways(name: str) -> None:
    assert place_key(name) == "lang son"
    unit, problems = resolve_unit(None, name, 2024)
    assert problems == [] and unit["code"] == "178"


def test_units_by_code_name_and_year() -> None:
    assert resolve_unit(6187, None, 2025)[0]["code"] == "06187"  # typed as a number
    assert resolve_unit(None, "Phường Kỳ Lừa", 2025)[0]["code"] == "06187"
    # The same name is a district before the reform and a commune after it.
    assert resolve_unit(None, "Văn Quan", 2024)[0]["code"] == "184"
    assert resolve_unit(None, "Văn Quan", 2025)[0]["code"] == "06253"
    assert resolve_unit(None, "Sở Công Thương", 2023)[0]["code"] == "SCT"
    assert resolve_unit("183", None, 2025)[1][0][0] == "wrong_level"
    assert resolve_unit("06187", None, 2024)[1][0][0] == "wrong_level"
    assert resolve_unit(None, "Huyện Không Có", 2024)[1][0][0] == "unknown_unit"
    assert resolve_unit("183", "Văn Quan", 2024)[1][0][0] == "unit_mismatch"


# ---------------------------------------------------------------------------------- loading


def test_round_trip_district_workbook(db: Path, tmp_path: Path) -> None:
    """A template, filled in, loaded: the stored rows are exactly what was typed."""
    figures = dict(FIGURES_183_2024)
    figures["CL-BACNGA"] = [140, 70, "120", "80", 72, 70, "Có", "Không", "9.100,5", "5,6", 1, 3]
    blank = template(db, "183", 2024, tmp_path / "templates")
    path = fill(
        blank,
        tmp_path / "cao-loc.xlsx",
        figures=figures,
        activities=[
            [
                "Đào tạo nghề, truyền nghề",
                "Ngân sách tỉnh",
                "150",
                "120,5",
                30,
                0,
                0,
                "Lớp nấu rượu",
            ]
        ],
        narrative={
            "strengths": "Các nghề duy trì ổn định.",
            "next_year": "Hoàn thiện hồ sơ công nhận làng nghề.",
        },
        crafts=[
            ["RUOU – Nấu rượu men lá", None, "Rượu men lá Mẫu Sơn"],
            ["HUONG", None, "Hương vòng"],
        ],
    )
    before = load_dataset(db, build_if_missing=False)

    result = ingest_file(path, options(db, tmp_path))

    assert result.outcome == "loaded", [p.describe("en") for p in result.problems]
    after = load_dataset(db, build_if_missing=False)  # still valid against every schema
    vy = after.village_year
    got = vy[vy["year"] == 2024].set_index("village_id").loc[list(figures)]
    assert got.loc["CL-BACNGA", FIGURE_COLUMNS].tolist() == [
        140,
        70,
        120,
        80,
        72,
        70,
        True,
        False,
        9100.5,
        5.6,
        1,
        3,
    ]
    assert got.loc["CL-MAUSON", "households_total"] == 229
    # Other districts and years are untouched.
    others = before.village_year[
        ~before.village_year["village_id"].str.startswith("CL-")
        | (before.village_year["year"] != 2024)
    ]
    kept = vy.merge(others, how="inner")
    assert len(kept) == len(others)
    act = after.activities
    mine = act[(act["unit_code"] == "183") & (act["year"] == 2024)]
    assert mine[
        ["task_group", "funding_source", "planned_mvnd", "disbursed_mvnd", "trainees"]
    ].values.tolist() == [["training", "provincial", 150.0, 120.5, 30]]
    dc = after.district_crafts
    crafts = dc[(dc["district_code"] == "183") & (dc["year"] == 2024)]
    assert sorted(crafts["craft_id"]) == ["HUONG", "RUOU"]
    assert set(crafts["product_vi"]) == {"Rượu men lá Mẫu Sơn", "Hương vòng"}
    sub = after.submissions.set_index(["unit_code", "year"]).loc[("183", 2024)]
    assert sub["received_on"] == pd.Timestamp("2024-12-10")  # the date sent on the cover
    assert sub["file_sha256"] == result.sha256
    texts = _rows(
        db, "SELECT section, text_vi FROM narratives WHERE unit_code = '183' ORDER BY section"
    )
    assert texts.values.tolist() == [
        ["next_year", "Hoàn thiện hồ sơ công nhận làng nghề."],
        ["strengths", "Các nghề duy trì ổn định."],
    ]
    # History: who sent what, when, the file's hash, rows added and replaced.
    log = _rows(db, "SELECT * FROM ingest_log").iloc[0]
    assert (log["unit_code"], log["year"], log["sender"]) == ("183", 2024, "Nguyễn Thị Lan")
    assert log["file_sha256"] == result.sha256
    details = json.loads(log["details"])
    assert details["village_year"] == {"added": 4, "replaced": 4}
    assert details["activities"] == {"added": 1, "replaced": 1}
    old = _rows(
        db,
        "SELECT row_json FROM submission_history WHERE table_name = 'village_year' "
        "AND change = 'replaced'",
    )["row_json"].map(json.loads)
    old_bacnga = next(r for r in old if r["village_id"] == "CL-BACNGA")
    assert old_bacnga["households_total"] == 131  # the sample's 2024 value, kept
    assert result.archived is not None and result.archived.read_bytes() == path.read_bytes()


def test_same_file_twice_changes_nothing(db: Path, tmp_path: Path) -> None:
    good = good_183_2024(db, tmp_path)
    first = ingest_file(good, options(db, tmp_path))
    assert first.outcome == "loaded"
    state = table_checksums(db)
    second = ingest_file(good, options(db, tmp_path))
    assert second.outcome == "unchanged"
    assert table_checksums(db) == state


def test_a_newer_file_replaces_and_an_older_one_can_come_back(db: Path, tmp_path: Path) -> None:
    blank = template(db, "183", 2024, tmp_path / "t")
    a = fill(blank, tmp_path / "a.xlsx", figures=FIGURES_183_2024)
    changed = {
        **FIGURES_183_2024,
        "CL-THACHDEN": [214, 54, 107, 77, 56, 49, "Không", "Không", 5858.5, 7.22, 0, 0],
    }
    b = fill(blank, tmp_path / "b.xlsx", figures=changed)
    assert [ingest_file(p, options(db, tmp_path)).outcome for p in (a, b, a)] == [
        "loaded",
        "loaded",
        "loaded",
    ]
    log = _rows(db, "SELECT log_id, file_sha256 FROM ingest_log ORDER BY log_id")
    assert log["log_id"].tolist() == [1, 2, 3]
    vy = _rows(
        db,
        "SELECT households_craft FROM village_year WHERE village_id = 'CL-THACHDEN' "
        "AND year = 2024",
    )
    assert vy["households_craft"].tolist() == [53]


def test_commune_workbook_maps_onto_the_former_districts(db: Path, tmp_path: Path) -> None:
    """Phường Kỳ Lừa (2025) has villages of the former city (178) and of Cao Lộc (183): its
    commodity crafts land in the right former district through each village."""
    figures = {
        "CL-BACNGA": [133, 68, 160, 119, 70, 70, "Có", "Không", 9000, 5.8, 0, 0],
        "CL-THACHDEN": [218, 56, 130, 100, 58, 54, "Có", "Không", 6500, 7.9, 0, 0],
        "TP-VITQUAY": [300, 40, 90, 60, 41, 41, "Có", "Có", 12000, 9.1, 1, 4],
    }
    blank = template(db, "06187", 2026, tmp_path / "t")
    path = fill(
        blank,
        tmp_path / "ky-lua.xlsx",
        figures=figures,
        sent_on="05/12/2026",
        crafts=[
            ["HUONG", "CL-BACNGA – Thôn Bắc Nga", "Hương"],
            ["VITQUAY", "TP-VITQUAY", "Vịt quay"],
        ],
    )
    result = ingest_file(path, options(db, tmp_path))
    assert result.outcome == "loaded", [p.describe("en") for p in result.problems]
    dc = _rows(
        db, "SELECT district_code, craft_id FROM district_crafts WHERE year = 2026 ORDER BY ALL"
    )
    assert dc.values.tolist() == [["178", "VITQUAY"], ["183", "HUONG"]]

    # Another commune of the former Cao Lộc adds its craft to the same district-year...
    blank = template(db, "06220", 2026, tmp_path / "t")
    cong_son = fill(
        blank,
        tmp_path / "cong-son.xlsx",
        figures={"CL-CONGSON": [102, 74, 150, 110, 75, 75, "Có", "Có", 14000, 9.9, 2, 4]},
        sent_on=datetime(2026, 12, 1),
        crafts=[["RUOU", "CL-CONGSON", "Rượu"]],
    )
    assert ingest_file(cong_son, options(db, tmp_path)).outcome == "loaded"
    # ...and when Kỳ Lừa sends again without incense, only its own contribution goes.
    again = fill(
        template(db, "06187", 2026, tmp_path / "t2"),
        tmp_path / "ky-lua-2.xlsx",
        figures=figures,
        sent_on="06/12/2026",
        crafts=[["VITQUAY", "TP-VITQUAY", "Vịt quay"]],
    )
    assert ingest_file(again, options(db, tmp_path)).outcome == "loaded"
    dc = _rows(
        db, "SELECT district_code, craft_id FROM district_crafts WHERE year = 2026 ORDER BY ALL"
    )
    assert dc.values.tolist() == [["178", "VITQUAY"], ["183", "RUOU"]]
    subs = _rows(
        db,
        "SELECT unit_code, unit_level, received_on FROM submissions "
        "WHERE year = 2026 ORDER BY unit_code",
    )
    assert subs["unit_code"].tolist() == ["06187", "06220"]
    assert set(subs["unit_level"]) == {"commune"}
    assert subs["received_on"].tolist() == [pd.Timestamp("2026-12-06"), pd.Timestamp("2026-12-01")]


def test_commune_over_two_districts_must_name_the_village(db: Path, tmp_path: Path) -> None:
    blank = template(db, "06187", 2026, tmp_path / "t")
    path = fill(
        blank,
        tmp_path / "ky-lua.xlsx",
        figures={},
        sent_on="05/12/2026",
        crafts=[["HUONG", None, "Hương"]],
    )
    result = ingest_file(path, options(db, tmp_path))
    assert result.outcome == "rejected" and "craft_village_required" in result.codes


def test_village_updates_are_applied_and_history_kept(db: Path, tmp_path: Path) -> None:
    blank = template(db, "06187", 2026, tmp_path / "t")
    serial = (date(2026, 5, 4) - date(1899, 12, 30)).days
    path = fill(
        blank,
        tmp_path / "ky-lua.xlsx",
        figures={},
        sent_on="05/12/2026",
        left="Chuyển sang đơn vị khác",
        updates={
            "CL-BACNGA": {
                "recognition": "Làng nghề",
                "recognition_decision": "812/QĐ-UBND",
                "recognition_date": serial,
                "recognition_regime": "Nghị định 52/2018/NĐ-CP",
                "tourism_since": "2026",
            }
        },
    )
    result = ingest_file(path, options(db, tmp_path))
    assert result.outcome == "loaded", [p.describe("en") for p in result.errors]
    village = (
        load_dataset(db, build_if_missing=False).villages.set_index("village_id").loc["CL-BACNGA"]
    )
    assert village["recognition"] == "lang_nghe"
    assert village["recognition_date"] == pd.Timestamp("2026-05-04")
    assert village["recognition_regime"] == "52/2018" and village["tourism_since"] == 2026
    old = _rows(
        db,
        "SELECT row_json FROM submission_history WHERE table_name = 'villages' "
        "AND change = 'replaced'",
    )
    assert json.loads(old["row_json"][0])["recognition"] == "none"
    assert {"village_left"} <= {p.code for p in result.warnings}


def test_updates_from_an_older_year_do_not_undo_newer_facts(db: Path, tmp_path: Path) -> None:
    blank = template(db, "183", 2024, tmp_path / "t")
    path = fill(
        blank,
        tmp_path / "x.xlsx",
        figures=FIGURES_183_2024,
        updates={"CL-MAUSON": {"tourism_since": None}},
    )
    result = ingest_file(path, options(db, tmp_path))
    assert result.outcome == "loaded"
    assert [p.code for p in result.warnings] == ["updates_skipped"]
    village = _rows(db, "SELECT tourism_since FROM villages WHERE village_id = 'CL-MAUSON'")
    assert village["tourism_since"].tolist() == [2023]


def test_a_deleted_update_column_changes_nothing(db: Path, tmp_path: Path) -> None:
    """A column removed from the updates sheet is not read as "now empty"."""
    blank = template(db, "05977", 2026, tmp_path / "t")
    wb = openpyxl.load_workbook(blank)
    wb[sheet_specs()["village_updates"].title].delete_cols(
        column_of("village_updates", "restored_year")
    )
    wb.save(blank)
    path = fill(
        blank, tmp_path / "dong-kinh.xlsx", figures={}, sent_on="01/12/2026", left="Giải thể"
    )
    result = ingest_file(path, options(db, tmp_path))
    assert result.outcome == "loaded"
    assert "missing_optional_column" in {p.code for p in result.warnings}
    village = _rows(db, "SELECT restored_year FROM villages WHERE village_id = 'TP-MAIPHA'")
    assert village["restored_year"].tolist() == [2025]


def test_text_as_it_really_arrives_is_normalised(db: Path, tmp_path: Path) -> None:
    """NFD text, stray and non-breaking spaces, numbers and dates written as text."""
    nfd = unicodedata.normalize("NFD", "Nguyễn  Thị\u00a0Lan ")
    figures = dict(FIGURES_183_2024)
    figures["CL-MAUSON"] = [
        "229",
        "132",
        "267",
        "204",
        "133",
        "117",
        " có ",
        "KHÔNG",
        "18.056,6",
        "8,47",
        "0",
        "0",
    ]
    blank = template(db, "183", 2024, tmp_path / "t")
    path = fill(
        blank,
        tmp_path / "nfd.xlsx",
        figures=figures,
        sender=nfd,
        sent_on="10/12/2024",
        narrative={"strengths": unicodedata.normalize("NFD", " Làng nghề  ổn định. ")},
    )
    result = ingest_file(path, options(db, tmp_path))
    assert result.outcome == "loaded", [p.describe("en") for p in result.errors]
    # NFD is loaded, normalised, and said: a warning names the cell
    normalised = [p for p in result.problems if p.code == "text_normalised"]
    assert normalised and {p.severity for p in normalised} == {"warning"}
    assert "NFD" in normalised[0].describe("en")
    log = _rows(db, "SELECT sender FROM ingest_log")
    assert log["sender"][0] == "Nguyễn Thị Lan"
    text = _rows(db, "SELECT text_vi FROM narratives")["text_vi"][0]
    assert text == "Làng nghề ổn định." and unicodedata.is_normalized("NFC", text)
    row = _rows(
        db,
        "SELECT env_plan, revenue_mvnd, income_mvnd_month FROM village_year "
        "WHERE village_id = 'CL-MAUSON' AND year = 2024",
    ).iloc[0]
    assert (bool(row["env_plan"]), row["revenue_mvnd"], row["income_mvnd_month"]) == (
        True,
        18056.6,
        8.47,
    )


def test_unit_given_by_name_only(db: Path, tmp_path: Path) -> None:
    blank = template(db, "178", 2024, tmp_path / "t")
    wb = openpyxl.load_workbook(blank)
    wb[COVER_TITLE].cell(row=cover_row("unit_code"), column=2).value = None
    wb[COVER_TITLE].cell(row=cover_row("unit_name"), column=2).value = "TP. Lạng Sơn"
    wb.save(blank)
    path = fill(blank, tmp_path / "tp.xlsx", figures={}, left="Giải thể")
    result = ingest_file(path, options(db, tmp_path))
    assert result.outcome == "loaded" and result.unit_code == "178"


def test_cross_year_jumps_warn_but_do_not_reject(db: Path, tmp_path: Path) -> None:
    figures = dict(FIGURES_183_2024)
    figures["CL-BACNGA"] = [1310, 64, 111, 77, 67, 67, "Không", "Không", 8344.1, 5.34, 0, 0]
    path = fill(template(db, "183", 2024, tmp_path / "t"), tmp_path / "j.xlsx", figures=figures)
    result = ingest_file(path, options(db, tmp_path))
    assert result.outcome == "loaded"
    jumps = [p for p in result.warnings if p.code == "jump"]
    assert [(p.row, p.column) for p in jumps] == [(FIRST_DATA_ROW, "C")]
    # Against the village's latest earlier year in the store (2023: 130 households).
    assert "2023: 130 → 1,310" in jumps[0].rule_en
    assert "2023: 130 → 1.310" in jumps[0].rule_vi


def test_department_sends_activities_and_narrative(db: Path, tmp_path: Path) -> None:
    blank = template(db, "SCT", 2025, tmp_path / "t")
    assert sheet_specs()["village_year"].title not in openpyxl.load_workbook(blank).sheetnames
    wb = openpyxl.load_workbook(blank)
    wb[COVER_TITLE].cell(row=cover_row("sender"), column=2).value = "Trần Văn Bình"
    wb[COVER_TITLE].cell(row=cover_row("sent_on"), column=2).value = datetime(2025, 12, 1)
    ws = wb[sheet_specs()["activities"].title]
    for col, value in enumerate(
        ["Xúc tiến thương mại, quảng bá", "Ngân sách tỉnh", 500, 450, 0, 3, 0, "Hội chợ OCOP"],
        start=1,
    ):
        ws.cell(row=FIRST_DATA_ROW, column=col).value = value
    wb.save(tmp_path / "sct.xlsx")
    result = ingest_file(tmp_path / "sct.xlsx", options(db, tmp_path))
    assert result.outcome == "loaded", [p.describe("en") for p in result.errors]
    sub = _rows(db, "SELECT unit_level FROM submissions WHERE unit_code = 'SCT'")
    assert sub["unit_level"].tolist() == ["department"]


def test_formula_cells_give_the_value_excel_saved(db: Path, tmp_path: Path) -> None:
    """Formulas are never evaluated: the cached value is read (here deliberately different
    from what the formula would give, to prove it)."""
    good = good_183_2024(db, tmp_path)
    archive = zipfile.ZipFile(io.BytesIO(good.read_bytes()))
    wb = openpyxl.load_workbook(good, read_only=True)
    index = wb.sheetnames.index(sheet_specs()["village_year"].title) + 1
    part = f"xl/worksheets/sheet{index}.xml"
    xml = archive.read(part).decode()
    xml, count = re.subn(r'(<c r="C4"[^>]*>)(<v>)', r"\1<f>100+1</f>\2", xml)
    assert count == 1
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for item in archive.infolist():
            out.writestr(
                item.filename, xml if item.filename == part else archive.read(item.filename)
            )
    path = tmp_path / "formula.xlsx"
    path.write_bytes(buffer.getvalue())
    result = ingest_file(path, options(db, tmp_path))
    assert result.outcome == "loaded"
    value = _rows(
        db,
        "SELECT households_total FROM village_year WHERE village_id = 'CL-BACNGA' AND year = 2024",
    )["households_total"][0]
    assert value == 131


def test_intake_tables_can_be_created_empty(tmp_path: Path) -> None:
    """What ``build`` calls so that a fresh store has the history tables from the start."""
    with duckdb.connect(str(tmp_path / "x.duckdb")) as con:
        create_intake_tables(con)
        create_intake_tables(con)  # idempotent
        names = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    assert {"ingest_log", "submission_history", "narratives", "district_craft_sources"} <= names


def test_indicators_from_an_ingested_workbook(db: Path, tmp_path: Path) -> None:
    """If the indicator engine is there, its values follow the figures typed in by hand."""
    indicators = pytest.importorskip("analysis.indicators.compute")
    figures = {  # Văn Quan 2024; Nà Rọ is a recognised traditional craft village (2016)
        "VQ-HOI": [143, 101, 200, 100, 100, 80, "Không", "Không", 17000, 4.2, 0, 0],
        "VQ-NARO": [240, 113, 250, 150, 120, 90, "Có", "Có", 4700, 5.5, 0, 0],
        "VQ-YENPHUC": [193, 79, 150, 50, 80, 60, "Có", "Không", 3900, 6.8, 0, 0],
    }
    path = fill(
        template(db, "184", 2024, tmp_path / "t"),
        tmp_path / "vq.xlsx",
        figures=figures,
        crafts=[
            ["HOI", None, None],
            ["CAOKHO", None, None],
            ["DUONGPHEN", None, None],
            ["RUOU", None, None],
        ],
    )
    assert ingest_file(path, options(db, tmp_path)).outcome == "loaded"
    ds = load_dataset(db, build_if_missing=False)
    values = indicators.compute_indicators(ds, [2024]).set_index(["indicator_id", "place_id"])[
        "value"
    ]
    # T6: compliant / all facilities of recognised villages = 90 / 120.
    assert values[("T6", "van-quan")] == pytest.approx(100 * 90 / 120)
    # C3: trained / regular workers of all villages = (100 + 150 + 50) / (200 + 250 + 150).
    assert values[("C3", "van-quan")] == pytest.approx(100 * 300 / 600)
    # T2: four crafts produced as commodities in the former district.
    assert values[("T2", "van-quan")] == 4


def test_column_helper_matches_template() -> None:
    assert column_of("village_year", "households_total") == 3
    assert FIRST_DATA_ROW == 4
