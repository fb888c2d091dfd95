"""``python -m analysis explain`` and the ``--csv``/``--json`` output of ``status``, on a store
built from the shipped sample: the members printed add up to the published values, the machine
outputs parse, a name goes through the resolver and a shared one exits with code 2."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from analysis.cli import main as cli
from analysis.data.store import query


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def published(db: Path, indicator: str, place: str, year: int = 2025) -> tuple[float, ...]:
    row = query(
        "SELECT value, numerator, denominator FROM indicator_values "
        f"WHERE indicator_id = '{indicator}' AND place_id = '{place}' AND year = {year}",
        db,
    ).iloc[0]
    return tuple(float(v) for v in row)


def test_explain_t6_json_adds_up(sample_db: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(capsys, "explain", "T6", "--year", "2025", "--db", str(sample_db), "--json")
    assert code == 0
    members = json.loads(out)
    assert members and all(m["in_scope"] for m in members)
    value, num, den = published(sample_db, "T6", "tinh-lang-son")
    assert sum(m["numerator"] for m in members if m["reported"]) == num
    assert sum(m["denominator"] for m in members if m["reported"]) == den
    # The gaps are the facilities keeping T6 below 100%, the largest first.
    gaps = [m["gap"] for m in members if m["reported"]]
    assert sum(gaps) == den - num and gaps == sorted(gaps, reverse=True)


def test_explain_text_by_place_name(sample_db: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(
        capsys, "explain", "T3", "--place", "huyen cao loc", "--db", str(sample_db), "--lang", "en"
    )
    assert code == 0
    first = out.splitlines()[0]
    value, _, _ = published(sample_db, "T3", "cao-loc")
    assert first.startswith("T3. ") and "Cao Loc District, 2025" in first
    assert first.endswith(f": {int(value)}")
    assert "SYNTHETIC DATA" in out
    ticks = sum(" ✔ " in line for line in out.splitlines())
    assert ticks == value


def test_explain_csv_and_errors(sample_db: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(capsys, "explain", "T2", "--db", str(sample_db), "--csv", "--all")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 11
    value, _, _ = published(sample_db, "T2", "tinh-lang-son")
    assert sum(r["counted"] == "True" for r in rows) == value
    code, _, err = run(capsys, "explain", "T6", "--place", "Cao Lộc", "--db", str(sample_db))
    assert code == 2 and "cao-loc" in err and "xa-cao-loc" in err
    code, _, err = run(capsys, "explain", "T6", "--year", "2019", "--db", str(sample_db))
    assert code == 2 and "valid years: 2021" in err


def test_status_csv_and_json(sample_db: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(capsys, "status", "--year", "2025", "--db", str(sample_db), "--json")
    records = json.loads(out)
    assert code == 0 and [r["indicator_id"] for r in records] == [f"T{i}" for i in range(1, 7)]
    code, out, _ = run(
        capsys, "status", "--place", "Huyện Cao Lộc", "--db", str(sample_db), "--csv"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 6
    value, _, _ = published(sample_db, "T2", "cao-loc")
    assert rows[1]["Kết quả năm 2025 (Cao Lộc)"] == str(int(value))
    with pytest.raises(SystemExit) as exited:  # argparse: the two are exclusive
        run(capsys, "status", "--csv", "--json", "--db", str(sample_db))
    assert exited.value.code == 2
