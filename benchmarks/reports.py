"""Benchmark: all 12 reports of one year (11 areas + the province), HTML, from cold.

Side by side in one run on this machine:
1. the plain way: the ``papermill`` CLI, then the ``jupyter nbconvert --no-input`` CLI, per
   report, one after another;
2. our batch: ``python -m analysis report`` (warm kernels, parallel workers, in-process render);
3. our batch again with nothing changed (everything skipped).

Usage: ``.venv/bin/python benchmarks/reports.py [--year 2025] [--jobs 2]``
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def plain_way(year: int, work: Path, db: Path) -> float:
    """papermill CLI + nbconvert CLI per report, sequentially."""
    from analysis.data.places import places

    table = places()
    jobs = [
        ("district_report.ipynb", p) for p in table.loc[table["level"] == "district", "place_id"]
    ]
    jobs.append(("province_report.ipynb", "tinh-lang-son"))
    started = time.perf_counter()
    for notebook, place in jobs:
        out = work / f"{place}.ipynb"
        subprocess.run(
            [
                str(BIN / "papermill"),
                str(ROOT / "notebooks" / notebook),
                str(out),
                "-p",
                "year",
                str(year),
                "-p",
                "place",
                place,
                "-p",
                "db_path",
                str(db),
                "--cwd",
                str(ROOT / "notebooks"),
                "--no-progress-bar",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out)],
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - started


def our_batch(year: int, out: Path, db: Path, jobs: int, force: bool) -> float:
    cmd = [
        str(BIN / "python"),
        "-m",
        "analysis",
        "report",
        "--year",
        str(year),
        "--kind",
        "district,province",
        "--place",
        "all",
        "--format",
        "html",
        "--jobs",
        str(jobs),
        "--out",
        str(out),
        "--db",
        str(db),
    ]
    if force:
        cmd.append("--force")
    started = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    from analysis.pipeline import build_store

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = build_store(db_path=work / "bench.duckdb")
        plain = plain_way(args.year, work / "plain", db) if (work / "plain").mkdir() is None else 0
        ours = our_batch(args.year, work / "ours", db, args.jobs, force=True)
        again = our_batch(args.year, work / "ours", db, args.jobs, force=False)
        shutil.rmtree(work / "plain", ignore_errors=True)
    print(f"12 HTML reports for {args.year} on this machine ({args.jobs} jobs):")
    print(f"  plain papermill CLI + nbconvert CLI, sequential: {plain:7.1f} s")
    print(
        f"  python -m analysis report (cold start):           {ours:7.1f} s  "
        f"({plain / ours:.1f}x faster)"
    )
    print(f"  python -m analysis report, nothing changed:       {again:7.1f} s")


if __name__ == "__main__":
    main()
