"""``outputs/index.html``: every report of the manifest, and the province at a glance (areas by
targets, coloured by status, with symbols and words so colour is never the only signal)."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd

from analysis.core.formatting import value_text
from analysis.core.labels import label
from analysis.core.text import vi_sort_key
from analysis.data import places as places_mod
from analysis.data import reference
from analysis.reports.content import TARGET_IDS

KIND_NAMES = {
    "district": {"vi": "Báo cáo địa bàn cấp huyện", "en": "District-level reports"},
    "commune": {"vi": "Báo cáo xã, phường", "en": "Commune reports"},
    "province": {"vi": "Báo cáo toàn tỉnh", "en": "Province reports"},
    "review": {"vi": "Sơ kết, tổng kết", "en": "Reviews"},
    "question": {"vi": "Trả lời các câu hỏi", "en": "Answers to questions"},
}


def glance_table(
    indicators: pd.DataFrame, progress: pd.DataFrame, year: int, target_year: int, lang: str = "vi"
) -> str:
    """HTML table: rows the province and its 11 areas, columns T1-T6; each cell the value in
    ``year`` with the status for ``target_year`` (symbol, words, colour) where one applies."""
    table = places_mod.places()
    areas = table[table["level"].isin(["province", "district"])]
    ind = reference.indicators().set_index("id")
    head = "".join(
        f"<th title='{html.escape(ind.at[t, f'name_{lang}'])}'>{t}</th>" for t in TARGET_IDS
    )
    rows = []
    for area in areas.itertuples(index=False):
        cells = []
        for tid in TARGET_IDS:
            value = indicators[
                (indicators["indicator_id"] == tid)
                & (indicators["place_id"] == area.place_id)
                & (indicators["year"] == year)
            ]["value"]
            text = value_text(value.iloc[0] if len(value) else None, ind.at[tid, "unit"], lang)
            if tid == "T2" and area.level == "province" and len(value):
                text += f"/{len(areas) - 1}"  # areas reaching the target, of the 11
            prow = progress[
                (progress["indicator_id"] == tid)
                & (progress["place_id"] == area.place_id)
                & (progress["target_year"] == target_year)
            ]
            if len(prow):
                p = prow.iloc[0]
                fg = "#222" if p["status"] == "acceleration_needed" else "#fff"
                cells.append(
                    f"<td style='background:{p['colour']};color:{fg}' class='status-{p['status']}'>"
                    f"{html.escape(text)}<br><small>{html.escape(p['symbol'])} "
                    f"{html.escape(p[f'label_{lang}'])}</small></td>"
                )
            else:
                cells.append(f"<td class='no-target'>{html.escape(text)}</td>")
        name = html.escape(area.short_name_vi)
        rows.append(f"<tr><th scope='row'>{name}</th>{''.join(cells)}</tr>")
    caption = label("chart_heatmap", lang, target_year=target_year)
    return (
        f"<table class='glance'><caption>{html.escape(caption)} ({year})</caption>"
        f"<thead><tr><th>{html.escape(label('col_place', lang))}</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def report_list(entries: list[dict], lang: str = "vi") -> str:
    """Links to every report of the manifest, by year and kind; failures shown as such."""
    by_year: dict[int, list[dict]] = {}
    for entry in entries:
        by_year.setdefault(int(entry["job"]["year"]), []).append(entry)
    parts = []
    for year in sorted(by_year, reverse=True):
        parts.append(f"<h2>{year}</h2>")
        for kind in KIND_NAMES:
            items = [e for e in by_year[year] if e["job"]["kind"] == kind]
            if not items:
                continue
            parts.append(f"<h3>{html.escape(KIND_NAMES[kind][lang])}</h3><ul>")
            named = []
            for e in items:
                try:
                    name = places_mod.place_name(e["job"]["place_id"], lang)
                except KeyError:  # a question notebook: its question
                    name = e.get("title") or e["job"]["place_id"]
                named.append((name, e))
            for name, e in sorted(named, key=lambda pair: vi_sort_key(pair[0])):
                if e["job"].get("lang", "vi") != "vi":
                    name += f" ({e['job']['lang']})"
                links = " · ".join(
                    f"<a href='{html.escape(path)}'>{fmt.upper()}</a>"
                    for fmt, path in e.get("outputs", {}).items()
                    if fmt != "notebook"
                )
                if e.get("status") == "failed":
                    links = f"<span class='failed'>✖ {html.escape(e.get('error', ''))}</span>"
                parts.append(f"<li>{html.escape(name)}: {links}</li>")
            parts.append("</ul>")
    return "".join(parts)


STYLE = """
body{font-family:"DejaVu Sans","Liberation Sans",Arial,sans-serif;margin:24px;max-width:1200px}
table.glance{border-collapse:collapse;font-size:13px}
table.glance td,table.glance th{border:1px solid #ccc;padding:4px 8px;text-align:center}
table.glance th[scope=row]{text-align:left}
td.no-target{color:#555;background:#f6f6f6}
.synthetic-notice{border:3px solid #c0392b;background:#fdecea;color:#8b1a10;padding:8px 12px;
font-weight:bold;margin-bottom:12px}
.failed{color:#c0392b}
"""


def write_index(out_dir: Path, db_path: Path | None = None, lang: str = "vi") -> Path:
    """Write ``out_dir/index.html`` from the manifest and the store."""
    from analysis.indicators.compute import compute_indicators, indicator_years
    from analysis.indicators.progress import assess_progress
    from analysis.pipeline import load_dataset

    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    entries = [
        {**e, "outputs": {k: f"{v}" for k, v in e.get("outputs", {}).items()}}
        for e in manifest.get("reports", [])
    ]
    ds = load_dataset(db_path)
    indicators = compute_indicators(ds, indicator_years(ds))
    year = int(indicators["year"].max())
    progress = assess_progress(indicators, year)
    notice = (
        f"<div class='synthetic-notice'>{html.escape(label('synthetic', lang))}</div>"
        if ds.synthetic
        else ""
    )
    title = (
        "Kế hoạch 244/KH-UBND — Báo cáo theo dõi, đánh giá"
        if lang == "vi"
        else "Plan 244/KH-UBND — monitoring and evaluation reports"
    )
    glance = "".join(glance_table(indicators, progress, year, ty, lang) for ty in (2025, 2030))
    page = (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
        f"{notice}<h1>{html.escape(title)}</h1>{glance}{report_list(entries, lang)}"
        "</body></html>"
    )
    path = out_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
