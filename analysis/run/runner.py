"""The report batch: run the report notebooks for each (kind, year, place), render them to
HTML, PDF and DOCX, write the files on this machine and keep a manifest.

Written once for every executor (:mod:`analysis.run.executors`: local worker processes, or a
Dask cluster): which reports are stale (fingerprints), what each worker is sent (the notebook and
the store, never a path to write to), writing the returned files atomically, and recording each
report in the manifest as it finishes. Speed comes from warm kernels (one per worker, reset
between reports), parallel workers and skipping reports whose inputs did not change; see
``benchmarks/reports.py`` and ``benchmarks/cluster.py``.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from analysis import __version__
from analysis.core import config
from analysis.core.errors import EXIT_OK, EXIT_PARTIAL, AnalysisError, UsageError
from analysis.run.executors import WORKER_TIMEOUT, Executor, LocalExecutor
from analysis.run.kernel import Limits, StoreRef, Task, TaskResult
from analysis.run.manifest import (
    DiskFull,
    read_manifest,
    update_manifest,
    write_index_atomically,
    write_manifest,
)
from analysis.run.manifest import atomic_write as atomic_write
from analysis.run.plan import (
    ALL_KINDS,
    FORMATS,
    KINDS,
    NOTEBOOKS,
    Job,
    JobResult,
    available_years,
    check_formats,
    check_parameters,
    code_fingerprint,
    job_fingerprint,
    manifest_key,
    output_paths,
    places_for,
    plan_jobs,
    store_name,
)
from analysis.run.scratch import sweep_stale

__all__ = [
    "ALL_KINDS",
    "FORMATS",
    "KINDS",
    "NOTEBOOKS",
    "BatchSummary",
    "Job",
    "JobResult",
    "available_years",
    "check_parameters",
    "code_fingerprint",
    "job_fingerprint",
    "manifest_key",
    "output_paths",
    "places_for",
    "plan_jobs",
    "read_manifest",
    "run_batch",
    "run_from_args",
    "summarise",
    "write_manifest",
]


#: Seconds between two merges of finished reports into the manifest, at least.
RECORD_EVERY = 1.0


class _Stop(AnalysisError):
    """Raised from the result callback to stop the batch (the disk is full)."""


@dataclass
class BatchSummary:
    """The outcome of a batch: results per job (in the jobs' order) and where things are."""

    results: list[JobResult]
    manifest: Path
    index: Path | None
    problems: list[str] = field(default_factory=list)  # batch-wide: "disk full: ..."

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status == "failed"]


def executor_for(
    *,
    scheduler: str | None,
    n_jobs: int | None,
    limits: Limits,
    worker_timeout: float = WORKER_TIMEOUT,
    shared_store: bool = False,
) -> Executor:
    """The local executor, or the Dask one when a scheduler address is given."""
    if scheduler:
        from analysis.run.cluster import DaskExecutor  # imports distributed: only when used

        return DaskExecutor(
            scheduler,
            limits,
            max_in_flight=n_jobs,
            worker_timeout=worker_timeout,
            shared_store=shared_store,
        )
    if shared_store:
        raise UsageError("--shared-store only applies with --scheduler")
    return LocalExecutor(2 if n_jobs is None else n_jobs, limits)


def store_ref(db_path: Path, data_fp: str, *, ships: bool) -> StoreRef:
    """The client's store as the workers will get it: its bytes, or a path (this machine, or a
    disk every worker shares); the workers check ``data_fp`` either way."""
    if ships:
        return StoreRef(data_fp, data=Path(db_path).read_bytes())
    return StoreRef(data_fp, path=str(Path(db_path).resolve()))


def _is_fresh(entry: dict | None, fingerprint: str, job: Job, out_dir: Path) -> bool:
    if not entry or entry.get("status") not in ("done", "skipped"):
        return False
    if entry.get("fingerprint") != fingerprint:
        return False
    return all((out_dir / rel).exists() for rel in entry.get("outputs", {}).values()) and set(
        job.formats
    ) <= set(entry.get("outputs", {}))


