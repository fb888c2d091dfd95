"""Vietnamese text handling: NFC normalisation, diacritics removal, ASCII slugs, and text made
safe for the spreadsheets the project writes (no cell a spreadsheet would run as a formula)."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})


def nfc(value: str) -> str:
    """Return ``value`` NFC-normalised with runs of whitespace collapsed and ends trimmed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", value)).strip()


def strip_diacritics(value: str) -> str:
    """Vietnamese text without its diacritics (``Lạng Sơn`` -> ``Lang Son``; đ -> d)."""
    decomposed = unicodedata.normalize("NFD", value.translate(_D_MAP))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def slugify(value: str) -> str:
    """ASCII slug of a Vietnamese name (``Thành phố Lạng Sơn`` -> ``thanh-pho-lang-son``)."""
    ascii_text = strip_diacritics(nfc(value)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


#: First characters that make Excel, LibreOffice or Google Sheets read a text cell as a formula
#: (CSV and XLSX "formula injection": ``=HYPERLINK(...)``, ``+cmd``, ``-1+1``, ``@SUM``).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse_formula(value: object) -> object:
    """``value`` unchanged, except text starting like a formula, which gets a leading ``'``
    (the spreadsheet then shows it as text). Numbers are never touched (``-5`` stays a number)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def defuse_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) are passed through
    :func:`defuse_formula`; every CSV and XLSX writer of the project calls this."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or str(out[column].dtype) in ("string", "str"):
            out[column] = out[column].map(defuse_formula)
    out.columns = [defuse_formula(c) for c in out.columns]
    return out
