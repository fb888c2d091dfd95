"""What-if scenarios: change the data and compare the indicators and statuses with and without.

A scenario is a list of changes, each built by one small function::

    from analysis import load_dataset
    from analysis.explore import scenarios as sc

    ds = load_dataset()
    changes = [sc.recognise("VQ-HOI", 2026), sc.link_tourism_in("bac-son", 1, 2026)]
    table = sc.compare_scenario(ds, changes, 2026)     # before, after, difference, statuses
    table.attrs["changes"]                              # what was done, villages named

The changes themselves live in :mod:`analysis.explore.changes` (re-exported here). Villages and
places may be named by id, slug, code or name (``analysis.data.resolve``). A recognition of a
village that does not meet Decree 52's criteria in its year is left out, and
``attrs["warnings"]`` of the comparison says what the village lacks; ``recognise(...,
force=True)`` makes it anyway (the warning says so).

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

import warnings
from collections.abc import Sequence

import pandas as pd

from analysis.core.formatting import is_missing, value_text
from analysis.core.labels import label
from analysis.data import places as places_mod
from analysis.data import reference
from analysis.data.resolve import ResolveError, resolve_place
from analysis.data.schemas import table_specs
from analysis.data.store import Dataset
from analysis.explore.changes import (
    RECOGNITION_DAY,
    AddCommodityCraft,
    Change,
    LinkTourism,
    LinkTourismIn,
    Recognise,
    Restore,
    ScenarioError,
    ScenarioWarning,
    SetValue,
    add_commodity_craft,
    check_year,
    link_tourism,
    link_tourism_in,
    recognise,
    replace_tables,
    restore,
    set_value,
)
from analysis.explore.questions import change_text
from analysis.indicators.compute import LEVEL_ORDER, compute_indicators, indicator_years
from analysis.indicators.progress import assess_progress, status_label

__all__ = [
    "COMPARISON_COLUMNS",
    "RECOGNITION_DAY",
    "AddCommodityCraft",
    "Change",
    "LinkTourism",
    "LinkTourismIn",
    "Recognise",
    "Restore",
    "ScenarioError",
    "ScenarioWarning",
    "SetValue",
    "add_commodity_craft",
    "apply_changes",
    "carry_forward",
    "compare_scenario",
    "format_comparison",
    "last_data_year",
    "link_tourism",
    "link_tourism_in",
    "recognise",
    "resolve_changes",
    "restore",
    "set_value",
    "summarise_comparison",
]

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


# ------------------------------------------------------------------------- years ahead


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
    out = replace_tables(ds, village_year=village_year, district_crafts=district_crafts)
    projected = sorted({*map(int, ds.info.get("projected_years", [])), *new_years})
    out.info["projected_years"] = projected
    return out


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
    return replace_tables(ds, **checked)


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
    screened: list[dict[str, object]] = []
    for change in changes:
        for concrete in change.resolve(current):
            if isinstance(concrete, Recognise):
                lacks = concrete.shortfall(current)
                if lacks is not None:
                    screened.append({"change": concrete, "applied": concrete.force, **lacks})
                    if not concrete.force:
                        warnings.warn(
                            _warning_text(current, screened[-1], "en"),
                            ScenarioWarning,
                            stacklevel=2,
                        )
                        continue
            made.append(concrete)
            current = concrete.apply(current)
    current = _validated(current, ["villages", "village_year", "district_crafts"])
    current.info["changes"] = tuple(made)
    current.info["screened"] = tuple(screened)
    return current


def _warning_text(ds: Dataset, item: dict[str, object], lang: str) -> str:
    """A recognition short of Decree 52, in words: left out, or made because forced."""
    change = item["change"]
    assert isinstance(change, Recognise)
    row = ds.villages[ds.villages["village_id"].astype(str) == change.village_id].iloc[0]
    key = "scn_warning_forced" if item["applied"] else "scn_warning_refused"
    return label(
        key,
        lang,
        village=str(row["name_vi"]),
        village_id=change.village_id,
        year=change.year,
        lacks=item[f"lacks_{lang}"],
    )


def scenario_warnings(ds: Dataset, lang: str = "vi") -> list[str]:
    """The warnings of a data set made by :func:`apply_changes`: each recognition of a village
    short of Decree 52's criteria, left out (or made because ``force=True``), with what the
    village lacks."""
    return [_warning_text(ds, item, lang) for item in ds.info.get("screened", ())]


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
        Places to show (slug, code or name, one or a list; ``analysis.data.resolve``);
        ``"all"``; ``"province"`` for the top level only; or None for the province and the
        district-level areas and communes the changes touch.
    lang
        Language of the change descriptions in ``attrs["changes"]``.

    Returns
    -------
    pandas.DataFrame
        ``COMPARISON_COLUMNS``: one row per indicator, place and target year (target year and
        statuses missing for indicators without a target); ``difference`` is after minus
        before. ``attrs["changes"]`` lists what was done (villages named),
        ``attrs["projected_years"]`` the carried-forward years, ``attrs["warnings"]`` the
        recognitions of villages short of Decree 52's criteria (left out unless forced), with
        what each lacks.
    """
    year = check_year(year)
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
        try:
            chosen = [resolve_place(p) for p in ([places] if isinstance(places, str) else places)]
        except ResolveError as exc:
            raise ScenarioError(str(exc)) from exc
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
    result.attrs["warnings"] = scenario_warnings(after, lang)
    result.attrs["projected_years"] = sorted(projected)
    return result


def format_comparison(comparison: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The comparison written for people: place and indicator names, values with the
    indicator's unit in the language's number format, statuses with symbol and words."""
    ind = reference.indicators().set_index("id")
    bands = reference.status_bands().set_index("status")
    names = places_mod.places().set_index("place_id")["short_name_vi"]

    def status(value: object) -> str:
        if is_missing(value):
            return ""
        return f"{bands.at[value, 'symbol']} {status_label(str(value), lang)}"

    rows = []
    for r in comparison.itertuples(index=False):
        unit = str(ind.at[r.indicator_id, "unit"])
        diff = change_text(r.difference, unit, lang)
        if not is_missing(r.difference) and float(r.difference) > 0:
            diff = f"+{diff}"
        name = ind.at[r.indicator_id, f"name_{lang}"]
        target_year = "" if is_missing(r.target_year) else str(r.target_year)
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
    warned = comparison.attrs.get("warnings", [])
    if warned:
        parts.append("\n".join(f"- ⚠ {w}" for w in warned))
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
        before = "" if is_missing(r.status_before) else status_label(str(r.status_before), lang)
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
