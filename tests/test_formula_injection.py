"""Formula injection: text that a spreadsheet would run as a formula is made
inert in every CSV and XLSX the project writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.core import config
from analysis.core.text import defuse_formula, defuse_frame
from analysis.indicators.outputs import read_indicator_csv, write_csv, write_indicator_csvs
from analysis.intake.template import write_template
from analysis.intake.workbook import FIRST_DATA_ROW, sheet_specs
from analysis.pipeline import build_store, load_dataset

EVIL = '=HYPERLINK("http://x","click")'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (EVIL, "'" + EVIL),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Thôn Nà Rọ", "Thôn Nà Rọ"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (-2.5, -2.5),
        (None, None),
    ],
)
def test_defuse_formula(value: object, expected: object) -> None:
    assert defuse_formula(value) == expected


def test_defuse_frame_leaves_numbers_and_the_input_alone() -> None:
    frame = pd.DataFrame({"name": [EVIL, "Bản Piềng"], "value": [-1.5, 2.0]})
    out = defuse_frame(frame)
    assert list(out["name"]) == ["'" + EVIL, "Bản Piềng"]
    assert list(out["value"]) == [-1.5, 2.0]
    assert frame.at[0, "name"] == EVIL  # not mutated


def test_write_csv_writes_no_live_formula(tmp_path: Path) -> None:
    path = write_csv(pd.DataFrame({"name_vi": [EVIL], "n": [-3]}), tmp_path / "x.csv", False)
    text = path.read_text(encoding="utf-8")
    assert '"\'=HYPERLINK(""http://x"",""click"")",-3' in text
    assert not any(line.startswith(("=", '"=')) for line in text.splitlines())


@pytest.fixture(scope="module")
def evil_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample data with one village named like a formula, built into a store."""
    raw = tmp_path_factory.mktemp("evil") / "raw"
    shutil.copytree(config.SAMPLE_DIR, raw)
    path = raw / "villages.csv"
    text = path.read_text(encoding="utf-8")
    assert "VL-HOIHOAN,Thôn Nà Slải," in text
    path.write_text(
        text.replace(
            "VL-HOIHOAN,Thôn Nà Slải,", f'VL-HOIHOAN,"{EVIL.replace(chr(34), 2 * chr(34))}",'
        ),
        encoding="utf-8",
    )
    return build_store(raw, raw.parent / "store.duckdb", replay=False)


def test_recognition_candidates_csv_holds_no_live_formula(evil_store: Path, tmp_path: Path) -> None:
    written = write_indicator_csvs(evil_store, tmp_path)
    candidates = next(p for p in written if p.name == "recognition_candidates.csv")
    frame = read_indicator_csv(candidates)
    names = set(frame.loc[frame["village_id"] == "VL-HOIHOAN", "name_vi"])
    assert names == {"'" + EVIL}
    for path in written:
        for line in path.read_text(encoding="utf-8").splitlines():
            assert '"=' not in line and ",=" not in line and not line.startswith("=")


def test_template_cells_hold_no_live_formula(evil_store: Path, tmp_path: Path) -> None:
    ds = load_dataset(evil_store, build_if_missing=False)
    from analysis.intake.workbook import reporting_unit_table

    units = reporting_unit_table()
    unit = units[units["code"] == "182"].iloc[0]
    path = write_template(ds.tables, unit, 2024, tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet_specs()["village_year"].title]
    cells = [ws.cell(row=r, column=2) for r in range(FIRST_DATA_ROW, ws.max_row + 1)]
    evil = [c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert evil and all(c.value == "'" + EVIL and c.data_type == "s" for c in evil)
