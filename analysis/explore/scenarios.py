"""What-if scenarios: change the data and compare the indicators and statuses with and without.

A scenario is a list of changes, each built by one small function::

    from analysis import load_dataset
    from analysis.explore import scenarios as sc

    ds = load_dataset()
    changes = [sc.recognise("VQ-HOI", 2026), sc.link_tourism_in("bac-son", 1, 2026)]
    table = sc.compare_scenario(ds, changes, 2026)     # before, after, difference, statuses
    table.attrs["changes"]                              # what was done, villages named

``apply_changes`` is pure: it returns a new :class:`~analysis.data.store.Dataset` and never touches
the one it is given. Changes apply in order, each to the data left by the ones before, so two
``link_tourism_in`` for the same place never pick the same village.

Years after the data. A scenario year may come after the last year with village figures (2026
when the data stop at 2025). The baseline and the scenario are then both *carried forward*:
the ``village_year`` rows of the last data year are copied to every later year up to the
scenario year (villages without figures that year stay without), and so are the commodity
crafts (``district_crafts``) of their last year. The years so made are listed in
``Dataset.info["projected_years"]`` and flagged ``projected`` in the comparison. A carried-forward
year is a "nothing else changes" world: revenue and income stay flat, so C6 (growth) is 0 and
the effectiveness components "production stable" and "income not falling" hold wherever the
figures are known; read T5 in such a year with that in mind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from analysis.core.config import PROGRAMME_END, PROGRAMME_START
from analysis.core.errors import UsageError
from analysis.core.formatting import value_text
from analysis.core.labels import label
from analysis.data import places as places_mod
from analysis.data import reference
from analysis.data.schemas import table_specs
from analysis.data.store import Dataset
from analysis.explore.questions import change_text
from analysis.indicators.compute import LEVEL_ORDER, compute_indicators, indicator_years
from analysis.indicators.progress import assess_progress, status_label
from analysis.reports import tables

#: Columns of the result of :func:`compare_scenario`, in order.
COMPARISON_COLUMNS: tuple[str, ...] = (
    "indicator_id",
    "place_id",
    "place_level",
    "year",
    "projected",
    "target_year",
    "target_value",
    "value_before",
    "value_after",
    "difference",
    "status_before",
    "status_after",
    "status_changed",
)
#: Date given to a scenario recognition (only its year counts for the indicators).
RECOGNITION_DAY = "07-01"
_MARK = "(kịch bản)"


class ScenarioError(UsageError):
    """A change that cannot apply to the data (unknown village, already recognised...)."""


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


# -------------------------------------------------------------------------------- helpers


def _check_year(year: int) -> int:
    if not PROGRAMME_START <= int(year) <= PROGRAMME_END:
        raise ScenarioError(
            f"year {year} is outside the programme ({PROGRAMME_START}-{PROGRAMME_END})"
        )
    return int(year)


def _village(ds: Dataset, village_id: str) -> pd.Series:
    """The village's row; a clear error naming some valid ids otherwise."""
    villages = ds.villages
    hit = villages[villages["village_id"].astype(str) == village_id]
    if hit.empty:
        some = ", ".join(sorted(villages["village_id"].astype(str))[:10])
        raise ScenarioError(f"unknown village {village_id!r}; for example: {some}")
    return hit.iloc[0]


def _missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))


def _replace(ds: Dataset, **frames: pd.DataFrame) -> Dataset:
    """A new Dataset with some tables replaced (the others shared, never modified)."""
    return Dataset(tables={**ds.tables, **frames}, info=dict(ds.info))


def _set_village(ds: Dataset, village_id: str, **values: object) -> Dataset:
    villages = ds.villages.copy()
    row = villages["village_id"].astype(str) == village_id
    for column, value in values.items():
        villages.loc[row, column] = value
    return _replace(ds, villages=villages)


def _village_words(ds: Dataset, village_id: str, lang: str) -> dict[str, str]:
    """Name, id and district-level area of a village, for the descriptions."""
    row = _village(ds, village_id)
    code = str(row["district_code"])
    slug = places_mod.district_slug_by_code().get(code)
    area = places_mod.place(slug)["short_name_vi"] if slug else code
    return {"village": str(row["name_vi"]), "village_id": village_id, "area": str(area)}


def _district(ds: Dataset, district: str) -> tuple[str, str]:
    """(code, short name) of a district-level area given by slug or code."""
    table = reference.districts()
    hit = table[(table["slug"] == district) | (table["code"] == str(district))]
    if hit.empty:
        known = set(ds.district_crafts["district_code"].astype(str))
        if str(district) in known:
            return str(district), str(district)
        raise ScenarioError(
            f"unknown district-level area {district!r}; valid: {', '.join(table['slug'])}"
        )
    return str(hit.iloc[0]["code"]), str(hit.iloc[0]["short_name_vi"])


