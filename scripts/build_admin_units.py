"""Build the administrative-unit reference tables of Lạng Sơn province (code 20).

The tables are generated from the two PyPI libraries of the field:

- ``vietnam-provinces``: the commune-level units from 1 Jul 2025, with codes and diacritics;
- ``vietnamadminunits``: the pre-2025 districts and communes, their coordinates, the
  coordinates of the 2025 units and the old-to-new conversion table.

After reading the libraries the script applies ``data/reference/unit_corrections.csv``
(hand-maintained, each row with its reason and source), checks the result against docs/domain.md
section 3 (counts, ward names, ASCII commune names, district codes) and against the other
library, and writes::

    data/reference/districts.csv
    data/reference/communes_pre2025.csv
    data/reference/communes_2025.csv
    data/reference/commune_map.csv
    data/reference/admin_units_meta.yaml

Any failed check stops the script with a message and exit code 1, before anything is written.
The output depends only on the installed library versions and the correction table: running
it twice gives identical files (the generation date in the YAML file is kept while nothing
else changes).

Run: ``.venv/bin/python scripts/build_admin_units.py``
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DIR = ROOT / "data" / "reference"
CORRECTIONS_PATH = REFERENCE_DIR / "unit_corrections.csv"
META_PATH = REFERENCE_DIR / "admin_units_meta.yaml"

PROVINCE_CODE = 20
PROVINCE_KEY = "tinhlangson"  # vietnamadminunits' key of the province

Row = dict[str, str]

# --- Expectations from docs/domain.md section 3 ----------------------------------------------

# (GSO code, slug, short name, English name), in GSO order.
EXPECTED_DISTRICTS: tuple[tuple[str, str, str, str], ...] = (
    ("178", "thanh-pho-lang-son", "TP. Lạng Sơn", "Lang Son City"),
    ("180", "trang-dinh", "Tràng Định", "Trang Dinh District"),
    ("181", "binh-gia", "Bình Gia", "Binh Gia District"),
    ("182", "van-lang", "Văn Lãng", "Van Lang District"),
    ("183", "cao-loc", "Cao Lộc", "Cao Loc District"),
    ("184", "van-quan", "Văn Quan", "Van Quan District"),
    ("185", "bac-son", "Bắc Sơn", "Bac Son District"),
    ("186", "huu-lung", "Hữu Lũng", "Huu Lung District"),
    ("187", "chi-lang", "Chi Lăng", "Chi Lang District"),
    ("188", "loc-binh", "Lộc Bình", "Loc Binh District"),
    ("189", "dinh-lap", "Đình Lập", "Dinh Lap District"),
)
EXPECTED_WARDS_2025 = frozenset({"Tam Thanh", "Lương Văn Tri", "Kỳ Lừa", "Đông Kinh"})
_EXPECTED_COMMUNES_ASCII = """
    That Khe, Doan Ket, Tan Tien, Trang Dinh, Quoc Khanh, Khang Chien, Quoc Viet, Binh Gia,
    Tan Van, Hong Phong, Hoa Tham, Quy Hoa, Thien Hoa, Thien Thuat, Thien Long, Bac Son, Hung Vu,
    Vu Lang, Nhat Hoa, Vu Le, Tan Tri, Van Quan, Diem He, Yen Phuc, Tri Le, Tan Doan, Khanh Khe,
    Na Sam, Hoang Van Thu, Thuy Hung, Van Lang, Hoi Hoan, Loc Binh, Mau Son, Na Duong, Loi Bac,
    Thong Nhat, Xuan Duong, Khuat Xa, Dinh Lap, Thai Binh, Chau Son, Kien Moc, Huu Lung,
    Tuan Son, Tan Thanh, Van Nham, Thien Tan, Yen Binh, Huu Lien, Cai Kinh, Chi Lang, Quan Son,
    Chien Thang, Nhan Ly, Bang Mac, Van Linh, Dong Dang, Cao Loc, Cong Son, Ba Son"""
EXPECTED_COMMUNES_2025_ASCII: tuple[str, ...] = tuple(
    name.strip() for name in _EXPECTED_COMMUNES_ASCII.split(",")
)
EXPECTED_COUNTS = {"districts": 11, "units_2025": 65, "xa_2025": 61, "phuong_2025": 4}

# Communes merged away on 1 Dec 2024 (district code, full name): the pre-2025 list must not hold
# them, or the date stated in the metadata would be wrong.
ABOLISHED_2024: tuple[tuple[str, str], ...] = (
    ("180", "Xã Vĩnh Tiến"),
    ("180", "Xã Đại Đồng"),
    ("184", "Xã Đồng Giáp"),
    ("184", "Xã Tràng Các"),
    ("188", "Xã Tĩnh Bắc"),
    ("186", "Xã Sơn Hà"),
)

# Library behaviour the brief relies on: this address must convert to this 2025 unit.
CONVERSION_EXAMPLE = ("Xã Song Giang, Huyện Văn Quan, Tỉnh Lạng Sơn", "Xã Điềm He")

# Vietnamese type prefixes of commune-level names -> our kind codes.
KIND_PREFIXES: tuple[tuple[str, str], ...] = (
    ("Thị trấn", "thi_tran"),
    ("Phường", "phuong"),
    ("Xã", "xa"),
)
KIND_EN = {"xa": "Commune", "phuong": "Ward"}

COLUMNS: dict[str, tuple[str, ...]] = {
    "districts": ("code", "slug", "name_vi", "short_name_vi", "name_en", "source", "verified"),
    "communes_pre2025": (
        "code",
        "name_vi",
        "short_name_vi",
        "kind",
        "district_code",
        "lat",
        "lon",
        "source",
        "verified",
    ),
    "communes_2025": (
        "code",
        "slug",
        "name_vi",
        "short_name_vi",
        "name_en",
        "kind",
        "lat",
        "lon",
        "coord_source",
        "source",
        "verified",
    ),
    "commune_map": (
        "old_code",
        "old_name_vi",
        "district_code",
        "new_code",
        "new_name_vi",
        "is_default",
        "source",
    ),
}
CORRECTION_COLUMNS = (
    "table",
    "code",
    "column",
    "library_value",
    "corrected_value",
    "reason",
    "source",
)


class BuildError(Exception):
    """A check failed: the reference tables would be wrong, so nothing is written."""


# --- Text helpers --------------------------------------------------------------------------------


def nfc(text: str) -> str:
    """Return ``text`` NFC-normalised and stripped of surrounding blanks."""
    return unicodedata.normalize("NFC", text).strip()


def strip_diacritics(text: str) -> str:
    """Return ``text`` without Vietnamese diacritics (đ/Đ become d/D)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slugify(text: str) -> str:
    """Return an ASCII, lower-case, hyphenated slug of a Vietnamese name."""
    ascii_text = strip_diacritics(text).lower()
    words = "".join(ch if ch.isalnum() else " " for ch in ascii_text).split()
    return "-".join(words)


