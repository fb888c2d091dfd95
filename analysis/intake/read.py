"""Reading a reporting unit's workbook and checking it: every problem at once, in words an
official understands (Vietnamese and English), with sheet, row, column and the value found.

The steps live in their own modules: ``container`` opens the untrusted file safely, ``values``
reads cells the way they really arrive, ``units`` finds the reporting unit, ``cells`` checks each
data sheet, ``problems`` words the findings. This module reads the cover, puts the sheets
together (:func:`read_submission`) and returns a :class:`ParsedSubmission`;
``analysis.intake.ingest`` loads what it accepts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

import openpyxl
import pandas as pd

from analysis.core import config
from analysis.data import reference
from analysis.data.problems import Problem, is_blank
from analysis.data.schemas import MAX_YEAR, MIN_YEAR
from analysis.intake.cells import (
    Context,
    Sheet,
    blank_cells,
    catalogue_problems,
    drop_blank_rows,
    equal_or_missing,
    find_sheet,
    locate_table,
    read_column,
    report_duplicates,
    resolve_crafts,
    resolve_villages,
    schema_problems,
    sheet_index,
    text_column,
    typed_fields,
)
from analysis.intake.container import (
    RawSheet,
    check_container,
    fill_formula_values,
    load_workbook,
    read_sheet,
)
from analysis.intake.problems import IntakeLimits, first_per_cell, make_problem
from analysis.intake.units import resolve_unit
from analysis.intake.values import (
    clean_text,
    parse_years,
)
from analysis.intake.workbook import (
    COVER_FIELDS,
    COVER_TITLE,
    COVER_TITLE_EN,
    FIRST_DATA_ROW,
    LEFT_REASON,
    NARRATIVE_SECTIONS,
    TEMPLATE_VERSION,
    SheetSpec,
    sheet_key,
    sheet_specs,
    unit_villages,
)


def _read_cover(ctx: Context, raw: RawSheet, today: date) -> dict[str, object]:
    """Unit, year, sender and date from the cover sheet (key in column D, else label in A)."""
    by_key = {f.name: f for f in COVER_FIELDS}
    labels = {sheet_key(t): f.name for f in COVER_FIELDS for t in (f.vi, f.en)}
    found: dict[str, tuple[int, object]] = {}
    for number, values in raw.rows:
        a, b, _, d = [*values, None, None, None, None][:4]
        key = (
            d
            if isinstance(d, str) and d in by_key
            else (labels.get(sheet_key(a)) if isinstance(a, str) else None)
        )
        if key is not None and key not in found:
            found[key] = (number, b)
    # One column per item, its value on its own row: the table checks apply unchanged.
    frame = pd.DataFrame(
        index=pd.Index(sorted({r for r, _ in found.values()}), name="row"),
        columns=list(by_key),
        dtype=object,
    )
    for key, (row, value) in found.items():
        frame.at[row, key] = value
    fonts = {
        (row, key): raw.fonts[(row, 1)] for key, (row, _) in found.items() if (row, 1) in raw.fonts
    }
    spec = SheetSpec("cover", raw.title, COVER_TITLE_EN, "", COVER_FIELDS, ())
    sheet = Sheet(spec, raw.title, frame, dict.fromkeys(by_key, "B"), fonts)

    def row_of(key: str) -> int | None:
        return found.get(key, (None, None))[0]

    def first(values: pd.Series) -> object:
        present = values.dropna()
        return present.iloc[0] if len(present) else None

    def rows_of(key: str) -> pd.Series:
        return pd.Series(frame.index == row_of(key), index=frame.index)

    cover: dict[str, object] = {}
    low, high = config.BASELINE_YEAR, config.PROGRAMME_END
    raw_year = found.get("year", (None, None))[1]
    years, bad = parse_years(frame.loc[rows_of("year"), "year"])
    year = first(years)
    if year is None or bad.any() or not low <= int(year) <= high:  # type: ignore[call-overload]
        ctx.add(
            "bad_year", sheet, row_of("year"), by_key["year"], value=raw_year, first=low, last=high
        )
    else:
        ctx.year = int(year)  # type: ignore[call-overload]
    for key in ("unit_name", "sender", "position", "contact", "template_version"):
        cover[key] = first(text_column(ctx, sheet, by_key[key], rows_of(key)))
        if by_key[key].required and cover[key] is None:
            ctx.add("required", sheet, row_of(key), by_key[key])
    raw_code = found.get("unit_code", (None, None))[1]
    unit, unit_problems = resolve_unit(raw_code, cover["unit_name"], ctx.year)
    for code, params in unit_problems:
        on_name = code == "unit_mismatch" or (is_blank(raw_code) and code != "unit_missing")
        key = "unit_name" if on_name else "unit_code"
        shown = cover["unit_name"] if on_name else raw_code
        ctx.add(code, sheet, row_of(key), by_key[key], **{"value": shown, **params})
    ctx.unit = unit
    version = cover["template_version"]
    if version is not None and version != TEMPLATE_VERSION:
        ctx.add(
            "template_version",
            sheet,
            row_of("template_version"),
            by_key["template_version"],
            severity="warning",
            value=version,
            current=TEMPLATE_VERSION,
        )
    sent = first(read_column(ctx, sheet, by_key["sent_on"], rows_of("sent_on")))
    cover["sent_on"] = None if sent is None else pd.Timestamp(sent).date()
    if (
        cover["sent_on"] is not None
        and ctx.year is not None
        and not (
            date(ctx.year, 1, 1) <= cover["sent_on"] <= today  # type: ignore[operator]
        )
    ):
        ctx.add(
            "bad_sent_date",
            sheet,
            row_of("sent_on"),
            by_key["sent_on"],
            value=cover["sent_on"].strftime("%d/%m/%Y"),
            year=ctx.year,
        )  # type: ignore
        cover["sent_on"] = None
    return cover


@dataclass
class ParsedSubmission:
    """A workbook read and checked: its unit, year, cover and tidy rows per table."""

    unit: pd.Series | None
    year: int | None
    cover: dict[str, object]
    village_year: pd.DataFrame
    village_updates: pd.DataFrame
    crafts: pd.DataFrame
    activities: pd.DataFrame
    narratives: pd.DataFrame
    problems: list[Problem]
    letters: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        """Problems that reject the workbook."""
        return [p for p in self.problems if p.severity == "error"]

    @classmethod
    def failed(cls, problems: list[Problem]) -> ParsedSubmission:
        """A workbook that could not be read at all."""
        empty = pd.DataFrame()
        return cls(None, None, {}, empty, empty, empty, empty, empty, problems)


def _village_year_rows(ctx: Context, sheet: Sheet) -> pd.DataFrame:
    """The yearly figures of the unit's villages, checked (types, ranges, nesting); every
    village the template pre-filled has figures or a reason it left (:func:`_missing_villages`)."""
    spec = sheet.spec
    figures = [f.name for f in spec.fields if f.kind not in ("village", "info", "reason")]
    rows = drop_blank_rows(sheet, figures)
    village_field = spec.field("village_id")
    keyed = drop_blank_rows(sheet, ["village_id", "village_name"])
    ids = resolve_villages(ctx, sheet, village_field, rows | keyed)
    left = pd.Series(False, index=rows.index)
    if "left_reason" in sheet.frame.columns:
        reason_field = replace(LEFT_REASON, kind="code")
        reasons = read_column(ctx, sheet, reason_field, keyed | rows)
        left = (keyed & reasons.reindex(rows.index).notna() & ids.notna()).astype(bool)
        ctx.add_rows("left_with_figures", sheet, LEFT_REASON, left & rows)
        for row in left.index[left & ~rows]:
            label_vi = reference.code_list("village_left")[reasons[row]]
            ctx.add(
                "village_left",
                sheet,
                row,
                LEFT_REASON,
                severity="warning",
                village=ids[row],
                reason_vi=label_vi["vi"],
                reason_en=label_vi["en"],
                year=ctx.year,
            )
    _missing_villages(ctx, sheet, ids, rows | left)
    ctx.add_rows("required", sheet, village_field, rows & ~keyed)
    typed = typed_fields(ctx, sheet, rows)
    typed.insert(0, "village_id", ids[rows])
    typed.insert(1, "year", ctx.year if ctx.year is not None else 0)
    report_duplicates(
        ctx, sheet, typed, ["village_id"], village_field, "thôn, bản {value}", "village {value}"
    )
    schema_problems(ctx, sheet, "village_year", typed.dropna(subset=["village_id"]))
    catalogue_problems(ctx, sheet, "village_year", typed.dropna(subset=["village_id"]))
    return typed


def _missing_villages(ctx: Context, sheet: Sheet, ids: pd.Series, reported: pd.Series) -> None:
    """Every village of the unit (those the template pre-fills) must have figures or a reason
    it left; otherwise loading would delete its figures of the year without a word."""
    if ctx.unit is None:
        return
    villages = ctx.tables["villages"]
    mine = unit_villages(villages, ctx.unit["code"], ctx.unit["level"]).sort_values("village_id")
    present = set(ids[reported].dropna())
    rows_of = {v: r for r, v in ids.dropna().items()}
    for village, name in zip(mine["village_id"], mine["name_vi"], strict=True):
        if village in present:
            continue
        ctx.add(
            "village_missing",
            sheet,
            rows_of.get(village),
            LEFT_REASON if village in rows_of and LEFT_REASON.name in sheet.letters else None,
            village=f"{village} ({name})",
            year=ctx.year,
        )


#: The years of the updates sheet: none may lie after the reporting year, all from 2000.
_YEAR_COLUMNS = ("tourism_since", "trademark_since", "restored_year", "withdrawal_year")


def _updates_rows(ctx: Context, sheet: Sheet) -> pd.DataFrame:
    """Recognition, tourism and trademark of the villages, checked for consistency."""
    spec = sheet.spec
    values = [f.name for f in spec.fields if f.kind not in ("village", "info")]
    rows = drop_blank_rows(sheet, values)
    village_field = spec.field("village_id")
    ids = resolve_villages(ctx, sheet, village_field, rows)
    keyed = drop_blank_rows(sheet, ["village_id", "village_name"])
    ctx.add_rows("required", sheet, village_field, rows & ~keyed)
    typed = typed_fields(ctx, sheet, rows)
    typed.insert(0, "village_id", ids[rows])
    report_duplicates(
        ctx, sheet, typed, ["village_id"], village_field, "thôn, bản {value}", "village {value}"
    )
    year = ctx.year
    if year is not None:
        # Facts already in the store (pre-filled by the template) are not the sender's to
        # defend: only values the sender changed must not lie after the reporting year.
        current = ctx.tables["villages"].set_index("village_id")
        changed = {
            c: ~equal_or_missing(typed[c], typed["village_id"].map(current[c]))
            for c in _YEAR_COLUMNS + ("recognition_date",)
        }
        late = (typed["recognition_date"].dt.year > year) & changed["recognition_date"]
        ctx.add_rows(
            "recognition_after_year", sheet, spec.field("recognition_date"), late, year=year
        )
        for column in _YEAR_COLUMNS:
            ctx.add_rows(
                "year_after_report",
                sheet,
                spec.field(column),
                (typed[column].astype("Float64") > year) & changed[column],
                year=year,
            )
    # The data model keeps these years from 2000 (schemas.YEAR): say so in the sheet's words.
    for column in _YEAR_COLUMNS:
        years = typed[column].astype("Float64")
        outside = years.notna() & ~years.between(MIN_YEAR, MAX_YEAR)
        ctx.add_rows(
            "out_of_range", sheet, spec.field(column), outside, low=MIN_YEAR, high=MAX_YEAR
        )
    catalogue_problems(ctx, sheet, "villages", _villages_after(ctx, sheet, typed))
    return typed


def _villages_after(ctx: Context, sheet: Sheet, typed: pd.DataFrame) -> pd.DataFrame:
    """The villages of the sheet as they will stand once loaded: the store's record with the
    sheet's columns laid over it (a column the sheet lacks changes nothing), indexed by the
    Excel row, so that the catalogue's rules judge the whole record and point at the row."""
    current = ctx.tables["villages"]
    rows = typed[typed["village_id"].isin(current["village_id"])]
    after = current.set_index("village_id").loc[rows["village_id"]].reset_index()
    after.index = rows.index
    for column in rows.columns:
        if column in sheet.letters and column in after.columns and column != "village_id":
            after[column] = rows[column]
    return after


