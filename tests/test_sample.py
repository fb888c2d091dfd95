"""The synthetic generator: deterministic, plausible, and marked synthetic everywhere."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pandas as pd
import pytest

from analysis.core import config
from analysis.data.sample import SampleOptions, generate, parse_years, write_tables
from analysis.data.store import validate_raw
from analysis.data.timeliness import submission_status


def test_same_seed_same_tables() -> None:
    first = generate(SampleOptions(seed=7))
    second = generate(SampleOptions(seed=7))
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name])


def test_other_seed_other_figures() -> None:
    a = generate(SampleOptions(seed=1))["village_year"]
    b = generate(SampleOptions(seed=2))["village_year"]
    assert not a["revenue_mvnd"].equals(b["revenue_mvnd"])


def test_shipped_sample_is_the_generator_output(tmp_path: Path) -> None:
    """data/sample is exactly what `python -m analysis sample` writes (seed 244, 2021-2025)."""
    options = SampleOptions(seed=244, first_year=2021, last_year=2025)
    write_tables(generate(options), tmp_path, options)
    for path in sorted(config.SAMPLE_DIR.glob("*")):
        assert filecmp.cmp(path, tmp_path / path.name, shallow=False), path.name


def test_every_file_says_synthetic() -> None:
    for path in config.SAMPLE_DIR.glob("*.csv"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# DỮ LIỆU GIẢ LẬP - SYNTHETIC DATA"), path.name
    assert "synthetic: true" in (config.SAMPLE_DIR / "dataset.yaml").read_text(encoding="utf-8")


def test_one_late_and_one_missing_submission() -> None:
    tables, _ = validate_raw(config.SAMPLE_DIR)
    # 4 years x 11 districts + 23 communes with villages in 2025 = 67 expected reports.
    statuses = pd.concat(
        [submission_status(tables["villages"], tables["submissions"], y) for y in range(2021, 2026)]
    ).drop_duplicates(["unit_code", "year"])
    assert statuses["status"].value_counts().to_dict() == {"on_time": 65, "late": 1, "missing": 1}
    missing = statuses[statuses["status"] == "missing"].iloc[0]
    late = statuses[statuses["status"] == "late"].iloc[0]
    assert (missing["unit_code"], missing["year"]) == ("189", 2023)  # Đình Lập
    assert (late["unit_code"], late["year"], late["days_late"]) == ("186", 2024, 36)  # Hữu Lũng


def test_all_eleven_areas_and_real_crafts() -> None:
    tables, _ = validate_raw(config.SAMPLE_DIR)
    assert tables["villages"]["district_code"].nunique() == 11
    names = set(tables["crafts"]["name_vi"])
    assert {"Làm hương", "Nấu rượu men lá", "Làm bánh cao khô", "Làm ngói âm dương"} <= names
    # the missing submission leaves its villages without figures that year
    vy = tables["village_year"]
    dinh_lap = tables["villages"].loc[tables["villages"]["district_code"] == "189", "village_id"]
    assert vy[vy["village_id"].isin(dinh_lap) & (vy["year"] == 2023)].empty
    assert vy[["income_mvnd_month", "revenue_mvnd"]].isna().sum().sum() == 4


@pytest.mark.parametrize("text", ["2025-2021", "abc", "2019-2022", "2021-2023-2025"])
def test_bad_year_ranges_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        parse_years(text)


def test_year_range_parsed() -> None:
    assert parse_years("2021-2025") == (2021, 2025)
    assert parse_years("2023") == (2023, 2023)
