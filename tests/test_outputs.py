"""Indicator CSVs: written from a store built from the shipped sample, marked synthetic, and
holding the figures that can be checked by hand against ``analysis/sample_spec.yaml``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.data import reference
from analysis.indicators.outputs import (
    SYNTHETIC_COMMENT,
    read_indicator_csv,
    write_csv,
    write_indicator_csvs,
)

NAMES = [
    "indicators",
    "progress",
    "effectiveness",
    "recognition_screen",
    "recognition_candidates",
    "readings",
]


@pytest.fixture(scope="module")
def written(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The CSVs written from the session's store of the shipped sample (tests/conftest.py)."""
    folder = tmp_path_factory.mktemp("outputs")
    paths = write_indicator_csvs(db_path=sample_db, out_dir=folder / "indicators")
    return {path.stem: path for path in paths}


def read(path: Path) -> pd.DataFrame:
    return read_indicator_csv(path)


def test_files_and_synthetic_mark(written) -> None:
    assert list(written) == NAMES
    for path in written.values():
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# DỮ LIỆU GIẢ LẬP - SYNTHETIC DATA"), path.name


def test_real_data_carry_no_comment(tmp_path: Path) -> None:
    path = write_csv(pd.DataFrame({"a": [1]}), tmp_path / "x.csv", synthetic=False)
    assert path.read_text(encoding="utf-8") == '"a"\n1\n'
    marked = write_csv(pd.DataFrame({"a": [1]}), tmp_path / "y.csv", synthetic=True)
    assert marked.read_text(encoding="utf-8").splitlines()[0] == SYNTHETIC_COMMENT


def test_statuses_for_every_reporting_year(written) -> None:
    progress = read(written["progress"])
    assert sorted(progress["year"].unique()) == [2021, 2022, 2023, 2024, 2025]
    bands = reference.status_bands().set_index("status")
    assert set(progress["status"]) <= set(bands.index)
    # Colours start with "#": they must survive the comment-skipping reader.
    assert (progress["colour"] == progress["status"].map(bands["colour"])).all()
    assert (progress["symbol"] == progress["status"].map(bands["symbol"])).all()
    # Per year: T1, T3-T6 for the province and T2 for the 11 areas, for 2025 and 2030.
    assert (progress.groupby("year").size() == (5 + 11) * 2).all()


def test_sample_figures_checked_by_hand(written) -> None:
    ind = read(written["indicators"])
    top = ind[ind["place_id"] == "tinh-lang-son"].set_index(["indicator_id", "year"])["value"]
    # sample_spec.yaml: restored BS-LONGHUNG 2024 and TP-MAIPHA 2025.
    assert [top["T1", y] for y in (2023, 2024, 2025)] == [0, 1, 2]
    # Villages recognised 2022 (TD-NAPHIENG), 2023 (VL-HOIHOAN, CLG-VANLINH), 2024 (CL-CONGSON)
    # and crafts HUONG (2022), CAOKHO (2023); VQ-NARO (2016) predates the programme.
    assert [top["T3", y] for y in (2021, 2022, 2023, 2024, 2025)] == [0, 2, 5, 6, 6]
    # Tourism: BS-THOCAM 2022, CL-MAUSON 2023, BS-LONGHUNG 2024, none of them a recognised
    # craft village: T4 (recognised craft villages, the default reading) is 0.
    assert [top["T4", y] for y in (2021, 2022, 2023, 2024, 2025)] == [0, 0, 0, 0, 0]
    readings = read(written["readings"]).set_index("indicator_id")
    assert readings.loc["T4", "reading_id"] == "recognised_villages"
    assert bool(readings.loc["T4", "is_default"])
    # T2 in 2025: every area of district_crafts with 2 or more crafts: 8 of 11 (Bình Gia,
    # Hữu Lũng and Đình Lập have 1).
    assert top["T2", 2025] == 8
    # Recognised stock: VQ-NARO, +1 2022, +2 2023, +1 2024; VQ-NARO's recognition withdrawn
    # in 2025 (decision 1862/QĐ-UBND): it counts out from 2025 on.
    assert [top["C1", y] for y in (2021, 2022, 2023, 2024, 2025)] == [1, 2, 4, 5, 4]


def test_effectiveness_and_screen_tables(written) -> None:
    eff = read(written["effectiveness"])
    assert {"meets_criteria", "production_stable", "income_not_falling", "effective"} <= set(
        eff.columns
    )
    # Recognised villages only: VQ-NARO 2021-2024 (withdrawn 2025), then the four recognised
    # in 2022-2024.
    assert eff.groupby("year").size().to_dict() == {2021: 1, 2022: 2, 2023: 4, 2024: 5, 2025: 4}
    screen = read(written["recognition_screen"])
    assert screen.groupby("year").size().to_dict() == {y: 30 for y in range(2021, 2026)}
