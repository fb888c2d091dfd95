"""What loading a parsed workbook changes in each table, checked before anything is written:
the unit-year's rows replaced, crafts recomputed, village updates, warnings on sharp jumps, and the
data model's own rules on the state after loading (:func:`guard_problems`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

import pandas as pd

from analysis.core.formatting import format_number
from analysis.core.labels import label
from analysis.data import reference
from analysis.data.problems import Problem
from analysis.data.schemas import TABLES
from analysis.data.validation import check_relations, check_schema
from analysis.intake.problems import make_problem
from analysis.intake.read import ParsedSubmission
from analysis.intake.workbook import sheet_specs, table_specs, unit_villages

# ---------------------------------------------------------------------------- the new state


@dataclass
class Change:
    """Rows one table loses and gains, and the SQL that removes the lost ones."""

    table: str
    removed: pd.DataFrame
    added: pd.DataFrame
    delete_sql: str
    delete_params: list[object]
    delete_keys: pd.DataFrame | None = None


def typed_like(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Rows in the table's column order and types (the schema coerces them)."""
    columns = list(table_specs()[table].schema.columns)
    out = frame.reindex(columns=columns)
    return table_specs()[table].schema.validate(out.reset_index(drop=True))


def plan_changes(
    sub: ParsedSubmission,
    tables: dict[str, pd.DataFrame],
    received_on: date,
    file_name: str,
    sha256: str,
) -> tuple[list[Change], list[Problem]]:
    """What loading ``sub`` changes in each table, and the warnings it raises (later-year
    village updates skipped, implausible jumps)."""
    assert sub.unit is not None and sub.year is not None
    unit, year = sub.unit, sub.year
    code, level = str(unit["code"]), str(unit["level"])
    warnings_: list[Problem] = []
    changes: list[Change] = []
    villages = tables["villages"]
    mine = unit_villages(villages, code, level)
    ids = list(mine["village_id"])

    # Yearly village figures: the unit's villages in the year are replaced.
    vy = tables["village_year"]
    if level != "department":
        removed = vy[vy["village_id"].isin(ids) & (vy["year"] == year)]
        added = typed_like(sub.village_year.dropna(subset=["village_id"]), "village_year")
        changes.append(
            Change(
                "village_year",
                removed,
                added,
                "DELETE FROM village_year WHERE year = ? AND village_id IN (SELECT unnest(?))",
                [year, ids],
            )
        )

    # Activities of the unit and year.
    act = tables["activities"]
    removed = act[(act["unit_code"] == code) & (act["year"] == year)]
    added = (
        typed_like(sub.activities.dropna(subset=["task_group", "funding_source"]), "activities")
        if len(sub.activities)
        else act.iloc[0:0]
    )
    changes.append(
        Change(
            "activities",
            removed,
            added,
            "DELETE FROM activities WHERE unit_code = ? AND year = ?",
            [code, year],
        )
    )

    # Commodity crafts: each unit's rows are kept apart (district_craft_sources), and the
    # district-level table is recomputed for the keys this unit touched.
    if level != "department":
        changes += _craft_changes(sub, tables, code, level, year)

    # Village updates, only for villages with no figures of a later year.
    if len(sub.village_updates):
        changes += _village_changes(sub, tables, year, warnings_)

    # The submission itself (completeness and timeliness).
    subs = tables["submissions"]
    removed = subs[(subs["unit_code"] == code) & (subs["year"] == year)]
    added = typed_like(
        pd.DataFrame(
            [
                {
                    "unit_code": code,
                    "unit_level": level,
                    "year": year,
                    "received_on": pd.Timestamp(received_on),
                    "file_name": file_name,
                    "file_sha256": sha256,
                }
            ]
        ),
        "submissions",
    )
    changes.append(
        Change(
            "submissions",
            removed,
            added,
            "DELETE FROM submissions WHERE unit_code = ? AND year = ?",
            [code, year],
        )
    )

    # Narrative texts.
    old_text = tables["narratives"]
    removed = (
        old_text[(old_text["unit_code"] == code) & (old_text["year"] == year)]
        if len(old_text)
        else pd.DataFrame(columns=["unit_code", "year", "section", "text_vi", "log_id"])
    )
    texts = (
        sub.narratives.dropna(subset=["section"])
        if len(sub.narratives)
        else pd.DataFrame(columns=["section", "text_vi"])
    )
    added = pd.DataFrame(
        {"unit_code": code, "year": year, "section": texts["section"], "text_vi": texts["text_vi"]}
    ).dropna(subset=["text_vi"])
    changes.append(
        Change(
            "narratives",
            removed,
            added.reset_index(drop=True),
            "DELETE FROM narratives WHERE unit_code = ? AND year = ?",
            [code, year],
        )
    )
    warnings_ += _jumps(sub, tables, year)
    return changes, warnings_


