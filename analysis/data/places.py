"""Places the indicators are computed for: the province, the plan's 11 district-level areas and
the 65 communes and wards of 2025. One table of names, so that every report spells them alike.

Villages are the stable unit across the 2025 reform: each carries its former district and its 2025
commune, so any indicator can be summed to either geography.
"""

from __future__ import annotations

import pandas as pd

from analysis.data import reference

LEVELS = ("province", "district", "commune")


def places() -> pd.DataFrame:
    """All places: ``place_id`` (slug), ``level``, ``code``, names, ``parent_id``, coordinates."""
    prov = reference.province()
    rows = [
        {
            "place_id": prov["slug"],
            "level": "province",
            "code": str(prov["code"]),
            "name_vi": prov["name_vi"],
            "short_name_vi": prov["short_name_vi"],
            "name_en": prov["name_en"],
            "parent_id": None,
            "lat": None,
            "lon": None,
        }
    ]
    for d in reference.districts().itertuples(index=False):
        rows.append(
            {
                "place_id": d.slug,
                "level": "district",
                "code": d.code,
                "name_vi": d.name_vi,
                "short_name_vi": d.short_name_vi,
                "name_en": d.name_en,
                "parent_id": prov["slug"],
                "lat": None,
                "lon": None,
            }
        )
    for c in reference.communes_2025().itertuples(index=False):
        rows.append(
            {
                "place_id": c.slug,
                "level": "commune",
                "code": c.code,
                "name_vi": c.name_vi,
                "short_name_vi": c.short_name_vi,
                "name_en": c.name_en,
                "parent_id": prov["slug"],
                "lat": c.lat,
                "lon": c.lon,
            }
        )
    return pd.DataFrame(rows)


def place(place_id: str) -> pd.Series:
    """One place by slug; a clear error listing the valid slugs otherwise."""
    table = places()
    hit = table[table["place_id"] == place_id]
    if hit.empty:
        valid = ", ".join(table.loc[table["level"] != "commune", "place_id"])
        raise KeyError(
            f"unknown place {place_id!r}; valid: {valid}, or a 2025 commune slug such as "
            f"{table.loc[table['level'] == 'commune', 'place_id'].iloc[0]}"
        )
    return hit.iloc[0]


def place_name(place_id: str, lang: str = "vi") -> str:
    """The name of a place as reports write it."""
    row = place(place_id)
    return row["name_vi"] if lang == "vi" else row["name_en"]


def district_slug_by_code() -> dict[str, str]:
    """GSO district code -> slug."""
    table = reference.districts()
    return dict(zip(table["code"], table["slug"], strict=True))


def commune_slug_by_code() -> dict[str, str]:
    """2025 commune code -> slug."""
    table = reference.communes_2025()
    return dict(zip(table["code"], table["slug"], strict=True))


def commune_name_by_code() -> dict[str, str]:
    """2025 commune code -> its name (``Xã Công Sơn``)."""
    table = reference.communes_2025()
    return dict(zip(table["code"], table["name_vi"], strict=True))
