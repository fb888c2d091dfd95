"""Worked answers: each question function on hand-made data with the expected numbers worked out
by hand, then every notebook of ``notebooks/questions/`` and ``notebooks/tour/explore.ipynb`` run
with papermill on a store built from the shipped sample, checking the numbers they print."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from indicator_fixtures import make_dataset

from analysis.core import config
from analysis.data.store import Dataset
from analysis.explore import questions as q
from analysis.explore import scenarios as sc
from analysis.indicators.compute import compute_indicators
from analysis.indicators.progress import assess_progress

PROVINCE = "tinh-lang-son"
QUESTIONS = config.NOTEBOOKS_DIR / "questions"
NOTEBOOKS = [config.NOTEBOOKS_DIR / "tour" / "explore.ipynb", *sorted(QUESTIONS.glob("*.ipynb"))]


def indicator_rows(indicator: str, place: str, level: str, values: dict[int, float]) -> list:
    return [
        {
            "indicator_id": indicator,
            "place_id": place,
            "place_level": level,
            "year": y,
            "value": float(v),
        }
        for y, v in values.items()
    ]


@pytest.fixture(scope="module")
def progress() -> pd.DataFrame:
    """Statuses judged in 2025 on hand-made series (targets.csv: T2 >= 2 and >= 3 per area,
    T6 >= 100% for the province in 2025 and 2030):

    - T2 Cao Lộc 0 (2021), 1 (2023), 1 (2025): 2025 missed by 1; for 2030 the straight line
      from 0 in 2021 through 1 in 2025 reaches 1 * 9 / 4 = 2.25, short by 0.75; the trend is
      +0.25 a year, (3 - 1) / 5 = 0.4 a year is needed.
    - T2 Bắc Sơn 2 (2021), 3 (2025): both targets met.
    - T6 90% (2021), 94% (2025): 2030 projection 90 + 4 * 9 / 4 = 99%, short by 1 point; trend
      +1 point a year, 1.2 needed.
    """
    rows = (
        indicator_rows("T2", "cao-loc", "district", {2021: 0, 2023: 1, 2025: 1})
        + indicator_rows("T2", "bac-son", "district", {2021: 2, 2025: 3})
        + indicator_rows("T6", PROVINCE, "province", {2021: 90, 2025: 94})
    )
    return assess_progress(pd.DataFrame(rows), 2025)


def test_off_track_areas_and_shortfall(progress: pd.DataFrame) -> None:
    table = q.off_track(progress, 2025)
    assert list(table["place_id"]) == ["cao-loc"]
    row = table.iloc[0]
    assert (row["current_value"], row["target_value"], row["shortfall"]) == (1, 2, 1)
    assert row["status"] in q.OFF_TRACK
    answer = q.off_track_answer(progress, 2025, "district", "vi")
    assert answer.startswith(
        "Số địa bàn cấp huyện chưa đạt tiến độ mục tiêu năm 2025 "
        "(đánh giá theo số liệu đến năm 2025): **1/2**"
    )
    assert (
        "- Cao Lộc — T2 (Nghề sản xuất thành hàng hóa ở mỗi huyện): 1, mục tiêu ≥ 2, "
        "còn thiếu 1 (" in answer
    )
    # T6 at 94% of a 100% target whose year has come: 6 points short.
    province = q.off_track(progress, 2025, "province")
    assert province.iloc[0]["shortfall"] == pytest.approx(6.0)
    assert "short by 6.0 pp" in q.off_track_answer(progress, 2025, "province", "en")


def test_no_place_off_track(progress: pd.DataFrame) -> None:
    on_track = progress[progress["place_id"] == "bac-son"]
    assert q.off_track(on_track, 2025).empty
    assert q.off_track_answer(on_track, 2025, "district", "en").endswith("**0 of 1**\n\nNone.")


def test_missed_2030_targets_along_the_trend(progress: pd.DataFrame) -> None:
    table = q.missed_targets(progress, 2030)
    assert list(table["indicator_id"] + "/" + table["place_id"]) == ["T2/cao-loc", f"T6/{PROVINCE}"]
    t2, t6 = table.iloc[0], table.iloc[1]
    assert t2["projection"] == pytest.approx(2.25)
    assert t2["projected_shortfall"] == pytest.approx(0.75)
    assert t2["observed_per_year"] == pytest.approx(0.25)
    assert t2["required_per_year"] == pytest.approx(0.4)
    assert t6["projection"] == pytest.approx(99.0)
    assert t6["observed_per_year"] == pytest.approx(1.0)
    assert t6["required_per_year"] == pytest.approx(1.2)
    answer = q.missed_targets_answer(progress, 2030, "en")
    assert "**2**" in answer
    assert (
        "Lạng Sơn — T6 (Facilities meeting environmental rules): 94.0% in 2025, projected "
        "99.0% against ≥ 100.0%; needs 1.2 pp more a year, the trend gives 1.0 pp a year"
    ) in answer


def test_a_share_projected_past_100_percent_is_kept_at_100() -> None:
    # 60% (2021) -> 96% (2025): the line reaches 141% in 2030, read as 100%: not missed.
    fast = assess_progress(
        pd.DataFrame(indicator_rows("T6", PROVINCE, "province", {2021: 60, 2025: 96})), 2025
    )
    assert q.missed_targets(fast, 2030).empty


def test_unprojected_targets_are_counted() -> None:
    single = assess_progress(
        pd.DataFrame(indicator_rows("T6", PROVINCE, "province", {2025: 94})), 2025
    )
    assert len(q.unprojected(single, 2030)) == 1
    assert "Targets not yet met that cannot be projected (missing data): 1." in (
        q.missed_targets_answer(single, 2030, "en")
    )


@pytest.fixture(scope="module")
def villages() -> Dataset:
    """For T6 and recognition, 2023-2025 (100 households; defaults env ok, revenue flat):

    - RA recognised 2022: 50 facilities, 40 compliant; RB recognised 2023, no facility figures;
    - NR not recognised: 50% of households, every criterion met (ready);
    - N1: 60% of households, no environmental plan (lacks one);
    - N2: 30% of households, no self-managed group (lacks one);
    - N3: 10% of households and no plan (lacks two).
    """
    vs = [
        {
            "village_id": "RA",
            "recognition": "lang_nghe",
            "recognised": 2022,
            "recognition_regime": "52/2018",
        },
        {
            "village_id": "RB",
            "recognition": "lang_nghe",
            "recognised": 2023,
            "recognition_regime": "52/2018",
        },
        {"village_id": "NR"},
        {"village_id": "N1"},
        {"village_id": "N2"},
        {"village_id": "N3"},
    ]
    special = {
        "RB": {"facilities": None, "facilities_compliant": None},
        "N1": {"households_craft": 60, "env_plan": False},
        "N2": {"households_craft": 30, "env_group": False},
        "N3": {"households_craft": 10, "env_plan": False},
    }
    rows = [
        {"village_id": v["village_id"], "year": y, **special.get(v["village_id"], {})}
        for v in vs
        for y in (2023, 2024, 2025)
    ]
    return make_dataset(vs, rows)


def test_facilities_to_comply(villages: Dataset) -> None:
    table = q.facilities_to_comply(villages, 2025)
    assert list(table["village_id"]) == ["RA", "RB"]
    assert table.iloc[0][["facilities", "facilities_compliant", "remaining"]].tolist() == [
        50,
        40,
        10,
    ]
    assert pd.isna(table.iloc[1]["remaining"])
    # The same scope as T6: 40/50 = 80%.
    t6 = (
        compute_indicators(villages, [2025])
        .query("indicator_id == 'T6' and place_level == 'province'")["value"]
        .iloc[0]
    )
    assert t6 == pytest.approx(80.0)
    assert q.facilities_answer(villages, 2025, 2030, "vi") == (
        "Năm 2025, **10** trong tổng số 50 cơ sở, hộ sản xuất của 1 làng nghề đã được công nhận "
        "chưa đáp ứng quy định bảo vệ môi trường (T6 = 80,0%). Để đạt 100% vào năm 2030 cần "
        "thêm khoảng 2 cơ sở mỗi năm. Số làng được công nhận chưa có số liệu cơ sở sản xuất: 1."
    )


def test_t6_shortfall_names_villages_and_communes(villages: Dataset) -> None:
    # RA (Cao Lộc, xã Công Sơn): 40 of 50 facilities comply, 10 do not; RB has no figures.
    short = q.t6_shortfall(villages, 2025)
    assert list(short["member_id"]) == ["RA"] and short["gap"].tolist() == [10]
    assert short.attrs["value"] == pytest.approx(80.0)
    by_commune = q.t6_shortfall_by_commune(short)
    assert by_commune[
        ["commune", "area", "villages", "facilities", "remaining"]
    ].values.tolist() == [["Công Sơn", "Cao Lộc", 1, 50, 10]]
    assert q.t6_shortfall_answer(villages, 2025, lang="en") == (
        "Lạng Sơn, 2025: T6 = 80.0% (40 of 50 facilities meet the environmental rules). **10** "
        "do not, in **1** villages of 1 communes:\n\n"
        "- Thôn thử (RA), Xã Công Sơn, Cao Lộc: 10 of 50 facilities do not comply"
    )
    # Tràng Định has no recognised village: nothing to comply, no value.
    assert q.t6_shortfall_answer(villages, 2025, "trang-dinh", "vi") == (
        "Tràng Định, năm 2025: T6 = —; mọi cơ sở của các làng đã được công nhận đều đáp ứng quy "
        "định."
    )


def test_closest_to_recognition(villages: Dataset) -> None:
    table = q.closest_to_recognition(villages, 2025, n=3)
    assert list(table["village_id"]) == ["NR", "N1", "N2"]
    assert table["ready"].tolist() == [True, False, False]
    assert table.iloc[1]["lacks_en"] == "no environmental protection plan"
    answer = q.closest_answer(villages, 2025, 2, "en")
    assert answer == (
        "Villages that meet all three criteria of a craft village (Decree 52/2018, Art. 5) but "
        "are not recognised: **1**\n\n"
        "- Thôn thử (NR, Cao Lộc, Test craft): 50.0% of households in the craft\n\n"
        "The closest of the villages lacking one criterion, largest share of households in the "
        "craft first: **1**\n\n"
        "- Thôn thử (N1, Cao Lộc, Test craft): 60.0% of households in the craft; still "
        "lacking: no environmental protection plan"
    )


def test_change_text_and_formatted() -> None:
    assert q.change_text(5.25, "percent", "vi") == "5,3 điểm %"
    assert q.change_text(0.4, "count", "en") == "0.4"
    table = pd.DataFrame(
        {
            "place_id": ["cao-loc"],
            "unit": ["percent"],
            "current_value": [94.72],
            "shortfall": [5.28],
            "household_share": [0.5],
            "ready": [True],
            "current_year": [2025],
            "status": ["deterioration"],
            "symbol": ["✖"],
            "label_vi": ["Đi xuống"],
            "label_en": ["Deterioration"],
        }
    )
    shown = q.formatted(table, "vi")
    assert shown.iloc[0].tolist() == [
        "Cao Lộc",
        "percent",
        "94,7%",
        "5,3 điểm %",
        "50,0%",
        "Có",
        2025,
        "✖ Đi xuống",
    ]


def test_store_path() -> None:
    assert q.store_path("") is None
    assert q.store_path("x.duckdb") == Path("x.duckdb")


# ------------------------------------------------------------------ notebooks on the sample


def _outputs(path: Path) -> str:
    """Every text the executed notebook shows (Markdown, plain text, streams), joined."""
    nb = nbformat.read(path, as_version=4)
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            texts.append(data.get("text/markdown") or data.get("text/plain") or "")
            texts.append(out.get("text", ""))
    return unicodedata.normalize("NFC", "\n".join(texts))


@pytest.fixture(scope="module")
def executed(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each notebook run once with papermill against the temporary sample store."""
    import papermill

    out = tmp_path_factory.mktemp("notebooks")
    runs = {}
    for nb in NOTEBOOKS:
        target = out / nb.name
        papermill.execute_notebook(
            str(nb),
            str(target),
            parameters={"db_path": str(sample_db)},
            kernel_name="python3",
            progress_bar=False,
            cwd=str(out),
        )
        runs[nb.stem] = target
    return runs


