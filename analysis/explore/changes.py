"""The changes a what-if scenario makes to the data (``analysis.explore.scenarios`` applies them
and compares): recognise a village, link villages with tourism, restore a craft, add a commodity
craft, set a figure. Each is a small frozen record built by one function (:func:`recognise`,
...); ``resolve`` checks it against the data and names what it touches, ``apply`` makes it on a
new :class:`~analysis.data.store.Dataset` and ``describe`` says it in words.

Villages and places are named as people name them: an id, a slug, a code or a name with or
without diacritics (``analysis.data.resolve``); a shared or unknown name is a
:class:`ScenarioError` listing the candidates, never a guess.

A recognition is screened against Decree 52's criteria (:meth:`Recognise.shortfall`):
``apply_changes`` leaves out a village that does not meet them, with a warning saying what it
lacks, unless the change says ``force=True``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np
import pandas as pd

from analysis.core.config import PROGRAMME_END, PROGRAMME_START
from analysis.core.errors import UsageError
from analysis.core.formatting import value_text
from analysis.core.labels import label
from analysis.data import places as places_mod
from analysis.data import reference
from analysis.data.resolve import ResolveError, resolve_place, resolve_village
from analysis.data.schemas import table_specs
from analysis.data.store import Dataset
from analysis.indicators.recognition import screen_villages
from analysis.reports import tables

#: Date given to a scenario recognition (only its year counts for the indicators).
RECOGNITION_DAY = "07-01"
_MARK = "(kịch bản)"


class ScenarioError(UsageError):
    """A change that cannot apply to the data (unknown village, already recognised...)."""


class ScenarioWarning(UserWarning):
    """A change left out, or made only because it was forced (a village short of Decree 52)."""


class Change(Protocol):
    """One change to the data: ``resolve`` names what it touches, ``apply`` makes it."""

    year: int

    def resolve(self, ds: Dataset) -> tuple[Change, ...]:
        """The concrete changes this one stands for, checked against ``ds``."""
        ...

    def apply(self, ds: Dataset) -> Dataset:
        """A new data set with the change made."""
        ...

    def describe(self, ds: Dataset, lang: str = "vi") -> str:
        """One line saying what the change does, villages and places named."""
        ...


# ------------------------------------------------------------------------------ helpers


def check_year(year: int) -> int:
    """``year`` as an int; a :class:`ScenarioError` outside the programme (2021-2030)."""
    if not PROGRAMME_START <= int(year) <= PROGRAMME_END:
        raise ScenarioError(
            f"year {year} is outside the programme ({PROGRAMME_START}-{PROGRAMME_END})"
        )
    return int(year)


def village_id_of(ds: Dataset, village: str) -> str:
    """The id of the village named ``village`` (id or name, ``resolve_village``); a
    :class:`ScenarioError` listing the close matches or the namesakes otherwise."""
    try:
        return resolve_village(ds.villages, village)
    except ResolveError as exc:
        raise ScenarioError(str(exc)) from exc


def _village(ds: Dataset, village: str) -> pd.Series:
    """The village's row (by id or name)."""
    village_id = village_id_of(ds, village)
    villages = ds.villages
    return villages[villages["village_id"].astype(str) == village_id].iloc[0]


def _craft(ds: Dataset, craft_id: str) -> pd.Series | None:
    """The craft's row, or None when the crafts table does not know it."""
    hit = ds.crafts[ds.crafts["craft_id"].astype(str) == craft_id]
    return None if hit.empty else hit.iloc[0]


def _missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))


def replace_tables(ds: Dataset, **frames: pd.DataFrame) -> Dataset:
    """A new Dataset with some tables replaced (the others shared, never modified)."""
    return Dataset(tables={**ds.tables, **frames}, info=dict(ds.info))


def _set_village(ds: Dataset, village_id: str, **values: object) -> Dataset:
    villages = ds.villages.copy()
    row = villages["village_id"].astype(str) == village_id
    for column, value in values.items():
        villages.loc[row, column] = value
    return replace_tables(ds, villages=villages)


def _village_words(ds: Dataset, village_id: str, lang: str) -> dict[str, str]:
    """Name, id and district-level area of a village, for the descriptions."""
    row = _village(ds, village_id)
    village_id = str(row["village_id"])
    code = str(row["district_code"])
    slug = places_mod.district_slug_by_code().get(code)
    area = places_mod.place(slug)["short_name_vi"] if slug else code
    return {"village": str(row["name_vi"]), "village_id": village_id, "area": str(area)}


