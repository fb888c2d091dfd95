"""The Excel workbook the reporting units fill in each year: its layout.

One layout serves both directions: ``analysis.intake.template.write_template`` writes it,
pre-filled with the unit's known villages and crafts, and ``analysis.intake.ingest`` reads it
back. Column headers come
from the pandera schemas (their Vietnamese and English metadata), so the workbook and the data model
cannot drift apart.

Sheets: instructions, cover (unit, year, sender, date), the yearly village figures, updates of the
villages' recognition, tourism and trademark, the crafts produced as commodities, activities and
funding, and the narrative parts of the report. A hidden sheet holds the drop-down lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from analysis.core.text import nfc, slugify, strip_diacritics
from analysis.data import reference
from analysis.data.schemas import TableSpec
from analysis.data.schemas import table_specs as _build_table_specs
from analysis.data.timeliness import commune_reporting_from

#: Written on the cover; intake warns when a workbook carries another version.
TEMPLATE_VERSION = "KH244-NHAP-1"
#: Rows of the header block: a title, the Vietnamese headers, the English headers.
TITLE_ROW, HEADER_ROW, HEADER_EN_ROW, FIRST_DATA_ROW = 1, 2, 3, 4
#: Empty rows given drop-downs and number checks below the pre-filled ones.
SPARE_ROWS = 100
#: Separator between a code and its name in drop-down labels (``HUONG – Làm hương``).
LABEL_SEP = " – "

_UNIT_VI = {
    "households": "hộ",
    "persons": "người",
    "units": "cơ sở",
    "million VND": "triệu đồng",
    "million VND per worker per month": "triệu đồng/lao động/tháng",
    "products": "sản phẩm",
    "stars": "sao",
    "yes/no": "có/không",
    "year": "năm",
    "date": "ngày/tháng/năm",
    "events": "lần",
    "marks": "nhãn hiệu",
}
YES_NO = {"yes": {"vi": "Có", "en": "Yes"}, "no": {"vi": "Không", "en": "No"}}
LEVEL_LABELS = {
    "district": {
        "vi": "Huyện, thành phố (đến 30/6/2025)",
        "en": "District level (until 30 Jun 2025)",
    },
    "commune": {"vi": "Xã, phường (từ 1/7/2025)", "en": "Commune or ward (from 1 Jul 2025)"},
    "department": {"vi": "Sở, ngành", "en": "Provincial department"},
}
#: Narrative sections, with the codes the report notebooks ask for.
NARRATIVE_SECTIONS = {
    "strengths": {"vi": "Kết quả đạt được, ưu điểm", "en": "Achievements and strengths"},
    "shortcomings": {
        "vi": "Tồn tại, hạn chế và nguyên nhân",
        "en": "Shortcomings and their causes",
    },
    "next_year": {
        "vi": "Nhiệm vụ, giải pháp năm tiếp theo",
        "en": "Tasks and solutions for next year",
    },
    "proposals": {"vi": "Đề xuất, kiến nghị", "en": "Proposals"},
}


@lru_cache(maxsize=1)
def table_specs() -> dict[str, TableSpec]:
    """The data model's tables (built once: building the pandera schemas is not free)."""
    return _build_table_specs()


@dataclass(frozen=True)
class Field:
    """One column of a sheet: the data-model column it fills and how to read it.

    ``kind`` is one of ``village``, ``craft``, ``info`` (shown, not read), ``text``, ``int``,
    ``float``, ``bool``, ``date``, ``year``, ``code`` (a list of ``codes.yaml``), ``section``,
    ``reason`` (a coded reason read apart from the figures).
    """

    name: str
    kind: str
    vi: str
    en: str
    unit_vi: str = ""
    required: bool = False
    codes: str | None = None
    width: int = 14
    #: Text whose line breaks are kept (narrative paragraphs).
    multiline: bool = False

    @property
    def header_vi(self) -> str:
        """The Vietnamese header with its unit, as the sheet shows it."""
        return f"{self.vi} ({self.unit_vi})" if self.unit_vi else self.vi

    @property
    def header_en(self) -> str:
        """The English header (second header row)."""
        return self.en


