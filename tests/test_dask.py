"""The report batch on a real Dask cluster (scheduler and workers started with the ``dask``
command line, in folders of their own): the same reports as a local run, arriving on the client;
the store made from the client's data or refused; workers that all die; version mismatch."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import nbformat
import pytest

from analysis.cli.main import main
from analysis.data.store_file import content_fingerprint
from analysis.run.cluster import DaskExecutor
from analysis.run.executors import LocalExecutor
from analysis.run.kernel import StoreRef, Task, TaskResult
from analysis.run.runner import Job, run_batch
from tests.dask_cluster import dask_cluster

pytestmark = pytest.mark.slow

JOBS = [
    Job("district", 2025, "chi-lang", "vi", ("html",)),
    Job("district", 2025, "cao-loc", "en", ("html",)),
    Job("commune", 2025, "xa-cong-son", "vi", ("html",)),
    Job("district", 2025, "chi-lang", "xx", ("html",)),  # a bad language: fails in its third cell
]


def _cells(path: Path) -> list[tuple[str, str]]:
    """What an executed notebook shows, without timings: each cell's source and outputs."""
    nb = nbformat.read(path, as_version=4)
    return [(c.source, json.dumps(c.get("outputs", []), sort_keys=True)) for c in nb.cells]


def test_reports_arrive_on_the_client_identical_to_a_local_run(
    sample_db: Path, tmp_path: Path
) -> None:
    local = run_batch(JOBS, out_dir=tmp_path / "local", db_path=sample_db, progress=False)
    with dask_cluster(tmp_path / "cluster") as cluster:
        remote = run_batch(
            JOBS,
            out_dir=tmp_path / "client",
            db_path=sample_db,
            scheduler=cluster.address,
            progress=False,
        )
        worker_files = [p for p in cluster.workdir.rglob("*") if p.is_file()]
    assert [r.status for r in remote.results] == [r.status for r in local.results]
    assert [r.status for r in remote.results] == ["done", "done", "done", "failed"]
    # parameters (1), papermill's injected parameters (2), then `r.prepare(...)` fails (3)
    assert remote.results[3].failed_cell == local.results[3].failed_cell == 3
    for mine, theirs in zip(local.results[:3], remote.results[:3], strict=True):
        assert mine.outputs == theirs.outputs
        html = mine.outputs["html"]
        assert (tmp_path / "client" / html).read_bytes() == (tmp_path / "local" / html).read_bytes()
        nb = mine.outputs["notebook"]
        assert _cells(tmp_path / "client" / nb) == _cells(tmp_path / "local" / nb)
    # the workers got the client's store (a copy named by its fingerprint), wrote no report
    fp = content_fingerprint(sample_db)
    copies = [p for p in worker_files if p.name == f"store-{fp[:12]}.duckdb"]
    assert copies and all(not p.is_symlink() for p in copies)
    assert not [p for p in worker_files if p.suffix in (".html", ".ipynb")]
    manifest = json.loads((tmp_path / "client" / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["reports"]) == 4 and manifest["data_fingerprint"] == fp


def _run(executor: DaskExecutor, store: StoreRef) -> list[TaskResult]:
    job = JOBS[0]
    results: list[TaskResult] = []
    executor.run([Task(job, "fp", job.notebook.read_bytes())], store, results.append)
    return results


def test_a_worker_without_the_store_refuses_and_never_uses_other_data(
    sample_db: Path, tmp_path: Path
) -> None:
    fp = content_fingerprint(sample_db)
    with dask_cluster(tmp_path / "cluster", n_workers=1) as cluster:
        shared = DaskExecutor(cluster.address, shared_store=True)
        missing = _run(shared, StoreRef(fp, path=str(tmp_path / "client-only" / "x.duckdb")))
        other = _run(shared, StoreRef("0" * 64, path=str(sample_db)))
    assert missing[0].status == "failed"
    assert "is not on worker" in missing[0].error and "x.duckdb" in missing[0].error
    assert other[0].status == "failed"
    assert f"holds other data than the client's: fingerprint {fp[:12]}" in other[0].error
    assert missing[0].files == {} and other[0].files == {}


def test_all_workers_killed_mid_batch_ends_within_its_timeout(
    sample_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "out"
    with dask_cluster(tmp_path / "cluster") as cluster:

        def kill_after_first_report() -> None:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                if (out / "manifest.json").exists():
                    return cluster.kill_workers()
                time.sleep(0.2)

        killer = threading.Thread(target=kill_after_first_report)
        killer.start()
        started = time.monotonic()
        code = main(
            [
                "report",
                "--db",
                str(sample_db),
                "--out",
                str(out),
                "--scheduler",
                cluster.address,
                "--worker-timeout",
                "10",
            ]
        )
        elapsed = time.monotonic() - started
        killer.join()
    assert code == 1
    entries = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["reports"]
    done = [e for e in entries if e["status"] == "done"]
    failed = [e for e in entries if e["status"] == "failed"]
    assert len(entries) == 11 and 1 <= len(done) < 11
    assert all(e["error"] == "no Dask worker left for 10 s" for e in failed)
    assert elapsed < 240
    assert "FAILED district 2025" in capsys.readouterr().out


def test_workers_running_other_code_are_refused(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    import analysis.run.cluster as cluster_module

    with dask_cluster(tmp_path / "cluster", n_workers=1) as cluster:
        # this client only (the workers are other processes): where the client looks it up
        monkeypatch.setattr(cluster_module, "code_fingerprint", lambda: "f" * 64)
        args = ["report", "--db", str(sample_db), "--out", str(tmp_path / "out")]
        code = main([*args, "--scheduler", cluster.address])
    assert code == 2
    err = capsys.readouterr().err
    assert "1 worker(s) run other code than this client" in err
    assert "(code ffffffffffff)" in err and "install the same version everywhere" in err


def test_local_executor_is_the_same_interface(sample_db: Path) -> None:
    fp = content_fingerprint(sample_db)
    job = JOBS[3]
    results: list[TaskResult] = []
    LocalExecutor(1).run(
        [Task(job, "x", job.notebook.read_bytes())],
        StoreRef(fp, path=str(sample_db)),
        results.append,
    )
    assert [(r.status, r.failed_cell) for r in results] == [("failed", 3)]
    assert "unknown language 'xx'" in results[0].error


def test_a_result_lost_with_its_worker_does_not_hang_the_client(tmp_path: Path) -> None:
    # A report finished, then every worker died before the client fetched its bytes: fetching
    # would wait for a worker to make it again, for ever. The report fails within the bound.
    from distributed import Client, wait

    job = JOBS[0]
    with dask_cluster(tmp_path / "cluster", n_workers=1) as cluster:
        executor = DaskExecutor(cluster.address, worker_timeout=3)
        with Client(cluster.address, timeout=30) as client:
            future = client.submit(sum, [1, 2], pure=False)
            wait([future], timeout=60)
            assert future.status == "finished"
            cluster.kill_workers()
            started = time.monotonic()
            result = executor._result(Task(job, "fp", b""), future)
            elapsed = time.monotonic() - started
    assert result.status == "failed"
    assert result.error == (
        "its result was lost with its Dask worker and not made again within 3 s"
    )
    assert elapsed < 30
