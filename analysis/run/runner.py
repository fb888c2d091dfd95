"""The report batch: run the report notebooks with papermill for each (kind, year, place), render
them with nbconvert (HTML), WeasyPrint (PDF) and python-docx (DOCX), and keep a manifest.

Speed comes from three things, measured in ``benchmarks/reports.py``:
- each worker keeps one warm Jupyter kernel and runs its notebooks in it one after another
  (``%reset -f`` between them), so the kernel start and the imports are paid once per worker;
- workers run in parallel (``--jobs``), and rendering happens in-process, without CLI start-ups;
- a report whose inputs (notebook, parameters, data, package code) did not change is skipped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing as mp
import os
import queue
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from analysis.core import config
from analysis.core.errors import EXIT_OK, EXIT_PARTIAL, UsageError

KINDS = ("district", "province", "review", "commune")
#: What `--kind all` runs: the plan's own reports (communes on request).
ALL_KINDS = ("district", "province", "review")
FORMATS = ("html", "pdf", "docx")
NOTEBOOKS = {
    "district": "district_report.ipynb",
    "commune": "commune_report.ipynb",
    "province": "province_report.ipynb",
    "review": "review_report.ipynb",
}
REVIEW_YEARS = (2025, 2030)
KERNEL_NAME = "python3"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """One report to make: which notebook, for which year and place, in which language."""

    kind: str
    year: int
    place_id: str
    lang: str = "vi"
    formats: tuple[str, ...] = ("html",)

    @property
    def notebook(self) -> Path:
        return config.NOTEBOOKS_DIR / NOTEBOOKS[self.kind]

    @property
    def stem(self) -> str:
        """File name without extension: ``cao-loc``, ``review-tinh-lang-son``, ``cao-loc.en``."""
        base = self.place_id if self.kind != "review" else f"review-{self.place_id}"
        return base if self.lang == "vi" else f"{base}.{self.lang}"

    def title(self) -> str:
        """The document title of the report (HTML title, DOCX properties)."""
        from analysis.data.places import place_name

        words = {
            "district": ("Báo cáo", "Report"),
            "commune": ("Báo cáo", "Report"),
            "province": ("Báo cáo", "Report"),
            "review": (
                "Sơ kết" if self.year < 2030 else "Tổng kết",
                "Mid-term review" if self.year < 2030 else "Final review",
            ),
        }
        word = words[self.kind][0 if self.lang == "vi" else 1]
        return f"{word} {self.year} — {place_name(self.place_id, self.lang)}"

    def parameters(self, db_path: Path) -> dict[str, object]:
        return {
            "year": self.year,
            "place": self.place_id,
            "lang": self.lang,
            "db_path": str(db_path),
        }


@dataclass
class JobResult:
    """What happened to one job; one entry of the manifest."""

    job: Job
    status: str  # done, skipped, failed
    seconds: float = 0.0
    fingerprint: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    error: str = ""
    failed_cell: int | None = None

    def to_manifest(self) -> dict[str, object]:
        entry = asdict(self)
        entry["job"] = {**asdict(self.job), "formats": list(self.job.formats)}
        return entry


# ---------------------------------------------------------------------------------- planning


def available_years(db_path: Path) -> list[int]:
    """Reporting years present in the store (village figures, excluding the 2020 baseline)."""
    from analysis.data.store import connect

    with connect(db_path) as con:
        rows = con.execute(
            "SELECT DISTINCT year FROM village_year WHERE year > ? ORDER BY year",
            [config.BASELINE_YEAR],
        ).fetchall()
    return [int(r[0]) for r in rows]


def places_for(kind: str, db_path: Path | None = None) -> list[str]:
    """Places a kind of report is made for: the 11 districts, the province, or the 2025
    communes that have craft villages in the store."""
    from analysis.data.places import commune_slug_by_code, places

    table = places()
    if kind == "district":
        return list(table.loc[table["level"] == "district", "place_id"])
    if kind == "commune":
        from analysis.data.store import connect

        with connect(db_path) as con:
            codes = [
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT commune_code FROM villages ORDER BY 1"
                ).fetchall()
            ]
        slugs = commune_slug_by_code()
        return [slugs[c] for c in codes if c in slugs]
    return list(table.loc[table["level"] == "province", "place_id"])


def plan_jobs(
    *,
    kinds: Sequence[str],
    year: int | None,
    place: str,
    lang: str,
    formats: Sequence[str],
    db_path: Path,
) -> list[Job]:
    """The run list, derived from the reference data and the years in the store."""
    years = available_years(db_path)
    if not years:
        raise UsageError(f"the store {db_path} has no reporting years")
    if year is None:
        year = years[-1]
    if year not in years:
        raise UsageError(
            f"no data for year {year}; years in the store: {', '.join(map(str, years))}"
        )
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise UsageError(f"unknown format {unknown[0]!r}; use {', '.join(FORMATS)}")
    jobs: list[Job] = []
    for kind in kinds:
        if kind not in KINDS:
            raise UsageError(f"unknown kind {kind!r}; use {', '.join(KINDS)} or all")
        valid = places_for(kind, db_path)
        if place != "all" and place not in valid and len(kinds) == 1:
            raise UsageError(
                f"unknown place {place!r} for a {kind} report; valid: {', '.join(valid)}"
            )
        chosen = valid if place == "all" else [p for p in valid if p == place]
        if kind == "review" and year < REVIEW_YEARS[0]:
            continue
        jobs += [Job(kind, year, p, lang, tuple(formats)) for p in chosen]
    if not jobs:
        raise UsageError(f"nothing to run for place {place!r} and kinds {', '.join(kinds)}")
    return jobs


def check_parameters(notebook: Path, parameters: dict[str, object]) -> None:
    """Refuse parameters that the notebook's ``parameters`` cell does not declare.

    Papermill only warns about an unknown parameter; a report made with a misspelt one would
    silently use the default, so the runner treats it as an error.
    """
    import papermill

    declared = papermill.inspect_notebook(str(notebook))
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise UsageError(
            f"{notebook.name} has no parameter {', '.join(unknown)}; "
            f"declared: {', '.join(declared)}"
        )


# ------------------------------------------------------------------------------- fingerprints


def _hash_files(paths: Iterable[Path], digest: hashlib._Hash) -> None:
    for path in sorted(paths):
        digest.update(str(path.relative_to(config.ROOT)).encode())
        digest.update(path.read_bytes())


def code_fingerprint() -> str:
    """Hash of the package's source and reference data (what a report's logic depends on)."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]  # the whole analysis package
    _hash_files(
        [p for p in package.rglob("*") if p.suffix in {".py", ".yaml", ".css", ".html"}], digest
    )
    _hash_files(config.REFERENCE_DIR.glob("*"), digest)
    return digest.hexdigest()


