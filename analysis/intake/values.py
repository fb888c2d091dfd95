"""Cell values read the way they really arrive: text (NFC, stray spaces), numbers written the
Vietnamese way (``1.234,5``), yes/no words, dates as text or Excel serials, years, coded labels."""

from __future__ import annotations

import re
from datetime import date, datetime

import pandas as pd

from analysis.core.text import nfc
from analysis.data import reference
from analysis.data.problems import is_blank
from analysis.intake.workbook import (
    LABEL_SEP,
    sheet_key,
)

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
#: Characters that hide or reorder text (bidirectional overrides and isolates, directional
#: marks) and control characters other than line breaks: removed at intake, with a warning.
HIDDEN = re.compile(
    "[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n|\u2028|\u2029")

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


def has_hidden(value: object) -> bool:
    """True for text holding a character :data:`HIDDEN` removes."""
    return isinstance(value, str) and HIDDEN.search(value) is not None


def _paragraphs(text: str) -> str:
    """Text whose line breaks are kept: each line NFC with its spaces collapsed, at most one
    empty line between paragraphs, ends trimmed."""
    lines = [nfc(line) for line in _LINE_BREAK.split(text)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def clean_text(values: pd.Series, *, keep_lines: bool = False) -> pd.Series:
    """Text as stored: NFC, no zero-width, bidirectional-override or control characters, runs of
    spaces collapsed, ends trimmed (line breaks kept with ``keep_lines``, for narrative
    paragraphs); numbers written as text (``12`` not ``12.0``); blanks to None."""
    kinds = _kinds(values)
    out = pd.Series(None, index=values.index, dtype=object)
    text = kinds == "str"
    shape = _paragraphs if keep_lines else nfc
    out[text] = values[text].map(lambda v: shape(HIDDEN.sub("", _ZERO_WIDTH.sub("", v))))
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


def leading_code(values: pd.Series) -> pd.Series:
    """The code before ``–`` in a drop-down label (``HUONG – Làm hương`` -> ``HUONG``)."""
    return values.str.split(f"{LABEL_SEP.strip()}| - ", n=1, regex=True).str[0].str.strip()
