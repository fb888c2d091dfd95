"""Indicator engine: every indicator on a tiny hand-written data set whose expected values were
worked out by hand (in the comments), plus property tests on random small data sets."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from indicator_fixtures import (
    CAO_LOC,
    QUOC_KHANH,
    TAN_TIEN,
    TRANG_DINH,
    make_dataset,
)

from analysis.data import reference
from analysis.data.schemas import table_specs
from analysis.indicators.compute import (
    INDICATOR_COLUMNS,
    NATIONAL_PLACE,
    compute_indicators,
    effectiveness_components,
    indicator_places,
    reporting_years,
)

PROVINCE = "tinh-lang-son"

# Four villages, 2020 (baseline) to 2023.
#   VA Cao Lộc / xã Công Sơn, RUOU, craft village recognised 2022 (Decree 52: 20%), tourism
#      2023, collective trademark since 2019.
#   VB Cao Lộc / xã Công Sơn, OLD, traditional craft village recognised 2016 under Decree 66
#      (30%), its at-risk traditional craft (OLD, recognised 2014) restored 2023.
#   VC Tràng Định / xã Quốc Khánh, NGOI, not recognised, tourism 2020 (before the programme),
#      its at-risk craft restored 2021.
#   VD Tràng Định / xã Tân Tiến, MOC, not recognised, sent nothing for 2023.
# Crafts: RUOU recognised as traditional 2022 (counts in T3), OLD recognised 2014 (does not).
# Every recognition and restoration is one the law allows (test_fixture_obeys_the_rules).
VILLAGES = [
    {
        "village_id": "VA",
        "recognition": "lang_nghe",
        "recognised": 2022,
        "recognition_regime": "52/2018",
        "tourism_since": 2023,
        "trademark": "collective",
        "trademark_since": 2019,
    },
    {
        "village_id": "VB",
        "craft_id": "OLD",
        "recognition": "lang_nghe_truyen_thong",
        "recognised": 2016,
        "recognition_regime": "66/2006",
        "restored_year": 2023,
    },
    {
        "village_id": "VC",
        "craft_id": "NGOI",
        "district_code": TRANG_DINH,
        "commune_code": QUOC_KHANH,
        "tourism_since": 2020,
        "restored_year": 2021,
    },
    {"village_id": "VD", "craft_id": "MOC", "district_code": TRANG_DINH, "commune_code": TAN_TIEN},
]


def _vy(village: str, year: int, ht, hc, wr, wt, fac, fc, plan, group, rev, inc, ocop=0):
    return {
        "village_id": village,
        "year": year,
        "households_total": ht,
        "households_craft": hc,
        "workers_regular": wr,
        "workers_trained": wt,
        "facilities": fac,
        "facilities_compliant": fc,
        "env_plan": plan,
        "env_group": group,
        "revenue_mvnd": rev,
        "income_mvnd_month": inc,
        "ocop_products": ocop,
    }


VILLAGE_YEAR = [
    _vy("VA", 2020, 100, 40, 60, 30, 40, 30, True, True, 1000.0, 5.0),
    _vy("VA", 2021, 100, 45, 70, 35, 45, 36, True, True, 1100.0, 5.5),
    _vy("VA", 2022, 100, 50, 80, 40, 50, 45, True, True, 1000.0, 6.0, 1),
    _vy("VA", 2023, 100, 50, 80, 60, 50, 50, True, False, 1200.0, 5.0, 1),
    _vy("VB", 2020, 200, 80, 100, 20, 80, 40, True, True, 2000.0, 4.0),
    _vy("VB", 2021, 200, 70, 100, 30, 70, 35, True, True, 2000.0, 4.0, 2),
    _vy("VB", 2022, 200, 50, 90, 45, 60, 60, True, True, 1950.0, 4.4, 2),
    _vy("VB", 2023, 200, 64, 100, None, 64, 48, True, True, None, 4.4, 0),
    _vy("VC", 2020, 50, 5, 10, 0, 5, 2, False, False, 100.0, 3.0),
    _vy("VC", 2021, 50, 10, 20, 10, 10, 5, False, False, 150.0, 3.3),
    _vy("VC", 2022, 50, 12, 20, 10, 12, 6, True, False, 160.0, 3.3),
    _vy("VC", 2023, 50, 15, 30, 15, 15, 10, True, True, 200.0, 3.6),
    _vy("VD", 2020, 80, 20, 40, 20, 20, 10, False, False, 400.0, 4.0),
    _vy("VD", 2021, 80, 20, 40, 20, 20, 10, False, False, 400.0, 4.0),
    _vy("VD", 2022, 80, 24, 40, 24, 24, 12, False, False, 440.0, 4.2),
]
CRAFTS = [
    {"craft_id": "RUOU", "since_year": 1930, "recognised": 2022},
    {"craft_id": "MOC", "is_traditional": False, "since_year": 2000},
    {"craft_id": "OLD", "since_year": 1900, "recognised": 2014, "at_risk": True},
    {"craft_id": "NGOI", "since_year": 1900, "at_risk": True},
]
DISTRICT_CRAFTS = [
    (CAO_LOC, 2021, "RUOU"),
    (CAO_LOC, 2022, "RUOU"),
    (CAO_LOC, 2022, "MOC"),
    (CAO_LOC, 2023, "RUOU"),
    (CAO_LOC, 2023, "MOC"),
    (CAO_LOC, 2023, "OLD"),
    (TRANG_DINH, 2021, "MOC"),
    (TRANG_DINH, 2022, "MOC"),
]


@pytest.fixture(scope="module")
def dataset():
    return make_dataset(VILLAGES, VILLAGE_YEAR, CRAFTS, DISTRICT_CRAFTS)


@pytest.fixture(scope="module")
def result(dataset) -> pd.DataFrame:
    return compute_indicators(dataset)


def series(result: pd.DataFrame, indicator: str, place: str, column: str = "value") -> list:
    rows = result[(result["indicator_id"] == indicator) & (result["place_id"] == place)]
    return rows.sort_values("year")[column].tolist()


def approx(values: list[float]) -> object:
    return pytest.approx(values, abs=1e-9, nan_ok=True)


def test_fixture_matches_the_schemas(dataset) -> None:
    for name in ("crafts", "villages", "village_year", "district_crafts"):
        table_specs()[name].schema.validate(dataset.tables[name])


def test_columns_years_and_places(result) -> None:
    assert tuple(result.columns) == INDICATOR_COLUMNS
    # Reporting years: 2021..2023 (2020 is the baseline).
    assert sorted(result["year"].unique()) == [2021, 2022, 2023]
    levels = result.drop_duplicates("place_id")["place_level"].value_counts()
    assert levels.to_dict() == {"commune": 65, "district": 11, "province": 1}
    assert {"cao-loc", "trang-dinh", "xa-cong-son", "xa-quoc-khanh", PROVINCE} <= set(
        result["place_id"]
    )
    # One row per indicator, place and year.
    assert not result.duplicated(["indicator_id", "place_id", "year"]).any()
    assert set(result["indicator_id"]) == set(reference.indicators()["id"])


def test_t1_restored_cumulative_since_2021(result) -> None:
    # C restored 2021, B restored 2023.
    assert series(result, "T1", PROVINCE) == [1, 1, 2]
    assert series(result, "T1", "cao-loc") == [0, 0, 1]
    assert series(result, "T1", "trang-dinh") == [1, 1, 1]
    assert series(result, "T1", "xa-tan-tien") == [0, 0, 0]
    assert series(result, "T1", PROVINCE, "unit") == ["count"] * 3


def test_t2_commodity_crafts_per_area_and_areas_reaching_target(result) -> None:
    # Cao Lộc: 1, 2, 3 crafts; Tràng Định: 1, 1, then no rows in 2023 (0).
    assert series(result, "T2", "cao-loc") == [1, 2, 3]
    assert series(result, "T2", "trang-dinh") == [1, 1, 0]
    assert series(result, "T2", "huu-lung") == [0, 0, 0]
    # Province: areas with >= 2 crafts (the 2025 target applies up to 2025), out of 11.
    assert series(result, "T2", PROVINCE) == [0, 1, 1]
    assert series(result, "T2", PROVINCE, "denominator") == [11, 11, 11]
    assert not (result["indicator_id"].eq("T2") & result["place_level"].eq("commune")).any()


def test_t2_uses_the_2030_target_after_2025() -> None:
    # One area with 2 crafts in 2025 and 2026: it reaches the 2025 target (2), not 2030's (3).
    ds = make_dataset(
        [{"village_id": "VA"}],
        [{"village_id": "VA", "year": 2025}, {"village_id": "VA", "year": 2026}],
        district_crafts=[
            (CAO_LOC, 2025, "RUOU"),
            (CAO_LOC, 2025, "MOC"),
            (CAO_LOC, 2026, "RUOU"),
            (CAO_LOC, 2026, "MOC"),
        ],
    )
    result = compute_indicators(ds)
    assert series(result, "T2", PROVINCE) == [1, 0]


def test_t3_newly_recognised_villages_and_crafts(result) -> None:
    # Village A (2022) + craft RUOU (2022); B (2016) and craft OLD (2019) predate 2021.
    assert series(result, "T3", PROVINCE) == [0, 2, 2]
    # Crafts are not tied to one place: districts and communes count villages only.
    assert series(result, "T3", "cao-loc") == [0, 1, 1]
    assert series(result, "T3", "xa-cong-son") == [0, 1, 1]
    assert series(result, "T3", "trang-dinh") == [0, 0, 0]


def test_t4_tourism_cumulative_since_2021(result) -> None:
    # A from 2023; C's link dates from 2020, before the programme.
    assert series(result, "T4", PROVINCE) == [0, 0, 1]
    assert series(result, "T4", "trang-dinh") == [0, 0, 0]


def test_t5_effective_share_with_components(result, dataset) -> None:
    # 2021: B only (35% >= 30%, environment ok, revenue flat, income flat): 1/1.
    # 2022: A revenue 1000 < 0.95 x 1100; B 25% < 30% (Decree 66): 0/2.
    # 2023: A lacks the environmental group (and income fell); B meets the criteria and income
    #       is flat but its revenue is missing: unknown, left out: 0/1 (1 of 2 reported).
    assert series(result, "T5", PROVINCE) == approx([100.0, 0.0, 0.0])
    assert series(result, "T5", PROVINCE, "numerator") == [1, 0, 0]
    assert series(result, "T5", PROVINCE, "denominator") == [1, 2, 1]
    assert series(result, "T5", PROVINCE, "n_expected") == [1, 2, 2]
    assert series(result, "T5", PROVINCE, "n_reported") == [1, 2, 1]
    # No recognised village in Tràng Định: no denominator, no value (not 0).
    assert all(math.isnan(v) for v in series(result, "T5", "trang-dinh"))

    comp = effectiveness_components(dataset).set_index(["village_id", "year"])
    assert list(comp.index) == [
        ("VB", 2021),
        ("VA", 2022),
        ("VB", 2022),
        ("VA", 2023),
        ("VB", 2023),
    ]
    assert not bool(comp.loc[("VA", 2022), "production_stable"])
    assert bool(comp.loc[("VA", 2022), "meets_criteria"])
    assert not bool(comp.loc[("VB", 2022), "meets_criteria"])
    assert comp.loc[("VB", 2022), "min_household_share"] == pytest.approx(0.30)
    assert comp.loc[("VB", 2022), "household_share"] == pytest.approx(0.25)
    assert not bool(comp.loc[("VA", 2023), "income_not_falling"])
    assert pd.isna(comp.loc[("VB", 2023), "production_stable"])
    assert pd.isna(comp.loc[("VB", 2023), "effective"])
    assert bool(comp.loc[("VB", 2021), "effective"])


def test_t6_environmental_compliance_of_recognised_villages(result) -> None:
    # 2021: B 35/70; 2022: (45 + 60)/(50 + 60); 2023: (50 + 48)/(50 + 64).
    assert series(result, "T6", PROVINCE) == approx([50.0, 100 * 105 / 110, 100 * 98 / 114])
    assert series(result, "T6", PROVINCE, "numerator") == [35, 105, 98]
    assert series(result, "T6", PROVINCE, "denominator") == [70, 110, 114]


def test_c1_c2_recognised_villages_and_their_workers(result) -> None:
    assert series(result, "C1", PROVINCE) == [1, 2, 2]
    # Workers of recognised villages: B 100; A 80 + B 90; A 80 + B 100.
    assert series(result, "C2", PROVINCE) == [100, 170, 180]
    # No recognised village in Tràng Định: none of their workers (0, a true zero).
    assert series(result, "C2", "trang-dinh") == [0, 0, 0]


def test_c3_share_trained(result) -> None:
    # 2021: (35+30+10+20)/(70+100+20+40); 2022: (40+45+10+24)/(80+90+20+40);
    # 2023: B's trained missing, D absent: (60+15)/(80+30).
    assert series(result, "C3", PROVINCE) == approx(
        [100 * 95 / 230, 100 * 119 / 230, 100 * 75 / 110]
    )
    assert series(result, "C3", PROVINCE, "n_reported") == [4, 4, 2]
    assert series(result, "C3", "xa-quoc-khanh") == approx([50.0, 50.0, 50.0])


def test_c4_c5_trademark_and_ocop_shares(result) -> None:
    # C4: A has a collective trademark since 2019: 1 of 4 villages; 1 of 2 in Cao Lộc.
    assert series(result, "C4", PROVINCE) == approx([25.0, 25.0, 25.0])
    assert series(result, "C4", "cao-loc") == approx([50.0, 50.0, 50.0])
    assert series(result, "C4", "trang-dinh") == approx([0.0, 0.0, 0.0])
    # C5: B is the only traditional craft village; OCOP products in 2021-2022, none in 2023.
    assert series(result, "C5", PROVINCE) == approx([100.0, 100.0, 0.0])
    assert all(math.isnan(v) for v in series(result, "C5", "trang-dinh"))


def test_c6_growth_of_production_value(result) -> None:
    # Same villages both years: 2021 (100+0+50+0)/3500; 2022 (-100-50+10+40)/3650;
    # 2023 (B revenue missing, D absent): (200+40)/(1000+160).
    assert series(result, "C6", PROVINCE) == approx(
        [100 * 150 / 3500, -100 * 100 / 3650, 100 * 240 / 1160]
    )
    assert series(result, "C6", PROVINCE, "denominator") == [3500, 3650, 1160]


def test_c7_income_against_2020(result) -> None:
    # Income weighted by the year's workers, same villages in 2020:
    # 2021 (5.5*70 + 4*100 + 3.3*20 + 4*40) / (5*70 + 4*100 + 3*20 + 4*40) = 1011 / 970
    # 2022 (6*80 + 4.4*90 + 3.3*20 + 4.2*40) / (5*80 + 4*90 + 3*20 + 4*40) = 1110 / 980
    # 2023 (5*80 + 4.4*100 + 3.6*30) / (5*80 + 4*100 + 3*30) = 948 / 890
    assert series(result, "C7", PROVINCE) == approx([1011 / 970, 1110 / 980, 948 / 890])
    # Numerator and denominator are the two weighted averages.
    assert series(result, "C7", PROVINCE, "numerator")[0] == pytest.approx(1011 / 230)
    assert series(result, "C7", PROVINCE, "denominator")[0] == pytest.approx(970 / 230)


def test_year_without_data_is_missing_not_zero(dataset) -> None:
    result = compute_indicators(dataset, [2023, 2024])
    in_2024 = result[result["year"] == 2024]
    assert in_2024["value"].isna().all()
    assert series(result, "T1", PROVINCE) == approx([2.0, float("nan")])


def test_single_year_and_baseline_year(dataset) -> None:
    result = compute_indicators(dataset, [2020])
    # Cumulative counts start from 2021: nothing by the end of 2020; C7 is 1 by definition.
    assert series(result, "T1", PROVINCE) == [0]
    assert series(result, "T3", PROVINCE) == [0]
    assert series(result, "C7", PROVINCE) == approx([1.0])
    # No 2019 figures: growth of 2020 unknown.
    assert math.isnan(series(result, "C6", PROVINCE)[0])


def test_reporting_years_start_in_2021(dataset) -> None:
    assert reporting_years(dataset) == [2021, 2022, 2023]


def test_unknown_places_get_their_code_and_national_top() -> None:
    village = {"village_id": "VA", "district_code": "P01D001", "commune_code": "P01X0001"}
    ds = make_dataset(
        [village],
        [{"village_id": "VA", "year": 2021}],
        info={"synthetic": True, "scale": "national"},
    )
    places = indicator_places(ds)
    assert places["place_id"].tolist() == [NATIONAL_PLACE, "P01D001", "P01X0001"]
    result = compute_indicators(ds)
    assert series(result, "C1", "P01X0001") == [0]


# ------------------------------------------------------------------------------ properties

DISTRICTS = reference.districts()["code"].tolist()
COMMUNES = reference.communes_2025()["code"].tolist()
YEARS = [2020, 2021, 2022, 2023]


@st.composite
def small_datasets(draw, n_min: int = 1):
    n = draw(st.integers(n_min, 6))
    villages, rows = [], []
    for i in range(n):
        recognised = draw(st.sampled_from([None, 2015, 2020, 2021, 2022, 2023]))
        villages.append(
            {
                "village_id": f"V{i}",
                "district_code": draw(st.sampled_from(DISTRICTS[:3])),
                "commune_code": draw(st.sampled_from(COMMUNES[:4])),
                "recognition": (
                    draw(st.sampled_from(["lang_nghe", "lang_nghe_truyen_thong"]))
                    if recognised
                    else "none"
                ),
                "recognised": recognised,
                "recognition_regime": (
                    "66/2006"
                    if recognised and recognised < 2018
                    else "52/2018"
                    if recognised
                    else None
                ),
                "tourism_since": draw(st.sampled_from([None, 2019, 2021, 2023])),
                "restored_year": draw(st.sampled_from([None, 2021, 2022])),
                "trademark": "collective",
                "trademark_since": draw(st.sampled_from([2018, 2022])),
            }
        )
        for year in YEARS:
            if draw(st.booleans()) and year > 2020 and draw(st.integers(0, 4)) == 0:
                continue  # the village did not report that year
            total = draw(st.integers(1, 200))
            craft = draw(st.integers(0, total))
            workers = draw(st.integers(0, 300))
            fac = draw(st.integers(0, 100))
            rows.append(
                {
                    "village_id": f"V{i}",
                    "year": year,
                    "households_total": total,
                    "households_craft": craft,
                    "workers_regular": workers,
                    "workers_trained": draw(st.one_of(st.none(), st.integers(0, workers))),
                    "facilities": fac,
                    "facilities_compliant": draw(st.integers(0, fac)),
                    "env_plan": draw(st.sampled_from([True, False, None])),
                    "revenue_mvnd": draw(st.one_of(st.none(), st.floats(1, 1e4))),
                    "income_mvnd_month": draw(st.one_of(st.none(), st.floats(0.5, 50))),
                    "ocop_products": draw(st.integers(0, 2)),
                }
            )
    return villages, rows


PROPERTY_SETTINGS = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
SUMMED = ("T1", "T4", "T5", "T6", "C1", "C2", "C3", "C4", "C5", "C6")


@PROPERTY_SETTINGS
@given(small_datasets())
def test_province_counts_equal_the_sum_over_areas(data) -> None:
    villages, rows = data
    crafts = [{"craft_id": "RUOU", "recognised": 2022}]
    result = compute_indicators(make_dataset(villages, rows, crafts=crafts), YEARS[1:])
    columns = ["numerator", "denominator", "n_expected", "n_reported"]
    top = result[result["place_level"] == "province"].set_index(["indicator_id", "year"])
    for level in ("district", "commune"):
        parts = (
            result[result["place_level"] == level]
            .groupby(["indicator_id", "year"])[columns]
            .sum(min_count=0)
            .fillna(0)
        )
        summed = parts.loc[list(SUMMED)]
        np.testing.assert_allclose(
            top.loc[summed.index, columns].fillna(0).to_numpy(float),
            summed.to_numpy(float),
            rtol=1e-9,
            atol=1e-9,
        )
        # T3: the areas' villages plus the craft recognised in 2022 (a province-wide fact).
        # (A year without any figures is unknown everywhere.)
        known = top.loc["T3", "numerator"].notna().to_numpy()
        t3 = parts.loc["T3", "numerator"] + (parts.loc["T3"].index >= 2022)
        np.testing.assert_allclose(
            top.loc["T3", "numerator"].to_numpy(float)[known], t3.to_numpy(float)[known]
        )


@PROPERTY_SETTINGS
@given(small_datasets())
def test_shares_stay_within_0_and_100(data) -> None:
    villages, rows = data
    result = compute_indicators(make_dataset(villages, rows), YEARS[1:])
    shares = result[result["indicator_id"].isin(["T5", "T6", "C3", "C4", "C5"])]["value"]
    assert ((shares.dropna() >= 0) & (shares.dropna() <= 100)).all()


@PROPERTY_SETTINGS
@given(
    small_datasets(),
    st.sampled_from([2021, 2022, 2023]),
    st.sampled_from(["lang_nghe", "lang_nghe_truyen_thong"]),
)
def test_adding_a_recognised_village_never_lowers_t3(data, year, kind) -> None:
    villages, rows = data
    # A traditional craft village needs its traditional craft recognised (here since 2015).
    crafts = [{"craft_id": "RUOU", "recognised": 2015}]
    before = compute_indicators(make_dataset(villages, rows, crafts), YEARS[1:])
    extra = {
        "village_id": "NEW",
        "district_code": DISTRICTS[0],
        "commune_code": COMMUNES[0],
        "recognition": kind,
        "recognised": year,
        "recognition_regime": "52/2018",
    }
    after = compute_indicators(make_dataset([*villages, extra], rows, crafts), YEARS[1:])
    keys = ["indicator_id", "place_id", "year"]
    both = before.merge(after, on=keys, suffixes=("_before", "_after"))
    t3 = both[both["indicator_id"] == "T3"]
    assert (t3["value_after"].fillna(0) >= t3["value_before"].fillna(0)).all()
    # And it adds exactly one from its year on, at the top level.
    top = t3[t3["place_id"] == PROVINCE]
    rises = (top["value_after"] - top["value_before"]).where(top["value_before"].notna())
    expected = (top["year"] >= year).astype(float).where(top["value_before"].notna())
    pd.testing.assert_series_equal(rises, expected, check_names=False)
