"""The checks of a data sheet: locating its table, reading and checking each column, villages
and crafts resolved, duplicates, counts that nest, the data model's rules in the sheet's words."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import openpyxl
import pandas as pd

from analysis.core.text import FORMULA_STARTS
from analysis.data import reference
from analysis.data.problems import Problem, is_blank, show_value
from analysis.data.rules import check_rules
from analysis.data.validation import check_schema
from analysis.intake.container import RawSheet
from analysis.intake.legacy_text import ENCODING_NAMES, detect_legacy, to_unicode
from analysis.intake.problems import IntakeLimits, make_problem
from analysis.intake.values import (
    clean_text,
    code_lookup,
    has_hidden,
    leading_code,
    parse_booleans,
    parse_dates,
    parse_numbers,
    parse_years,
)
from analysis.intake.workbook import (
    Field,
    SheetSpec,
    reporting_unit_table,
    sheet_key,
    table_specs,
    unit_villages,
)

# --------------------------------------------------------------------------- the parsed sheets


@dataclass
class Sheet:
    """A data sheet located in the workbook: its spec, title, cells by field, column letters."""

    spec: SheetSpec
    title: str
    frame: pd.DataFrame  # index: Excel row numbers; columns: field names; raw cell values
    letters: dict[str, str]
    fonts: dict[tuple[int, str], str]


@dataclass
class Context:
    """What the checks of one workbook share: file name, year, unit, the store's tables."""

    file: str
    limits: IntakeLimits
    tables: dict[str, pd.DataFrame]
    problems: list[Problem] = field(default_factory=list)
    year: int | None = None
    unit: pd.Series | None = None
    epoch: datetime = datetime(1899, 12, 30)

    def add(
        self,
        rule: str,
        sheet: Sheet | None = None,
        row: int | None = None,
        field_: Field | None = None,
        **values: object,
    ) -> None:
        """Record a problem at a sheet, row and field."""
        where: dict[str, object] = {"file": self.file}
        if sheet is not None:
            where["sheet"] = sheet.title
        if row is not None:
            where["row"] = int(row)
        if field_ is not None:
            where["header_vi"] = field_.header_vi
            where["header_en"] = field_.header_en
            if sheet is not None and field_.name in sheet.letters:
                where["column"] = sheet.letters[field_.name]
        self.problems.append(make_problem(rule, **where, **values))

    def add_rows(
        self,
        rule: str,
        sheet: Sheet,
        field_: Field,
        mask: pd.Series,
        values: pd.Series | None = None,
        **params: object,
    ) -> None:
        """Record a problem for every row where ``mask`` is true."""
        if values is None:
            values = sheet.frame.get(field_.name, pd.Series(dtype=object))
        shown = values
        for row in mask.index[mask.fillna(False).astype(bool)]:
            self.add(rule, sheet, row, field_, value=shown.get(row), **params)

    def add_found(self, problem: Problem, sheet: Sheet, field_: Field | None) -> None:
        """Record a problem found on the sheet's rows by the data model's own checks (the rule
        catalogue), at its sheet row and cell, keeping the rule's id, words and source."""
        letter = sheet.letters.get(field_.name) if field_ is not None else None
        self.problems.append(
            replace(
                problem,
                table="",
                file=self.file,
                sheet=sheet.title,
                column=letter,
                header_vi=field_.header_vi if field_ is not None else None,
                header_en=field_.header_en if field_ is not None else None,
            )
        )

    @property
    def errors(self) -> list[Problem]:
        """The problems that reject the file."""
        return [p for p in self.problems if p.severity == "error"]


def sheet_index(titles: Iterable[str]) -> dict[str, str]:
    """Comparison key -> sheet title as in the file."""
    return {sheet_key(t): t for t in titles}


def find_sheet(index: dict[str, str], *names: str) -> str | None:
    """The first sheet title matching one of ``names``."""
    for name in names:
        hit = index.get(sheet_key(name))
        if hit is not None:
            return hit
    return None


def _field_keys(spec: SheetSpec) -> dict[str, str]:
    """Comparison keys of a sheet's headers (Vietnamese, English, field name) -> field."""
    keys: dict[str, str] = {}
    for f in spec.fields:
        for text in (f.header_vi, f.vi, f.en, f.name):
            keys.setdefault(sheet_key(text), f.name)
    return keys


