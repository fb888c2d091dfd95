"""SQL views and result tables: present after ``install``, agreeing with the Python functions
they mirror, and reachable through ``python -m analysis sql``."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analysis.cli import main as cli
from analysis.core.errors import EXIT_OK
from analysis.data import timeliness
from analysis.indicators.outputs import indicator_tables
from analysis.indicators.sql_views import RESULT_TABLES, create_views, install
from analysis.pipeline import load_dataset


@pytest.fixture(scope="module")
def store(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample store with the result tables and views installed."""
    path = tmp_path_factory.mktemp("views") / "views.duckdb"
    path.write_bytes(sample_db.read_bytes())
    with duckdb.connect(str(path)) as con:
        made = install(con, load_dataset(sample_db))
    assert made[: len(RESULT_TABLES)] == list(RESULT_TABLES)
    return path


def sql(store: Path, statement: str) -> pd.DataFrame:
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute(statement).df()


def test_views_need_no_result_tables(sample_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "plain.duckdb"
    path.write_bytes(sample_db.read_bytes())
    with duckdb.connect(str(path)) as con:
        # `build` writes the result tables; a store without them still gets the other views
        con.execute("DROP VIEW IF EXISTS v_indicators")
        con.execute("DROP VIEW IF EXISTS v_progress")
        for name in RESULT_TABLES:
            con.execute(f"DROP TABLE IF EXISTS {name}")
        assert create_views(con) == [
            "v_places",
            "v_villages",
            "v_village_year",
            "v_district_crafts",
            "v_submissions_status",
        ]


def test_village_year_view_keeps_every_row_and_adds_names(store: Path) -> None:
    view = sql(store, "SELECT * FROM v_village_year")
    assert len(view) == len(sql(store, "SELECT * FROM village_year"))
    # data/sample: Thôn Nà Phiêng (Tràng Định), recognised 2022; 2025: 173 of 173 households,
    # 147 of 176 facilities compliant.
    row = view[(view["village_id"] == "TD-NAPHIENG") & (view["year"] == 2025)].iloc[0]
    assert (row["name_vi"], row["district_name_vi"], row["district_id"]) == (
        "Thôn Nà Phiêng",
        "Tràng Định",
        "trang-dinh",
    )
    assert bool(row["recognised"]) and row["household_share"] == pytest.approx(1.0)
    assert row["compliant_share"] == pytest.approx(147 / 176)
    before = view[(view["village_id"] == "TD-NAPHIENG") & (view["year"] == 2021)].iloc[0]
    assert not bool(before["recognised"])


def test_submissions_view_matches_timeliness(store: Path, sample_db: Path) -> None:
    ds = load_dataset(sample_db)
    view = sql(store, "SELECT * FROM v_submissions_status ORDER BY year, unit_code")
    for year in sorted(view["year"].unique()):
        expected = timeliness.submission_status(ds.villages, ds.submissions, int(year))
        expected = expected.drop_duplicates("unit_code").sort_values("unit_code")
        got = view[view["year"] == year]
        assert list(got["unit_code"]) == list(expected["unit_code"]), year
        assert list(got["status"]) == list(expected["status"]), year
        assert list(got["days_late"].astype("Int64")) == list(expected["days_late"]), year


def test_indicator_views_match_the_engine(store: Path, sample_db: Path) -> None:
    engine = indicator_tables(load_dataset(sample_db))["indicators"]
    view = sql(
        store,
        "SELECT * FROM v_indicators WHERE indicator_id = 'T6' AND "
        "place_level = 'province' ORDER BY year",
    )
    expected = engine[(engine["indicator_id"] == "T6") & (engine["place_level"] == "province")]
    assert view["value"].tolist() == pytest.approx(expected["value"].tolist())
    assert view["place_name_vi"].unique().tolist() == ["Lạng Sơn"]
    progress = sql(
        store,
        "SELECT * FROM v_progress WHERE evaluation_year = 2025 AND "
        "place_level = 'district' AND target_year = 2025",
    )
    assert len(progress) == 11
    # Bình Gia, Hữu Lũng, Đình Lập: one commodity craft in 2025, short of 2.
    short = progress[progress["current_value"] < 2]
    assert sorted(short["place_id"]) == ["binh-gia", "dinh-lap", "huu-lung"]


def test_sql_verb_reads_the_views(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["sql", "SELECT count(*) AS n FROM v_places", "--db", str(store)])
    assert code == EXIT_OK
    # 1 province, 11 district-level areas, 65 communes and wards of 2025.
    assert capsys.readouterr().out.split() == ["n", "77"]
    assert cli.main(["sql", "SELECT * FROM v_nothing", "--db", str(store)]) != EXIT_OK