def split_kind(name: str) -> tuple[str, str]:
    """Split a full unit name into (kind code, short name), e.g. ``("xa", "Đại Đồng")``."""
    for prefix, kind in KIND_PREFIXES:
        if name.startswith(prefix + " "):
            return kind, name[len(prefix) + 1 :]
    raise BuildError(f"unknown unit type in name {name!r}")


def code5(value: int | str) -> str:
    """Return a commune code as a zero-padded 5-digit string."""
    return f"{int(value):05d}"


def fmt_bool(value: bool) -> str:
    """Return the CSV spelling of a boolean (``true``/``false``)."""
    return "true" if value else "false"


def fmt_coord(value: float | None) -> str:
    """Return a coordinate as text (empty when missing), at most 6 decimals."""
    if value is None:
        return ""
    return f"{round(float(value), 6):.6f}".rstrip("0").rstrip(".")


# --- Reading the libraries -----------------------------------------------------------------------


def library_versions() -> dict[str, str]:
    """Return the installed versions of the two libraries and vietnam-provinces' data date."""
    import vietnam_provinces

    return {
        "vietnam-provinces": version("vietnam-provinces"),
        "vietnam-provinces-data": vietnam_provinces.__data_version__,
        "vietnamadminunits": version("vietnamadminunits"),
    }


