"""Reference facts read from ``data/reference/`` (targets, definitions, places, code lists).

Every table there carries a ``source`` column or field; facts marked ``verified: false`` are the
project's best knowledge and can be corrected in the file without touching code.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from analysis.core import config
from analysis.core.errors import UsageError

#: Columns read as text so that codes keep their leading zeros.
_CODE_COLUMNS = (
    "code",
    "district_code",
    "old_code",
    "new_code",
    "indicator_id",
    "id",
    "province_code",
)


def reference_path(name: str, folder: Path | None = None) -> Path:
    """Path of a reference file by name (``targets.csv``, ``decree52.yaml``...)."""
    return (folder or config.reference_dir()) / name


class ReferenceDataError(UsageError):
    """A reference file is missing or malformed: the message names the file (and the line)."""


def _missing(path: str) -> ReferenceDataError:
    return ReferenceDataError(
        f"reference file {path} is missing: restore it from the repository "
        "(git checkout -- data/reference)"
    )


@lru_cache(maxsize=64)
def _read_csv_cached(path: str) -> pd.DataFrame:
    try:
        head = pd.read_csv(path, nrows=0).columns
        dtypes = {c: str for c in head if c in _CODE_COLUMNS}
        frame = pd.read_csv(path, dtype=dtypes, keep_default_na=True)
    except FileNotFoundError as exc:
        raise _missing(path) from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ReferenceDataError(
            f"reference file {path} is malformed: {reason} (line numbers count the header as 1)"
        ) from exc
    for column in ("verified", "is_default"):
        if column in frame.columns:
            frame[column] = frame[column].astype(str).str.lower().eq("true")
    return frame


def read_csv(name: str, folder: Path | None = None) -> pd.DataFrame:
    """Read a reference CSV (a fresh copy each call, so callers may modify it)."""
    return _read_csv_cached(str(reference_path(name, folder))).copy()


@lru_cache(maxsize=64)
def _read_yaml_cached(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except FileNotFoundError as exc:
        raise _missing(path) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise ReferenceDataError(f"reference file {path}{where} is malformed: {problem}") from exc
    except UnicodeDecodeError as exc:
        raise ReferenceDataError(f"reference file {path} is not UTF-8 text ({exc})") from exc
    if not isinstance(data, dict):
        raise ReferenceDataError(
            f"reference file {path}, line 1: expected a mapping of keys to values, "
            f"found {type(data).__name__}"
        )
    return data


def read_yaml(name: str, folder: Path | None = None) -> dict[str, Any]:
    """Read a reference YAML file as a dictionary."""
    return copy.deepcopy(_read_yaml_cached(str(reference_path(name, folder))))


def code_list(list_name: str) -> dict[str, dict[str, str]]:
    """Allowed codes of one list in ``codes.yaml`` with their Vietnamese and English labels."""
    codes = read_yaml("codes.yaml")
    if list_name not in codes:
        raise KeyError(f"codes.yaml has no list {list_name!r}")
    return {str(k): v for k, v in codes[list_name].items()}


def target_readings() -> pd.DataFrame:
    """Every row of ``targets.csv``: the reading in force (``is_default``) and the documented
    alternatives (e.g. T4 counted over every village, not only recognised ones)."""
    frame = read_csv("targets.csv")
    frame["target_year"] = frame["target_year"].astype(int)
    frame["value"] = frame["value"].astype(float)
    frame["is_default"] = frame["is_default"].astype(str).str.lower().eq("true")
    return frame


def targets() -> pd.DataFrame:
    """Plan 244 targets, one row per indicator and target year (the default readings)."""
    frame = target_readings()
    return frame[frame["is_default"]].reset_index(drop=True)


def indicators() -> pd.DataFrame:
    """Indicator definitions: id, names, unit, direction, aggregation, progress method."""
    return read_csv("indicators.csv")


def status_bands() -> pd.DataFrame:
    """Progress statuses with labels in Vietnamese and English, colours and symbols."""
    return read_csv("status_bands.csv").sort_values("order").reset_index(drop=True)


def province() -> pd.Series:
    """The province row (code, slug, names)."""
    return read_csv("province.csv").iloc[0]


def districts() -> pd.DataFrame:
    """The 11 district-level units of the plan (before 1 Jul 2025), GSO codes and slugs."""
    return read_csv("districts.csv")


def communes_pre2025() -> pd.DataFrame:
    """Commune-level units before the 2025 reform."""
    return read_csv("communes_pre2025.csv")


def communes_2025() -> pd.DataFrame:
    """The 65 commune-level units from 1 Jul 2025."""
    return read_csv("communes_2025.csv")


def commune_map() -> pd.DataFrame:
    """Links from each former commune to the 2025 commune(s) it went into."""
    return read_csv("commune_map.csv")


def departments() -> pd.DataFrame:
    """Provincial departments that also report."""
    return read_csv("departments.csv")


def national_targets() -> pd.DataFrame:
    """Decision 801's national targets (context for the province's own figures)."""
    return read_csv("national_targets.csv")


def national_context_targets() -> pd.DataFrame:
    """Decision 801's targets for the context indicators that have one, shaped like
    ``targets()`` (``indicator_id, target_year, scope, operator, value``), so that
    ``assess_progress`` can judge the province against the national benchmarks."""
    national = national_targets()
    national = national[national["indicator_id"].notna() & (national["indicator_id"] != "")]
    long = national.melt(
        id_vars=["indicator_id", "operator", "unit", "verified", "source"],
        value_vars=["value_2025", "value_2030"],
        var_name="target_year",
        value_name="value",
    ).dropna(subset=["value"])
    long["target_year"] = long["target_year"].str[-4:].astype(int)
    long["value"] = long["value"].astype(float)
    long["scope"] = "province"
    columns = [
        "indicator_id",
        "target_year",
        "scope",
        "operator",
        "value",
        "unit",
        "verified",
        "source",
    ]
    return long[columns].sort_values(["indicator_id", "target_year"]).reset_index(drop=True)


#: Report kinds with a form in ``report_forms.yaml`` and the level of the place each one is about.
REPORT_FORM_LEVELS = {
    "province": "province",
    "review": "province",
    "district": "district",
    "commune": "commune",
}
#: Fields every report kind carries in ``report_forms.yaml`` (each with vi, en, source, verified).
REPORT_FORM_FIELDS = (
    "title",
    "subject",
    "parent_body",
    "issuing_body",
    "symbol",
    "recipients",
    "signer_lines",
    "signer_name",
    "distribution",
    "place_name",
)
_MONTHS_EN = (
    "January February March April May June July August September October November December"
).split()


def _form_place(kind: str, place: str | None) -> dict[str, str]:
    """Names of the report's place for the form's ``{placeholders}``, looked up by slug in the
    province, district and 2025 commune tables (by code, never by name alone)."""
    prov = province()
    level = REPORT_FORM_LEVELS[kind]
    tables = {
        "province": read_csv("province.csv"),
        "district": districts(),
        "commune": communes_2025(),
    }
    table = tables[level]
    slug = place if place is not None else (prov["slug"] if level == "province" else None)
    hit = table[table["slug"] == slug] if slug is not None else table.iloc[0:0]
    if hit.empty:
        valid = ", ".join(table["slug"].head(12))
        raise UsageError(
            f"report_forms.yaml: a {kind} report needs a place of level {level!r}; "
            f"got {place!r} (valid: {valid}{', ...' if len(table) > 12 else ''})"
        )
    row = hit.iloc[0]
    full = str(row["name_vi"])
    return {
        "slug": str(row["slug"]),
        "name": full[:1].lower() + full[1:],
        "Name": full,
        # the date line names the town, not its abbreviation ("TP. Lạng Sơn" -> "Lạng Sơn")
        "short": str(row["short_name_vi"]).removeprefix("TP. "),
        "name_en": str(row["name_en"]),
        "province": str(prov["short_name_vi"]),
    }


def _form_field(entry: dict[str, Any], where: str, lang: str) -> Any:
    for key in ("vi", "en", "source", "verified"):
        if key not in entry:
            raise ValueError(f"report_forms.yaml: {where} has no {key!r}")
    return entry[lang]


def _fill(value: Any, names: dict[str, str]) -> Any:
    """Fill ``{placeholders}`` in a text or a list of texts; unknown ones are left as written."""
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    if isinstance(value, str):
        out = value
        for key, text in names.items():
            out = out.replace("{" + key + "}", text)
        return out
    return value


def report_form(
    kind: str,
    place: str | None = None,
    *,
    lang: str = "vi",
    year: int | None = None,
    folder: Path | None = None,
) -> dict[str, Any]:
    """The Decree 30 form of one report kind (``report_forms.yaml``), with the place filled in.

    ``kind``: province, review, district or commune; ``place``: the report's place slug (the
    province when omitted). ``year`` picks the period's variant (an area report from 2025 on is
    the lead department's, the district level being abolished) and fills ``{year}``.

    Returns texts in ``lang``: ``national_title``, ``motto``, ``parent_body`` (may be empty),
    ``issuing_body``, their upper-case ``*_header`` forms, ``number_line`` ("Số: …/BC-SNNMT"),
    ``title``, ``subject``, ``recipient_label``, ``recipients`` (list), ``signer_lines`` (list),
    ``signer_name``, ``distribution_label``, ``distribution`` (list), ``place_name``,
    ``date_pattern``, ``draft_mark``, ``page`` (A4 and margins), and for each field its
    ``sources`` and whether it is ``unverified``.
    """
    if kind not in REPORT_FORM_LEVELS:
        raise UsageError(
            f"report_forms.yaml has no kind {kind!r}; valid: {', '.join(REPORT_FORM_LEVELS)}"
        )
    if lang not in ("vi", "en"):
        raise UsageError(f"unknown language {lang!r}; valid: vi, en")
    data = read_yaml("report_forms.yaml", folder)
    names = _form_place(kind, place)
    spec = dict(data["kinds"][kind])
    for from_year, override in sorted((spec.pop("from_year", None) or {}).items()):
        if year is not None and year >= int(from_year):
            spec.update(override)
    names["year"] = str(year) if year is not None else "…"
    out: dict[str, Any] = {"kind": kind, "lang": lang, "place": names["slug"], "year": year}
    sources: dict[str, str] = {}
    unverified: list[str] = []
    common = data["common"]
    for field, entry in common.items():
        if field == "page":
            out["page"] = {k: v for k, v in entry.items() if k not in ("source", "verified")}
        else:
            out[field] = _form_field(entry, f"common.{field}", lang)
        sources[field] = entry["source"]
        if not entry.get("verified", False):
            unverified.append(field)
    if "review_word" in spec:
        words = _form_field(spec.pop("review_word"), f"{kind}.review_word", lang)
        names["review_word"] = words[2025 if (year or 2025) <= 2025 else 2030]
    for field in REPORT_FORM_FIELDS:
        if field not in spec:
            raise ValueError(f"report_forms.yaml: kind {kind!r} has no field {field!r}")
        out[field] = _fill(_form_field(spec[field], f"{kind}.{field}", lang), names)
        sources[field] = spec[field]["source"]
        if not spec[field]["verified"]:
            unverified.append(field)
    out["parent_body_header"] = out["parent_body"].upper()
    out["issuing_body_header"] = out["issuing_body"].upper()
    out["number_line"] = f"{out['number_label']} {out['number_blank']}/{out['symbol']}"
    out["sources"] = sources
    out["unverified"] = unverified
    return out


def form_date_line(form: dict[str, Any], when: Any) -> str:
    """Place and date of issue as Decree 30 writes them: ``Lạng Sơn, ngày 05 tháng 02 năm 2026``
    (a zero before days below 10 and months below 3), ``Lạng Sơn, 5 February 2026`` in English.
    ``when=None`` leaves the date blank for the signer: ``Lạng Sơn, ngày … tháng … năm …``."""
    if when is None:
        blank = form["number_blank"]
        return form["date_pattern"].format(
            place_name=form["place_name"], day=blank, month=blank, month_name=blank, year=blank
        )
    day = pd.Timestamp(when).date()
    if form["lang"] == "vi":
        d, m = f"{day.day:02d}", (f"{day.month:02d}" if day.month < 3 else str(day.month))
    else:
        d, m = str(day.day), str(day.month)
    return form["date_pattern"].format(
        place_name=form["place_name"],
        day=d,
        month=m,
        month_name=_MONTHS_EN[day.month - 1],
        year=day.year,
    )
