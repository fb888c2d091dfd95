"""Safety of the intake: a process killed mid-load, the command line's exit codes and messages,
names that never become raw paths, text escaped wherever it reaches HTML or a terminal."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from intake_helpers import copy_db, good_183_2024, options, run_cli

from analysis.core import config
from analysis.intake.ingest import (
    format_report,
    ingest_file,
    safe_file_name,
    show_value,
    table_checksums,
)
from analysis.intake.workbook import FIRST_DATA_ROW, sheet_specs


@pytest.fixture
def db(sample_db: Path, tmp_path: Path) -> Path:
    """A private copy of the store built from the sample (``conftest.sample_db``)."""
    return copy_db(sample_db, tmp_path / "store")


def test_killed_mid_ingest_leaves_the_last_committed_state(db: Path, tmp_path: Path) -> None:
    """The load runs in a child process that stops just before COMMIT; killing it there must
    leave every table as it was, and the store must still work afterwards."""
    good = good_183_2024(db, tmp_path)
    before = table_checksums(db)
    marker = tmp_path / "paused"
    command = [
        sys.executable,
        str(Path(__file__).with_name("pause_before_commit.py")),
        str(marker),
        "ingest",
        str(good),
        "--db",
        str(db),
        "--quarantine",
        str(tmp_path / "q"),
        "--archive",
        str(tmp_path / "a"),
    ]
    child = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=config.ROOT
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the child never reached the pause"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert table_checksums(db) == before
    # The store is usable: the same file loads now, completely.
    result = ingest_file(good, options(db, tmp_path))
    assert result.outcome == "loaded"
    assert table_checksums(db) != before


def test_ingest_exit_codes_and_messages(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = good_183_2024(db, tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "good.xlsx").write_bytes(good.read_bytes())
    wb = openpyxl.load_workbook(good)
    wb[sheet_specs()["village_year"].title].cell(row=FIRST_DATA_ROW, column=3).value = -4
    wb.save(inbox / "bad.xlsx")
    (inbox / "~$good.xlsx").write_bytes(b"lock file of Excel")
    (inbox / "notes.txt").write_text("not read")
    args = [
        "ingest",
        str(inbox),
        "--db",
        str(db),
        "--quarantine",
        str(tmp_path / "q"),
        "--archive",
        str(tmp_path / "a"),
    ]

    assert run_cli(args) == 1  # one rejected, the other loaded
    out, err = capsys.readouterr()
    assert "ĐÃ NẠP / LOADED" in out and "BỊ TỪ CHỐI / REJECTED" in out
    assert "Không được là số âm." in out and "Must not be negative." in out
    assert "dòng 4" in out and "row 4" in out
    assert "Traceback" not in out + err
    # Never the repository's own folders, even where nothing should be written.
    own = ["--quarantine", str(tmp_path / "q"), "--no-archive"]
    assert run_cli(["ingest", str(inbox / "good.xlsx"), "--db", str(db), *own]) == 0
    assert "KHÔNG THAY ĐỔI" in capsys.readouterr().out  # already loaded: unchanged
    assert run_cli(["ingest", str(tmp_path / "missing.xlsx"), "--db", str(db), *own]) == 2
    assert run_cli(["ingest", str(good), "--db", str(tmp_path / "x.duckdb"), *own]) == 2
    assert run_cli(["ingest", str(good), "--db", str(db), "--received", "?", *own]) == 2
    assert run_cli(["ingest"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_received_date_option(db: Path, tmp_path: Path) -> None:
    good = good_183_2024(db, tmp_path)
    code = run_cli(
        [
            "ingest",
            str(good),
            "--db",
            str(db),
            "--quarantine",
            str(tmp_path / "q"),
            "--no-archive",
            "--received",
            "20/12/2024",
        ]
    )
    assert code == 0
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        got = con.execute(
            "SELECT received_on FROM submissions WHERE unit_code = '183' AND year = 2024"
        ).fetchone()[0]
    assert str(got)[:10] == "2024-12-20"  # five days after the deadline: late


def test_a_failure_while_reading_rejects_and_keeps_the_file(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected error while reading is not a traceback: the file is quarantined with a
    message for the technical team, and nothing is loaded."""
    import analysis.intake.ingest as intake

    good = good_183_2024(db, tmp_path)
    before = table_checksums(db)

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(intake, "read_submission", broken)
    result = ingest_file(good, options(db, tmp_path))
    assert result.outcome == "rejected" and result.codes == {"internal_error"}
    assert result.quarantine is not None and table_checksums(db) == before


def test_names_never_become_raw_paths() -> None:
    assert safe_file_name("../../etc/passwd") == "passwd.bin"
    assert safe_file_name("..\\..\\Windows\\báo cáo.xlsx") == "bao-cao.xlsx"
    assert (
        safe_file_name("Báo cáo Cao Lộc 2024 (bản cuối).XLSX")
        == "bao-cao-cao-loc-2024-ban-cuoi.xlsx"
    )
    assert safe_file_name("x.exe") == "x.bin"
    assert safe_file_name("....xlsx") == "tep.xlsx"


def test_quarantine_folder_is_named_by_date_and_hash(db: Path, tmp_path: Path) -> None:
    evil = tmp_path / "a b;rm -rf $HOME <script>.xlsx"
    evil.write_bytes(b"not a workbook at all")
    result = ingest_file(evil, options(db, tmp_path))
    assert result.outcome == "rejected"
    folder = result.quarantine
    assert folder is not None and folder.parent == tmp_path / "quarantine"
    assert re.fullmatch(r"20270115-[0-9a-f]{16}", folder.name)
    assert sorted(p.name for p in folder.iterdir()) == [
        "a-b-rm-rf-home-script.xlsx",
        "errors.html",
        "errors.txt",
    ]
    page = (folder / "errors.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_cell_text_is_escaped_in_html_and_on_the_terminal(db: Path, tmp_path: Path) -> None:
    good = good_183_2024(db, tmp_path)
    wb = openpyxl.load_workbook(good)
    ws = wb[sheet_specs()["activities"].title]
    ws.cell(row=FIRST_DATA_ROW, column=2).value = "<img src=x onerror=alert(1)>"
    wb.save(tmp_path / "evil.xlsx")
    result = ingest_file(tmp_path / "evil.xlsx", options(db, tmp_path))
    assert result.outcome == "rejected"
    page = (result.quarantine / "errors.html").read_text(encoding="utf-8")
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    # Terminal control sequences in a value are shown, not obeyed.
    problem = replace(result.errors[0], value="\x1b[31mred\x1b[0m")
    text = format_report(replace(result, problems=[problem]))
    assert "\x1b" not in text and "\\x1b[31mred" in text
    assert show_value("a\x00b\nc") == "a\\x00b c"