def _household_share(ds: Dataset, year: int) -> pd.Series:
    """Each village's share of households in the craft, in its latest year up to ``year``."""
    vy = ds.village_year[ds.village_year["year"] <= year].sort_values("year")
    latest = vy.drop_duplicates("village_id", keep="last").set_index("village_id")
    total = pd.to_numeric(latest["households_total"], errors="coerce").astype(float)
    craft = pd.to_numeric(latest["households_craft"], errors="coerce").astype(float)
    return (craft / total.where(total > 0)).rename(index=str)


def last_data_year(ds: Dataset) -> int:
    """The last year with village figures in the data (projections start after it)."""
    return int(ds.village_year["year"].max())


def carry_forward(ds: Dataset, year: int) -> Dataset:
    """The data set extended to ``year``: the last data year's village figures and commodity
    crafts copied to each later year, those years listed in ``info["projected_years"]``.

    Returns ``ds`` itself when ``year`` is not after the last data year.
    """
    last = last_data_year(ds)
    if year <= last:
        return ds
    new_years = list(range(last + 1, int(year) + 1))
    vy = ds.village_year
    latest = vy[vy["year"] == last]
    village_year = pd.concat([vy, *(latest.assign(year=y) for y in new_years)], ignore_index=True)
    dc = ds.district_crafts
    frames = [dc]
    if len(dc):
        dc_last = int(dc["year"].max())
        frames += [
            dc[dc["year"] == dc_last].assign(year=y) for y in range(dc_last + 1, int(year) + 1)
        ]
    district_crafts = pd.concat(frames, ignore_index=True)
    out = _replace(ds, village_year=village_year, district_crafts=district_crafts)
    projected = sorted({*map(int, ds.info.get("projected_years", [])), *new_years})
    out.info["projected_years"] = projected
    return out


# -------------------------------------------------------------------------------- changes


@dataclass(frozen=True)
class Recognise:
    """A village recognised as a craft village (or traditional craft village) in ``year``."""

    village_id: str
    year: int
    kind: str = "lang_nghe"
    regime: str = "52/2018"
    decision: str | None = None

    def resolve(self, ds: Dataset) -> tuple[Change, ...]:
        _check_year(self.year)
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
                f"village {self.village_id} is already recognised ({row['recognition']}{when})"
            )
        return (self,)

    def apply(self, ds: Dataset) -> Dataset:
        return _set_village(
            ds,
            self.village_id,
            recognition=self.kind,
            recognition_regime=self.regime,
            recognition_date=pd.Timestamp(f"{self.year}-{RECOGNITION_DAY}"),
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
        _check_year(self.year)
        since = _village(ds, self.village_id)["tourism_since"]
        if not _missing(since) and int(since) <= self.year:
            raise ScenarioError(
                f"village {self.village_id} is already linked with tourism since {int(since)}"
            )
        return (self,)

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
        _check_year(self.year)
        if self.n < 1:
            raise ScenarioError(f"the number of villages must be at least 1, not {self.n}")
        try:
            villages = tables.villages_in(ds.villages, self.place_id)
        except KeyError as exc:
            raise ScenarioError(str(exc.args[0])) from exc
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
            name = places_mod.place(self.place_id)["short_name_vi"]
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
        _check_year(self.year)
        restored = _village(ds, self.village_id)["restored_year"]
        if not _missing(restored) and int(restored) <= self.year:
            raise ScenarioError(
                f"village {self.village_id} was already restored in {int(restored)}"
            )
        return (self,)

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
        _check_year(self.year)
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
        return _replace(ds, district_crafts=added)

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
        _check_year(self.year)
        _village(ds, self.village_id)
        columns = [c for c in ds.village_year.columns if c not in ("village_id", "year")]
        if self.column not in columns:
            raise ScenarioError(f"unknown column {self.column!r}; valid: {', '.join(columns)}")
        vy = ds.village_year
        row = (vy["village_id"].astype(str) == self.village_id) & (vy["year"] == self.year)
        if not row.any():
            raise ScenarioError(f"village {self.village_id} has no figures for {self.year}")
        return (self,)

    def apply(self, ds: Dataset) -> Dataset:
        vy = ds.village_year.copy()
        row = (vy["village_id"].astype(str) == self.village_id) & (vy["year"] == self.year)
        vy.loc[row, self.column] = self.value
        return _replace(ds, village_year=vy)

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
) -> Recognise:
    """Village ``village_id`` recognised in ``year`` as ``kind`` (``lang_nghe`` or
    ``lang_nghe_truyen_thong``) under ``regime`` (T3, C1; T5 and T6 then count it)."""
    return Recognise(village_id, int(year), kind, regime, decision)


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


# ------------------------------------------------------------------------------ applying


