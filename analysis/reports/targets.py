"""The targets table (T1-T6 against 2025 and 2030) and the words of a status: made here once and
used by the reports, the ``status`` command and the index page, so they print the same row.

Status ids, words, symbols and colours come from the progress table (``assess_progress``, which
takes them from ``status_bands.csv``); nothing here names a status except ``achieved``.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.formatting import change_text, format_count, is_missing, value_text
from analysis.core.labels import label
from analysis.data import reference
from analysis.data.places import place
from analysis.indicators.progress import summarise_area_statuses
from analysis.reports.model import Column, Table

TARGET_IDS = ("T1", "T2", "T3", "T4", "T5", "T6")
TARGET_YEARS = (2025, 2030)
#: Text on a status colour: dark on the light bands, white on the others.
_DARK_TEXT_ON = ("#d4a017",)


def status_looks(progress: pd.DataFrame | None, lang: str) -> dict[str, dict[str, str]]:
    """Each status id -> its symbol, words, colour and text colour, from ``status_bands.csv``
    and from any extra status the progress table carries (with its own labels)."""
    looks: dict[str, dict[str, str]] = {}
    bands = reference.status_bands()
    frames = [bands.rename(columns={"status": "status"})]
    if progress is not None and len(progress):
        frames.append(progress[["status", "label_vi", "label_en", "colour", "symbol"]])
    for frame in frames:
        for r in frame.drop_duplicates("status").itertuples(index=False):
            if r.status in looks or is_missing(r.status):
                continue
            colour = str(r.colour) if not is_missing(r.colour) else "#8c8c8c"
            looks[str(r.status)] = {
                "symbol": "" if is_missing(r.symbol) else str(r.symbol),
                "label": str(getattr(r, f"label_{lang}")),
                "colour": colour,
                "text_colour": "#222222" if colour.lower() in _DARK_TEXT_ON else "#ffffff",
            }
    return looks


def status_words(row: pd.Series | None, lang: str) -> str:
    """A status as a reader sees it: symbol and words (never colour alone)."""
    if row is None:
        return label("not_applicable", lang)
    return f"{row['symbol']} {row[f'label_{lang}']}"


def still_needed(row: pd.Series | None, unit: str, lang: str) -> str:
    """What is still needed for a target: nothing when achieved; the shortfall when its year has
    come; else the yearly pace to reach it in time."""
    if row is None or row["status"] == "achieved" or is_missing(row.get("current_value")):
        return ""
    target_year = int(row["target_year"])
    if int(row["year"]) >= target_year:
        gap = row.get("shortfall")
        if is_missing(gap):
            gap = abs(float(row["target_value"]) - float(row["current_value"]))
        if float(gap) <= 0:
            return ""
        return _shortfall(gap, unit, row, lang)
    pace = row.get("required_per_year")
    if is_missing(pace) or float(pace) <= 0:
        return ""
    return label("status_needed", lang, target_year=target_year, pace=change_text(pace, unit, lang))


def _shortfall(gap: object, unit: str, row: pd.Series, lang: str) -> str:
    """A shortfall, with what a count target counts ("còn thiếu 1 làng nghề")."""
    text = change_text(gap, unit, lang)
    if unit == "count":
        try:
            return label(f"status_shortfall_{row.get('indicator_id')}", lang, gap=text)
        except KeyError:  # a count without its own words in labels.yaml
            pass
    return label("status_shortfall", lang, gap=text)


def place_value_text(indicator_id: str, place_id: str, value: object, lang: str) -> str:
    """An indicator's value for a place as every table prints it; the province's T2 is the
    number of areas reaching their target, of the 11 (``8/11``)."""
    unit = str(reference.indicators().set_index("id").at[indicator_id, "unit"])
    if (
        indicator_id == "T2"
        and place_id == str(reference.province()["slug"])
        and not is_missing(value)
    ):
        return f"{format_count(value, lang)}/{len(reference.districts())}"
    return value_text(value, unit, lang)


def target_text(target: pd.Series, unit: str, lang: str, is_area: bool) -> str:
    """A target as written in the table: ``≥ 2``, ``11/11 địa bàn đạt ≥ 2``, ``≥ 1 (toàn tỉnh)``;
    a star when the target is read by the project or not verified."""
    if target["scope"] == "district" and not is_area:
        n = len(reference.districts())
        text = label("status_areas_target", lang, n=n, value=format_count(target["value"], lang))
    else:
        op = str(target["operator"]).replace(">=", "≥").replace("<=", "≤")
        text = f"{op} {value_text(target['value'], unit, lang)}"
    if target["scope"] == "province" and is_area:
        text += f" ({label('status_province_wide', lang)})"
    return text + ("" if bool(target["verified"]) else " *")


def _progress_row(progress: pd.DataFrame, tid: str, place_id: str, ty: int) -> pd.Series | None:
    hit = progress[
        (progress["indicator_id"] == tid)
        & (progress["place_id"] == place_id)
        & (progress["target_year"] == ty)
    ]
    return hit.iloc[0] if len(hit) else None


def _value(indicators: pd.DataFrame, tid: str, place_id: str, year: int) -> object:
    hit = indicators[
        (indicators["indicator_id"] == tid)
        & (indicators["place_id"] == place_id)
        & (indicators["year"] == year)
    ]
    return hit["value"].iloc[0] if len(hit) else None


def targets_frame(
    indicators: pd.DataFrame,
    progress: pd.DataFrame,
    year: int,
    place_id: str,
    lang: str,
) -> tuple[pd.DataFrame, list[Column]]:
    """The targets table of a place: one row per target T1-T6 with the baseline, the value of
    the year (the place's and the province's), each target with its status, and what is still
    needed. Cells are text made by the functions above; ``status_<year>_id`` colour them."""
    province_id = str(reference.province()["slug"])
    is_area = place_id != province_id
    ind = reference.indicators().set_index("id")
    targets = reference.targets()
    short = ""
    if is_area:
        short = str(place(place_id)["short_name_vi"])
    value_head = label("col_value", lang, year=year)
    columns = [
        Column("indicator", label("col_indicator", lang)),
        Column("baseline", label("col_baseline", lang)),
    ]
    if is_area:
        columns.append(Column("value_place", f"{value_head}\n({short})"))
    columns.append(
        Column(
            "value_province",
            f"{value_head}\n({label('status_province_wide', lang)})" if is_area else value_head,
        )
    )
    for ty in TARGET_YEARS:
        columns += [
            Column(f"target_{ty}", label("col_target", lang, target_year=ty)),
            Column(f"status_{ty}", label("col_status", lang, target_year=ty)),
        ]
    columns.append(Column("needed", label("col_still_needed", lang)))
    rows = []
    for tid in TARGET_IDS:
        unit = str(ind.at[tid, "unit"])
        row: dict[str, object] = {"id": tid, "indicator": f"{tid}. {ind.at[tid, f'name_{lang}']}"}
        if is_area:
            row["value_place"] = place_value_text(
                tid, place_id, _value(indicators, tid, place_id, year), lang
            )
        row["value_province"] = place_value_text(
            tid, province_id, _value(indicators, tid, province_id, year), lang
        )
        needed, base, base_wide = [], None, False
        for ty in TARGET_YEARS:
            hit = targets[(targets["indicator_id"] == tid) & (targets["target_year"] == ty)]
            row[f"status_{ty}_id"] = None
            if hit.empty:
                row[f"target_{ty}"], row[f"status_{ty}"] = "—", label("not_applicable", lang)
                continue
            target = hit.iloc[0]
            row[f"target_{ty}"] = target_text(target, unit, lang, is_area)
            if target["scope"] == "district" and not is_area:
                row[f"status_{ty}"] = summarise_area_statuses(progress, tid, ty)
                continue
            own = target["scope"] == "district" and is_area
            prow = _progress_row(progress, tid, place_id if own else province_id, ty)
            row[f"status_{ty}"] = status_words(prow, lang)
            row[f"status_{ty}_id"] = None if prow is None else prow["status"]
            if prow is not None:
                if base is None:  # an area judged on a province-wide target: the province's base
                    base, base_wide = prow, is_area and not own
                text = still_needed(prow, unit, lang)
                if text:
                    needed.append(text)
        row["baseline"] = _baseline_text(base, unit, lang, base_wide)
        row["needed"] = "\n".join(dict.fromkeys(needed)) or "—"
        rows.append(row)
    return pd.DataFrame(rows), columns


def _baseline_text(row: pd.Series | None, unit: str, lang: str, province_wide: bool = False) -> str:
    """The value a target is judged from and its year: ``0 (2020)``; in an area's report, a
    province-wide target's base is the province's and says so: ``92,5% (2020, toàn tỉnh)``."""
    if row is None or is_missing(row["base_value"]):
        return "—"
    where = f", {label('status_province_wide', lang)}" if province_wide else ""
    return f"{value_text(row['base_value'], unit, lang)} ({int(row['base_year'])}{where})"


def targets_table(
    indicators: pd.DataFrame, progress: pd.DataFrame, year: int, place_id: str, lang: str
) -> Table:
    """The targets table as a report block (status cells coloured by their status)."""
    frame, columns = targets_frame(indicators, progress, year, place_id, lang)
    return Table(
        frame,
        columns,
        name="targets",
        status_of={f"status_{ty}": f"status_{ty}_id" for ty in TARGET_YEARS},
    )


def targets_text_rows(
    indicators: pd.DataFrame, progress: pd.DataFrame, year: int, place_id: str, lang: str
) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the targets table as text (the ``status`` command, the index page)."""
    frame, columns = targets_frame(indicators, progress, year, place_id, lang)
    header = [c.header for c in columns]
    rows = [[str(r[c.key]) for c in columns] for r in frame.to_dict("records")]
    return header, rows