def locate_table(raw: RawSheet, spec: SheetSpec, ctx: Context) -> Sheet | None:
    """Find the header row among the first rows, map columns to fields, collect the data rows."""
    keys = _field_keys(spec)
    stub = Sheet(spec, raw.title, pd.DataFrame(), {}, {})
    best_row, best_hits = None, 0
    for number, values in raw.rows[:10]:
        hits = sum(1 for v in values if isinstance(v, str) and sheet_key(v) in keys)
        if hits > best_hits:
            best_row, best_hits = number, hits
    if best_row is None:
        for f in spec.fields:
            if f.required:
                ctx.add("missing_column", stub, None, f)
        return None
    header = dict(raw.rows)[best_row]
    columns: dict[str, int] = {}
    for col, value in enumerate(header):
        if is_blank(value):
            continue
        name = keys.get(sheet_key(str(value)))
        if name is None:
            ctx.add("unknown_column", stub, best_row, None, severity="warning", value=str(value))
        elif name not in columns:
            columns[name] = col
    letters = {name: openpyxl.utils.get_column_letter(col + 1) for name, col in columns.items()}
    sheet = Sheet(spec, raw.title, pd.DataFrame(), letters, {})
    for f in spec.fields:
        if f.name not in columns and f.kind != "info":
            if f.required:
                ctx.add("missing_column", sheet, None, f)
            else:
                ctx.add("missing_optional_column", sheet, None, f, severity="warning")
    if any(f.required and f.name not in columns for f in spec.fields):
        return None
    english = {sheet_key(f.en) for f in spec.fields}
    data = [(n, v) for n, v in raw.rows if n > best_row]
    if data:
        first = [v for v in data[0][1] if not is_blank(v)]
        if first and sum(isinstance(v, str) and sheet_key(v) in english for v in first) * 2 >= len(
            first
        ):
            data = data[1:]
    frame = pd.DataFrame(
        {
            name: [values[col] if col < len(values) else None for _, values in data]
            for name, col in columns.items()
        },
        index=pd.Index([n for n, _ in data], name="row"),
        dtype=object,
    )
    sheet.frame = frame
    sheet.fonts = {
        (row, name): font
        for (row, col), font in raw.fonts.items()
        for name, c in columns.items()
        if c == col
    }
    if raw.too_many_rows:
        ctx.add("too_many_rows", sheet, None, None, limit=ctx.limits.max_rows)
    if raw.too_many_columns:
        ctx.add(
            "too_many_columns", sheet, None, None, severity="warning", limit=ctx.limits.max_columns
        )
    return sheet


def blank_cells(sheet: Sheet, column: str, index: pd.Index) -> pd.Series:
    """True where the cell is empty (or the whole column is missing)."""
    if column not in sheet.frame.columns:
        return pd.Series(True, index=index)
    return sheet.frame.loc[index, column].map(is_blank).astype(bool)


def drop_blank_rows(sheet: Sheet, fields: Sequence[str]) -> pd.Series:
    """Mask of rows with any value in ``fields``."""
    present = [f for f in fields if f in sheet.frame.columns]
    if not present:
        return pd.Series(False, index=sheet.frame.index)
    return ~sheet.frame[present].map(is_blank).all(axis=1)


# ------------------------------------------------------------------------------ cell checks


def text_column(ctx: Context, sheet: Sheet, f: Field, rows: pd.Series) -> pd.Series:
    """Clean text, with legacy-encoding and length checks."""
    raw = sheet.frame.loc[rows, f.name]
    text = clean_text(raw, keep_lines=f.multiline)
    hidden = raw.map(has_hidden).astype(bool)
    ctx.add_rows("hidden_removed", sheet, f, hidden, values=text, severity="warning")
    decomposed = raw.map(
        lambda v: isinstance(v, str) and unicodedata.normalize("NFC", v) != v
    ).astype(bool)
    ctx.add_rows("text_normalised", sheet, f, decomposed, values=text, severity="warning")
    present = text.dropna()
    if len(present):
        fonts = [sheet.fonts.get((row, f.name)) for row in present.index]
        legacy = pd.Series(
            [detect_legacy(t, font) for t, font in zip(present, fonts, strict=True)],
            index=present.index,
            dtype=object,
        )
        for row in legacy.index[legacy.notna()]:
            encoding = legacy[row]
            ctx.add(
                "legacy_encoding",
                sheet,
                row,
                f,
                value=present[row],
                encoding_vi=ENCODING_NAMES[encoding]["vi"],
                encoding_en=ENCODING_NAMES[encoding]["en"],
                suggestion=show_value(to_unicode(present[row], encoding)),
            )
        lengths = present.str.len()
        ctx.add_rows(
            "text_too_long",
            sheet,
            f,
            lengths > ctx.limits.max_text_chars,
            values=present.str.slice(0, 40),
            length=int(lengths.max()),
            limit=ctx.limits.max_text_chars,
        )
    return text


