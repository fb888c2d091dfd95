"""Speed and memory of the indicator engine on the national-scale synthetic set (``make bench``).

Generates the national set (about 5,400 villages, 2021-2030 and the 2020 baseline) into a
temporary folder (never the repository), builds a DuckDB store from it and loads the validated
tables, then times ``compute_indicators`` for every year and ``assess_progress`` for every year
(the median of several runs). Peak memory is measured in a fresh child process that loads the
store and computes everything once (``ru_maxrss``, the whole process: interpreter, libraries,
data and results). Budget: under 2 seconds and under 1 GiB. Exit code 1 when over budget.

    .venv/bin/python benchmarks/run.py [--runs 5] [--seed 244]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_SECONDS = 2.0
BUDGET_MIB = 1024.0


def compute_all(db: Path) -> tuple[float, float, int, int]:
    """Load the store and compute every indicator and status once; return the seconds spent
    on the indicators, on the statuses, and the row counts of both."""
    from analysis.indicators.compute import compute_indicators
    from analysis.indicators.progress import assess_progress
    from analysis.pipeline import load_dataset

    ds = load_dataset(db, build_if_missing=False)
    start = time.perf_counter()
    indicators = compute_indicators(ds)
    middle = time.perf_counter()
    statuses = [assess_progress(indicators, int(y)) for y in sorted(indicators["year"].unique())]
    end = time.perf_counter()
    return middle - start, end - middle, len(indicators), sum(len(s) for s in statuses)


def child(db: Path) -> None:
    """Run once in this (fresh) process and print the peak resident memory as JSON."""
    indicators, statuses, rows, status_rows = compute_all(db)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(
        json.dumps(
            {
                "peak_mib": peak_kib / 1024,
                "seconds": indicators + statuses,
                "rows": rows,
                "status_rows": status_rows,
            }
        )
    )


def prepare(folder: Path, seed: int) -> tuple[Path, dict[str, int]]:
    """Generate the national set under ``folder`` and build its store."""
    from analysis.data.sample import SampleOptions, generate, write_tables
    from analysis.pipeline import build_store

    options = SampleOptions(seed=seed, first_year=2021, last_year=2030, scale="national")
    tables = generate(options)
    write_tables(tables, folder / "raw", options)
    db = build_store(folder / "raw", folder / "national.duckdb")
    return db, {name: len(frame) for name, frame in tables.items()}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a small table; 1 when over budget."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs (the median is kept)")
    parser.add_argument("--seed", type=int, default=244)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0

    with tempfile.TemporaryDirectory(prefix="langson-bench-") as tmp:
        start = time.perf_counter()
        db, sizes = prepare(Path(tmp), args.seed)
        prepared = time.perf_counter() - start
        runs = [compute_all(db) for _ in range(args.runs)]
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(db)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        memory = json.loads(out.stdout.strip().splitlines()[-1])

    ind = statistics.median(r[0] for r in runs)
    prog = statistics.median(r[1] for r in runs)
    total = statistics.median(r[0] + r[1] for r in runs)
    ok = total < BUDGET_SECONDS and memory["peak_mib"] < BUDGET_MIB
    lines = [
        "National-scale synthetic set (seed {seed}): {villages:,} villages, {vy:,} village-years, "
        "2020-2030".format(seed=args.seed, villages=sizes["villages"], vy=sizes["village_year"]),
        f"Generation and store build: {prepared:.1f} s (not timed below)",
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), median of {args.runs} runs",
        "",
        f"{'step':<44}{'seconds':>10}",
        f"{'compute_indicators (all places, all years)':<44}{ind:>10.3f}",
        f"{'assess_progress (every year)':<44}{prog:>10.3f}",
        f"{'total':<44}{total:>10.3f}   budget < {BUDGET_SECONDS:.0f} s",
        f"{'peak memory, whole process (MiB)':<44}{memory['peak_mib']:>10.0f}   budget < "
        f"{BUDGET_MIB:.0f} MiB",
        f"{'indicator rows / status rows':<44}{runs[0][2]:>10,} / {runs[0][3]:,}",
        "",
        "within budget" if ok else "OVER BUDGET",
    ]
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
