"""Pandera schemas of the tidy tables: one definition per table, used on load and on intake.

Each column carries its documentation (Vietnamese and English meaning, unit) in ``metadata`` so
that the data dictionary (``docs/data_dictionary.md``) is generated from the schemas themselves.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from analysis.data import reference

MIN_YEAR = 2000
MAX_YEAR = 2035


def _is_nfc(series: pd.Series) -> pd.Series:
    """True where a text value is missing or already NFC-normalised."""
    is_nfc = series.map(lambda v: not isinstance(v, str) or unicodedata.normalize("NFC", v) == v)
    return series.isna() | is_nfc.astype(bool)


NFC = pa.Check(_is_nfc, element_wise=False, error="text must be NFC-normalised Unicode")


def _col(
    dtype: object,
    vi: str,
    en: str,
    unit: str = "",
    *,
    nullable: bool = False,
    checks: list[pa.Check] | None = None,
    unique: bool = False,
    text: bool = False,
) -> pa.Column:
    """A column with its documentation; text columns get the NFC check."""
    all_checks = list(checks or [])
    if text:
        all_checks.append(NFC)
    return pa.Column(
        dtype,
        checks=all_checks,
        nullable=nullable,
        unique=unique,
        coerce=True,
        metadata={"vi": vi, "en": en, "unit": unit},
    )


def _in_codes(list_name: str) -> pa.Check:
    allowed = sorted(reference.code_list(list_name))
    return pa.Check.isin(allowed, error=f"must be one of {', '.join(allowed)}")


YEAR = [pa.Check.in_range(MIN_YEAR, MAX_YEAR)]
NON_NEG = [pa.Check.ge(0)]


def crafts_schema() -> pa.DataFrameSchema:
    """Crafts (nghề): Decree 52 group, the 50-year test, risk of dying out, recognition."""
    return pa.DataFrameSchema(
        {
            "craft_id": _col(
                str,
                "Mã nghề",
                "Craft id",
                unique=True,
                checks=[pa.Check.str_matches(r"^[A-Z0-9_-]{2,20}$")],
            ),
            "name_vi": _col(str, "Tên nghề", "Craft name (Vietnamese)", text=True),
            "name_en": _col(str, "Tên nghề (tiếng Anh)", "Craft name (English)", text=True),
            "rural_group": _col(
                int,
                "Nhóm ngành nghề nông thôn (NĐ 52, Điều 4)",
                "Rural-trade group (Decree 52, Art. 4)",
                "1-7",
                checks=[pa.Check.in_range(1, 7)],
            ),
            "is_traditional": _col(bool, "Là nghề truyền thống", "Traditional craft", "yes/no"),
            "since_year": _col(
                "Int64",
                "Năm nghề xuất hiện tại địa phương",
                "Year the craft began locally",
                "year",
                nullable=True,
                checks=[pa.Check.in_range(1000, MAX_YEAR)],
            ),
            "at_risk": _col(
                bool, "Có nguy cơ mai một, thất truyền", "At risk of dying out", "yes/no"
            ),
            "recognition_decision": _col(
                str,
                "Quyết định công nhận nghề truyền thống",
                "Recognition decision (traditional craft)",
                nullable=True,
                text=True,
            ),
            "recognition_date": _col(
                "datetime64[ns]", "Ngày công nhận", "Recognition date", "date", nullable=True
            ),
        },
        strict=True,
        name="crafts",
    )


def villages_schema() -> pa.DataFrameSchema:
    """Villages (thôn, bản) practising crafts, with their place before and after the 2025 reform."""
    return pa.DataFrameSchema(
        {
            "village_id": _col(
                str,
                "Mã thôn/bản",
                "Village id",
                unique=True,
                checks=[pa.Check.str_matches(r"^[A-Z0-9_-]{2,20}$")],
            ),
            "name_vi": _col(str, "Tên thôn/bản", "Village name", text=True),
            "craft_id": _col(str, "Mã nghề chính", "Main craft id"),
            "district_code": _col(
                str, "Mã huyện (trước 1/7/2025)", "District code (before 1 Jul 2025)"
            ),
            "old_commune_code": _col(str, "Mã xã cũ (trước 1/7/2025)", "Former commune code"),
            "commune_code": _col(str, "Mã xã/phường mới (từ 1/7/2025)", "2025 commune code"),
            "recognition": _col(str, "Công nhận", "Recognition", checks=[_in_codes("recognition")]),
            "recognition_decision": _col(
                str, "Quyết định công nhận", "Recognition decision", nullable=True, text=True
            ),
            "recognition_date": _col(
                "datetime64[ns]", "Ngày công nhận", "Recognition date", "date", nullable=True
            ),
            "recognition_regime": _col(
                str,
                "Chế độ công nhận (Nghị định)",
                "Recognition regime (decree)",
                nullable=True,
                checks=[_in_codes("regime")],
            ),
            "withdrawal_year": _col(
                "Int64",
                "Năm thu hồi công nhận",
                "Year the recognition was withdrawn",
                "year",
                nullable=True,
                checks=YEAR,
            ),
            "withdrawal_decision": _col(
                str,
                "Quyết định thu hồi công nhận",
                "Withdrawal decision",
                nullable=True,
                text=True,
            ),
            "tourism_since": _col(
                "Int64",
                "Gắn với du lịch từ năm",
                "Linked with tourism since",
                "year",
                nullable=True,
                checks=YEAR,
            ),
            "trademark": _col(
                str,
                "Nhãn hiệu tập thể / chỉ dẫn địa lý",
                "Collective trademark or GI",
                checks=[_in_codes("trademark")],
            ),
            "trademark_since": _col(
                "Int64",
                "Có nhãn hiệu từ năm",
                "Trademark or GI since",
                "year",
                nullable=True,
                checks=YEAR,
            ),
            "restored_year": _col(
                "Int64",
                "Năm khôi phục nghề có nguy cơ mai một",
                "Year an at-risk craft was restored",
                "year",
                nullable=True,
                checks=YEAR,
            ),
            "lat": _col(
                float,
                "Vĩ độ",
                "Latitude",
                "degrees",
                nullable=True,
                checks=[pa.Check.in_range(20.5, 23.0)],
            ),
            "lon": _col(
                float,
                "Kinh độ",
                "Longitude",
                "degrees",
                nullable=True,
                checks=[pa.Check.in_range(105.5, 107.5)],
            ),
        },
        strict=True,
        name="villages",
    )


def village_year_schema() -> pa.DataFrameSchema:
    """One row per village and year: households, workers, facilities, environment, money, OCOP."""
    count = "Int64"
    return pa.DataFrameSchema(
        {
            "village_id": _col(str, "Mã thôn/bản", "Village id"),
            "year": _col(int, "Năm", "Year", "year", checks=YEAR),
            "households_total": _col(
                count,
                "Tổng số hộ của thôn",
                "Households in the village",
                "households",
                nullable=True,
                checks=NON_NEG,
            ),
            "households_craft": _col(
                count,
                "Số hộ tham gia nghề",
                "Households in the craft",
                "households",
                nullable=True,
                checks=NON_NEG,
            ),
            "workers_regular": _col(
                count,
                "Lao động thường xuyên",
                "Regular workers",
                "persons",
                nullable=True,
                checks=NON_NEG,
            ),
            "workers_trained": _col(
                count,
                "Lao động đã qua đào tạo",
                "Trained workers",
                "persons",
                nullable=True,
                checks=NON_NEG,
            ),
            "facilities": _col(
                count,
                "Số cơ sở, hộ sản xuất",
                "Production facilities and households",
                "units",
                nullable=True,
                checks=NON_NEG,
            ),
            "facilities_compliant": _col(
                count,
                "Cơ sở đáp ứng quy định BVMT",
                "Facilities meeting environmental rules",
                "units",
                nullable=True,
                checks=NON_NEG,
            ),
            "env_plan": _col(
                "boolean",
                "Có phương án bảo vệ môi trường",
                "Environmental protection plan",
                "yes/no",
                nullable=True,
            ),
            "env_group": _col(
                "boolean",
                "Có tổ tự quản về môi trường",
                "Self-managed environmental group",
                "yes/no",
                nullable=True,
            ),
            "revenue_mvnd": _col(
                float, "Doanh thu", "Revenue", "million VND", nullable=True, checks=NON_NEG
            ),
            "income_mvnd_month": _col(
                float,
                "Thu nhập bình quân",
                "Average income",
                "million VND per worker per month",
                nullable=True,
                checks=[pa.Check.in_range(0, 200)],
            ),
            "ocop_products": _col(
                count,
                "Số sản phẩm OCOP",
                "OCOP products",
                "products",
                nullable=True,
                checks=NON_NEG,
            ),
            "ocop_max_stars": _col(
                count,
                "Hạng sao OCOP cao nhất",
                "Highest OCOP rating",
                "stars",
                nullable=True,
                checks=[pa.Check.isin([0, 3, 4, 5])],
            ),
        },
        strict=True,
        unique=["village_id", "year"],
        name="village_year",
    )


def district_crafts_schema() -> pa.DataFrameSchema:
    """Crafts produced as commodities per former district-level area and year (target T2)."""
    return pa.DataFrameSchema(
        {
            "district_code": _col(str, "Mã huyện (địa bàn cấp huyện cũ)", "Former district code"),
            "year": _col(int, "Năm", "Year", "year", checks=YEAR),
            "craft_id": _col(str, "Mã nghề", "Craft id"),
            "product_vi": _col(
                str, "Sản phẩm đặc trưng", "Typical product", nullable=True, text=True
            ),
        },
        strict=True,
        unique=["district_code", "year", "craft_id"],
        name="district_crafts",
    )


def activities_schema() -> pa.DataFrameSchema:
    """What each reporting unit did and spent under the plan in a year."""
    return pa.DataFrameSchema(
        {
            "unit_code": _col(str, "Mã đơn vị báo cáo", "Reporting unit code"),
            "year": _col(int, "Năm", "Year", "year", checks=YEAR),
            "task_group": _col(
                str, "Nhóm nhiệm vụ", "Task group", checks=[_in_codes("task_group")]
            ),
            "funding_source": _col(
                str, "Nguồn kinh phí", "Funding source", checks=[_in_codes("funding_source")]
            ),
            "planned_mvnd": _col(
                float, "Kinh phí kế hoạch", "Planned", "million VND", nullable=True, checks=NON_NEG
            ),
            "disbursed_mvnd": _col(
                float,
                "Kinh phí đã giải ngân",
                "Disbursed",
                "million VND",
                nullable=True,
                checks=NON_NEG,
            ),
            "trainees": _col(
                "Int64",
                "Số người được đào tạo",
                "Trainees",
                "persons",
                nullable=True,
                checks=NON_NEG,
            ),
            "trade_fairs": _col(
                "Int64",
                "Số hội chợ, triển lãm tham gia",
                "Trade fairs",
                "events",
                nullable=True,
                checks=NON_NEG,
            ),
            "trademarks_registered": _col(
                "Int64",
                "Số nhãn hiệu được đăng ký",
                "Trademarks registered",
                "marks",
                nullable=True,
                checks=NON_NEG,
            ),
            "note_vi": _col(str, "Ghi chú", "Note", nullable=True, text=True),
        },
        strict=True,
        name="activities",
    )


def submissions_schema() -> pa.DataFrameSchema:
    """Which reporting unit sent its data for which year, when, from which file."""
    return pa.DataFrameSchema(
        {
            "unit_code": _col(str, "Mã đơn vị báo cáo", "Reporting unit code"),
            "unit_level": _col(str, "Cấp đơn vị", "Unit level", checks=[_in_codes("unit_level")]),
            "year": _col(int, "Năm báo cáo", "Reporting year", "year", checks=YEAR),
            "received_on": _col("datetime64[ns]", "Ngày nhận", "Date received", "date"),
            "file_name": _col(str, "Tệp", "File", nullable=True, text=True),
            "file_sha256": _col(str, "Mã băm SHA-256 của tệp", "File SHA-256", nullable=True),
        },
        strict=True,
        unique=["unit_code", "year"],
        name="submissions",
    )


@dataclass(frozen=True)
class TableSpec:
    """A table of the data model: its name, schema factory, primary key and a one-line purpose."""

    name: str
    schema: pa.DataFrameSchema
    key: tuple[str, ...]
    purpose_vi: str
    purpose_en: str


def table_specs() -> dict[str, TableSpec]:
    """All tables of the data model in load order (referenced tables first)."""
    specs = [
        TableSpec("crafts", crafts_schema(), ("craft_id",), "Danh mục nghề", "Crafts"),
        TableSpec(
            "villages",
            villages_schema(),
            ("village_id",),
            "Thôn, bản có nghề",
            "Villages practising crafts",
        ),
        TableSpec(
            "village_year",
            village_year_schema(),
            ("village_id", "year"),
            "Số liệu hằng năm của thôn, bản",
            "Yearly figures per village",
        ),
        TableSpec(
            "district_crafts",
            district_crafts_schema(),
            ("district_code", "year", "craft_id"),
            "Nghề sản xuất thành hàng hóa theo địa bàn cấp huyện",
            "Commodity crafts per district-level area (T2)",
        ),
        TableSpec(
            "activities", activities_schema(), (), "Hoạt động và kinh phí", "Activities and funding"
        ),
        TableSpec(
            "submissions",
            submissions_schema(),
            ("unit_code", "year"),
            "Báo cáo đã nhận",
            "Submissions received",
        ),
    ]
    return {s.name: s for s in specs}


TABLES: tuple[str, ...] = (
    "crafts",
    "villages",
    "village_year",
    "district_crafts",
    "activities",
    "submissions",
)


def columns_of_type(table: str, *dtypes: str) -> tuple[str, ...]:
    """The columns of a table whose schema type is one of ``dtypes`` (``"Int64"``,
    ``"float64"``, ``"boolean"``...), in schema order: one list for casting, counting and
    computing, read off the data model."""
    schema = table_specs()[table].schema
    return tuple(name for name, col in schema.columns.items() if str(col.dtype) in dtypes)


def village_year_values() -> tuple[str, ...]:
    """The yearly figures of a village (every column of ``village_year`` but its key); read
    when first needed, not at import (so that ``--help`` reads no reference file)."""
    return columns_of_type("village_year", "Int64", "float64", "boolean")


def __getattr__(name: str) -> object:
    """``VILLAGE_YEAR_VALUES``, kept for callers that import it (computed on first use)."""
    if name == "VILLAGE_YEAR_VALUES":
        return village_year_values()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