def _write_files(job: Job, files: dict[str, bytes], out_dir: Path) -> dict[str, str]:
    """Write a report's returned files under ``out_dir``, each atomically; their relative paths."""
    paths = output_paths(job, out_dir)
    outputs: dict[str, str] = {}
    for name, data in files.items():
        atomic_write(paths[name], data)
        outputs[name] = str(paths[name].relative_to(out_dir))
    return outputs


def run_batch(
    jobs: list[Job],
    *,
    out_dir: Path | None = None,
    db_path: Path | None = None,
    n_jobs: int | None = None,
    force: bool = False,
    scheduler: str | None = None,
    progress: bool = True,
    limits: Limits | None = None,
    worker_timeout: float = WORKER_TIMEOUT,
    shared_store: bool = False,
    executor: Executor | None = None,
) -> BatchSummary:
    """Run the jobs (skipping unchanged ones), recording each in the manifest as it finishes,
    then write the index page. A failing report never stops the others; a full disk stops the
    batch with what was written kept. The scratch folders of batches killed before (``kill
    -9``) are removed first."""
    # The store's module (DuckDB) only once there is a batch to run (not on a usage error).
    from analysis.data.store_file import content_fingerprint

    sweep_stale()
    out = out_dir or config.OUTPUTS_DIR
    db = Path(db_path or config.db_path())
    limits = limits or Limits()
    runner = executor or executor_for(
        scheduler=scheduler,
        n_jobs=n_jobs,
        limits=limits,
        worker_timeout=worker_timeout,
        shared_store=shared_store,
    )
    data_fp = content_fingerprint(db)
    code_fp = code_fingerprint()
    previous = read_manifest(out)
    results: dict[str, JobResult] = {}
    tasks: list[Task] = []
    notebooks: dict[Path, bytes] = {}
    for job in jobs:
        fp = job_fingerprint(job, data_fp, code_fp)
        entry = previous.get(job.key)
        if not force and _is_fresh(entry, fp, job, out):
            results[job.key] = JobResult(job, "skipped", 0.0, fp, dict(entry["outputs"]))
        else:
            if job.notebook not in notebooks:
                check_parameters(job.notebook, job.parameters(db))
                notebooks[job.notebook] = job.notebook.read_bytes()
            params = job.parameters(store_name(data_fp))
            tasks.append(Task(job, fp, notebooks[job.notebook], parameters=params))
    meta = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "package_version": __version__,
        "data_fingerprint": data_fp,
        "code_fingerprint": code_fp,
        "database": str(db),
    }
    by_name = {t.name: t for t in tasks}
    problems: list[str] = []
    bar = None
    if progress and tasks:
        # tqdm only when a progress bar is shown.
        from tqdm import tqdm

        bar = tqdm(total=len(tasks), unit="report", file=sys.stderr, desc="reports")

    def on_result(answer: TaskResult) -> None:
        task = by_name[answer.name]
        result = JobResult(
            task.job,
            answer.status,
            answer.seconds,
            task.fingerprint,
            error=answer.error,
            failed_cell=answer.failed_cell,
            timings=answer.timings,
        )
        results[task.job.key] = result
        try:
            if answer.status == "done":
                result.outputs = _write_files(task.job, answer.files, out)
        except DiskFull as exc:
            result.status, result.error, result.outputs = "failed", str(exc), {}
            problems.append(str(exc))
        unrecorded.append(result.to_manifest())
        if time.monotonic() >= flush_at[0] or problems:
            record()
        if bar is not None:
            bar.update(1)
        if problems:
            raise _Stop(problems[0])

    unrecorded: list[dict] = []
    flush_at = [0.0]

    def record() -> None:
        """Merge the finished reports into the manifest. Each merge rewrites the whole file, so
        with thousands of reports they are grouped: the next one waits ten times as long as
        this one took (at least :data:`RECORD_EVERY` s), keeping the client's share small."""
        if not unrecorded:
            return
        started = time.monotonic()
        try:
            update_manifest(out, unrecorded, meta)
        except DiskFull as exc:
            problems.append(str(exc))
        unrecorded.clear()
        took = time.monotonic() - started
        flush_at[0] = time.monotonic() + max(RECORD_EVERY, 10 * took)

    try:
        if tasks:
            runner.run(tasks, store_ref(db, data_fp, ships=runner.ships_store), on_result)
    except _Stop:
        pass
    finally:
        record()  # also on Ctrl-C: what finished is in the manifest
        if bar is not None:
            bar.close()
    index = out / "index.html"
    if problems:
        reason = f"not run: the batch stopped ({problems[0]})"
        left = [JobResult(t.job, "failed", 0.0, t.fingerprint, error=reason) for t in tasks]
        for result in left:
            results.setdefault(result.job.key, result)
        try:
            update_manifest(out, [r.to_manifest() for r in left if results[r.job.key] is r], meta)
        except DiskFull:
            pass
    try:
        if (tasks or not index.exists()) and (out / "manifest.json").exists():
            index = write_index_atomically(out, db)
    except DiskFull as exc:
        problems.append(str(exc))
    ordered = [results[job.key] for job in jobs if job.key in results]
    return BatchSummary(ordered, out / "manifest.json", index if index.exists() else None, problems)


