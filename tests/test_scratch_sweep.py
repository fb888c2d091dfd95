"""A batch killed with kill -9 cannot remove its scratch folder (``analysis-batch-*`` in the
temporary directory); the next batch does, and never touches the folder of a live batch. Real
processes throughout; TMPDIR points into the test's own folder, so no other batch's folders on
this machine are looked at."""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from analysis.cli.main import main
from analysis.core import config
from analysis.run.scratch import LOCK, PREFIX, scratch_dir, sweep_stale

pytestmark = pytest.mark.slow

HOLD = (
    "import sys, time\n"
    "from analysis.run.scratch import scratch_dir\n"
    "with scratch_dir() as root:\n"
    "    print(root, flush=True)\n"
    "    time.sleep(600)\n"
)


@pytest.fixture()
def tmpdir_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """TMPDIR for this process and the ones it starts: a folder of the test's own."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)  # gettempdir() reads TMPDIR again
    return tmp


def _scratch(tmp: Path) -> list[Path]:
    return sorted(tmp.glob(f"{PREFIX}*"))


def _start(cmd: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        cmd, cwd=config.ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )


def _wait_for_kernel(batch: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        family = psutil.Process(batch.pid).children(recursive=True)
        if any("ipykernel" in " ".join(p.cmdline()) for p in family):
            return
        time.sleep(0.5)
    batch.kill()
    pytest.fail("the batch did not start its kernel")


def test_the_next_batch_sweeps_a_killed_batchs_scratch_and_keeps_a_live_one(
    tmpdir_env: Path, sample_db: Path, tmp_path: Path
) -> None:
    report = [sys.executable, "-m", "analysis", "report", "--db", str(sample_db), "--force"]
    batch = _start([*report, "--out", str(tmp_path / "a"), "--kind", "district", "--jobs", "1"])
    _wait_for_kernel(batch)
    [killed] = _scratch(tmpdir_env)  # its worker's kernel runs in it
    assert (killed / "w0").is_dir() and (killed / LOCK).read_text().startswith(
        f"pid {batch.pid} started "
    )
    batch.send_signal(signal.SIGKILL)
    assert batch.wait(timeout=30) == -9
    assert killed.is_dir()  # kill -9: nothing could clean up

    live = _start([sys.executable, "-c", HOLD])  # a live batch's folder: held while it sleeps
    try:
        held = Path(live.stdout.readline().strip())
        assert held.is_dir() and held.parent == tmpdir_env
        stranger = tmpdir_env / f"{PREFIX}older"  # no lock file: not ours to judge
        stranger.mkdir()

        code = main(
            [*report[3:], "--out", str(tmp_path / "b"), "--kind", "district", "--place", "bac-son"]
        )
        assert code == 0
        assert not killed.exists()
        assert held.is_dir() and (held / LOCK).exists() and stranger.is_dir()
        assert _scratch(tmpdir_env) == sorted([held, stranger])  # and its own is gone
    finally:
        live.kill()
        live.wait(timeout=30)
    # once its process is gone, the held folder is stale too
    assert sweep_stale() == [held] and _scratch(tmpdir_env) == [stranger]


def test_a_folder_is_held_from_birth_and_removed_at_the_end(tmpdir_env: Path) -> None:
    with scratch_dir() as root:
        assert root.parent == tmpdir_env and root.name.startswith(PREFIX)
        assert sweep_stale() == []  # our own lock, taken through another open file
        assert root.is_dir()
        assert not [p for p in tmpdir_env.iterdir() if p.name.startswith(".")]
    assert not root.exists() and _scratch(tmpdir_env) == []
