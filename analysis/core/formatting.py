"""Numbers and dates written for people, the Vietnamese way by default (1.234,5; 45,2%).

Every sentence or table cell with a number in a report goes through these helpers, so that
rounding happens once, at the end, and separators are always right for the language.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import pandas as pd

from analysis.core.labels import label

LANGS = ("vi", "en")
MISSING = {"vi": "—", "en": "—"}


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    return lang


def is_missing(value: object) -> bool:
    """True for None, NaN and pandas' NA."""
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def format_number(
    value: object, decimals: int = 0, lang: str = "vi", *, below: float | None = None
) -> str:
    """``1234.5`` -> ``1.234,5`` (vi) or ``1,234.5`` (en); missing -> an em dash.

    ``below``: a threshold the value must not be printed as when it is under it (99.95 with
    ``below=100`` prints ``99,9``, never ``100,0``: a missed target must not read as met).
    """
    _check_lang(lang)
    if is_missing(value):
        return MISSING[lang]
    # Half-up rounding, as people round by hand (Python's round() rounds halves to even).
    quantum = Decimal(1).scaleb(-decimals)
    exact = Decimal(repr(float(value)))
    rounded = exact.quantize(quantum, rounding=ROUND_HALF_UP)
    if below is not None and exact < Decimal(repr(float(below))) <= rounded:
        rounded = exact.quantize(quantum, rounding=ROUND_DOWN)
    number = float(rounded) + 0.0
    text = f"{number:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def format_percent(value: object, decimals: int = 1, lang: str = "vi") -> str:
    """A value already in percent (``45.25``) -> ``45,3%`` (vi) or ``45.3%`` (en); a share under
    100% never prints as ``100,0%``."""
    if is_missing(value):
        return MISSING[_check_lang(lang)]
    return f"{format_number(value, decimals, lang, below=100)}%"


def format_count(value: object, lang: str = "vi") -> str:
    """An integer count with thousands separators."""
    return format_number(value, 0, lang)


def format_date(value: object, lang: str = "vi") -> str:
    """A date as ``15/12/2025`` (vi) or ``15 Dec 2025`` (en)."""
    _check_lang(lang)
    if is_missing(value) or value is pd.NaT:
        return MISSING[lang]
    day: date = pd.Timestamp(value).date()
    if lang == "vi":
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    return f"{day.day} {day.strftime('%b')} {day.year}"


def format_long_date(value: object, lang: str = "vi") -> str:
    """The date line of an official document: ``ngày 15 tháng 12 năm 2025``."""
    _check_lang(lang)
    day: date = pd.Timestamp(value).date()
    if lang == "vi":
        return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    return f"{day.day} {day.strftime('%B')} {day.year}"


def value_text(value: object, unit: str, lang: str = "vi") -> str:
    """A value in its unit, as the reports print it (a dash when missing)."""
    if is_missing(value):
        return "—"
    if unit == "percent":
        return format_percent(value, 1, lang)
    if unit == "ratio":
        return format_number(value, 2, lang)
    if float(value).is_integer():
        return format_count(value, lang)
    return format_number(value, 1, lang)


def change_text(value: object, unit: str, lang: str = "vi") -> str:
    """A change or gap in an indicator's unit; for a share, in percentage points
    (``5,3 điểm %``, ``5.3 pp``), since a difference of percentages is not a percentage."""
    if unit == "percent" and not is_missing(value):
        return f"{format_number(value, 1, lang)} {label('scn_points', lang)}"
    return value_text(value, unit, lang)