def read_column(ctx: Context, sheet: Sheet, f: Field, rows: pd.Series) -> pd.Series:
    """The typed values of one column in ``rows``, recording every unreadable cell."""
    raw = sheet.frame.loc[rows, f.name]
    if f.kind in ("int", "float"):
        values, bad = parse_numbers(raw, integer=f.kind == "int")
        ctx.add_rows("not_number", sheet, f, bad)
        if f.kind == "int":
            fraction = values.notna() & (values != values.round())
            ctx.add_rows("not_integer", sheet, f, fraction)
            return values.where(~fraction).round().astype("Int64")
        return values
    if f.kind == "year":
        values, bad = parse_years(raw)
        ctx.add_rows("not_year", sheet, f, bad)
        return values
    if f.kind == "bool":
        values, bad = parse_booleans(raw)
        ctx.add_rows("not_bool", sheet, f, bad)
        return values
    if f.kind == "date":
        values, bad = parse_dates(raw, epoch=ctx.epoch)
        ctx.add_rows("not_date", sheet, f, bad)
        return values
    if f.kind == "code":
        lookup = code_lookup(f.codes or "")
        text = clean_text(raw)
        values = text.map(lambda v: None if v is None else lookup.get(sheet_key(v)))
        labels = reference.code_list(f.codes or "")
        ctx.add_rows(
            "unknown_code",
            sheet,
            f,
            text.notna() & values.isna(),
            allowed="; ".join(v["vi"] for v in labels.values()),
            allowed_en="; ".join(v["en"] for v in labels.values()),
        )
        return values
    return text_column(ctx, sheet, f, rows)


def check_required(ctx: Context, sheet: Sheet, f: Field, rows: pd.Series) -> None:
    """A required field left blank in a row that has data."""
    ctx.add_rows("required", sheet, f, rows & sheet.frame[f.name].map(is_blank))


def resolve_villages(ctx: Context, sheet: Sheet, f: Field, rows: pd.Series) -> pd.Series:
    """Village ids from codes or names (the id column, else the name column); only the unit's
    villages are accepted."""
    villages = ctx.tables["villages"]
    text = clean_text(sheet.frame[f.name])
    if "village_name" in sheet.frame.columns:
        text = text.fillna(clean_text(sheet.frame["village_name"]))
    text = text.where(rows)
    code = leading_code(text.dropna()).str.upper().reindex(text.index)
    known = set(villages["village_id"])
    mine = (
        villages
        if ctx.unit is None
        else unit_villages(villages, ctx.unit["code"], ctx.unit["level"])
    )
    own = set(mine["village_id"])
    ids = code.where(code.isin(known))
    # By name, among the unit's villages (``Thôn Nà Rọ``, ``Na Ro``, ``thon na ro``).
    name_keys = mine.assign(key=mine["name_vi"].map(village_key)).drop_duplicates("key", keep=False)
    by_name = text.map(lambda v: None if v is None else village_key(v)).map(
        dict(zip(name_keys["key"], name_keys["village_id"], strict=True))
    )
    if f.name == "village_id" and "village_name" in sheet.frame.columns:
        check_village_names(ctx, sheet, ids.where(rows), villages)
    use_name = ids.isna() & by_name.notna()
    ids[use_name] = by_name[use_name]
    for row in use_name.index[use_name]:
        ctx.add("name_matched", sheet, row, f, severity="warning", value=text[row], match=ids[row])
    unknown = text.notna() & ids.isna()
    ctx.add_rows("unknown_village", sheet, f, unknown, values=text)
    if ctx.unit is not None:
        foreign = ids.notna() & ~ids.isin(own)
        level = ctx.unit["level"]
        area = "commune_code" if level == "commune" else "district_code"
        owners = villages.set_index("village_id")[["name_vi", area]]
        units = reporting_unit_table()
        names = dict(zip(units["code"], units["name_vi"], strict=True))
        for row in foreign.index[foreign]:
            name, owner = owners.loc[ids[row]]
            ctx.add(
                "village_not_in_unit",
                sheet,
                row,
                f,
                value=text[row],
                village=f"{ids[row]} ({name})",
                owner=names.get(owner, owner),
                owner_en=names.get(owner, owner),
            )
        ids = ids.where(~foreign)
    return ids


