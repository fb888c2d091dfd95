"""The index page's downloads: the indicator tables as XLSX and as CSV that Excel opens with
its diacritics (UTF-8 with a byte-order mark, header on the first line), the synthetic notice
where it breaks no reader, and the values exactly the store's."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd

from analysis.core.labels import label
from analysis.indicators.outputs import indicator_tables
from analysis.pipeline import load_dataset
from analysis.reports.index_page import write_downloads


def test_downloads_say_what_the_store_holds(sample_db: Path, tmp_path: Path) -> None:
    ds = load_dataset(sample_db, build_if_missing=False)
    links = write_downloads(indicator_tables(ds), tmp_path / "downloads", ds.synthetic)
    assert [link["name"] for link in links] == [
        "indicators.xlsx",
        "indicators.csv",
        "progress.csv",
        "readings.csv",
    ]
    raw = (tmp_path / "downloads" / "indicators.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the mark
    text = raw[3:].decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["indicator_id", "place_id", "place_level"]  # header first
    assert rows[0][-1] == "ghi_chu_du_lieu"
    assert {r[-1] for r in rows[1:]} == {label("synthetic", "vi")}  # every row says so
    got = pd.read_csv(io.StringIO(text), dtype={"place_code": str})
    with duckdb.connect(str(sample_db), read_only=True) as con:
        stored = con.execute(
            "SELECT indicator_id, place_id, year, value FROM indicator_values"
        ).df()
    merged = stored.merge(got, on=["indicator_id", "place_id", "year"], suffixes=("_db", "_csv"))
    assert len(merged) == len(stored) == len(got)
    same = (merged["value_db"] - merged["value_csv"]).abs().lt(1e-9) | (
        merged["value_db"].isna() & merged["value_csv"].isna()
    )
    assert same.all()
    book = openpyxl.load_workbook(tmp_path / "downloads" / "indicators.xlsx", read_only=True)
    assert book.sheetnames == ["README", "indicators", "progress", "readings"]
    readme = [c for row in book["README"].iter_rows(values_only=True) for c in row if c]
    assert any(str(c).startswith("DỮ LIỆU GIẢ LẬP") for c in readme)
    sheet = list(book["indicators"].iter_rows(values_only=True))
    assert len(sheet) == len(rows)


def test_a_formula_in_a_table_is_defused(tmp_path: Path) -> None:
    tables = {
        "indicators": pd.DataFrame({"place_id": ['=HYPERLINK("http://x","click")'], "v": [-5]})
    }
    write_downloads(tables, tmp_path / "d", synthetic=False)
    text = (tmp_path / "d" / "indicators.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[1] == '"\'=HYPERLINK(""http://x"",""click"")",-5'
    cell = openpyxl.load_workbook(tmp_path / "d" / "indicators.xlsx")["indicators"]["A2"].value
    assert cell.startswith("'=")
