"""``explain``: the members behind T1-T6 on the hand-worked data set of ``test_indicators``
(members, reasons and the value they add up to, worked out by hand in the comments), and on the
shipped sample: the members add up to ``compute_indicators`` for every place and year."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from indicator_fixtures import make_dataset
from test_indicators import CRAFTS, DISTRICT_CRAFTS, VILLAGE_YEAR, VILLAGES

from analysis.core.errors import UsageError
from analysis.data.resolve import AmbiguousNameError
from analysis.indicators.compute import compute_indicators, reporting_years
from analysis.indicators.explain import EXPLAIN_COLUMNS, EXPLAINED, explain
from analysis.pipeline import load_dataset

PROVINCE = "tinh-lang-son"


@pytest.fixture(scope="module")
def ds():
    return make_dataset(VILLAGES, VILLAGE_YEAR, CRAFTS, DISTRICT_CRAFTS)


def rows(members: pd.DataFrame) -> dict[str, tuple]:
    """member_id -> (counted, reason)."""
    return {r.member_id: (bool(r.counted), r.reason) for r in members.itertuples(index=False)}


def test_t1_restored_villages(ds) -> None:
    # 2023: B restored 2023 and C 2021 count; A and D never restored.
    members = explain(ds, "T1", 2023, lang="en")
    assert list(members.columns) == ["indicator_id", "place_id", *EXPLAIN_COLUMNS[1:]]
    assert rows(members) == {
        "VB": (True, "craft restored in 2023"),
        "VC": (True, "craft restored in 2021"),
        "VA": (False, "craft not restored"),
        "VD": (False, "craft not restored"),
    }
    assert members.attrs["value"] == 2 == members["counted"].sum()
    # 2021: B's restoration comes later.
    assert rows(explain(ds, "T1", 2021, lang="en"))["VB"] == (
        False,
        "craft restored in 2023, after 2021",
    )


def test_t2_crafts_of_an_area_and_areas_reaching_the_target(ds) -> None:
    # 2022: Cao Lộc produces RUOU and MOC; Tràng Định MOC only. Target up to 2025: 2 crafts.
    area = explain(ds, "T2", 2022, place="cao-loc")
    assert sorted(area["member_id"]) == ["MOC", "RUOU"] and area.attrs["value"] == 2
    top = explain(ds, "T2", 2022, lang="en").set_index("member_id")
    assert len(top) == 11 and top["counted"].sum() == 1 == top.attrs["value"]
    assert top.attrs["denominator"] == 11
    assert top.at["183", "reason"] == "2 commodity crafts (target 2)"
    assert top.at["180", "reason"] == "1 commodity crafts (target 2)"
    with pytest.raises(UsageError, match="not commune"):
        explain(ds, "T2", 2022, place="xa-cong-son")


def test_t3_recognised_villages_and_crafts(ds) -> None:
    # 2023: village A (2022) and craft RUOU (2022) count; B (2016) and craft OLD (recognised
    # before 2021) are older than the programme; C, D and craft MOC were never recognised.
    members = explain(ds, "T3", 2023, lang="en")
    found = rows(members)
    assert {k: found[k] for k in ("VA", "RUOU", "VB", "VC", "VD", "MOC")} == {
        "VA": (True, "recognised in 2022"),
        "RUOU": (True, "traditional craft recognised in 2022"),
        "VB": (False, "recognised in 2016, before the programme (2021)"),
        "VC": (False, "not recognised"),
        "VD": (False, "not recognised"),
        "MOC": (False, "craft not recognised"),
    }
    assert found["OLD"][0] is False
    assert found["OLD"][1].endswith("before the programme (2021)")
    assert members.attrs["value"] == 2 == members["counted"].sum()
    assert set(members.loc[members["member_type"] == "craft", "member_id"]) == set(
        ds.crafts["craft_id"]
    )
    # In Cao Lộc: villages only (A and B), the crafts belong to the province.
    assert set(explain(ds, "T3", 2023, place="183")["member_id"]) == {"VA", "VB"}


def test_t4_villages_linked_with_tourism(ds) -> None:
    members = explain(ds, "T4", 2023, lang="vi")
    assert rows(members)["VA"] == (True, "gắn với du lịch năm 2023")
    assert rows(members)["VC"] == (False, "gắn với du lịch năm 2020, trước chương trình (2021)")
    assert rows(members)["VB"] == (False, "chưa gắn với du lịch")
    assert members.attrs["value"] == 1


def test_t5_effective_villages_and_what_the_others_fail(ds) -> None:
    # 2022: A's revenue fell (1000 < 0.95 x 1100); B has 25% of households (needs 30%): 0/2.
    members = explain(ds, "T5", 2022, lang="en").set_index("member_id")
    assert members.attrs["value"] == 0 and members.attrs["denominator"] == 2
    assert not members.loc[["VA", "VB"], "counted"].any()
    assert members.loc[["VA", "VB"], "reported"].all()
    assert members.at["VA", "reason"].startswith("fails: Production stable")
    assert "household share 25.0% (needs 30%)" in members.at["VB", "reason"]
    assert members.at["VC", "reason"] == "not recognised by the end of 2022"
    assert not members.loc[["VC", "VD"], "in_scope"].any()
    # 2023: B's revenue is missing: it cannot be judged and is left out; A fails: 0/1.
    later = explain(ds, "T5", 2023, lang="en").set_index("member_id")
    assert not later.at["VB", "reported"] and later.at["VB", "in_scope"]
    assert later.at["VB", "reason"].startswith("cannot be judged")
    assert (later.attrs["numerator"], later.attrs["denominator"]) == (0, 1)
    # 2021: B effective, 1/1.
    first = explain(ds, "T5", 2021, lang="en").set_index("member_id")
    assert first.at["VB", "counted"] and first.at["VB", "reason"] == "operating effectively"
    assert first.attrs["value"] == pytest.approx(100.0)


def test_t6_facilities_not_yet_compliant(ds) -> None:
    # 2023: A 50 of 50 comply; B 48 of 64 (16 do not); C and D are not recognised.
    members = explain(ds, "T6", 2023, lang="en").set_index("member_id")
    assert members.loc[["VA", "VB"], ["numerator", "denominator", "gap"]].to_numpy().tolist() == [
        [50, 50, 0],
        [48, 64, 16],
    ]
    assert members.at["VB", "reason"] == "16 of 64 facilities do not yet meet the rules"
    assert members.at["VA", "reason"] == "all 50 facilities comply"
    assert members.loc[["VC", "VD"], "numerator"].isna().all()
    assert members.attrs["value"] == pytest.approx(100 * 98 / 114)
    # By place: Tràng Định has no recognised village, so no value (not 0).
    assert np.isnan(explain(ds, "T6", 2023, place="trang-dinh").attrs["value"])


def test_names_go_through_the_resolver(ds) -> None:
    assert explain(ds, "t6", 2023, place="Huyện Cao Lộc").attrs["place_id"] == "cao-loc"
    assert explain(ds, "T6", 2023, place="cong son").attrs["place_id"] == "xa-cong-son"
    with pytest.raises(AmbiguousNameError, match="xa-cao-loc"):
        explain(ds, "T6", 2023, place="Cao Lộc")
    with pytest.raises(UsageError, match="T1, T2"):
        explain(ds, "C9", 2023)


def test_year_without_figures_is_unknown(ds) -> None:
    members = explain(ds, "T1", 2024, lang="en")
    assert np.isnan(members.attrs["value"]) and not members["reported"].any()
    assert set(members["reason"]) == {"no data for 2024"}


def _sum_of_members(members: pd.DataFrame, indicator: str, level: str) -> pd.DataFrame:
    """Value of each place of ``level`` from province-wide members (as compute sums them)."""
    key = f"{level}_code"
    used = members[members["reported"] & members["member_type"].eq("village")]
    if indicator in ("T5", "T6"):
        sums = used.groupby(key)[["numerator", "denominator"]].sum()
        return 100 * sums["numerator"] / sums["denominator"].where(sums["denominator"] > 0)
    return used.groupby(key)["counted"].sum().astype(float)


def test_members_add_up_to_every_published_value(sample_db: Path) -> None:
    ds = load_dataset(sample_db)
    computed = compute_indicators(ds)
    years = reporting_years(ds)
    checked = 0
    for indicator in EXPLAINED:
        for year in years:
            published = computed[
                (computed["indicator_id"] == indicator) & (computed["year"] == year)
            ].set_index(["place_level", "place_code"])["value"]
            top = explain(ds, indicator, year)
            assert top.attrs["value"] == pytest.approx(
                published.xs("province").iloc[0], nan_ok=True
            )
            checked += 1
            levels = ["district"] if indicator == "T2" else ["district", "commune"]
            for level in levels:
                expected = published.xs(level)
                if indicator == "T2":
                    got = top.set_index("member_id")["gap"].reindex(expected.index)
                else:
                    got = _sum_of_members(top, indicator, level).reindex(expected.index)
                    # Places without members in scope: 0 for counts, no value for shares.
                    got = got.fillna(np.nan if indicator in ("T5", "T6") else 0.0)
                pd.testing.assert_series_equal(
                    got.astype(float), expected.astype(float), check_names=False
                )
                checked += len(expected)
    # T1, T3-T6: province, 11 areas, 65 communes; T2: province and 11 areas.
    assert checked == len(years) * (5 * 77 + 12)
    # A place asked for by name gives the same value as the published one.
    row = computed.query("indicator_id == 'T6' and place_id == 'cao-loc' and year == 2025")
    assert explain(ds, "T6", 2025, "Huyện Cao Lộc").attrs["value"] == pytest.approx(
        row["value"].iloc[0], nan_ok=True
    )


def test_a_withdrawn_recognition_says_so() -> None:
    # VW recognised 2022, recognition withdrawn 2024: in T3 and T6 in 2023, out in 2024.
    village = {
        "village_id": "VW",
        "recognition": "lang_nghe",
        "recognised": 2022,
        "recognition_regime": "52/2018",
        "withdrawal_year": 2024,
        "withdrawal_decision": "12/QĐ-UBND",
    }
    data = make_dataset([village], [{"village_id": "VW", "year": y} for y in (2022, 2023, 2024)])
    assert rows(explain(data, "T3", 2023, lang="en"))["VW"] == (True, "recognised in 2022")
    assert rows(explain(data, "T3", 2024, lang="en"))["VW"] == (
        False,
        "recognised in 2022, but recognition withdrawn in 2024",
    )
    later = explain(data, "T6", 2024, lang="en")
    assert rows(later)["VW"] == (False, "recognition withdrawn in 2024")
    assert not later["in_scope"].any() and np.isnan(later.attrs["value"])
    # 2023: 40 of its 50 facilities comply (the defaults): 80%.
    assert explain(data, "T6", 2023).attrs["value"] == pytest.approx(80.0)
