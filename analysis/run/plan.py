"""Which reports to make and what each depends on: the jobs, their parameters, output names and
fingerprints. Fast (no kernel); shared by every executor."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from analysis.core import config
from analysis.core.errors import UsageError
from analysis.run.questions import question_jobs

KINDS = ("district", "province", "review", "commune", "questions")
#: What `--kind all` runs: the plan's own reports (communes and the question notebooks on
#: request; `make report` adds the questions).
ALL_KINDS = ("district", "province", "review")
FORMATS = ("html", "pdf", "docx")
NOTEBOOKS = {
    "district": "district_report.ipynb",
    "commune": "commune_report.ipynb",
    "province": "province_report.ipynb",
    "review": "review_report.ipynb",
}
REVIEW_YEARS = (2025, 2030)


@dataclass(frozen=True)
class Job:
    """One report to make: which notebook, for which year and place, in which language."""

    kind: str
    year: int
    place_id: str
    lang: str = "vi"
    formats: tuple[str, ...] = ("html",)
    issued: str = ""  # date of issue (YYYY-MM-DD); "" means the day the report is made
    final: bool = False  # without the "DỰ THẢO" (draft) mark

    @property
    def notebook(self) -> Path:
        return config.NOTEBOOKS_DIR / NOTEBOOKS[self.kind]

    @property
    def stem(self) -> str:
        """File name without extension: ``cao-loc``, ``review-tinh-lang-son``, ``cao-loc.en``."""
        base = self.place_id if self.kind != "review" else f"review-{self.place_id}"
        return base if self.lang == "vi" else f"{base}.{self.lang}"

    @property
    def key(self) -> str:
        """The job's name in the manifest: ``2025/district/cao-loc``."""
        return f"{self.year}/{self.kind}/{self.stem}"

    def title(self) -> str:
        """The document title of the report (HTML title, DOCX properties)."""
        # The data layer (pandas, DuckDB) and the labels (YAML) only when a title is made.
        from analysis.core.labels import label
        from analysis.data.places import place_name

        key = "job_title_report"
        if self.kind == "review":
            key = "job_title_midterm" if self.year < 2030 else "job_title_final"
        return label(key, self.lang, year=self.year, place=place_name(self.place_id, self.lang))

    def parameters(self, db_path: Path | str) -> dict[str, object]:
        return {
            "year": self.year,
            "place": self.place_id,
            "lang": self.lang,
            "db_path": str(db_path),
            "issued": self.issued,
            "final": self.final,
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
    timings: dict[str, float] = field(default_factory=dict)  # seconds: execute, html, pdf, docx

    def to_manifest(self) -> dict[str, object]:
        entry = asdict(self)
        entry["job"] = {**asdict(self.job), "formats": list(self.job.formats)}
        try:  # the index page lists a question by its title
            entry["title"] = self.job.title()
        except (KeyError, OSError):
            entry["title"] = ""
        return {"key": self.job.key, **entry}


def manifest_key(job: Job) -> str:
    """The job's name in the manifest (kept for callers of the old runner)."""
    return job.key


# ---------------------------------------------------------------------------------- planning


def available_years(db_path: Path) -> list[int]:
    """Reporting years present in the store (village figures, excluding the 2020 baseline)."""
    # The data layer (pandas, DuckDB) only when the plan needs the store.
    from analysis.data.store_file import connect

    with connect(db_path) as con:
        rows = con.execute(
            "SELECT DISTINCT year FROM village_year WHERE year > ? ORDER BY year",
            [config.BASELINE_YEAR],
        ).fetchall()
    return [int(r[0]) for r in rows]


def places_for(kind: str, db_path: Path | None = None) -> list[str]:
    """Places a kind of report is made for: the 11 districts, the province, or the 2025
    communes that have craft villages in the store."""
    # The data layer (pandas, DuckDB) only when the plan needs the store.
    from analysis.data.places import commune_slug_by_code, places

    table = places()
    if kind == "district":
        return list(table.loc[table["level"] == "district", "place_id"])
    if kind == "commune":
        # The data layer (pandas, DuckDB) only when the plan needs the store.
        from analysis.data.store_file import connect

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


def check_formats(formats: Sequence[str]) -> None:
    """Refuse an empty or unknown format list before any work starts."""
    if not formats:
        raise UsageError(f"no output format given; use one or more of {', '.join(FORMATS)}")
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise UsageError(f"unknown format {unknown[0]!r}; use {', '.join(FORMATS)}")


def plan_jobs(
    *,
    kinds: Sequence[str],
    year: int | None,
    place: str,
    lang: str,
    formats: Sequence[str],
    db_path: Path,
    issued: str = "",
    final: bool = False,
) -> list[Job]:
    """The run list, derived from the reference data and the years in the store; ``issued`` (the
    date of issue, ``YYYY-MM-DD``) and ``final`` (no draft mark) go to every report."""
    check_formats(formats)
    if issued:
        try:
            date.fromisoformat(issued)
        except ValueError:
            raise UsageError(f"bad --date {issued!r}; write it as YYYY-MM-DD") from None
    years = available_years(db_path)
    if not years:
        raise UsageError(f"the store {db_path} has no reporting years")
    if year is None:
        year = years[-1]
    if year not in years:
        raise UsageError(
            f"no data for year {year}; years in the store: {', '.join(map(str, years))}"
        )
    if place != "all":  # a slug, code or name (never a guess: analysis.data.resolve)
        # The data layer (pandas, DuckDB) only when a place must be resolved.
        from analysis.data.resolve import UnknownNameError, resolve_place

        with contextlib.suppress(UnknownNameError):  # named below with the kind's places
            place = resolve_place(place)
    jobs: list[Job] = []
    for kind in kinds:
        if kind not in KINDS:
            raise UsageError(f"unknown kind {kind!r}; use {', '.join(KINDS)} or all")
        if kind == "questions":  # the question notebooks, whatever the place, as HTML pages
            jobs += question_jobs(year, lang, ("html",))
            continue
        valid = places_for(kind, db_path)
        if place != "all" and place not in valid and len(kinds) == 1:
            raise UsageError(
                f"unknown place {place!r} for a {kind} report; valid: {', '.join(valid)}"
            )
        chosen = valid if place == "all" else [p for p in valid if p == place]
        if kind == "review" and year < REVIEW_YEARS[0]:
            continue
        jobs += [Job(kind, year, p, lang, tuple(formats), issued, final) for p in chosen]
    if not jobs:
        raise UsageError(f"nothing to run for place {place!r} and kinds {', '.join(kinds)}")
    return jobs


def check_parameters(notebook: Path, parameters: dict[str, object]) -> None:
    """Refuse parameters that the notebook's ``parameters`` cell does not declare.

    Papermill only warns about an unknown parameter; a report made with a misspelt one would
    silently use the default, so the runner treats it as an error.
    """
    # papermill only to read a notebook's parameters.
    import papermill

    declared = papermill.inspect_notebook(str(notebook))
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise UsageError(
            f"{notebook.name} has no parameter {', '.join(unknown)}; "
            f"declared: {', '.join(declared)}"
        )


def output_paths(job: Job, out_dir: Path) -> dict[str, Path]:
    """Where a job's files go: the executed notebook and one file per format."""
    paths = {"notebook": out_dir / "notebooks" / str(job.year) / f"{job.kind}-{job.stem}.ipynb"}
    for fmt in job.formats:
        paths[fmt] = out_dir / "reports" / str(job.year) / f"{job.stem}.{fmt}"
    return paths


# ------------------------------------------------------------------------------- fingerprints


def _hash_files(paths: Iterable[Path], digest: hashlib._Hash, root: Path) -> None:
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())


