"""The one catalogue of rules across columns and tables (``data/reference/rules.yaml``).

Each rule has an id, the table(s) and column it speaks about, its legal source and its words in
Vietnamese and English in ``rules.yaml``; here, one vectorised check per id returns the rows
that break it. :func:`check_rules` runs them all and returns :class:`~analysis.data.problems
.Problem` objects; the store build and workbook intake both call it, so a rule is written once.

The predicates the indicators need (which recognitions and restorations the law allows, which
villages are recognised in a year) live here too, so that what validation rejects and what
the indicators count can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from analysis.core.formatting import format_number
from analysis.data import reference
from analysis.data.problems import Problem, show_value

Tables = dict[str, pd.DataFrame]


@dataclass(frozen=True)
class Rule:
    """A rule of the catalogue: where it applies, its words and its legal source."""

    id: str
    tables: tuple[str, ...]
    columns: tuple[str, ...]
    source: str
    vi: str
    en: str
    verified: bool = True
    places: bool = False


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, Rule]:
    rules = {}
    for spec in reference.read_yaml("rules.yaml")["rules"]:
        tables = spec["table"] if isinstance(spec["table"], list) else [spec["table"]]
        columns = spec["column"] if isinstance(spec["column"], list) else [spec["column"]]
        rules[spec["id"]] = Rule(
            id=spec["id"],
            tables=tuple(tables),
            columns=tuple(columns),
            source=str(spec["source"]),
            vi=str(spec["vi"]),
            en=str(spec["en"]),
            verified=bool(spec.get("verified", True)),
            places=bool(spec.get("places", False)),
        )
    return rules


def catalogue() -> dict[str, Rule]:
    """Every rule of ``rules.yaml`` by id."""
    return dict(_catalogue())


def catalogue_table() -> pd.DataFrame:
    """The catalogue as a table (``id, tables, columns, source, verified, vi, en``), for the
    reports' method appendix and the documentation."""
    return pd.DataFrame(
        [
            {
                "id": r.id,
                "tables": ", ".join(r.tables),
                "columns": ", ".join(r.columns),
                "source": r.source,
                "verified": r.verified,
                "vi": r.vi,
                "en": r.en,
            }
            for r in _catalogue().values()
        ]
    )


# --------------------------------------------------------------------------------------------
# Predicates shared with the indicators


def year_of(series: pd.Series) -> pd.Series:
    """Year of a date column as float (NaN where missing); a column of years passes through."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.year.astype(float)
    return pd.to_numeric(series.astype(object), errors="coerce").astype(float)


def _craft_attribute(villages: pd.DataFrame, crafts: pd.DataFrame, column: str) -> pd.Series:
    """A column of each village's craft (NaN where the craft is unknown)."""
    by_id = crafts.set_index(crafts["craft_id"].astype(str))[column]
    return villages["craft_id"].astype(str).map(by_id.astype(object))


def _regimes() -> pd.DataFrame:
    rows = reference.read_yaml("decree52.yaml")["regimes"]
    return pd.DataFrame(
        {
            "id": [str(r["id"]) for r in rows],
            "valid_from": [pd.Timestamp(r["valid_from"]) for r in rows],
            "valid_to": [
                pd.Timestamp(r["valid_to"]) if r.get("valid_to") else pd.NaT for r in rows
            ],
        }
    ).set_index("id")


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series.astype(object), errors="coerce")


def outside_regime(villages: pd.DataFrame) -> pd.Series:
    """Recognitions dated before their regime took effect, or after it ended."""
    regimes = _regimes()
    regime = villages["recognition_regime"].astype(object)
    date = _dates(villages["recognition_date"])
    start = regime.map(regimes["valid_from"])
    end = regime.map(regimes["valid_to"])
    early = date.notna() & start.notna() & (date < start)
    late = date.notna() & end.notna() & (date > end)
    return (early | late).fillna(False).astype(bool)


def traditional_craft_missing(villages: pd.DataFrame, crafts: pd.DataFrame) -> pd.Series:
    """Traditional craft villages whose craft is not a traditional craft recognised on or
    before the village's recognition date (Decree 52, Art. 5: it needs one)."""
    traditional = _craft_attribute(villages, crafts, "is_traditional").eq(True)
    craft_date = _dates(_craft_attribute(villages, crafts, "recognition_date"))
    village_date = _dates(villages["recognition_date"])
    recognised_in_time = craft_date.notna() & (village_date.isna() | (craft_date <= village_date))
    kind = villages["recognition"].astype(str).eq("lang_nghe_truyen_thong")
    return (kind & ~(traditional & recognised_in_time)).astype(bool)