def _district(ds: Dataset, district: str) -> tuple[str, str]:
    """(code, short name) of a district-level area given by slug, code or name."""
    table = reference.districts()
    known = set(ds.district_crafts["district_code"].astype(str))
    if str(district) in known and str(district) not in set(table["code"]):
        return str(district), str(district)  # a code the reference does not know (national)
    try:
        slug = resolve_place(district, level="district")
    except ResolveError as exc:
        raise ScenarioError(f"unknown district-level area {district!r}: {exc}") from exc
    hit = table[table["slug"] == slug]
    return str(hit.iloc[0]["code"]), str(hit.iloc[0]["short_name_vi"])


def _household_share(ds: Dataset, year: int) -> pd.Series:
    """Each village's share of households in the craft, in its latest year up to ``year``."""
    vy = ds.village_year[ds.village_year["year"] <= year].sort_values("year")
    latest = vy.drop_duplicates("village_id", keep="last").set_index("village_id")
    total = pd.to_numeric(latest["households_total"], errors="coerce").astype(float)
    craft = pd.to_numeric(latest["households_craft"], errors="coerce").astype(float)
    return (craft / total.where(total > 0)).rename(index=str)


# -------------------------------------------------------------------------------- changes


@dataclass(frozen=True)
class Recognise:
    """A village recognised as a craft village (or traditional craft village) in ``year``."""

    village_id: str
    year: int
    kind: str = "lang_nghe"
    regime: str = "52/2018"
    decision: str | None = None
    force: bool = False

    def resolve(self, ds: Dataset) -> tuple[Change, ...]:
        check_year(self.year)
        kinds = [k for k in reference.code_list("recognition") if k != "none"]
        if self.kind not in kinds:
            valid = ", ".join(kinds)
            raise ScenarioError(f"unknown recognition kind {self.kind!r}; valid: {valid}")
        regimes = list(reference.code_list("regime"))
        if self.regime not in regimes:
            raise ScenarioError(f"unknown regime {self.regime!r}; valid: {', '.join(regimes)}")
        row = _village(ds, self.village_id)
        if str(row["recognition"]) != "none":
            date = row["recognition_date"]
            when = "" if _missing(date) else f" in {date.year}"
            raise ScenarioError(
                f"village {row['village_id']} is already recognised ({row['recognition']}{when})"
            )
        if self.kind == "lang_nghe_truyen_thong":
            # Decree 52, Art. 5: a traditional craft village needs a recognised traditional
            # craft (rule traditional_village_needs_recognised_craft).
            craft = _craft(ds, str(row["craft_id"]))
            if craft is None or not bool(craft["is_traditional"]):
                raise ScenarioError(
                    f"village {row['village_id']}: its craft {row['craft_id']} is not a "
                    "traditional craft, so it cannot be a traditional craft village"
                )
        return (replace(self, village_id=str(row["village_id"])),)

    def shortfall(self, ds: Dataset) -> dict[str, str] | None:
        """What the village lacks against Decree 52's criteria in the change's year
        (``lacks_vi``, ``lacks_en``), or None when it meets them."""
        village_id = village_id_of(ds, self.village_id)
        screen = screen_villages(ds, self.year).set_index("village_id")
        if bool(screen.at[village_id, "ready"]):
            return None
        return {
            "lacks_vi": str(screen.at[village_id, "lacks_vi"]),
            "lacks_en": str(screen.at[village_id, "lacks_en"]),
        }

    def apply(self, ds: Dataset) -> Dataset:
        date = pd.Timestamp(f"{self.year}-{RECOGNITION_DAY}")
        if self.kind == "lang_nghe_truyen_thong":
            # Its traditional craft, if not yet recognised, is recognised with it.
            craft_id = str(_village(ds, self.village_id)["craft_id"])
            craft = _craft(ds, craft_id)
            if craft is not None and (
                _missing(craft["recognition_date"]) or craft["recognition_date"] > date
            ):
                crafts = ds.crafts.copy()
                at = crafts["craft_id"].astype(str) == craft_id
                crafts.loc[at, "recognition_date"] = date
                crafts.loc[at, "recognition_decision"] = self.decision or _MARK
                ds = replace_tables(ds, crafts=crafts)
        return _set_village(
            ds,
            self.village_id,
            recognition=self.kind,
            recognition_regime=self.regime,
            recognition_date=date,
            recognition_decision=self.decision or _MARK,
        )

    def describe(self, ds: Dataset, lang: str = "vi") -> str:
        kind = reference.code_list("recognition")[self.kind][lang]
        return label(
            "scn_recognise",
            lang,
            kind=kind.lower(),
            year=self.year,
            regime=self.regime,
            **_village_words(ds, self.village_id, lang),
        )


