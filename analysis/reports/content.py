"""The sections of the evaluation reports, ready to display in a notebook.

A report notebook calls ``prepare(...)`` once, then one function per section; each returns an
IPython display object (HTML, Markdown or a PNG image) in the report's language. The numbers come
from ``analysis.indicators.compute``/``progress``/``tables``; the words from ``labels.yaml``; the
formatting from ``analysis.core.formatting``. Nothing here computes an indicator.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Image, Markdown

from analysis.core import config
from analysis.core.formatting import (
    format_count,
    format_date,
    format_long_date,
    format_number,
    format_percent,
    is_missing,
    value_text,
)
from analysis.core.labels import label
from analysis.core.text import vi_order
from analysis.data import places as places_mod
from analysis.data import reference
from analysis.data.schemas import village_year_schema
from analysis.data.store import Dataset
from analysis.indicators.progress import summarise_area_statuses
from analysis.pipeline import load_dataset
from analysis.reports import charts, tables

TARGET_IDS = ("T1", "T2", "T3", "T4", "T5", "T6")
TARGET_YEARS = (2025, 2030)
KINDS = ("district", "province", "review", "commune")


@dataclass(frozen=True)
class ReportContext:
    """Everything one report needs, computed once."""

    kind: str
    year: int
    place_id: str
    lang: str
    ds: Dataset
    indicators: pd.DataFrame
    progress: pd.DataFrame
    narratives: pd.DataFrame

    @property
    def place(self) -> pd.Series:
        return places_mod.place(self.place_id)

    @property
    def place_name(self) -> str:
        return places_mod.place_name(self.place_id, self.lang)


def _years_in(ds: Dataset) -> list[int]:
    return sorted(int(y) for y in ds.village_year["year"].unique() if y > config.BASELINE_YEAR)


def _load_narratives(db_path: Path | None) -> pd.DataFrame:
    from analysis.data.store import connect

    empty = pd.DataFrame(columns=["unit_code", "year", "section", "text_vi"])
    try:
        with connect(db_path) as con:
            names = {
                r[0]
                for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
            }
            if "narratives" not in names:
                return empty
            return con.execute("SELECT * FROM narratives").df()
    except FileNotFoundError:
        return empty


def prepare(
    kind: str, year: int, place: str, lang: str = "vi", db_path: str | Path = ""
) -> ReportContext:
    """Check the parameters and compute what the report shows.

    Raises ``ValueError`` naming the valid choices when a parameter is wrong, before any work.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown report kind {kind!r}; valid: {', '.join(KINDS)}")
    if lang not in ("vi", "en"):
        raise ValueError(f"unknown language {lang!r}; valid: vi, en")
    table = places_mod.places()
    level = kind if kind in ("district", "commune") else "province"
    valid = list(table.loc[table["level"] == level, "place_id"])
    if place not in valid:
        raise ValueError(f"unknown place {place!r} for a {kind} report; valid: {', '.join(valid)}")
    path = Path(db_path) if db_path else config.db_path()
    ds, indicators, progress, narratives = _computed(path, year)
    return ReportContext(kind, year, place, lang, ds, indicators, progress, narratives)


