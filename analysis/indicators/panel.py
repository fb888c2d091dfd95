"""The village-year panel the indicators are summed from: one row per village and year with
the village's attributes (recognition, its lawfulness and withdrawal, tourism, trademark,
restoration, craft) and the year's figures.

Which recognitions and restorations count is decided by the rule catalogue
(``analysis.data.rules``), the same predicates validation rejects data with.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.core.config import BASELINE_YEAR, PROGRAMME_START
from analysis.data.rules import lawful_village_recognition, restoration_allowed, year_of
from analysis.data.schemas import village_year_values
from analysis.data.store import Dataset


def reporting_years(ds: Dataset) -> list[int]:
    """Reporting years in the data: every year from 2021 found in ``village_year`` or
    ``district_crafts`` (2020 is the baseline, not a reporting year)."""
    found = pd.concat([ds.village_year["year"], ds.district_crafts["year"]]).astype(int)
    return sorted(int(y) for y in found.unique() if y >= PROGRAMME_START)


def _year_of(series: pd.Series) -> pd.Series:
    """Year of a date column, or the column itself when it already holds years (float)."""
    return year_of(series)


def _float(series: pd.Series) -> np.ndarray:
    """Numbers (nullable counts, booleans) as float64 with NaN for missing."""
    numbers = pd.to_numeric(series.astype(object), errors="coerce")
    return numbers.to_numpy(dtype=float, na_value=np.nan)


def _village_attributes(ds: Dataset) -> pd.DataFrame:
    """Per-village attributes used by the indicators, with plain dtypes."""
    v = ds.villages
    crafts = ds.crafts.set_index(ds.crafts["craft_id"].astype(str))
    craft = v["craft_id"].astype(str)
    withdrawn = v["withdrawal_year"] if "withdrawal_year" in v else pd.Series(np.nan, v.index)
    return pd.DataFrame(
        {
            "village_id": v["village_id"].astype(str).to_numpy(),
            "district_code": v["district_code"].astype(str).to_numpy(),
            "commune_code": v["commune_code"].astype(str).to_numpy(),
            "recognition": v["recognition"].astype(str).to_numpy(),
            "recognition_regime": v["recognition_regime"].astype(object).to_numpy(),
            "recognised_year": _year_of(v["recognition_date"]).to_numpy(),
            "withdrawn_year": _float(withdrawn),
            "lawful": lawful_village_recognition(v, ds.crafts).to_numpy(),
            "restoration_allowed": restoration_allowed(v, ds.crafts).to_numpy(),
            "tourism_since": _float(v["tourism_since"]),
            "trademark": v["trademark"].astype(str).to_numpy(),
            "trademark_since": _float(v["trademark_since"]),
            "restored_year": _float(v["restored_year"]),
            "craft_id": craft.to_numpy(),
            "craft_since": _float(craft.map(crafts["since_year"]).astype(object)),
            "craft_traditional": craft.map(crafts["is_traditional"])
            .astype(object)
            .eq(True)
            .to_numpy(),
            "craft_recognised_year": _year_of(craft.map(crafts["recognition_date"])).to_numpy(),
        }
    )


def _village_year_values(ds: Dataset) -> pd.DataFrame:
    """``village_year`` with every measure as float64 (NaN for missing)."""
    vy = ds.village_year
    out = {
        "village_id": vy["village_id"].astype(str).to_numpy(),
        "year": vy["year"].astype(int).to_numpy(),
    }
    for column in village_year_values():
        out[column] = _float(vy[column])
    return pd.DataFrame(out)


def village_panel(ds: Dataset, years: Sequence[int]) -> pd.DataFrame:
    """One row per village and year: its attributes, the year's figures, the previous year's
    revenue and income (``revenue_prev``, ``income_prev``), the 2020 income (``income_base``)
    and ``reported`` (1 if the village sent figures for the year). ``year_in_data`` is False
    for a year without any figures in the whole data set."""
    attrs = _village_attributes(ds)
    year_array = np.asarray(sorted({int(y) for y in years}), dtype=int)
    n_years = len(year_array)
    panel = attrs.iloc[np.repeat(np.arange(len(attrs)), n_years)].reset_index(drop=True)
    panel["year"] = np.tile(year_array, len(attrs))
    values = _village_year_values(ds)
    measures = [c for c in values.columns if c not in ("village_id", "year")]
    current = values.assign(reported=1.0)
    previous = (
        values[["village_id", "year", "revenue_mvnd", "income_mvnd_month"]]
        .assign(year=values["year"] + 1)
        .rename(columns={"revenue_mvnd": "revenue_prev", "income_mvnd_month": "income_prev"})
    )
    baseline = values.loc[
        values["year"] == BASELINE_YEAR, ["village_id", "income_mvnd_month"]
    ].rename(columns={"income_mvnd_month": "income_base"})
    panel = (
        panel.merge(current, on=["village_id", "year"], how="left", validate="one_to_one")
        .merge(previous, on=["village_id", "year"], how="left", validate="one_to_one")
        .merge(baseline, on="village_id", how="left", validate="many_to_one")
    )
    panel["reported"] = panel["reported"].fillna(0.0)
    panel["year_in_data"] = np.isin(panel["year"].to_numpy(), values["year"].unique())
    panel[measures] = panel[measures].astype(float)
    return panel


def recognised(panel: pd.DataFrame) -> np.ndarray:
    """Recognised (any type, any regime) by the end of the panel year, by a recognition the
    law allows (``analysis.data.rules``), and not withdrawn by then: a village whose
    recognition is withdrawn counts out from the withdrawal year on."""
    withdrawn = panel["withdrawn_year"].le(panel["year"])
    return (
        panel["recognition"].ne("none")
        & panel["recognised_year"].le(panel["year"])
        & panel["lawful"].astype(bool)
        & ~withdrawn
    ).to_numpy()
