"""Reading a reporting unit's workbook and checking it: every problem at once, in words an
official understands (Vietnamese and English), with sheet, row, column and the value found.

The file is untrusted. Before openpyxl sees it: its signature, the zip directory (size, number of
parts), macros, and every XML part parsed with ``defusedxml`` (no DTD, entities or external
references). openpyxl then reads it in read-only mode, rows and columns bounded; formulas are never
evaluated (the value Excel saved is read). Values are read the way they really arrive: NFC or NFD
text with stray spaces, legacy TCVN3 and VNI text (detected and reported), numbers written the
Vietnamese way (``1.234,5``), dates as text or Excel serials, place names written several ways.
``analysis.intake.ingest`` loads what this module accepts.
"""

from __future__ import annotations

import difflib
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import openpyxl
import pandas as pd
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree

from analysis.core import config
from analysis.core.formatting import format_number
from analysis.core.text import nfc
from analysis.data import reference
from analysis.data.schemas import MAX_YEAR, MIN_YEAR
from analysis.data.timeliness import commune_reporting_from
from analysis.data.validation import Problem, check_schema
from analysis.intake.legacy_text import ENCODING_NAMES, detect_legacy, to_unicode
from analysis.intake.workbook import (
    COVER_FIELDS,
    COVER_TITLE,
    COVER_TITLE_EN,
    LABEL_SEP,
    NARRATIVE_SECTIONS,
    TEMPLATE_VERSION,
    Field,
    SheetSpec,
    reporting_unit_table,
    sheet_key,
    sheet_specs,
    table_specs,
    unit_level_for_year,
    unit_villages,
)

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_SIGNATURE = b"PK\x03\x04"
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# -------------------------------------------------------------------------------- rules, limits


@dataclass(frozen=True)
class IntakeLimits:
    """Bounds on an untrusted file (defaults from ``data/reference/intake.yaml``)."""

    max_file_bytes: int = 10 * 2**20
    max_unzipped_bytes: int = 100 * 2**20
    max_zip_entries: int = 1000
    max_rows: int = 2000
    max_columns: int = 60
    max_text_chars: int = 20000

    @classmethod
    def from_reference(cls) -> IntakeLimits:
        """The limits of ``intake.yaml``."""
        limits = reference.read_yaml("intake.yaml")["limits"]
        return cls(
            max_file_bytes=int(limits["max_file_mb"] * 2**20),
            max_unzipped_bytes=int(limits["max_unzipped_mb"] * 2**20),
            max_zip_entries=int(limits["max_zip_entries"]),
            max_rows=int(limits["max_rows_per_sheet"]),
            max_columns=int(limits["max_columns"]),
            max_text_chars=int(limits["max_text_chars"]),
        )


# ------------------------------------------------------------------------------------- problems

MESSAGES: dict[str, tuple[str, str]] = {
    # The file itself
    "empty_file": ("Tệp rỗng (0 byte).", "The file is empty (0 bytes)."),
    "not_a_workbook": (
        "Tệp không phải là sổ tính Excel (.xlsx){detail}.",
        "The file is not an Excel workbook (.xlsx){detail_en}.",
    ),
    "old_format": (
        "Tệp theo định dạng Excel 97-2003 (.xls) hoặc có đặt mật khẩu: hãy mở bằng Excel, bỏ mật "
        "khẩu (nếu có) và lưu lại dưới dạng .xlsx.",
        "The file is in the old Excel 97-2003 format (.xls) or password-protected: open it in "
        "Excel, remove any password and save it as .xlsx.",
    ),
    "too_large": (
        "Tệp quá lớn: {size} (tối đa {limit}).",
        "The file is too large: {size} (at most {limit}).",
    ),
    "unzipped_too_large": (
        "Nội dung tệp khi giải nén quá lớn hoặc quá nhiều phần ({size}; tối đa {limit}); tệp có "
        "thể bị hỏng hoặc độc hại.",
        "The file unpacks to too much or too many parts ({size}; at most {limit}); it may be "
        "damaged or malicious.",
    ),
    "unsafe_xml": (
        "Tệp chứa cấu trúc XML không an toàn ({detail}) nên không được mở.",
        "The file holds unsafe XML ({detail}) and was not opened.",
    ),
    "corrupt": (
        "Tệp bị hỏng, không đọc được ({detail}). Hãy mở bằng Excel và lưu lại.",
        "The file is damaged and cannot be read ({detail}). Open it in Excel and save it again.",
    ),
    "macros": (
        "Tệp chứa macro (VBA). Hãy lưu lại dưới dạng «Sổ làm việc Excel (.xlsx)» không có macro.",
        "The file contains macros (VBA). Save it as a plain Excel workbook (.xlsx) without macros.",
    ),
    # Layout
    "missing_sheet": (
        "Thiếu trang «{sheet_name}». Hãy dùng biểu mẫu gốc, không đổi tên hoặc xóa trang.",
        "The sheet “{sheet_name}” ({sheet_name_en}) is missing. Use the original template; do "
        "not rename or delete sheets.",
    ),
    "missing_column": (
        "Thiếu cột bắt buộc «{header}».",
        "The required column “{header_en}” is missing.",
    ),
    "missing_optional_column": (
        "Không có cột «{header}»: coi như không có số liệu.",
        "No column “{header_en}”: read as no figures.",
    ),
    "unknown_column": (
        "Cột «{value}» không có trong biểu mẫu nên không được đọc.",
        "The column “{value}” is not part of the template and was not read.",
    ),
    "too_many_rows": (
        "Trang có quá nhiều dòng (hơn {limit}).",
        "The sheet has too many rows (more than {limit}).",
    ),
    "too_many_columns": (
        "Trang có quá nhiều cột (hơn {limit}); các cột sau không được đọc.",
        "The sheet has too many columns (more than {limit}); the rest were not read.",
    ),
    # Cover
    "unit_missing": (
        "Chưa ghi mã hoặc tên đơn vị báo cáo.",
        "The reporting unit (code or name) is missing.",
    ),
    "unknown_unit": (
        "Không tìm thấy đơn vị báo cáo «{value}».{hint}",
        "Unknown reporting unit “{value}”.{hint_en}",
    ),
    "ambiguous_unit": (
        "Tên «{value}» khớp với nhiều đơn vị ({candidates}); hãy ghi mã đơn vị.",
        "The name “{value}” matches several units ({candidates}); give the unit code.",
    ),
    "unit_mismatch": (
        "Mã đơn vị {code} ({name}) không khớp với tên đơn vị «{value}».",
        "The unit code {code} ({name}) does not match the unit name “{value}”.",
    ),
    "wrong_level": ("{name}: {why}", "{name}: {why_en}"),
    "bad_year": (
        "Năm báo cáo phải là một năm từ {first} đến {last}.",
        "The reporting year must be a year from {first} to {last}.",
    ),
    "bad_sent_date": (
        "Ngày gửi {value} không hợp lệ: phải từ 01/01/{year} đến hôm nay.",
        "The date sent, {value}, is not valid: it must lie between 1 Jan {year} and today.",
    ),
    # Cells
    "required": ("Bắt buộc phải nhập giá trị.", "A value is required."),
    "not_number": (
        "Không phải là số (viết số như 1.234,5 hoặc nhập số trực tiếp).",
        "Not a number (write numbers like 1.234,5, or type a plain number).",
    ),
    "not_integer": ("Phải là số nguyên.", "Must be a whole number."),
    "negative": ("Không được là số âm.", "Must not be negative."),
    "out_of_range": (
        "Phải nằm trong khoảng từ {low} đến {high}.",
        "Must be between {low} and {high}.",
    ),
    "below_min": ("Phải từ {low} trở lên.", "Must be at least {low}."),
    "not_in_set": ("Phải là một trong các giá trị: {allowed}.", "Must be one of: {allowed}."),
    "not_date": (
        "Không phải là ngày hợp lệ (viết ngày/tháng/năm, ví dụ 15/12/2025).",
        "Not a valid date (write day/month/year, e.g. 15/12/2025).",
    ),
    "not_year": ("Không phải là năm hợp lệ (ví dụ 2024).", "Not a valid year (e.g. 2024)."),
    "not_bool": ("Chỉ ghi «Có» hoặc «Không».", "Write “Có” (yes) or “Không” (no) only."),
    "unknown_code": (
        "Giá trị không có trong danh sách. Chọn một trong: {allowed}.",
        "Not in the list. Choose one of: {allowed_en}.",
    ),
    "unknown_craft": (
        "Nghề không có trong danh mục nghề; chọn trong danh sách thả xuống.",
        "The craft is not in the list of crafts; pick it from the drop-down list.",
    ),
    "unknown_village": (
        "Thôn, bản không có trong danh sách của tỉnh; đề nghị Sở bổ sung trước khi báo cáo.",
        "The village is not in the province's list; ask the Department to add it first.",
    ),
    "village_not_in_unit": (
        "Thôn, bản {village} thuộc {owner}, không thuộc đơn vị báo cáo.",
        "Village {village} belongs to {owner_en}, not to the reporting unit.",
    ),
    "duplicate": (
        "Trùng lặp: {what} đã có ở dòng {other}.",
        "Duplicate: {what_en} already appears in row {other}.",
    ),
    "unknown_section": ("Mục thuyết minh không xác định.", "Unknown narrative section."),
    "legacy_encoding": (
        "Văn bản gõ bằng bảng mã cũ {encoding_vi}, không phải Unicode; có thể là «{suggestion}». "
        "Hãy chuyển mã sang Unicode (Unikey: Công cụ chuyển mã) rồi gửi lại.",
        "Text typed in the legacy {encoding_en} encoding, not Unicode; it probably reads "
        "“{suggestion}”. Convert it to Unicode (e.g. Unikey's conversion tool) and send again.",
    ),
    "formula_without_value": (
        "Ô có công thức nhưng chưa có giá trị được lưu; hãy mở tệp bằng Excel và lưu lại, hoặc "
        "nhập giá trị trực tiếp.",
        "The cell holds a formula without a saved value; open and save the file in Excel, or "
        "type the value.",
    ),
    "text_too_long": (
        "Nội dung quá dài ({length} ký tự; tối đa {limit}).",
        "The text is too long ({length} characters; at most {limit}).",
    ),
    # Rules across fields
    "craft_households_above_total": (
        "Số hộ tham gia nghề ({value}) lớn hơn tổng số hộ của thôn ({total}): tỷ lệ {share_vi}% "
        "vượt quá 100%.",
        "Households in the craft ({value}) exceed the village's households ({total}): a share of "
        "{share_en}%, above 100%.",
    ),
    "compliant_above_facilities": (
        "Số cơ sở đáp ứng quy định bảo vệ môi trường ({value}) lớn hơn số cơ sở sản xuất "
        "({total}): tỷ lệ {share_vi}% vượt quá 100%.",
        "Facilities meeting the environmental rules ({value}) exceed all facilities ({total}): "
        "a share of {share_en}%, above 100%.",
    ),
    "trained_above_regular": (
        "Số lao động đã qua đào tạo ({value}) lớn hơn số lao động thường xuyên ({total}).",
        "Trained workers ({value}) exceed regular workers ({total}).",
    ),
    "recognition_after_year": (
        "Ngày công nhận {value} sau năm báo cáo {year}.",
        "The recognition date {value} is after the reporting year {year}.",
    ),
    "year_after_report": (
        "Năm {value} sau năm báo cáo {year}.",
        "The year {value} is after the reporting year {year}.",
    ),
    "recognition_incomplete": (
        "Thôn, bản đã được công nhận phải có ngày công nhận và chế độ công nhận (Nghị định).",
        "A recognised village needs its recognition date and regime (decree).",
    ),
    "date_without_recognition": (
        "Có ngày công nhận nhưng thôn, bản chưa được công nhận.",
        "A recognition date is given but the village is not recognised.",
    ),
    "trademark_needs_year": (
        "Có nhãn hiệu tập thể hoặc chỉ dẫn địa lý thì phải ghi năm được cấp.",
        "A collective trademark or geographical indication needs the year it was granted.",
    ),
    "craft_village_required": (
        "Các thôn của đơn vị thuộc nhiều địa bàn cấp huyện cũ: hãy chọn thôn, bản sản xuất nghề "
        "này.",
        "The unit's villages lie in several former districts: choose the village where this "
        "craft is produced.",
    ),
    "internal_error": (
        "Chương trình gặp lỗi khi đọc tệp ({detail}); tệp được giữ nguyên để bộ phận kỹ thuật "
        "kiểm tra.",
        "The program failed while reading the file ({detail}); the file is kept for the "
        "technical team to look at.",
    ),
    "guard": (
        "Số liệu sau khi nạp sẽ vi phạm quy tắc của mô hình dữ liệu ({table}): {broken}.",
        "Once loaded, the data would break a rule of the data model ({table}): {broken}.",
    ),
    # Warnings
    "no_figures": (
        "Thôn, bản {village} chưa có số liệu năm {year}.",
        "Village {village} has no figures for {year}.",
    ),
    "jump": (
        "Thay đổi bất thường so với năm {prev_year}: {prev_vi} → {value_vi}. Đề nghị kiểm tra lại.",
        "A sharp change from {prev_year}: {prev_en} → {value_en}. Please check.",
    ),
    "disbursed_above_planned": (
        "Kinh phí giải ngân ({value}) lớn hơn kinh phí kế hoạch ({total}).",
        "Disbursed funds ({value}) exceed the planned funds ({total}).",
    ),
    "updates_skipped": (
        "Không cập nhật thông tin thôn, bản {village}: đã có số liệu năm {later}, mới hơn năm báo "
        "cáo.",
        "Village {village} was not updated: figures for {later}, a later year, are already loaded.",
    ),
    "sent_on_missing": (
        "Chưa ghi ngày gửi; lấy ngày nhận {value}.",
        "No date sent; the date received, {value}, is used.",
    ),
    "template_version": (
        "Biểu mẫu phiên bản «{value}», khác phiên bản hiện hành {current}.",
        "The template version “{value}” differs from the current {current}.",
    ),
    "name_matched": (
        "Nhận theo tên: «{value}» là {match}.",
        "Matched by name: “{value}” is {match}.",
    ),
    "text_normalised": (
        "Văn bản ở dạng Unicode tổ hợp (NFD); đã chuyển sang dạng dựng sẵn (NFC) khi lưu.",
        "Text in decomposed Unicode (NFD); stored in composed form (NFC).",
    ),
}


