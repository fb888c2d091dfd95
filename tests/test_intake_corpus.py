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

import openpyxl
import pytest
from intake_helpers import (
    FIGURES_183_2024,
    column_of,
    copy_db,
    cover_row,
    good_183_2024,
    options,
)

from analysis.intake.ingest import IntakeLimits, ingest_file, table_checksums
from analysis.intake.workbook import COVER_TITLE, FIRST_DATA_ROW, sheet_specs

SPECS = sheet_specs()
VY = SPECS["village_year"].title
UPD = SPECS["village_updates"].title
CRAFTS = SPECS["district_crafts"].title
ACT = SPECS["activities"].title
NARR = SPECS["narrative"].title
ROW_BACNGA, ROW_CONGSON = FIRST_DATA_ROW, FIRST_DATA_ROW + 1  # villages sorted by id


@pytest.fixture(scope="module")
def corpus_env(tmp_path_factory: pytest.TempPathFactory, sample_db: Path) -> dict[str, object]:
    """One store for the whole corpus (it must never change) and the good workbook."""
    root = tmp_path_factory.mktemp("corpus")
    db = copy_db(sample_db, root / "store")
    good = good_183_2024(db, root)
    return {
        "root": root,
        "db": db,
        "good": good,
        "checksums": table_checksums(db),
        "db_sha": hashlib.sha256(db.read_bytes()).hexdigest(),
    }


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
        "craft_households_above_total",
        (VY, ROW_BACNGA, "D"),
    ),
    "compliant_above_facilities": (
        _edit(_vy("facilities_compliant", 90)),
        "compliant_above_facilities",
        (VY, ROW_BACNGA, "H"),
    ),
    "trained_above_regular": (
        _edit(_vy("workers_trained", 500)),
        "trained_above_regular",
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
        "recognition_incomplete",
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
}
#: Smaller limits for the size cases, so that the test files stay small and fast.
LIMITS = IntakeLimits(max_file_bytes=2 * 2**20, max_unzipped_bytes=20 * 2**20)


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", list(CASES))
def test_malformed_workbook_is_rejected_and_store_unchanged(
    name: str, corpus_env: dict[str, object]
) -> None:
    build, code, where = CASES[name]
    root: Path = corpus_env["root"]  # type: ignore[assignment]
    db: Path = corpus_env["db"]  # type: ignore[assignment]
    work = root / name
    work.mkdir()
    bad = build(corpus_env["good"], work / f"{name}.xlsx")  # type: ignore[arg-type]
    sent = bad.read_bytes()
    opts = replace(options(db, work), limits=LIMITS)

    result = ingest_file(bad, opts)

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