def read_units_2025_vp() -> list[Row]:
    """Read the province's 2025 units from vietnam-provinces."""
    from vietnam_provinces import ProvinceCode, Ward

    rows = []
    for ward in Ward.iter_by_province(ProvinceCode(PROVINCE_CODE)):
        rows.append(
            {
                "code": code5(ward.code),
                "name_vi": nfc(ward.name),
                "division_type": ward.division_type.value,
            }
        )
    return sorted(rows, key=lambda r: r["code"])


def read_legacy_vau() -> list[dict[str, Any]]:
    """Read the province's pre-2025 units (one row per commune) from vietnamadminunits."""
    from vietnamadminunits.database import query

    sql = (
        "SELECT DISTINCT district, districtCode, districtKey, ward, wardCode, wardKey, "
        "wardLat, wardLon FROM admin_units_legacy "
        f"WHERE provinceCode = '{PROVINCE_CODE:02d}' ORDER BY wardCode"
    )
    return query(sql)


def read_units_2025_vau() -> list[dict[str, Any]]:
    """Read the province's 2025 units (with coordinates) from vietnamadminunits."""
    from vietnamadminunits.database import query

    sql = (
        "SELECT DISTINCT ward, wardCode, wardKey, wardLat, wardLon FROM admin_units "
        f"WHERE provinceCode = '{PROVINCE_CODE:02d}' ORDER BY wardCode"
    )
    return query(sql)


def read_conversion_vau() -> list[tuple[str, str, bool]]:
    """Return vietnamadminunits' conversion as (old key, new ward key, is default) triples.

    Old keys are ``province_district_ward`` keys of the legacy table; communes not split have
    one row (default), split communes one row per receiving 2025 unit.
    """
    from vietnamadminunits.converter.converter_2025 import (
        DICT_PROVINCE_WARD_DIVIDED,
        DICT_PROVINCE_WARD_NO_DIVIDED,
    )

    triples = []
    for new_key, old_keys in DICT_PROVINCE_WARD_NO_DIVIDED[PROVINCE_KEY].items():
        triples.extend((old_key, new_key, True) for old_key in old_keys)
    for old_key, parts in DICT_PROVINCE_WARD_DIVIDED.get(PROVINCE_KEY, {}).items():
        triples.extend((old_key, p["newWardKey"], bool(p["isDefaultNewWard"])) for p in parts)
    return sorted(triples)


def convert_example_vau(address: str) -> str:
    """Return the 2025 unit name vietnamadminunits gives for an old address."""
    from vietnamadminunits import convert_address

    return nfc(convert_address(address).ward or "")


# --- Corrections ---------------------------------------------------------------------------------