@pytest.fixture(scope="module")
def sample_ctx(sample_db: Path):
    return q.context(2025, "vi", sample_db)


@pytest.mark.slow
def test_off_track_2025_notebook(executed: dict[str, Path], sample_ctx) -> None:
    text = _outputs(executed["off_track_2025"])
    # data/sample/district_crafts.csv, 2025: Bình Gia (181) HOI, Hữu Lũng (186) DANLAT and
    # Đình Lập (189) HOI have one commodity craft each, the 8 other areas two or three.
    assert "**3/11**" in text
    for area in ("Bình Gia", "Đình Lập", "Hữu Lũng"):
        assert (
            f"- {area} — T2 (Nghề sản xuất thành hàng hóa ở mỗi huyện): 1, mục tiêu ≥ 2, "
            f"còn thiếu 1" in text
        )
    assert q.off_track_answer(sample_ctx.progress, 2025, "district", "vi") in text
    # Province-wide: T6 at 432 of 462 compliant facilities = 93,5%, 6,5 points short, not
    # achieved at its deadline (VQ-NARO's recognition withdrawn in 2025).
    assert (
        "T6 (Cơ sở sản xuất đáp ứng quy định môi trường): 93,5%, mục tiêu ≥ 100,0%, còn "
        "thiếu 6,5 điểm % (✗ Không đạt)" in text
    )


