"""The same batch on a Dask distributed cluster (a local one here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.run.runner import Job, run_batch

pytestmark = pytest.mark.slow


def test_batch_runs_on_a_local_dask_cluster(sample_db: Path, tmp_path: Path) -> None:
    import distributed

    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        jobs = [
            Job("district", 2025, "chi-lang", "vi", ("html",)),
            Job("district", 2025, "chi-lang", "xx", ("html",)),
        ]
        summary = run_batch(
            jobs,
            out_dir=tmp_path,
            db_path=sample_db,
            scheduler=cluster.scheduler_address,
            progress=False,
        )
    status = {r.job.lang: r.status for r in summary.results}
    assert status == {"vi": "done", "xx": "failed"}
    html = (tmp_path / "reports" / "2025" / "chi-lang.html").read_text(encoding="utf-8")
    assert "Chi Lăng" in html and "I. KẾT QUẢ THỰC HIỆN" in html