@dataclass(frozen=True)
class SheetSpec:
    """A sheet of the workbook: its name, the table it feeds and its columns."""

    key: str
    title: str
    title_en: str
    heading_vi: str
    fields: tuple[Field, ...]
    levels: tuple[str, ...]

    def field(self, name: str) -> Field:
        """The column spec of ``name``."""
        return next(f for f in self.fields if f.name == name)


def _schema_field(
    table: str,
    column: str,
    *,
    kind: str | None = None,
    required: bool = False,
    codes: str | None = None,
    width: int = 14,
) -> Field:
    """A column spec documented by the schema's metadata (Vietnamese, English, unit)."""
    spec = table_specs()[table].schema.columns[column]
    meta = spec.metadata or {}
    unit = meta.get("unit", "")
    if kind is None:
        dtype = str(spec.dtype).lower()
        kind = (
            "year"
            if unit == "year"
            else "int"
            if "int" in dtype
            else "float"
            if "float" in dtype
            else "bool"
            if "bool" in dtype
            else "date"
            if "datetime" in dtype
            else "code"
            if codes
            else "text"
        )
    unit_vi = _UNIT_VI.get(unit, unit) if kind not in ("bool", "code", "date", "year") else ""
    return Field(
        column,
        kind,
        meta.get("vi", column),
        meta.get("en", column),
        unit_vi,
        required,
        codes,
        width,
    )


_VILLAGE = Field("village_id", "village", "Mã thôn/bản", "Village id", required=True, width=18)
_VILLAGE_NAME = Field("village_name", "info", "Tên thôn/bản", "Village name", width=24)
#: Why a pre-filled village has no figures (dissolved, merged, moved): a village left blank
#: without a reason rejects the workbook, so that no village's figures are deleted by mistake.
LEFT_REASON = Field(
    "left_reason",
    "reason",
    "Lý do không còn báo cáo (giải thể, sáp nhập, chuyển địa bàn)",
    "Reason it no longer reports (dissolved, merged, moved)",
    codes="village_left",
    width=26,
)


@lru_cache(maxsize=1)
def sheet_specs() -> dict[str, SheetSpec]:
    """The sheets that carry data, by key, in workbook order."""
    vy = "village_year"
    v = "villages"
    counts_required = ("households_total", "households_craft", "facilities", "facilities_compliant")
    village_year = SheetSpec(
        "village_year",
        "Số liệu thôn bản",
        "Village figures",
        "SỐ LIỆU CÁC THÔN, BẢN CÓ NGHỀ NĂM {year}",
        (
            _VILLAGE,
            _VILLAGE_NAME,
            *(
                _schema_field(vy, c, required=c in counts_required)
                for c in table_specs()[vy].schema.columns
                if c not in ("village_id", "year")
            ),
            LEFT_REASON,
        ),
        ("district", "commune"),
    )
    updates = SheetSpec(
        "village_updates",
        "Cập nhật thôn bản",
        "Village updates",
        "CÔNG NHẬN, DU LỊCH, NHÃN HIỆU, THU HỒI CÔNG NHẬN CỦA CÁC THÔN, BẢN (thông tin hiện có; "
        "chỉ sửa khi có thay đổi)",
        (
            _VILLAGE,
            _VILLAGE_NAME,
            _schema_field(v, "recognition", required=True, codes="recognition", width=24),
            _schema_field(v, "recognition_decision", width=18),
            _schema_field(v, "recognition_date"),
            _schema_field(v, "recognition_regime", codes="regime", width=22),
            _schema_field(v, "tourism_since"),
            _schema_field(v, "trademark", required=True, codes="trademark", width=22),
            _schema_field(v, "trademark_since"),
            _schema_field(v, "restored_year"),
            _schema_field(v, "withdrawal_year"),
            _schema_field(v, "withdrawal_decision", width=18),
        ),
        ("district", "commune"),
    )
    crafts = SheetSpec(
        "district_crafts",
        "Nghề hàng hóa",
        "Commodity crafts",
        "CÁC NGHỀ SẢN XUẤT THÀNH HÀNG HÓA NĂM {year}",
        (
            Field("craft_id", "craft", "Nghề", "Craft", required=True, width=28),
            Field("village_id", "village", "Thôn/bản sản xuất", "Village where produced", width=30),
            _schema_field("district_crafts", "product_vi", width=30),
        ),
        ("district", "commune"),
    )
    activities = SheetSpec(
        "activities",
        "Hoạt động và kinh phí",
        "Activities and funding",
        "HOẠT ĐỘNG VÀ KINH PHÍ THỰC HIỆN KẾ HOẠCH NĂM {year}",
        (
            _schema_field("activities", "task_group", required=True, codes="task_group", width=30),
            _schema_field(
                "activities", "funding_source", required=True, codes="funding_source", width=30
            ),
            *(
                _schema_field("activities", c)
                for c in (
                    "planned_mvnd",
                    "disbursed_mvnd",
                    "trainees",
                    "trade_fairs",
                    "trademarks_registered",
                )
            ),
            _schema_field("activities", "note_vi", width=30),
        ),
        ("district", "commune", "department"),
    )
    narrative = SheetSpec(
        "narrative",
        "Thuyết minh",
        "Narrative",
        "THUYẾT MINH BÁO CÁO NĂM {year}",
        (
            Field("section", "section", "Mã mục", "Section code", required=True, width=14),
            Field("section_title", "info", "Nội dung", "Part of the report", width=34),
            Field(
                "text_vi",
                "text",
                "Thuyết minh của đơn vị",
                "Text of the unit",
                width=100,
                multiline=True,
            ),
        ),
        ("district", "commune", "department"),
    )
    return {s.key: s for s in (village_year, updates, crafts, activities, narrative)}