def _undefused(text: str) -> str:
    """Text as written before ``core.text.defuse_formula`` added its ``'``."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def check_village_names(ctx: Context, sheet: Sheet, ids: pd.Series, villages: pd.DataFrame) -> None:
    """The name beside a village code must be that village's: another village's name rejects
    the row (code and name disagree: which one is meant?); any other name, or a name typed in a
    legacy encoding (TCVN3, VNI), is loaded by its code with a warning giving both names."""
    f = sheet.spec.field("village_name")
    names = clean_text(sheet.frame["village_name"]).where(ids.notna())
    registered = villages.set_index("village_id")["name_vi"]
    keys = villages.assign(key=villages["name_vi"].map(village_key)).drop_duplicates(
        "key", keep=False
    )
    owner_of = dict(zip(keys["key"], keys["village_id"], strict=True))
    for row in names.index[names.notna()]:
        code, written = ids[row], _undefused(str(names[row]))
        if code not in registered.index:
            continue
        official = str(registered[code])
        if village_key(written) == village_key(official):
            continue
        other = owner_of.get(village_key(written))
        where = {"value": written, "code": code, "official": official}
        legacy = detect_legacy(written, sheet.fonts.get((row, "village_name")))
        if other is not None and other != code:
            ctx.add("village_name_other", sheet, row, f, other=other, **where)
        elif legacy is not None:
            ctx.add(
                "village_name_legacy",
                sheet,
                row,
                f,
                severity="warning",
                encoding_vi=ENCODING_NAMES[legacy]["vi"],
                encoding_en=ENCODING_NAMES[legacy]["en"],
                suggestion=show_value(to_unicode(written, legacy)),
                **where,
            )
        else:
            ctx.add("village_name_differs", sheet, row, f, severity="warning", **where)


def village_key(name: str) -> str:
    """A village name without diacritics and ``thôn``/``bản``/``khối`` prefixes."""
    key = sheet_key(name)
    for prefix in ("thon ", "ban ", "khoi ", "xom ", "lang "):
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


def resolve_crafts(ctx: Context, sheet: Sheet, f: Field, rows: pd.Series) -> pd.Series:
    """Craft ids from the drop-down label, the code or the craft's name."""
    crafts = ctx.tables["crafts"]
    text = clean_text(sheet.frame[f.name]).where(rows)
    code = leading_code(text.dropna()).str.upper().reindex(text.index)
    ids = code.where(code.isin(set(crafts["craft_id"])))
    names = dict(zip(crafts["name_vi"].map(sheet_key), crafts["craft_id"], strict=True))
    names.update(zip(crafts["name_en"].map(sheet_key), crafts["craft_id"], strict=True))
    by_name = text.map(lambda v: None if v is None else names.get(sheet_key(v)))
    ids = ids.fillna(by_name)
    ctx.add_rows("unknown_craft", sheet, f, text.notna() & ids.isna(), values=text)
    return ids


def report_duplicates(
    ctx: Context,
    sheet: Sheet,
    frame: pd.DataFrame,
    key: list[str],
    f: Field,
    what: str,
    what_en: str,
    label: str | None = None,
) -> pd.Series:
    """Report rows repeating an earlier row's key (``label`` names it in the message, default
    the key's last column); return the mask of repeats."""
    label = label or key[-1]
    complete = frame[key].notna().all(axis=1)
    repeated = frame.duplicated(key, keep="first") & complete
    if repeated.any():
        first_rows = frame[complete].reset_index().groupby(key, dropna=True)["row"].first()
        for row in repeated.index[repeated]:
            other = (
                first_rows.loc[tuple(frame.loc[row, key])]
                if len(key) > 1
                else first_rows.loc[frame.loc[row, key[0]]]
            )
            ctx.add(
                "duplicate",
                sheet,
                row,
                f,
                value=sheet.frame.at[row, f.name],
                what=what.format(value=show_value(frame.at[row, label])),
                what_en=what_en.format(value=show_value(frame.at[row, label])),
                other=int(other),
            )
    return repeated