def _craft_changes(
    sub: ParsedSubmission, tables: dict[str, pd.DataFrame], code: str, level: str, year: int
) -> list[Change]:
    """Commodity crafts: the unit's own rows (``district_craft_sources``) replaced, and
    ``district_crafts`` recomputed for every district-year-craft the unit touched."""
    sources = tables["district_craft_sources"]
    if sources.empty:
        sources = pd.DataFrame(
            columns=[
                "unit_code",
                "year",
                "district_code",
                "craft_id",
                "village_id",
                "product_vi",
                "log_id",
            ]
        )
    old = sources[(sources["unit_code"] == code) & (sources["year"] == year)]
    new = pd.DataFrame(columns=["district_code", "craft_id", "village_id", "product_vi"])
    if len(sub.crafts):
        new = sub.crafts.dropna(subset=["district_code", "craft_id"])[
            ["district_code", "craft_id", "village_id", "product_vi"]
        ]
    new = new.assign(unit_code=code, year=year).reset_index(drop=True)
    remaining = pd.concat([sources.drop(old.index), new], ignore_index=True)
    dc = tables["district_crafts"]
    key = ["district_code", "year", "craft_id"]
    touched = pd.concat([old[key], new[key]], ignore_index=True)
    if level == "district":
        touched = pd.concat(
            [touched, dc.loc[(dc["district_code"] == code) & (dc["year"] == year), key]],
            ignore_index=True,
        )
    touched = touched.drop_duplicates().astype({"year": "int64"})
    removed = dc.merge(touched, on=key, how="inner")
    rebuilt = (
        remaining.astype({"year": "int64"})
        .merge(touched, on=key, how="inner")
        .sort_values(["district_code", "craft_id", "unit_code"])
        .groupby(key, as_index=False)
        .agg(product_vi=("product_vi", lambda s: s.dropna().iloc[0] if s.notna().any() else None))
    )
    added = typed_like(rebuilt, "district_crafts") if len(rebuilt) else dc.iloc[0:0]
    return [
        Change(
            "district_crafts",
            removed,
            added,
            "DELETE FROM district_crafts USING touched_keys k WHERE "
            "district_crafts.district_code = k.district_code AND district_crafts.year = "
            "k.year AND district_crafts.craft_id = k.craft_id",
            [],
            touched,
        ),
        Change(
            "district_craft_sources",
            old,
            new[["unit_code", "year", "district_code", "craft_id", "village_id", "product_vi"]],
            "DELETE FROM district_craft_sources WHERE unit_code = ? AND year = ?",
            [code, year],
        ),
    ]


_UPDATE_COLUMNS = (
    "recognition",
    "recognition_decision",
    "recognition_date",
    "recognition_regime",
    "tourism_since",
    "trademark",
    "trademark_since",
    "restored_year",
    "withdrawal_year",
    "withdrawal_decision",
)


def _village_changes(
    sub: ParsedSubmission,
    tables: dict[str, pd.DataFrame],
    year: int,
    warnings_: list[Problem],
) -> list[Change]:
    """Villages whose recognition, tourism or trademark the workbook changes. A workbook of an
    earlier year than the village's latest figures changes nothing (it would undo newer facts):
    a warning says so."""
    villages = tables["villages"]
    updates = sub.village_updates.dropna(subset=["village_id"]).drop_duplicates("village_id")
    current = villages.set_index("village_id")
    updates = updates[updates["village_id"].isin(current.index)]
    rows = pd.Series(updates.index, index=updates["village_id"])
    updates = updates.set_index("village_id")
    # A column missing from the sheet changes nothing (it is not read as "now empty").
    present = sub.letters.get("village_updates", {})
    columns = [c for c in _UPDATE_COLUMNS if c in present]
    proposed = current.loc[updates.index].copy()
    for column in columns:
        proposed[column] = updates[column]
    proposed = typed_like(proposed.reset_index(), "villages").set_index("village_id")
    before = current.loc[updates.index]
    same = pd.concat(
        [_same(before[c], proposed[c]) for c in columns] + [pd.Series(True, index=before.index)],
        axis=1,
    ).all(axis=1)
    differs = ~same
    latest = tables["village_year"].groupby("village_id")["year"].max()
    later = differs & (updates.index.map(latest).to_series(index=updates.index) > year)
    sheet = sheet_specs()["village_updates"].title
    for village in later.index[later]:
        warnings_.append(
            make_problem(
                "updates_skipped",
                severity="warning",
                village=village,
                later=int(latest[village]),
                row=int(rows[village]),
                sheet=sheet,
            )
        )
    changed = list(differs.index[differs & ~later])
    if not changed:
        return []
    return [
        Change(
            "villages",
            before.loc[changed].reset_index(),
            proposed.loc[changed].reset_index(),
            "DELETE FROM villages WHERE village_id IN (SELECT unnest(?))",
            [changed],
        )
    ]


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    """Element-wise equality where two missing values are equal."""
    equal = (a.astype(object) == b.astype(object)).fillna(False).astype(bool)
    return (a.isna() & b.isna()) | equal


