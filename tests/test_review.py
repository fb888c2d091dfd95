"""The mid-term and final reviews cover the whole period: targets year by year, funding by source
and year (planned against disbursed, with totals), what each body did, and the pace still needed
to 2030. Small hand-made tables, every expected number worked out by hand in the comments; one
test checks the review's money against the sample store's ``activities`` cell by cell."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from analysis.data.store import query
from analysis.indicators.progress import assess_progress
from analysis.pipeline import load_dataset
from analysis.reports import review
from analysis.reports import review_text as text

PROVINCE = "tinh-lang-son"
RULES = {
    "low_disbursement_pct": 80,
    "target_tasks": {"T1": ["preservation"], "T6": ["environment"]},
}


def _indicators(rows: list[tuple[str, str, str, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator_id", "place_id", "place_level", "year", "value"])


def _targets(rows: list[tuple[str, int, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator_id", "target_year", "scope", "operator", "value"])


def _activities(rows: list[tuple]) -> pd.DataFrame:
    columns = [
        "unit_code",
        "year",
        "task_group",
        "funding_source",
        "planned_mvnd",
        "disbursed_mvnd",
        "trainees",
        "trade_fairs",
        "trademarks_registered",
    ]
    return pd.DataFrame(rows, columns=columns)


# ------------------------------------------------------------------------------ targets by year


def test_each_target_year_by_year_with_a_gap_left_empty() -> None:
    ind = _indicators(
        [
            ("T1", PROVINCE, "province", 2020, 0.0),  # the base year: outside 2021-2025
            ("T1", PROVINCE, "province", 2021, 0.0),
            ("T1", PROVINCE, "province", 2022, 1.0),
            # 2023: no value -> left empty, never carried forward
            ("T1", PROVINCE, "province", 2024, 2.0),
            ("T1", "cao-loc", "district", 2024, 9.0),  # another place: not the province's
            ("T6", PROVINCE, "province", 2025, 94.7),
        ]
    )
    targets = _targets(
        [
            ("T1", 2025, "province", ">=", 1),
            ("T1", 2030, "province", ">=", 2),
            ("T6", 2025, "province", ">=", 100),
        ]
    )
    table = review.target_series(ind, targets, PROVINCE, 2021, 2025, ids=["T1", "T6"])
    assert list(table.columns) == [
        "indicator_id",
        "unit",
        "y2021",
        "y2022",
        "y2023",
        "y2024",
        "y2025",
        "target_2025",
        "target_2030",
    ]
    t1 = table.set_index("indicator_id").loc["T1"]
    assert (t1["y2021"], t1["y2022"], t1["y2024"]) == (0.0, 1.0, 2.0)
    assert math.isnan(t1["y2023"]) and math.isnan(t1["y2025"])
    assert (t1["unit"], t1["target_2025"], t1["target_2030"]) == ("count", 1.0, 2.0)
    t6 = table.set_index("indicator_id").loc["T6"]
    assert t6["y2025"] == 94.7 and t6["unit"] == "percent"
    assert math.isnan(t6["y2021"]) and math.isnan(t6["target_2030"])  # no 2030 row given


# ------------------------------------------------------------------------------------- funding

FUNDING = _activities(
    [
        ("U0", 2020, "training", "other", 999.0, 999.0, 0, 0, 0),  # before the period
        ("U1", 2021, "training", "central", 100.0, 80.0, 0, 0, 0),
        ("U1", 2021, "training", "provincial", 50.0, 50.0, 0, 0, 0),
        ("U2", 2021, "environment", "central", 30.0, 0.0, 0, 0, 0),
        # 2022: nothing reported
        ("U2", 2023, "environment", "provincial", 200.0, 150.0, 0, 0, 0),
        ("U3", 2024, "tourism", "central", 777.0, 777.0, 0, 0, 0),  # after the period
    ]
)


def test_funding_by_source_and_year_with_totals_and_disbursed_share() -> None:
    table = review.funding_period(FUNDING, 2021, 2023)
    got = {
        (None if pd.isna(r.year) else int(r.year), r.funding_source): (
            r.planned_mvnd,
            r.disbursed_mvnd,
            r.disbursed_pct,
        )
        for r in table.itertuples(index=False)
    }
    nan = float("nan")
    expected = {
        # 2021: central 100 + 30 = 130 planned, 80 + 0 = 80 disbursed: 61.538%
        (2021, "central"): (130.0, 80.0, 100 * 80 / 130),
        (2021, "provincial"): (50.0, 50.0, 100.0),
        (2021, "total"): (180.0, 130.0, 100 * 130 / 180),  # 72.22%
        # 2022: no activity reported: only a total row, money unknown (not zero)
        (2022, "total"): (nan, nan, nan),
        # 2023: central had nothing that year: 0 planned, no share
        (2023, "central"): (0.0, 0.0, nan),
        (2023, "provincial"): (200.0, 150.0, 75.0),
        (2023, "total"): (200.0, 150.0, 75.0),
        # the period, by source and in all: 2020's "other" and 2024 left out
        (None, "central"): (130.0, 80.0, 100 * 80 / 130),
        (None, "provincial"): (250.0, 200.0, 80.0),
        (None, "total"): (380.0, 280.0, 100 * 280 / 380),  # 73.68%
    }
    assert set(got) == set(expected)
    for key, values in expected.items():
        for a, b in zip(got[key], values, strict=True):
            assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b), key
    # rows year by year, sources in codes.yaml order, the year's total last; then the period
    order = [
        (None if pd.isna(y) else int(y), s)
        for y, s in zip(table.year, table.funding_source, strict=True)
    ]
    assert order == [
        (2021, "central"),
        (2021, "provincial"),
        (2021, "total"),
        (2022, "total"),
        (2023, "central"),
        (2023, "provincial"),
        (2023, "total"),
        (None, "central"),
        (None, "provincial"),
        (None, "total"),
    ]


def test_funding_matrix_puts_the_years_side_by_side() -> None:
    grid = review.funding_matrix(review.funding_period(FUNDING, 2021, 2023), "planned_mvnd")
    assert list(grid.columns) == ["funding_source", "y2021", "y2022", "y2023", "period"]
    rows = grid.set_index("funding_source")
    assert list(rows.index) == ["central", "provincial", "total"]
    assert rows.loc["central", "y2021"] == 130.0 and rows.loc["central", "y2023"] == 0.0
    assert math.isnan(rows.loc["central", "y2022"])  # 2022 reported nothing
    assert rows.loc["total", "period"] == 380.0


# --------------------------------------------------------------------------- tasks and bodies

BODIES = _activities(
    [
        ("178", 2021, "training", "provincial", 100.0, 90.0, 10, 0, 0),
        ("178", 2023, "environment", "local", 50.0, 25.0, 0, 0, 0),
        ("SCT", 2022, "trade_promotion", "provincial", 40.0, 40.0, 0, 2, 0),
        ("05977", 2025, "tourism", "local", 0.0, 10.0, 0, 0, 0),
        ("999", 2025, "training", "other", 10.0, 5.0, 4, 0, 1),
    ]
)
UNITS = pd.DataFrame(
    {
        "unit_code": ["SCT", "178", "05977"],
        "body": ["Sở Công Thương", "Thành phố Lạng Sơn", "Phường Đông Kinh"],
        "level": ["department", "district", "commune"],
    }
)


def test_activities_by_body_departments_then_districts_then_communes() -> None:
    table = review.activities_by_body(BODIES, UNITS)
    assert list(table["unit_code"]) == ["SCT", "178", "05977", "999"]
    assert list(table["level"]) == ["department", "district", "commune", "other"]
    city = table.set_index("unit_code").loc["178"]
    # 178: two activities, 100 + 50 = 150 planned, 90 + 25 = 115 disbursed (76.67%)
    assert city["body"] == "Thành phố Lạng Sơn"
    assert (city["activities"], city["planned_mvnd"], city["disbursed_mvnd"]) == (2, 150.0, 115.0)
    assert city["disbursed_pct"] == pytest.approx(100 * 115 / 150)
    assert (city["first_year"], city["last_year"], city["trainees"]) == (2021, 2023, 10)
    assert city["task_groups"] == ("training", "environment")  # codes.yaml order
    ward = table.set_index("unit_code").loc["05977"]
    assert math.isnan(ward["disbursed_pct"])  # nothing planned: no share
    unknown = table.set_index("unit_code").loc["999"]
    assert unknown["body"] == "999"  # a code the directory lacks keeps its code


def test_tasks_over_the_period_count_their_bodies() -> None:
    table = review.tasks_period(BODIES).set_index("task_group")
    assert list(table.index) == ["training", "trade_promotion", "environment", "tourism"]
    training = table.loc["training"]
    # training: 178 (100/90, 10 trainees) and 999 (10/5, 4 trainees)
    assert (training["activities"], training["bodies"]) == (2, 2)
    assert (training["planned_mvnd"], training["disbursed_mvnd"], training["trainees"]) == (
        110.0,
        95.0,
        14,
    )
    assert training["disbursed_pct"] == pytest.approx(100 * 95 / 110)
    # all planned: 100 + 50 + 40 + 0 + 10 = 200; training 110 of it = 55%
    assert training["planned_share_pct"] == pytest.approx(55.0)
    assert (training["first_year"], training["last_year"]) == (2021, 2025)


def test_the_directory_knows_every_district_commune_and_department() -> None:
    units = review.unit_directory("vi").set_index("unit_code")
    assert units.loc["178", "level"] == "district"
    assert units.loc["05977", "body"] == "Phường Đông Kinh"
    assert units.loc["SCT", "level"] == "department"
    assert review.unit_directory("en").set_index("unit_code").loc["SCT", "body"] == (
        "Department of Industry and Trade"
    )


# ------------------------------------------------------------------------------- pace to 2030


def _pace() -> pd.DataFrame:
    ind = _indicators(
        [
            ("T6", PROVINCE, "province", 2020, 90.0),
            ("T6", PROVINCE, "province", 2023, 93.0),
            ("T6", PROVINCE, "province", 2025, 94.7),
            ("T1", PROVINCE, "province", 2021, 0.0),
            ("T1", PROVINCE, "province", 2025, 1.0),
            ("T4", PROVINCE, "province", 2023, 1.0),
            ("T4", PROVINCE, "province", 2025, 3.0),
        ]
    )
    targets = _targets(
        [
            ("T6", 2025, "province", ">=", 100),
            ("T6", 2030, "province", ">=", 100),
            ("T1", 2025, "province", ">=", 1),
            ("T1", 2030, "province", ">=", 3),
            ("T4", 2025, "province", ">=", 1),
            ("T4", 2030, "province", ">=", 2),
        ]
    )
    return review.required_pace(assess_progress(ind, 2025, targets), [PROVINCE], 2025)


def test_the_pace_needed_after_2025_for_a_target_short_in_2025() -> None:
    pace = _pace().set_index("indicator_id")
    t6 = pace.loc["T6"]
    # 2025: 94.7 against >= 100: not achieved, 5.3 points short
    assert t6["status_review"] == "not_achieved"
    assert t6["shortfall_review"] == pytest.approx(5.3)
    # 2030: still 100 - 94.7 = 5.3 points, over 2026-2030 = 5.3 / 5 = 1.06 a year;
    # kept so far: (94.7 - 90) / (2025 - 2020) = 0.94 a year; 1.06 / 0.94 = 1.128 times faster
    assert t6["still_needed"] == pytest.approx(5.3)
    assert t6["required_per_year"] == pytest.approx(1.06)
    assert t6["observed_per_year"] == pytest.approx(0.94)
    assert t6["pace_ratio"] == pytest.approx(1.06 / 0.94)
    # T1 (cumulative, base 0 at the end of 2020): met in 2025 (1 >= 1); 2030 needs 3 - 1 = 2,
    # 0.4 a year against 1 / 5 = 0.2 kept: twice as fast
    t1 = pace.loc["T1"]
    assert t1["status_review"] == "achieved"
    assert (t1["still_needed"], t1["required_per_year"]) == pytest.approx((2.0, 0.4))
    assert t1["observed_per_year"] == pytest.approx(0.2)
    assert t1["pace_ratio"] == pytest.approx(2.0)
    # T4: 3 in 2025 already meets 2030's >= 2: nothing still needed, no pace, no ratio
    t4 = pace.loc["T4"]
    assert (t4["status_end"], t4["still_needed"], t4["required_per_year"]) == ("achieved", 0, 0)
    assert math.isnan(t4["pace_ratio"])
    assert text.drafted_met_targets(_pace(), "vi") == [
        "T4 (Làng nghề gắn với du lịch): 3 năm 2025, đã đạt mục tiêu năm 2030 (≥ 2)."
    ]


def test_directions_and_causes_drafted_from_the_pace_and_the_money() -> None:
    pace = _pace()
    lines = text.drafted_directions(pace, 2021, "vi")
    assert [line[:2] for line in lines] == ["T1", "T6"]  # T4 needs nothing more
    t6 = next(line for line in lines if line.startswith("T6"))
    assert "còn cần thêm 5,3 điểm %" in t6
    assert "bình quân 1,1 điểm %/năm trong giai đoạn 2026-2030" in t6
    assert "(giai đoạn 2021-2025: 0,9 điểm %/năm)" in t6
    t1 = next(line for line in text.drafted_directions(pace, 2021, "en") if line.startswith("T1"))
    assert "(≥ 3)" in t1 and "2 more is needed" in t1 and "0.4 a year over 2026-2030" in t1
    tasks = review.tasks_period(BODIES)
    causes = text.drafted_causes(pace, tasks, "vi", RULES)
    # T1 met in 2025: no cause drafted; T6 not achieved: environment was 50 of 200 planned
    # (25.0%), 25 of 50 disbursed (50.0%)
    assert len(causes) == 1 and causes[0].startswith("T6 (không đạt)")
    assert "50,0 triệu đồng" in causes[0] and "(25,0% tổng kinh phí kế hoạch)" in causes[0]
    assert causes[0].endswith("giải ngân 50,0%.")


def test_the_final_review_states_the_shortfall_not_a_pace() -> None:
    ind = _indicators(
        [
            ("T6", PROVINCE, "province", 2020, 90.0),
            ("T6", PROVINCE, "province", 2030, 97.5),
        ]
    )
    targets = _targets([("T6", 2030, "province", ">=", 100)])
    pace = review.required_pace(assess_progress(ind, 2030, targets), [PROVINCE], 2030)
    row = pace.iloc[0]
    # 2030: 97.5 against >= 100: not achieved, 2.5 points short; kept (97.5 - 90) / 10 = 0.75
    assert (row["status_review"], row["status_end"]) == ("not_achieved", "not_achieved")
    assert row["shortfall_review"] == pytest.approx(2.5) and row["still_needed"] == pytest.approx(
        2.5
    )
    assert math.isnan(row["required_per_year"]) and row["observed_per_year"] == pytest.approx(0.75)
    (line,) = text.drafted_directions(pace, 2021, "vi")
    assert "không đạt mục tiêu năm 2030 (≥ 100,0%), còn thiếu 2,5 điểm %" in line
    assert "(giai đoạn 2021-2030: bình quân 0,8 điểm %/năm)" in line  # 0.75 rounds half up


def test_a_missing_change_prints_a_dash_alone() -> None:
    assert text.change_text(float("nan"), "percent", "vi") == "—"
    assert text.change_text(5.25, "percent", "vi") == "5,3 điểm %"  # half up, in points
    assert text.change_text(2.0, "count", "en") == "2"


def test_money_above_and_below_the_slow_share_is_drafted_on_its_side() -> None:
    period = review.funding_period(FUNDING, 2021, 2023)
    tasks = review.tasks_period(FUNDING[FUNDING["year"].between(2021, 2023)])
    weak = text.drafted_shortcomings(period, tasks, "vi", RULES)
    strong = text.drafted_strengths(period, tasks, "vi", RULES)
    # the period: 280/380 = 73.7% < 80; central 61.5% < 80; provincial exactly 80: not slow
    assert weak[0] == (
        "Cả giai đoạn: giải ngân 280,0 triệu đồng/380,0 triệu đồng kế hoạch (73,7%)."
    )
    assert "Ngân sách trung ương (61,5%)" in weak[1] and "Ngân sách tỉnh" not in weak[1]
    assert "Ngân sách tỉnh (80,0%)" in " ".join(strong)
    # years: 2021 130/180 = 72.2%, 2023 150/200 = 75.0%; 2022 reported nothing: not named
    assert weak[2] == "Các năm giải ngân dưới 80% kế hoạch: 2021 (72,2%); 2023 (75,0%)."
    # task groups: training 130/150 = 86.7% (strong), environment 150/230 = 65.2% (weak)
    assert "Bảo vệ môi trường làng nghề (65,2%)" in weak[3]
    assert "Đào tạo nghề, truyền nghề (86,7%)" in " ".join(strong)


# ------------------------------------------------------------------------------ sample store


def test_review_money_agrees_with_the_store_cell_by_cell(sample_db: Path) -> None:
    """Every (year, source) cell, each year's total, each source's period total and each body's
    sums equal the store's own sums of ``activities``."""
    ds = load_dataset(sample_db)
    period = review.funding_period(ds.activities, 2021, 2025)
    by_cell = query(
        "SELECT year, funding_source, SUM(planned_mvnd) AS p, SUM(disbursed_mvnd) AS d "
        "FROM activities WHERE year BETWEEN 2021 AND 2025 GROUP BY ALL",
        sample_db,
    )
    by_year = query(
        "SELECT year, SUM(planned_mvnd) AS p, SUM(disbursed_mvnd) AS d FROM activities "
        "WHERE year BETWEEN 2021 AND 2025 GROUP BY year",
        sample_db,
    )
    by_source = query(
        "SELECT funding_source, SUM(planned_mvnd) AS p, SUM(disbursed_mvnd) AS d "
        "FROM activities WHERE year BETWEEN 2021 AND 2025 GROUP BY funding_source",
        sample_db,
    )
    assert len(by_year) == 5  # the sample has every year of 2021-2025
    cells = period[period["year"].notna() & (period["funding_source"] != "total")]
    store = {(int(r.year), r.funding_source): (r.p, r.d) for r in by_cell.itertuples()}
    for r in cells.itertuples(index=False):
        planned, disbursed = store.get((int(r.year), r.funding_source), (0.0, 0.0))
        assert r.planned_mvnd == pytest.approx(planned), (r.year, r.funding_source)
        assert r.disbursed_mvnd == pytest.approx(disbursed), (r.year, r.funding_source)
    assert {k for k, v in store.items()} <= {
        (int(r.year), r.funding_source) for r in cells.itertuples(index=False)
    }
    totals = period[period["year"].notna() & (period["funding_source"] == "total")]
    year_sums = by_year.set_index("year")
    for r in totals.itertuples(index=False):
        assert r.planned_mvnd == pytest.approx(year_sums.loc[int(r.year), "p"])
        assert r.disbursed_mvnd == pytest.approx(year_sums.loc[int(r.year), "d"])
        assert r.disbursed_pct == pytest.approx(
            100 * year_sums.loc[int(r.year), "d"] / year_sums.loc[int(r.year), "p"]
        )
    whole = period[period["year"].isna()].set_index("funding_source")
    for r in by_source.itertuples(index=False):
        assert whole.loc[r.funding_source, "planned_mvnd"] == pytest.approx(r.p)
        assert whole.loc[r.funding_source, "disbursed_mvnd"] == pytest.approx(r.d)
    assert whole.loc["total", "planned_mvnd"] == pytest.approx(by_source["p"].sum())

    bodies = review.activities_by_body(ds.activities, review.unit_directory("vi"))
    by_unit = query(
        "SELECT unit_code, COUNT(*) AS n, SUM(planned_mvnd) AS p, SUM(disbursed_mvnd) AS d, "
        "SUM(trainees) AS t FROM activities GROUP BY unit_code",
        sample_db,
    ).set_index("unit_code")
    assert sorted(bodies["unit_code"]) == sorted(by_unit.index)
    for r in bodies.itertuples(index=False):
        assert r.activities == by_unit.loc[r.unit_code, "n"]
        assert r.planned_mvnd == pytest.approx(by_unit.loc[r.unit_code, "p"])
        assert r.disbursed_mvnd == pytest.approx(by_unit.loc[r.unit_code, "d"])
        assert r.trainees == by_unit.loc[r.unit_code, "t"]
    assert (bodies["body"] != bodies["unit_code"]).all()  # every sample body has a name
