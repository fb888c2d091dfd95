"""Synthetic national-scale data set (benchmarks): about 5,400 villages in 34 synthetic provinces.

Same tables and columns as the province set (``analysis.data.sample``), with made-up codes that
``analysis.data.places`` does not know: province ``P07``, district ``P07D012``, former commune
``P07D012X05``, 2025 commune ``P07X0034``. ``dataset.yaml`` carries ``scale: national``, so the
store skips the checks against Lạng Sơn's places, and the indicator engine names these places by
their code (its top level, the whole set, is ``VN``). Everything is drawn with NumPy arrays at
once (no loop over villages), from one generator seeded by ``options.seed``: the same options
give the same tables. Every value is SYNTHETIC.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.config import BASELINE_YEAR
from analysis.data import reference
from analysis.data.sample.province import SampleOptions

N_PROVINCES = 34
N_VILLAGES = 5_400
N_CRAFTS = 150
OLD_COMMUNES_PER_DISTRICT = 8
RECOGNISED_SHARE = 0.37  # about 1,975 of some 5,400 craft villages (Decision 801 context)


def _codes(prefix: str, numbers: np.ndarray, width: int) -> pd.Series:
    """``prefix`` followed by zero-padded numbers, as text."""
    return prefix + pd.Series(numbers).astype(str).str.zfill(width)


def _dates(rng: np.random.Generator, years: np.ndarray) -> pd.Series:
    """A random day (1-28) of a random month of each year."""
    months = rng.integers(1, 13, size=len(years))
    days = rng.integers(1, 29, size=len(years))
    return pd.to_datetime(pd.DataFrame({"year": years, "month": months, "day": days}))


def _places(rng: np.random.Generator) -> pd.DataFrame:
    """Province, district, former commune and 2025 commune of each village."""
    districts = rng.integers(12, 31, size=N_PROVINCES)
    new_communes = rng.integers(60, 141, size=N_PROVINCES)
    weights = rng.uniform(0.5, 1.5, size=N_PROVINCES)
    per_province = rng.multinomial(N_VILLAGES, weights / weights.sum())
    province = np.repeat(np.arange(N_PROVINCES), per_province)
    district = (rng.random(N_VILLAGES) * districts[province]).astype(int)
    old = rng.integers(0, OLD_COMMUNES_PER_DISTRICT, size=N_VILLAGES)
    slots = districts[province] * OLD_COMMUNES_PER_DISTRICT
    new = (district * OLD_COMMUNES_PER_DISTRICT + old) * new_communes[province] // slots
    province_code = _codes("P", province + 1, 2)
    district_code = province_code + _codes("D", district + 1, 3)
    return pd.DataFrame(
        {
            "province_code": province_code,
            "district_code": district_code,
            "old_commune_code": district_code + _codes("X", old + 1, 2),
            "commune_code": province_code + _codes("X", new + 1, 4),
        }
    )


def _crafts(rng: np.random.Generator, last_year: int) -> pd.DataFrame:
    number = np.arange(1, N_CRAFTS + 1)
    traditional = rng.random(N_CRAFTS) < 0.7
    since = np.where(
        traditional, rng.integers(1800, 1971, N_CRAFTS), rng.integers(1975, 2016, N_CRAFTS)
    )
    recognised = traditional & (rng.random(N_CRAFTS) < 0.3)
    rec_year = rng.integers(2008, last_year + 1, N_CRAFTS)
    # Decree 52, Art. 5: only a craft older than 50 years can be recognised as traditional.
    recognised &= rec_year - since > 50
    dates = _dates(rng, rec_year).where(recognised)
    decisions = _codes("", rng.integers(100, 2500, N_CRAFTS), 3) + "/QĐ-UBND"
    return pd.DataFrame(
        {
            "craft_id": _codes("C", number, 3),
            "name_vi": _codes("Nghề giả lập ", number, 3),
            "name_en": _codes("Synthetic craft ", number, 3),
            "rural_group": rng.integers(1, 8, N_CRAFTS),
            "is_traditional": traditional,
            "since_year": pd.array(since, dtype="Int64"),
            "at_risk": traditional & (rng.random(N_CRAFTS) < 0.15),
            "recognition_decision": decisions.where(recognised),
            "recognition_date": dates,
        }
    )


def _optional_years(
    rng: np.random.Generator, share: float, low: int, high: int, mask: np.ndarray | None = None
) -> pd.arrays.IntegerArray:
    """A year drawn in [low, high] for a ``share`` of villages (within ``mask``), else missing."""
    chosen = rng.random(N_VILLAGES) < share
    if mask is not None:
        chosen &= mask
    years = rng.integers(low, high + 1, N_VILLAGES)
    return pd.array(pd.Series(years).where(chosen), dtype="Int64")


def _villages(rng: np.random.Generator, crafts: pd.DataFrame, last_year: int) -> pd.DataFrame:
    places = _places(rng)
    number = np.arange(1, N_VILLAGES + 1)
    craft = rng.integers(0, N_CRAFTS, N_VILLAGES)
    craft_traditional = crafts["is_traditional"].to_numpy()[craft]
    recognised = rng.random(N_VILLAGES) < RECOGNISED_SHARE
    kind = np.where(
        craft_traditional & (rng.random(N_VILLAGES) < 0.5), "lang_nghe_truyen_thong", "lang_nghe"
    )
    rec_year = rng.integers(2008, last_year + 1, N_VILLAGES)
    dates = _dates(rng, rec_year).where(recognised)
    regime = np.where(dates < pd.Timestamp("2018-06-01"), "66/2006", "52/2018")
    # A traditional craft village needs its traditional craft recognised by then (Decree 52,
    # Art. 5): otherwise the village is recognised as a craft village.
    craft_date = crafts["recognition_date"].to_numpy()[craft]
    kind = np.where(craft_date <= dates.to_numpy(), kind, "lang_nghe")
    at_risk = crafts["at_risk"].to_numpy()[craft]
    trademark = rng.choice(["none", "collective", "gi"], size=N_VILLAGES, p=[0.8, 0.12, 0.08])
    decisions = _codes("", rng.integers(100, 2500, N_VILLAGES), 3) + "/QĐ-UBND"
    return pd.DataFrame(
        {
            "village_id": _codes("V", number, 5),
            "name_vi": _codes("Thôn giả lập ", number, 5),
            "craft_id": crafts["craft_id"].to_numpy()[craft],
            "district_code": places["district_code"],
            "old_commune_code": places["old_commune_code"],
            "commune_code": places["commune_code"],
            "recognition": np.where(recognised, kind, "none"),
            "recognition_decision": decisions.where(recognised),
            "recognition_date": dates,
            "recognition_regime": pd.Series(regime).where(recognised),
            "withdrawal_year": pd.array([None] * N_VILLAGES, dtype="Int64"),
            "withdrawal_decision": pd.Series([None] * N_VILLAGES, dtype=object),
            "tourism_since": _optional_years(rng, 0.06, 2015, last_year),
            "trademark": trademark,
            "trademark_since": _optional_years(rng, 1.0, 2010, last_year, trademark != "none"),
            "restored_year": _optional_years(rng, 0.03, 2021, last_year, at_risk),
            "lat": np.nan,
            "lon": np.nan,
        }
    )


def _village_year(
    rng: np.random.Generator, villages: pd.DataFrame, years: list[int]
) -> pd.DataFrame:
    """Yearly figures of every village from the 2020 baseline, as (village x year) arrays."""
    all_years = np.array([BASELINE_YEAR, *years])
    n, t = N_VILLAGES, len(all_years)
    step = np.arange(t)[None, :]
    rec_year = villages["recognition_date"].dt.year.to_numpy(dtype=float)
    recognised = rec_year[:, None] <= all_years[None, :]
    ever = ~np.isnan(rec_year)

    total = np.round(rng.uniform(40, 400, (n, 1)) * 1.01**step)
    start = np.where(ever, rng.uniform(0.22, 0.95, n), rng.uniform(0.05, 0.8, n))[:, None]
    trend = rng.normal(0.01, 0.01, (n, 1))
    share = np.clip(start + trend * step + rng.normal(0, 0.01, (n, t)), 0.02, 1.0)
    craft = np.round(total * share)
    workers = np.round(craft * rng.uniform(1.5, 2.5, (n, t)))
    trained = np.round(workers * np.clip(rng.uniform(0.2, 0.6, (n, 1)) + 0.04 * step, 0, 1))
    facilities = craft + rng.integers(0, 4, (n, t))
    compliance = np.clip(rng.uniform(0.5, 0.9, (n, 1)) + 0.03 * step + 0.08 * recognised, 0, 1)
    compliant = np.minimum(facilities, np.round(facilities * compliance))
    env_plan = recognised | (rng.random((n, t)) < 0.3 + 0.03 * step)
    env_group = recognised | (rng.random((n, t)) < 0.2 + 0.03 * step)
    growth = rng.normal(0.06, 0.05, (n, 1))
    revenue = np.round(
        rng.uniform(500, 20000, (n, 1)) * (1 + growth) ** step * rng.uniform(0.95, 1.05, (n, t)), 1
    )
    income = np.round(rng.uniform(3, 7, (n, 1)) * 1.05**step * rng.uniform(0.97, 1.03, (n, t)), 2)
    ocop_from = np.where(rng.random(n) < 0.15, rng.integers(2019, all_years[-1] + 1, n), 9999)
    has_ocop = all_years[None, :] >= ocop_from[:, None]
    stars = rng.choice([3, 4, 5], size=(n, 1), p=[0.6, 0.3, 0.1])
    for values in (revenue, income, trained):  # a few holes, as real submissions have
        values[rng.random((n, t)) < 0.01] = np.nan

    def flat(values: np.ndarray) -> np.ndarray:
        return values.reshape(-1)

    frame = pd.DataFrame(
        {
            "village_id": np.repeat(villages["village_id"].to_numpy(), t),
            "year": np.tile(all_years, n),
            "households_total": pd.array(flat(total), dtype="Int64"),
            "households_craft": pd.array(flat(craft), dtype="Int64"),
            "workers_regular": pd.array(flat(workers), dtype="Int64"),
            "workers_trained": pd.array(pd.Series(flat(trained)), dtype="Int64"),
            "facilities": pd.array(flat(facilities), dtype="Int64"),
            "facilities_compliant": pd.array(flat(compliant), dtype="Int64"),
            "env_plan": pd.array(flat(env_plan), dtype="boolean"),
            "env_group": pd.array(flat(env_group), dtype="boolean"),
            "revenue_mvnd": flat(revenue),
            "income_mvnd_month": flat(income),
            "ocop_products": pd.array(flat(has_ocop * rng.integers(1, 3, (n, t))), dtype="Int64"),
            "ocop_max_stars": pd.array(flat(np.where(has_ocop, stars, 0)), dtype="Int64"),
        }
    )
    return frame


def _missing_units(
    rng: np.random.Generator, villages: pd.DataFrame, years: list[int]
) -> pd.DataFrame:
    """District-years whose report never came (about 1% before the 2025 reform)."""
    calendar = reference.read_yaml("reporting.yaml")
    early = [y for y in years if y < int(calendar["commune_reporting_from_year"])]
    districts = np.sort(villages["district_code"].unique())
    grid = pd.DataFrame(
        {
            "unit_code": np.repeat(districts, len(early)),
            "year": np.tile(np.asarray(early, dtype=int), len(districts)),
        }
    )
    return grid[rng.random(len(grid)) < 0.01].reset_index(drop=True)


def _district_crafts(
    rng: np.random.Generator, villages: pd.DataFrame, years: list[int]
) -> pd.DataFrame:
    """Commodity crafts per district: up to five of the crafts its villages practise."""
    pairs = villages[["district_code", "craft_id"]].drop_duplicates()
    pairs = pairs.assign(order=rng.random(len(pairs))).sort_values(["district_code", "order"])
    rank = pairs.groupby("district_code").cumcount()
    keep = np.minimum(rng.poisson(2.2, pairs["district_code"].nunique()), 5)
    wanted = pd.Series(keep, index=np.sort(pairs["district_code"].unique()))
    pairs = pairs[rank.to_numpy() < pairs["district_code"].map(wanted).to_numpy()]
    first = rng.integers(2018, years[-1] + 1, len(pairs))
    year_array = np.asarray(years, dtype=int)
    expanded = pairs.loc[pairs.index.repeat(len(years)), ["district_code", "craft_id"]]
    expanded["year"] = np.tile(year_array, len(pairs))
    expanded = expanded[expanded["year"].to_numpy() >= np.repeat(first, len(years))]
    expanded["product_vi"] = "Sản phẩm giả lập " + expanded["craft_id"]
    return expanded[["district_code", "year", "craft_id", "product_vi"]].reset_index(drop=True)


def _submissions(
    rng: np.random.Generator, villages: pd.DataFrame, years: list[int], missing: pd.DataFrame
) -> pd.DataFrame:
    calendar = reference.read_yaml("reporting.yaml")
    from_year = int(calendar["commune_reporting_from_year"])
    frames = []
    for level, column, in_years in (
        ("district", "district_code", [y for y in years if y < from_year]),
        ("commune", "commune_code", [y for y in years if y >= from_year]),
    ):
        units = np.sort(villages[column].unique())
        frames.append(
            pd.DataFrame(
                {
                    "unit_code": np.repeat(units, len(in_years)),
                    "unit_level": level,
                    "year": np.tile(np.asarray(in_years, dtype=int), len(units)),
                }
            )
        )
    units = pd.concat(frames, ignore_index=True)
    gone = units.set_index(["unit_code", "year"]).index.isin(
        missing.set_index(["unit_code", "year"]).index
    )
    units = units[~gone].reset_index(drop=True)
    deadline = pd.to_datetime(
        pd.DataFrame(
            {
                "year": units["year"],
                "month": int(calendar["deadline_month"]),
                "day": int(calendar["deadline_day"]),
            }
        )
    )
    late = rng.random(len(units)) < 0.05
    shift = np.where(late, rng.integers(1, 61, len(units)), -rng.integers(1, 21, len(units)))
    units["received_on"] = deadline + pd.to_timedelta(shift, unit="D")
    units["file_name"] = "bao-cao-" + units["unit_code"] + "-" + units["year"].astype(str) + ".xlsx"
    units["file_sha256"] = None
    return units


def _activities(rng: np.random.Generator, submissions: pd.DataFrame) -> pd.DataFrame:
    groups = np.array(list(reference.code_list("task_group")))
    sources = np.array(list(reference.code_list("funding_source")))
    count = rng.integers(1, 4, len(submissions))
    rows = submissions.loc[submissions.index.repeat(count), ["unit_code", "year"]]
    n = len(rows)
    group = groups[rng.integers(0, len(groups), n)]
    planned = rng.choice([50.0, 80.0, 120.0, 200.0, 300.0, 500.0], n)
    return pd.DataFrame(
        {
            "unit_code": rows["unit_code"].to_numpy(),
            "year": rows["year"].to_numpy(),
            "task_group": group,
            "funding_source": rng.choice(sources, n, p=[0.2, 0.4, 0.3, 0.1]),
            "planned_mvnd": planned,
            "disbursed_mvnd": np.round(planned * rng.uniform(0.4, 1.0, n), 1),
            "trainees": pd.array(
                np.where(group == "training", rng.integers(10, 60, n), 0), dtype="Int64"
            ),
            "trade_fairs": pd.array(
                np.where(group == "trade_promotion", rng.integers(1, 4, n), 0), dtype="Int64"
            ),
            "trademarks_registered": pd.array(
                ((group == "trademark") & (rng.random(n) < 0.4)).astype(int), dtype="Int64"
            ),
            "note_vi": None,
        }
    )


def generate_national(options: SampleOptions) -> dict[str, pd.DataFrame]:
    """All tables of the data model at national scale for ``options.years`` plus the 2020
    baseline (same options, same tables)."""
    rng = np.random.default_rng(options.seed)
    years = options.years
    crafts = _crafts(rng, years[-1])
    villages = _villages(rng, crafts, years[-1])
    village_year = _village_year(rng, villages, years)
    missing = _missing_units(rng, villages, years)
    gone = pd.MultiIndex.from_arrays(
        [
            village_year["village_id"].map(villages.set_index("village_id")["district_code"]),
            village_year["year"],
        ]
    ).isin(missing.set_index(["unit_code", "year"]).index)
    village_year = village_year[~gone].reset_index(drop=True)
    submissions = _submissions(rng, villages, years, missing)
    return {
        "crafts": crafts,
        "villages": villages,
        "village_year": village_year,
        "district_crafts": _district_crafts(rng, villages, years),
        "activities": _activities(rng, submissions),
        "submissions": submissions,
    }