def read_corrections(path: Path) -> list[Row]:
    """Read the correction table (header only is fine)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != CORRECTION_COLUMNS:
            raise BuildError(f"{path.name}: columns must be {', '.join(CORRECTION_COLUMNS)}")
        rows = [{k: nfc(v or "") for k, v in row.items()} for row in reader]
    unknown = sorted({r["table"] for r in rows} - set(COLUMNS))
    if unknown:
        raise BuildError(f"{path.name}: unknown tables {unknown}")
    return rows


def apply_corrections(table: str, rows: Sequence[Row], corrections: Iterable[Row]) -> list[Row]:
    """Return ``rows`` with the corrections of ``table`` applied.

    A correction names a row by ``code`` (for ``commune_map``: the old code, together with the
    library's value of ``column``) and must find the library value it expects there; otherwise
    the library changed and the correction has to be reviewed, so the build stops. In
    ``commune_map`` an empty ``corrected_value`` removes the row.
    """
    key = "old_code" if table == "commune_map" else "code"
    result = [dict(row) for row in rows]
    for corr in (c for c in corrections if c["table"] == table):
        column = corr["column"]
        if column not in COLUMNS[table]:
            raise BuildError(f"correction for {table}: unknown column {column!r}")
        hits = [
            i
            for i, row in enumerate(result)
            if row[key] == corr["code"]
            and (table != "commune_map" or row[column] == corr["library_value"])
        ]
        if len(hits) != 1:
            raise BuildError(
                f"stale correction {table}/{corr['code']}/{column}: expected one row with the "
                f"library value {corr['library_value']!r}, found {len(hits)}"
            )
        row = result[hits[0]]
        if row[column] != corr["library_value"]:
            raise BuildError(
                f"stale correction {table}/{corr['code']}/{column}: library now has "
                f"{row[column]!r}, correction expects {corr['library_value']!r}"
            )
        if table == "commune_map" and corr["corrected_value"] == "":
            del result[hits[0]]
            for other in result:
                if other["old_code"] == corr["code"]:
                    other["source"] = (
                        f"{other['source']}; row to {corr['library_value']} removed "
                        "(unit_corrections.csv)"
                    )
            continue
        row[column] = corr["corrected_value"]
        row["source"] = f"{row['source']}; {column} corrected (unit_corrections.csv)"
    return result


# --- Building the tables -------------------------------------------------------------------------


def build_districts(legacy: Sequence[Mapping[str, Any]], source: str) -> list[Row]:
    """Return the 11 district-level units, checked against the brief's codes and names."""
    names = {str(r["districtCode"]): nfc(r["district"]) for r in legacy}
    rows = []
    for code, slug, short, name_en in EXPECTED_DISTRICTS:
        name_vi = names.get(code, "")
        library_short = name_vi.removeprefix("Thành phố ").removeprefix("Huyện ")
        expected_short = "Lạng Sơn" if code == "178" else short
        rows.append(
            {
                "code": code,
                "slug": slug,
                "name_vi": name_vi,
                "short_name_vi": short,
                "name_en": name_en,
                "source": source,
                "verified": fmt_bool(library_short == expected_short),
            }
        )
    extra = sorted(set(names) - {d[0] for d in EXPECTED_DISTRICTS})
    if extra:
        raise BuildError(f"unexpected district codes in the library: {extra}")
    return rows


def build_communes_pre2025(legacy: Sequence[Mapping[str, Any]], source: str) -> list[Row]:
    """Return the pre-2025 commune-level units as the library has them."""
    rows = []
    for r in legacy:
        name_vi = nfc(r["ward"])
        kind, short = split_kind(name_vi)
        rows.append(
            {
                "code": code5(r["wardCode"]),
                "name_vi": name_vi,
                "short_name_vi": short,
                "kind": kind,
                "district_code": str(r["districtCode"]),
                "lat": fmt_coord(r["wardLat"]),
                "lon": fmt_coord(r["wardLon"]),
                "source": source,
                "verified": "true",
            }
        )
    return sorted(rows, key=lambda r: r["code"])


def build_units_2025(vp_rows: Sequence[Row], source: str) -> list[Row]:
    """Return the 2025 units from vietnam-provinces, before corrections and coordinates."""
    kinds = {"xã": "xa", "phường": "phuong"}
    rows = []
    for r in vp_rows:
        if r["division_type"] not in kinds:
            raise BuildError(f"unexpected unit type {r['division_type']!r} for {r['name_vi']}")
        kind, short = split_kind(r["name_vi"])
        if kind != kinds[r["division_type"]]:
            raise BuildError(f"type and name disagree for {r['name_vi']}")
        rows.append(
            {
                "code": r["code"],
                "slug": slugify(r["name_vi"]),
                "name_vi": r["name_vi"],
                "short_name_vi": short,
                "name_en": f"{strip_diacritics(short)} {KIND_EN[kind]}",
                "kind": kind,
                "lat": "",
                "lon": "",
                "coord_source": "",
                "source": source,
                "verified": "false",
            }
        )
    return rows


def build_commune_map(
    legacy: Sequence[Mapping[str, Any]],
    vau_2025: Sequence[Mapping[str, Any]],
    triples: Sequence[tuple[str, str, bool]],
    source: str,
) -> list[Row]:
    """Return old commune -> 2025 unit rows from vietnamadminunits' conversion table."""
    old_by_key = {f"{PROVINCE_KEY}_{r['districtKey']}_{r['wardKey']}": r for r in legacy}
    new_by_key = {r["wardKey"]: r for r in vau_2025}
    rows = []
    for old_key, new_key, is_default in triples:
        if old_key not in old_by_key or new_key not in new_by_key:
            raise BuildError(f"conversion refers to unknown units: {old_key} -> {new_key}")
        old, new = old_by_key[old_key], new_by_key[new_key]
        rows.append(
            {
                "old_code": code5(old["wardCode"]),
                "old_name_vi": nfc(old["ward"]),
                "district_code": str(old["districtCode"]),
                "new_code": code5(new["wardCode"]),
                "new_name_vi": nfc(new["ward"]),
                "is_default": fmt_bool(is_default),
                "source": source,
            }
        )
    return rows


def add_coordinates(
    units: Sequence[Row],
    vau_2025: Sequence[Mapping[str, Any]],
    communes_pre: Sequence[Row],
    mapping: Sequence[Row],
    vau_source: str,
) -> list[Row]:
    """Return the 2025 units with coordinates.

    Coordinates come from vietnamadminunits' 2025 table when it has them for the code; else
    they are the mean of the pre-2025 communes mapped (by default) into the unit.
    """
    coords = {
        code5(r["wardCode"]): (r["wardLat"], r["wardLon"])
        for r in vau_2025
        if r["wardLat"] is not None and r["wardLon"] is not None
    }
    old_coords = {
        r["code"]: (float(r["lat"]), float(r["lon"])) for r in communes_pre if r["lat"] and r["lon"]
    }
    members: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for m in mapping:
        if m["is_default"] == "true" and m["old_code"] in old_coords:
            members[m["new_code"]].append(old_coords[m["old_code"]])
    result = []
    for unit in units:
        row = dict(unit)
        if row["code"] in coords:
            lat, lon = coords[row["code"]]
            row["coord_source"] = f"{vau_source} (admin_units: wardLat, wardLon)"
        elif members[row["code"]]:
            pts = members[row["code"]]
            lat = sum(p[0] for p in pts) / len(pts)
            lon = sum(p[1] for p in pts) / len(pts)
            row["coord_source"] = (
                f"mean of {len(pts)} pre-2025 communes mapped into it ({vau_source})"
            )
        else:
            lat = lon = None
            row["coord_source"] = "none"
        row["lat"], row["lon"] = fmt_coord(lat), fmt_coord(lon)
        result.append(row)
    return result


def cross_check_2025(
    units: Sequence[Row], vau_2025: Sequence[Mapping[str, Any]]
) -> tuple[list[Row], list[str]]:
    """Compare the 2025 units of the two libraries by code and name.

    Returns the units with ``verified`` set (true where both libraries agree on code and name)
    and the list of disagreements.
    """
    vau_names = {code5(r["wardCode"]): nfc(r["ward"]) for r in vau_2025}
    problems = []
    result = []
    for unit in units:
        row = dict(unit)
        other = vau_names.get(row["code"])
        row["verified"] = fmt_bool(other == row["name_vi"])
        if other != row["name_vi"]:
            problems.append(f"{row['code']} {row['name_vi']}: vietnamadminunits has {other!r}")
        result.append(row)
    missing = sorted(set(vau_names) - {u["code"] for u in units})
    problems.extend(f"{code} {vau_names[code]}: only in vietnamadminunits" for code in missing)
    return result, problems


# --- Checks against the brief --------------------------------------------------------------------


def check_tables(
    districts: Sequence[Row],
    communes_pre: Sequence[Row],
    units: Sequence[Row],
    mapping: Sequence[Row],
) -> list[str]:
    """Return the list of failed checks (empty when all is well)."""
    errors = []
    if len(districts) != EXPECTED_COUNTS["districts"]:
        errors.append(f"{len(districts)} districts, expected {EXPECTED_COUNTS['districts']}")
    errors += [
        f"district {d['code']}: name differs from the brief"
        for d in districts
        if d["verified"] != "true"
    ]
    kinds = Counter(u["kind"] for u in units)
    for label, got in (
        ("units_2025", len(units)),
        ("xa_2025", kinds["xa"]),
        ("phuong_2025", kinds["phuong"]),
    ):
        if got != EXPECTED_COUNTS[label]:
            errors.append(f"{label}: {got}, expected {EXPECTED_COUNTS[label]}")
    wards = {u["short_name_vi"] for u in units if u["kind"] == "phuong"}
    if wards != EXPECTED_WARDS_2025:
        errors.append(f"wards {sorted(wards)} differ from the brief")
    ascii_names = Counter(strip_diacritics(u["short_name_vi"]) for u in units if u["kind"] == "xa")
    for name in EXPECTED_COMMUNES_2025_ASCII:
        if ascii_names[name] != 1:
            errors.append(f"brief commune {name!r} matches {ascii_names[name]} units")
    extra = set(ascii_names) - set(EXPECTED_COMMUNES_2025_ASCII)
    if extra:
        errors.append(f"communes not in the brief: {sorted(extra)}")
    for table, rows, key in (
        ("communes_2025", units, "code"),
        ("communes_2025", units, "slug"),
        ("communes_pre2025", communes_pre, "code"),
    ):
        dup = [v for v, n in Counter(r[key] for r in rows).items() if n > 1]
        if dup:
            errors.append(f"{table}: duplicate {key} {sorted(dup)}")
    district_codes = {d["code"] for d in districts}
    errors += [
        f"commune {c['code']}: unknown district {c['district_code']}"
        for c in communes_pre
        if c["district_code"] not in district_codes
    ]
    new_codes = {u["code"] for u in units}
    errors += [
        f"map {m['old_code']} -> {m['new_code']}: no such 2025 unit"
        for m in mapping
        if m["new_code"] not in new_codes
    ]
    defaults = Counter(m["old_code"] for m in mapping if m["is_default"] == "true")
    errors += [
        f"pre-2025 commune {c['code']} has {defaults[c['code']]} default mappings"
        for c in communes_pre
        if defaults[c["code"]] != 1
    ]
    old_codes = {c["code"] for c in communes_pre}
    errors += [
        f"map row for unknown old code {m['old_code']}"
        for m in mapping
        if m["old_code"] not in old_codes
    ]
    present = {(c["district_code"], c["name_vi"]) for c in communes_pre}
    errors += [
        f"{name} ({district}) is in the pre-2025 list: it was merged on 1 Dec 2024"
        for district, name in ABOLISHED_2024
        if (district, name) in present
    ]
    return errors


# --- Writing -------------------------------------------------------------------------------------


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, str]]) -> None:
    """Write ``rows`` as UTF-8 CSV (no BOM, LF line ends, NFC text)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: nfc(row[c]) for c in columns})


def ambiguous_names(communes_pre: Sequence[Row]) -> dict[str, list[str]]:
    """Return short names shared by several pre-2025 communes, with their codes."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for c in communes_pre:
        by_name[c["short_name_vi"]].append(f"{c['code']} ({c['district_code']})")
    return {name: codes for name, codes in sorted(by_name.items()) if len(codes) > 1}


