"""Vietnamese text typed in the legacy TCVN3 and VNI encodings: detected, converted, and never
confused with Unicode text."""

from __future__ import annotations

import pytest

from analysis.data import reference
from analysis.intake.legacy_text import TCVN3, VNI, detect_legacy, font_encoding, to_unicode

# Pairs written out by hand from the TCVN3 and VNI-Windows tables.
PAIRS = [
    ("Lạng Sơn", "L¹ng S¬n", "Laïng Sôn"),
    ("Thành phố Lạng Sơn", "Thµnh phè L¹ng S¬n", "Thaønh phoá Laïng Sôn"),
    ("Huyện Văn Quan", "HuyÖn V¨n Quan", "Huyeän Vaên Quan"),
    ("Nấu rượu men lá", "NÊu r\xadîu men l¸", "Naáu röôïu men laù"),
    ("Đường phên", "§\xadêng phªn", "Ñöôøng pheân"),
    ("Nguyễn Thị Lan", "NguyÔn ThÞ Lan", "Nguyeãn Thò Lan"),
]


@pytest.mark.parametrize(("unicode", "tcvn3", "vni"), PAIRS)
def test_conversion_and_detection(unicode: str, tcvn3: str, vni: str) -> None:
    assert to_unicode(tcvn3, TCVN3) == unicode
    assert to_unicode(vni, VNI) == unicode
    assert detect_legacy(tcvn3) == TCVN3
    assert detect_legacy(vni) == VNI
    assert detect_legacy(unicode) is None


def _place_names() -> list[str]:
    names = set(reference.districts()["name_vi"]) | set(reference.communes_2025()["name_vi"])
    return sorted(names | set(reference.communes_pre2025()["name_vi"]))


def test_unicode_place_names_are_never_flagged() -> None:
    assert [n for n in _place_names() if detect_legacy(n) is not None] == []


def test_place_names_in_legacy_encodings_are_detected() -> None:
    """Every district and commune name, encoded back to TCVN3 and VNI, is recognised."""
    from analysis.intake.legacy_text import _TCVN3_FROM, _TCVN3_TO, _VNI_MAP

    to_tcvn3 = str.maketrans(_TCVN3_TO, _TCVN3_FROM)
    to_vni = {v: k for k, v in sorted(_VNI_MAP.items(), key=lambda kv: -len(kv[0]))}
    missed = []
    for name in _place_names():
        tcvn3 = name.translate(to_tcvn3)
        vni = "".join(to_vni.get(ch, ch) for ch in name)
        if tcvn3 != name and detect_legacy(tcvn3) != TCVN3:
            missed.append(tcvn3)
        if vni != name and detect_legacy(vni) != VNI:
            missed.append(vni)
    assert missed == []


def test_plain_text_and_other_languages_are_left_alone() -> None:
    for text in ("Na Ro", "Khòn Pá", "Café", "12/2024", "", "OCOP 4 sao"):
        assert detect_legacy(text) is None


def test_font_breaks_what_text_alone_cannot() -> None:
    # "Kú Lõa" (Kỳ Lừa in TCVN3) reads as valid Vietnamese letters; the cell's font tells.
    assert detect_legacy("Kú Lõa") is None
    assert detect_legacy("Kú Lõa", font=".VnTime") == TCVN3
    assert font_encoding("VNI-Times") == VNI and font_encoding("Times New Roman") is None


def test_unknown_encoding_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown legacy encoding"):
        to_unicode("x", "viscii")