def _jumps(sub: ParsedSubmission, tables: dict[str, pd.DataFrame], year: int) -> list[Problem]:
    """Warnings for values far from the village's previous reported year."""
    rules = reference.read_yaml("intake.yaml")["jumps"]
    if "village_id" not in sub.village_year.columns:
        return []
    new = sub.village_year.dropna(subset=["village_id"])
    if new.empty:
        return []
    vy = tables["village_year"]
    before = vy[vy["year"] < year]
    previous = before.sort_values("year").groupby("village_id").tail(1).set_index("village_id")
    spec = sheet_specs()["village_year"]
    out = []
    for column, minimum in rules["min_change"].items():
        if column not in new.columns:
            continue
        now = new[column].astype("Float64")
        prev = new["village_id"].map(previous[column]).astype("Float64")
        ratio = float(rules["ratio"])
        jump = ((now > prev * ratio) | (now < prev / ratio)) & ((now - prev).abs() >= minimum)
        jump = jump.fillna(False).astype(bool)
        f = spec.field(column)
        decimals = 0 if f.kind == "int" else 1
        prev_year = new["village_id"].map(previous["year"])
        for row in jump.index[jump]:
            out.append(
                make_problem(
                    "jump",
                    severity="warning",
                    sheet=spec.title,
                    row=int(row),
                    column=sub.letters.get("village_year", {}).get(column),
                    header_vi=f.header_vi,
                    header_en=f.header_en,
                    value=now[row],
                    prev_vi=format_number(prev[row], decimals),
                    value_vi=format_number(now[row], decimals),
                    prev_en=format_number(prev[row], decimals, "en"),
                    value_en=format_number(now[row], decimals, "en"),
                    prev_year=int(prev_year[row]),
                )
            )
    return out


def apply_changes(
    tables: dict[str, pd.DataFrame], changes: list[Change]
) -> dict[str, pd.DataFrame]:
    """The data-model tables as they will be after the changes (to check them before loading)."""
    out = dict(tables)
    for change in changes:
        if change.table not in TABLES:
            continue
        frame = out[change.table]
        if len(change.removed):
            merged = frame.merge(change.removed.drop_duplicates(), how="left", indicator=True)
            frame = frame[(merged["_merge"] == "left_only").to_numpy()]
        out[change.table] = pd.concat([frame, change.added], ignore_index=True)
    return out


def guard_problems(after: dict[str, pd.DataFrame], file: str) -> list[Problem]:
    """The data model's own rules on the state after loading (a safety net over the sheet
    checks above, so that the store always stays loadable)."""
    problems: list[Problem] = []
    for name in TABLES:
        _, found = check_schema(name, after[name].reset_index(drop=True), file=file)
        problems += found
    if not problems:
        problems += check_relations({k: after[k].reset_index(drop=True) for k in TABLES})
    return [_guard_problem(p, file) for p in problems if p.severity == "error"]


def _guard_problem(problem: Problem, file: str) -> Problem:
    """A data-model problem worded for the sender: a rule of the catalogue (``rules.yaml``)
    keeps its id as ``code``, its words in both languages, the record and its legal source."""
    if not problem.code:
        return make_problem(
            "guard", file=file, value=problem.value, table=problem.table, broken=problem.rule
        )
    where = ", ".join(part for part in (problem.key, problem.column) if part)
    words = {
        lang: label("intake_guard", lang, table=problem.table, broken=f"{where}: {rule}")
        for lang, rule in (("vi", problem.rule_vi), ("en", problem.rule))
    }
    found = make_problem("guard", file=file, value=problem.value, table=problem.table, broken="")
    return dataclasses.replace(
        found, code=problem.code, rule=words["en"], rule_vi=words["vi"], source=problem.source
    )
