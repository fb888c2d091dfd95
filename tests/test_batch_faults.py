"""The report batch under faults, with real kernels and real processes: a kernel that dies or
hangs, a batch killed with kill -9 or Ctrl-C, two batches writing to one folder, a full disk."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from analysis.cli.main import main
from analysis.core import config

pytestmark = pytest.mark.slow

#: A cell put after the parameters of the district notebook: one place's kernel dies, one hangs.
SABOTAGE = """import os, time
if place == "cao-loc":
    os.kill(os.getpid(), 9)
if place == "chi-lang":
    time.sleep(3600)
"""


@pytest.fixture()
def sabotaged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A notebooks folder whose district report kills its kernel for cao-loc and hangs for
    chi-lang; the other places' reports are the real ones."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nb = nbformat.read(config.NOTEBOOKS_DIR / "district_report.ipynb", as_version=4)
    params = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(params + 1, nbformat.v4.new_code_cell(SABOTAGE))
    nbformat.write(nb, folder / "district_report.ipynb")
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", folder)
    return folder


def _manifest(out: Path) -> dict[str, dict]:
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {e["key"]: e for e in data["reports"]}


def _report(out: Path, db: Path, *extra: str) -> int:
    return main(["report", "--db", str(db), "--out", str(out), "--kind", "district", *extra])


def test_dead_and_hung_kernels_fail_their_report_only(
    sabotaged: Path, sample_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "out"
    started = time.monotonic()
    codes = []
    for place in ("cao-loc", "chi-lang", "bac-son"):
        codes.append(_report(out, sample_db, "--place", place, "--timeout", "20", "--jobs", "1"))
    assert time.monotonic() - started < 150  # the hang is cut at 20 s, not waited for
    assert codes == [1, 1, 0]
    entries = _manifest(out)
    dead, hung, fine = (entries[f"2025/district/{p}"] for p in ("cao-loc", "chi-lang", "bac-son"))
    assert dead["status"] == "failed" and "kernel died" in dead["error"]
    assert hung["status"] == "failed" and "longer than 20 s" in hung["error"]
    assert fine["status"] == "done" and (out / fine["outputs"]["html"]).exists()
    assert dead["outputs"] == {} and not (out / "reports" / "2025" / "cao-loc.html").exists()
    printed = capsys.readouterr().out
    assert "FAILED district 2025 chi-lang: timed out" in printed


def test_one_batch_with_a_dead_and_a_hung_kernel_finishes_the_rest(
    sabotaged: Path, sample_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    places = ("cao-loc", "chi-lang", "bac-son", "dinh-lap")
    from analysis.run.kernel import Limits
    from analysis.run.runner import Job, run_batch

    jobs = [Job("district", 2025, p) for p in places]
    summary = run_batch(
        jobs, out_dir=out, db_path=sample_db, n_jobs=2, limits=Limits(report=20), progress=False
    )
    status = {r.job.place_id: r.status for r in summary.results}
    assert status == {
        "cao-loc": "failed",
        "chi-lang": "failed",
        "bac-son": "done",
        "dinh-lap": "done",
    }
    assert set(_manifest(out)) == {f"2025/district/{p}" for p in places}


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _start_batch(out: Path, db: Path, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "analysis", "report", "--db", str(db), "--out", str(out)]
    return subprocess.Popen(
        [*cmd, "--kind", "district", "--force", *extra],
        cwd=config.ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, as a terminal would give it
    )


def _wait_for_kernels(batch: subprocess.Popen, n: int) -> list[psutil.Process]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        family = _descendants(batch.pid)
        kernels = [p for p in family if "ipykernel" in " ".join(p.cmdline())]
        if len(kernels) >= n:
            return family
        time.sleep(0.5)
    batch.kill()
    pytest.fail("the batch did not start its kernels")


def _gone(procs: list[psutil.Process], within: float) -> list[psutil.Process]:
    _, alive = psutil.wait_procs(procs, timeout=within)
    for p in alive:  # do not leave them to the next test
        p.kill()
    return alive


@pytest.mark.parametrize("how", ["kill -9", "Ctrl-C"])
def test_killing_the_batch_leaves_no_worker_or_kernel(
    how: str, sample_db: Path, tmp_path: Path
) -> None:
    batch = _start_batch(tmp_path / "out", sample_db, "--jobs", "2")
    family = _wait_for_kernels(batch, 2)
    assert len(family) >= 4  # two workers, two kernels
    if how == "kill -9":
        batch.send_signal(signal.SIGKILL)
    else:
        os.killpg(batch.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground group
    code = batch.wait(timeout=60)
    assert code == (-9 if how == "kill -9" else 130)
    left = _gone(family, within=20)
    assert left == [], [p.pid for p in left]


def test_two_batches_at_once_both_reach_manifest_and_index(sample_db: Path, tmp_path: Path):
    out = tmp_path / "out"
    first = _start_batch(out, sample_db, "--jobs", "1", "--place", "cao-loc")
    second = _start_batch(out, sample_db, "--jobs", "1", "--place", "chi-lang")
    assert first.wait(timeout=300) == 0 and second.wait(timeout=300) == 0
    keys = set(_manifest(out))
    assert {"2025/district/cao-loc", "2025/district/chi-lang"} <= keys
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "cao-loc.html" in index and "chi-lang.html" in index
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


@pytest.fixture()
def tiny_disk(tmp_path: Path) -> Path:
    """A 2 MB tmpfs: room for one district report (notebook + HTML, about 1.2 MB), not two."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_is_named_and_leaves_no_partial_file(
    tiny_disk: Path, sample_db: Path, capsys: pytest.CaptureFixture
) -> None:
    code = _report(tiny_disk, sample_db, "--jobs", "1")
    printed = capsys.readouterr()
    assert code == 1
    assert "disk full" in printed.out
    assert not [p for p in tiny_disk.rglob("*") if ".tmp" in p.name or p.name.startswith(".index")]
    entries = _manifest(tiny_disk)
    done = [e for e in entries.values() if e["status"] == "done"]
    assert 1 <= len(done) < 11
    for entry in done:  # what is recorded as made is whole
        html = (tiny_disk / entry["outputs"]["html"]).read_text(encoding="utf-8")
        assert html.rstrip().endswith("</html>")
    for html in (tiny_disk / "reports" / "2025").glob("*.html"):
        assert html.read_text(encoding="utf-8").rstrip().endswith("</html>")
    failed = [e for e in entries.values() if e["status"] == "failed"]
    assert any("disk full" in e["error"] for e in failed)
