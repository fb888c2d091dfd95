"""The client's bound on a worker's answer: a report whose worker hangs while rendering it (after
its notebook ran within the time limit) is given up by the client, on a real Dask cluster and
with local worker processes alike; the other reports are made, the hung one is failed with the
reason, and the batch exits 1. The hang comes from ``tests/hang_render/sitecustomize.py`` on the
workers' ``PYTHONPATH`` (no hook in the package)."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from analysis.core.errors import EXIT_PARTIAL
from analysis.run.executors import Deadlines, no_answer
from analysis.run.kernel import Limits, Task
from analysis.run.runner import Job, exit_code, run_batch
from tests.dask_cluster import dask_cluster

HOOK = Path(__file__).parent / "hang_render"
HUNG = "chi-lang"
PLACES = (HUNG, "cao-loc", "bac-son")
#: The notebook may run 25 s; rendering gets 5 s more once the kernel is ready.
LIMITS = Limits(report=25, start=60, render=5)


def _hang_env(how: str = "hang") -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(HOOK), os.environ.get("PYTHONPATH", "")) if p)
    return {"PYTHONPATH": path, "ANALYSIS_TEST_HANG_RENDER": HUNG, "ANALYSIS_TEST_HANG_HOW": how}


def _jobs() -> list[Job]:
    return [Job("district", 2025, p, "vi", ("html",)) for p in PLACES]


def _check(summary: object, out: Path, worker: str) -> None:
    status = {r.job.place_id: r.status for r in summary.results}
    assert status == {HUNG: "failed", "cao-loc": "done", "bac-son": "done"}
    entries = {
        e["key"]: e
        for e in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["reports"]
    }
    assert set(entries) == {f"2025/district/{p}" for p in PLACES}
    for place in ("cao-loc", "bac-son"):
        html = entries[f"2025/district/{place}"]["outputs"]["html"]
        assert (out / html).read_text(encoding="utf-8").rstrip().endswith("</html>")
    hung = entries[f"2025/district/{HUNG}"]
    # the kernel was ready (the notebook ran), so the bound is notebook 25 s + rendering 5 s
    pattern = (
        rf"timed out: no answer from worker {worker} within 30 s "
        r"\(notebook 25 s \+ rendering 5 s, kernel ready\); "
    )
    assert re.fullmatch(pattern + r".+", hung["error"]), hung["error"]
    assert hung["outputs"] == {} and not (out / "reports" / "2025" / f"{HUNG}.html").exists()
    # cut 30 s after its kernel was ready: after at least 30 s, before start-up + 30 s
    assert 30 <= hung["seconds"] <= LIMITS.answer + 5
    assert exit_code(summary) == EXIT_PARTIAL


@pytest.mark.slow
@pytest.mark.parametrize("how", ["hang", "stop"])
def test_a_dask_worker_hung_in_rendering_is_given_up_and_restarted(
    how: str, sample_db: Path, tmp_path: Path
) -> None:
    """``hang``: the rendering thread never returns (the worker still heartbeats); ``stop``: the
    worker process is stopped (SIGSTOP) while rendering, so it answers nothing at all."""
    from distributed import Client

    out = tmp_path / "out"
    with dask_cluster(tmp_path / "cluster", n_workers=2, env=_hang_env(how)) as cluster:
        with Client(cluster.address, timeout=30) as client:
            before = set(client.scheduler_info()["workers"])
        started = time.monotonic()
        summary = run_batch(
            _jobs(),
            out_dir=out,
            db_path=sample_db,
            scheduler=cluster.address,
            limits=LIMITS,
            progress=False,
        )
        elapsed = time.monotonic() - started
        with Client(cluster.address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
            after = set(client.scheduler_info()["workers"])
    error = next(r.error for r in summary.results if r.status == "failed")
    worker = re.search(r"from worker (tcp://\S+) ", error).group(1)
    assert worker in before and worker not in after  # its nanny replaced it
    _check(summary, out, re.escape(worker))
    # the batch does not wait for the hung report longer than its bound (plus the restart)
    assert elapsed < LIMITS.answer + 30


@pytest.mark.slow
def test_a_local_worker_hung_in_rendering_is_given_up(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in _hang_env().items():  # the spawned worker processes inherit it
        monkeypatch.setenv(name, value)
    out = tmp_path / "out"
    started = time.monotonic()
    summary = run_batch(
        _jobs(), out_dir=out, db_path=sample_db, n_jobs=2, limits=LIMITS, progress=False
    )
    elapsed = time.monotonic() - started
    _check(summary, out, r"local-\d+ \(pid \d+\)")
    assert elapsed < LIMITS.answer + 30


def test_the_bound_counts_from_the_start_then_from_the_kernel_being_ready() -> None:
    job = Job("district", 2025, HUNG, "vi", ("html",))
    task = Task(job, "fp", b"{}")
    watch = Deadlines(LIMITS)
    watch.began(task, "w1", now=100.0)  # start-up 60 + notebook 25 + rendering 5 = 90 s
    assert watch.overdue(now=189.0) == []
    watch.ready(task.name, now=110.0)  # from here notebook 25 + rendering 5 = 30 s
    assert watch.overdue(now=139.0) == []
    [late] = watch.overdue(now=141.0)
    assert watch.overdue(now=500.0) == []  # given up once
    result = no_answer(late, "worker killed", now=141.0)
    assert (result.name, result.status, result.seconds) == (job.key, "failed", 41.0)
    assert result.error == (
        "timed out: no answer from worker w1 within 30 s "
        "(notebook 25 s + rendering 5 s, kernel ready); worker killed"
    )
    watch.began(task, "w2", now=200.0)  # a new start elsewhere: the whole bound again
    [late] = watch.overdue(now=290.5)
    assert "from worker w2 within 90 s (kernel start-up 60 s + notebook 25 s + rendering 5 s)" in (
        no_answer(late, "x", now=290.5).error
    )
    watch.began(task, "w3", now=300.0)
    assert watch.end(task.name).worker == "w3" and watch.overdue(now=1e9) == []
