"""A corpus of malformed workbooks, each made here from a good one: every file must be rejected
with its own specific error, kept untouched in quarantine with an error report, and leave the
database exactly as it was (a checksum of every table before and after)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest
from intake_helpers import (
    FIGURE_COLUMNS,
    FIGURES_183_2024,
    column_of,
    copy_db,
    cover_row,
    good_183_2024,
    options,
)

from analysis.data.rules import catalogue
from analysis.intake.ingest import IntakeLimits, IntakeResult, ingest_file, table_checksums
from analysis.intake.workbook import COVER_TITLE, FIRST_DATA_ROW, sheet_specs

SPECS = sheet_specs()
VY = SPECS["village_year"].title
UPD = SPECS["village_updates"].title
CRAFTS = SPECS["district_crafts"].title
ACT = SPECS["activities"].title
NARR = SPECS["narrative"].title
ROW_BACNGA, ROW_CONGSON = FIRST_DATA_ROW, FIRST_DATA_ROW + 1  # villages sorted by id


def make_env(root: Path, sample_db: Path) -> dict[str, object]:
    """One store for the whole corpus (a rejected case must never change it), the store the
    accepted cases copy, and the good workbook."""
    db = copy_db(sample_db, root / "store")
    good = good_183_2024(db, root)
    return {
        "root": root,
        "db": db,
        "sample_db": sample_db,
        "good": good,
        "checksums": table_checksums(db),
        "db_sha": hashlib.sha256(db.read_bytes()).hexdigest(),
    }


@pytest.fixture(scope="module")
def corpus_env(tmp_path_factory: pytest.TempPathFactory, sample_db: Path) -> dict[str, object]:
    """The corpus's store and good workbook (:func:`make_env`)."""
    return make_env(tmp_path_factory.mktemp("corpus"), sample_db)


# ------------------------------------------------------------------------------ file builders


def _edit(fn: Callable[[openpyxl.Workbook], None]) -> Callable[[Path, Path], Path]:
    """A case that opens the good workbook, changes it and saves it under a new name."""

    def build(good: Path, out: Path) -> Path:
        wb = openpyxl.load_workbook(good)
        fn(wb)
        wb.save(out)
        return out

    return build


def _raw(data: bytes | Callable[[bytes], bytes]) -> Callable[[Path, Path], Path]:
    """A case written as bytes (or made from the good file's bytes)."""

    def build(good: Path, out: Path) -> Path:
        out.write_bytes(data(good.read_bytes()) if callable(data) else data)
        return out

    return build


def _rezip(
    good: bytes,
    change: dict[str, bytes | None] | None = None,
    add: dict[str, bytes] | None = None,
    compress: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """The good workbook with some zip parts replaced, removed (None) or added."""
    src = zipfile.ZipFile(io.BytesIO(good))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compress) as dst:
        for item in src.infolist():
            if change and item.filename in change:
                if change[item.filename] is not None:
                    dst.writestr(item.filename, change[item.filename])
                continue
            dst.writestr(item.filename, src.read(item.filename))
        for name, data in (add or {}).items():
            dst.writestr(name, data)
    return buffer.getvalue()


def _with_doctype(good: bytes, part: str, doctype: str) -> bytes:
    xml = zipfile.ZipFile(io.BytesIO(good)).read(part).decode("utf-8")
    if xml.startswith("<?xml"):
        head, _, body = xml.partition("?>")
        xml = f"{head}?>{doctype}{body}"
    else:
        xml = doctype + xml
    return _rezip(good, {part: xml.encode()})


def _cell(sheet: str, row: int, column: int, value: object) -> Callable[[openpyxl.Workbook], None]:
    def fn(wb: openpyxl.Workbook) -> None:
        wb[sheet].cell(row=row, column=column).value = value

    return fn


def _vy(field: str, value: object, row: int = ROW_BACNGA) -> Callable[[openpyxl.Workbook], None]:
    return _cell(VY, row, column_of("village_year", field), value)


def _upd(field: str, value: object, row: int = ROW_CONGSON) -> Callable[[openpyxl.Workbook], None]:
    return _cell(UPD, row, column_of("village_updates", field), value)