#: The cover sheet: one row per item, label in column A, value in B, English in C, key in D.
COVER_TITLE = "Thông tin chung"
COVER_TITLE_EN = "Cover"
COVER_FIELDS: tuple[Field, ...] = (
    Field("unit_code", "text", "Mã đơn vị báo cáo", "Reporting unit code"),
    Field("unit_name", "text", "Tên đơn vị báo cáo", "Reporting unit name"),
    Field("unit_level", "info", "Cấp đơn vị", "Unit level"),
    Field("year", "year", "Năm báo cáo", "Reporting year", required=True),
    Field("sender", "text", "Người lập biểu (họ và tên)", "Prepared by (full name)", required=True),
    Field("position", "text", "Chức vụ", "Position"),
    Field("contact", "text", "Điện thoại, thư điện tử", "Telephone, e-mail"),
    Field("sent_on", "date", "Ngày gửi báo cáo", "Date sent"),
    Field("template_version", "text", "Phiên bản biểu mẫu", "Template version"),
)
INSTRUCTIONS_TITLE = "Hướng dẫn"
LISTS_TITLE = "Danh mục"


def sheet_key(text: str) -> str:
    """A comparison key for sheet names and headers: no diacritics, case or punctuation."""
    plain = strip_diacritics(nfc(str(text))).lower()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in plain).split())


# ------------------------------------------------------------------------------- reporting units


def reporting_unit_table() -> pd.DataFrame:
    """Every unit that may report: code, level, names, slug (districts, 2025 communes,
    departments); a fresh copy each call."""
    return _reporting_unit_table().copy()


@lru_cache(maxsize=1)
def _reporting_unit_table() -> pd.DataFrame:
    """Cached table behind :func:`reporting_unit_table`."""
    districts = reference.districts().assign(level="district")
    communes = reference.communes_2025().assign(level="commune")
    departments = reference.departments().assign(level="department")
    departments["short_name_vi"] = departments["name_vi"]
    departments["slug"] = departments["name_vi"].map(slugify)
    columns = ["code", "level", "name_vi", "short_name_vi", "name_en", "slug"]
    return pd.concat(
        [districts[columns], communes[columns], departments[columns]], ignore_index=True
    )


def unit_level_for_year(year: int) -> str:
    """``district`` before the 2025 reform, ``commune`` from the first commune reporting year."""
    return "commune" if year >= commune_reporting_from() else "district"


def unit_villages(villages: pd.DataFrame, unit_code: str, level: str) -> pd.DataFrame:
    """The villages a unit reports for: by former district or by 2025 commune (none for
    departments)."""
    if level == "district":
        return villages[villages["district_code"] == unit_code]
    if level == "commune":
        return villages[villages["commune_code"] == unit_code]
    return villages.iloc[0:0]


def code_label(code: str, name: str) -> str:
    """The drop-down label of a coded item (``HUONG – Làm hương``)."""
    return f"{code}{LABEL_SEP}{name}"
