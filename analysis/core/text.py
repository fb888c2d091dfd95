"""Vietnamese text handling: NFC normalisation, diacritics removal, ASCII slugs, sorting in
the order of the Vietnamese alphabet (not by code point: ``Đ`` after ``D``, not after ``Z``), and
text made safe for the spreadsheets the project writes (no cell run as a formula)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

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


# --------------------------------------------------------------------------------------------
# Vietnamese collation

#: The Vietnamese alphabet (with the Latin letters it lacks, f j w z, where Latin puts them).
VI_ALPHABET: tuple[str, ...] = tuple("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")
_LETTER_RANK = {letter: i for i, letter in enumerate(VI_ALPHABET)}
#: Letter-forming marks (breve, circumflex, horn), kept with their letter.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
#: Tones in dictionary order: level (none), grave, hook above, tilde, acute, dot below.
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def _letters(value: str) -> list[tuple[str, int]]:
    """Each base letter (with its letter-forming marks) and its tone (0 for none)."""
    out: list[tuple[str, int]] = []
    for ch in unicodedata.normalize("NFD", value):
        if ch in _TONE_RANK and out:
            out[-1] = (out[-1][0], _TONE_RANK[ch])
        elif ch in _LETTER_MARKS and out:
            out[-1] = (unicodedata.normalize("NFC", out[-1][0] + ch), out[-1][1])
        elif unicodedata.category(ch) != "Mn":
            out.append((ch, 0))
    return out


def vi_sort_key(value: object) -> tuple:
    """Sort key of a name in Vietnamese order: letters by the alphabet ``a ă â b c d đ e ê g
    ...`` (``VI_ALPHABET``), ignoring case and tones; then tones (none, huyền, hỏi, ngã, sắc,
    nặng) from the first letter on; then lower case before upper. Spaces and punctuation
    come before digits, digits before letters. ``sorted(names, key=vi_sort_key)``."""
    letters = _letters(nfc(str(value)))
    primary = []
    for ch, _ in letters:
        low = ch.lower()
        if low in _LETTER_RANK:
            primary.append((2, _LETTER_RANK[low]))
        elif low.isdigit():
            primary.append((1, ord(low)))
        else:
            primary.append((0, ord(low)))
    tones = tuple(tone for _, tone in letters)
    case = tuple(int(ch != ch.lower()) for ch, _ in letters)
    return (tuple(primary), tones, case)


def sort_vi(values: Iterable[str]) -> list[str]:
    """``values`` sorted in Vietnamese order (:func:`vi_sort_key`)."""
    return sorted(values, key=vi_sort_key)


def vi_order(values: pd.Series) -> pd.Series:
    """Rank of each value in Vietnamese order, for ``DataFrame.sort_values(..., key=vi_order)``
    (ties share a rank; missing values last)."""
    present = values.dropna().astype(str)
    ranks = {v: i for i, v in enumerate(sort_vi(present.unique()))}
    last = len(ranks)
    return pd.Series(
        [last if pd.isna(v) else ranks[str(v)] for v in values], index=values.index, dtype=int
    )