def same_name_note(communes_pre: Sequence[Row], mapping: Sequence[Row], short_name: str) -> str:
    """Return a sentence listing the pre-2025 communes called ``short_name`` and their fate."""
    districts = {d[0]: d[2] for d in EXPECTED_DISTRICTS}
    default_new = {m["old_code"]: m["new_name_vi"] for m in mapping if m["is_default"] == "true"}
    parts = [
        f"{c['code']} in {districts[c['district_code']]} ({c['district_code']}), now in "
        f"{default_new.get(c['code'], '?')}"
        for c in communes_pre
        if c["short_name_vi"] == short_name
    ]
    return f"{len(parts)} pre-2025 communes are called {short_name}: " + "; ".join(parts) + "."


def build_meta(
    versions: Mapping[str, str],
    tables: Mapping[str, Sequence[Row]],
    corrections: Sequence[Row],
) -> dict[str, Any]:
    """Return the metadata document (without the generation date)."""
    communes_pre, units, mapping = (
        tables["communes_pre2025"],
        tables["communes_2025"],
        tables["commune_map"],
    )
    pre_kinds = Counter(c["kind"] for c in communes_pre)
    kinds = Counter(u["kind"] for u in units)
    split = sorted({m["old_code"] for m in mapping if m["is_default"] == "false"})
    coord_sources = Counter(
        "mean of pre-2025 communes" if u["coord_source"].startswith("mean") else u["coord_source"]
        for u in units
    )
    shared_points = Counter((c["lat"], c["lon"]) for c in communes_pre if c["lat"])
    return {
        "generator": "scripts/build_admin_units.py",
        "province": {"code": f"{PROVINCE_CODE:02d}", "name_vi": "Tỉnh Lạng Sơn"},
        "libraries": [
            {
                "name": "vietnam-provinces",
                "version": versions["vietnam-provinces"],
                "data_version": versions["vietnam-provinces-data"],
                "used_for": "2025 commune-level units: codes, names with diacritics, types",
            },
            {
                "name": "vietnamadminunits",
                "version": versions["vietnamadminunits"],
                "used_for": (
                    "pre-2025 districts and communes (admin_units_legacy), coordinates "
                    "(admin_units_legacy, admin_units), old-to-new conversion (converter_2025)"
                ),
            },
        ],
        "counts": {
            "districts": len(tables["districts"]),
            "communes_pre2025": len(communes_pre),
            "communes_pre2025_by_kind": dict(sorted(pre_kinds.items())),
            "communes_2025": len(units),
            "communes_2025_by_kind": dict(sorted(kinds.items())),
            "commune_map_rows": len(mapping),
            "old_communes_split": len(split),
            "corrections_applied": len(corrections),
        },
        "pre2025_list_date": (
            "Units in force from 1 Dec 2024 to 30 Jun 2025: after the 2019 mergers "
            "(Resolution 818/NQ-UBTVQH14 of 21 Nov 2019) and after the arrangement in force "
            "1 Dec 2024 (UBTVQH resolution on Lạng Sơn's commune-level units 2023-2025; its "
            "number is not checked here)."
        ),
        "split_old_communes": split,
        "coordinates_2025": dict(sorted(coord_sources.items())),
        "verified_means": (
            "true: taken from the named library and not contradicted by the other library, by "
            "docs/domain.md section 3 or by a correction source; false: contradicted or inferred."
        ),
        "notes": [
            "Codes are zero-padded strings: districts 3 digits (GSO), communes 5 digits (GSO).",
            "The four 2025 wards are Tam Thanh, Lương Văn Tri, Kỳ Lừa and Đông Kinh; the other "
            "61 units are communes (Resolution 1672/NQ-UBTVQH15, in force 1 Jul 2025).",
            "vietnam-provinces "
            f"{versions['vietnam-provinces']} carries the codes of the draft code list for five "
            "Lạng Sơn units; they are corrected to the issued codes (unit_corrections.csv). "
            "Later releases (2026.x, Python >= 3.12) carry the issued codes.",
            "Pre-2025 names are not unique in the province: match on code, or on name and "
            "district, never on name alone (see ambiguous_pre2025_names).",
            same_name_note(communes_pre, mapping, "Chiến Thắng"),
            "Communes abolished before 1 Dec 2024 are not in the pre-2025 list: e.g. Xã Song "
            "Giang (Văn Quan) became part of Xã Điềm He, formed under Resolution "
            "818/NQ-UBTVQH14, so "
            "vietnamadminunits converts 'Xã Song Giang, Huyện Văn Quan' through 06280 Điềm He "
            "to the 2025 Xã Điềm He (checked at build time). The six communes merged on "
            "1 Dec 2024 (Vĩnh Tiến, Đại Đồng of Tràng Định; Đồng Giáp, Tràng Các of Văn Quan; "
            "Tĩnh Bắc of Lộc Bình; Sơn Hà of Hữu Lũng) existed during 2021-2024 but are not "
            "listed either.",
            "is_default marks the 2025 unit vietnamadminunits converts an old commune to "
            "(isDefaultNewWard for split communes); other rows are the other receiving units.",
            "Coordinates are the libraries' geocoded points (not boundaries, not verified); "
            f"{sum(n for n in shared_points.values() if n > 1)} pre-2025 communes share their "
            "point with another commune.",
            "In commune_map corrections, an empty corrected_value removes the library's row.",
            "Manual cross-check (not run by this script), Nov 2026: vietnam-provinces 2026.9.0 "
            "(official NSO data; needs Python >= 3.12, so not installed here) agrees with these "
            "tables on all 194 pre-2025 codes, names and districts, on the 65 corrected 2025 "
            "codes and names (but for a lower-case 'xã' in its 06325) and on every old-to-new "
            "mapping once the corrected 06079 row is removed.",
        ],
        "ambiguous_pre2025_names": ambiguous_names(communes_pre),
    }