def catalogue_problems(ctx: Context, sheet: Sheet, table: str, after: pd.DataFrame) -> None:
    """The rule catalogue (``data/reference/rules.yaml``) on the sheet's rows as they will
    stand in ``table`` once loaded (``after``, indexed by Excel row), each broken rule reported
    at its row and cell with the catalogue's id, words and legal source: the same rules the
    store build applies, so a workbook and a CSV are judged alike. A cell already reported (a
    negative count, an unreadable date) is not reported again."""
    reported = {(p.sheet, p.row, p.column) for p in ctx.problems if p.severity == "error"}
    fields = {f.name: f for f in sheet.spec.fields}
    tables = {**ctx.tables, table: after}
    for problem in check_rules(tables, offsets={table: 0}, in_tables={table}):
        field_ = fields.get(problem.column or "")
        letter = sheet.letters.get(problem.column or "")
        if (sheet.title, problem.row, letter) not in reported:
            ctx.add_found(problem, sheet, field_)


def equal_or_missing(a: pd.Series, b: pd.Series) -> pd.Series:
    """Element-wise equality where two missing values are equal."""
    both_missing = a.isna() & b.isna()
    same = (a.astype(object) == b.astype(object)).fillna(False).astype(bool)
    return both_missing | same


# ---------------------------------------------------------------------------------- the sheets


def typed_fields(ctx: Context, sheet: Sheet, rows: pd.Series) -> pd.DataFrame:
    """Every readable field of the sheet in ``rows``, typed; required blanks reported."""
    out = pd.DataFrame(index=sheet.frame.index[rows])
    for f in sheet.spec.fields:
        if f.kind in ("info", "village", "craft", "section", "reason"):
            continue
        if f.name not in sheet.frame.columns:
            out[f.name] = None
            continue
        out[f.name] = read_column(ctx, sheet, f, rows)
        if f.required:
            check_required(ctx, sheet, f, rows)
    return out


def schema_problems(ctx: Context, sheet: Sheet, table: str, frame: pd.DataFrame) -> None:
    """Run the table's pandera schema and word its findings for people (ranges, sets)."""
    reported = {(p.sheet, p.row, p.column) for p in ctx.problems}
    _, found = check_schema(table, frame, file=ctx.file, row_offset=0)
    checks = {
        (name, check.error): check
        for name, column in table_specs()[table].schema.columns.items()
        for check in column.checks
    }
    fields = {f.name: f for f in sheet.spec.fields}
    for problem in found:
        f = fields.get(problem.column or "")
        letter = sheet.letters.get(problem.column or "")
        if (sheet.title, problem.row, letter) in reported or problem.rule.startswith("duplicate"):
            continue  # reported already, or a repeated key (checked with clearer words above)
        check = checks.get((problem.column, problem.rule))
        code, params = _check_words(check, problem.rule)
        params = {**params, "table": table} if code == "guard" else params
        if f is None:
            # Columns filled from the cover (year, unit) or resolved before (village): their
            # problems are reported where they arise.
            continue
        ctx.add(code, sheet, problem.row, f, value=problem.value, **params)


def _check_words(check: object, rule: str) -> tuple[str, dict[str, object]]:
    """The message of a failed pandera check, from its name and statistics."""
    name = getattr(check, "name", "")
    stats = getattr(check, "statistics", {}) or {}
    if name == "greater_than_or_equal_to":
        low = stats.get("min_value")
        return ("negative", {}) if low == 0 else ("below_min", {"low": low})
    if name == "in_range":
        return "out_of_range", {"low": stats.get("min_value"), "high": stats.get("max_value")}
    if name == "isin":
        allowed = ", ".join(str(v) for v in stats.get("allowed_values", []))
        return "not_in_set", {"allowed": allowed}
    if rule.startswith("a value is required"):
        return "required", {}
    return "guard", {"table": "", "broken": rule}
