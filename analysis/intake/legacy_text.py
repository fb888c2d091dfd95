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
ENCODING_NAMES = {
    TCVN3: {"vi": "TCVN3 (ABC, phông .VnTime)", "en": "TCVN3 (ABC, .VnTime fonts)"},
    VNI: {"vi": "VNI (phông VNI-Times)", "en": "VNI (VNI-Times fonts)"},
}

# TCVN 5712:1993 (VN3) as Excel shows it: one legacy character per Vietnamese letter.
_TCVN3_FROM = "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\xadõøö÷ùúýûüþ¡¢§£¤¥¦"
_TCVN3_TO = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂĐÊÔƠƯ"
_TCVN3_TABLE = str.maketrans(_TCVN3_FROM, _TCVN3_TO)

# VNI-Windows: a base letter followed by a mark character (``a`` + ``ù`` = ``á``).
# Each row: the VNI spelling of the bare letter, the stem the marks attach to, the marks for
# sắc, huyền, hỏi, ngã, nặng, and the Unicode letters (bare, then the five tones).
_VNI_ROWS = (
    ("a", "a", "ùøûõï", "aáàảãạ"),
    ("aâ", "a", "áàåãä", "âấầẩẫậ"),
    ("aê", "a", "éèúüë", "ăắằẳẵặ"),
    ("e", "e", "ùøûõï", "eéèẻẽẹ"),
    ("eâ", "e", "áàåãä", "êếềểễệ"),
    ("o", "o", "ùøûõï", "oóòỏõọ"),
    ("oâ", "o", "áàåãä", "ôốồổỗộ"),
    ("ô", "ô", "ùøûõï", "ơớờởỡợ"),
    ("u", "u", "ùøûõï", "uúùủũụ"),
    ("ö", "ö", "ùøûõï", "ưứừửữự"),
    ("y", "y", "ùøûõ", "yýỳỷỹ"),
)
# Letters written with one character: i with its tones, ỵ and đ.
_VNI_SINGLE = {"í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ", "ñ": "đ"}


def _vni_pairs() -> dict[str, str]:
    """VNI character sequences -> Unicode letters, lower and upper case."""
    pairs: dict[str, str] = dict(_VNI_SINGLE)
    for vni, stem, marks, letters in _VNI_ROWS:
        if vni != letters[0]:
            pairs[vni] = letters[0]
        for mark, letter in zip(marks, letters[1:], strict=True):
            pairs[stem + mark] = letter
    return {**pairs, **{k.upper(): v.upper() for k, v in pairs.items()}}


_VNI_MAP = _vni_pairs()
_VNI_PATTERN = re.compile("|".join(re.escape(k) for k in sorted(_VNI_MAP, key=len, reverse=True)))

# Letters of Unicode Vietnamese that lie in Latin-1 (and so may appear in both worlds).
_VIET_LATIN1 = set("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")
# Characters that exist only in Unicode Vietnamese: their presence means the text is Unicode.
_UNICODE_ONLY = re.compile("[ăĂđĐĩĨũŨơƠưƯ\u1ea0-\u1ef9\u0300-\u0323]")
_FOREIGN = re.compile("[\u0080-\u00ff]")
_TCVN3_ONLY = re.compile("[\u00a1-\u00bf]")

_ONSET = r"(?P<onset>ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
# Vowel groups that end the syllable (their last vowel is a glide): no final consonant follows.
_OPEN = (
    "iêu|oai|oay|oao|oeo|uây|uôi|uya|uyu|ươi|ươu|yêu|"
    "ai|ao|au|ay|âu|ây|eo|êu|ia|iu|oi|ôi|ơi|ua|ui|ưa|ưi|ưu"
)
# Vowel groups that may take a final consonant.
_CLOSED = "iê|oa|oă|oe|uâ|uê|uô|uơ|uy|uyê|ươ|yê|a|ă|â|e|ê|i|o|ô|ơ|u|ư|y"
_SYLLABLE = re.compile(
    rf"{_ONSET}(?:(?P<open>{_OPEN})|(?P<closed>{_CLOSED})(?P<coda>ch|ng|nh|[cmnpt])?|"
    r"(?P<oo>oo)(?P<oocoda>ng|c))"
)
# Groups whose tone may sit on either vowel (old and new spelling: hoà / hòa, thuý / thúy).
_EITHER = {"oa", "oe", "uy"}
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
    """True if ``word`` is a well-formed Vietnamese syllable with its tone mark in place.

    The place of the tone tells legacy text apart: VNI ``Xaõ`` (for ``Xã``) reads as the valid
    letters x-a-õ, but a tone on the glide of ``ao`` is never written in Vietnamese.
    """
    decomposed = unicodedata.normalize("NFD", word.lower())
    toned = [
        i
        for i, ch in enumerate(unicodedata.normalize("NFC", decomposed))
        if any(ord(m) in _TONE_MARKS for m in unicodedata.normalize("NFD", ch))
    ]
    bare = unicodedata.normalize("NFC", decomposed.translate(_TONE_MARKS))
    match = _SYLLABLE.fullmatch(bare)
    if match is None or len(toned) > 1:
        return False
    if not toned:
        return True
    group = next(g for g in ("open", "closed", "oo") if match.group(g))
    vowels = match.group(group)
    position = toned[0] - match.start(group)
    if len(vowels) == 1 or group == "oo":
        return True
    if group == "open":
        # Falling groups carry the tone on their first vowel, three-vowel groups on the middle.
        return position == (1 if len(vowels) == 3 else 0)
    if vowels in _EITHER and not match.group("coda"):
        return position in (0, 1)
    return position == len(vowels) - 1  # hoàng, tiến, thuyền, người


def _score(text: str) -> int:
    """Valid Vietnamese syllables minus invalid words minus stray Western characters."""
    words = [w for w in _WORD.findall(text) if not w.isascii()]
    valid = sum(_is_syllable(w) for w in words)
    return 2 * valid - len(words) - 2 * len(_FOREIGN.findall(_strip_latin1_letters(text)))


def _strip_latin1_letters(text: str) -> str:
    """The text without the Latin-1 letters Vietnamese uses."""
    return "".join(ch for ch in text if ch not in _VIET_LATIN1)


def detect_legacy(text: str, font: str | None = None) -> str | None:
    """The legacy encoding ``text`` was probably typed in (``tcvn3``, ``vni``), or None.

    ``font`` is the cell's font name when known: ``.VnTime`` points to TCVN3, ``VNI-...`` to VNI,
    and breaks ties between the two readings.
    """
    if not isinstance(text, str) or text.isascii() or _UNICODE_ONLY.search(text):
        return None
    if not _FOREIGN.search(text):
        return None
    hint = font_encoding(font)
    if hint is None and _TCVN3_ONLY.search(text):
        hint = TCVN3  # symbols such as ¸ ¹ ¬ stand for letters only in TCVN3
    base = _score(text)
    readings = []
    for encoding in (TCVN3, VNI):
        converted = to_unicode(text, encoding)
        if converted == unicodedata.normalize("NFC", text):
            continue
        score = _score(converted)
        if score > base or (score == base and encoding == hint):
            # Ties between the readings: fewer Western letters left over, then the font's
            # encoding, then VNI (whose marks follow a vowel and read as letters more often).
            leftover = len(_FOREIGN.findall(converted))
            preferred = encoding == (hint or VNI)
            readings.append((score, -leftover, preferred, encoding))
    return max(readings)[3] if readings else None


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
