"""Target T5, "operating effectively": the components of ``effectiveness.yaml`` for each
recognised village and year, the combined verdict, and the table a report shows per village so
that a reader sees why a village counts.

The environmental conditions of a craft village (Decree 52/2018, Art. 5) are reduced to the
columns ``decree52.yaml`` lists (``environment_required``); the reduction, its source and
whether it is verified are in ``decree52.yaml`` (``environment_reduction``), and
:func:`environment_footnote` gives the footnote every report that uses it prints.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from analysis.data import reference
from analysis.data.store import Dataset
from analysis.indicators.panel import recognised, reporting_years, village_panel


def household_threshold(panel: pd.DataFrame) -> np.ndarray:
    """Household-share threshold of each village: that of the regime it was recognised under,
    else that of the regime in force now (Decree 52/2018)."""
    rules = reference.read_yaml("decree52.yaml")
    shares = {str(r["id"]): float(r["min_household_share"]) for r in rules["regimes"]}
    current = [str(r["id"]) for r in rules["regimes"] if not r.get("valid_to")]
    default = shares[current[0]] if current else max(shares.values())
    regime = panel["recognition_regime"].astype(object).where(panel["recognition"].ne("none"))
    return regime.map(shares).astype(float).fillna(default).to_numpy()


def _all_of(flags: Sequence[np.ndarray]) -> np.ndarray:
    """Three-valued AND of float flags (1, 0, NaN): 0 if any is 0, NaN if any unknown, else 1."""
    stack = np.vstack(flags)
    out = np.where(np.isnan(stack).any(axis=0), np.nan, 1.0)
    return np.where((stack == 0).any(axis=0), 0.0, out)


def environment_ok(panel: pd.DataFrame) -> np.ndarray:
    """Environmental conditions of Decree 52 (columns listed in ``decree52.yaml``), as 1/0/NaN."""
    required = reference.read_yaml("decree52.yaml")["craft_village"]["environment_required"]
    return _all_of([panel[c].to_numpy(dtype=float) for c in required])


def _at_least(value: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """1 where value >= floor, 0 where below, NaN where either is missing."""
    out = (value >= floor).astype(float)
    out[np.isnan(value) | np.isnan(floor)] = np.nan
    return out


def _component_meets_criteria(panel: pd.DataFrame, _: dict) -> np.ndarray:
    share = panel["households_craft"].to_numpy() / panel["households_total"].to_numpy()
    share = np.where(panel["households_total"].to_numpy() > 0, share, np.nan)
    return _all_of([_at_least(share, household_threshold(panel)), environment_ok(panel)])


def _component_production_stable(panel: pd.DataFrame, spec: dict) -> np.ndarray:
    tolerance = float(spec.get("revenue_tolerance", 0.0))
    return _at_least(
        panel["revenue_mvnd"].to_numpy(), panel["revenue_prev"].to_numpy() * (1.0 - tolerance)
    )


def _component_income_not_falling(panel: pd.DataFrame, spec: dict) -> np.ndarray:
    tolerance = float(spec.get("income_tolerance", 0.0))
    return _at_least(
        panel["income_mvnd_month"].to_numpy(), panel["income_prev"].to_numpy() * (1.0 - tolerance)
    )


#: Components of effectiveness.yaml by id: each returns 1 (holds), 0 (fails) or NaN (unknown).
EFFECTIVENESS_COMPONENTS: dict[str, Callable[[pd.DataFrame, dict], np.ndarray]] = {
    "meets_criteria": _component_meets_criteria,
    "production_stable": _component_production_stable,
    "income_not_falling": _component_income_not_falling,
}


def effectiveness_matrix(panel: pd.DataFrame) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Each component of ``effectiveness.yaml`` and the combined ``effective`` (1/0/NaN)."""
    definition = reference.read_yaml("effectiveness.yaml")
    components: dict[str, np.ndarray] = {}
    for spec in definition["components"]:
        if spec["id"] not in EFFECTIVENESS_COMPONENTS:
            raise KeyError(
                f"effectiveness.yaml: unknown component {spec['id']!r}; "
                f"known: {', '.join(EFFECTIVENESS_COMPONENTS)}"
            )
        components[spec["id"]] = EFFECTIVENESS_COMPONENTS[spec["id"]](panel, spec)
    stack = np.vstack(list(components.values()))
    rule = definition.get("rule", "all")
    needed = stack.shape[0] if rule == "all" else int(rule)
    true = (stack == 1).sum(axis=0)
    unknown = np.isnan(stack).sum(axis=0)
    effective = np.where(true >= needed, 1.0, np.where(true + unknown < needed, 0.0, np.nan))
    return components, effective