@dataclass(frozen=True)
class LinkTourism:
    """A village developed together with tourism from ``year`` (target T4)."""

    village_id: str
    year: int

    def resolve(self, ds: Dataset) -> tuple[Change, ...]:
        check_year(self.year)
        row = _village(ds, self.village_id)
        since = row["tourism_since"]
        if not _missing(since) and int(since) <= self.year:
            raise ScenarioError(
                f"village {row['village_id']} is already linked with tourism since {int(since)}"
            )
        return (replace(self, village_id=str(row["village_id"])),)

    def apply(self, ds: Dataset) -> Dataset:
        return _set_village(ds, self.village_id, tourism_since=self.year)

    def describe(self, ds: Dataset, lang: str = "vi") -> str:
        return label(
            "scn_link_tourism", lang, year=self.year, **_village_words(ds, self.village_id, lang)
        )


@dataclass(frozen=True)
class LinkTourismIn:
    """``n`` more villages of a place linked with tourism from ``year``, chosen by rule.

    The rule, deterministic: villages of the place not yet linked by ``year``; recognised ones
    first, then the larger share of households in the craft (latest figures up to ``year``),
    then the village id. :func:`resolve_changes` says which were chosen.
    """

    place_id: str
    n: int
    year: int

    def resolve(self, ds: Dataset) -> tuple[Change, ...]:
        check_year(self.year)
        if self.n < 1:
            raise ScenarioError(f"the number of villages must be at least 1, not {self.n}")
        try:
            place_id = resolve_place(self.place_id)
        except ResolveError as exc:
            raise ScenarioError(str(exc)) from exc
        villages = tables.villages_in(ds.villages, place_id)
        since = pd.to_numeric(villages["tourism_since"], errors="coerce")
        free = villages[since.isna() | (since > self.year)]
        recognised = free["recognition"].ne("none") & (
            free["recognition_date"].dt.year.le(self.year).fillna(False).astype(bool)
        )
        share = free["village_id"].astype(str).map(_household_share(ds, self.year))
        order = pd.DataFrame(
            {
                "village_id": free["village_id"].astype(str).to_numpy(),
                "first": (~recognised).to_numpy(dtype=int),
                "share": -share.fillna(-1.0).to_numpy(dtype=float),
            }
        ).sort_values(["first", "share", "village_id"])
        chosen = list(order["village_id"].head(self.n))
        if len(chosen) < self.n:
            name = places_mod.place(place_id)["short_name_vi"]
            left = ", ".join(chosen) or "none"
            raise ScenarioError(
                f"{name} has {len(chosen)} village(s) not yet linked with tourism by "
                f"{self.year} ({left}); {self.n} asked"
            )
        return tuple(LinkTourism(v, self.year) for v in chosen)

    def apply(self, ds: Dataset) -> Dataset:
        for change in self.resolve(ds):
            ds = change.apply(ds)
        return ds

    def describe(self, ds: Dataset, lang: str = "vi") -> str:
        return "; ".join(c.describe(ds, lang) for c in self.resolve(ds))


@dataclass(frozen=True)
class Restore:
    """A village's at-risk craft restored and preserved in ``year`` (target T1)."""

    village_id: str
    year: int

    def resolve(self, ds: Dataset) -> tuple[Change, ...]:
        check_year(self.year)
        row = _village(ds, self.village_id)
        restored = row["restored_year"]
        if not _missing(restored) and int(restored) <= self.year:
            raise ScenarioError(
                f"village {row['village_id']} was already restored in {int(restored)}"
            )
        craft = _craft(ds, str(row["craft_id"]))
        if craft is None or not bool(craft["at_risk"]):
            # T1 counts restorations of crafts at risk only (rule
            # restoration_needs_at_risk_craft).
            raise ScenarioError(
                f"village {row['village_id']}: its craft {row['craft_id']} is not recorded at "
                "risk of dying out, so restoring it does not count for T1"
            )
        return (replace(self, village_id=str(row["village_id"])),)

    def apply(self, ds: Dataset) -> Dataset:
        return _set_village(ds, self.village_id, restored_year=self.year)

    def describe(self, ds: Dataset, lang: str = "vi") -> str:
        return label(
            "scn_restore", lang, year=self.year, **_village_words(ds, self.village_id, lang)
        )


