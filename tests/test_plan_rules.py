"""The indicators count what the plan and the law count, on the hand-worked data set of
``test_indicators.py`` extended with villages that break a rule, a withdrawn recognition, the
submissions of each area and a second evaluation year. Expected values are worked out by hand
in the comments; each test fails on the engine as it was before the rules were applied."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from indicator_fixtures import CAO_LOC, TRANG_DINH, make_dataset
from test_indicators import CRAFTS, DISTRICT_CRAFTS, VILLAGE_YEAR, VILLAGES, approx, series

from analysis.data import reference
from analysis.data.rules import check_rules
from analysis.data.store import Dataset
from analysis.indicators.compute import compute_indicators, indicator_readings
from analysis.indicators.effectiveness import (
    effectiveness_by_village,
    effectiveness_definition,
    environment_footnote,
)
from analysis.indicators.progress import assess_progress

PROVINCE = "tinh-lang-son"
HUU_LUNG = "186"


def _vy(village: str, years: range, **fields) -> list[dict]:
    return [{"village_id": village, "year": y, **fields} for y in years]


# --------------------------------------------------------------------------------- T3 and T1

#   XA Cao Lộc, MOC (not a traditional craft) "recognised" as a traditional craft village 2022.
#   XB Cao Lộc, RUOU, recognised 2022 under Decree 66/2006, which ended on 31 May 2018.
#   XC Cao Lộc, RUOU (not at risk), "restored" 2022.
#   Craft NEWC, not traditional, "recognised" as a traditional craft in 2023.
UNLAWFUL = [
    {
        "village_id": "XA",
        "craft_id": "MOC",
        "recognition": "lang_nghe_truyen_thong",
        "recognised": 2022,
        "recognition_regime": "52/2018",
    },
    {
        "village_id": "XB",
        "recognition": "lang_nghe",
        "recognised": 2022,
        "recognition_regime": "66/2006",
    },
    {"village_id": "XC", "restored_year": 2022},
]
NEW_CRAFT = {"craft_id": "NEWC", "is_traditional": False, "since_year": 1990, "recognised": 2023}


@pytest.fixture(scope="module")
def unlawful() -> Dataset:
    return make_dataset(VILLAGES + UNLAWFUL, VILLAGE_YEAR, [*CRAFTS, NEW_CRAFT], DISTRICT_CRAFTS)


def test_t3_counts_only_the_recognitions_the_law_allows(unlawful: Dataset) -> None:
    result = compute_indicators(unlawful)
    # As without them (test_indicators): village VA and craft RUOU in 2022. Before, XA and XB
    # (2022) and NEWC (2023) were counted too: [0, 4, 5].
    assert series(result, "T3", PROVINCE) == [0, 2, 2]
    assert series(result, "T3", "cao-loc") == [0, 1, 1]
    # Nor are they recognised villages anywhere else (C1: VB, then VA and VB).
    assert series(result, "C1", PROVINCE) == [1, 2, 2]


def test_t1_counts_only_restorations_of_crafts_at_risk(unlawful: Dataset) -> None:
    # VC 2021 and VB 2023 as before; XC's craft RUOU was never at risk (before: [1, 2, 3]).
    assert series(compute_indicators(unlawful), "T1", PROVINCE) == [1, 1, 2]


def test_the_same_rows_are_rejected_with_their_rule(unlawful: Dataset) -> None:
    # (The fixture's villages share one former commune: the place rules are not the point.)
    found = check_rules(unlawful.tables, check_places=False)
    problems = {(p.table, p.key, p.code) for p in found}
    assert problems == {
        ("villages", "village_id XA", "traditional_village_needs_recognised_craft"),
        ("villages", "village_id XB", "recognition_within_regime"),
        ("villages", "village_id XC", "restoration_needs_at_risk_craft"),
        ("crafts", "craft_id NEWC", "craft_recognition_needs_traditional"),
    }


def test_the_hand_worked_fixture_obeys_the_rules() -> None:
    ds = make_dataset(VILLAGES, VILLAGE_YEAR, CRAFTS, DISTRICT_CRAFTS)
    assert check_rules(ds.tables, check_places=False) == []


# ---------------------------------------------------------------------------------------- T4

#   XT Tràng Định, MOC, not recognised, linked with tourism in 2022.
TOURISM = [
    {"village_id": "XT", "craft_id": "MOC", "district_code": TRANG_DINH, "tourism_since": 2022}
]


def test_t4_counts_recognised_craft_villages_by_default() -> None:
    ds = make_dataset(VILLAGES + TOURISM, VILLAGE_YEAR, CRAFTS, DISTRICT_CRAFTS)
    result = compute_indicators(ds)
    # Only VA (recognised 2022, tourism 2023); XT is no làng nghề (before: [0, 1, 2]).
    assert series(result, "T4", PROVINCE) == [0, 0, 1]
    assert result.attrs["readings"] == {"T4": "recognised_villages"}
    # The broader reading stays available, documented and unverified.
    broad = compute_indicators(ds, readings={"T4": "any_village"})
    assert series(broad, "T4", PROVINCE) == [0, 1, 2]
    used = indicator_readings({"T4": "any_village"}).set_index("indicator_id").loc["T4"]
    assert (used["reading_id"], bool(used["is_default"]), bool(used["verified"])) == (
        "any_village",
        False,
        False,
    )
    default = indicator_readings().set_index("indicator_id").loc["T4"]
    assert default["reading_id"] == "recognised_villages" and "recognised" in default["reading"]
    with pytest.raises(ValueError, match="unknown reading 'all' of T4"):
        compute_indicators(ds, readings={"T4": "all"})


def test_targets_csv_keeps_one_default_row_per_target() -> None:
    rows = reference.target_readings()
    assert not reference.targets().duplicated(["indicator_id", "target_year"]).any()
    t4 = rows[rows["indicator_id"] == "T4"].set_index(["reading_id", "target_year"])
    assert not t4.loc[("any_village", 2025), "verified"]
    assert t4.loc[("recognised_villages", 2025), "is_default"]


# ------------------------------------------------------------------------------- withdrawal

#   VE Cao Lộc, RUOU, craft village recognised 2021 (Decree 52), recognition withdrawn 2023
#   (decision 77/QĐ-UBND); every year 100 households, 30 in the craft, 50 workers, 30 of 30
#   facilities compliant, environment in order, revenue 500 and income 4.0 flat.
WITHDRAWN = {
    "village_id": "VE",
    "recognition": "lang_nghe",
    "recognised": 2021,
    "recognition_regime": "52/2018",
    "withdrawal_year": 2023,
    "withdrawal_decision": "77/QĐ-UBND",
}
VE_FIGURES = _vy(
    "VE",
    range(2020, 2024),
    households_total=100,
    households_craft=30,
    workers_regular=50,
    workers_trained=20,
    facilities=30,
    facilities_compliant=30,
    revenue_mvnd=500.0,
    income_mvnd_month=4.0,
)


@pytest.fixture(scope="module")
def withdrawn() -> Dataset:
    return make_dataset(VILLAGES + [WITHDRAWN], VILLAGE_YEAR + VE_FIGURES, CRAFTS, DISTRICT_CRAFTS)


def test_a_withdrawn_village_counts_out_from_its_withdrawal_year(withdrawn: Dataset) -> None:
    result = compute_indicators(withdrawn)
    # T3: [0, 2, 2] of test_indicators + VE in 2021 and 2022, not 2023 (before: [1, 3, 3]).
    assert series(result, "T3", PROVINCE) == [1, 3, 2]
    # C1: [1, 2, 2] + VE 2021-2022.
    assert series(result, "C1", PROVINCE) == [2, 3, 2]
    # C2: [100, 170, 180] + VE's 50 workers in 2021 and 2022.
    assert series(result, "C2", PROVINCE) == [150, 220, 180]
    # T6: (35 + 30)/(70 + 30), (105 + 30)/(110 + 30), 2023 as before 98/114.
    assert series(result, "T6", PROVINCE, "numerator") == [65, 135, 98]
    assert series(result, "T6", PROVINCE, "denominator") == [100, 140, 114]
    # T5: VE effective in 2021 and 2022 (30% >= 20%, environment, revenue and income flat):
    # [1, 0, 0] of [1, 2, 1] becomes [2, 1, 0] of [2, 3, 1].
    assert series(result, "T5", PROVINCE, "numerator") == [2, 1, 0]
    assert series(result, "T5", PROVINCE, "denominator") == [2, 3, 1]
    assert check_rules(withdrawn.tables, check_places=False) == []


def test_a_second_evaluation_year_after_the_deadline(withdrawn: Dataset) -> None:
    # The data end in 2023. Judged in 2023, T1's 2025 target (>= 1) is already met (2).
    # Judged in 2025, the 2025 value is missing: no data for 2025, the 2023 value beside it.
    ind = compute_indicators(withdrawn, [2020, 2021, 2022, 2023])
    in_2023 = assess_progress(ind, 2023).set_index(["indicator_id", "target_year"])
    assert in_2023.loc[("T1", 2025), "status"] == "achieved"
    in_2025 = assess_progress(ind, 2025).set_index(["indicator_id", "target_year"])
    t1 = in_2025.loc[("T1", 2025)]
    assert t1["status"] == "no_data"
    assert t1["label_en"] == "Cannot be assessed: no data for 2025"
    assert (t1["last_known_year"], t1["last_known_value"]) == (2023, 2.0)
    # T6 (>= 100% by 2025) was 98/114 in 2023: no data either, never "on track" or a miss.
    assert in_2025.loc[("T6", 2025), "status"] == "no_data"
    assert math.isnan(in_2025.loc[("T6", 2025), "shortfall"])
    # The 2030 targets are still ahead: the trend words, on the data up to 2023.
    assert in_2025.loc[("T1", 2030), "status"] not in ("no_data", "not_achieved")


# ---------------------------------------------------------------------------------------- T2


def test_t2_area_without_data_is_no_data_not_zero() -> None:
    # Reports received: Cao Lộc 2021-2023, Tràng Định 2021-2022, Hữu Lũng 2021 (no commodity
    # crafts listed: a true 0); no other area sent anything.
    base = make_dataset(VILLAGES, VILLAGE_YEAR, CRAFTS, DISTRICT_CRAFTS)
    sent = [(CAO_LOC, y) for y in (2021, 2022, 2023)] + [(TRANG_DINH, 2021), (TRANG_DINH, 2022)]
    sent.append((HUU_LUNG, 2021))
    submissions = pd.DataFrame(sent, columns=["unit_code", "year"])
    ds = Dataset(tables={**base.tables, "submissions": submissions}, info=base.info)
    result = compute_indicators(ds)
    assert series(result, "T2", "cao-loc") == [1, 2, 3]
    # Before: [1, 1, 0], [0, 0, 0] and [0, 0, 0].
    assert series(result, "T2", "trang-dinh") == approx([1, 1, math.nan])
    assert series(result, "T2", "huu-lung") == approx([0, math.nan, math.nan])
    assert series(result, "T2", "dinh-lap") == approx([math.nan] * 3)
    # Province: areas with >= 2 crafts among those with data (before: out of 11 every year).
    assert series(result, "T2", PROVINCE) == [0, 1, 1]
    assert series(result, "T2", PROVINCE, "denominator") == [3, 2, 1]
    assert series(result, "T2", PROVINCE, "n_reported") == [3, 2, 1]
    assert series(result, "T2", PROVINCE, "n_expected") == [11, 11, 11]
    # Judged in 2023, Tràng Định's last figure is 2022's (1 of 2): no miss is made of 2023.
    progress = assess_progress(result, 2023)
    row = progress[(progress["place_id"] == "trang-dinh") & (progress["target_year"] == 2025)]
    assert row["current_year"].iloc[0] == 2022 and "latest data 2022" in row["note"].iloc[0]


# ---------------------------------------------------------------------------------------- T5


def test_t5_shown_per_village_with_its_components() -> None:
    ds = make_dataset(VILLAGES, VILLAGE_YEAR, CRAFTS, DISTRICT_CRAFTS)
    table = effectiveness_by_village(ds, 2022).set_index("village_id")
    components = effectiveness_definition()
    assert list(components["component_id"]) == [
        "meets_criteria",
        "production_stable",
        "income_not_falling",
    ]
    assert components.attrs["verified"] is False
    assert list(table.index) == ["VA", "VB"]
    # 2022: VA's revenue 1000 < 0.95 x 1100 (not stable); VB 25% < 30% (Decree 66): neither
    # counts; VA meets the criteria, income rose for both.
    assert bool(table.loc["VA", "meets_criteria"]) and not bool(
        table.loc["VA", "production_stable"]
    )
    assert not bool(table.loc["VB", "meets_criteria"])
    assert bool(table.loc["VB", "income_not_falling"])
    assert not table["counts"].any()
    assert table.loc["VB", "min_household_share"] == pytest.approx(0.30)
    assert table.loc["VA", "name_vi"] == "Thôn thử"


def test_the_environmental_reduction_is_marked_and_footnoted() -> None:
    rules = reference.read_yaml("decree52.yaml")["craft_village"]
    reduction = rules["environment_reduction"]
    assert reduction["reduced"] is True and reduction["verified"] is False
    assert "Điều 56" in reduction["source"]
    modelled = [c["column"] for c in reduction["conditions_in_law"] if c["column"]]
    assert modelled == rules["environment_required"]
    assert "rút gọn" in environment_footnote("vi") and "chưa được xác minh" in environment_footnote(
        "vi"
    )
    assert "reduced" in environment_footnote("en") and "unverified" in environment_footnote("en")


def test_explain_says_why_a_member_is_out(unlawful: Dataset, withdrawn: Dataset) -> None:
    from analysis.indicators.explain import explain

    def reason(ds: Dataset, indicator: str, year: int, member: str) -> tuple[bool, str]:
        rows = explain(ds, indicator, year, lang="en").set_index("member_id")
        return bool(rows.at[member, "counted"]), str(rows.at[member, "reason"])

    counted, why = reason(unlawful, "T1", 2023, "XC")
    assert not counted and "not recorded as at risk of dying out" in why
    counted, why = reason(unlawful, "T3", 2023, "XB")
    assert not counted and "does not meet the rules" in why
    assert reason(withdrawn, "T3", 2022, "VE") == (True, "recognised in 2021")
    counted, why = reason(withdrawn, "T3", 2023, "VE")
    assert not counted and why.endswith("recognition withdrawn in 2023")
    tourism = make_dataset(VILLAGES + TOURISM, VILLAGE_YEAR, CRAFTS, DISTRICT_CRAFTS)
    counted, why = reason(tourism, "T4", 2023, "XT")
    assert not counted and why.endswith("not a recognised craft village")
