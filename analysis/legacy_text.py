"""Vietnamese text in legacy 8-bit encodings (TCVN3 / ABC and VNI): detection and conversion.

Offices that still use the ``.VnTime`` (TCVN3) or ``VNI-Times`` (VNI) fonts type bytes that Excel
stores as Western characters: ``Lạng Sơn`` arrives as ``L¹ng S¬n`` (TCVN3) or ``Laïng Sôn`` (VNI).
Such text looks right on the sender's screen and wrong everywhere else. Intake detects it, rejects
it and shows the probable Unicode reading, so that the sender can convert the file (Unikey: "Công cụ
chuyển mã") rather than the project guessing silently.

Detection tries both conversions and keeps the one that turns the most words into valid Vietnamese
syllables; text that already holds Unicode-only Vietnamese letters is never flagged.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

TCVN3 = "tcvn3"
VNI = "vni"
ENCODING_NAMES = {TCVN3: "TCVN3 (ABC, phông .VnTime)", VNI: "VNI (phông VNI-Times)"}

# TCVN 5712:1993 (VN3) as Excel shows it: one legacy character per Vietnamese letter.
_TCVN3_FROM = (
    "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\xadõøö÷ùúýûüþ¡¢§£¤¥¦"
)
_TCVN3_TO = (
    "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂĐÊÔƠƯ"
)
_TCVN3_TABLE = str.maketrans(_TCVN3_FROM, _TCVN3_TO)

# VNI-Windows: a base letter followed by a mark character (``a`` + ``ù`` = ``á``).
_VNI_TONES = "ùøûõï"  # sắc, huyền, hỏi, ngã, nặng
_VNI_BASES = {
    # base: (vni base, unicode letters without tone then with the five tones)
    "a": ("a", "aáàảãạ"), "â": ("aâ", "âấầẩẫậ"), "ă": ("aê", "ăắằẳẵặ"),
    "e": ("e", "eéèẻẽẹ"), "ê": ("eâ", "êếềểễệ"),
    "o": ("o", "oóòỏõọ"), "ô": ("oâ", "ôốồổỗộ"), "ơ": ("ô", "ơớờởỡợ"),
    "u": ("u", "uúùủũụ"), "ư": ("ö", "ưứừửữự"), "y": ("y", "yýỳỷỹỵ"),
}
# Circumflex and breve letters carry their tone as a different mark character.
_VNI_HAT_TONES = "áàåãä"
_VNI_BREVE_TONES = "éèúüë"
_VNI_SINGLE = {"í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ", "ñ": "đ"}


def _vni_pairs() -> dict[str, str]:
    pairs: dict[str, str] = {}
    for base, (vni, letters) in _VNI_BASES.items():
        marks = _VNI_HAT_TONES if base in "âêô" else _VNI_BREVE_TONES if base == "ă" else _VNI_TONES
        if base in "âêô":
            pairs[vni] = letters[0]
            stem = vni[0]
        elif base == "ă":
            pairs[vni] = letters[0]
            stem = "a"
        else:
            stem = vni
            if len(vni) == 1 and vni != base:
                pairs[vni] = letters[0]
        for mark, letter in zip(marks, letters[1:], strict=True):
            pairs[stem + mark] = letter
    pairs.update(_VNI_SINGLE)
    # The same sequences in capitals (VNI capitals use capital marks: ``AÙ`` = ``Á``).
    upper = {k.upper(): v.upper() for k, v in pairs.items()}
    return {**pairs, **upper}


_VNI_MAP = _vni_pairs()
_VNI_PATTERN = re.compile(
    "|".join(re.escape(k) for k in sorted(_VNI_MAP, key=len, reverse=True))
)

# Letters of Unicode Vietnamese that lie in Latin-1 (and so may appear in both worlds).
_VIET_LATIN1 = set("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")
# Characters that exist only in Unicode Vietnamese: their presence means the text is Unicode.
_UNICODE_ONLY = re.compile("[ăĂđĐĩĨũŨơƠưƯ\u1ea0-\u1ef9\u0300-\u0323]")
_TCVN3_MARKS = set(_TCVN3_FROM) - _VIET_LATIN1
_VNI_MARKS = {ch for key in _VNI_MAP for ch in key if not ch.isascii()} - _VIET_LATIN1
_FOREIGN = re.compile("[\u0080-\u00ff]")

_ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
_NUCLEI = (
    "iêu|oai|oay|oao|oeo|uây|uôi|uya|uyê|uyu|ươi|ươu|yêu|"
    "ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|oo|ôi|ơi|ua|uâ|uê|ui|uô|uơ|uy|ưa|ưi|ưu|ươ|yê|"
    "a|ă|â|e|ê|i|o|ô|ơ|u|ư|y"
)
_SYLLABLE = re.compile(rf"{_ONSET}(?:{_NUCLEI})(?:ch|ng|nh|[cmnpt])?")
_TONE_MARKS = dict.fromkeys(map(ord, "\u0300\u0301\u0303\u0309\u0323"))
_WORD = re.compile(r"[^\W\d_]+")


def to_unicode(text: str, encoding: str) -> str:
    """Convert ``text`` typed in a legacy encoding (``tcvn3`` or ``vni``) to Unicode NFC."""
    if encoding == TCVN3:
        out = text.translate(_TCVN3_TABLE)
    elif encoding == VNI:
        out = _VNI_PATTERN.sub(lambda m: _VNI_MAP[m.group(0)], text)
    else:
        raise ValueError(f"unknown legacy encoding {encoding!r}; use {TCVN3} or {VNI}")
    return unicodedata.normalize("NFC", out)


@lru_cache(maxsize=4096)
def _is_syllable(word: str) -> bool:
    """True if ``word`` is a well-formed Vietnamese syllable (at most one tone mark)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = sum(1 for ch in decomposed if ord(ch) in _TONE_MARKS)
    bare = unicodedata.normalize("NFC", decomposed.translate(_TONE_MARKS))
    return tones <= 1 and _SYLLABLE.fullmatch(bare) is not None


