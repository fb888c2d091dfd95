"""Recognition screen (Decree 52, Article 5) on hand-made villages; expected values by hand."""

from __future__ import annotations

import pandas as pd
import pytest
from indicator_fixtures import make_dataset

from analysis.indicators.recognition import recognition_candidates, screen_crafts, screen_villages

CONTRACT = (
    "village_id",
    "year",
    "household_share",
    "meets_household_share",
    "stable_years",
    "meets_stable_production",
    "meets_environment",
    "craft_age_years",
    "meets_craft_age",
    "ready",
    "lacks_vi",
    "lacks_en",
)

CRAFTS = [
    {"craft_id": "RUOU", "since_year": 1960},  # 63 years old in 2023
    {"craft_id": "HUONG", "since_year": 1973, "recognised": 2022},  # exactly 50: not "over 50"
    {"craft_id": "MOC", "is_traditional": False, "since_year": 2000},
    {"craft_id": "OLDC", "since_year": 1900},  # practised by no village
]
VILLAGES = [
    {"village_id": "R1", "craft_id": "RUOU"},
    {"village_id": "R2", "craft_id": "HUONG"},
    {
        "village_id": "R3",
        "craft_id": "MOC",
        "recognition": "lang_nghe",
        "recognised": 2015,
        "recognition_regime": "66/2006",
    },
    {"village_id": "R4", "craft_id": "MOC"},
    {"village_id": "R5", "craft_id": "MOC"},
    {"village_id": "R6", "craft_id": "MOC"},
    {"village_id": "R7", "craft_id": "MOC"},
]


def _rows(village: str, years: list[int], **fields) -> list[dict]:
    return [
        {
            "village_id": village,
            "year": y,
            "households_total": 100,
            "revenue_mvnd": 1000.0,
            **{k: (v[i] if isinstance(v, list) else v) for k, v in fields.items()},
        }
        for i, y in enumerate(years)
    ]


YEARS = [2021, 2022, 2023]
VILLAGE_YEAR = [
    # R1: 25% of households, steady revenue, environment in order: ready.
    *_rows("R1", YEARS, households_craft=25),
    # R2: 15% < 20%.
    *_rows("R2", YEARS, households_craft=15),
    # R3: recognised under Decree 66 (30%) with 25%.
    *_rows("R3", YEARS, households_craft=25),
    # R4: 40%, revenue down 30% in 2023 (tolerance 5%): no stable year ending in 2023.
    *_rows("R4", YEARS, households_craft=40, revenue_mvnd=[1000.0, 1000.0, 700.0]),
    # R5: 30%, environmental group unknown in 2023.
    *_rows("R5", YEARS, households_craft=30, env_group=[True, True, None]),
    # R6: no figures for 2022 (the run restarts in 2023), no environmental plan in 2023.
    *_rows("R6", [2021, 2023], households_craft=50, env_plan=[True, False]),
    # R7: nobody left in the craft in 2023.
    *_rows("R7", YEARS, households_craft=[30, 30, 0]),
]


@pytest.fixture(scope="module")
def dataset():
    return make_dataset(VILLAGES, VILLAGE_YEAR, CRAFTS)


@pytest.fixture(scope="module")
def screen(dataset) -> pd.DataFrame:
    return screen_villages(dataset, 2023).set_index("village_id")


def test_columns_follow_the_contract(dataset) -> None:
    frame = screen_villages(dataset, 2023)
    assert set(CONTRACT) <= set(frame.columns)
    assert len(frame) == 7 and (frame["year"] == 2023).all()
    # No column repeats one of the villages table, so the two merge cleanly.
    shared = set(frame.columns) & set(dataset.villages.columns)
    assert shared == {"village_id"}