def _crafts_rows(ctx: Context, sheet: Sheet) -> pd.DataFrame:
    """Commodity crafts, each with the former district it counts for."""
    spec = sheet.spec
    rows = drop_blank_rows(sheet, ["craft_id", "village_id", "product_vi"])
    craft_field, village_field = spec.field("craft_id"), spec.field("village_id")
    crafts = resolve_crafts(ctx, sheet, craft_field, rows)
    ctx.add_rows("required", sheet, craft_field, rows & sheet.frame["craft_id"].map(is_blank))
    villages = (
        resolve_villages(ctx, sheet, village_field, rows)
        if "village_id" in sheet.frame.columns
        else pd.Series(None, index=rows.index)
    )
    typed = typed_fields(ctx, sheet, rows)
    typed.insert(0, "craft_id", crafts[rows])
    typed.insert(1, "village_id", villages[rows])
    district = pd.Series(None, index=typed.index, dtype=object)
    if ctx.unit is not None:
        table = ctx.tables["villages"].set_index("village_id")["district_code"]
        if ctx.unit["level"] == "district":
            district[:] = ctx.unit["code"]
        else:
            district = typed["village_id"].map(table)
            mine = unit_villages(ctx.tables["villages"], ctx.unit["code"], ctx.unit["level"])
            areas = mine["district_code"].unique()
            if len(areas) == 1:
                district = district.fillna(areas[0])
            needs = blank_cells(sheet, "village_id", typed.index)
            ctx.add_rows(
                "craft_village_required",
                sheet,
                village_field,
                needs & district.isna() & typed["craft_id"].notna(),
                values=typed["craft_id"],
            )
    typed.insert(0, "district_code", district)
    report_duplicates(
        ctx,
        sheet,
        typed.assign(v=typed["village_id"].fillna("")),
        ["district_code", "craft_id", "v"],
        craft_field,
        "nghề {value}",
        "craft {value}",
        label="craft_id",
    )
    return typed