def summarise(summary: BatchSummary) -> str:
    """Text for the terminal: counts, failures with their cell, where to open the reports."""
    done = sum(r.status == "done" for r in summary.results)
    skipped = sum(r.status == "skipped" for r in summary.results)
    lines = [f"{done} report(s) made, {skipped} unchanged (skipped), {len(summary.failed)} failed."]
    lines += [f"STOPPED: {p}; free some space and run again" for p in summary.problems[:1]]
    for r in summary.failed:
        cell = f" (cell {r.failed_cell})" if r.failed_cell is not None else ""
        lines.append(f"  FAILED {r.job.kind} {r.job.year} {r.job.place_id}{cell}: {r.error}")
    if summary.index:
        lines.append(f"Open {summary.index}")
    lines.append(f"Manifest: {summary.manifest}")
    return "\n".join(lines)


def run_from_args(args: object) -> int:
    """The ``report`` verb of the CLI."""
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    check_formats(formats)  # before any work
    out = Path(args.out) if args.out else config.OUTPUTS_DIR
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder")
    for name, value in (
        ("--timeout", args.timeout),
        ("--start-timeout", args.start_timeout),
        ("--render-timeout", args.render_timeout),
    ):
        if value <= 0:
            raise UsageError(f"{name} must be a number of seconds above 0, not {value:g}")
    limits = Limits(report=args.timeout, start=args.start_timeout, render=args.render_timeout)
    executor = executor_for(
        scheduler=args.scheduler,
        n_jobs=args.jobs,
        limits=limits,
        worker_timeout=args.worker_timeout,
        shared_store=args.shared_store,
    )
    if args.scheduler:  # a wrong address is a usage error (exit 2) before anything runs
        # Dask (through analysis.run.cluster) only with --scheduler.
        from analysis.run.cluster import probe_scheduler

        probe_scheduler(args.scheduler)
    db = Path(args.db) if args.db else config.db_path()
    if not db.exists():
        # The build only when there is no store yet.
        from analysis.pipeline import build_store

        build_store(db_path=db)
    kinds = list(ALL_KINDS) if args.kind == "all" else [k.strip() for k in args.kind.split(",")]
    jobs = plan_jobs(
        kinds=kinds,
        year=args.year,
        place=args.place,
        lang=args.lang,
        formats=formats,
        db_path=db,
        issued=getattr(args, "date", "") or "",
        final=bool(getattr(args, "final", False)),
    )
    try:
        summary = run_batch(
            jobs,
            out_dir=out,
            db_path=db,
            force=args.force,
            scheduler=args.scheduler,
            shared_store=args.shared_store,
            executor=executor,
        )
    except KeyboardInterrupt:
        print(
            f"interrupted: the reports finished so far are in {out / 'manifest.json'}",
            file=sys.stderr,
        )
        return 130
    print(summarise(summary))
    return exit_code(summary)


def exit_code(summary: BatchSummary) -> int:
    """The ``report`` verb's exit code: 1 (partial) when a report failed or the batch stopped."""
    return EXIT_PARTIAL if summary.failed or summary.problems else EXIT_OK