def test_ready_village(screen) -> None:
    r1 = screen.loc["R1"]
    assert r1["household_share"] == pytest.approx(0.25)
    assert r1["min_household_share"] == pytest.approx(0.20)
    assert bool(r1["meets_household_share"])
    # 2021 (no earlier figures to compare), 2022, 2023: three stable years in a row.
    assert r1["stable_years"] == 3
    assert r1["meets_stable_production"] and bool(r1["meets_environment"])
    assert r1["ready"] and r1["n_lacking"] == 0
    assert r1["lacks_vi"] == "" and r1["lacks_en"] == ""
    # Its craft is traditional and 63 years old: it can come as a traditional craft village.
    assert r1["craft_age_years"] == 63 and bool(r1["meets_craft_age"])
    assert r1["eligible_type"] == "lang_nghe_truyen_thong"


def test_household_share_below_threshold(screen) -> None:
    r2 = screen.loc["R2"]
    assert not bool(r2["meets_household_share"]) and not r2["ready"]
    assert r2["lacks_vi"] == "tỷ lệ hộ tham gia nghề 15% < 20%"
    assert r2["lacks_en"] == "households in the craft 15% (needs 20%)"
    # The 50-year test is "more than 50 years": 50 is not enough. The craft is recognised.
    assert r2["craft_age_years"] == 50 and not bool(r2["meets_craft_age"])
    assert r2["craft_recognised"]


def test_decree_66_regime_keeps_its_30_percent(screen) -> None:
    r3 = screen.loc["R3"]
    assert r3["recognised"]
    assert r3["min_household_share"] == pytest.approx(0.30)
    assert not bool(r3["meets_household_share"])
    assert r3["lacks_en"] == "households in the craft 25% (needs 30%)"


def test_unstable_production(screen, dataset) -> None:
    r4 = screen.loc["R4"]
    assert r4["stable_years"] == 0 and not r4["meets_stable_production"]
    assert r4["lacks_vi"] == "sản xuất ổn định 0/2 năm liên tục"
    assert r4["lacks_en"] == "stable production 0 of 2 consecutive years"
    # In 2022 it had two stable years (2021, 2022).
    assert screen_villages(dataset, 2022).set_index("village_id").loc["R4", "stable_years"] == 2


def test_missing_environmental_data_is_lacking(screen) -> None:
    r5 = screen.loc["R5"]
    assert pd.isna(r5["meets_environment"]) and not r5["ready"]
    assert r5["lacks_vi"] == "chưa có số liệu: tổ tự quản về môi trường"
    assert r5["lacks_en"] == "no data: self-managed environmental group"


def test_gap_in_the_figures_breaks_the_run(screen) -> None:
    r6 = screen.loc["R6"]
    assert r6["stable_years"] == 1
    assert r6["n_lacking"] == 2
    assert r6["lacks_en"] == (
        "stable production 1 of 2 consecutive years; no environmental protection plan"
    )
    r7 = screen.loc["R7"]
    assert r7["household_share"] == 0 and r7["stable_years"] == 0 and r7["n_lacking"] == 2


def test_candidates_ready_first_then_nearly_ready(dataset) -> None:
    candidates = recognition_candidates(dataset, 2023)
    # R1 ready; R4 (40%), R5 (30%), R2 (15%) lack one criterion; R3 is recognised; R6 and R7
    # lack two.
    assert candidates["village_id"].tolist() == ["R1", "R4", "R5", "R2"]
    assert candidates["n_lacking"].tolist() == [0, 1, 1, 1]
    assert {"name_vi", "craft_id", "district_code", "commune_code", "lacks_vi"} <= set(
        candidates.columns
    )
    ready_only = recognition_candidates(dataset, 2023, max_lacking=0)
    assert ready_only["village_id"].tolist() == ["R1"]


def test_craft_screen(dataset) -> None:
    crafts = screen_crafts(dataset, 2023).set_index("craft_id")
    assert crafts["candidate"].to_dict() == {
        "HUONG": False,
        "MOC": False,
        "OLDC": False,
        "RUOU": True,
    }
    assert crafts.loc["OLDC", "craft_age_years"] == 123 and not crafts.loc["OLDC", "practised"]
    assert crafts.loc["HUONG", "recognised"] and not bool(crafts.loc["HUONG", "meets_craft_age"])
