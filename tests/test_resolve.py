"""Names of places and villages, and the Vietnamese order of names: slug, code, name with and
without diacritics; a shared name and a misspelt one are errors listing the candidates."""

from __future__ import annotations

import pandas as pd
import pytest
from indicator_fixtures import make_dataset

from analysis.core.errors import UsageError
from analysis.core.text import sort_vi, vi_order, vi_sort_key
from analysis.data.resolve import (
    AmbiguousNameError,
    UnknownNameError,
    resolve_place,
    resolve_places,
    resolve_village,
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("cao-loc", "cao-loc"),  # slug
        ("CAO-LOC", "cao-loc"),
        ("183", "cao-loc"),  # GSO code of the district-level area
        ("06220", "xa-cong-son"),  # code of the 2025 commune
        ("Huyện Cao Lộc", "cao-loc"),  # full name
        ("huyen cao loc", "cao-loc"),  # without diacritics, lower case
        ("Xã Công Sơn", "xa-cong-son"),
        ("cong son", "xa-cong-son"),  # short name, one place only
        ("Công  Sơn ", "xa-cong-son"),
        ("Lạng Sơn", "tinh-lang-son"),
        ("Cao Loc District", "cao-loc"),  # English name
    ],
)
def test_place_by_slug_code_or_name(given: str, expected: str) -> None:
    assert resolve_place(given) == expected


def test_a_shared_name_is_never_guessed() -> None:
    # Cao Lộc is a district-level area and (since 2025) a commune.
    with pytest.raises(AmbiguousNameError) as info:
        resolve_place("Cao Lộc")
    assert info.value.candidates == ["cao-loc", "xa-cao-loc"]
    assert "Huyện Cao Lộc" in str(info.value) and "Xã Cao Lộc" in str(info.value)
    with pytest.raises(AmbiguousNameError):
        resolve_place("bac son")
    assert isinstance(info.value, UsageError)
    # The level settles it.
    assert resolve_place("Cao Lộc", level="commune") == "xa-cao-loc"
    assert resolve_place("bac son", level="district") == "bac-son"


def test_a_misspelt_name_lists_the_close_matches() -> None:
    with pytest.raises(UnknownNameError, match="did you mean") as info:
        resolve_place("Cao Lox")
    assert set(info.value.candidates) == {"cao-loc", "xa-cao-loc"}
    with pytest.raises(UnknownNameError) as info:
        resolve_place("Trang Dihn", level="district")
    assert info.value.candidates[0] == "trang-dinh"
    with pytest.raises(UsageError, match="unknown level"):
        resolve_place("cao-loc", level="village")


def test_several_places_at_once() -> None:
    assert resolve_places("cao-loc, Xã Công Sơn") == ["cao-loc", "xa-cong-son"]
    assert resolve_places(["183", "180"]) == ["cao-loc", "trang-dinh"]


@pytest.fixture(scope="module")
def villages():
    rows = [
        {"village_id": "CL-HAQUANG", "name_vi": "Thôn Hà Quảng"},
        {"village_id": "VL-NAPA", "name_vi": "Thôn Nà Pá"},
        {"village_id": "TD-NAPA", "name_vi": "Bản Nà Pá", "commune_code": "06004"},
    ]
    return make_dataset(rows, [{"village_id": "CL-HAQUANG", "year": 2021}]).villages


def test_village_by_id_or_name(villages) -> None:
    assert resolve_village(villages, "CL-HAQUANG") == "CL-HAQUANG"
    assert resolve_village(villages, "cl-haquang") == "CL-HAQUANG"
    assert resolve_village(villages, "Thôn Hà Quảng") == "CL-HAQUANG"
    assert resolve_village(villages, "ha quang") == "CL-HAQUANG"  # no "Thôn", no diacritics


def test_village_shared_or_misspelt_name(villages) -> None:
    with pytest.raises(AmbiguousNameError, match="Xã Quốc Khánh") as info:
        resolve_village(villages, "Nà Pá")
    assert sorted(info.value.candidates) == ["TD-NAPA", "VL-NAPA"]
    with pytest.raises(UnknownNameError) as info:
        resolve_village(villages, "Ha Quan")
    assert info.value.candidates == ["CL-HAQUANG"]


def test_names_in_vietnamese_order() -> None:
    names = ["Ưng", "Đồng", "Ơn", "Dương", "Ăn", "Ba", "Ân", "An", "Ôn", "On", "Ung", "Ê", "E"]
    assert sort_vi(names) == [
        "An", "Ăn", "Ân", "Ba", "Dương", "Đồng", "E", "Ê", "On", "Ôn", "Ơn", "Ung", "Ưng",
    ]  # fmt: skip
    # Tones only after the letters: level, huyền, hỏi, ngã, sắc, nặng; then the next letter.
    assert sort_vi(["Bạn", "Bán", "Bàn", "Ban", "Bản", "Bãn", "Bam"]) == [
        "Bam", "Ban", "Bàn", "Bản", "Bãn", "Bán", "Bạn",
    ]  # fmt: skip
    assert sort_vi(["Đà Lạt", "Da Nang", "Đa"]) == ["Da Nang", "Đa", "Đà Lạt"]
    # Code-point order puts Đ after Z; Vietnamese order after D.
    assert sorted(["Đông", "Zô", "Dê"]) == ["Dê", "Zô", "Đông"]
    assert sort_vi(["Đông", "Zô", "Dê"]) == ["Dê", "Đông", "Zô"]
    # Case, and decomposed (NFD) text, do not change the order.
    assert vi_sort_key("ân")[:2] == vi_sort_key("Â" + "n")[:2]
    assert vi_sort_key("Ơn") == vi_sort_key("O\u031bn")


def test_vi_order_sorts_a_frame() -> None:
    frame = pd.DataFrame({"name": ["Ưng", None, "Đồng", "Ăn", "Dương"]})
    ordered = frame.sort_values("name", key=vi_order)["name"].tolist()
    assert ordered[:4] == ["Ăn", "Dương", "Đồng", "Ưng"] and pd.isna(ordered[4])


def test_index_page_lists_places_in_vietnamese_order() -> None:
    from analysis.reports.index_page import report_groups

    entries = [
        {"job": {"year": 2025, "kind": "district", "place_id": p}, "outputs": {"html": f"{p}.html"}}
        for p in ("huu-lung", "dinh-lap", "bac-son")
    ]
    [year] = report_groups(entries, "vi")
    assert [kind["name"] for kind in year["kinds"]] == ["Báo cáo địa bàn cấp huyện"]
    assert report_groups(entries, "en")[0]["kinds"][0]["name"] == "District-level reports"
    names = [item["name"] for item in year["kinds"][0]["items"]]
    # By code point Đ comes after H; in Vietnamese order after D, before H.
    assert names == ["Huyện Bắc Sơn", "Huyện Đình Lập", "Huyện Hữu Lũng"]