@dataclass(frozen=True)
class IntakeProblem:
    """One finding about a workbook: where (sheet, row, column), the value, the rule in both
    languages; ``code`` names the rule for programs and tests."""

    code: str
    rule_vi: str
    rule_en: str
    file: str = ""
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    header_vi: str | None = None
    header_en: str | None = None
    value: object = None
    severity: str = "error"

    def where(self, lang: str = "vi") -> str:
        """``Trang «…», dòng 7, cột D «…»`` (or English)."""
        vi = lang == "vi"
        parts = []
        if self.sheet:
            parts.append(f"Trang «{self.sheet}»" if vi else f"Sheet “{self.sheet}”")
        if self.row is not None:
            parts.append(f"dòng {self.row}" if vi else f"row {self.row}")
        if self.column:
            header = self.header_vi if vi else (self.header_en or self.header_vi)
            name = f" «{header}»" if vi and header else f" “{header}”" if header else ""
            parts.append(f"cột {self.column}{name}" if vi else f"column {self.column}{name}")
        return ", ".join(parts) or ("Tệp" if vi else "File")

    def describe(self, lang: str = "vi") -> str:
        """One line for people: where, the value found, the rule broken."""
        vi = lang == "vi"
        found = ""
        if not is_blank(self.value):
            shown = show_value(self.value)
            found = f": giá trị «{shown}»" if vi else f": found “{shown}”"
        kind = "" if self.severity == "error" else ("[cảnh báo] " if vi else "[warning] ")
        return f"{kind}{self.where(lang)}{found} — {self.rule_vi if vi else self.rule_en}"

    def to_problem(self) -> Problem:
        """The same finding as a ``validation.Problem`` (table = sheet)."""
        return Problem(
            self.sheet or "",
            self.row,
            self.header_en or self.column,
            self.value,
            self.rule_en,
            file=self.file,
            severity=self.severity,
        )


def make_problem(
    rule: str, *, severity: str = "error", value: object = None, **where: object
) -> IntakeProblem:
    """A problem from the message catalogue; ``where`` holds location and message values."""
    location = {
        k: where.pop(k)
        for k in ("file", "sheet", "row", "column", "header_vi", "header_en")
        if k in where
    }
    params = {"detail": "", "detail_en": "", "hint": "", "hint_en": "", **where}
    params.setdefault("value", show_value(value))
    params.setdefault("header", location.get("header_vi") or "")
    params.setdefault("header_en", location.get("header_en") or params["header"])
    vi, en = MESSAGES[rule]
    return IntakeProblem(
        rule, vi.format(**params), en.format(**params), value=value, severity=severity, **location
    )  # type: ignore[arg-type]