def unlawful_craft_recognition(crafts: pd.DataFrame) -> pd.Series:
    """Crafts recognised as traditional that the law does not allow: not traditional, or not
    older than the minimum age (more than 50 years) when recognised."""
    min_age = float(reference.read_yaml("decree52.yaml")["traditional_craft"]["min_age_years"])
    recognised = _dates(crafts["recognition_date"]).notna()
    age = year_of(_dates(crafts["recognition_date"])) - year_of(crafts["since_year"])
    too_young = age.notna() & (age <= min_age)
    not_traditional = ~crafts["is_traditional"].astype(object).eq(True)
    return (recognised & (not_traditional | too_young)).astype(bool)


def lawful_village_recognition(villages: pd.DataFrame, crafts: pd.DataFrame) -> pd.Series:
    """Recognitions the law allows: a recognition with a date, within its regime, and for a
    traditional craft village with its traditional craft recognised."""
    recognised = villages["recognition"].astype(str).ne("none")
    dated = _dates(villages["recognition_date"]).notna()
    return (
        recognised
        & dated
        & ~outside_regime(villages)
        & ~traditional_craft_missing(villages, crafts)
    ).astype(bool)


def restoration_allowed(villages: pd.DataFrame, crafts: pd.DataFrame) -> pd.Series:
    """Restorations of a craft recorded at risk of dying out (T1 counts no other)."""
    return _craft_attribute(villages, crafts, "at_risk").eq(True).astype(bool)


# --------------------------------------------------------------------------------------------
# The checks: each returns the rows that break the rule (a boolean mask over the table) and,
# optionally, per-row values for the words of the rule.

Check = Callable[[Tables, str], tuple[pd.Series, pd.DataFrame | None]]


def _codes(known: set[str], column: str) -> Check:
    def check(t: Tables, name: str) -> tuple[pd.Series, None]:
        frame = t[name]
        return frame[column].notna() & ~frame[column].isin(known), None

    return check


def _not_above(low: str, high: str) -> Check:
    def check(t: Tables, name: str) -> tuple[pd.Series, pd.DataFrame]:
        frame = t[name]
        # A negative count breaks its column's own rule; comparing it would only add noise.
        bad = (frame[low] > frame[high]) & (frame[low] >= 0) & (frame[high] >= 0)
        share = 100 * frame[low].astype(float) / frame[high].astype(float).where(frame[high] > 0)
        words = {
            f"share_{lang}": share.map(lambda v, lang=lang: format_number(v, 1, lang))
            for lang in ("vi", "en")
        }
        return bad, pd.DataFrame({"other": frame[high], **words})

    return check


def _commune_in_district(t: Tables, name: str) -> tuple[pd.Series, pd.DataFrame]:
    v = t[name]
    stated = v["old_commune_code"].map(
        reference.communes_pre2025().set_index("code")["district_code"]
    )
    bad = stated.notna() & (stated != v["district_code"])
    return bad, pd.DataFrame({"stated": stated, "old_commune_code": v["old_commune_code"]})


def _commune_successor(t: Tables, name: str) -> tuple[pd.Series, pd.DataFrame]:
    v = t[name]
    mapping = reference.commune_map()
    pairs = set(zip(mapping["old_code"], mapping["new_code"], strict=True))
    known_old = v["old_commune_code"].isin(set(reference.communes_pre2025()["code"]))
    paired = pd.Series(
        [(o, n) in pairs for o, n in zip(v["old_commune_code"], v["commune_code"], strict=True)],
        index=v.index,
        dtype=bool,
    )
    return known_old & ~paired, pd.DataFrame({"old_commune_code": v["old_commune_code"]})


def _recognition_complete(t: Tables, name: str) -> dict[str, pd.Series]:
    v = t[name]
    recognised = v["recognition"] != "none"
    return {c: recognised & v[c].isna() for c in ("recognition_date", "recognition_regime")}


