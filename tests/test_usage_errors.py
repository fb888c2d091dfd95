"""Set-up and usage errors (issue 13, items 13 and 14): a missing or malformed reference file is
named with its line on every command that reads it (exit 2, no traceback), ``--help`` reads no
reference data, and the ``report`` verb checks its arguments before any work starts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from intake_helpers import run_cli

from analysis.core import config

VERBS = ["sample", "build", "sql", "report", "template", "ingest", "status"]


def _cli(args: list[str], reference: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LANGSON_REFERENCE": str(reference)}
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Reference folders: empty, one file missing, a malformed YAML, a malformed CSV."""
    root = tmp_path_factory.mktemp("reference")
    empty = root / "empty"
    empty.mkdir()
    out = {"empty": empty}
    for name in ("missing", "yaml", "csv"):
        shutil.copytree(config.REFERENCE_DIR, root / name)
        out[name] = root / name
    (out["missing"] / "targets.csv").unlink()
    codes = out["yaml"] / "codes.yaml"
    lines = codes.read_text(encoding="utf-8").splitlines()
    lines[4] = "  bad: {vi: [unclosed"  # line 5
    codes.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with open(out["csv"] / "targets.csv", "a", encoding="utf-8") as handle:
        handle.write("T9," + ",".join("x" * 30) + "\n")
    return out


@pytest.mark.parametrize("verb", [None, *VERBS])
def test_help_reads_no_reference_data(verb: str | None, broken: dict, tmp_path: Path) -> None:
    done = _cli([verb, "--help"] if verb else ["--help"], broken["empty"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("case", "argv", "named"),
    [
        ("missing", ["status"], "targets.csv is missing"),
        ("missing", ["build", "--no-replay"], "targets.csv is missing"),
        (
            "missing",
            ["report", "--kind", "district", "--place", "cao-loc"],
            "targets.csv is missing",
        ),
        ("yaml", ["build", "--no-replay"], "codes.yaml, line "),
        ("yaml", ["status"], "codes.yaml, line "),
        ("csv", ["status"], "targets.csv is malformed: Error tokenizing data"),
    ],
)
def test_a_broken_reference_file_is_named_with_exit_2(
    case: str, argv: list[str], named: str, broken: dict, sample_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "store.duckdb"
    shutil.copyfile(sample_db, db)
    extra = ["--db", str(db)]
    if argv[0] == "report":
        extra += ["--out", str(tmp_path / "out")]
    done = _cli([*argv, *extra], broken[case], tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert named in done.stderr and "Traceback" not in done.stderr
    assert str(broken[case]) in done.stderr  # the file is named with its folder


def test_empty_format_is_refused_before_any_work(tmp_path: Path, capsys) -> None:
    db = tmp_path / "none.duckdb"  # a store is not even built
    code = run_cli(["report", "--format", "", "--db", str(db), "--out", str(tmp_path / "o")])
    assert code == 2
    assert "no output format given" in capsys.readouterr().err
    assert not db.exists() and not (tmp_path / "o").exists()
    assert run_cli(["report", "--format", " , ", "--db", str(db)]) == 2
    assert run_cli(["report", "--format", "html,odt", "--db", str(db)]) == 2
    assert "unknown format 'odt'" in capsys.readouterr().err
    assert not db.exists()


def test_out_naming_an_existing_file_is_refused_before_any_work(tmp_path: Path, capsys) -> None:
    db = tmp_path / "none.duckdb"
    out = tmp_path / "reports.txt"
    out.write_text("keep me", encoding="utf-8")
    assert run_cli(["report", "--out", str(out), "--db", str(db)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "keep me" and not db.exists()