def show_value(value: object, limit: int = 80) -> str:
    """A cell value as safe one-line text: control characters escaped, long text cut."""
    if is_blank(value):
        return ""
    if isinstance(value, pd.Timestamp | datetime):
        text = value.strftime("%d/%m/%Y")
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text.replace("\n", " "))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_blank(value: object) -> bool:
    """True for an empty cell: None, NaN, NA or only spaces."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def human_size(size: int) -> str:
    """A file size for people (``3.1 MB``)."""
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size / 1024:.0f} KB"


# ---------------------------------------------------------------------------- opening the file


def _check_container(data: bytes, limits: IntakeLimits) -> list[IntakeProblem]:
    """Checks before any parsing: signature, zip directory, sizes, macros, and every XML part
    parsed with defusedxml (no DTD, entities or external references)."""
    if not data:
        return [make_problem("empty_file")]
    if data.startswith(_OLE_SIGNATURE):
        return [make_problem("old_format")]
    if not data.startswith(_ZIP_SIGNATURE):
        head = data[:512].lstrip().lower()
        if head.startswith((b"<!doctype html", b"<html")):
            detail = (" (có vẻ là tệp HTML)", " (it looks like an HTML file)")
        elif b"," in head or b";" in head or b"\t" in head:
            detail = (" (có vẻ là tệp văn bản hoặc CSV)", " (it looks like a text or CSV file)")
        else:
            detail = ("", "")
        return [make_problem("not_a_workbook", detail=detail[0], detail_en=detail[1])]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        return [make_problem("corrupt", detail=type(exc).__name__)]
    total = sum(e.file_size for e in entries)
    if len(entries) > limits.max_zip_entries or total > limits.max_unzipped_bytes:
        return [
            make_problem(
                "unzipped_too_large",
                size=f"{human_size(total)}, {len(entries)}",
                limit=f"{human_size(limits.max_unzipped_bytes)}, {limits.max_zip_entries}",
            )
        ]
    names = {e.filename for e in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        return [
            make_problem(
                "not_a_workbook",
                detail=" (tệp nén nhưng không phải sổ tính Excel)",
                detail_en=" (a zip archive, but not an Excel workbook)",
            )
        ]
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        return [make_problem("macros")]
    for entry in entries:
        if not entry.filename.lower().endswith((".xml", ".rels")):
            continue
        try:
            with archive.open(entry) as part:
                for _event in SafeElementTree.iterparse(part, forbid_dtd=True):
                    pass
        except DefusedXmlException as exc:
            part = show_value(entry.filename, 60)
            return [make_problem("unsafe_xml", detail=f"{type(exc).__name__} in {part}")]
        except (
            SafeElementTree.ParseError,
            zipfile.BadZipFile,
            OSError,
            EOFError,
            ValueError,
        ) as exc:
            part = show_value(entry.filename, 60)
            return [make_problem("corrupt", detail=f"{type(exc).__name__} in {part}")]
    return []


def _load_workbook(data: bytes, *, data_only: bool) -> openpyxl.Workbook:
    """openpyxl in read-only mode, links and macros dropped, its format warnings kept local."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False, keep_vba=False
        )


@dataclass
class _RawSheet:
    """A sheet's cells as read: values by row, formula cells, font names of suspect text."""

    title: str
    rows: list[tuple[int, list[object]]]
    formulas: set[tuple[int, int]]
    fonts: dict[tuple[int, int], str]
    too_many_rows: bool = False
    too_many_columns: bool = False


def _read_sheet(ws: object, limits: IntakeLimits, max_rows: int) -> _RawSheet:
    """Read at most ``max_rows`` rows and ``limits.max_columns`` columns of a read-only sheet."""
    rows: list[tuple[int, list[object]]] = []
    formulas: set[tuple[int, int]] = set()
    fonts: dict[tuple[int, int], str] = {}
    raw = _RawSheet(str(ws.title), rows, formulas, fonts)  # type: ignore[attr-defined]
    for number, cells in enumerate(ws.iter_rows(max_col=limits.max_columns + 1), start=1):
        if number > max_rows:
            raw.too_many_rows = True
            break
        values: list[object] = []
        for col, cell in enumerate(cells[: limits.max_columns]):
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "f":
                formulas.add((number, col))
                value = None
            elif isinstance(value, str) and re.search("[\u0080-\u00ff]", value):
                try:
                    fonts[(number, col)] = str(cell.font.name or "")
                except (AttributeError, IndexError, KeyError):
                    pass
            values.append(value)
        if len(cells) > limits.max_columns and any(
            getattr(c, "value", None) is not None for c in cells[limits.max_columns :]
        ):
            raw.too_many_columns = True
        rows.append((number, values))
    return raw


def _fill_formula_values(data: bytes, sheets: dict[str, _RawSheet], limits: IntakeLimits) -> None:
    """Replace formula cells by the values Excel saved (formulas are never evaluated)."""
    wanted = {title: raw for title, raw in sheets.items() if raw.formulas}
    if not wanted:
        return
    wb = _load_workbook(data, data_only=True)
    try:
        for title, raw in wanted.items():
            last = max(r for r, _ in raw.formulas)
            cached = _read_sheet(wb[title], limits, last)
            values = dict(cached.rows)
            by_row = dict(raw.rows)
            for row, col in raw.formulas:
                saved = values.get(row, [])
                by_row[row][col] = saved[col] if col < len(saved) else None
                if (row, col) in cached.fonts:
                    raw.fonts[(row, col)] = cached.fonts[(row, col)]
    finally:
        wb.close()


# ----------------------------------------------------------------------------- reading values


def _kinds(values: pd.Series) -> pd.Series:
    """The Python type of each cell: ``blank``, ``str``, ``number``, ``bool``, ``datetime``."""

    def kind(v: object) -> str:
        if is_blank(v):
            return "blank"
        if isinstance(v, bool):
            return "bool"
        if isinstance(v, int | float):
            return "number"
        if isinstance(v, datetime | date):
            return "datetime"
        return "str"

    return values.map(kind)


def clean_text(values: pd.Series) -> pd.Series:
    """Text as stored: NFC, no zero-width characters, runs of spaces collapsed, ends trimmed;
    numbers written as text (``12`` not ``12.0``); blanks to None."""
    kinds = _kinds(values)
    out = pd.Series(None, index=values.index, dtype=object)
    text = kinds == "str"
    out[text] = values[text].map(lambda v: nfc(_ZERO_WIDTH.sub("", v)))
    numbers = kinds == "number"
    out[numbers] = values[numbers].map(lambda v: str(int(v)) if float(v).is_integer() else str(v))
    dates = kinds == "datetime"
    out[dates] = values[dates].map(lambda v: v.strftime("%d/%m/%Y"))
    return out.where(out.map(lambda v: isinstance(v, str) and v != ""), None)


_VI_GROUPED = r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?"  # 1.234.567,5 - Vietnamese thousands
_VI_DECIMAL = r"[+-]?\d+(?:,\d+)?"  # 1234,5
_EN_GROUPED = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # 1,234,567.5
_EN_DECIMAL = r"[+-]?\d+\.\d+"  # 5.75


def parse_numbers(values: pd.Series, *, integer: bool = False) -> tuple[pd.Series, pd.Series]:
    """Numbers from cells: Excel numbers as they are, text the Vietnamese way (``1.234,5``).

    Text rules: a dot before groups of three digits is a thousands separator (``1.234`` is
    1234), a comma is the decimal mark (``12,5``); ``1,234.5`` (English) is read too, and so is
    ``1,234`` in a whole-number column. Returns (float values, mask of unreadable cells).
    """
    kinds = _kinds(values)
    out = pd.Series(float("nan"), index=values.index, dtype=float)
    numbers = kinds == "number"
    out[numbers] = values[numbers].astype(float)
    text = values[kinds == "str"].astype(str).str.replace(r"[\s\u00a0\u202f']", "", regex=True)
    vi_grouped = text.str.fullmatch(_VI_GROUPED)
    en_grouped = text.str.fullmatch(_EN_GROUPED) & (
        text.str.contains(".", regex=False) | (text.str.count(",") > 1) | integer
    )
    vi_decimal = text.str.fullmatch(_VI_DECIMAL)
    en_decimal = text.str.fullmatch(_EN_DECIMAL) & ~vi_grouped
    normalised = pd.Series(None, index=text.index, dtype=object)
    normalised[en_decimal] = text[en_decimal]
    normalised[vi_decimal] = text[vi_decimal].str.replace(",", ".", regex=False)
    normalised[en_grouped] = text[en_grouped].str.replace(",", "", regex=False)
    normalised[vi_grouped] = (
        text[vi_grouped].str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    )
    out[text.index] = pd.to_numeric(normalised, errors="coerce")
    bad = kinds.isin(["str", "bool", "datetime"]) & out.isna()
    return out, bad


_BOOL_WORDS = {
    "co": True,
    "yes": True,
    "y": True,
    "x": True,
    "true": True,
    "1": True,
    "dat": True,
    "khong": False,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
    "chua": False,
}