#: Files of the package a report depends on: code, words, templates (HTML, Word), fonts.
CODE_SUFFIXES = frozenset({".py", ".yaml", ".css", ".html", ".j2", ".docx", ".ttf"})


def code_fingerprint() -> str:
    """Hash of the package's source and reference data (what a report's logic depends on).

    A Dask worker computes it too: a worker whose package differs from the client's is refused.
    """
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]  # the whole analysis package
    _hash_files(
        [p for p in package.rglob("*") if p.suffix in CODE_SUFFIXES],
        digest,
        package.parent,
    )
    _hash_files(config.REFERENCE_DIR.glob("*"), digest, config.REFERENCE_DIR.parent)
    return digest.hexdigest()


def store_name(data_fp: str) -> str:
    """The file name a worker gives its copy of (or link to) the store: the same on every
    worker and locally, so the executed notebooks do not depend on where they ran."""
    return f"store-{data_fp[:12]}.duckdb"


def job_fingerprint(job: Job, data_fp: str, code_fp: str, db_path: Path | None = None) -> str:
    """Hash of everything a report depends on: notebook, parameters, data, code, formats.

    ``db_path`` is accepted for old callers and ignored: the data enter through ``data_fp``.
    """
    digest = hashlib.sha256()
    digest.update(job.notebook.read_bytes())
    digest.update(json.dumps(job.parameters(store_name(data_fp)), sort_keys=True).encode())
    digest.update(",".join(job.formats).encode())
    digest.update(data_fp.encode())
    digest.update(code_fp.encode())
    # the words people wrote for this report (data/narrative/<year>/<place>.md, or the review's
    # review-<place>.md): an edit re-renders
    from analysis.data.narrative import report_narrative_path

    try:
        narrative = report_narrative_path(job.year, job.place_id, job.kind)
    except ValueError:
        narrative = None
    if narrative is not None and narrative.exists():
        digest.update(narrative.read_bytes())
    return digest.hexdigest()