def write_meta(path: Path, meta: Mapping[str, Any], today: dt.date) -> None:
    """Write the metadata YAML, keeping the old generation date when nothing else changed."""
    generated_on = today.isoformat()
    if path.exists():
        old = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        old_date = old.pop("generated_on", None)
        if old == dict(meta) and old_date:
            generated_on = str(old_date)
    document = {"generated_on": generated_on, **meta}
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
    header = "# Generated by scripts/build_admin_units.py: edit the script or the corrections.\n"
    path.write_text(header + text, encoding="utf-8")


# --- Main ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildResult:
    """The four tables, the corrections applied and the library versions read."""

    tables: dict[str, list[Row]]
    corrections: list[Row]
    versions: dict[str, str]


def build(reference_dir: Path = REFERENCE_DIR) -> BuildResult:
    """Read the libraries, apply the corrections, check, and return the tables."""
    versions = library_versions()
    vp_source = (
        f"vietnam-provinces {versions['vietnam-provinces']} "
        f"(data {versions['vietnam-provinces-data']})"
    )
    vau_source = f"vietnamadminunits {versions['vietnamadminunits']}"
    corrections = read_corrections(reference_dir / CORRECTIONS_PATH.name)

    legacy = read_legacy_vau()
    vau_2025 = read_units_2025_vau()
    districts = apply_corrections(
        "districts", build_districts(legacy, f"{vau_source} (admin_units_legacy)"), corrections
    )
    communes_pre = apply_corrections(
        "communes_pre2025",
        build_communes_pre2025(legacy, f"{vau_source} (admin_units_legacy)"),
        corrections,
    )
    units = apply_corrections(
        "communes_2025", build_units_2025(read_units_2025_vp(), vp_source), corrections
    )
    mapping = apply_corrections(
        "commune_map",
        build_commune_map(
            legacy, vau_2025, read_conversion_vau(), f"{vau_source} (converter_2025)"
        ),
        corrections,
    )
    units, disagreements = cross_check_2025(units, vau_2025)
    if disagreements:
        raise BuildError("the libraries disagree on 2025 units:\n  " + "\n  ".join(disagreements))
    units = add_coordinates(units, vau_2025, communes_pre, mapping, vau_source)

    errors = check_tables(districts, communes_pre, units, mapping)
    address, expected = CONVERSION_EXAMPLE
    got = convert_example_vau(address)
    if got != expected:
        errors.append(f"vietnamadminunits converts {address!r} to {got!r}, not {expected!r}")
    if errors:
        raise BuildError("checks failed:\n  " + "\n  ".join(errors))
    tables = {
        "districts": districts,
        "communes_pre2025": communes_pre,
        "communes_2025": sorted(units, key=lambda r: r["code"]),
        "commune_map": sorted(
            mapping, key=lambda r: (r["old_code"], r["is_default"] != "true", r["new_code"])
        ),
    }
    return BuildResult(tables=tables, corrections=corrections, versions=versions)


def main() -> int:
    """Build and write the tables; print a short summary. Returns the exit code."""
    try:
        result = build()
    except BuildError as exc:
        print(f"build_admin_units: {exc}", file=sys.stderr)
        return 1
    tables, versions = result.tables, result.versions
    for table, rows in tables.items():
        write_csv(REFERENCE_DIR / f"{table}.csv", COLUMNS[table], rows)
    write_meta(META_PATH, build_meta(versions, tables, result.corrections), dt.date.today())
    units = tables["communes_2025"]
    kinds = Counter(u["kind"] for u in units)
    print(
        f"vietnam-provinces {versions['vietnam-provinces']}, "
        f"vietnamadminunits {versions['vietnamadminunits']}\n"
        f"districts: {len(tables['districts'])}; pre-2025 communes: "
        f"{len(tables['communes_pre2025'])}; 2025 units: {len(units)} "
        f"({kinds['xa']} xa, {kinds['phuong']} phuong); map rows: {len(tables['commune_map'])}; "
        f"corrections applied: {len(result.corrections)}\n"
        f"written to {REFERENCE_DIR.relative_to(ROOT)}/"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
