"""The catalogue of rules (data/reference/rules.yaml): every rule, broken once on a copy of the
shipped sample, gives the problem and the words expected, naming file, table, row, column, the
rule's id and its legal source. The shipped sample breaks none."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.core import config
from analysis.data.problems import Problem
from analysis.data.rules import catalogue, catalogue_table, check_rules
from analysis.data.store import read_raw_table, validate_raw
from analysis.data.validation import DataValidationError

Tables = dict[str, pd.DataFrame]

# Rows of the shipped sample used below (data/sample/*.csv, 0-based data rows):
#   villages 1 TD-QUOCKHANH (HUONG, not recognised), 7 CL-CONGSON (làng nghề 2024, RUOU),
#            13 VQ-NARO (traditional craft village 2016 under Decree 66, withdrawn 2025)
#   crafts   4 LONGCHIM (traditional, since 1965), 10 DANLAT (not traditional, since 1995)


def _set(table: str, row: int, **values: object) -> Callable[[Tables], None]:
    def change(tables: Tables) -> None:
        for column, value in values.items():
            tables[table].loc[row, column] = value

    return change


def _date(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


#: (rule id, the change, table, 0-based row, column, words in English, words in Vietnamese)
CASES = [
    ("craft_known", _set("villages", 1, craft_id="XX"), "villages", 1, "craft_id",
     "unknown code: not in crafts", "không có trong danh mục nghề"),
    ("village_known", _set("village_year", 0, village_id="NO-SUCH"), "village_year", 0,
     "village_id", "unknown code: not in villages", "không có trong danh mục thôn"),
    ("district_known", _set("district_crafts", 0, district_code="999"), "district_crafts", 0,
     "district_code", "not in the 11 district-level units", "11 đơn vị cấp huyện"),
    ("old_commune_known", _set("villages", 1, old_commune_code="99999"), "villages", 1,
     "old_commune_code", "not in the communes before 2025", "trước năm 2025"),
    ("commune_known", _set("villages", 1, commune_code="99999"), "villages", 1, "commune_code",
     "not in the 65 communes and wards of 2025", "65 xã, phường"),
    ("unit_known", _set("submissions", 0, unit_code="999"), "submissions", 0, "unit_code",
     "not in the reporting units", "đơn vị báo cáo"),
    ("commune_in_district", _set("villages", 1, district_code="189"), "villages", 1,
     "district_code", "former commune 06004 is in district 180", "Xã cũ 06004 thuộc huyện 180"),
    ("commune_successor", _set("villages", 1, commune_code="06220"), "villages", 1,
     "commune_code", "former commune 06004 did not go into this 2025 commune",
     "không được sáp nhập"),
    ("craft_households_within_total", _set("village_year", 0, households_craft=10_000),
     "village_year", 0, "households_craft", "must not be above the village's households",
     "lớn hơn tổng số hộ"),
    ("trained_within_regular", _set("village_year", 0, workers_trained=10_000), "village_year",
     0, "workers_trained", "must not be above regular workers", "lớn hơn số lao động"),
    ("compliant_within_facilities", _set("village_year", 0, facilities_compliant=10_000),
     "village_year", 0, "facilities_compliant", "must not be above all facilities",
     "lớn hơn số cơ sở"),
    ("recognition_complete", _set("villages", 7, recognition_regime=None), "villages", 7,
     "recognition_regime", "needs its recognition date and regime", "ngày và chế độ công nhận"),
    ("recognition_date_needs_recognition",
     _set("villages", 1, recognition_date=_date("2023-05-01")),
     "villages", 1, "recognition_date", "village that is not recognised", "chưa được công nhận"),
    # Decree 52/2018 took effect on 1 Jun 2018: a recognition under it dated 2017 is invalid.
    ("recognition_within_regime", _set("villages", 7, recognition_date=_date("2017-03-01")),
     "villages", 7, "recognition_date",
     "outside the time regime 52/2018 was in force (01/06/2018 - …): not a valid recognition",
     "ngoài thời gian hiệu lực của chế độ 52/2018"),
    # CL-CONGSON made a traditional craft village: its craft RUOU was never recognised.
    ("traditional_village_needs_recognised_craft",
     _set("villages", 7, recognition="lang_nghe_truyen_thong"), "villages", 7, "recognition",
     "a traditional craft village needs a recognised traditional craft: craft RUOU is not "
     "recognised", "nghề RUOU chưa được công nhận"),
    # DANLAT is not a traditional craft: it cannot be recognised as one.
    ("craft_recognition_needs_traditional",
     _set("crafts", 10, recognition_date=_date("2023-05-01")),
     "crafts", 10, "recognition_date", "a craft that is not traditional cannot be recognised",
     "không phải nghề truyền thống"),
    # LONGCHIM dates from 1965: in 2010 it was 45 years old, not more than 50.
    ("craft_recognition_needs_age", _set("crafts", 4, recognition_date=_date("2010-05-01")),
     "crafts", 4, "recognition_date",
     "more than 50 years when recognised; the craft dates from 1965", "trên 50 năm"),
    ("withdrawal_needs_recognition",
     _set("villages", 1, withdrawal_year=2024, withdrawal_decision="1/QĐ-UBND"), "villages", 1,
     "withdrawal_year", "a withdrawal year is given for a village that was never recognised",
     "chưa từng được công nhận"),
    # CL-CONGSON was recognised in 2024: it cannot lose the recognition in 2023.
    ("withdrawal_after_recognition",
     _set("villages", 7, withdrawal_year=2023, withdrawal_decision="1/QĐ-UBND"), "villages", 7,
     "withdrawal_year", "withdrawn before it was given (2024)", "trước năm công nhận (2024)"),
    ("withdrawal_complete", _set("villages", 7, withdrawal_year=2025), "villages", 7,
     "withdrawal_decision", "a withdrawal needs both its year and its decision",
     "cả năm và số quyết định"),
    # HUONG is not recorded at risk of dying out: restoring it does not count for T1.
    ("restoration_needs_at_risk_craft", _set("villages", 1, restored_year=2023), "villages", 1,
     "restored_year", "only a craft at risk of dying out can be restored: craft HUONG is not "
     "recorded at risk", "nghề HUONG không được ghi là có nguy cơ mai một"),
    ("trademark_needs_year", _set("villages", 1, trademark="collective"), "villages", 1,
     "trademark_since", "needs the year it was granted", "phải ghi năm được cấp"),
]  # fmt: skip


@pytest.fixture(scope="module")
def sample_tables() -> Tables:
    tables, _ = validate_raw(config.SAMPLE_DIR)
    return tables


def test_the_shipped_sample_breaks_no_rule(sample_tables: Tables) -> None:
    assert check_rules(sample_tables) == []


def test_every_rule_has_a_case_and_a_legal_source() -> None:
    assert sorted(c[0] for c in CASES) == sorted(catalogue())
    table = catalogue_table()
    assert table["source"].str.len().gt(10).all()
    assert table["vi"].str.len().gt(10).all() and table["en"].str.len().gt(10).all()
    # Readings of the project, not the text of the law, say so.
    assert not table.set_index("id").loc["withdrawal_complete", "verified"]


@pytest.mark.parametrize(
    ("rule", "change", "table", "row", "column", "en", "vi"), CASES, ids=[c[0] for c in CASES]
)
def test_each_rule_broken_once(
    sample_tables: Tables, rule, change, table, row, column, en, vi
) -> None:
    tables = {name: frame.copy() for name, frame in sample_tables.items()}
    change(tables)
    files = {name: f"{name}.csv" for name in tables}
    offsets = {name: 3 for name in tables}  # a comment line, then the header
    found = [p for p in check_rules(tables, files=files, offsets=offsets) if p.code == rule]
    assert len(found) == 1, found
    problem = found[0]
    assert (problem.table, problem.row, problem.column) == (table, row + 3, column)
    assert en in problem.rule and vi in problem.rule_vi
    assert problem.source == catalogue()[rule].source
    line = problem.describe()
    assert line.startswith(f"{table}.csv, table {table}, row {row + 3}, column {column}")
    assert f"[{rule}; {problem.source}]" in line
    assert problem.describe("vi").startswith(f"{table}.csv, bảng {table}, dòng {row + 3}")


def _edit_csv(path: Path, row: int, column: str, value: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    comments = [line for line in lines if line.startswith("#")]
    frame, _ = read_raw_table(path)
    frame.loc[row, column] = value
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.writelines(comments)
        frame.to_csv(handle, index=False, lineterminator="\n")


def test_the_store_build_rejects_with_the_rule_and_its_source(tmp_path: Path) -> None:
    # A traditional craft village whose craft was never recognised (Decree 52, Art. 5): the
    # build names the file, row 10 (comment, header, then data row 7), the column and the law.
    raw = tmp_path / "raw"
    shutil.copytree(config.SAMPLE_DIR, raw)
    _edit_csv(raw / "villages.csv", 7, "recognition", "lang_nghe_truyen_thong")
    with pytest.raises(DataValidationError) as err:
        validate_raw(raw)
    text = str(err.value)
    assert "villages.csv, table villages, row 10, column recognition, village_id CL-CONGSON" in text
    assert "traditional_village_needs_recognised_craft; Nghị định 52/2018/NĐ-CP, Điều 5" in text


def test_a_withdrawal_is_accepted_and_loaded(sample_tables: Tables) -> None:
    # Defect: validation refused any record of a withdrawal (the column did not exist).
    naro = sample_tables["villages"].set_index("village_id").loc["VQ-NARO"]
    assert (naro["withdrawal_year"], naro["withdrawal_decision"]) == (2025, "1862/QĐ-UBND")


def test_workbook_intake_checks_the_same_catalogue(sample_db: Path, tmp_path: Path) -> None:
    # Kỳ Lừa (06187) says CL-BACNGA restored its craft in 2026; HUONG was never at risk of
    # dying out: the submission is rejected by the catalogue's rule, with its id and source,
    # and the store is left as it was.
    from intake_helpers import FIGURES_183_2024, copy_db, fill, options, template

    from analysis.intake.ingest import ingest_file
    from analysis.pipeline import load_dataset

    db = copy_db(sample_db, tmp_path / "store")
    before = load_dataset(db, build_if_missing=False).villages.copy()
    blank = template(db, "06187", 2026, tmp_path / "t")
    path = fill(
        blank,
        tmp_path / "ky-lua.xlsx",
        figures={v: FIGURES_183_2024["CL-BACNGA"] for v in ("CL-BACNGA", "CL-THACHDEN")}
        | {"TP-VITQUAY": FIGURES_183_2024["CL-MAUSON"]},
        sent_on="05/12/2026",
        left="Chuyển sang đơn vị khác",  # a village without figures says why (intake rule)
        updates={"CL-BACNGA": {"restored_year": "2026"}},
    )
    result = ingest_file(path, options(db, tmp_path))
    assert result.outcome != "loaded"
    [problem] = [p for p in result.errors if p.code == "restoration_needs_at_risk_craft"]
    source = catalogue()["restoration_needs_at_risk_craft"].source
    # Found on the sheet's own row and cell (not only in the state after loading).
    sheet = openpyxl.load_workbook(path)[problem.sheet]
    [row] = [c.row for c in sheet["A"] if c.value == "CL-BACNGA"]
    assert (problem.sheet, problem.row) == ("Cập nhật thôn bản", row)
    assert problem.header_vi == "Năm khôi phục nghề có nguy cơ mai một"
    assert problem.value == 2026
    assert "craft HUONG is not recorded at risk" in problem.rule_en
    assert "nghề HUONG không được ghi là có nguy cơ mai một" in problem.rule_vi
    assert f"[restoration_needs_at_risk_craft; {source}]" in problem.describe("en")
    assert isinstance(problem, Problem)  # the one problem type, in intake as in the build
    after = load_dataset(db, build_if_missing=False).villages
    pd.testing.assert_frame_equal(after, before)


def test_the_intake_safety_net_words_a_catalogue_rule_for_the_sender(sample_tables: Tables) -> None:
    # A state after loading that breaks a rule no sheet check caught (the safety net over the
    # sheets): the sender reads the record, the rule in both languages and its legal source.
    from analysis.intake.changes import guard_problems

    after = {name: frame.copy() for name, frame in sample_tables.items()}
    _set("villages", 1, recognition_date=_date("2023-05-01"))(after)
    village = after["villages"].loc[1, "village_id"]
    [problem] = guard_problems(after, "x.xlsx")
    source = catalogue()["recognition_date_needs_recognition"].source
    assert (problem.code, problem.file, problem.source) == (
        "recognition_date_needs_recognition",
        "x.xlsx",
        source,
    )
    assert f"(villages): village_id {village}, recognition_date: recognition date given" in (
        problem.rule_en
    )
    assert f"village_id {village}, recognition_date: Có ngày công nhận" in problem.rule_vi
    assert problem.describe("en").endswith(f"[recognition_date_needs_recognition; {source}]")
    assert problem.describe("en").count("[recognition_date_needs_recognition") == 1
