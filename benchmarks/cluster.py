"""Benchmark: the report batch on a Dask cluster, and the parts of a model for the country.

Start a cluster first (this script never starts one, so the same figures come from a real one):

    .venv/bin/dask scheduler --port 8786 --no-dashboard &
    .venv/bin/dask worker tcp://127.0.0.1:8786 --nworkers 2 --nthreads 1 --no-dashboard &

then ``.venv/bin/python benchmarks/cluster.py --scheduler tcp://127.0.0.1:8786 --repeat 10``.

It runs the province's 23 commune reports ``--repeat`` times (HTML; the same notebook and data,
distinct task names) through :class:`analysis.run.cluster.DaskExecutor`, writing every returned
file on the client through the runner's own atomic writes and manifest updates, and reports:
per-report cost on a worker, the client's own cost per report (receive, write, manifest), the
scheduler's overhead per task (1,000 empty tasks), and the bytes moved per report. It then
measures one manifest update at the size of the country's batch (3,321 entries). JSON on stdout.
"""

from __future__ import annotations

import argparse
import json
import pickle
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _noop(i: int) -> int:
    return i


def scheduler_overhead(address: str, n: int = 1000) -> float:
    """Seconds of scheduler round trip per task, from ``n`` empty tasks on the cluster."""
    from distributed import Client, wait

    with Client(address) as client:
        wait(client.map(_noop, range(50), pure=False))  # warm the path
        started = time.perf_counter()
        wait(client.map(_noop, range(n), pure=False))
        return (time.perf_counter() - started) / n


def manifest_update_seconds(n_entries: int, runs: int = 5) -> float:
    """Median seconds of one :func:`update_manifest` on a manifest of ``n_entries`` reports."""
    from analysis.run.manifest import update_manifest

    entry = {
        "status": "done",
        "seconds": 2.5,
        "fingerprint": "f" * 64,
        "outputs": {"notebook": "notebooks/2025/commune-xa-cong-son.ipynb", "html": "r.html"},
        "error": "",
        "failed_cell": None,
        "job": {"kind": "commune", "year": 2025, "place_id": "xa-cong-son", "lang": "vi"},
    }
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        update_manifest(out, [{**entry, "key": f"k{i}"} for i in range(n_entries)])
        times = []
        for i in range(runs):
            started = time.perf_counter()
            update_manifest(out, [{**entry, "key": f"k{i}"}])
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scheduler", required=True)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--db", help="store (default: built from data/sample in a temp folder)")
    args = parser.parse_args()

    from analysis.core import config
    from analysis.data.store_file import content_fingerprint
    from analysis.pipeline import build_store
    from analysis.run.cluster import DaskExecutor
    from analysis.run.kernel import StoreRef, Task, TaskResult
    from analysis.run.manifest import atomic_write, update_manifest
    from analysis.run.plan import Job, code_fingerprint, job_fingerprint, places_for

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = Path(args.db) if args.db else build_store(config.SAMPLE_DIR, work / "s.duckdb")
        data_fp, code_fp = content_fingerprint(db), code_fingerprint()
        communes = places_for("commune", db)
        tasks = []
        for r in range(args.repeat):
            for place in communes:
                job = Job("commune", 2025, place)
                fp = job_fingerprint(job, data_fp, code_fp)
                tasks.append(Task(job, fp, job.notebook.read_bytes(), key=f"{job.key}#{r}"))
        store = StoreRef(data_fp, data=db.read_bytes())
        out = work / "out"
        worker_s: list[float] = []
        client_s: list[float] = []
        result_bytes: list[int] = []
        failures: list[str] = []

        def on_result(result: TaskResult) -> None:
            started = time.perf_counter()
            if result.status != "done":
                failures.append(f"{result.name}: {result.error}")
            worker_s.append(result.seconds)
            result_bytes.append(result.nbytes)
            for name, data in result.files.items():
                atomic_write(out / result.name.replace("#", "-") / name, data)
            update_manifest(out, [{"key": result.name, "status": result.status}])
            client_s.append(time.perf_counter() - started)

        executor = DaskExecutor(args.scheduler)
        client = executor.connect()
        n_workers = len(client.nthreads())
        client.close()
        started = time.perf_counter()
        executor.run(tasks, store, on_result)
        wall = time.perf_counter() - started
    overhead = scheduler_overhead(args.scheduler)
    task_bytes = len(pickle.dumps(tasks[0]))
    figures = {
        "reports": len(tasks),
        "failed": len(failures),
        "workers": n_workers,
        "wall_s": round(wall, 1),
        "per_report_wall_s": round(wall / len(tasks), 3),
        "worker_s_per_report_median": round(statistics.median(worker_s), 3),
        "worker_s_per_report_mean": round(statistics.mean(worker_s), 3),
        "client_s_per_report_median": round(statistics.median(client_s), 4),
        "scheduler_s_per_task": round(overhead, 5),
        "bytes_back_per_report": int(statistics.mean(result_bytes)),
        "bytes_out_per_report": task_bytes,
        "store_bytes_once_per_worker": len(store.data),
        "manifest_update_s_at_3321": round(manifest_update_seconds(3321), 4),
    }
    print(json.dumps(figures, indent=1))
    if failures:
        print("\n".join(failures[:5]), file=sys.stderr)


if __name__ == "__main__":
    main()
