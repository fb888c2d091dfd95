"""``--kind questions``: one job per question notebook, filed beside the reports of a year, with
only the parameters each notebook declares; one job run with papermill and rendered to HTML as
the batch does."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill
import pytest

from analysis.core.errors import UsageError
from analysis.run.questions import QUESTION_KIND, question_jobs, question_notebooks


def test_one_job_per_question_notebook() -> None:
    names = [p.stem for p in question_notebooks()]
    assert {"t6_below_100", "t6_facilities", "off_track_2025", "scenario_2026"} <= set(names)
    jobs = question_jobs(2025)
    assert [j.place_id for j in jobs] == names
    job = next(j for j in jobs if j.place_id == "t6_below_100")
    assert (job.kind, job.stem, job.key) == (
        QUESTION_KIND,
        "question-t6_below_100",
        "2025/question/question-t6_below_100",
    )
    assert job.title() == "Những cơ sở nào khiến chỉ tiêu T6 chưa đạt 100%, ở xã, phường nào?"
    english = question_jobs(2025, "en", names=["t6_below_100"])[0]
    assert english.stem == "question-t6_below_100.en"
    assert english.title() == "Which facilities keep T6 below 100%, and in which communes?"


def test_only_declared_parameters_are_passed() -> None:
    for job in question_jobs(2025, "en"):
        declared = papermill.inspect_notebook(str(job.notebook))
        params = job.parameters("/tmp/store.duckdb")
        assert params == {"lang": "en", "db_path": "/tmp/store.duckdb"}
        assert set(params) <= set(declared), job.place_id


def test_unknown_question_lists_the_notebooks() -> None:
    with pytest.raises(UsageError, match="unknown question notebook 'nope'; valid: .*t6_below"):
        question_jobs(2025, names=["nope"])


@pytest.mark.slow
def test_a_question_runs_and_renders_like_a_report(sample_db: Path, tmp_path: Path) -> None:
    from analysis.reports.exporters import render

    job = question_jobs(2025, names=["t6_below_100"])[0]
    executed = tmp_path / f"{job.stem}.ipynb"
    papermill.execute_notebook(
        str(job.notebook),
        str(executed),
        parameters=job.parameters(sample_db),
        kernel_name="python3",
        progress_bar=False,
        cwd=str(job.notebook.parent),
    )
    files, _ = render(nbformat.read(executed, as_version=4), ("html",))
    html = files["html"].decode("utf-8")
    assert "Những cơ sở nào khiến chỉ tiêu T6 chưa đạt 100%" in html
    # TD-NAPHIENG: 29 of its 176 facilities do not comply (data/sample, 2025).
    assert "TD-NAPHIENG" in html and "29/176" in html


def test_questions_kind_in_the_run_list(sample_db: Path) -> None:
    from analysis.run.plan import ALL_KINDS, plan_jobs

    args = {"year": 2025, "lang": "vi", "formats": ["html"], "db_path": sample_db}
    jobs = plan_jobs(kinds=["questions"], place="all", **args)
    assert [j.place_id for j in jobs] == [p.stem for p in question_notebooks()]
    # `--kind all`: the plan's 13 reports (11 areas, the province, the 2025 review); the
    # questions are asked for by name, as `make report` does, and are HTML pages only.
    assert len(plan_jobs(kinds=list(ALL_KINDS), place="all", **args)) == 13
    args["formats"] = ["html", "pdf", "docx"]
    everything = plan_jobs(kinds=[*ALL_KINDS, "questions"], place="all", **args)
    assert len(everything) == 13 + len(jobs)
    assert {j.formats for j in everything if j.kind == "question"} == {("html",)}
    # A place given by name goes through the resolver.
    by_name = plan_jobs(kinds=["district"], place="Huyện Cao Lộc", **args)
    assert [j.place_id for j in by_name] == ["cao-loc"]


@pytest.mark.slow
def test_batch_renders_questions_and_lists_them(sample_db: Path, tmp_path: Path) -> None:
    from analysis.run.plan import plan_jobs
    from analysis.run.runner import run_batch

    jobs = plan_jobs(
        kinds=["questions"],
        year=2025,
        place="all",
        lang="vi",
        formats=["html"],
        db_path=sample_db,
    )
    jobs = [j for j in jobs if j.place_id in ("t6_below_100", "off_track_2025")]
    summary = run_batch(jobs, out_dir=tmp_path, db_path=sample_db, n_jobs=1, progress=False)
    assert summary.failed == []
    page = (tmp_path / "reports" / "2025" / "question-t6_below_100.html").read_text("utf-8")
    assert "29/176" in page and "TD-NAPHIENG" in page
    index = (tmp_path / "index.html").read_text("utf-8")
    assert "Trả lời các câu hỏi" in index
    assert "Những cơ sở nào khiến chỉ tiêu T6 chưa đạt 100%, ở xã, phường nào?" in index
    assert "reports/2025/question-t6_below_100.html" in index