def job_fingerprint(job: Job, data_fp: str, code_fp: str, db_path: Path) -> str:
    """Hash of everything a report depends on: notebook, parameters, data, code, formats."""
    digest = hashlib.sha256()
    digest.update(job.notebook.read_bytes())
    digest.update(json.dumps(job.parameters(db_path), sort_keys=True).encode())
    digest.update(",".join(job.formats).encode())
    digest.update(data_fp.encode())
    digest.update(code_fp.encode())
    return digest.hexdigest()


# ---------------------------------------------------------------------------------- execution


def output_paths(job: Job, out_dir: Path) -> dict[str, Path]:
    """Where a job writes: the executed notebook and one file per format."""
    paths = {"notebook": out_dir / "notebooks" / str(job.year) / f"{job.kind}-{job.stem}.ipynb"}
    for fmt in job.formats:
        paths[fmt] = out_dir / "reports" / str(job.year) / f"{job.stem}.{fmt}"
    return paths


def execute_job(job: Job, out_dir: Path, db_path: Path, km: object | None = None) -> JobResult:
    """Run one notebook with papermill and render it; never raises for a failing notebook."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from analysis.reports import export

    started = time.perf_counter()
    paths = output_paths(job, out_dir)
    for path in paths.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    params = job.parameters(db_path)
    try:
        check_parameters(job.notebook, params)
        kwargs: dict[str, object] = {"km": km} if km is not None else {}
        papermill.execute_notebook(
            str(job.notebook),
            str(paths["notebook"]),
            parameters=params,
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            request_save_on_cell_execute=False,  # one write at the end, not one per cell
            cwd=str(config.NOTEBOOKS_DIR),
            **kwargs,
        )
        nb = nbformat.read(paths["notebook"], as_version=4)
        title = job.title()
        html = export.notebook_to_html(nb, title=title, lang=job.lang)
        if "html" in paths:
            paths["html"].write_text(html, encoding="utf-8")
        if "pdf" in paths:
            export.html_to_pdf(html, paths["pdf"])
        if "docx" in paths:
            export.notebook_to_docx(nb, paths["docx"], title=title, lang=job.lang)
    except PapermillExecutionError as exc:
        return JobResult(
            job,
            "failed",
            time.perf_counter() - started,
            error=f"{exc.ename}: {exc.evalue}",
            failed_cell=exc.exec_count,
        )
    except Exception as exc:  # a report failing must not stop the batch
        return JobResult(
            job, "failed", time.perf_counter() - started, error=f"{exc.__class__.__name__}: {exc}"
        )
    outputs = {k: str(v.relative_to(out_dir)) for k, v in paths.items()}
    return JobResult(job, "done", time.perf_counter() - started, outputs=outputs)


class WarmKernel:
    """A Jupyter kernel kept alive across notebooks, with the heavy imports done once."""

    WARM_UP = (
        "import analysis.reports.content, analysis.reports.charts\n"
        "import analysis.indicators.progress, analysis.indicators.recognition\n"
        "import matplotlib.pyplot as _plt\n"
        "analysis.reports.charts.apply_style()\n"
        "_fig = _plt.figure(); _fig.text(0.5, 0.5, 'Lạng Sơn'); _fig.savefig(__import__('io')"
        ".BytesIO(), format='png'); _plt.close(_fig)"
    )

    def __init__(self) -> None:
        from jupyter_client.manager import KernelManager

        self.km = KernelManager(kernel_name=KERNEL_NAME)
        # The kernel's own chatter goes to the run log, not to the terminal.
        log_dir = config.OUTPUTS_DIR / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        self._log = open(log_dir / f"kernel-{os.getpid()}.log", "ab")
        self.km.start_kernel(cwd=str(config.NOTEBOOKS_DIR), stdout=self._log, stderr=self._log)
        self._run(self.WARM_UP)

    def _run(self, code: str) -> None:
        client = self.km.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
            client.execute_interactive(code, timeout=120, output_hook=lambda msg: None)
        finally:
            client.stop_channels()

    def reset(self) -> None:
        """Forget the previous notebook's variables; imported modules stay warm."""
        self._run("%reset -f\nimport matplotlib.pyplot as _plt\n_plt.close('all')")

    def shutdown(self) -> None:
        self.km.shutdown_kernel(now=True)
        self._log.close()


