"""``python -m analysis sql``: one read-only statement in a sandbox, with CSV
and JSON output; ``build --db`` writes its outputs beside that store (item 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.cli.main import main
from analysis.core import config
from analysis.data.store import QueryRefused, sandboxed_query


def run(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse's usage errors
        return int(exc.code or 0)


@pytest.mark.parametrize(
    ("statement", "why"),
    [
        ("SELECT * FROM read_text('/etc/passwd')", "reads only the tables of the store"),
        ("SELECT * FROM read_csv('/etc/passwd')", "reads only the tables of the store"),
        ("COPY (SELECT 1) TO 'analysis/x.py'", "COPY statements are refused"),
        ("EXPORT DATABASE 'exported'", "EXPORT statements are refused"),
        ("INSTALL httpfs", "LOAD statements are refused"),
        ("LOAD httpfs", "LOAD statements are refused"),
        ("ATTACH 'other.duckdb' AS other", "ATTACH statements are refused"),
        ("SET enable_external_access = true", "SET statements are refused"),
        ("CREATE TABLE x AS SELECT 1", "CREATE statements are refused"),
        ("DELETE FROM villages", "DELETE statements are refused"),
        ("SELECT 1; SELECT 2", "2 statements given"),
    ],
)
def test_refused_statements_exit_2_with_a_clear_message(
    statement: str, why: str, sample_db: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    before = sample_db.read_bytes()
    assert run(["sql", statement, "--db", str(sample_db)]) == 2
    err = capsys.readouterr().err
    assert why in err and "Traceback" not in err
    assert sample_db.read_bytes() == before
    assert not (tmp_path / "analysis").exists() and not (tmp_path / "exported").exists()
    assert not (config.ROOT / "analysis" / "x.py").exists()


def test_refusal_is_a_query_refused(sample_db: Path) -> None:
    with pytest.raises(QueryRefused):
        sandboxed_query("COPY villages TO 'v.csv'", sample_db)


@pytest.mark.parametrize("statement", ["", "   ", ";", "-- only a comment"])
def test_empty_statement_is_a_usage_error(statement: str, sample_db: Path, capsys) -> None:
    assert run(["sql", statement, "--db", str(sample_db)]) == 2
    assert "empty SQL statement" in capsys.readouterr().err


def test_select_works_in_csv_and_json(sample_db: Path, capsys) -> None:
    statement = (
        "SELECT village_id, year FROM village_year WHERE village_id = 'CL-BACNGA' ORDER BY year"
    )
    assert run(["sql", statement, "--db", str(sample_db), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["year"] for r in rows] == [2020, 2021, 2022, 2023, 2024, 2025]
    assert run(["sql", statement, "--db", str(sample_db), "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "village_id,year" and lines[1] == "CL-BACNGA,2020" and len(lines) == 7


def test_csv_output_defuses_formulas(sample_db: Path, capsys) -> None:
    assert run(["sql", "SELECT '=1+1' AS a, -5 AS b", "--db", str(sample_db), "--csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["a,b", "'=1+1,-5"]


def test_build_into_another_store_writes_beside_it(tmp_path: Path, monkeypatch) -> None:
    """`build --raw X --db Y` never writes over the project's outputs/ (item 4)."""
    project = tmp_path / "project-outputs"
    monkeypatch.setattr(config, "OUTPUTS_DIR", project)
    db = tmp_path / "elsewhere" / "store.duckdb"
    assert run(["build", "--raw", str(config.SAMPLE_DIR), "--db", str(db), "--no-replay"]) == 0
    assert (db.parent / "indicators" / "indicators.csv").exists()
    assert not project.exists()
    out = tmp_path / "chosen"
    assert run(["build", "--raw", str(config.SAMPLE_DIR), "--db", str(db), "--out", str(out)]) == 0
    assert {p.name for p in out.iterdir()} >= {
        "effectiveness.csv",
        "indicators.csv",
        "progress.csv",
        "readings.csv",
        "recognition_candidates.csv",
        "recognition_screen.csv",
    }
    assert not project.exists()