def _regime_window(t: Tables, name: str) -> tuple[pd.Series, pd.DataFrame]:
    v = t[name]
    regimes = _regimes()
    regime = v["recognition_regime"].astype(object)

    def window(r: object) -> str:
        if r not in regimes.index:
            return ""
        start, end = regimes.loc[r, "valid_from"], regimes.loc[r, "valid_to"]
        to = end.strftime("%d/%m/%Y") if pd.notna(end) else "…"
        return f"{start.strftime('%d/%m/%Y')} - {to}"

    return outside_regime(v), pd.DataFrame({"regime": regime, "valid": regime.map(window)})


def _traditional_craft(t: Tables, name: str) -> tuple[pd.Series, pd.DataFrame]:
    v, crafts = t[name], t["crafts"]
    traditional = _craft_attribute(v, crafts, "is_traditional").eq(True)
    recognised = _dates(_craft_attribute(v, crafts, "recognition_date")).notna()
    why = np.where(
        ~traditional,
        "không phải nghề truyền thống",
        np.where(~recognised, "chưa được công nhận", "được công nhận sau ngày công nhận làng"),
    )
    why_en = np.where(
        ~traditional,
        "is not a traditional craft",
        np.where(~recognised, "is not recognised", "was recognised after the village"),
    )
    params = pd.DataFrame({"craft_id": v["craft_id"], "why": why, "why_en": why_en}, index=v.index)
    return traditional_craft_missing(v, crafts), params


def _craft_needs_traditional(t: Tables, name: str) -> tuple[pd.Series, None]:
    c = t[name]
    recognised = _dates(c["recognition_date"]).notna()
    return recognised & ~c["is_traditional"].astype(object).eq(True), None


def _craft_needs_age(t: Tables, name: str) -> tuple[pd.Series, pd.DataFrame]:
    c = t[name]
    min_age = int(reference.read_yaml("decree52.yaml")["traditional_craft"]["min_age_years"])
    traditional = c["is_traditional"].astype(object).eq(True)
    bad = unlawful_craft_recognition(c) & traditional
    params = pd.DataFrame({"min_age": min_age, "since_year": c["since_year"]}, index=c.index)
    return bad, params


def _withdrawal_needs_recognition(t: Tables, name: str) -> tuple[pd.Series, None]:
    v = t[name]
    return v["withdrawal_year"].notna() & (v["recognition"] == "none"), None


def _withdrawal_after_recognition(t: Tables, name: str) -> tuple[pd.Series, pd.DataFrame]:
    v = t[name]
    recognised_year = year_of(_dates(v["recognition_date"]))
    withdrawn = year_of(v["withdrawal_year"])
    bad = withdrawn.notna() & recognised_year.notna() & (withdrawn < recognised_year)
    return bad, pd.DataFrame({"recognised_year": recognised_year.astype("Int64")})


def _withdrawal_complete(t: Tables, name: str) -> dict[str, pd.Series]:
    v = t[name]
    year, decision = v["withdrawal_year"].notna(), v["withdrawal_decision"].notna()
    return {"withdrawal_decision": year & ~decision, "withdrawal_year": decision & ~year}


def _restoration(t: Tables, name: str) -> tuple[pd.Series, pd.DataFrame]:
    v = t[name]
    bad = v["restored_year"].notna() & ~restoration_allowed(v, t["crafts"])
    return bad, pd.DataFrame({"craft_id": v["craft_id"]})


def _trademark_year(t: Tables, name: str) -> tuple[pd.Series, None]:
    v = t[name]
    return (v["trademark"] != "none") & v["trademark_since"].isna(), None


def reporting_unit_codes() -> set[str]:
    """Codes that may report: the 11 districts, the 2025 communes, the departments."""
    return (
        set(reference.districts()["code"])
        | set(reference.communes_2025()["code"])
        | set(reference.departments()["code"])
    )