#: What a unit writes in the first column of an empty activities sheet to say it had none.
NO_ACTIVITY = ("khong co hoat dong", "no activities", "no activity", "none")


def _activities_rows(ctx: Context, sheet: Sheet) -> pd.DataFrame:
    """Activities and funding of the unit. An empty sheet, when activities of the unit and year
    are already loaded, must say «Không có hoạt động» (else loading would delete them)."""
    rows = drop_blank_rows(sheet, [f.name for f in sheet.spec.fields])
    first = sheet.frame.get("task_group", pd.Series(None, index=rows.index, dtype=object))
    declared = first.map(lambda v: isinstance(v, str) and sheet_key(v) in NO_ACTIVITY)
    rows = rows & ~declared.astype(bool)
    if not rows.any() and not declared.any() and ctx.unit is not None and ctx.year is not None:
        act = ctx.tables["activities"]
        loaded = act[(act["unit_code"] == ctx.unit["code"]) & (act["year"] == ctx.year)]
        if len(loaded):
            ctx.add(
                "activities_missing",
                sheet,
                FIRST_DATA_ROW,
                sheet.spec.field("task_group"),
                n=len(loaded),
                year=ctx.year,
                first_row=FIRST_DATA_ROW,
            )
    typed = typed_fields(ctx, sheet, rows)
    unit = None if ctx.unit is None else ctx.unit["code"]
    typed.insert(0, "unit_code", unit)
    typed.insert(1, "year", ctx.year if ctx.year is not None else 0)
    over = (typed["disbursed_mvnd"] > typed["planned_mvnd"]).fillna(False).astype(bool)
    for row in over.index[over]:
        ctx.add(
            "disbursed_above_planned",
            sheet,
            row,
            sheet.spec.field("disbursed_mvnd"),
            severity="warning",
            value=typed.at[row, "disbursed_mvnd"],
            total=typed.at[row, "planned_mvnd"],
        )
    schema_problems(ctx, sheet, "activities", typed.dropna(subset=["task_group", "funding_source"]))
    return typed


