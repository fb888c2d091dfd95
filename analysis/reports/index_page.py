"""``outputs/index.html``: the reports of the manifest (by year and kind, area names visible),
the status legend, the province's targets table (the reports' own builder) and every area at a
glance (coloured by status, with symbols and words so colour is never the only signal). Written
from the Jinja2 template ``templates/index.html.j2`` (autoescape on)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.labels import label
from analysis.core.text import defuse_frame, vi_sort_key
from analysis.data import places as places_mod
from analysis.data import reference
from analysis.indicators.compute import compute_indicators, indicator_years
from analysis.indicators.outputs import indicator_tables
from analysis.indicators.progress import assess_progress
from analysis.pipeline import load_dataset
from analysis.reports.render_html import environment
from analysis.reports.targets import (
    TARGET_IDS,
    TARGET_YEARS,
    place_value_text,
    status_looks,
    targets_table,
)

#: The kinds of report the page lists, in order; their headings are ``index_kind_<kind>`` labels.
KINDS = ("district", "commune", "province", "review", "question")


def glance_rows(
    indicators: pd.DataFrame, progress: pd.DataFrame, year: int, target_year: int, lang: str
) -> list[dict[str, Any]]:
    """Rows the province and its 11 areas; per indicator T1-T6 the value in ``year`` and the
    status for ``target_year`` where one applies."""
    table = places_mod.places()
    areas = table[table["level"].isin(["province", "district"])]
    rows = []
    for area in areas.itertuples(index=False):
        cells = []
        for tid in TARGET_IDS:
            value = indicators[
                (indicators["indicator_id"] == tid)
                & (indicators["place_id"] == area.place_id)
                & (indicators["year"] == year)
            ]["value"]
            text = place_value_text(tid, area.place_id, value.iloc[0] if len(value) else None, lang)
            prow = progress[
                (progress["indicator_id"] == tid)
                & (progress["place_id"] == area.place_id)
                & (progress["target_year"] == target_year)
            ]
            cells.append({"text": text, "status": prow["status"].iloc[0] if len(prow) else None})
        rows.append({"name": area.short_name_vi, "cells": cells})
    return rows


def report_groups(entries: list[dict], lang: str) -> list[dict[str, Any]]:
    """The manifest's reports by year (newest first) and kind, with their place names."""
    by_year: dict[int, list[dict]] = {}
    for entry in entries:
        by_year.setdefault(int(entry["job"]["year"]), []).append(entry)
    years = []
    for year in sorted(by_year, reverse=True):
        kinds = []
        for kind in KINDS:
            named = []
            for e in (e for e in by_year[year] if e["job"]["kind"] == kind):
                try:
                    name = places_mod.place_name(e["job"]["place_id"], lang)
                except KeyError:  # a question notebook: its question
                    name = e.get("title") or e["job"]["place_id"]
                named.append((name, e))
            items = []
            for name, e in sorted(named, key=lambda pair: vi_sort_key(pair[0])):
                if e["job"].get("lang", "vi") != "vi":
                    name += f" ({e['job']['lang']})"
                links = [
                    {"format": fmt.upper(), "href": path}
                    for fmt, path in e.get("outputs", {}).items()
                    if fmt != "notebook"
                ]
                items.append(
                    {
                        "name": name,
                        "links": links,
                        "failed": e.get("status") == "failed",
                        "error": e.get("error", ""),
                    }
                )
            if items:
                kinds.append({"name": label(f"index_kind_{kind}", lang), "items": items})
        years.append({"year": year, "kinds": kinds})
    return years


#: The result tables offered for download on the index page, in this order.
DOWNLOAD_TABLES = ("indicators", "progress", "readings")


def write_downloads(
    tables: dict[str, pd.DataFrame], folder: Path, synthetic: bool, lang: str = "vi"
) -> list[dict[str, str]]:
    """Write the result tables for people who open them in Excel: one XLSX workbook (a first
    sheet saying what the data are, then a sheet a table) and one CSV a table, UTF-8 with a
    byte-order mark so Excel reads the diacritics, the header on the first line. With synthetic
    data every CSV row says so in a last column (a comment line would break the header), and
    the workbook's first sheet does. Text that a spreadsheet would run as a formula is defused.
    Returns the links (``name``, ``href`` relative to the index page)."""
    folder.mkdir(parents=True, exist_ok=True)
    notice = label("synthetic", lang)
    links = []
    chosen = {name: defuse_frame(tables[name]) for name in DOWNLOAD_TABLES if name in tables}
    for name, frame in chosen.items():
        if synthetic:
            frame = frame.assign(**{label("download_data_column", lang): notice})
        path = folder / f"{name}.csv"
        tmp = path.with_name(path.name + ".tmp")
        frame.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
        tmp.replace(path)
        links.append({"name": f"{name}.csv", "href": f"{folder.name}/{name}.csv"})
    path = folder / "indicators.xlsx"
    tmp = path.with_name("indicators.tmp.xlsx")
    about = pd.DataFrame({label("download_about", lang): [notice if synthetic else "", ""]})
    with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        about.head(1 if synthetic else 0).to_excel(writer, sheet_name="README", index=False)
        for name, frame in chosen.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    tmp.replace(path)
    links.insert(0, {"name": "indicators.xlsx", "href": f"{folder.name}/indicators.xlsx"})
    return links


def write_index(out_dir: Path, db_path: Path | None = None, lang: str = "vi") -> Path:
    """Write ``out_dir/index.html`` from the manifest and the store."""

    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    entries = manifest.get("reports", [])
    ds = load_dataset(db_path)
    indicators = compute_indicators(ds, indicator_years(ds))
    year = int(indicators["year"].max())
    progress = assess_progress(indicators, year)
    looks = status_looks(progress, lang)
    province_id = str(reference.province()["slug"])
    targets = targets_table(indicators, progress, year, province_id, lang).to_json(lang, looks)
    ind = reference.indicators().set_index("id")
    downloads = write_downloads(indicator_tables(ds), out_dir / "downloads", ds.synthetic, lang)
    page = (
        environment()
        .get_template("index.html.j2")
        .render(
            lang=lang,
            title=label("index_title", lang),
            notice=label("synthetic", lang) if ds.synthetic else "",
            made=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            made_word=label("index_made", lang),
            year=year,
            years=report_groups(entries, lang),
            legend=[{"status": k, **v} for k, v in looks.items()],
            legend_title=label("legend_title", lang),
            targets=targets,
            targets_caption=label("index_targets", lang, year=year),
            statuses=looks,
            glances=[
                {
                    "caption": f"{label('chart_heatmap', lang, target_year=ty)} ({year})",
                    "rows": glance_rows(indicators, progress, year, ty, lang),
                }
                for ty in TARGET_YEARS
            ],
            indicator_heads=[{"id": t, "name": ind.at[t, f"name_{lang}"]} for t in TARGET_IDS],
            place_word=label("col_place", lang),
            downloads=downloads,
            downloads_title=label("download_title", lang),
            years_word=label("index_years", lang),
        )
    )
    path = out_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