def _score(text: str) -> int:
    """Valid Vietnamese syllables minus invalid words minus stray Western characters."""
    words = [w for w in _WORD.findall(text) if not w.isascii()]
    valid = sum(_is_syllable(w) for w in words)
    return 2 * valid - len(words) - 2 * len(_FOREIGN.findall(_strip_latin1_letters(text)))


def _strip_latin1_letters(text: str) -> str:
    return "".join(ch for ch in text if ch not in _VIET_LATIN1)


def detect_legacy(text: str, font: str | None = None) -> str | None:
    """The legacy encoding ``text`` was probably typed in (``tcvn3``, ``vni``), or None.

    ``font`` is the cell's font name when known: ``.VnTime`` points to TCVN3, ``VNI-...`` to VNI,
    and breaks ties between the two readings.
    """
    if not isinstance(text, str) or text.isascii() or _UNICODE_ONLY.search(text):
        return None
    chars = set(text)
    candidates = [
        enc for enc, marks in ((TCVN3, _TCVN3_MARKS), (VNI, _VNI_MARKS)) if chars & marks
    ]
    if not candidates:
        return None
    base = _score(text)
    hint = font_encoding(font)
    scored = sorted(
        ((_score(to_unicode(text, enc)), enc == hint, enc) for enc in candidates), reverse=True
    )
    best_score, _, best = scored[0]
    return best if best_score > base else None


def font_encoding(font: str | None) -> str | None:
    """The legacy encoding a font name implies (``.VnTime`` -> tcvn3, ``VNI-Times`` -> vni)."""
    if not font:
        return None
    name = font.strip().lower()
    if name.startswith(".vn") or name.startswith("vn3") or name.startswith("abc"):
        return TCVN3
    if name.startswith("vni"):
        return VNI
    return None