def _narrative_rows(ctx: Context, sheet: Sheet) -> pd.DataFrame:
    """The narrative texts by section."""
    rows = drop_blank_rows(sheet, ["text_vi"])
    lookup = {}
    for code, labels in NARRATIVE_SECTIONS.items():
        for text in (code, labels["vi"], labels["en"]):
            lookup[sheet_key(text)] = code
    keys = sheet.frame.get("section", pd.Series(None, index=rows.index, dtype=object))
    titles = sheet.frame.get("section_title", pd.Series(None, index=rows.index, dtype=object))
    by_key = clean_text(keys).map(lambda v: None if v is None else lookup.get(sheet_key(v)))
    by_title = clean_text(titles).map(lambda v: None if v is None else lookup.get(sheet_key(v)))
    sections = by_key.fillna(by_title)
    ctx.add_rows("unknown_section", sheet, sheet.spec.field("section"), rows & sections.isna())
    typed = typed_fields(ctx, sheet, rows)
    typed.insert(0, "section", sections[rows])
    report_duplicates(
        ctx,
        sheet,
        typed,
        ["section"],
        sheet.spec.field("section"),
        "mục {value}",
        "section {value}",
    )
    return typed


def read_submission(
    data: bytes, file: str, tables: dict[str, pd.DataFrame], limits: IntakeLimits, today: date
) -> ParsedSubmission:
    """Read and check one workbook against the store's ``tables``; every problem at once."""
    ctx = Context(file, limits, tables)
    empty = pd.DataFrame()
    problems = [p.in_file(file) for p in check_container(data, limits)]
    if problems:
        return ParsedSubmission.failed(problems)
    try:
        wb = load_workbook(data, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        return ParsedSubmission.failed(
            [make_problem("corrupt", file=file, detail=type(exc).__name__)]
        )
    try:
        if getattr(wb, "epoch", None) is not None:
            ctx.epoch = datetime(1904, 1, 1) if wb.epoch.year == 1904 else ctx.epoch
        index = sheet_index(wb.sheetnames)
        specs = sheet_specs()
        wanted = {"cover": find_sheet(index, COVER_TITLE, COVER_TITLE_EN, "cover")}
        for key, spec in specs.items():
            wanted[key] = find_sheet(index, spec.title, spec.title_en, spec.key)
        header_rows = 12
        raws = {
            title: read_sheet(wb[title], limits, limits.max_rows + header_rows)
            for title in wanted.values()
            if title is not None
        }
    finally:
        wb.close()
    fill_formula_values(data, raws, limits)
    for raw in raws.values():
        by_row = dict(raw.rows)
        for row, col in sorted(raw.formulas):
            if by_row[row][col] is None:
                letter = openpyxl.utils.get_column_letter(col + 1)
                ctx.problems.append(
                    make_problem(
                        "formula_without_value", file=file, sheet=raw.title, row=row, column=letter
                    )
                )
    if wanted["cover"] is None:
        ctx.add(
            "missing_sheet", None, None, None, sheet_name=COVER_TITLE, sheet_name_en=COVER_TITLE_EN
        )
        cover: dict[str, object] = {}
    else:
        cover = _read_cover(ctx, raws[wanted["cover"]], today)
    level = None if ctx.unit is None else ctx.unit["level"]
    frames: dict[str, pd.DataFrame] = {}
    letters: dict[str, dict[str, str]] = {}
    for key, spec in specs.items():
        title = wanted[key]
        if level is not None and level not in spec.levels:
            continue  # e.g. a department's workbook has no village sheets
        if title is None:
            ctx.add(
                "missing_sheet",
                None,
                None,
                None,
                sheet_name=spec.title,
                sheet_name_en=spec.title_en,
            )
            continue
        sheet = locate_table(raws[title], spec, ctx)
        if sheet is None:
            continue
        reader = {
            "village_year": _village_year_rows,
            "village_updates": _updates_rows,
            "district_crafts": _crafts_rows,
            "activities": _activities_rows,
            "narrative": _narrative_rows,
        }[key]
        frames[key] = reader(ctx, sheet)
        letters[key] = sheet.letters
    ctx.problems = first_per_cell(ctx.problems)
    return ParsedSubmission(
        ctx.unit,
        ctx.year,
        cover,
        frames.get("village_year", empty),
        frames.get("village_updates", empty),
        frames.get("district_crafts", empty),
        frames.get("activities", empty),
        frames.get("narrative", empty),
        ctx.problems,
        letters,
    )