def parse_booleans(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Yes/no cells: ``Có``/``Không`` (any case, with or without diacritics), TRUE/FALSE, 1/0."""
    kinds = _kinds(values)
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    flags = kinds == "bool"
    out[flags] = values[flags].astype(bool)
    numbers = kinds == "number"
    out[numbers] = values[numbers].map({1: True, 0: False})
    text = kinds == "str"
    out[text] = values[text].map(lambda v: _BOOL_WORDS.get(sheet_key(v)))
    return out, (kinds != "blank") & out.isna()


_DATE_WORDS = re.compile(
    r"ng[aà]y\s*(\d{1,2})\s*th[aá]ng\s*(\d{1,2})\s*n[aă]m\s*(\d{4})", re.IGNORECASE
)


def parse_dates(
    values: pd.Series, *, epoch: datetime = datetime(1899, 12, 30)
) -> tuple[pd.Series, pd.Series]:
    """Dates from Excel dates, Excel serial numbers and text (``15/12/2025``, ``15-12-2025``,
    ``2025-12-15``, ``ngày 15 tháng 12 năm 2025``); day first, as Vietnamese write them."""
    kinds = _kinds(values)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    stamps = kinds == "datetime"
    out[stamps] = pd.to_datetime(values[stamps].map(pd.Timestamp), errors="coerce")
    # Excel serial numbers from 1950 (a small number is more likely a year typed by mistake).
    serial = (kinds == "number") & values.where(kinds == "number").between(18264, 2958465)
    out[serial] = pd.Timestamp(epoch) + pd.to_timedelta(values[serial].astype(float), unit="D")
    out[serial] = out[serial].dt.floor("D")
    text = values[kinds == "str"].astype(str).map(nfc)
    text = text.str.replace(_DATE_WORDS, lambda m: f"{m[1]}/{m[2]}/{m[3]}", regex=True)
    text = text.str.replace(r"[-.\s]+", "/", regex=True)
    day_first = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    iso = pd.to_datetime(text, format="%Y/%m/%d", errors="coerce")
    out[text.index] = day_first.fillna(iso)
    return out, (kinds != "blank") & out.isna()


def parse_years(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Years: whole numbers (``2024``, ``"2024"``) or the year of a date."""
    kinds = _kinds(values)
    numbers, bad = parse_numbers(values.where(kinds != "datetime"), integer=True)
    dates = kinds == "datetime"
    numbers[dates] = values[dates].map(lambda v: float(v.year))
    whole = numbers.isna() | (numbers == numbers.round())
    plausible = numbers.isna() | numbers.between(1000, 2200)
    out = numbers.where(whole & plausible).round().astype("Int64")
    return out, (bad | ~whole | ~plausible) & (kinds != "blank")


def code_lookup(list_name: str) -> dict[str, str]:
    """Comparison keys of a code list's codes and labels -> code."""
    lookup: dict[str, str] = {}
    for code, labels in reference.code_list(list_name).items():
        for text in (code, labels.get("vi", ""), labels.get("en", "")):
            if text:
                lookup[sheet_key(text)] = code
    return lookup


def _leading_code(values: pd.Series) -> pd.Series:
    """The code before ``–`` in a drop-down label (``HUONG – Làm hương`` -> ``HUONG``)."""
    return values.str.split(f"{LABEL_SEP.strip()}| - ", n=1, regex=True).str[0].str.strip()


# ------------------------------------------------------------------------------- place names

_UNIT_PREFIXES = (
    "uy ban nhan dan",
    "ubnd",
    "thanh pho",
    "tp",
    "huyen",
    "h",
    "thi xa",
    "tx",
    "thi tran",
    "tt",
    "xa",
    "phuong",
    "p",
    "so",
    "department of",
)
_UNIT_SUFFIXES = ("district", "commune", "ward", "city", "town", "department")


def place_key(text: str) -> str:
    """A comparison key for a unit's name: no diacritics, case, punctuation, nor administrative
    words (``TP. Lạng Sơn``, ``Thành phố Lạng Sơn`` and ``thanh pho lang son`` -> ``lang son``)."""
    key = sheet_key(text)
    changed = True
    while changed:
        changed = False
        for prefix in _UNIT_PREFIXES:
            if key.startswith(prefix + " "):
                key, changed = key[len(prefix) + 1 :], True
        for suffix in _UNIT_SUFFIXES:
            if key.endswith(" " + suffix):
                key, changed = key[: -len(suffix) - 1], True
    return key


_LEVEL_WORDS = {
    "huyen": "district",
    "h": "district",
    "thanh pho": "district",
    "tp": "district",
    "thi xa": "district",
    "tx": "district",
    "xa": "commune",
    "phuong": "commune",
    "p": "commune",
    "thi tran": "commune",
    "tt": "commune",
    "so": "department",
}


def _level_hint(text: str) -> str | None:
    """The level a name's first word says (``Huyện …`` district, ``Xã …`` commune)."""
    key = sheet_key(text)
    for prefix in ("uy ban nhan dan ", "ubnd "):
        key = key.removeprefix(prefix)
    return next((level for word, level in _LEVEL_WORDS.items() if key.startswith(word + " ")), None)


def _unit_keys() -> pd.DataFrame:
    """Every unit with the comparison key of each of its names."""
    units = reporting_unit_table()
    keys = pd.concat(
        [
            units.assign(key=units[c].map(place_key))
            for c in ("name_vi", "short_name_vi", "name_en")
        ],
        ignore_index=True,
    )
    return keys.drop_duplicates(["code", "level", "key"])


def _code_text(value: object) -> str | None:
    """A code as text: ``6187`` or ``6187.0`` typed as a number keeps its meaning."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value)).upper()


def resolve_unit(
    code: object, name: object, year: int | None
) -> tuple[pd.Series | None, list[tuple[str, dict[str, object]]]]:
    """The reporting unit of a cover sheet, from its code, its name written any usual way, or
    both. Returns (unit row or None, [(problem code, message values)])."""
    units = reporting_unit_table()
    code_text = _code_text(code)
    name_text = None if is_blank(name) else nfc(str(name))
    if code_text is None and name_text is None:
        return None, [("unit_missing", {})]
    level = unit_level_for_year(year) if year is not None else None
    by_code = pd.DataFrame()
    if code_text is not None:
        tries = {code_text, code_text.zfill(3), code_text.zfill(5)}
        by_code = units[units["code"].str.upper().isin(tries)]
        if by_code.empty:
            return None, [("unknown_unit", {"value": code_text})]
    by_name = pd.DataFrame()
    if name_text is not None:
        keys = _unit_keys()
        by_name = keys[keys["key"] == place_key(name_text)]
        hint = _level_hint(name_text)
        if hint is not None and (by_name["level"] == hint).any():
            by_name = by_name[by_name["level"] == hint]  # "Huyện Cao Lộc" is not "Xã Cao Lộc"
    if not by_code.empty:
        if len(by_code) > 1 and level is not None:
            by_code = by_code[by_code["level"].isin([level, "department"])].head(1)
        unit = by_code.iloc[0]
        if name_text is not None and unit["code"] not in set(by_name["code"]):
            return None, [
                (
                    "unit_mismatch",
                    {"code": unit["code"], "name": unit["name_vi"], "value": name_text},
                )
            ]
    else:
        if by_name.empty:
            near = difflib.get_close_matches(
                place_key(name_text), list(_unit_keys()["key"]), n=3, cutoff=0.75
            )
            hint = (
                (f" Có phải: {', '.join(near)}?", f" Did you mean: {', '.join(near)}?")
                if near
                else ("", "")
            )
            return None, [
                ("unknown_unit", {"value": name_text, "hint": hint[0], "hint_en": hint[1]})
            ]
        fitting = by_name[by_name["level"].isin([level, "department"])] if level else by_name
        fitting = fitting.drop_duplicates("code")
        if len(fitting) > 1:
            names = ", ".join(f"{r.code} {r.name_vi}" for r in fitting.itertuples())
            return None, [("ambiguous_unit", {"value": name_text, "candidates": names})]
        unit = (fitting if len(fitting) else by_name).iloc[0]
    if level is not None and unit["level"] not in (level, "department"):
        return None, [("wrong_level", _wrong_level(unit, year))]
    return unit, []


def _wrong_level(unit: pd.Series, year: int | None) -> dict[str, object]:
    """Message values when a unit of the wrong level reports for a year."""
    first = commune_reporting_from()
    if unit["level"] == "district":
        why = (
            f"từ năm báo cáo {first}, các xã, phường báo cáo thay cho cấp huyện (cấp huyện kết "
            "thúc hoạt động từ 01/7/2025); hãy dùng biểu mẫu của xã, phường."
        )
        why_en = (
            f"from the {first} report on, the communes and wards report instead of the "
            "districts (abolished on 1 Jul 2025); use the commune's template."
        )
    else:
        why = f"năm {year} do các huyện, thành phố báo cáo; xã, phường chỉ báo cáo từ năm {first}."
        why_en = f"the {year} report is sent by the districts; the communes report from {first} on."
    return {"name": f"{unit['code']} {unit['name_vi']}", "why": why, "why_en": why_en}


# --------------------------------------------------------------------------- the parsed sheets


@dataclass
class _Sheet:
    """A data sheet located in the workbook: its spec, title, cells by field, column letters."""

    spec: SheetSpec
    title: str
    frame: pd.DataFrame  # index: Excel row numbers; columns: field names; raw cell values
    letters: dict[str, str]
    fonts: dict[tuple[int, str], str]


@dataclass
class _Context:
    """What the checks of one workbook share: file name, year, unit, the store's tables."""

    file: str
    limits: IntakeLimits
    tables: dict[str, pd.DataFrame]
    problems: list[IntakeProblem] = field(default_factory=list)
    year: int | None = None
    unit: pd.Series | None = None
    epoch: datetime = datetime(1899, 12, 30)

    def add(
        self,
        rule: str,
        sheet: _Sheet | None = None,
        row: int | None = None,
        field_: Field | None = None,
        **values: object,
    ) -> None:
        """Record a problem at a sheet, row and field."""
        where: dict[str, object] = {"file": self.file}
        if sheet is not None:
            where["sheet"] = sheet.title
        if row is not None:
            where["row"] = int(row)
        if field_ is not None:
            where["header_vi"] = field_.header_vi
            where["header_en"] = field_.header_en
            if sheet is not None and field_.name in sheet.letters:
                where["column"] = sheet.letters[field_.name]
        self.problems.append(make_problem(rule, **where, **values))

    def add_rows(
        self,
        rule: str,
        sheet: _Sheet,
        field_: Field,
        mask: pd.Series,
        values: pd.Series | None = None,
        **params: object,
    ) -> None:
        """Record a problem for every row where ``mask`` is true."""
        if values is None:
            values = sheet.frame.get(field_.name, pd.Series(dtype=object))
        shown = values
        for row in mask.index[mask.fillna(False).astype(bool)]:
            self.add(rule, sheet, row, field_, value=shown.get(row), **params)

    @property
    def errors(self) -> list[IntakeProblem]:
        """The problems that reject the file."""
        return [p for p in self.problems if p.severity == "error"]


def _sheet_index(titles: Iterable[str]) -> dict[str, str]:
    """Comparison key -> sheet title as in the file."""
    return {sheet_key(t): t for t in titles}


def _find_sheet(index: dict[str, str], *names: str) -> str | None:
    """The first sheet title matching one of ``names``."""
    for name in names:
        hit = index.get(sheet_key(name))
        if hit is not None:
            return hit
    return None


def _field_keys(spec: SheetSpec) -> dict[str, str]:
    """Comparison keys of a sheet's headers (Vietnamese, English, field name) -> field."""
    keys: dict[str, str] = {}
    for f in spec.fields:
        for text in (f.header_vi, f.vi, f.en, f.name):
            keys.setdefault(sheet_key(text), f.name)
    return keys


def _locate_table(raw: _RawSheet, spec: SheetSpec, ctx: _Context) -> _Sheet | None:
    """Find the header row among the first rows, map columns to fields, collect the data rows."""
    keys = _field_keys(spec)
    stub = _Sheet(spec, raw.title, pd.DataFrame(), {}, {})
    best_row, best_hits = None, 0
    for number, values in raw.rows[:10]:
        hits = sum(1 for v in values if isinstance(v, str) and sheet_key(v) in keys)
        if hits > best_hits:
            best_row, best_hits = number, hits
    if best_row is None:
        for f in spec.fields:
            if f.required:
                ctx.add("missing_column", stub, None, f)
        return None
    header = dict(raw.rows)[best_row]
    columns: dict[str, int] = {}
    for col, value in enumerate(header):
        if is_blank(value):
            continue
        name = keys.get(sheet_key(str(value)))
        if name is None:
            ctx.add("unknown_column", stub, best_row, None, severity="warning", value=str(value))
        elif name not in columns:
            columns[name] = col
    letters = {name: openpyxl.utils.get_column_letter(col + 1) for name, col in columns.items()}
    sheet = _Sheet(spec, raw.title, pd.DataFrame(), letters, {})
    for f in spec.fields:
        if f.name not in columns and f.kind != "info":
            if f.required:
                ctx.add("missing_column", sheet, None, f)
            else:
                ctx.add("missing_optional_column", sheet, None, f, severity="warning")
    if any(f.required and f.name not in columns for f in spec.fields):
        return None
    english = {sheet_key(f.en) for f in spec.fields}
    data = [(n, v) for n, v in raw.rows if n > best_row]
    if data:
        first = [v for v in data[0][1] if not is_blank(v)]
        if first and sum(isinstance(v, str) and sheet_key(v) in english for v in first) * 2 >= len(
            first
        ):
            data = data[1:]
    frame = pd.DataFrame(
        {
            name: [values[col] if col < len(values) else None for _, values in data]
            for name, col in columns.items()
        },
        index=pd.Index([n for n, _ in data], name="row"),
        dtype=object,
    )
    sheet.frame = frame
    sheet.fonts = {
        (row, name): font
        for (row, col), font in raw.fonts.items()
        for name, c in columns.items()
        if c == col
    }
    if raw.too_many_rows:
        ctx.add("too_many_rows", sheet, None, None, limit=ctx.limits.max_rows)
    if raw.too_many_columns:
        ctx.add(
            "too_many_columns", sheet, None, None, severity="warning", limit=ctx.limits.max_columns
        )
    return sheet


def _blank_cells(sheet: _Sheet, column: str, index: pd.Index) -> pd.Series:
    """True where the cell is empty (or the whole column is missing)."""
    if column not in sheet.frame.columns:
        return pd.Series(True, index=index)
    return sheet.frame.loc[index, column].map(is_blank).astype(bool)


def _drop_blank_rows(sheet: _Sheet, fields: Sequence[str]) -> pd.Series:
    """Mask of rows with any value in ``fields``."""
    present = [f for f in fields if f in sheet.frame.columns]
    if not present:
        return pd.Series(False, index=sheet.frame.index)
    return ~sheet.frame[present].map(is_blank).all(axis=1)


# ------------------------------------------------------------------------------ cell checks


def _text_column(ctx: _Context, sheet: _Sheet, f: Field, rows: pd.Series) -> pd.Series:
    """Clean text, with legacy-encoding and length checks."""
    raw = sheet.frame.loc[rows, f.name]
    text = clean_text(raw)
    decomposed = raw.map(
        lambda v: isinstance(v, str) and unicodedata.normalize("NFC", v) != v
    ).astype(bool)
    ctx.add_rows("text_normalised", sheet, f, decomposed, values=text, severity="warning")
    present = text.dropna()
    if len(present):
        fonts = [sheet.fonts.get((row, f.name)) for row in present.index]
        legacy = pd.Series(
            [detect_legacy(t, font) for t, font in zip(present, fonts, strict=True)],
            index=present.index,
            dtype=object,
        )
        for row in legacy.index[legacy.notna()]:
            encoding = legacy[row]
            ctx.add(
                "legacy_encoding",
                sheet,
                row,
                f,
                value=present[row],
                encoding_vi=ENCODING_NAMES[encoding]["vi"],
                encoding_en=ENCODING_NAMES[encoding]["en"],
                suggestion=show_value(to_unicode(present[row], encoding)),
            )
        lengths = present.str.len()
        ctx.add_rows(
            "text_too_long",
            sheet,
            f,
            lengths > ctx.limits.max_text_chars,
            values=present.str.slice(0, 40),
            length=int(lengths.max()),
            limit=ctx.limits.max_text_chars,
        )
    return text


def _read_column(ctx: _Context, sheet: _Sheet, f: Field, rows: pd.Series) -> pd.Series:
    """The typed values of one column in ``rows``, recording every unreadable cell."""
    raw = sheet.frame.loc[rows, f.name]
    if f.kind in ("int", "float"):
        values, bad = parse_numbers(raw, integer=f.kind == "int")
        ctx.add_rows("not_number", sheet, f, bad)
        if f.kind == "int":
            fraction = values.notna() & (values != values.round())
            ctx.add_rows("not_integer", sheet, f, fraction)
            return values.where(~fraction).round().astype("Int64")
        return values
    if f.kind == "year":
        values, bad = parse_years(raw)
        ctx.add_rows("not_year", sheet, f, bad)
        return values
    if f.kind == "bool":
        values, bad = parse_booleans(raw)
        ctx.add_rows("not_bool", sheet, f, bad)
        return values
    if f.kind == "date":
        values, bad = parse_dates(raw, epoch=ctx.epoch)
        ctx.add_rows("not_date", sheet, f, bad)
        return values
    if f.kind == "code":
        lookup = code_lookup(f.codes or "")
        text = clean_text(raw)
        values = text.map(lambda v: None if v is None else lookup.get(sheet_key(v)))
        labels = reference.code_list(f.codes or "")
        ctx.add_rows(
            "unknown_code",
            sheet,
            f,
            text.notna() & values.isna(),
            allowed="; ".join(v["vi"] for v in labels.values()),
            allowed_en="; ".join(v["en"] for v in labels.values()),
        )
        return values
    return _text_column(ctx, sheet, f, rows)


def _required(ctx: _Context, sheet: _Sheet, f: Field, rows: pd.Series) -> None:
    """A required field left blank in a row that has data."""
    ctx.add_rows("required", sheet, f, rows & sheet.frame[f.name].map(is_blank))


def _resolve_villages(ctx: _Context, sheet: _Sheet, f: Field, rows: pd.Series) -> pd.Series:
    """Village ids from codes or names (the id column, else the name column); only the unit's
    villages are accepted."""
    villages = ctx.tables["villages"]
    text = clean_text(sheet.frame[f.name])
    if "village_name" in sheet.frame.columns:
        text = text.fillna(clean_text(sheet.frame["village_name"]))
    text = text.where(rows)
    code = _leading_code(text.dropna()).str.upper().reindex(text.index)
    known = set(villages["village_id"])
    mine = (
        villages
        if ctx.unit is None
        else unit_villages(villages, ctx.unit["code"], ctx.unit["level"])
    )
    own = set(mine["village_id"])
    ids = code.where(code.isin(known))
    # By name, among the unit's villages (``Thôn Nà Rọ``, ``Na Ro``, ``thon na ro``).
    name_keys = mine.assign(key=mine["name_vi"].map(_village_key)).drop_duplicates(
        "key", keep=False
    )
    by_name = text.map(lambda v: None if v is None else _village_key(v)).map(
        dict(zip(name_keys["key"], name_keys["village_id"], strict=True))
    )
    use_name = ids.isna() & by_name.notna()
    ids[use_name] = by_name[use_name]
    for row in use_name.index[use_name]:
        ctx.add("name_matched", sheet, row, f, severity="warning", value=text[row], match=ids[row])
    unknown = text.notna() & ids.isna()
    ctx.add_rows("unknown_village", sheet, f, unknown, values=text)
    if ctx.unit is not None:
        foreign = ids.notna() & ~ids.isin(own)
        level = ctx.unit["level"]
        area = "commune_code" if level == "commune" else "district_code"
        owners = villages.set_index("village_id")[["name_vi", area]]
        units = reporting_unit_table()
        names = dict(zip(units["code"], units["name_vi"], strict=True))
        for row in foreign.index[foreign]:
            name, owner = owners.loc[ids[row]]
            ctx.add(
                "village_not_in_unit",
                sheet,
                row,
                f,
                value=text[row],
                village=f"{ids[row]} ({name})",
                owner=names.get(owner, owner),
                owner_en=names.get(owner, owner),
            )
        ids = ids.where(~foreign)
    return ids


def _village_key(name: str) -> str:
    """A village name without diacritics and ``thôn``/``bản``/``khối`` prefixes."""
    key = sheet_key(name)
    for prefix in ("thon ", "ban ", "khoi ", "xom ", "lang "):
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


def _resolve_crafts(ctx: _Context, sheet: _Sheet, f: Field, rows: pd.Series) -> pd.Series:
    """Craft ids from the drop-down label, the code or the craft's name."""
    crafts = ctx.tables["crafts"]
    text = clean_text(sheet.frame[f.name]).where(rows)
    code = _leading_code(text.dropna()).str.upper().reindex(text.index)
    ids = code.where(code.isin(set(crafts["craft_id"])))
    names = dict(zip(crafts["name_vi"].map(sheet_key), crafts["craft_id"], strict=True))
    names.update(zip(crafts["name_en"].map(sheet_key), crafts["craft_id"], strict=True))
    by_name = text.map(lambda v: None if v is None else names.get(sheet_key(v)))
    ids = ids.fillna(by_name)
    ctx.add_rows("unknown_craft", sheet, f, text.notna() & ids.isna(), values=text)
    return ids


def _duplicates(
    ctx: _Context,
    sheet: _Sheet,
    frame: pd.DataFrame,
    key: list[str],
    f: Field,
    what: str,
    what_en: str,
    label: str | None = None,
) -> pd.Series:
    """Report rows repeating an earlier row's key (``label`` names it in the message, default
    the key's last column); return the mask of repeats."""
    label = label or key[-1]
    complete = frame[key].notna().all(axis=1)
    repeated = frame.duplicated(key, keep="first") & complete
    if repeated.any():
        first_rows = frame[complete].reset_index().groupby(key, dropna=True)["row"].first()
        for row in repeated.index[repeated]:
            other = (
                first_rows.loc[tuple(frame.loc[row, key])]
                if len(key) > 1
                else first_rows.loc[frame.loc[row, key[0]]]
            )
            ctx.add(
                "duplicate",
                sheet,
                row,
                f,
                value=sheet.frame.at[row, f.name],
                what=what.format(value=show_value(frame.at[row, label])),
                what_en=what_en.format(value=show_value(frame.at[row, label])),
                other=int(other),
            )
    return repeated


def _equal(a: pd.Series, b: pd.Series) -> pd.Series:
    """Element-wise equality where two missing values are equal."""
    both_missing = a.isna() & b.isna()
    same = (a.astype(object) == b.astype(object)).fillna(False).astype(bool)
    return both_missing | same


def _share(low: pd.Series, high: pd.Series) -> pd.Series:
    """Percentage ``low / high`` (NaN where ``high`` is zero or missing)."""
    return (100 * low.astype(float) / high.astype(float).where(high > 0)).round(1)


def _not_above(
    ctx: _Context, sheet: _Sheet, frame: pd.DataFrame, low: str, high: str, code: str
) -> None:
    """Counts that nest: ``low`` may not exceed ``high``."""
    # Negative counts are reported on their own; comparing them would only add noise.
    bad = ((frame[low] > frame[high]) & (frame[low] >= 0) & (frame[high] >= 0)).fillna(False)
    share = _share(frame[low], frame[high])
    for row in bad.index[bad.astype(bool)]:
        ctx.add(
            code,
            sheet,
            row,
            sheet.spec.field(low),
            value=frame.at[row, low],
            total=frame.at[row, high],
            share_vi=format_number(share[row], 1),
            share_en=format_number(share[row], 1, "en"),
        )


# ---------------------------------------------------------------------------------- the sheets


def _typed(ctx: _Context, sheet: _Sheet, rows: pd.Series) -> pd.DataFrame:
    """Every readable field of the sheet in ``rows``, typed; required blanks reported."""
    out = pd.DataFrame(index=sheet.frame.index[rows])
    for f in sheet.spec.fields:
        if f.kind in ("info", "village", "craft", "section"):
            continue
        if f.name not in sheet.frame.columns:
            out[f.name] = None
            continue
        out[f.name] = _read_column(ctx, sheet, f, rows)
        if f.required:
            _required(ctx, sheet, f, rows)
    return out


def _schema_problems(ctx: _Context, sheet: _Sheet, table: str, frame: pd.DataFrame) -> None:
    """Run the table's pandera schema and word its findings for people (ranges, sets)."""
    reported = {(p.sheet, p.row, p.column) for p in ctx.problems}
    _, found = check_schema(table, frame, file=ctx.file, row_offset=0)
    checks = {
        (name, check.error): check
        for name, column in table_specs()[table].schema.columns.items()
        for check in column.checks
    }
    fields = {f.name: f for f in sheet.spec.fields}
    for problem in found:
        f = fields.get(problem.column or "")
        letter = sheet.letters.get(problem.column or "")
        if (sheet.title, problem.row, letter) in reported or problem.rule.startswith("duplicate"):
            continue  # reported already, or a repeated key (checked with clearer words above)
        check = checks.get((problem.column, problem.rule))
        code, params = _check_words(check, problem.rule)
        params = {**params, "table": table} if code == "guard" else params
        if f is None:
            # Columns filled from the cover (year, unit) or resolved before (village): their
            # problems are reported where they arise.
            continue
        ctx.add(code, sheet, problem.row, f, value=problem.value, **params)


def _check_words(check: object, rule: str) -> tuple[str, dict[str, object]]:
    """The message of a failed pandera check, from its name and statistics."""
    name = getattr(check, "name", "")
    stats = getattr(check, "statistics", {}) or {}
    if name == "greater_than_or_equal_to":
        low = stats.get("min_value")
        return ("negative", {}) if low == 0 else ("below_min", {"low": low})
    if name == "in_range":
        return "out_of_range", {"low": stats.get("min_value"), "high": stats.get("max_value")}
    if name == "isin":
        allowed = ", ".join(str(v) for v in stats.get("allowed_values", []))
        return "not_in_set", {"allowed": allowed}
    if rule.startswith("a value is required"):
        return "required", {}
    return "guard", {"table": "", "broken": rule}


def _read_cover(ctx: _Context, raw: _RawSheet, today: date) -> dict[str, object]:
    """Unit, year, sender and date from the cover sheet (key in column D, else label in A)."""
    by_key = {f.name: f for f in COVER_FIELDS}
    labels = {sheet_key(t): f.name for f in COVER_FIELDS for t in (f.vi, f.en)}
    found: dict[str, tuple[int, object]] = {}
    for number, values in raw.rows:
        a, b, _, d = [*values, None, None, None, None][:4]
        key = (
            d
            if isinstance(d, str) and d in by_key
            else (labels.get(sheet_key(a)) if isinstance(a, str) else None)
        )
        if key is not None and key not in found:
            found[key] = (number, b)
    # One column per item, its value on its own row: the table checks apply unchanged.
    frame = pd.DataFrame(
        index=pd.Index(sorted({r for r, _ in found.values()}), name="row"),
        columns=list(by_key),
        dtype=object,
    )
    for key, (row, value) in found.items():
        frame.at[row, key] = value
    fonts = {
        (row, key): raw.fonts[(row, 1)] for key, (row, _) in found.items() if (row, 1) in raw.fonts
    }
    spec = SheetSpec("cover", raw.title, COVER_TITLE_EN, "", COVER_FIELDS, ())
    sheet = _Sheet(spec, raw.title, frame, dict.fromkeys(by_key, "B"), fonts)

    def row_of(key: str) -> int | None:
        return found.get(key, (None, None))[0]

    def first(values: pd.Series) -> object:
        present = values.dropna()
        return present.iloc[0] if len(present) else None

    def rows_of(key: str) -> pd.Series:
        return pd.Series(frame.index == row_of(key), index=frame.index)

    cover: dict[str, object] = {}
    low, high = config.BASELINE_YEAR, config.PROGRAMME_END
    raw_year = found.get("year", (None, None))[1]
    years, bad = parse_years(frame.loc[rows_of("year"), "year"])
    year = first(years)
    if year is None or bad.any() or not low <= int(year) <= high:  # type: ignore[call-overload]
        ctx.add(
            "bad_year", sheet, row_of("year"), by_key["year"], value=raw_year, first=low, last=high
        )
    else:
        ctx.year = int(year)  # type: ignore[call-overload]
    for key in ("unit_name", "sender", "position", "contact", "template_version"):
        cover[key] = first(_text_column(ctx, sheet, by_key[key], rows_of(key)))
        if by_key[key].required and cover[key] is None:
            ctx.add("required", sheet, row_of(key), by_key[key])
    raw_code = found.get("unit_code", (None, None))[1]
    unit, unit_problems = resolve_unit(raw_code, cover["unit_name"], ctx.year)
    for code, params in unit_problems:
        on_name = code == "unit_mismatch" or (is_blank(raw_code) and code != "unit_missing")
        key = "unit_name" if on_name else "unit_code"
        shown = cover["unit_name"] if on_name else raw_code
        ctx.add(code, sheet, row_of(key), by_key[key], **{"value": shown, **params})
    ctx.unit = unit
    version = cover["template_version"]
    if version is not None and version != TEMPLATE_VERSION:
        ctx.add(
            "template_version",
            sheet,
            row_of("template_version"),
            by_key["template_version"],
            severity="warning",
            value=version,
            current=TEMPLATE_VERSION,
        )
    sent = first(_read_column(ctx, sheet, by_key["sent_on"], rows_of("sent_on")))
    cover["sent_on"] = None if sent is None else pd.Timestamp(sent).date()
    if (
        cover["sent_on"] is not None
        and ctx.year is not None
        and not (
            date(ctx.year, 1, 1) <= cover["sent_on"] <= today  # type: ignore[operator]
        )
    ):
        ctx.add(
            "bad_sent_date",
            sheet,
            row_of("sent_on"),
            by_key["sent_on"],
            value=cover["sent_on"].strftime("%d/%m/%Y"),
            year=ctx.year,
        )  # type: ignore
        cover["sent_on"] = None
    return cover


@dataclass
class ParsedSubmission:
    """A workbook read and checked: its unit, year, cover and tidy rows per table."""

    unit: pd.Series | None
    year: int | None
    cover: dict[str, object]
    village_year: pd.DataFrame
    village_updates: pd.DataFrame
    crafts: pd.DataFrame
    activities: pd.DataFrame
    narratives: pd.DataFrame
    problems: list[IntakeProblem]
    letters: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def errors(self) -> list[IntakeProblem]:
        """Problems that reject the workbook."""
        return [p for p in self.problems if p.severity == "error"]

    @classmethod
    def failed(cls, problems: list[IntakeProblem]) -> ParsedSubmission:
        """A workbook that could not be read at all."""
        empty = pd.DataFrame()
        return cls(None, None, {}, empty, empty, empty, empty, empty, problems)


def _village_year_rows(ctx: _Context, sheet: _Sheet) -> pd.DataFrame:
    """The yearly figures of the unit's villages, checked (types, ranges, nesting)."""
    spec = sheet.spec
    figures = [f.name for f in spec.fields if f.kind not in ("village", "info")]
    rows = _drop_blank_rows(sheet, figures)
    village_field = spec.field("village_id")
    keyed = _drop_blank_rows(sheet, ["village_id", "village_name"])
    ids = _resolve_villages(ctx, sheet, village_field, rows | keyed)
    empty = keyed & ~rows & ids.notna()
    for row in empty.index[empty]:
        ctx.add(
            "no_figures",
            sheet,
            row,
            village_field,
            severity="warning",
            village=ids[row],
            year=ctx.year,
        )
    ctx.add_rows("required", sheet, village_field, rows & ~keyed)
    typed = _typed(ctx, sheet, rows)
    typed.insert(0, "village_id", ids[rows])
    typed.insert(1, "year", ctx.year if ctx.year is not None else 0)
    _duplicates(
        ctx, sheet, typed, ["village_id"], village_field, "thôn, bản {value}", "village {value}"
    )
    _not_above(
        ctx, sheet, typed, "households_craft", "households_total", "craft_households_above_total"
    )
    _not_above(
        ctx, sheet, typed, "facilities_compliant", "facilities", "compliant_above_facilities"
    )
    _not_above(ctx, sheet, typed, "workers_trained", "workers_regular", "trained_above_regular")
    _schema_problems(ctx, sheet, "village_year", typed.dropna(subset=["village_id"]))
    return typed


def _updates_rows(ctx: _Context, sheet: _Sheet) -> pd.DataFrame:
    """Recognition, tourism and trademark of the villages, checked for consistency."""
    spec = sheet.spec
    values = [f.name for f in spec.fields if f.kind not in ("village", "info")]
    rows = _drop_blank_rows(sheet, values)
    village_field = spec.field("village_id")
    ids = _resolve_villages(ctx, sheet, village_field, rows)
    keyed = _drop_blank_rows(sheet, ["village_id", "village_name"])
    ctx.add_rows("required", sheet, village_field, rows & ~keyed)
    typed = _typed(ctx, sheet, rows)
    typed.insert(0, "village_id", ids[rows])
    _duplicates(
        ctx, sheet, typed, ["village_id"], village_field, "thôn, bản {value}", "village {value}"
    )
    year = ctx.year
    recognised = typed["recognition"].notna() & (typed["recognition"] != "none")
    for column in ("recognition_date", "recognition_regime"):
        ctx.add_rows(
            "recognition_incomplete",
            sheet,
            spec.field(column),
            recognised & typed[column].isna() & _blank_cells(sheet, column, typed.index),
        )
    ctx.add_rows(
        "date_without_recognition",
        sheet,
        spec.field("recognition_date"),
        (typed["recognition"] == "none") & typed["recognition_date"].notna(),
    )
    ctx.add_rows(
        "trademark_needs_year",
        sheet,
        spec.field("trademark_since"),
        typed["trademark"].notna()
        & (typed["trademark"] != "none")
        & typed["trademark_since"].isna()
        & _blank_cells(sheet, "trademark_since", typed.index),
    )
    if year is not None:
        # Facts already in the store (pre-filled by the template) are not the sender's to
        # defend: only values the sender changed must not lie after the reporting year.
        current = ctx.tables["villages"].set_index("village_id")
        changed = {
            c: ~_equal(typed[c], typed["village_id"].map(current[c]))
            for c in ("recognition_date", "tourism_since", "trademark_since", "restored_year")
        }
        late = (typed["recognition_date"].dt.year > year) & changed["recognition_date"]
        ctx.add_rows(
            "recognition_after_year", sheet, spec.field("recognition_date"), late, year=year
        )
        for column in ("tourism_since", "trademark_since", "restored_year"):
            ctx.add_rows(
                "year_after_report",
                sheet,
                spec.field(column),
                (typed[column].astype("Float64") > year) & changed[column],
                year=year,
            )
    # The data model keeps these years from 2000 (schemas.YEAR): say so in the sheet's words.
    for column in ("tourism_since", "trademark_since", "restored_year"):
        years = typed[column].astype("Float64")
        outside = years.notna() & ~years.between(MIN_YEAR, MAX_YEAR)
        ctx.add_rows(
            "out_of_range", sheet, spec.field(column), outside, low=MIN_YEAR, high=MAX_YEAR
        )
    return typed


def _crafts_rows(ctx: _Context, sheet: _Sheet) -> pd.DataFrame:
    """Commodity crafts, each with the former district it counts for."""
    spec = sheet.spec
    rows = _drop_blank_rows(sheet, ["craft_id", "village_id", "product_vi"])
    craft_field, village_field = spec.field("craft_id"), spec.field("village_id")
    crafts = _resolve_crafts(ctx, sheet, craft_field, rows)
    ctx.add_rows("required", sheet, craft_field, rows & sheet.frame["craft_id"].map(is_blank))
    villages = (
        _resolve_villages(ctx, sheet, village_field, rows)
        if "village_id" in sheet.frame.columns
        else pd.Series(None, index=rows.index)
    )
    typed = _typed(ctx, sheet, rows)
    typed.insert(0, "craft_id", crafts[rows])
    typed.insert(1, "village_id", villages[rows])
    district = pd.Series(None, index=typed.index, dtype=object)
    if ctx.unit is not None:
        table = ctx.tables["villages"].set_index("village_id")["district_code"]
        if ctx.unit["level"] == "district":
            district[:] = ctx.unit["code"]
        else:
            district = typed["village_id"].map(table)
            mine = unit_villages(ctx.tables["villages"], ctx.unit["code"], ctx.unit["level"])
            areas = mine["district_code"].unique()
            if len(areas) == 1:
                district = district.fillna(areas[0])
            needs = _blank_cells(sheet, "village_id", typed.index)
            ctx.add_rows(
                "craft_village_required",
                sheet,
                village_field,
                needs & district.isna() & typed["craft_id"].notna(),
                values=typed["craft_id"],
            )
    typed.insert(0, "district_code", district)
    _duplicates(
        ctx,
        sheet,
        typed.assign(v=typed["village_id"].fillna("")),
        ["district_code", "craft_id", "v"],
        craft_field,
        "nghề {value}",
        "craft {value}",
        label="craft_id",
    )
    return typed


def _activities_rows(ctx: _Context, sheet: _Sheet) -> pd.DataFrame:
    """Activities and funding of the unit."""
    rows = _drop_blank_rows(sheet, [f.name for f in sheet.spec.fields])
    typed = _typed(ctx, sheet, rows)
    unit = None if ctx.unit is None else ctx.unit["code"]
    typed.insert(0, "unit_code", unit)
    typed.insert(1, "year", ctx.year if ctx.year is not None else 0)
    over = (typed["disbursed_mvnd"] > typed["planned_mvnd"]).fillna(False).astype(bool)
    for row in over.index[over]:
        ctx.add(
            "disbursed_above_planned",
            sheet,
            row,
            sheet.spec.field("disbursed_mvnd"),
            severity="warning",
            value=typed.at[row, "disbursed_mvnd"],
            total=typed.at[row, "planned_mvnd"],
        )
    _schema_problems(
        ctx, sheet, "activities", typed.dropna(subset=["task_group", "funding_source"])
    )
    return typed


def _narrative_rows(ctx: _Context, sheet: _Sheet) -> pd.DataFrame:
    """The narrative texts by section."""
    rows = _drop_blank_rows(sheet, ["text_vi"])
    lookup = {}
    for code, labels in NARRATIVE_SECTIONS.items():
        for text in (code, labels["vi"], labels["en"]):
            lookup[sheet_key(text)] = code
    keys = sheet.frame.get("section", pd.Series(None, index=rows.index, dtype=object))
    titles = sheet.frame.get("section_title", pd.Series(None, index=rows.index, dtype=object))
    by_key = clean_text(keys).map(lambda v: None if v is None else lookup.get(sheet_key(v)))
    by_title = clean_text(titles).map(lambda v: None if v is None else lookup.get(sheet_key(v)))
    sections = by_key.fillna(by_title)
    ctx.add_rows("unknown_section", sheet, sheet.spec.field("section"), rows & sections.isna())
    typed = _typed(ctx, sheet, rows)
    typed.insert(0, "section", sections[rows])
    _duplicates(
        ctx,
        sheet,
        typed,
        ["section"],
        sheet.spec.field("section"),
        "mục {value}",
        "section {value}",
    )
    return typed


def read_submission(
    data: bytes, file: str, tables: dict[str, pd.DataFrame], limits: IntakeLimits, today: date
) -> ParsedSubmission:
    """Read and check one workbook against the store's ``tables``; every problem at once."""
    ctx = _Context(file, limits, tables)
    empty = pd.DataFrame()
    problems = [with_file(p, file) for p in _check_container(data, limits)]
    if problems:
        return ParsedSubmission.failed(problems)
    try:
        wb = _load_workbook(data, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        return ParsedSubmission.failed(
            [make_problem("corrupt", file=file, detail=type(exc).__name__)]
        )
    try:
        if getattr(wb, "epoch", None) is not None:
            ctx.epoch = datetime(1904, 1, 1) if wb.epoch.year == 1904 else ctx.epoch
        index = _sheet_index(wb.sheetnames)
        specs = sheet_specs()
        wanted = {"cover": _find_sheet(index, COVER_TITLE, COVER_TITLE_EN, "cover")}
        for key, spec in specs.items():
            wanted[key] = _find_sheet(index, spec.title, spec.title_en, spec.key)
        header_rows = 12
        raws = {
            title: _read_sheet(wb[title], limits, limits.max_rows + header_rows)
            for title in wanted.values()
            if title is not None
        }
    finally:
        wb.close()
    _fill_formula_values(data, raws, limits)
    for raw in raws.values():
        by_row = dict(raw.rows)
        for row, col in sorted(raw.formulas):
            if by_row[row][col] is None:
                letter = openpyxl.utils.get_column_letter(col + 1)
                ctx.problems.append(
                    make_problem(
                        "formula_without_value", file=file, sheet=raw.title, row=row, column=letter
                    )
                )
    if wanted["cover"] is None:
        ctx.add(
            "missing_sheet", None, None, None, sheet_name=COVER_TITLE, sheet_name_en=COVER_TITLE_EN
        )
        cover: dict[str, object] = {}
    else:
        cover = _read_cover(ctx, raws[wanted["cover"]], today)
    level = None if ctx.unit is None else ctx.unit["level"]
    frames: dict[str, pd.DataFrame] = {}
    letters: dict[str, dict[str, str]] = {}
    for key, spec in specs.items():
        title = wanted[key]
        if level is not None and level not in spec.levels:
            continue  # e.g. a department's workbook has no village sheets
        if title is None:
            ctx.add(
                "missing_sheet",
                None,
                None,
                None,
                sheet_name=spec.title,
                sheet_name_en=spec.title_en,
            )
            continue
        sheet = _locate_table(raws[title], spec, ctx)
        if sheet is None:
            continue
        reader = {
            "village_year": _village_year_rows,
            "village_updates": _updates_rows,
            "district_crafts": _crafts_rows,
            "activities": _activities_rows,
            "narrative": _narrative_rows,
        }[key]
        frames[key] = reader(ctx, sheet)
        letters[key] = sheet.letters
    ctx.problems = _first_per_cell(ctx.problems)
    return ParsedSubmission(
        ctx.unit,
        ctx.year,
        cover,
        frames.get("village_year", empty),
        frames.get("village_updates", empty),
        frames.get("district_crafts", empty),
        frames.get("activities", empty),
        frames.get("narrative", empty),
        ctx.problems,
        letters,
    )


def _first_per_cell(problems: list[IntakeProblem]) -> list[IntakeProblem]:
    """One error per cell: the first found (a formula without a value need not also be
    reported as a blank required cell)."""
    seen: set[tuple[object, ...]] = set()
    kept = []
    for p in problems:
        key = (p.sheet, p.row, p.column)
        if p.severity == "error" and p.row is not None and p.column is not None:
            if key in seen:
                continue
            seen.add(key)
        kept.append(p)
    return kept


def with_file(problem: IntakeProblem, file: str) -> IntakeProblem:
    """The same problem, attributed to ``file``."""
    return IntakeProblem(**{**problem.__dict__, "file": file})
