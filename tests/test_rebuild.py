"""A rebuild from the raw tables loses no submission: what `ingest` loaded is loaded again."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from intake_helpers import FIGURES_183_2024, copy_db, fill, options, template

from analysis.core import config
from analysis.intake.ingest import ingest_file, table_checksums
from analysis.pipeline import build_store, load_dataset


def _workbook(db: Path, folder: Path) -> Path:
    """Cao Lộc's 2024 workbook with Bắc Nga's households and revenue changed to 140 and 9,100.5."""
    figures = dict(FIGURES_183_2024)
    figures["CL-BACNGA"] = [140, 70, 120, 80, 72, 70, "Có", "Không", 9100.5, 5.6, 1, 3]
    blank = template(db, "183", 2024, folder / "templates")
    return fill(
        blank,
        folder / "cao-loc-2024.xlsx",
        figures=figures,
        narrative={"strengths": "Các nghề duy trì ổn định."},
    )


def _bacnga_2024(db: Path) -> list[object]:
    vy = load_dataset(db, build_if_missing=False).village_year
    row = vy[(vy["village_id"] == "CL-BACNGA") & (vy["year"] == 2024)].iloc[0]
    return [int(row["households_total"]), float(row["revenue_mvnd"])]


def test_rebuild_replays_what_was_ingested(sample_db: Path, tmp_path: Path) -> None:
    db = copy_db(sample_db, tmp_path / "store")
    sample_value = _bacnga_2024(db)
    result = ingest_file(_workbook(db, tmp_path), options(db, tmp_path))
    assert result.outcome == "loaded"
    assert _bacnga_2024(db) == [140, 9100.5] != sample_value
    before = table_checksums(db)

    build_store(config.SAMPLE_DIR, db)

    assert _bacnga_2024(db) == [140, 9100.5]
    after = table_checksums(db)
    for table in ("village_year", "activities", "narratives", "submissions", "district_crafts"):
        assert after[table] == before[table], table
    with duckdb.connect(str(db), read_only=True) as con:
        logged = con.execute("SELECT archived_as, received_on FROM ingest_log").fetchall()
    assert len(logged) == 1 and logged[0][0] == str(result.archived)
    assert not db.with_name(db.name + ".rebuild").exists()


def test_rebuild_without_replay_starts_from_the_raw_tables(sample_db: Path, tmp_path: Path) -> None:
    db = copy_db(sample_db, tmp_path / "store")
    sample_value = _bacnga_2024(db)
    ingest_file(_workbook(db, tmp_path), options(db, tmp_path))
    build_store(config.SAMPLE_DIR, db, replay=False)
    assert _bacnga_2024(db) == sample_value


def test_rebuild_with_a_lost_archive_leaves_the_store(sample_db: Path, tmp_path: Path) -> None:
    db = copy_db(sample_db, tmp_path / "store")
    result = ingest_file(_workbook(db, tmp_path), options(db, tmp_path))
    before = table_checksums(db)
    result.archived.unlink()
    with pytest.raises(FileNotFoundError, match="which is gone"):
        build_store(config.SAMPLE_DIR, db)
    assert table_checksums(db) == before
