"""Who must report for a year, by when, and whether each unit did: on time, late or missing."""

from __future__ import annotations

from datetime import date

import pandas as pd

from analysis.data import reference


def deadline(year: int) -> date:
    """Deadline of the yearly report for ``year`` (``data/reference/reporting.yaml``)."""
    calendar = reference.read_yaml("reporting.yaml")
    return date(year, int(calendar["deadline_month"]), int(calendar["deadline_day"]))


def commune_reporting_from() -> int:
    """First reporting year sent by the 2025 communes instead of the districts."""
    return int(reference.read_yaml("reporting.yaml")["commune_reporting_from_year"])


def reporting_units(villages: pd.DataFrame, year: int) -> pd.DataFrame:
    """Units expected to report for ``year``: the districts before the reform; after it, the
    2025 communes that have craft villages. Columns ``unit_code``, ``unit_level``, ``district_code``
    (the former district-level area a commune's villages lie in; one row per pair)."""
    if year >= commune_reporting_from():
        pairs = villages[["commune_code", "district_code"]].drop_duplicates()
        pairs = pairs.rename(columns={"commune_code": "unit_code"}).sort_values(
            ["unit_code", "district_code"]
        )
        return pairs.assign(unit_level="commune")[["unit_code", "unit_level", "district_code"]]
    codes = sorted(reference.districts()["code"])
    return pd.DataFrame({"unit_code": codes, "unit_level": "district", "district_code": codes})


def submission_status(villages: pd.DataFrame, submissions: pd.DataFrame, year: int) -> pd.DataFrame:
    """Each expected unit's submission for ``year``: received date, days late, status.

    ``status`` is ``on_time``, ``late`` or ``missing``; ``days_late`` is 0 when on time.
    """
    expected = reporting_units(villages, year)
    got = submissions.loc[submissions["year"] == year, ["unit_code", "received_on"]]
    table = expected.merge(got, on="unit_code", how="left")
    due = pd.Timestamp(deadline(year))
    table["deadline"] = due
    late_days = (table["received_on"] - due).dt.days
    table["days_late"] = late_days.clip(lower=0).astype("Int64")
    table["status"] = "on_time"
    table.loc[late_days > 0, "status"] = "late"
    table.loc[table["received_on"].isna(), "status"] = "missing"
    table["year"] = year
    return table.reset_index(drop=True)