def resolve_changes(ds: Dataset, changes: Sequence[Change]) -> list[Change]:
    """The concrete changes, in order, each checked against the data the earlier ones leave:
    ``link_tourism_in`` becomes one ``LinkTourism`` per chosen village."""
    return list(apply_changes(ds, changes).info["changes"])


def _validated(ds: Dataset, names: Sequence[str]) -> Dataset:
    """Check the changed tables against their schemas (a figure below zero, a wrong code)."""
    specs = table_specs()
    checked = {}
    for name in names:
        try:
            checked[name] = specs[name].schema.validate(ds.tables[name])
        except Exception as exc:  # pandera's SchemaError: say it plainly
            raise ScenarioError(f"the changes break the rules of table {name}: {exc}") from exc
    return _replace(ds, **checked)


def apply_changes(ds: Dataset, changes: Sequence[Change], through: int | None = None) -> Dataset:
    """A new data set with the changes made, in order; ``ds`` is left as it was.

    Parameters
    ----------
    ds
        Validated tables (``analysis.load_dataset()``).
    changes
        Built with :func:`recognise`, :func:`link_tourism`, :func:`link_tourism_in`,
        :func:`restore`, :func:`add_commodity_craft`, :func:`set_value`.
    through
        Carry the data forward at least to this year (see the module notes); the latest
        change year is always reached.

    Returns
    -------
    Dataset
        The changed tables; ``info["changes"]`` holds the concrete changes made and
        ``info["projected_years"]`` the carried-forward years. Raises :class:`ScenarioError`
        when a change cannot apply.
    """
    horizon = max([last_data_year(ds), int(through or 0), *(int(c.year) for c in changes)])
    current = carry_forward(ds, horizon)
    made: list[Change] = []
    for change in changes:
        for concrete in change.resolve(current):
            made.append(concrete)
            current = concrete.apply(current)
    current = _validated(current, ["villages", "village_year", "district_crafts"])
    current.info["changes"] = tuple(made)
    return current


def _touched_places(ds: Dataset, changes: Sequence[Change], indicators: pd.DataFrame) -> list[str]:
    """The province and the district-level areas and communes the changes touch."""
    ids = {str(c.village_id) for c in changes if hasattr(c, "village_id")}
    villages = ds.villages[ds.villages["village_id"].astype(str).isin(ids)]
    codes = {("district", str(c)) for c in villages["district_code"]}
    codes |= {("commune", str(c)) for c in villages["commune_code"]}
    codes |= {("district", str(c.district)) for c in changes if hasattr(c, "district")}
    keyed = indicators.drop_duplicates(["place_level", "place_code"])
    hit = keyed[
        [
            (lvl, code) in codes
            for lvl, code in zip(keyed["place_level"], keyed["place_code"], strict=True)
        ]
    ]
    top = keyed.loc[keyed["place_level"] == "province", "place_id"]
    return [*top, *hit["place_id"]]


def _side(indicators: pd.DataFrame, progress: pd.DataFrame, year: int) -> pd.DataFrame:
    """Values of ``year`` with the statuses of each target year (none for context indicators)."""
    values = indicators.loc[
        indicators["year"] == year, ["indicator_id", "place_id", "place_level", "value"]
    ]
    status = progress[["indicator_id", "place_id", "target_year", "target_value", "status"]]
    return values.merge(status, on=["indicator_id", "place_id"], how="left")


def compare_scenario(
    ds: Dataset,
    changes: Sequence[Change],
    year: int,
    places: Sequence[str] | str | None = None,
    lang: str = "vi",
) -> pd.DataFrame:
    """Indicators and statuses in ``year`` without and with the changes.

    Parameters
    ----------
    ds
        Validated tables.
    changes
        The scenario (see :func:`apply_changes`).
    year
        Evaluation year; after the last data year both sides are carried forward.
    places
        Place slugs to show; ``"all"``; ``"province"`` for the top level only; or None for the
        province and the district-level areas and communes the changes touch.
    lang
        Language of the change descriptions in ``attrs["changes"]``.

    Returns
    -------
    pandas.DataFrame
        ``COMPARISON_COLUMNS``: one row per indicator, place and target year (target year and
        statuses missing for indicators without a target); ``difference`` is after minus
        before. ``attrs["changes"]`` lists what was done (villages named),
        ``attrs["projected_years"]`` the carried-forward years.
    """
    year = _check_year(year)
    horizon = max([year, *(int(c.year) for c in changes)])
    before = carry_forward(ds, horizon)
    after = apply_changes(before, changes)
    years = indicator_years(before, year)  # the 2020 baseline too, as the reports judge
    ind_before = compute_indicators(before, years)
    ind_after = compute_indicators(after, years)
    merged = _side(ind_before, assess_progress(ind_before, year), year).merge(
        _side(ind_after, assess_progress(ind_after, year), year),
        on=["indicator_id", "place_id", "place_level", "target_year", "target_value"],
        how="outer",
        suffixes=("_before", "_after"),
    )
    made = list(after.info["changes"])
    if places is None:
        chosen = _touched_places(before, made, ind_before)
    elif places == "all":
        chosen = list(merged["place_id"].unique())
    elif places == "province":
        chosen = list(merged.loc[merged["place_level"] == "province", "place_id"].unique())
    else:
        chosen = list(places)
    merged = merged[merged["place_id"].isin(chosen)]
    projected = set(after.info.get("projected_years", []))
    out = merged.assign(
        year=year,
        projected=year in projected,
        difference=merged["value_after"] - merged["value_before"],
        status_changed=merged["status_before"]
        .astype(object)
        .ne(merged["status_after"].astype(object))
        & merged["status_after"].notna(),
    )
    order = {ind: i for i, ind in enumerate(reference.indicators()["id"])}
    out = out.assign(
        _level=out["place_level"].map(LEVEL_ORDER),
        _ind=out["indicator_id"].map(order),
        _place=out["place_id"].map({p: i for i, p in enumerate(chosen)}),
    ).sort_values(["_level", "_place", "_ind", "target_year"])
    out["target_year"] = out["target_year"].astype("Int64")
    result = out.loc[:, list(COMPARISON_COLUMNS)].reset_index(drop=True)
    result.attrs["changes"] = [c.describe(after, lang) for c in made]
    result.attrs["projected_years"] = sorted(projected)
    return result