def _worker(tasks: mp.Queue, results: mp.Queue, out_dir: str, db_path: str, warm: bool) -> None:
    """Worker process: one warm kernel, jobs from ``tasks`` until a ``None`` arrives."""
    logging.getLogger("papermill").setLevel(logging.ERROR)
    kernel = None
    try:
        if warm:
            kernel = WarmKernel()
        while True:
            item = tasks.get()
            if item is None:
                break
            job, fingerprint = item
            try:
                if kernel is not None:
                    kernel.reset()
                result = execute_job(
                    job, Path(out_dir), Path(db_path), km=kernel.km if kernel else None
                )
            except Exception:
                result = JobResult(job, "failed", error=traceback.format_exc(limit=3))
            result.fingerprint = fingerprint
            results.put(result)
    finally:
        if kernel is not None:
            kernel.shutdown()


def _run_local(
    todo: list[tuple[Job, str]],
    out_dir: Path,
    db_path: Path,
    n_jobs: int,
    warm: bool,
    on_result: Callable[[JobResult], None],
) -> None:
    ctx = mp.get_context("spawn")
    tasks: mp.Queue = ctx.Queue()
    results: mp.Queue = ctx.Queue()
    workers = [
        ctx.Process(target=_worker, args=(tasks, results, str(out_dir), str(db_path), warm))
        for _ in range(max(1, min(n_jobs, len(todo))))
    ]
    for item in todo:
        tasks.put(item)
    for _ in workers:
        tasks.put(None)
    for proc in workers:
        proc.start()
    waiting = {manifest_key(job): job for job, _ in todo}
    fingerprints = {manifest_key(job): fp for job, fp in todo}
    while waiting:
        try:
            result = results.get(timeout=5)
        except queue.Empty:
            if any(p.is_alive() for p in workers):
                continue
            # Every worker is gone (a crash, a killed kernel): what they had not finished
            # is reported as failed, so the manifest still tells the whole story.
            for key, job in waiting.items():
                on_result(
                    JobResult(
                        job,
                        "failed",
                        error="the report worker stopped unexpectedly",
                        fingerprint=fingerprints[key],
                    )
                )
            break
        waiting.pop(manifest_key(result.job), None)
        on_result(result)
    for proc in workers:
        proc.join(timeout=60)


def _run_dask(
    todo: list[tuple[Job, str]],
    out_dir: Path,
    db_path: Path,
    scheduler: str,
    on_result: Callable[[JobResult], None],
) -> None:
    from distributed import Client, as_completed

    def task(item: tuple[Job, str]) -> JobResult:
        job, fingerprint = item
        result = execute_job(job, out_dir, db_path)
        result.fingerprint = fingerprint
        return result

    with Client(scheduler) as client:
        futures = client.map(task, todo, pure=False)
        for future in as_completed(futures):
            on_result(future.result())


# ------------------------------------------------------------------------------------ manifest


def read_manifest(out_dir: Path) -> dict[str, dict]:
    path = out_dir / "manifest.json"
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return {}
    return {entry["key"]: entry for entry in data.get("reports", [])}


def manifest_key(job: Job) -> str:
    return f"{job.year}/{job.kind}/{job.stem}"