@dataclass(frozen=True)
class AddCommodityCraft:
    """A craft produced as a commodity in a district-level area from ``year`` on (target T2):
    a ``district_crafts`` row for that year and every later year of the data."""

    district: str
    craft_id: str
    year: int
    product_vi: str | None = None

    def resolve(self, ds: Dataset) -> tuple[Change, ...]:
        check_year(self.year)
        code, _ = _district(ds, self.district)
        crafts = set(ds.crafts["craft_id"].astype(str))
        if self.craft_id not in crafts:
            valid = ", ".join(sorted(crafts))
            raise ScenarioError(f"unknown craft {self.craft_id!r}; valid: {valid}")
        dc = ds.district_crafts
        there = dc[
            (dc["district_code"].astype(str) == code)
            & (dc["year"] == self.year)
            & (dc["craft_id"].astype(str) == self.craft_id)
        ]
        if len(there):
            raise ScenarioError(
                f"{self.craft_id} is already a commodity craft of {self.district} in {self.year}"
            )
        return (AddCommodityCraft(code, self.craft_id, self.year, self.product_vi),)

    def apply(self, ds: Dataset) -> Dataset:
        code, _ = _district(ds, self.district)
        dc = ds.district_crafts
        years = sorted({self.year, *(int(y) for y in dc["year"].unique() if y > self.year)})
        present = set(
            dc.loc[
                (dc["district_code"].astype(str) == code)
                & (dc["craft_id"].astype(str) == self.craft_id),
                "year",
            ]
        )
        rows = pd.DataFrame(
            {
                "district_code": code,
                "year": [y for y in years if y not in present],
                "craft_id": self.craft_id,
                "product_vi": self.product_vi,
            }
        )
        added = pd.concat([dc, rows.astype(dc.dtypes.to_dict())], ignore_index=True)
        return replace_tables(ds, district_crafts=added)

    def describe(self, ds: Dataset, lang: str = "vi") -> str:
        _, area = _district(ds, self.district)
        crafts = ds.crafts.set_index(ds.crafts["craft_id"].astype(str))
        craft = str(crafts.at[self.craft_id, f"name_{lang}"])
        return label("scn_add_commodity_craft", lang, craft=craft, area=area, year=self.year)


@dataclass(frozen=True)
class SetValue:
    """One figure of one village in one year (a ``village_year`` column) set to ``value``."""

    village_id: str
    year: int
    column: str
    value: object

    def resolve(self, ds: Dataset) -> tuple[Change, ...]:
        check_year(self.year)
        village_id = village_id_of(ds, self.village_id)
        columns = [c for c in ds.village_year.columns if c not in ("village_id", "year")]
        if self.column not in columns:
            raise ScenarioError(f"unknown column {self.column!r}; valid: {', '.join(columns)}")
        vy = ds.village_year
        row = (vy["village_id"].astype(str) == village_id) & (vy["year"] == self.year)
        if not row.any():
            raise ScenarioError(f"village {village_id} has no figures for {self.year}")
        return (replace(self, village_id=village_id),)

    def apply(self, ds: Dataset) -> Dataset:
        vy = ds.village_year.copy()
        row = (vy["village_id"].astype(str) == self.village_id) & (vy["year"] == self.year)
        vy.loc[row, self.column] = self.value
        return replace_tables(ds, village_year=vy)

    def describe(self, ds: Dataset, lang: str = "vi") -> str:
        meta = table_specs()["village_year"].schema.columns[self.column].metadata
        value = self.value
        if isinstance(value, bool):
            text = label("word_yes" if value else "word_no", lang)
        elif isinstance(value, int | float | np.integer | np.floating):
            text = value_text(value, "", lang)
        else:
            text = str(value)
        return label(
            "scn_set_value",
            lang,
            column=meta[lang],
            value=text,
            year=self.year,
            **_village_words(ds, self.village_id, lang),
        )


def recognise(
    village_id: str,
    year: int,
    kind: str = "lang_nghe",
    regime: str = "52/2018",
    decision: str | None = None,
    force: bool = False,
) -> Recognise:
    """Village ``village_id`` (id or name) recognised in ``year`` as ``kind`` (``lang_nghe`` or
    ``lang_nghe_truyen_thong``) under ``regime`` (T3, C1; T5 and T6 then count it). A village
    that does not meet Decree 52's criteria that year is left out with a warning naming what
    it lacks; ``force=True`` recognises it anyway (the warning stays)."""
    return Recognise(village_id, int(year), kind, regime, decision, bool(force))


def link_tourism(village_id: str, year: int) -> LinkTourism:
    """Village ``village_id`` developed together with tourism from ``year`` (T4)."""
    return LinkTourism(village_id, int(year))


def link_tourism_in(place_id: str, n: int, year: int) -> LinkTourismIn:
    """``n`` more villages of place ``place_id`` (a slug) linked with tourism from ``year``,
    chosen by the rule of :class:`LinkTourismIn` (T4)."""
    return LinkTourismIn(place_id, int(n), int(year))


def restore(village_id: str, year: int) -> Restore:
    """Village ``village_id``'s at-risk craft restored in ``year`` (T1)."""
    return Restore(village_id, int(year))


def add_commodity_craft(
    district: str, craft_id: str, year: int, product_vi: str | None = None
) -> AddCommodityCraft:
    """Craft ``craft_id`` produced as a commodity in ``district`` (slug or code) from ``year``
    on (T2)."""
    return AddCommodityCraft(district, craft_id, int(year), product_vi)


def set_value(village_id: str, year: int, column: str, value: object) -> SetValue:
    """Figure ``column`` of ``village_year`` for one village and year set to ``value``."""
    return SetValue(village_id, int(year), column, value)