def format_comparison(comparison: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The comparison written for people: place and indicator names, values with the
    indicator's unit in the language's number format, statuses with symbol and words."""
    ind = reference.indicators().set_index("id")
    bands = reference.status_bands().set_index("status")
    names = places_mod.places().set_index("place_id")["short_name_vi"]

    def status(value: object) -> str:
        if _missing(value):
            return ""
        return f"{bands.at[value, 'symbol']} {status_label(str(value), lang)}"

    rows = []
    for r in comparison.itertuples(index=False):
        unit = str(ind.at[r.indicator_id, "unit"])
        diff = change_text(r.difference, unit, lang)
        if not _missing(r.difference) and float(r.difference) > 0:
            diff = f"+{diff}"
        name = ind.at[r.indicator_id, f"name_{lang}"]
        target_year = "" if _missing(r.target_year) else str(r.target_year)
        rows.append(
            {
                label("col_place", lang): names.get(r.place_id, r.place_id),
                label("col_indicator", lang): f"{r.indicator_id}. {name}",
                label("scn_col_target_year", lang): target_year,
                label("scn_col_before", lang): value_text(r.value_before, unit, lang),
                label("scn_col_after", lang): value_text(r.value_after, unit, lang),
                label("scn_col_difference", lang): diff,
                label("scn_col_status_before", lang): status(r.status_before),
                label("scn_col_status_after", lang): status(r.status_after),
            }
        )
    return pd.DataFrame(rows)


def summarise_comparison(comparison: pd.DataFrame, lang: str = "vi") -> str:
    """The comparison in a few lines of Markdown: the changes made (villages named), then each
    indicator value that moves and each status that changes, place by place."""
    names = places_mod.places().set_index("place_id")["short_name_vi"]
    units = reference.indicators().set_index("id")["unit"]
    parts = [label("scn_summary_changes", lang)]
    parts.append("\n".join(f"- {c}" for c in comparison.attrs.get("changes", [])))
    projected = comparison.attrs.get("projected_years", [])
    if projected:
        parts.append(label("scn_summary_projected", lang, years=", ".join(map(str, projected))))
    moved = comparison[comparison["difference"].fillna(0).ne(0)].drop_duplicates(
        ["indicator_id", "place_id"]
    )
    items = []
    for r in moved.itertuples(index=False):
        unit = str(units[r.indicator_id])
        change = change_text(r.difference, unit, lang)
        items.append(
            f"{names.get(r.place_id, r.place_id)} — {r.indicator_id}: "
            f"{value_text(r.value_before, unit, lang)} → {value_text(r.value_after, unit, lang)}"
            f" ({'+' if r.difference > 0 else ''}{change})"
        )
    for r in comparison[comparison["status_changed"]].itertuples(index=False):
        before = "" if _missing(r.status_before) else status_label(str(r.status_before), lang)
        items.append(
            label(
                "scn_summary_status",
                lang,
                place=names.get(r.place_id, r.place_id),
                indicator=r.indicator_id,
                target_year=r.target_year,
                before=before,
                after=status_label(str(r.status_after), lang),
            )
        )
    parts.append(
        label("scn_summary_effects", lang, year=int(comparison["year"].iloc[0]))
        if len(comparison)
        else label("q_none", lang)
    )
    parts.append("\n".join(f"- {i}" for i in items) or label("q_none", lang))
    return "\n\n".join(parts)