def effectiveness_components(ds: Dataset, years: Sequence[int] | None = None) -> pd.DataFrame:
    """Per recognised village and year: each component of "operating effectively" (T5).

    Returns ``village_id, year, household_share, min_household_share`` (fractions: 0.2 is
    20%), one nullable boolean column per component of ``effectiveness.yaml``, and
    ``effective``. A component is missing (<NA>) when its data are;
    ``effective`` follows the rule of the file (``all`` or at least k components), missing when
    the known components cannot decide it.
    """
    years = reporting_years(ds) if years is None else list(years)
    panel = village_panel(ds, years)
    components, effective = effectiveness_matrix(panel)
    keep = recognised(panel)
    total = panel["households_total"]
    share = panel["households_craft"] / total.where(total > 0)
    out = pd.DataFrame(
        {
            "village_id": panel["village_id"],
            "year": panel["year"],
            "household_share": share,
            "min_household_share": household_threshold(panel),
        }
    )
    for name, values in {**components, "effective": effective}.items():
        out[name] = pd.array(np.where(np.isnan(values), None, values == 1), dtype="boolean")
    return out[keep].sort_values(["year", "village_id"]).reset_index(drop=True)


def effectiveness_definition() -> pd.DataFrame:
    """The components of "operating effectively" in ``effectiveness.yaml`` order, with their
    words (``component_id, vi, en``), the rule (``all`` or k) in ``attrs["rule"]`` and whether
    the definition is verified in ``attrs["verified"]``: the column heads of a report table."""
    definition = reference.read_yaml("effectiveness.yaml")
    table = pd.DataFrame(
        [{"component_id": c["id"], "vi": c["vi"], "en": c["en"]} for c in definition["components"]]
    )
    table.attrs["rule"] = definition.get("rule", "all")
    table.attrs["verified"] = bool(definition.get("verified", False))
    table.attrs["source"] = str(definition.get("source", ""))
    return table


def effectiveness_by_village(ds: Dataset, year: int) -> pd.DataFrame:
    """T5 shown, not only counted: each village recognised in ``year`` (and not withdrawn)
    with every component of ``effectiveness.yaml``, met or not, and the verdict.

    Returns ``village_id, name_vi, craft_id, district_code, commune_code, recognition,
    household_share, min_household_share``, one nullable boolean column per component (in
    the order of :func:`effectiveness_definition`), ``effective`` and ``counts`` (True when the
    village is in T5's numerator, False in its denominator only, <NA> when left out for
    missing data), one row per village sorted by place and id.
    """
    components = effectiveness_components(ds, [year])
    villages = ds.villages.assign(village_id=ds.villages["village_id"].astype(str))[
        ["village_id", "name_vi", "craft_id", "district_code", "commune_code", "recognition"]
    ]
    table = villages.merge(components, on="village_id", how="inner", validate="one_to_one")
    table["counts"] = table["effective"]
    table = table.drop(columns=["year"])
    return table.sort_values(["district_code", "commune_code", "village_id"]).reset_index(drop=True)


def environment_footnote(lang: str = "vi") -> str:
    """The footnote every report that uses the environmental conditions prints: they are
    reduced to the columns of ``environment_required`` (``decree52.yaml``), with the source and
    whether the reduction is verified."""
    if lang not in ("vi", "en"):
        raise ValueError(f"unknown language {lang!r}; use vi or en")
    reduction = reference.read_yaml("decree52.yaml")["craft_village"]["environment_reduction"]
    return str(reduction[f"footnote_{lang}"])