@pytest.mark.slow
def test_missed_2030_notebook(executed: dict[str, Path], sample_ctx) -> None:
    text = _outputs(executed["missed_2030"])
    assert q.missed_targets_answer(sample_ctx.progress, 2030, "vi") in text
    missed = q.missed_targets(sample_ctx.progress, 2030)
    assert f"**{len(missed)}**" in text
    # Chi Lăng and Văn Lãng have had 2 commodity crafts every year since 2021: flat, short of 3.
    for area in ("Chi Lăng", "Văn Lãng"):
        assert (
            f"- {area} — T2 (Nghề sản xuất thành hàng hóa ở mỗi huyện): 2 năm 2025, dự báo 2 "
            f"so với mục tiêu ≥ 3" in text
        )
    assert set(missed["place_id"]) >= {"chi-lang", "van-lang"}


@pytest.mark.slow
def test_t6_facilities_notebook(executed: dict[str, Path]) -> None:
    text = _outputs(executed["t6_facilities"])
    # Recognised in 2025: TD-NAPHIENG 176/147, CL-CONGSON 74/74, VL-HOIHOAN 84/84,
    # CLG-VANLINH 128/127 (VQ-NARO's recognition withdrawn in 2025): 462 facilities, 30 not
    # compliant, 432/462 = 93,5%; 30 / (2030 - 2025) = 6 a year.
    assert (
        "Năm 2025, **30** trong tổng số 462 cơ sở, hộ sản xuất của 4 làng nghề đã được công "
        "nhận chưa đáp ứng quy định bảo vệ môi trường (T6 = 93,5%). Để đạt 100% vào năm 2030 "
        "cần thêm khoảng 6 cơ sở mỗi năm."
    ) in text
    assert "TD-NAPHIENG" in text