def write_manifest(out_dir: Path, entries: dict[str, dict], meta: dict[str, object]) -> Path:
    path = out_dir / "manifest.json"
    out_dir.mkdir(parents=True, exist_ok=True)
    body = {**meta, "reports": sorted(entries.values(), key=lambda e: e["key"])}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(body, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)
    return path


def _is_fresh(entry: dict | None, fingerprint: str, job: Job, out_dir: Path) -> bool:
    if not entry or entry.get("status") not in ("done", "skipped"):
        return False
    if entry.get("fingerprint") != fingerprint:
        return False
    return all((out_dir / rel).exists() for rel in entry.get("outputs", {}).values()) and set(
        job.formats
    ) <= set(entry.get("outputs", {}))


@dataclass
class BatchSummary:
    """The outcome of a batch: results per job and where things are."""

    results: list[JobResult]
    manifest: Path
    index: Path | None

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status == "failed"]


def run_batch(
    jobs: list[Job],
    *,
    out_dir: Path | None = None,
    db_path: Path | None = None,
    n_jobs: int = 2,
    force: bool = False,
    scheduler: str | None = None,
    warm: bool = True,
    progress: bool = True,
) -> BatchSummary:
    """Run the jobs (skipping unchanged ones), write the manifest and the index page."""
    from analysis.data.store import content_fingerprint

    out = out_dir or config.OUTPUTS_DIR
    db = db_path or config.db_path()
    data_fp = content_fingerprint(db)
    code_fp = code_fingerprint()
    previous = read_manifest(out)
    entries = dict(previous)
    results: list[JobResult] = []
    todo: list[tuple[Job, str]] = []
    for job in jobs:
        fp = job_fingerprint(job, data_fp, code_fp, db)
        entry = previous.get(manifest_key(job))
        if not force and _is_fresh(entry, fp, job, out):
            skipped = JobResult(job, "skipped", 0.0, fp, dict(entry["outputs"]))
            results.append(skipped)
        else:
            todo.append((job, fp))

    bar = None
    if progress and todo:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), unit="report", file=sys.stderr, desc="reports")

    def on_result(result: JobResult) -> None:
        results.append(result)
        if result.status == "done":
            entries[manifest_key(result.job)] = {
                "key": manifest_key(result.job),
                **result.to_manifest(),
            }
        else:
            entries[manifest_key(result.job)] = {
                "key": manifest_key(result.job),
                **result.to_manifest(),
                "outputs": {},
            }
        if bar is not None:
            bar.update(1)

    try:
        if todo and scheduler:
            _run_dask(todo, out, db, scheduler, on_result)
        elif todo:
            _run_local(todo, out, db, n_jobs, warm, on_result)
    finally:
        if bar is not None:
            bar.close()
    for result in results:
        if result.status == "skipped":
            entries[manifest_key(result.job)]["status"] = "done"
    from analysis import __version__

    meta = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "package_version": __version__,
        "data_fingerprint": data_fp,
        "code_fingerprint": code_fp,
        "database": str(db),
    }
    manifest = write_manifest(out, entries, meta)
    index = out / "index.html"
    if todo or not index.exists():  # nothing ran: the page still describes the same reports
        from analysis.reports.index_page import write_index

        index = write_index(out, db_path=db)
    return BatchSummary(results, manifest, index)


def summarise(summary: BatchSummary) -> str:
    """Text for the terminal: counts, failures with their cell, where to open the reports."""
    done = sum(r.status == "done" for r in summary.results)
    skipped = sum(r.status == "skipped" for r in summary.results)
    lines = [f"{done} report(s) made, {skipped} unchanged (skipped), {len(summary.failed)} failed."]
    for r in summary.failed:
        cell = f" (cell {r.failed_cell})" if r.failed_cell is not None else ""
        lines.append(f"  FAILED {r.job.kind} {r.job.year} {r.job.place_id}{cell}: {r.error}")
    if summary.index:
        lines.append(f"Open {summary.index}")
    lines.append(f"Manifest: {summary.manifest}")
    return "\n".join(lines)


def run_from_args(args: object) -> int:
    """The ``report`` verb of the CLI."""
    db = Path(args.db) if args.db else config.db_path()
    if not db.exists():
        from analysis.pipeline import build_store

        build_store(db_path=db)
    kinds = list(ALL_KINDS) if args.kind == "all" else [k.strip() for k in args.kind.split(",")]
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    jobs = plan_jobs(
        kinds=kinds,
        year=args.year,
        place=args.place,
        lang=args.lang,
        formats=formats,
        db_path=db,
    )
    out = Path(args.out) if args.out else config.OUTPUTS_DIR
    summary = run_batch(
        jobs, out_dir=out, db_path=db, n_jobs=args.jobs, force=args.force, scheduler=args.scheduler
    )
    print(summarise(summary))
    return EXIT_PARTIAL if summary.failed else EXIT_OK
