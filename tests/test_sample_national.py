"""National-scale synthetic set (benchmarks): deterministic, the right shape, valid, usable."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.data.sample import SampleOptions, generate, write_tables
from analysis.data.sample.national import N_PROVINCES, N_VILLAGES, generate_national
from analysis.data.store import Dataset, validate_raw
from analysis.indicators.compute import NATIONAL_PLACE, compute_indicators

OPTIONS = SampleOptions(seed=11, first_year=2021, last_year=2030, scale="national")


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return generate(OPTIONS)


def test_same_seed_same_tables(tables) -> None:
    again = generate_national(OPTIONS)
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(frame, again[name])


def test_other_seed_other_tables(tables) -> None:
    other = generate_national(
        SampleOptions(seed=12, first_year=2021, last_year=2030, scale="national")
    )
    assert not other["village_year"]["revenue_mvnd"].equals(tables["village_year"]["revenue_mvnd"])


def test_shape(tables) -> None:
    villages, vy = tables["villages"], tables["village_year"]
    assert len(villages) == N_VILLAGES == 5_400
    assert villages["district_code"].str[:3].nunique() == N_PROVINCES == 34
    assert villages["district_code"].str.fullmatch(r"P\d{2}D\d{3}").all()
    assert villages["commune_code"].str.fullmatch(r"P\d{2}X\d{4}").all()
    # 2020 baseline plus ten reporting years; a few district-years never reported.
    assert sorted(vy["year"].unique()) == list(range(2020, 2031))
    assert 0.97 * N_VILLAGES * 11 < len(vy) <= N_VILLAGES * 11
    recognised = villages["recognition"].ne("none").mean()
    assert 0.3 < recognised < 0.45


def test_respects_the_years() -> None:
    small = generate_national(
        SampleOptions(seed=1, first_year=2021, last_year=2023, scale="national")
    )
    assert sorted(small["village_year"]["year"].unique()) == [2020, 2021, 2022, 2023]
    assert small["district_crafts"]["year"].between(2021, 2023).all()
    assert small["villages"]["recognition_date"].dt.year.max() <= 2023


def test_passes_store_validation(tables, tmp_path: Path) -> None:
    write_tables(tables, tmp_path, OPTIONS)
    validated, info = validate_raw(tmp_path)
    assert info["scale"] == "national" and info["synthetic"] is True
    assert len(validated["villages"]) == N_VILLAGES


def test_indicator_engine_runs_on_it(tables) -> None:
    ds = Dataset(tables=tables, info={"synthetic": True, "scale": "national"})
    result = compute_indicators(ds, [2029, 2030])
    top = result[result["place_level"] == "province"]
    assert set(top["place_id"]) == {NATIONAL_PLACE}
    districts = result.loc[result["place_level"] == "district", "place_id"]
    assert districts.str.fullmatch(r"P\d{2}D\d{3}").all()
    # T2 at the top: areas with 3 or more commodity crafts (the 2030 target) out of all areas.
    t2 = top[(top["indicator_id"] == "T2") & (top["year"] == 2030)].iloc[0]
    assert t2["denominator"] == tables["villages"]["district_code"].nunique()
    assert 0 < t2["value"] < t2["denominator"]
