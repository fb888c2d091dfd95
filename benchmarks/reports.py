"""Benchmark: the reports of one year, from cold, side by side in one run on this machine:

1. the plain way: the ``papermill`` CLI, then the ``jupyter nbconvert --no-input`` CLI, per
   report, one after another (12 HTML reports: 11 areas + the province);
2. our batch, the same 12 HTML reports: ``python -m analysis report`` (warm kernels, parallel
   workers, in-process render);
3. our batch again with nothing changed (everything skipped);
4. our batch, all 13 reports (areas, province, review) in HTML, PDF and Word, ``--force``; then
   the seconds each report spent executing and rendering each format (from the manifest), so
   the next bottleneck is visible.

Usage: ``.venv/bin/python benchmarks/reports.py [--year 2025] [--jobs 2] [--skip-plain]``
"""

from __future__ import annotations

import argparse
import json
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


def our_batch(
    year: int,
    out: Path,
    db: Path,
    jobs: int,
    force: bool,
    kinds: str = "district,province",
    formats: str = "html",
) -> float:
    cmd = [
        str(BIN / "python"),
        "-m",
        "analysis",
        "report",
        "--year",
        str(year),
        "--kind",
        kinds,
        "--place",
        "all",
        "--format",
        formats,
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
    parser.add_argument("--skip-plain", action="store_true", help="leave out the plain CLI way")
    args = parser.parse_args()
    from analysis.pipeline import build_store

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = build_store(db_path=work / "bench.duckdb")
        (work / "plain").mkdir()
        plain = 0.0 if args.skip_plain else plain_way(args.year, work / "plain", db)
        ours = our_batch(args.year, work / "ours", db, args.jobs, force=True)
        again = our_batch(args.year, work / "ours", db, args.jobs, force=False)
        full = our_batch(
            args.year,
            work / "full",
            db,
            args.jobs,
            force=True,
            kinds="district,province,review",
            formats="html,pdf,docx",
        )
        full_again = our_batch(
            args.year,
            work / "full",
            db,
            args.jobs,
            force=False,
            kinds="district,province,review",
            formats="html,pdf,docx",
        )
        manifest = json.loads((work / "full" / "manifest.json").read_text(encoding="utf-8"))
        shutil.rmtree(work / "plain", ignore_errors=True)
    print(f"12 HTML reports for {args.year} on this machine ({args.jobs} jobs):")
    if plain:
        print(f"  plain papermill CLI + nbconvert CLI, sequential: {plain:7.1f} s")
        print(
            f"  python -m analysis report (cold start):           {ours:7.1f} s  "
            f"({plain / ours:.1f}x faster)"
        )
    else:
        print(f"  python -m analysis report (cold start):           {ours:7.1f} s")
    print(f"  python -m analysis report, nothing changed:       {again:7.1f} s")
    print(f"13 reports for {args.year} in HTML, PDF and Word ({args.jobs} jobs):")
    print(f"  python -m analysis report --force:                {full:7.1f} s")
    print(f"  python -m analysis report, nothing changed:       {full_again:7.1f} s")
    print(timings_table(manifest))


def timings_table(manifest: dict) -> str:
    """Per report: seconds executing the notebook and rendering each format (the manifest's)."""
    steps = ("execute", "html", "pdf", "docx")
    lines = [f"  {'report':32s}" + "".join(f"{s:>9s}" for s in steps) + f"{'total':>9s}"]
    sums = dict.fromkeys(steps, 0.0)
    for entry in manifest.get("reports", []):
        timings = entry.get("timings") or {}
        for s in steps:
            sums[s] += float(timings.get(s, 0.0))
        cells = "".join(f"{float(timings.get(s, 0.0)):9.2f}" for s in steps)
        lines.append(f"  {entry['key']:32s}{cells}{float(entry.get('seconds', 0.0)):9.2f}")
    lines.append(f"  {'sum':32s}" + "".join(f"{sums[s]:9.2f}" for s in steps))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
