"""Nothing lost, nothing stale: the ledger of accepted submissions
beside the archived files, rebuilds from it (even of a corrupt store), ``--no-replay`` that asks
before dropping, ``--no-archive`` reported; result tables refreshed in the ingest's
transaction."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
from intake_helpers import FIGURES_183_2024, copy_db, fill, options, run_cli, template

from analysis.core import config
from analysis.indicators.outputs import indicator_tables
from analysis.intake import ledger
from analysis.intake.ingest import ingest_file, table_checksums
from analysis.pipeline import build_store, load_dataset


def _workbook(db: Path, folder: Path) -> Path:
    """Cao Lộc's 2024 workbook: Bắc Nga now has 140 households, 70 in the craft, and an
    environmental plan and group (were 131, 64, no, no in the sample)."""
    figures = dict(FIGURES_183_2024)
    figures["CL-BACNGA"] = [140, 70, 120, 80, 72, 70, "Có", "Có", 9100.5, 5.6, 1, 3]
    blank = template(db, "183", 2024, folder / "templates")
    return fill(blank, folder / "cao-loc-2024.xlsx", figures=figures)


def _bacnga_2024(db: Path) -> int:
    vy = load_dataset(db, build_if_missing=False).village_year
    return int(
        vy[(vy["village_id"] == "CL-BACNGA") & (vy["year"] == 2024)]["households_total"].iloc[0]
    )


def _sql_json(db: Path, statement: str, capsys) -> list[dict]:
    capsys.readouterr()
    assert run_cli(["sql", statement, "--db", str(db), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_ledger_is_a_readable_file_beside_the_archive(sample_db: Path, tmp_path: Path) -> None:
    db = copy_db(sample_db, tmp_path / "store")
    result = ingest_file(_workbook(db, tmp_path), options(db, tmp_path))
    assert result.outcome == "loaded"
    path = tmp_path / "received" / "ledger.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert (
        lines[0]
        == "seq,loaded_at,store,unit_code,year,file_name,sha256,received_on,archived_as,status"
    )
    row = ledger.read_ledger(path).iloc[0]
    assert (row["seq"], row["unit_code"], row["year"], row["status"]) == (
        "1",
        "183",
        "2024",
        "archived",
    )
    assert row["store"] == str(db.resolve()) and row["received_on"] == "2024-12-10"
    assert (path.parent / row["archived_as"]).read_bytes() == result.archived.read_bytes()
    assert not Path(row["archived_as"]).is_absolute()


def test_a_corrupt_store_says_how_to_rebuild_and_build_replays(
    sample_db: Path, tmp_path: Path, capsys
) -> None:
    db = copy_db(sample_db, tmp_path / "store")
    assert ingest_file(_workbook(db, tmp_path), options(db, tmp_path)).outcome == "loaded"
    db.write_bytes(b"not a database at all" * 100)
    for argv in (["sql", "SELECT 1"], ["status"], ["ingest", str(tmp_path / "cao-loc-2024.xlsx")]):
        capsys.readouterr()
        assert run_cli([*argv, "--db", str(db)]) == 2, argv
        err = capsys.readouterr().err
        assert "cannot be read" in err and "python -m analysis build" in err, argv
        assert "Traceback" not in err
    code = run_cli(
        [
            "build",
            "--raw",
            str(config.SAMPLE_DIR),
            "--db",
            str(db),
            "--archive",
            str(tmp_path / "received"),
        ]
    )
    assert code == 0
    assert "Submissions loaded again" in capsys.readouterr().out
    assert _bacnga_2024(db) == 140


def test_no_replay_counts_what_it_drops_and_wants_yes(
    sample_db: Path, tmp_path: Path, capsys
) -> None:
    db = copy_db(sample_db, tmp_path / "store")
    assert ingest_file(_workbook(db, tmp_path), options(db, tmp_path)).outcome == "loaded"
    before = table_checksums(db)
    argv = [
        "build",
        "--raw",
        str(config.SAMPLE_DIR),
        "--db",
        str(db),
        "--archive",
        str(tmp_path / "received"),
        "--no-replay",
    ]
    capsys.readouterr()
    assert run_cli(argv) == 2
    err = capsys.readouterr().err
    assert "would drop the 1 submission(s)" in err and "--yes" in err
    assert table_checksums(db) == before
    assert run_cli([*argv, "--yes"]) == 0
    assert _bacnga_2024(db) == 131
    assert list(ledger.read_ledger(tmp_path / "received" / "ledger.csv")["status"]) == ["dropped"]
    # The next build does not bring the dropped submission back.
    assert run_cli(argv[:-1]) == 0
    assert _bacnga_2024(db) == 131


def test_no_archive_is_reported_as_not_replayable(sample_db: Path, tmp_path: Path, capsys) -> None:
    db = copy_db(sample_db, tmp_path / "store")
    book = ledger_path = tmp_path / "received" / "ledger.csv"
    opts = replace(options(db, tmp_path), archive_dir=None, ledger=ledger_path)
    result = ingest_file(_workbook(db, tmp_path), opts)
    assert result.outcome == "loaded" and "cannot load this file again" in result.message
    assert list(ledger.read_ledger(book)["status"]) == ["not_archived"]
    capsys.readouterr()
    assert (
        run_cli(
            [
                "build",
                "--raw",
                str(config.SAMPLE_DIR),
                "--db",
                str(db),
                "--archive",
                str(tmp_path / "received"),
            ]
        )
        == 0
    )
    err = capsys.readouterr().err
    assert "cao-loc-2024.xlsx (183, 2024) was ingested with --no-archive" in err


def test_result_tables_are_refreshed_by_the_ingest(sample_db: Path, tmp_path: Path, capsys) -> None:
    """`sql` on the result tables agrees with what `status` computes, after an ingest (item 5)."""
    db = copy_db(sample_db, tmp_path / "store")
    statement = (
        "SELECT indicator_id, place_id, year, value FROM indicator_values "
        "ORDER BY indicator_id, place_id, year"
    )
    before = pd.DataFrame(_sql_json(db, statement, capsys))
    assert ingest_file(_workbook(db, tmp_path), options(db, tmp_path)).outcome == "loaded"
    stored = pd.DataFrame(_sql_json(db, statement, capsys))
    fresh = indicator_tables(load_dataset(db, build_if_missing=False))["indicators"]
    fresh = fresh.sort_values(["indicator_id", "place_id", "year"])[list(stored.columns)]
    pd.testing.assert_frame_equal(
        stored.reset_index(drop=True), fresh.reset_index(drop=True), check_dtype=False
    )
    changed = before.merge(stored, on=["indicator_id", "place_id", "year"])
    changed = changed[~((changed["value_x"] - changed["value_y"]).abs() < 1e-12)]
    assert len(changed) > 0  # the ingest moved some values, and the stored ones followed
    # v_progress (a view on progress_status) follows too.
    keys = ["year", "indicator_id", "place_id", "target_year"]
    shown = pd.DataFrame(
        _sql_json(
            db,
            "SELECT evaluation_year AS year, indicator_id, place_id, target_year, status, "
            "current_value FROM v_progress ORDER BY ALL",
            capsys,
        )
    )
    progress = indicator_tables(load_dataset(db, build_if_missing=False))["progress"]
    progress = progress[[*keys, "status", "current_value"]].sort_values([*keys, "status"])
    pd.testing.assert_frame_equal(
        shown.reset_index(drop=True), progress.reset_index(drop=True), check_dtype=False
    )


def test_rebuild_replays_from_the_ledger_in_order(sample_db: Path, tmp_path: Path) -> None:
    db = copy_db(sample_db, tmp_path / "store")
    assert ingest_file(_workbook(db, tmp_path), options(db, tmp_path)).outcome == "loaded"
    before = table_checksums(db)
    build_store(config.SAMPLE_DIR, db, ledger=tmp_path / "received" / "ledger.csv")
    after = table_checksums(db)
    for table in ("village_year", "submissions", "indicator_values", "progress_status"):
        assert after[table] == before[table], table


def test_two_writers_at_once_keep_every_row(tmp_path: Path) -> None:
    """The ledger is read and rewritten under a lock: concurrent loads lose no row."""
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / "ledger.csv"
    entry = {"store": "/x.duckdb", "unit_code": "183", "year": 2024, "status": "archived"}
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda i: ledger.record(path, {**entry, "file_name": f"f{i}"}), range(40)))
    frame = ledger.read_ledger(path)
    assert sorted(frame["file_name"]) == sorted(f"f{i}" for i in range(40))
    assert sorted(int(s) for s in frame["seq"]) == list(range(1, 41))


def test_ingest_verb_with_no_archive_says_so(sample_db: Path, tmp_path: Path, capsys) -> None:
    db = copy_db(sample_db, tmp_path / "store")
    book = _workbook(db, tmp_path)
    folder = tmp_path / "kept"
    argv = ["ingest", str(book), "--db", str(db), "--no-archive", "--archive", str(folder)]
    capsys.readouterr()
    assert run_cli([*argv, "--quarantine", str(tmp_path / "q"), "--received", "10/12/2024"]) == 0
    assert "a rebuild of the store cannot load this file again" in capsys.readouterr().out
    rows = ledger.read_ledger(folder / "ledger.csv")
    assert list(rows["status"]) == ["not_archived"] and list(rows["archived_as"]) == [""]
    assert sorted(p.name for p in folder.iterdir()) == ["ledger.csv", "ledger.csv.lock"]