@pytest.mark.slow
def test_t6_below_100_notebook(executed: dict[str, Path]) -> None:
    text = _outputs(executed["t6_below_100"])
    # As above: TD-NAPHIENG 147 of 176 comply (29 do not), CLG-VANLINH 127 of 128 (1 does
    # not), the two other recognised villages comply fully (VQ-NARO withdrawn in 2025):
    # 432/462 = 93,5%.
    assert (
        "Lạng Sơn, năm 2025: T6 = 93,5% (432/462 cơ sở, hộ sản xuất đáp ứng quy định bảo vệ môi "
        "trường). **30** cơ sở chưa đáp ứng, ở **2** làng, thuộc 2 xã, phường:"
    ) in text
    assert "- Thôn Nà Phiêng (TD-NAPHIENG), Xã Quốc Khánh, Tràng Định: 29/176 cơ sở" in text
    assert "- Thôn Hà Quảng (CLG-VANLINH), Xã Vạn Linh, Chi Lăng: 1/128 cơ sở" in text


@pytest.mark.slow
def test_closest_to_recognition_notebook(executed: dict[str, Path]) -> None:
    text = _outputs(executed["closest_to_recognition"])
    # VQ-HOI 2025: 107 of 144 households (74,3%), plan and group, stable: the one ready village.
    assert "chưa được công nhận: **1**" in text
    assert (
        "- Thôn Khòn Pá (VQ-HOI, Văn Quan, nghề Trồng và chưng cất tinh dầu hồi): 74,3% số "
        "hộ làm nghề" in text
    )
    assert "còn thiếu một tiêu chí, tỷ lệ hộ làm nghề cao nhất trước: **4**" in text


@pytest.mark.slow
def test_scenario_2026_notebook(executed: dict[str, Path]) -> None:
    text = _outputs(executed["scenario_2026"])
    assert (
        "- Thôn Khòn Pá (VQ-HOI, Văn Quan) được công nhận là làng nghề truyền thống năm 2026"
        in text
    )
    # Bắc Sơn's one village not yet linked with tourism.
    assert "- Thôn Nà Lay (BS-CHIENTHANG, Bắc Sơn) gắn với du lịch từ năm 2026" in text
    # T3 6 -> 8: the village and its traditional craft HOI, recognised with it (Decree 52,
    # Art. 5). T4 counts recognised craft villages: BS-CHIENTHANG is not one, T4 stays 0.
    # T6 (432 + 87) / (462 + 108) = 519/570 = 91,1% (VQ-NARO withdrawn in 2025).
    assert "- Lạng Sơn — T3: 6 → 8 (+2)" in text
    assert "— T4:" not in text
    assert "- Lạng Sơn — T6: 93,5% → 91,1% (-2,5 điểm %)" in text


@pytest.mark.slow
def test_explore_notebook(executed: dict[str, Path]) -> None:
    nb = nbformat.read(executed["explore"], as_version=4)
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 2
    text = _outputs(executed["explore"])
    assert "`synthetic`: **True**" in text
    assert "Kế hoạch 244/KH-UBND — Tỉnh Lạng Sơn — đánh giá theo số liệu đến năm 2025" in text


def test_scenario_raises_when_bac_son_has_one_village_left(sample_ctx) -> None:
    with pytest.raises(sc.ScenarioError, match=r"Bắc Sơn has 1 village\(s\).*BS-CHIENTHANG"):
        sc.resolve_changes(sample_ctx.ds, [sc.link_tourism_in("bac-son", 2, 2026)])
