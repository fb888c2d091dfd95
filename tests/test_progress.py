"""Progress statuses: each band and edge case on hand-made indicator series, with the expected
components worked out by hand in the comments (docs/domain.md section 5)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.data import reference
from analysis.indicators.progress import (
    PROGRESS_COLUMNS,
    assess_progress,
    meets_target,
    status_from_ratio,
    status_label,
)

PROVINCE = "tinh-lang-son"
CONTRACT = (
    "indicator_id",
    "place_id",
    "place_level",
    "year",
    "target_year",
    "operator",
    "target_value",
    "method",
    "base_year",
    "base_value",
    "current_year",
    "current_value",
    "gap_closed_share",
    "time_elapsed_share",
    "observed_growth",
    "required_growth",
    "ratio",
    "projection",
    "required_per_year",
    "status",
    "label_vi",
    "label_en",
    "colour",
    "symbol",
    "note",
)


def series(
    indicator: str, values: dict[int, float], place: str = PROVINCE, level: str = "province"
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_id": indicator,
            "place_id": place,
            "place_level": level,
            "year": list(values),
            "value": [float(v) for v in values.values()],
        }
    )


def targets(*rows: tuple) -> pd.DataFrame:
    """(indicator, target year, value[, operator[, scope]])"""
    defaults = (">=", "province")
    full = [(ind, year, value, *rest, *defaults[len(rest) :]) for ind, year, value, *rest in rows]
    return pd.DataFrame(full, columns=["indicator_id", "target_year", "value", "operator", "scope"])


def one(frame: pd.DataFrame, indicator: str, target_year: int, place: str = PROVINCE) -> pd.Series:
    hit = frame[
        (frame["indicator_id"] == indicator)
        & (frame["target_year"] == target_year)
        & (frame["place_id"] == place)
    ]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def test_columns_follow_the_contract() -> None:
    result = assess_progress(series("T1", {2021: 0}), 2021)
    assert tuple(result.columns[: len(CONTRACT)]) == CONTRACT
    assert tuple(result.columns) == PROGRESS_COLUMNS


def test_linear_zero_base_achieved_and_on_track() -> None:
    # T1 counts from 0 at the end of 2020. In 2023 the value is 1.
    result = assess_progress(series("T1", {2021: 0, 2022: 0, 2023: 1}), 2023)
    r25 = one(result, "T1", 2025)
    # 2025 (>= 1): met. Gap closed 1/1, time 3/5.
    assert r25["status"] == "achieved"
    assert (r25["base_year"], r25["base_value"]) == (2020, 0.0)
    assert (r25["current_year"], r25["current_value"]) == (2023, 1.0)
    assert r25["gap_closed_share"] == pytest.approx(1.0)
    assert r25["time_elapsed_share"] == pytest.approx(0.6)
    assert r25["required_per_year"] == 0.0
    r30 = one(result, "T1", 2030)
    # 2030 (>= 2): gap 1/2 = 0.5, time 3/10 = 0.3, ratio 5/3 -> on track;
    # projection 0 + 1 * 10/3; pace (2 - 1) / 7 a year.
    assert r30["status"] == "on_track"
    assert r30["ratio"] == pytest.approx(5 / 3)
    assert r30["projection"] == pytest.approx(10 / 3)
    assert r30["required_per_year"] == pytest.approx(1 / 7)
    assert r30["method"] == "linear"
    assert (r30["label_vi"], r30["label_en"], r30["symbol"]) == ("Đúng tiến độ", "On track", "▲")


@pytest.mark.parametrize(
    ("value", "status", "ratio"),
    [
        (4, "acceleration_needed", 0.8),  # gap 4/10, time 5/10
        (2, "limited_progress", 0.4),  # gap 2/10, time 5/10
        (0, "limited_progress", 0.0),  # nothing yet, half the time gone: ratio 0
    ],
)
def test_linear_bands(value: float, status: str, ratio: float) -> None:
    frame = series("T4", {2025: value})
    result = assess_progress(frame, 2025, targets(("T4", 2030, 10)))
    row = one(result, "T4", 2030)
    assert row["status"] == status
    assert row["ratio"] == pytest.approx(ratio)
    assert row["time_elapsed_share"] == pytest.approx(0.5)
    # Linear projection to 2030: value * 10/5; pace (10 - value) / 5.
    assert row["projection"] == pytest.approx(2 * value)
    assert row["required_per_year"] == pytest.approx((10 - value) / 5)


def test_linear_deterioration_from_an_observed_base() -> None:
    # T6 from 80 (2021, first year with data) to 70 (2023); target 100 by 2025.
    # Gap (70-80)/(100-80) = -0.5, time 2/4 = 0.5, ratio -1; projection 80 - 10*4/2 = 60.
    result = assess_progress(series("T6", {2021: 80, 2022: 75, 2023: 70}), 2023)
    row = one(result, "T6", 2025)
    assert row["status"] == "deterioration"
    assert (row["base_year"], row["base_value"]) == (2021, 80.0)
    assert row["ratio"] == pytest.approx(-1.0)
    assert row["projection"] == pytest.approx(60.0)
    assert row["required_per_year"] == pytest.approx(15.0)
    assert row["colour"] == "#c0392b"


def test_not_assessable_without_data() -> None:
    frame = series("T6", {2021: np.nan, 2022: np.nan})
    row = one(assess_progress(frame, 2022), "T6", 2025)
    assert row["status"] == "not_assessable"
    assert row["note"] == "no data up to 2022"
    assert pd.isna(row["current_year"]) and math.isnan(row["ratio"])
    assert row["label_en"] == "Cannot be assessed"


def test_single_year_of_data_cannot_be_judged_unless_met() -> None:
    result = assess_progress(series("T6", {2021: 90}), 2021)
    row = one(result, "T6", 2025)
    assert row["status"] == "not_assessable"
    assert "one year of data" in row["note"]
    met = one(assess_progress(series("T6", {2021: 100}), 2021), "T6", 2025)
    assert met["status"] == "achieved"


def test_growth_zero_base_cannot_be_assessed() -> None:
    frame = series("C2", {2020: 0, 2023: 50})
    row = one(assess_progress(frame, 2023, targets(("C2", 2025, 100))), "C2", 2025)
    assert row["method"] == "growth"
    assert row["status"] == "not_assessable"
    assert "zero or missing base" in row["note"]


@pytest.mark.parametrize(
    ("values", "target", "status", "observed", "required"),
    [
        # 10% a year from 100 (2020) to 133.1 (2023); 2025 target 100 * 1.1**5: ratio 1.
        ({2020: 100, 2023: 133.1}, 100 * 1.1**5, "on_track", 0.10, 0.10),
        # 5% a year observed, 7.5% required: ratio 2/3.
        ({2020: 100, 2022: 110.25}, 100 * 1.075**5, "acceleration_needed", 0.05, 0.075),
        # 1% observed, 7.5% required: ratio 0.133.
        ({2020: 100, 2022: 102.01}, 100 * 1.075**5, "limited_progress", 0.01, 0.075),
        # -10% a year: ratio -4/3.
        ({2020: 100, 2022: 81}, 100 * 1.075**5, "deterioration", -0.10, 0.075),
    ],
)
def test_growth_bands(values, target, status, observed, required) -> None:
    result = assess_progress(series("C1", values), max(values), targets(("C1", 2025, target)))
    row = one(result, "C1", 2025)
    assert row["status"] == status
    assert row["observed_growth"] == pytest.approx(observed)
    assert row["required_growth"] == pytest.approx(required)
    assert row["ratio"] == pytest.approx(observed / required)


def test_growth_projection_and_pace() -> None:
    # From 133.1 in 2023 at 10% a year: 133.1 * 1.1**2 = 161.051 in 2025; pace (161.051-133.1)/2.
    result = assess_progress(
        series("C1", {2020: 100, 2023: 133.1}), 2023, targets(("C1", 2025, 161.051))
    )
    row = one(result, "C1", 2025)
    assert row["projection"] == pytest.approx(161.051)
    assert row["required_per_year"] == pytest.approx((161.051 - 133.1) / 2)


def test_target_met_then_lost() -> None:
    # T5: 80 (2021), 100 (2022, met), 90 (2023). Gap (90-80)/20 = 0.5, time 2/4: ratio 1.
    result = assess_progress(series("T5", {2021: 80, 2022: 100, 2023: 90}), 2023)
    row = one(result, "T5", 2025)
    assert row["status"] == "on_track"
    assert row["first_met_year"] == 2022
    assert "target met in 2022, not met in 2023" in row["note"]
    # Met in the base year and lost since: deterioration.
    lost = one(assess_progress(series("T5", {2021: 100, 2023: 90}), 2023), "T5", 2025)
    assert lost["status"] == "deterioration"
    assert "target met in base year 2021, not met in 2023" in lost["note"]


def test_target_year_passed_is_judged_at_the_target_year() -> None:
    values = {2021: 0, 2022: 0, 2023: 0, 2024: 0, 2025: 0, 2026: 1, 2027: 1}
    result = assess_progress(series("T1", values), 2027)
    r25 = one(result, "T1", 2025)
    # Judged on 2025's value (0) against >= 1: not achieved, short by 1 (count).
    assert r25["current_year"] == 2025
    assert r25["status"] == "not_achieved"
    assert (r25["shortfall"], r25["unit"]) == (1.0, "count")
    assert (r25["label_en"], r25["symbol"]) == ("Target not achieved", "✗")
    assert "target year reached, target not met" in r25["note"]
    assert "target year passed" in r25["note"]
    assert math.isnan(r25["required_per_year"])
    # The 2030 target: gap 1/2, time 7/10 -> ratio 5/7 = 0.714, acceleration needed.
    r30 = one(result, "T1", 2030)
    assert r30["status"] == "acceleration_needed"
    assert r30["ratio"] == pytest.approx(5 / 7)
    assert not r30["deadline_passed"] and r25["deadline_passed"]


def test_deadline_reached_without_target_is_not_achieved() -> None:
    # 50 -> 99 of 100 by 2025: gap 0.98 at the deadline, but the target is not met: short by 1
    # percentage point (the unit is percent).
    row = one(assess_progress(series("T6", {2021: 50, 2025: 99}), 2025), "T6", 2025)
    assert row["ratio"] == pytest.approx(0.98)
    assert row["status"] == "not_achieved"
    assert row["shortfall"] == pytest.approx(1.0)
    assert row["unit"] == "percent"
    # A decreasing target missed at its deadline: 7 against <= 5 is short by 2.
    down = one(
        assess_progress(series("X", {2020: 10, 2025: 7}), 2025, targets(("X", 2025, 5, "<="))),
        "X",
        2025,
    )
    assert (down["status"], down["shortfall"]) == ("not_achieved", 2.0)


def test_deadline_year_without_data_cannot_be_assessed() -> None:
    # Defect: evaluating 2025 with 2025 missing judged 2024's trend (60 -> 90 over 2021-2024:
    # gap 0.75, time 0.75, ratio 1) as "on track" for 2025. The deadline belongs to the
    # evaluation year: without 2025's value the 2025 target cannot be assessed.
    frame = series("T6", {2021: 60, 2022: 70, 2023: 80, 2024: 90, 2025: np.nan})
    row = one(assess_progress(frame, 2025), "T6", 2025)
    assert row["status"] == "no_data"
    assert row["label_en"] == "Cannot be assessed: no data for 2025"
    assert row["label_vi"] == "Không đánh giá được: chưa có số liệu năm 2025"
    assert row["symbol"] == "∅"
    # The last known value is beside it, labelled with its year; it is not the 2025 value.
    assert (row["last_known_year"], row["last_known_value"]) == (2024, 90.0)
    assert pd.isna(row["current_year"]) and math.isnan(row["current_value"])
    assert row["note"] == "no data for 2025; last known value 90 (2024)"
    assert math.isnan(row["projection"]) and math.isnan(row["shortfall"])
    # The same with the 2025 row absent altogether (the year not in the table).
    absent = series("T6", {2021: 60, 2022: 70, 2023: 80, 2024: 90})
    assert one(assess_progress(absent, 2025), "T6", 2025)["status"] == "no_data"
    # Evaluated in 2024, the 2025 target is still ahead: the trend words apply.
    assert one(assess_progress(absent, 2024), "T6", 2025)["status"] == "on_track"
    # And the 2030 target, evaluated in 2025, is judged on the trend up to 2024.
    r30 = one(assess_progress(frame, 2025), "T6", 2030)
    assert r30["status"] != "no_data" and r30["current_year"] == 2024


def test_projections_stay_within_what_is_possible() -> None:
    # T5 (a share) from 20 (2021) to 60 (2023): the straight line reaches 20 + 40 * 9 / 2 = 200
    # in 2030, which a share cannot: the projection stops at 100.
    row = one(assess_progress(series("T5", {2021: 20, 2023: 60}), 2023), "T5", 2030)
    assert row["projection"] == pytest.approx(100.0)
    # T6 falling from 80 (2021) to 40 (2023): 80 - 40 * 9 / 2 = -100 in 2030, clamped to 0.
    row = one(assess_progress(series("T6", {2021: 80, 2023: 40}), 2023), "T6", 2030)
    assert row["projection"] == pytest.approx(0.0)
    assert row["status"] == "deterioration"
    # A count never below zero: C1 (growth) cannot go negative by itself; T2 (linear) can.
    row = one(
        assess_progress(series("T2", {2021: 3, 2023: 1}, place="cao-loc", level="district"), 2023),
        "T2",
        2030,
        place="cao-loc",
    )
    # 3 + (1 - 3) * 9 / 2 = -6 -> 0.
    assert row["projection"] == pytest.approx(0.0)


def test_no_data_for_the_evaluation_year_uses_the_latest() -> None:
    # Nothing for 2023: judged on 2022. Gap (70-60)/40 = 0.25, time 1/4: ratio 1.
    row = one(assess_progress(series("T6", {2021: 60, 2022: 70, 2023: np.nan}), 2023), "T6", 2025)
    assert row["current_year"] == 2022
    assert row["status"] == "on_track"
    assert "latest data 2022" in row["note"]


def test_place_that_did_not_exist_early_on() -> None:
    # A district-level area with figures only from 2023 (rows absent before): base 2023.
    frame = series("T2", {2023: 0, 2024: 1}, place="moi", level="district")
    row = one(assess_progress(frame, 2024), "T2", 2025, place="moi")
    # Gap (1-0)/(2-0) = 0.5, time 1/2: ratio 1.
    assert row["base_year"] == 2023
    assert row["status"] == "on_track"
    # A cumulative count (zero base) keeps its 2020 base of 0 whatever the first row.
    t1 = one(assess_progress(series("T1", {2023: 1}), 2023), "T1", 2030)
    assert (t1["base_year"], t1["base_value"]) == (2020, 0.0)
    # Evaluated before the place has any figures: cannot be assessed.
    early = one(assess_progress(frame, 2022), "T2", 2025, place="moi")
    assert early["status"] == "not_assessable"


def test_targets_apply_to_their_scope_only() -> None:
    frame = pd.concat(
        [
            series("T2", {2023: 2}, place="cao-loc", level="district"),
            series("T2", {2023: 5}),
            series("T1", {2023: 1}, place="cao-loc", level="district"),
            series("T1", {2023: 1}, place="xa-cong-son", level="commune"),
            series("T1", {2023: 1}),
        ]
    )
    result = assess_progress(frame, 2023)
    pairs = set(zip(result["indicator_id"], result["place_id"], strict=True))
    assert pairs == {("T2", "cao-loc"), ("T1", PROVINCE)}
    assert set(result["target_year"]) == {2025, 2030}


def test_decreasing_target() -> None:
    # X (no definition: linear, observed base) from 10 (2020) to 7 (2023), target <= 5 by 2025.
    # Gap (7-10)/(5-10) = 0.6, time 3/5 = 0.6: ratio 1.
    row = one(
        assess_progress(series("X", {2020: 10, 2023: 7}), 2023, targets(("X", 2025, 5, "<="))),
        "X",
        2025,
    )
    assert row["status"] == "on_track"
    assert row["ratio"] == pytest.approx(1.0)
    done = one(
        assess_progress(series("X", {2020: 10, 2023: 5}), 2023, targets(("X", 2025, 5, "<="))),
        "X",
        2025,
    )
    assert done["status"] == "achieved"


def test_status_boundaries() -> None:
    ratios = [1.5, 0.95, 0.9499, 0.60, 0.5999, 0.0, -1e-9, np.nan]
    assert status_from_ratio(np.array(ratios)).tolist() == [
        "on_track",
        "on_track",
        "acceleration_needed",
        "acceleration_needed",
        "limited_progress",
        "limited_progress",
        "deterioration",
        "not_assessable",
    ]


def test_meets_target_operators() -> None:
    values = np.array([1.0, 2.0, np.nan])
    assert meets_target(values, np.full(3, 2.0), np.full(3, ">=")).tolist() == [False, True, False]
    assert meets_target(values, np.full(3, 2.0), np.full(3, ">")).tolist() == [False, False, False]
    assert meets_target(values, np.full(3, 1.0), np.full(3, "<=")).tolist() == [True, False, False]


def test_every_band_has_words_colour_and_symbol() -> None:
    bands = reference.status_bands()
    assert list(bands["status"]) == [
        "achieved",
        "on_track",
        "acceleration_needed",
        "limited_progress",
        "deterioration",
        "not_achieved",
        "no_data",
        "not_assessable",
    ]
    # Colour is never the only carrier: each status has its own symbol and words.
    assert bands["symbol"].is_unique and bands["label_vi"].is_unique
    assert bands["colour"].is_unique and bands["source"].notna().all()
    assert bands["colour"].str.fullmatch(r"#[0-9a-f]{6}").all()
    assert status_label("acceleration_needed", "vi") == "Cần đẩy nhanh"
    assert status_label("deterioration", "en") == "Deterioration"
    assert status_label(pd.Series(["achieved", "not_assessable"]), "en").tolist() == [
        "Target achieved",
        "Cannot be assessed",
    ]
    with pytest.raises(KeyError):
        status_label("unknown")
    with pytest.raises(ValueError):
        status_label("achieved", "fr")


def test_statuses_of_the_default_targets_cover_t1_to_t6() -> None:
    frame = pd.concat(
        [series(i, {2021: 1, 2022: 1}) for i in ("T1", "T3", "T4", "T5", "T6")]
        + [series("T2", {2021: 1, 2022: 1}, place="cao-loc", level="district")]
    )
    result = assess_progress(frame, 2022)
    assert len(result) == 12
    assert set(result["status"]) <= set(reference.status_bands()["status"])
