"""Vietnamese text handling: NFC normalisation, diacritics removal, ASCII slugs."""

from __future__ import annotations

import re
import unicodedata

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