def _computed(path: Path, year: int) -> tuple[Dataset, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Dataset, indicators (from the 2020 baseline to ``year``), statuses and narratives.

    Kept for the next report in the same kernel (the batch runs many notebooks in one warm
    kernel); the key holds the store's size and modification time, so a changed store is
    read again.
    """
    stat = path.stat() if path.exists() else None
    key = (str(path), stat.st_mtime_ns if stat else 0, stat.st_size if stat else 0, year)
    if key in _CACHE:
        return _CACHE[key]
    from analysis.indicators.compute import compute_indicators, indicator_years
    from analysis.indicators.progress import assess_progress

    ds = load_dataset(path)
    years = _years_in(ds)
    if year not in years:
        raise ValueError(f"no data for year {year}; valid years: {', '.join(map(str, years))}")
    indicators = compute_indicators(ds, indicator_years(ds, up_to=year))
    result = (ds, indicators, assess_progress(indicators, year), _load_narratives(path))
    _CACHE.clear()
    _CACHE[key] = result
    return result


_CACHE: dict[tuple, tuple[Dataset, pd.DataFrame, pd.DataFrame, pd.DataFrame]] = {}


# ------------------------------------------------------------------------------ small helpers


def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value))


def html_table(
    header: list[str],
    rows: list[list[str]],
    *,
    styles: list[list[str]] | None = None,
    css_class: str = "report-table",
    raw: bool = False,
) -> str:
    """A plain HTML table; cell text is escaped unless ``raw`` (already-built HTML)."""
    out = [f'<table class="{css_class}"><thead><tr>']
    out += [f"<th>{_esc(h)}</th>" for h in header]
    out.append("</tr></thead><tbody>")
    for i, row in enumerate(rows):
        out.append("<tr>")
        for j, cell in enumerate(row):
            style = styles[i][j] if styles and styles[i][j] else ""
            attr = f' style="{style}"' if style else ""
            out.append(f"<td{attr}>{cell if raw else _esc(cell)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def figure(fig: object, alt: str = "") -> Image:
    """A Matplotlib figure as a PNG image with alternative text (closed afterwards, so it shows
    exactly once)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return Image(data=buffer.getvalue(), format="png", alt=alt or None)


def heading(key: str, lang: str, level: int = 2) -> Markdown:
    """A section heading from ``labels.yaml``."""
    return Markdown(f"{'#' * level} {label(key, lang)}")


def _indicator_names(lang: str) -> dict[str, str]:
    ind = reference.indicators()
    return dict(zip(ind["id"], ind[f"name_{lang}"], strict=True))


def _pace_text(value: object, unit: str, lang: str) -> str:
    """A yearly pace: a change of a share is in percentage points, not in percent."""
    if unit == "percent":
        return f"{format_number(value, 1, lang)} {'điểm %' if lang == 'vi' else 'pp'}"
    return value_text(value, unit, lang)


def _status_cell(row: pd.Series | None, unit: str, lang: str) -> tuple[str, str]:
    """(text, style) of a status cell: symbol and words on the status colour, and the yearly
    pace still needed when the target is not yet met."""
    if row is None:
        return label("not_applicable", lang), ""
    words = f"{row['symbol']} {row[f'label_{lang}']}"
    needed = row.get("required_per_year")
    if row["status"] not in ("achieved",) and not is_missing(needed) and float(needed) > 0:
        pace = _pace_text(needed, unit, lang)
        words += (
            f" · {'cần' if lang == 'vi' else 'needs'} +{pace}/{'năm' if lang == 'vi' else 'yr'}"
        )
    text_colour = "#222222" if row["status"] == "acceleration_needed" else "#ffffff"
    return words, f"background-color: {row['colour']}; color: {text_colour}"


def progress_row(
    ctx: ReportContext, indicator_id: str, place_id: str, target_year: int
) -> pd.Series | None:
    p = ctx.progress
    hit = p[
        (p["indicator_id"] == indicator_id)
        & (p["place_id"] == place_id)
        & (p["target_year"] == target_year)
    ]
    return hit.iloc[0] if len(hit) else None


def indicator_value(ctx: ReportContext, indicator_id: str, place_id: str, year: int) -> object:
    ind = ctx.indicators
    hit = ind[
        (ind["indicator_id"] == indicator_id)
        & (ind["place_id"] == place_id)
        & (ind["year"] == year)
    ]
    return hit["value"].iloc[0] if len(hit) else None


# ----------------------------------------------------------------------------------- sections


def synthetic_notice(ctx: ReportContext) -> HTML:
    """A visible banner when the data are synthetic (nothing otherwise)."""
    if not ctx.ds.synthetic:
        return HTML("")
    return HTML(
        f'<div class="synthetic-notice" style="border:3px solid #c0392b;'
        f'background:#fdecea;color:#8b1a10;padding:8px 12px;font-weight:bold;">'
        f"{_esc(label('synthetic', ctx.lang))}</div>"
    )


def document_header(ctx: ReportContext, today: date | None = None) -> HTML:
    """The top of an official report: issuing body and national motto side by side, number
    left blank, place and date, then the title (Decree 30/2020 layout)."""
    calendar = reference.read_yaml("reporting.yaml")
    lang = ctx.lang
    if ctx.kind == "district":
        lead = calendar["lead_body_vi"] if lang == "vi" else calendar["lead_body_en"]
        body = f"UBND TỈNH LẠNG SƠN<br>{_esc(lead).upper()}" if lang == "vi" else _esc(lead).upper()
        title_key = "report_title_district"
    elif ctx.kind == "commune":
        body = (
            f"ỦY BAN NHÂN DÂN<br>{_esc(ctx.place_name).upper()}"
            if lang == "vi"
            else f"{_esc(ctx.place_name).upper()} PEOPLE'S COMMITTEE"
        )
        title_key = "report_title_district"
    else:
        body = _esc(calendar["issuing_body_vi"] if lang == "vi" else "LANG SON PEOPLE'S COMMITTEE")
        title_key = "report_title_province" if ctx.kind == "province" else "report_title_review"
    review = label("review_midterm" if ctx.year < 2030 else "review_final", lang)
    title = label(title_key, lang, year=ctx.year, place=ctx.place_name, review=review)
    day = today or date.today()
    when = label("place_date", lang, date=format_long_date(day, lang))
    title_html = "<br>".join(_esc(line) for line in title.split("\n"))
    return HTML(
        '<table class="doc-header" style="width:100%;border:none;">'
        f'<tr><td style="text-align:center;font-weight:bold;border:none;width:42%">{body}<br>'
        f"{_esc(label('number', lang))}</td>"
        '<td style="text-align:center;font-weight:bold;border:none;">'
        f"{_esc(label('motto_1', lang))}"
        f'<br><u>{_esc(label("motto_2", lang))}</u><br><i style="font-weight:normal">'
        f"{_esc(when)}</i></td></tr></table>"
        f'<h1 style="text-align:center">{title_html}</h1>'
    )


def targets_table(ctx: ReportContext) -> HTML:
    """T1-T6: the place's value (and the province's), each target, the status in words and
    colour, and the pace still needed per year."""
    lang, year = ctx.lang, ctx.year
    ind = reference.indicators().set_index("id")
    targets = reference.targets()
    province_id = reference.province()["slug"]
    is_area = ctx.place_id != province_id
    header = [label("col_indicator", lang), label("col_unit", lang)]
    if is_area:
        header.append(f"{label('col_value', lang, year=year)} ({ctx.place['short_name_vi']})")
    header.append(
        f"{label('col_value', lang, year=year)} ({'toàn tỉnh' if lang == 'vi' else 'province'})"
    )
    for ty in TARGET_YEARS:
        header += [
            label("col_target", lang, target_year=ty),
            label("col_status", lang, target_year=ty),
        ]
    rows, styles = [], []
    units = {"count": "số lượng" if lang == "vi" else "count", "percent": "%"}
    for tid in TARGET_IDS:
        unit = ind.at[tid, "unit"]
        row = [f"{tid}. {ind.at[tid, f'name_{lang}']}", units.get(unit, unit)]
        style = ["", ""]
        if is_area:
            row.append(value_text(indicator_value(ctx, tid, ctx.place_id, year), unit, lang))
            style.append("")
        row.append(value_text(indicator_value(ctx, tid, province_id, year), unit, lang))
        style.append("")
        for ty in TARGET_YEARS:
            tgt = targets[(targets["indicator_id"] == tid) & (targets["target_year"] == ty)]
            if tgt.empty:
                row += ["—", label("not_applicable", lang)]
                style += ["", ""]
                continue
            t = tgt.iloc[0]
            scope_place = ctx.place_id if t["scope"] == "district" and is_area else province_id
            if t["scope"] == "district" and not is_area:
                target_text = (
                    f"11/11 {'địa bàn đạt' if lang == 'vi' else 'areas reach'} "
                    f"≥ {format_count(t['value'], lang)}"
                )
            else:
                target_text = (
                    f"{t['operator'].replace('>=', '≥')} {value_text(t['value'], unit, lang)}"
                )
            if t["scope"] == "province" and is_area:
                target_text += " (toàn tỉnh)" if lang == "vi" else " (province)"
            if not bool(t["verified"]):
                target_text += " *"
            if t["scope"] == "district" and not is_area:
                # the province's T2: how the 11 areas stand, counted by status
                text, cell_style = summarise_area_statuses(ctx.progress, tid, ty), ""
            else:
                prow = progress_row(ctx, tid, scope_place, ty)
                text, cell_style = _status_cell(prow, unit, lang)
            row += [target_text, text]
            style += ["", cell_style]
        rows.append(row)
        styles.append(style)
    note = (
        "* Mục tiêu có diễn giải hoặc chưa được xác minh (xem data/reference/targets.csv)."
        if lang == "vi"
        else "* Target interpreted or unverified (see data/reference/targets.csv)."
    )
    scope = f"<p><i>{_esc(label('province_scope_note', lang))}</i></p>" if is_area else ""
    return HTML(
        html_table(header, rows, styles=styles) + f"<p><small>{_esc(note)}</small></p>" + scope
    )


def progress_chart(ctx: ReportContext) -> Image:
    """Observed values against the path to each target, for the place (T2) and the province."""
    province_id = reference.province()["slug"]
    targets = reference.targets()
    ind = ctx.indicators
    frames, tg_rows = [], []
    for tid in TARGET_IDS:
        tgt = targets[targets["indicator_id"] == tid]
        scope_district = (tgt["scope"] == "district").any()
        place_id = ctx.place_id if scope_district and ctx.place_id != province_id else province_id
        obs = ind[(ind["indicator_id"] == tid) & (ind["place_id"] == place_id)]
        if scope_district and ctx.place["level"] != "district":
            continue  # T2 is counted per district-level area: the heat map shows the rest
        frames.append(obs[["indicator_id", "year", "value"]])
        base = 0.0
        if tid in ("T5", "T6") and len(obs):
            base = (
                float(obs.sort_values("year")["value"].dropna().iloc[0])
                if obs["value"].notna().any()
                else 0.0
            )
        for t in tgt.itertuples(index=False):
            tg_rows.append(
                {
                    "indicator_id": tid,
                    "target_year": t.target_year,
                    "target_value": t.value,
                    "base_value": base,
                }
            )
    values = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    ind_ref = reference.indicators()
    shares = set(ind_ref.loc[ind_ref["unit"] == "percent", "id"])
    fig = charts.plot_progress_paths(
        values,
        pd.DataFrame(tg_rows),
        _indicator_names(ctx.lang),
        ctx.lang,
        base_year=2020,
        shares=shares,
    )
    return figure(fig, label("sec_progress_charts", ctx.lang))


def status_heatmap(ctx: ReportContext, target_year: int | None = None) -> Image:
    """Every area (and the province) by indicator, coloured by status, with values written."""
    lang = ctx.lang
    ty = target_year or (2025 if ctx.year <= 2025 else 2030)
    province_id = reference.province()["slug"]
    table = places_mod.places()
    areas = table[table["level"].isin(["province", "district"])]
    names = dict(zip(areas["place_id"], areas["short_name_vi"], strict=True))
    ind = reference.indicators().set_index("id")
    cells = []
    for tid in TARGET_IDS:
        unit = ind.at[tid, "unit"]
        for place_id in names:
            value = indicator_value(ctx, tid, place_id, ctx.year)
            prow = progress_row(ctx, tid, place_id, ty)
            status = prow["status"] if prow is not None else None
            symbol = f"{prow['symbol']} " if prow is not None else ""
            text = symbol + value_text(value, unit, lang)
            if tid == "T2" and place_id == province_id and not is_missing(value):
                text = f"{symbol}{format_count(value, lang)}/11"
            cells.append(
                {"place_id": place_id, "indicator_id": tid, "status": status, "text": text}
            )
    title = label("chart_heatmap", lang, target_year=ty)
    fig = charts.plot_status_heatmap(
        pd.DataFrame(cells), names, list(TARGET_IDS), title, lang, highlight=ctx.place_id
    )
    return figure(fig, title)


def trends_chart(ctx: ReportContext) -> Image:
    """Households, workers, income and revenue of the place's villages over the years."""
    totals = tables.yearly_totals(ctx.ds, ctx.place_id)
    totals = totals[totals["year"] <= ctx.year]
    return figure(charts.plot_trends(totals, ctx.lang), label("sec_trends", ctx.lang))


def villages_table(ctx: ReportContext) -> HTML:
    """The place's villages: craft, former and new commune, recognition, the Decree 52 screen."""
    from analysis.indicators.recognition import screen_villages

    lang = ctx.lang
    villages = tables.villages_in(ctx.ds.villages, ctx.place_id)
    screen = screen_villages(ctx.ds, ctx.year)
    merged = villages.merge(screen, on="village_id", how="left")
    crafts = ctx.ds.crafts.set_index("craft_id")[f"name_{lang}"]
    old = reference.communes_pre2025().set_index("code")["name_vi"]
    new = reference.communes_2025().set_index("code")["name_vi"]
    recog = reference.code_list("recognition")
    yes, no = label("word_yes", lang), label("word_no", lang)
    header = [
        label(k, lang)
        for k in (
            "col_village",
            "col_craft",
            "col_communes",
            "col_recognition",
            "col_household_share",
            "col_stable",
            "col_environment",
            "col_lacks",
        )
    ]
    rows = []
    by_name = merged.sort_values(  # villages in Vietnamese order within each area
        ["district_code", "name_vi"], key=lambda c: vi_order(c) if c.name == "name_vi" else c
    )
    for v in by_name.itertuples(index=False):
        rec = recog[v.recognition][lang]
        if v.recognition != "none" and not is_missing(v.recognition_date):
            rec += f" ({pd.Timestamp(v.recognition_date).year}, {v.recognition_regime})"
        rows.append(
            [
                v.name_vi,
                crafts.get(v.craft_id, v.craft_id),
                f"{old.get(v.old_commune_code, '')} → {new.get(v.commune_code, '')}",
                rec,
                format_percent(100 * v.household_share, 1, lang)
                if not is_missing(v.household_share)
                else "—",
                yes if v.meets_stable_production is True else no,
                yes if v.meets_environment is True else no,
                "" if v.recognition != "none" else (getattr(v, f"lacks_{lang}") or "—"),
            ]
        )
    return HTML(html_table(header, rows))


def funding_section(ctx: ReportContext) -> HTML:
    """Planned against disbursed money by source, and what the money bought, by task group."""
    lang = ctx.lang
    funding = tables.funding_by_source(ctx.ds, ctx.place_id, ctx.year)
    sources = {k: v[lang] for k, v in reference.code_list("funding_source").items()}
    header = [
        label(k, lang)
        for k in ("col_source", "col_planned", "col_disbursed", "col_disbursed_share")
    ]
    rows = [
        [
            sources.get(r.funding_source, r.funding_source),
            format_number(r.planned_mvnd, 1, lang),
            format_number(r.disbursed_mvnd, 1, lang),
            format_percent(r.disbursed_pct, 1, lang),
        ]
        for r in funding.itertuples(index=False)
    ]
    if len(funding):
        planned, disbursed = funding["planned_mvnd"].sum(), funding["disbursed_mvnd"].sum()
        rows.append(
            [
                label("total", lang),
                format_number(planned, 1, lang),
                format_number(disbursed, 1, lang),
                format_percent(100 * disbursed / planned if planned else None, 1, lang),
            ]
        )
    tasks = tables.outputs_by_task(ctx.ds, ctx.place_id, ctx.year)
    groups = {k: v[lang] for k, v in reference.code_list("task_group").items()}
    t_header = [
        label("col_task", lang),
        label("col_planned", lang),
        label("col_disbursed", lang),
        "Người được đào tạo" if lang == "vi" else "Trainees",
        "Hội chợ" if lang == "vi" else "Trade fairs",
        "Nhãn hiệu đăng ký" if lang == "vi" else "Trademarks",
    ]
    t_rows = [
        [
            groups.get(r.task_group, r.task_group),
            format_number(r.planned_mvnd, 1, lang),
            format_number(r.disbursed_mvnd, 1, lang),
            format_count(r.trainees, lang),
            format_count(r.trade_fairs, lang),
            format_count(r.trademarks_registered, lang),
        ]
        for r in tasks.itertuples(index=False)
    ]
    return HTML(html_table(header, rows) + html_table(t_header, t_rows))


def funding_chart(ctx: ReportContext) -> Image:
    """Bars of planned and disbursed money by funding source."""
    funding = tables.funding_by_source(ctx.ds, ctx.place_id, ctx.year)
    sources = {k: v[ctx.lang] for k, v in reference.code_list("funding_source").items()}
    return figure(charts.plot_funding(funding, sources, ctx.lang), label("chart_funding", ctx.lang))


def village_map(ctx: ReportContext) -> Image:
    """The place's villages on a locator map over the 2025 commune centres."""
    villages = tables.villages_in(ctx.ds.villages, ctx.place_id).merge(
        tables.village_status(ctx.ds, ctx.year), on="village_id", how="left"
    )
    communes = reference.communes_2025()
    names = {s: label(f"map_{s}", ctx.lang) for s in tables.MAP_STATUSES}
    if ctx.place["level"] in ("district", "commune"):
        lat, lon = villages["lat"].mean(), villages["lon"].mean()
        near = (communes["lat"] - lat).abs().lt(0.35) & (communes["lon"] - lon).abs().lt(0.35)
        communes = communes[near]
    fig = charts.plot_village_map(
        villages, communes, names, ctx.lang, highlight_communes=set(villages["commune_code"])
    )
    return figure(fig, label("chart_map", ctx.lang))


def data_quality(ctx: ReportContext) -> HTML:
    """Submissions (on time, late, missing) and missing values for the year."""
    lang = ctx.lang
    subs = tables.submissions_of_place(ctx.ds, ctx.place_id, ctx.year)
    names = tables.unit_names(lang)
    header = [
        label(k, lang) for k in ("col_unit_code", "col_deadline", "col_received", "col_timeliness")
    ]
    rows, styles = [], []
    for s in subs.itertuples(index=False):
        if s.status == "missing":
            text, style = label("missing", lang), "background-color:#c0392b;color:#fff"
        elif s.status == "late":
            text = label("late", lang, days=int(s.days_late))
            style = "background-color:#e06c00;color:#fff"
        else:
            text, style = label("on_time", lang), ""
        rows.append(
            [
                names.get(s.unit_code, s.unit_code),
                format_date(s.deadline, lang),
                format_date(s.received_on, lang),
                text,
            ]
        )
        styles.append(["", "", "", style])
    missing = tables.missing_values(ctx.ds, ctx.place_id, ctx.year)
    schema_cols = village_year_schema().columns
    m_header = [label("col_column", lang), label("col_missing_values", lang)]
    absent = "thôn không có số liệu" if lang == "vi" else "villages without figures"
    m_rows = [
        [
            schema_cols[m.column].metadata[lang],
            f"{int(m.missing)}/{int(m.expected)}"
            + (f" (+{int(m.absent_rows)} {absent})" if m.absent_rows else ""),
        ]
        for m in missing.itertuples(index=False)
    ]
    none = f"<p>{_esc(label('none_yet', lang))}</p>"
    return HTML(
        html_table(header, rows, styles=styles) + (html_table(m_header, m_rows) if m_rows else none)
    )


def suggestions(ctx: ReportContext) -> list[str]:
    """Sentences drawn from the numbers, to help the reporting unit write its assessment."""
    lang = ctx.lang
    names = _indicator_names(lang)
    ind = reference.indicators().set_index("id")
    province_id = reference.province()["slug"]
    p = ctx.progress
    scope = [ctx.place_id, province_id] if ctx.place_id != province_id else [province_id]
    rows = p[p["place_id"].isin(scope) & p["indicator_id"].isin(TARGET_IDS)]
    out = []
    for r in rows.sort_values(["indicator_id", "target_year"]).itertuples(index=False):
        unit = ind.at[r.indicator_id, "unit"]
        value = value_text(r.current_value, unit, lang)
        target = value_text(r.target_value, unit, lang)
        status = getattr(r, f"label_{lang}")
        where = places_mod.place(r.place_id)["short_name_vi"]
        if lang == "vi":
            text = (
                f"{r.indicator_id} ({names[r.indicator_id]}, {where}): {value} "
                f"(mục tiêu năm {r.target_year}: {target}) — {status.lower()}"
            )
        else:
            text = (
                f"{r.indicator_id} ({names[r.indicator_id]}, {where}): {value} "
                f"(target for {r.target_year}: {target}) — {status.lower()}"
            )
        if (
            r.status not in ("achieved",)
            and not is_missing(r.required_per_year)
            and float(r.required_per_year) > 0
        ):
            pace = _pace_text(r.required_per_year, unit, lang)
            text += (
                f"; cần thêm khoảng {pace} mỗi năm"
                if lang == "vi"
                else f"; about {pace} more per year is needed"
            )
        out.append(text + ".")
    return out


def narrative_texts(ctx: ReportContext, section: str) -> pd.DataFrame:
    """The texts the place's reporting units sent for a section of the year's report: the
    district itself before the reform, its communes after it, every unit for the province."""
    n = ctx.narratives
    if n.empty:
        return n
    n = n[(n["section"] == section) & (n["year"] == ctx.year)]
    n = n[n["text_vi"].fillna("").str.strip() != ""]
    if ctx.place["level"] != "province":
        units = set(tables.units_of_place(ctx.ds, ctx.place_id, ctx.year)["unit_code"])
        units.add(ctx.place["code"])
        n = n[n["unit_code"].isin(units)]
    return n.sort_values("unit_code").reset_index(drop=True)


def _paragraphs(text: str) -> str:
    """Untrusted text as HTML paragraphs: escaped, blank lines split paragraphs."""
    parts = [p.strip() for p in str(text).split("\n\n") if p.strip()]
    return "".join(f"<p>{_esc(p).replace(chr(10), '<br>')}</p>" for p in parts)


def narrative(ctx: ReportContext, section: str) -> HTML:
    """Text supplied by the reporting unit(s) for a section (escaped: it comes from their
    workbooks), or a placeholder with suggestions drawn from the numbers."""
    lang = ctx.lang
    texts = narrative_texts(ctx, section)
    if len(texts):
        if len(texts) == 1:
            return HTML(_paragraphs(texts["text_vi"].iloc[0]))
        names = tables.unit_names(lang)
        return HTML(
            "".join(
                f"<p><b>{_esc(names.get(t.unit_code, t.unit_code))}:</b></p>"
                + _paragraphs(t.text_vi)
                for t in texts.itertuples(index=False)
            )
        )
    body = f"<p><i>{_esc(label('narrative_missing', lang))}</i></p>"
    if section in ("strengths", "shortcomings"):
        hints = suggestions(ctx)
        wanted = (
            ("achieved", "on_track")
            if section == "strengths"
            else (
                "not_achieved",
                "acceleration_needed",
                "limited_progress",
                "deterioration",
                "no_data",
                "not_assessable",
            )
        )
        keep = [h for h, r in zip(hints, _suggestion_statuses(ctx), strict=True) if r in wanted]
        if keep:
            items = "".join(f"<li>{_esc(h)}</li>" for h in keep)
            body += f"<p><b>{_esc(label('suggestions', lang))}:</b></p><ul>{items}</ul>"
    return HTML(body)


def _suggestion_statuses(ctx: ReportContext) -> list[str]:
    province_id = reference.province()["slug"]
    p = ctx.progress
    scope = [ctx.place_id, province_id] if ctx.place_id != province_id else [province_id]
    rows = p[p["place_id"].isin(scope) & p["indicator_id"].isin(TARGET_IDS)]
    return list(rows.sort_values(["indicator_id", "target_year"])["status"])


def appendix_values(ctx: ReportContext) -> HTML:
    """Every indicator of the place by year."""
    lang = ctx.lang
    ind = reference.indicators().set_index("id")
    values = ctx.indicators[ctx.indicators["place_id"] == ctx.place_id]
    years = sorted(values["year"].unique())
    header = [label("col_indicator", lang)] + [str(y) for y in years]
    rows = []
    for iid in ind.index:
        sub = values[values["indicator_id"] == iid].set_index("year")["value"]
        if sub.empty:
            continue
        rows.append(
            [f"{iid}. {ind.at[iid, f'name_{lang}']}"]
            + [value_text(sub.get(y), ind.at[iid, "unit"], lang) for y in years]
        )
    return HTML(html_table(header, rows))


def appendix_audit(ctx: ReportContext) -> HTML:
    """The components behind each status: base, current, target, ratios, projection."""
    lang = ctx.lang
    ind = reference.indicators().set_index("id")
    province_id = reference.province()["slug"]
    scope = [ctx.place_id, province_id] if ctx.place_id != province_id else [province_id]
    p = ctx.progress[ctx.progress["place_id"].isin(scope)].sort_values(
        ["indicator_id", "target_year", "place_id"]
    )
    header = [
        label("col_indicator", lang),
        label("col_place", lang),
        "",
        label("col_method", lang),
        label("col_base", lang),
        label("col_current", lang),
        label("col_gap_closed", lang),
        label("col_time_elapsed", lang),
        label("col_ratio", lang),
        label("col_projection", lang),
        label("col_timeliness", lang).split()[0],
    ]
    header[2] = label("col_target", lang, target_year="").strip()
    header[-1] = "Đánh giá" if lang == "vi" else "Status"
    rows = []
    for r in p.itertuples(index=False):
        unit = ind.at[r.indicator_id, "unit"]
        short = places_mod.place(r.place_id)["short_name_vi"]
        rows.append(
            [
                r.indicator_id,
                short,
                f"{r.target_year}: {value_text(r.target_value, unit, lang)}",
                label(f"method_{r.method}", lang) if r.method in ("linear", "growth") else r.method,
                f"{'' if is_missing(r.base_year) else int(r.base_year)} / "
                f"{value_text(r.base_value, unit, lang)}",
                f"{'' if is_missing(r.current_year) else int(r.current_year)} / "
                f"{value_text(r.current_value, unit, lang)}",
                format_number(r.gap_closed_share, 2, lang),
                format_number(r.time_elapsed_share, 2, lang),
                format_number(r.ratio, 2, lang),
                value_text(r.projection, unit, lang),
                f"{r.symbol} {getattr(r, f'label_{lang}')}",
            ]
        )
    return HTML(html_table(header, rows))


def appendix_definitions(ctx: ReportContext) -> HTML:
    """Indicator definitions, with their sources."""
    lang = ctx.lang
    ind = reference.indicators()
    header = [
        label("col_indicator", lang),
        label("col_formula", lang),
        label("col_method", lang),
        label("col_source_ref", lang),
    ]
    rows = [
        [
            f"{r.id}. {getattr(r, f'name_{lang}')}",
            getattr(r, f"formula_{lang}"),
            label(f"method_{r.method}", lang),
            r.source,
        ]
        for r in ind.itertuples(index=False)
    ]
    return HTML(html_table(header, rows))


def t2_by_area(ctx: ReportContext) -> HTML:
    """Province and review reports: commodity crafts per area against 2 (2025) and 3 (2030)."""
    lang = ctx.lang
    table = places_mod.places()
    areas = table[table["level"] == "district"]
    crafts = ctx.ds.crafts.set_index("craft_id")[f"name_{lang}"]
    dc = ctx.ds.district_crafts[ctx.ds.district_crafts["year"] == ctx.year]
    header = [
        label("col_place", lang),
        label("col_value", lang, year=ctx.year),
        label("col_craft", lang),
        label("col_status", lang, target_year=2025),
        label("col_status", lang, target_year=2030),
    ]
    rows, styles = [], []
    for a in areas.itertuples(index=False):
        names = ", ".join(
            crafts.get(c, c) for c in dc.loc[dc["district_code"] == a.code, "craft_id"]
        )
        row = [
            a.short_name_vi,
            value_text(indicator_value(ctx, "T2", a.place_id, ctx.year), "count", lang),
            names or "—",
        ]
        style = ["", "", ""]
        for ty in TARGET_YEARS:
            text, st = _status_cell(progress_row(ctx, "T2", a.place_id, ty), "count", lang)
            row.append(text)
            style.append(st)
        rows.append(row)
        styles.append(style)
    return HTML(html_table(header, rows, styles=styles))


def national_context(ctx: ReportContext) -> HTML:
    """The province's context indicators judged against Decision 801's national targets
    (a benchmark: Plan 244 sets no such targets for the province)."""
    from analysis.indicators.progress import assess_progress

    lang = ctx.lang
    province_id = reference.province()["slug"]
    national = reference.national_context_targets()
    statuses = assess_progress(ctx.indicators, ctx.year, national)
    ind = reference.indicators().set_index("id")
    header = [label("col_indicator", lang), label("col_value", lang, year=ctx.year)]
    for ty in TARGET_YEARS:
        header += [
            label("col_national_target", lang, target_year=ty),
            label("col_status", lang, target_year=ty),
        ]
    rows, styles = [], []
    for iid in dict.fromkeys(national["indicator_id"]):
        unit = ind.at[iid, "unit"]
        row = [
            f"{iid}. {ind.at[iid, f'name_{lang}']}",
            value_text(indicator_value(ctx, iid, province_id, ctx.year), unit, lang),
        ]
        style = ["", ""]
        for ty in TARGET_YEARS:
            hit = statuses[
                (statuses["indicator_id"] == iid)
                & (statuses["target_year"] == ty)
                & (statuses["place_id"] == province_id)
            ]
            if hit.empty:
                row += ["—", label("not_applicable", lang)]
                style += ["", ""]
                continue
            p = hit.iloc[0]
            text, cell_style = _status_cell(p, unit, lang)
            row += [
                f"{p['operator'].replace('>=', '≥')} {value_text(p['target_value'], unit, lang)}",
                text,
            ]
            style += ["", cell_style]
        rows.append(row)
        styles.append(style)
    note = f"<p><i>{_esc(label('national_note', lang))}</i></p>"
    return HTML(html_table(header, rows, styles=styles) + note)