def _cover(field: str, value: object) -> Callable[[openpyxl.Workbook], None]:
    return _cell(COVER_TITLE, cover_row(field), 2, value)


def _delete_sheet(title: str) -> Callable[[openpyxl.Workbook], None]:
    def fn(wb: openpyxl.Workbook) -> None:
        del wb[title]

    return fn


def _delete_column(field: str) -> Callable[[openpyxl.Workbook], None]:
    def fn(wb: openpyxl.Workbook) -> None:
        wb[VY].delete_cols(column_of("village_year", field))

    return fn


def _duplicate_village(wb: openpyxl.Workbook) -> None:
    ws = wb[VY]
    row = FIRST_DATA_ROW + len(FIGURES_183_2024)
    for col in range(1, ws.max_column + 1):
        ws.cell(row=row, column=col).value = ws.cell(row=ROW_BACNGA, column=col).value


def _many_activity_rows(wb: openpyxl.Workbook) -> None:
    ws = wb[ACT]
    for row in range(FIRST_DATA_ROW, FIRST_DATA_ROW + 2100):
        ws.cell(row=row, column=1).value = "Đào tạo nghề, truyền nghề"
        ws.cell(row=row, column=2).value = "Ngân sách tỉnh"


def _several(*fns: Callable[[openpyxl.Workbook], None]) -> Callable[[openpyxl.Workbook], None]:
    def fn(wb: openpyxl.Workbook) -> None:
        for f in fns:
            f(wb)

    return fn


def _clear_rows(sheet: str) -> Callable[[openpyxl.Workbook], None]:
    """Every data row of a sheet emptied, its header kept (a sheet "sent empty")."""

    def fn(wb: openpyxl.Workbook) -> None:
        ws = wb[sheet]
        for row in range(FIRST_DATA_ROW, ws.max_row + 1):
            for col in range(1, ws.max_column + 1):
                ws.cell(row=row, column=col).value = None

    return fn


def _clear_figures(row: int) -> Callable[[openpyxl.Workbook], None]:
    """A village's figures emptied, its code and name kept."""

    def fn(wb: openpyxl.Workbook) -> None:
        for name in FIGURE_COLUMNS:
            wb[VY].cell(row=row, column=column_of("village_year", name)).value = None

    return fn


def _delete_row(sheet: str, row: int) -> Callable[[openpyxl.Workbook], None]:
    def fn(wb: openpyxl.Workbook) -> None:
        wb[sheet].delete_rows(row)

    return fn


def _left(row: int, reason: str) -> Callable[[openpyxl.Workbook], None]:
    return _vy("left_reason", reason, row)


def _zip_bomb(good: bytes) -> bytes:
    return _rezip(good, add={"xl/media/image1.bin": b"\0" * (30 * 2**20)})


def _padded(good: bytes) -> bytes:
    import random

    noise = random.Random(5).randbytes(3 * 2**20)  # incompressible
    return _rezip(good, add={"docProps/padding.bin": noise}, compress=zipfile.ZIP_STORED)


BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)
XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'

