"""Numbers, percentages and dates written the Vietnamese way (and the English way)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.core.formatting import (
    format_count,
    format_date,
    format_long_date,
    format_number,
    format_percent,
)
from analysis.core.text import nfc, slugify, strip_diacritics


@pytest.mark.parametrize(
    ("value", "decimals", "lang", "expected"),
    [
        (1234.5, 1, "vi", "1.234,5"),
        (1234.5, 1, "en", "1,234.5"),
        (1234567, 0, "vi", "1.234.567"),
        (2.5, 0, "vi", "3"),  # half up, as by hand (Python's round would give 2)
        (0.125, 2, "vi", "0,13"),
        (-0.04, 1, "vi", "0,0"),  # no "-0,0"
        (-1500.25, 1, "vi", "-1.500,3"),
        (0, 0, "vi", "0"),
    ],
)
def test_format_number(value: float, decimals: int, lang: str, expected: str) -> None:
    assert format_number(value, decimals, lang) == expected


@pytest.mark.parametrize("missing", [None, math.nan, pd.NA])
def test_missing_is_a_dash(missing: object) -> None:
    assert format_number(missing) == "—"
    assert format_percent(missing) == "—"


def test_percent_and_count() -> None:
    assert format_percent(45.25, 1, "vi") == "45,3%"
    assert format_percent(100, 0, "en") == "100%"
    assert format_count(12000, "vi") == "12.000"


def test_dates() -> None:
    assert format_date("2025-12-15", "vi") == "15/12/2025"
    assert format_date(pd.Timestamp("2025-01-20"), "en") == "20 Jan 2025"
    assert format_long_date("2025-12-05", "vi") == "ngày 05 tháng 12 năm 2025"


def test_unknown_language() -> None:
    with pytest.raises(ValueError, match="unknown language"):
        format_number(1, lang="fr")


def test_text_helpers() -> None:
    nfd = "Tha\u0300nh pho\u0302\u0301  La\u0323ng Sơn "
    assert nfc(nfd) == "Thành phố Lạng Sơn"
    assert strip_diacritics("Đình Lập") == "Dinh Lap"
    assert slugify("Thành phố Lạng Sơn") == "thanh-pho-lang-son"
    assert slugify("Xã Điềm He") == "xa-diem-he"


def test_a_share_below_100_never_prints_as_100() -> None:
    from analysis.core.formatting import format_number, format_percent, value_text

    # 99.95 rounds half-up to 100.0; a missed target must not read as met: cut, not rounded
    assert format_percent(99.95) == "99,9%" and format_percent(99.95, lang="en") == "99.9%"
    assert value_text(99.999, "percent") == "99,9%"
    assert format_percent(100) == "100,0%" and format_percent(99.94) == "99,9%"
    assert format_percent(45.25) == "45,3%"  # elsewhere still half-up
    # any threshold: a value under it never prints as it
    assert format_number(1.996, 2, below=2) == "1,99" and format_number(1.996, 2) == "2,00"
