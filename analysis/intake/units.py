"""Reporting units named on a cover sheet: by code, by name written any usual way, or both."""

from __future__ import annotations

import difflib

import pandas as pd

from analysis.core.text import nfc
from analysis.data.problems import is_blank
from analysis.data.timeliness import commune_reporting_from
from analysis.intake.workbook import (
    reporting_unit_table,
    sheet_key,
    unit_level_for_year,
)

# ------------------------------------------------------------------------------- place names

_UNIT_PREFIXES = (
    "uy ban nhan dan",
    "ubnd",
    "thanh pho",
    "tp",
    "huyen",
    "h",
    "thi xa",
    "tx",
    "thi tran",
    "tt",
    "xa",
    "phuong",
    "p",
    "so",
    "department of",
)
_UNIT_SUFFIXES = ("district", "commune", "ward", "city", "town", "department")


def place_key(text: str) -> str:
    """A comparison key for a unit's name: no diacritics, case, punctuation, nor administrative
    words (``TP. Lạng Sơn``, ``Thành phố Lạng Sơn`` and ``thanh pho lang son`` -> ``lang son``)."""
    key = sheet_key(text)
    changed = True
    while changed:
        changed = False
        for prefix in _UNIT_PREFIXES:
            if key.startswith(prefix + " "):
                key, changed = key[len(prefix) + 1 :], True
        for suffix in _UNIT_SUFFIXES:
            if key.endswith(" " + suffix):
                key, changed = key[: -len(suffix) - 1], True
    return key


_LEVEL_WORDS = {
    "huyen": "district",
    "h": "district",
    "thanh pho": "district",
    "tp": "district",
    "thi xa": "district",
    "tx": "district",
    "xa": "commune",
    "phuong": "commune",
    "p": "commune",
    "thi tran": "commune",
    "tt": "commune",
    "so": "department",
}


def _level_hint(text: str) -> str | None:
    """The level a name's first word says (``Huyện …`` district, ``Xã …`` commune)."""
    key = sheet_key(text)
    for prefix in ("uy ban nhan dan ", "ubnd "):
        key = key.removeprefix(prefix)
    return next((level for word, level in _LEVEL_WORDS.items() if key.startswith(word + " ")), None)


def _unit_keys() -> pd.DataFrame:
    """Every unit with the comparison key of each of its names."""
    units = reporting_unit_table()
    keys = pd.concat(
        [
            units.assign(key=units[c].map(place_key))
            for c in ("name_vi", "short_name_vi", "name_en")
        ],
        ignore_index=True,
    )
    return keys.drop_duplicates(["code", "level", "key"])


def _code_text(value: object) -> str | None:
    """A code as text: ``6187`` or ``6187.0`` typed as a number keeps its meaning."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value)).upper()


def resolve_unit(
    code: object, name: object, year: int | None
) -> tuple[pd.Series | None, list[tuple[str, dict[str, object]]]]:
    """The reporting unit of a cover sheet, from its code, its name written any usual way, or
    both. Returns (unit row or None, [(problem code, message values)])."""
    units = reporting_unit_table()
    code_text = _code_text(code)
    name_text = None if is_blank(name) else nfc(str(name))
    if code_text is None and name_text is None:
        return None, [("unit_missing", {})]
    level = unit_level_for_year(year) if year is not None else None
    by_code = pd.DataFrame()
    if code_text is not None:
        tries = {code_text, code_text.zfill(3), code_text.zfill(5)}
        by_code = units[units["code"].str.upper().isin(tries)]
        if by_code.empty:
            return None, [("unknown_unit", {"value": code_text})]
    by_name = pd.DataFrame()
    if name_text is not None:
        keys = _unit_keys()
        by_name = keys[keys["key"] == place_key(name_text)]
        hint = _level_hint(name_text)
        if hint is not None and (by_name["level"] == hint).any():
            by_name = by_name[by_name["level"] == hint]  # "Huyện Cao Lộc" is not "Xã Cao Lộc"
    if not by_code.empty:
        if len(by_code) > 1 and level is not None:
            by_code = by_code[by_code["level"].isin([level, "department"])].head(1)
        unit = by_code.iloc[0]
        if name_text is not None and unit["code"] not in set(by_name["code"]):
            return None, [
                (
                    "unit_mismatch",
                    {"code": unit["code"], "name": unit["name_vi"], "value": name_text},
                )
            ]
    else:
        if by_name.empty:
            near = difflib.get_close_matches(
                place_key(name_text), list(_unit_keys()["key"]), n=3, cutoff=0.75
            )
            hint = (
                (f" Có phải: {', '.join(near)}?", f" Did you mean: {', '.join(near)}?")
                if near
                else ("", "")
            )
            return None, [
                ("unknown_unit", {"value": name_text, "hint": hint[0], "hint_en": hint[1]})
            ]
        fitting = by_name[by_name["level"].isin([level, "department"])] if level else by_name
        fitting = fitting.drop_duplicates("code")
        if len(fitting) > 1:
            names = ", ".join(f"{r.code} {r.name_vi}" for r in fitting.itertuples())
            return None, [("ambiguous_unit", {"value": name_text, "candidates": names})]
        unit = (fitting if len(fitting) else by_name).iloc[0]
    if level is not None and unit["level"] not in (level, "department"):
        return None, [("wrong_level", _wrong_level(unit, year))]
    return unit, []


def _wrong_level(unit: pd.Series, year: int | None) -> dict[str, object]:
    """Message values when a unit of the wrong level reports for a year."""
    first = commune_reporting_from()
    if unit["level"] == "district":
        why = (
            f"từ năm báo cáo {first}, các xã, phường báo cáo thay cho cấp huyện (cấp huyện kết "
            "thúc hoạt động từ 01/7/2025); hãy dùng biểu mẫu của xã, phường."
        )
        why_en = (
            f"from the {first} report on, the communes and wards report instead of the "
            "districts (abolished on 1 Jul 2025); use the commune's template."
        )
    else:
        why = f"năm {year} do các huyện, thành phố báo cáo; xã, phường chỉ báo cáo từ năm {first}."
        why_en = f"the {year} report is sent by the districts; the communes report from {first} on."
    return {"name": f"{unit['code']} {unit['name_vi']}", "why": why, "why_en": why_en}