#: name: (how the file is made, expected error code, expected location (sheet, row, column)).
CASES: dict[str, tuple[Callable[[Path, Path], Path], str, tuple[object, ...] | None]] = {
    # The file itself
    "empty_file": (_raw(b""), "empty_file", None),
    "text_file_named_xlsx": (_raw(b"village_id;year\nCL-BACNGA;2024\n"), "not_a_workbook", None),
    "html_saved_as_xlsx": (
        _raw(b"<html><body><table><tr><td>1</td></tr></table></body></html>"),
        "not_a_workbook",
        None,
    ),
    "old_xls_format": (
        _raw(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048),
        "old_format",
        None,
    ),
    "truncated_zip": (_raw(lambda b: b[: len(b) // 2]), "corrupt", None),
    "zip_but_not_workbook": (
        _raw(lambda b: _rezip(b, {"xl/workbook.xml": None})),
        "not_a_workbook",
        None,
    ),
    "oversized_file": (_raw(_padded), "too_large", None),
    "zip_bomb": (_raw(_zip_bomb), "unzipped_too_large", None),
    "xml_entity_expansion": (
        _raw(lambda b: _with_doctype(b, "xl/workbook.xml", BILLION_LAUGHS)),
        "unsafe_xml",
        None,
    ),
    "xml_external_entity": (
        _raw(lambda b: _with_doctype(b, "xl/worksheets/sheet2.xml", XXE)),
        "unsafe_xml",
        None,
    ),
    "macros": (_raw(lambda b: _rezip(b, add={"xl/vbaProject.bin": b"\0" * 64})), "macros", None),
    # Layout
    "missing_cover_sheet": (_edit(_delete_sheet(COVER_TITLE)), "missing_sheet", None),
    "missing_figures_sheet": (_edit(_delete_sheet(VY)), "missing_sheet", None),
    "missing_required_column": (
        _edit(_delete_column("households_total")),
        "missing_column",
        (VY, None, None),
    ),
    "too_many_rows": (_edit(_many_activity_rows), "too_many_rows", (ACT, None, None)),
    # Cover
    "unknown_unit_code": (
        _edit(_cover("unit_code", "999")),
        "unknown_unit",
        (COVER_TITLE, cover_row("unit_code"), "B"),
    ),
    "unit_code_and_name_disagree": (
        _edit(_cover("unit_name", "Huyện Văn Quan")),
        "unit_mismatch",
        (COVER_TITLE, cover_row("unit_name"), "B"),
    ),
    "district_reporting_for_2025": (
        _edit(_cover("year", 2025)),
        "wrong_level",
        (COVER_TITLE, cover_row("unit_code"), "B"),
    ),
    "year_out_of_range": (
        _edit(_cover("year", 2040)),
        "bad_year",
        (COVER_TITLE, cover_row("year"), "B"),
    ),
    "year_as_words": (
        _edit(_cover("year", "năm nay")),
        "bad_year",
        (COVER_TITLE, cover_row("year"), "B"),
    ),
    "missing_sender": (
        _edit(_cover("sender", None)),
        "required",
        (COVER_TITLE, cover_row("sender"), "B"),
    ),
    "sent_before_the_year": (
        _edit(_cover("sent_on", datetime(2023, 5, 2))),
        "bad_sent_date",
        (COVER_TITLE, cover_row("sent_on"), "B"),
    ),
    # Types and ranges
    "text_in_a_count": (
        _edit(_vy("households_total", "nhiều")),
        "not_number",
        (VY, ROW_BACNGA, "C"),
    ),
    "fraction_in_a_count": (
        _edit(_vy("households_craft", "12,5")),
        "not_integer",
        (VY, ROW_BACNGA, "D"),
    ),
    "negative_count": (_edit(_vy("workers_regular", -5)), "negative", (VY, ROW_BACNGA, "E")),
    "income_out_of_range": (
        _edit(_vy("income_mvnd_month", 500)),
        "out_of_range",
        (VY, ROW_BACNGA, "L"),
    ),
    "ocop_stars_not_allowed": (
        _edit(_vy("ocop_max_stars", 2)),
        "not_in_set",
        (VY, ROW_BACNGA, "N"),
    ),
    "yes_no_garbage": (_edit(_vy("env_plan", "có lẽ")), "not_bool", (VY, ROW_BACNGA, "I")),
    "bad_date": (
        _edit(_upd("recognition_date", "32/13/2024")),
        "not_date",
        (UPD, ROW_CONGSON, "E"),
    ),
    "formula_without_saved_value": (
        _edit(_vy("households_total", "=100+31")),
        "formula_without_value",
        (VY, ROW_BACNGA, "C"),
    ),
    "text_too_long": (
        _edit(_cell(NARR, FIRST_DATA_ROW + 1, 3, "Tồn tại. " * 2500)),
        "text_too_long",
        (NARR, FIRST_DATA_ROW + 1, "C"),
    ),
    # Required fields and codes
    "missing_required_value": (_edit(_vy("facilities", None)), "required", (VY, ROW_BACNGA, "G")),
    "unknown_recognition_code": (
        _edit(_upd("recognition", "Làng nghề cấp tỉnh")),
        "unknown_code",
        (UPD, ROW_CONGSON, "C"),
    ),
    "unknown_funding_source": (
        _edit(_cell(ACT, FIRST_DATA_ROW, 2, "Vốn vay ưu đãi")),
        "unknown_code",
        (ACT, FIRST_DATA_ROW, "B"),
    ),
    "activity_without_task_group": (
        _edit(_cell(ACT, FIRST_DATA_ROW, 1, None)),
        "required",
        (ACT, FIRST_DATA_ROW, "A"),
    ),
    "unknown_craft": (
        _edit(_cell(CRAFTS, FIRST_DATA_ROW, 1, "Nghề gốm sứ")),
        "unknown_craft",
        (CRAFTS, FIRST_DATA_ROW, "A"),
    ),
    "unknown_village": (
        _edit(_cell(VY, ROW_BACNGA, 1, "CL-KHONGCO")),
        "unknown_village",
        (VY, ROW_BACNGA, "A"),
    ),
    "village_of_another_unit": (
        _edit(_cell(VY, ROW_BACNGA, 1, "VQ-NARO")),
        "village_not_in_unit",
        (VY, ROW_BACNGA, "A"),
    ),
    "duplicate_village_rows": (
        _edit(_duplicate_village),
        "duplicate",
        (VY, FIRST_DATA_ROW + 4, "A"),
    ),
    # Rules across fields
    "craft_share_above_100_percent": (
        _edit(_vy("households_craft", 300)),
        "craft_households_within_total",
        (VY, ROW_BACNGA, "D"),
    ),
    "compliant_above_facilities": (
        _edit(_vy("facilities_compliant", 90)),
        "compliant_within_facilities",
        (VY, ROW_BACNGA, "H"),
    ),
    "trained_above_regular": (
        _edit(_vy("workers_trained", 500)),
        "trained_within_regular",
        (VY, ROW_BACNGA, "F"),
    ),
    "recognition_after_the_year": (
        _edit(_upd("recognition_date", "01/03/2025")),
        "recognition_after_year",
        (UPD, ROW_CONGSON, "E"),
    ),
    "recognised_without_date": (
        _edit(
            _several(
                _upd("recognition", "Làng nghề", ROW_BACNGA),
                _upd("recognition_regime", "Nghị định 52/2018/NĐ-CP", ROW_BACNGA),
            )
        ),
        "recognition_complete",
        (UPD, ROW_BACNGA, "E"),
    ),
    "tourism_after_the_year": (
        _edit(_upd("tourism_since", 2026)),
        "year_after_report",
        (UPD, ROW_CONGSON, "G"),
    ),
    # Vietnamese text in legacy encodings
    "tcvn3_text": (
        _edit(_cell(NARR, FIRST_DATA_ROW, 3, "Duy tr× æn ®Þnh c¸c nghÒ truyÒn thèng.")),
        "legacy_encoding",
        (NARR, FIRST_DATA_ROW, "C"),
    ),
    "vni_text": (
        _edit(_cover("sender", "Nguyeãn Thò Lan")),
        "legacy_encoding",
        (COVER_TITLE, cover_row("sender"), "B"),
    ),
    # A sheet sent empty, or a village left out, deletes nothing (issue 13, item 1)
    "empty_village_figures_sheet": (
        _edit(_clear_rows(VY)),
        "village_missing",
        (VY, None, None),
    ),
    "village_row_deleted": (
        _edit(_delete_row(VY, ROW_CONGSON)),
        "village_missing",
        (VY, None, None),
    ),
    "village_figures_cleared": (
        _edit(_clear_figures(ROW_CONGSON)),
        "village_missing",
        (VY, ROW_CONGSON, "O"),
    ),
    "empty_activities_sheet": (
        _edit(_clear_rows(ACT)),
        "activities_missing",
        (ACT, FIRST_DATA_ROW, "A"),
    ),
    "left_village_with_figures": (
        _edit(_left(ROW_BACNGA, "Giải thể")),
        "left_with_figures",
        (VY, ROW_BACNGA, "O"),
    ),
    "unknown_reason_for_leaving": (
        _edit(_several(_clear_figures(ROW_CONGSON), _left(ROW_CONGSON, "Bỏ đi nơi khác"))),
        "unknown_code",
        (VY, ROW_CONGSON, "O"),
    ),
    # A village's name that is another village's (item 2)
    "village_name_of_another_village": (
        _edit(_vy("village_name", "Thôn Nà Rọ")),
        "village_name_other",
        (VY, ROW_BACNGA, "B"),
    ),
    "updates_name_of_another_village": (
        _edit(_upd("village_name", "Thôn Bắc Nga")),
        "village_name_other",
        (UPD, ROW_CONGSON, "B"),
    ),
    "figures_name_of_a_sibling_village": (
        _edit(_vy("village_name", "Thôn Bó Củng", ROW_CONGSON)),
        "village_name_other",
        (VY, ROW_CONGSON, "B"),
    ),
}
#: Smaller limits for the size cases, so that the test files stay small and fast.
LIMITS = IntakeLimits(max_file_bytes=2 * 2**20, max_unzipped_bytes=20 * 2**20)


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30


def run_rejected(
    name: str, env: dict[str, object], folder: str | None = None
) -> tuple[IntakeResult, Path, bytes]:
    """Ingest a malformed case into the corpus's store; the result, its folder, the bytes sent."""
    build = CASES[name][0]
    work = Path(env["root"]) / (folder or name)  # type: ignore[arg-type]
    work.mkdir()
    bad = build(Path(env["good"]), work / f"{name}.xlsx")  # type: ignore[arg-type]
    sent = bad.read_bytes()
    result = ingest_file(bad, replace(options(Path(env["db"]), work), limits=LIMITS))  # type: ignore[arg-type]
    return result, work, sent


@pytest.mark.parametrize("name", list(CASES))
def test_malformed_workbook_is_rejected_and_store_unchanged(
    name: str, corpus_env: dict[str, object]
) -> None:
    build, code, where = CASES[name]
    db: Path = corpus_env["db"]  # type: ignore[assignment]
    result, work, sent = run_rejected(name, corpus_env)

    assert result.outcome == "rejected", result.problems
    assert code in result.codes, [p.describe("en") for p in result.errors]
    if where is not None:
        found = {(p.sheet, p.row, p.column) for p in result.errors if p.code == code}
        sheet, row, column = where
        assert any(
            s == sheet and (row is None or r == row) and (column is None or c == column)
            for s, r, c in found
        ), found
    # The database is exactly as it was: every table's content, and the file's bytes.
    assert table_checksums(db) == corpus_env["checksums"]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == corpus_env["db_sha"]
    # The file is kept untouched beside its error report, which names the rule in both languages.
    assert result.quarantine is not None and result.quarantine.parent == work / "quarantine"
    copies = [p for p in result.quarantine.iterdir() if not p.name.startswith("errors.")]
    assert len(copies) == 1 and copies[0].read_bytes() == sent
    report = (result.quarantine / "errors.txt").read_text(encoding="utf-8")
    problem = next(p for p in result.errors if p.code == code)
    assert problem.rule_vi in report and problem.rule_en in report
    assert (result.quarantine / "errors.html").exists()
    # Nothing was archived as received.
    assert not (work / "received").exists()


def test_a_sheet_row_is_judged_by_the_rule_catalogue(corpus_env: dict[str, object]) -> None:
    """The catalogue's rule (not a copy of it in intake) speaks for the sheet's row: CL-BACNGA
    has 131 households (FIGURES_183_2024); 300 in the craft is 300 / 131 = 229.0%."""
    result, _, _ = run_rejected("craft_share_above_100_percent", corpus_env, "share-words")
    [problem] = [p for p in result.errors if p.code == "craft_households_within_total"]
    rule = catalogue()["craft_households_within_total"]
    assert problem.source == rule.source
    assert problem.rule_vi == (
        "Số hộ tham gia nghề (300) lớn hơn tổng số hộ của thôn (131): tỷ lệ 229,0% vượt quá 100%"
    )
    assert "(300) must not be above the village's households (131): a share of 229.0%" in (
        problem.rule_en
    )
    assert problem.describe("vi").startswith(f"Trang «{VY}», dòng {ROW_BACNGA}, cột D «")
    assert problem.describe("vi").endswith(f"[craft_households_within_total; {rule.source}]")


def test_every_error_is_reported_at_once(corpus_env: dict[str, object]) -> None:
    """Errors on several sheets come back together, not only the first."""
    root: Path = corpus_env["root"]  # type: ignore[assignment]
    work = root / "many"
    work.mkdir()
    bad = _edit(
        _several(
            _vy("households_total", "nhiều"),
            _vy("workers_regular", -1, ROW_CONGSON),
            _upd("recognition", "Làng nghề cấp tỉnh"),
            _cell(ACT, FIRST_DATA_ROW, 2, "Vốn vay"),
            _cover("sender", None),
        )
    )(corpus_env["good"], work / "many.xlsx")  # type: ignore[arg-type]
    result = ingest_file(bad, options(corpus_env["db"], work))  # type: ignore[arg-type]
    assert {"not_number", "negative", "unknown_code", "required"} <= result.codes
    assert len(result.errors) >= 5
    assert table_checksums(corpus_env["db"]) == corpus_env["checksums"]  # type: ignore[arg-type]


def test_legacy_text_report_suggests_the_unicode_reading(corpus_env: dict[str, object]) -> None:
    root: Path = corpus_env["root"]  # type: ignore[assignment]
    work = root / "legacy"
    work.mkdir()
    bad = _edit(_cover("sender", "NguyÔn ThÞ Lan"))(corpus_env["good"], work / "legacy.xlsx")  # type: ignore[arg-type]
    result = ingest_file(bad, options(corpus_env["db"], work))  # type: ignore[arg-type]
    problem = next(p for p in result.errors if p.code == "legacy_encoding")
    assert "TCVN3" in problem.rule_vi and "Nguyễn Thị Lan" in problem.rule_vi


# ------------------------------------------------------------------- inputs that are accepted

RLO, RLM = "\u202e", "\u200f"


def _stored(db: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _narrative_is(text: str) -> Callable[[Path], bool]:
    def check(db: Path) -> bool:
        rows = _stored(
            db,
            "SELECT text_vi FROM narratives WHERE unit_code = '183' AND year = 2024 "
            "AND section = 'strengths'",
        )
        return rows == [(text,)]

    return check


def _no_activities(db: Path) -> bool:
    return _stored(
        db, "SELECT count(*) FROM activities WHERE unit_code = '183' AND year = 2024"
    ) == [(0,)]


def _figures_by_code(db: Path) -> bool:
    return _stored(
        db,
        "SELECT households_total FROM village_year WHERE village_id = 'CL-BACNGA' AND year = 2024",
    ) == [(131,)]


def _congson_gone(db: Path) -> bool:
    return _stored(
        db, "SELECT count(*) FROM village_year WHERE village_id = 'CL-CONGSON' AND year = 2024"
    ) == [(0,)]


#: Inputs that load, with the warning they must raise (code, location) and a check on the
#: stored data: name: (how the file is made, warning code or None, location, check).
ACCEPTED: dict[
    str,
    tuple[
        Callable[[Path, Path], Path],
        str | None,
        tuple[object, ...] | None,
        Callable[[Path], bool] | None,
    ],
] = {
    "village_left_with_a_reason": (
        _edit(_several(_clear_figures(ROW_CONGSON), _left(ROW_CONGSON, "Giải thể"))),
        "village_left",
        (VY, ROW_CONGSON, "O"),
        _congson_gone,
    ),
    "no_activities_declared": (
        _edit(_several(_clear_rows(ACT), _cell(ACT, FIRST_DATA_ROW, 1, "Không có hoạt động"))),
        None,
        None,
        _no_activities,
    ),
    "village_name_misspelt": (
        _edit(_vy("village_name", "Thôn Bắc Nga Mới")),
        "village_name_differs",
        (VY, ROW_BACNGA, "B"),
        _figures_by_code,
    ),
    "village_name_in_tcvn3": (
        _edit(_vy("village_name", "Th«n B¾c Nga")),
        "village_name_legacy",
        (VY, ROW_BACNGA, "B"),
        _figures_by_code,
    ),
    "village_name_in_vni": (
        _edit(_vy("village_name", "Thoân Baéc Nga")),
        "village_name_legacy",
        (VY, ROW_BACNGA, "B"),
        _figures_by_code,
    ),
    "bidi_override_in_narrative": (
        _edit(_cell(NARR, FIRST_DATA_ROW, 3, f"Duy trì {RLO}ổn định{RLM} các nghề.")),
        "hidden_removed",
        (NARR, FIRST_DATA_ROW, "C"),
        _narrative_is("Duy trì ổn định các nghề."),
    ),
    "bidi_override_in_sender": (
        _edit(_cover("sender", f"Nguyễn {RLO}Thị Lan")),
        "hidden_removed",
        (COVER_TITLE, cover_row("sender"), "B"),
        None,
    ),
    "narrative_line_breaks_kept": (
        _edit(_cell(NARR, FIRST_DATA_ROW, 3, "Đoạn một.\n\nĐoạn  hai,\r\ndòng hai.")),
        None,
        None,
        _narrative_is("Đoạn một.\n\nĐoạn hai,\ndòng hai."),
    ),
    "narrative_starting_with_a_dash": (
        _edit(_cell(NARR, FIRST_DATA_ROW, 3, "- Duy trì các nghề.")),
        None,
        None,
        _narrative_is("- Duy trì các nghề."),  # stored as written; the writers defuse it
    ),
    "village_named_by_name_only": (
        _edit(_vy("village_id", None)),
        "name_matched",
        (VY, ROW_BACNGA, "A"),
        _figures_by_code,
    ),
}


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_accepted_input_loads_with_its_warning(name: str, corpus_env: dict[str, object]) -> None:
    outcome = run_accepted(name, corpus_env)
    assert outcome["outcome"] == "loaded", outcome["errors"]
    _, code, where, _ = ACCEPTED[name]
    if code is not None:
        hits = [w for w in outcome["warnings"] if w[0] == code]
        assert hits, outcome["warnings"]
        if where is not None:
            assert any(w[1:] == where for w in hits), hits
    assert outcome["check"] is not False


def run_accepted(name: str, env: dict[str, object]) -> dict[str, object]:
    """Load an accepted case into its own copy of the store; what happened."""
    build, _, _, check = ACCEPTED[name]
    work = Path(env["root"]) / f"ok-{name}"  # type: ignore[arg-type]
    work.mkdir()
    db = copy_db(Path(env["sample_db"]), work / "store")  # type: ignore[arg-type]
    bad = build(Path(env["good"]), work / f"{name}.xlsx")  # type: ignore[arg-type]
    before = table_checksums(db)
    result = ingest_file(bad, options(db, work))
    return {
        "outcome": result.outcome,
        "errors": [p.describe("en") for p in result.errors],
        "warnings": [(p.code, p.sheet, p.row, p.column) for p in result.warnings],
        "check": None if check is None else bool(check(db)),
        "before": store_digest(before),
        "after": store_digest(table_checksums(db)),
    }


def store_digest(checksums: dict[str, tuple[int, str]]) -> str:
    """One short digest of every table's checksum (``table_checksums``)."""
    text = ";".join(f"{k}:{n}:{d}" for k, (n, d) in sorted(checksums.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# ---------------------------------------------------------------- bad commands on the store


#: Commands given bad input: name: (issue item, arguments after the verb with {db} and {tmp},
#: exit code, words the message must hold). None of them may change the store.
COMMANDS: dict[str, tuple[int, list[str], int, str]] = {
    "sql_reads_a_file": (6, ["sql", "SELECT * FROM read_text('/etc/passwd')"], 2, "refused"),
    "sql_reads_a_csv": (6, ["sql", "SELECT * FROM read_csv('/etc/passwd')"], 2, "refused"),
    "sql_copy_to": (6, ["sql", "COPY (SELECT 1) TO '{tmp}/x.py'"], 2, "COPY statements"),
    "sql_export": (6, ["sql", "EXPORT DATABASE '{tmp}/exp'"], 2, "EXPORT statements"),
    "sql_install": (6, ["sql", "INSTALL httpfs"], 2, "LOAD statements"),
    "sql_load": (6, ["sql", "LOAD httpfs"], 2, "LOAD statements"),
    "sql_attach": (6, ["sql", "ATTACH '{tmp}/o.duckdb' AS o"], 2, "ATTACH statements"),
    "sql_set": (6, ["sql", "SET enable_external_access = true"], 2, "SET statements"),
    "sql_writes": (6, ["sql", "DELETE FROM villages"], 2, "DELETE statements"),
    "sql_two_statements": (6, ["sql", "SELECT 1; DROP TABLE villages"], 2, "2 statements"),
    "sql_empty": (6, ["sql", "  "], 2, "empty SQL statement"),
    "report_empty_format": (14, ["report", "--format", "", "--out", "{tmp}/o"], 2, "format"),
    "report_out_is_a_file": (14, ["report", "--out", "{tmp}/file.txt"], 2, "is a file"),
    "build_no_replay_without_yes": (
        3,
        ["build", "--no-replay", "--archive", "{tmp}/received"],
        2,
        "would drop the 1 submission(s)",
    ),
    "build_elsewhere_keeps_project_outputs": (4, ["build", "--out", "{tmp}/ind"], 0, "{tmp}/ind"),
    "reference_file_missing": (13, ["status"], 2, "targets.csv is missing"),
    "reference_file_malformed": (13, ["status"], 2, "codes.yaml, line 6, column"),
}


def _broken_reference(name: str, work: Path) -> Path:
    """A copy of the reference folder with targets.csv gone, or codes.yaml broken (the
    bracket opened on line 5 is found unclosed on line 6)."""
    import shutil

    from analysis.core import config

    folder = work / "reference"
    shutil.copytree(config.REFERENCE_DIR, folder)
    if name == "reference_file_missing":
        (folder / "targets.csv").unlink()
    else:
        codes = folder / "codes.yaml"
        lines = codes.read_text(encoding="utf-8").splitlines()
        lines[4] = "  bad: {vi: [unclosed"
        codes.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _main_in_subprocess(args: list[str], reference: Path) -> tuple[int, str]:
    """``python -m analysis ARGS`` in a fresh process (reference data are cached in this one)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "LANGSON_REFERENCE": str(reference)}
    done = subprocess.run(
        [sys.executable, "-m", "analysis", *args], capture_output=True, text=True, env=env
    )
    return done.returncode, done.stderr + done.stdout


def run_command(name: str, env: dict[str, object], capsys: object = None) -> dict[str, object]:
    """Run one bad command on a copy of the corpus's store; exit code, message, checksums."""
    import contextlib
    import io

    from analysis.cli.main import main

    item, argv, _, _ = COMMANDS[name]
    work = Path(env["root"]) / f"cmd-{name}"  # type: ignore[arg-type]
    work.mkdir()
    (work / "file.txt").write_text("keep", encoding="utf-8")
    db = copy_db(Path(env["db"]), work / "store")  # type: ignore[arg-type]
    if name == "build_no_replay_without_yes":  # a submission loaded, listed in the ledger
        assert ingest_file(Path(env["good"]), options(db, work)).outcome == "loaded"  # type: ignore[arg-type]
    args = [a.format(tmp=work, db=db) for a in argv] + ["--db", str(db)]
    before = table_checksums(db)
    out, err = io.StringIO(), io.StringIO()
    if name.startswith("reference_"):
        code, text = _main_in_subprocess(args, _broken_reference(name, work))
        err.write(text)
    else:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(args)
            except SystemExit as exc:
                code = int(exc.code or 0)
    after = table_checksums(db)
    return {
        "item": item,
        "code": code,
        "message": (err.getvalue() + out.getvalue()).replace(str(work), "{tmp}"),
        "unchanged": before == after if name != "build_elsewhere_keeps_project_outputs" else True,
        "before": store_digest(before),
        "after": store_digest(after),
        "work": work,
    }


@pytest.mark.parametrize("name", list(COMMANDS))
def test_bad_command_is_refused_and_store_unchanged(
    name: str, corpus_env: dict[str, object]
) -> None:
    _, _, code, words = COMMANDS[name]
    outcome = run_command(name, corpus_env)
    assert outcome["code"] == code, outcome["message"]
    assert words in outcome["message"] and "Traceback" not in outcome["message"]
    assert outcome["unchanged"]
    work: Path = outcome["work"]  # type: ignore[assignment]
    assert not (work / "x.py").exists() and not (work / "exp").exists()
    assert (work / "file.txt").read_text(encoding="utf-8") == "keep"


def test_whole_corpus_is_large_enough() -> None:
    """At least 60 bad inputs, each with its expected outcome (issue 13)."""
    assert len(CASES) + len(ACCEPTED) + len(COMMANDS) >= 60