def _checks(tables: Tables) -> dict[str, Check | Callable[[Tables, str], dict[str, pd.Series]]]:
    """The check of each rule id (codes read from the tables and the reference)."""
    return {
        "craft_known": _codes(set(tables["crafts"]["craft_id"]), "craft_id"),
        "village_known": _codes(set(tables["villages"]["village_id"]), "village_id"),
        "district_known": _codes(set(reference.districts()["code"]), "district_code"),
        "old_commune_known": _codes(set(reference.communes_pre2025()["code"]), "old_commune_code"),
        "commune_known": _codes(set(reference.communes_2025()["code"]), "commune_code"),
        "unit_known": _codes(reporting_unit_codes(), "unit_code"),
        "commune_in_district": _commune_in_district,
        "commune_successor": _commune_successor,
        "craft_households_within_total": _not_above("households_craft", "households_total"),
        "trained_within_regular": _not_above("workers_trained", "workers_regular"),
        "compliant_within_facilities": _not_above("facilities_compliant", "facilities"),
        "recognition_complete": _recognition_complete,
        "recognition_date_needs_recognition": lambda t, n: (
            (t[n]["recognition"] == "none") & t[n]["recognition_date"].notna(),
            None,
        ),
        "recognition_within_regime": _regime_window,
        "traditional_village_needs_recognised_craft": _traditional_craft,
        "craft_recognition_needs_traditional": _craft_needs_traditional,
        "craft_recognition_needs_age": _craft_needs_age,
        "withdrawal_needs_recognition": _withdrawal_needs_recognition,
        "withdrawal_after_recognition": _withdrawal_after_recognition,
        "withdrawal_complete": _withdrawal_complete,
        "restoration_needs_at_risk_craft": _restoration,
        "trademark_needs_year": _trademark_year,
    }


#: The key column(s) that name a row of each table in a message.
_KEYS = {
    "crafts": ("craft_id",),
    "villages": ("village_id",),
    "village_year": ("village_id", "year"),
    "district_crafts": ("district_code", "year", "craft_id"),
    "activities": ("unit_code", "year"),
    "submissions": ("unit_code", "year"),
}


def _key_text(frame: pd.DataFrame, table: str, index: object) -> str:
    columns = [c for c in _KEYS.get(table, ()) if c in frame.columns]
    return ", ".join(f"{c} {frame.at[index, c]}" for c in columns)


def _words(template: str, row: dict[str, object]) -> str:
    """The rule's words with the row's values as people read them (``300``, not ``300.0``; a
    date as ``dd/mm/yyyy``); a missing value reads as an empty string."""
    clean = {k: show_value(v, limit=200) for k, v in row.items()}
    try:
        return template.format(**clean)
    except (KeyError, IndexError):
        return template


def check_rules(
    tables: Tables,
    *,
    files: dict[str, str] | None = None,
    offsets: dict[str, int] | None = None,
    check_places: bool = True,
    only: set[str] | None = None,
    in_tables: set[str] | None = None,
) -> list[Problem]:
    """Every rule of the catalogue on ``tables``; one :class:`Problem` per broken row.

    ``files`` and ``offsets`` turn a table and its 0-based index into the file and the row
    number people see (2 for a CSV whose first line is the header); ``check_places`` is False
    for data sets of other provinces (the national benchmark set), which skips the rules on
    Lạng Sơn's places; ``only`` restricts the run to some rule ids and ``in_tables`` to the
    rows of some tables (the others are still read by rules that look across tables).
    """
    files = files or {}
    offsets = offsets or {}
    checks = _checks(tables)
    problems: list[Problem] = []
    for rule in _catalogue().values():
        if (only is not None and rule.id not in only) or (rule.places and not check_places):
            continue
        for name in rule.tables:
            if in_tables is not None and name not in in_tables:
                continue
            frame = tables.get(name)
            if frame is None or any(c not in frame.columns for c in rule.columns):
                continue
            found = checks[rule.id](tables, name)
            by_column = (
                {c: (mask, None) for c, mask in found.items()}
                if isinstance(found, dict)
                else {rule.columns[0]: found}
            )
            for column, (mask, params) in by_column.items():
                rows = frame.index[mask.fillna(False).astype(bool).to_numpy()]
                for index in rows:
                    values = {"value": frame.at[index, column] if column in frame else None}
                    if params is not None:
                        values.update(params.loc[index].to_dict())
                    problems.append(
                        Problem(
                            name,
                            int(index) + offsets.get(name, 2),
                            column,
                            values["value"],
                            _words(rule.en, values),
                            file=files.get(name, ""),
                            code=rule.id,
                            rule_vi=_words(rule.vi, values),
                            source=rule.source,
                            key=_key_text(frame, name, index),
                        )
                    )
    return problems
