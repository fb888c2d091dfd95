"""``python -m analysis explain``: the villages (crafts, areas) behind one indicator value.

::

    python -m analysis explain T6 --year 2025                  # the province
    python -m analysis explain T6 --year 2025 --place "Huyện Cao Lộc" --lang en
    python -m analysis explain T3 --year 2025 --all --csv      # out-of-scope villages too

The first line gives the value worked out from the members (the published one), then one row
per member in scope: what it adds to the numerator and denominator, and why it is in or out.
"""

from __future__ import annotations

import argparse
import unicodedata
from pathlib import Path

import pandas as pd

from analysis.cli.output import print_frame, render_text_table
from analysis.core.errors import EXIT_OK, UsageError
from analysis.core.formatting import is_missing, value_text
from analysis.core.labels import label
from analysis.data import places as places_mod
from analysis.data import reference
from analysis.indicators.compute import reporting_years
from analysis.indicators.explain import explain
from analysis.pipeline import load_dataset

#: Columns printed for a share (T5, T6) and for a count (T1-T4).
_SHARE_COLUMNS = ("member_id", "name_vi", "area", "commune", "numerator", "denominator", "gap")
_COUNT_COLUMNS = ("member_id", "name_vi", "area", "commune", "counted")


def explain_text(members: pd.DataFrame, lang: str = "vi", synthetic: bool = True) -> str:
    """The members of :func:`analysis.indicators.explain.explain` as plain text: the value
    with its numerator and denominator, then one row per member, its reason last."""

    attrs = members.attrs
    indicator = str(members["indicator_id"].iloc[0]) if len(members) else ""
    ind = reference.indicators().set_index("id")
    unit = str(attrs.get("unit", ""))
    place = places_mod.places().set_index("place_id")[f"name_{lang}"]
    place_name = place.get(attrs.get("place_id"), attrs.get("place_id"))
    value = value_text(attrs.get("value"), unit, lang)
    head = f"{indicator}. {ind.at[indicator, f'name_{lang}']}" if indicator else ""
    parts = [value]
    if unit == "percent" and not is_missing(attrs.get("denominator")):
        parts.append(
            f"({value_text(attrs['numerator'], 'count', lang)}/"
            f"{value_text(attrs['denominator'], 'count', lang)})"
        )
    year = int(members["year"].iloc[0]) if len(members) else ""
    lines = [f"{head} — {place_name}, {year}: {' '.join(parts)}"]
    if synthetic:
        lines.append(label("synthetic", lang))
    columns = _SHARE_COLUMNS if unit == "percent" else _COUNT_COLUMNS
    header = [label(f"explain_col_{c}", lang) for c in (*columns, "reason")]
    rows = []
    for r in members.itertuples(index=False):
        cells = []
        for column in columns:
            cell = getattr(r, column)
            if column == "counted":
                cells.append("✔" if cell else "✘")
            elif isinstance(cell, float):
                cells.append(value_text(cell, "count", lang) if not is_missing(cell) else "—")
            else:
                cells.append("" if is_missing(cell) else str(cell))
        rows.append([*cells, str(r.reason)])
    lines += ["", render_text_table(header, rows, {len(header) - 1: 60})]
    return unicodedata.normalize("NFC", "\n".join(lines)) + "\n"


def cmd_explain(args: argparse.Namespace) -> int:
    try:
        ds = load_dataset(Path(args.db) if args.db else None)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from exc
    years = reporting_years(ds)
    year = years[-1] if args.year is None else int(args.year)
    if year not in years:
        raise UsageError(f"no data for year {year}; valid years: {', '.join(map(str, years))}")
    members = explain(ds, args.indicator, year, args.place, args.lang)
    if not args.all:
        attrs = dict(members.attrs)
        members = members[members["in_scope"]].reset_index(drop=True)
        members.attrs.update(attrs)
    if args.output != "text":
        print_frame(members, args.output)
    else:
        print(explain_text(members, args.lang, ds.synthetic), end="")
    return EXIT_OK
