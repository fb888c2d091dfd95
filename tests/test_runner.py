"""The report batch's planning, parameter checks and fingerprints (fast; no kernel)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.cli.main import main
from analysis.core.errors import UsageError
from analysis.run.runner import (
    Job,
    check_parameters,
    code_fingerprint,
    job_fingerprint,
    output_paths,
    plan_jobs,
)


def _plan(db: Path, **kw: object) -> list[Job]:
    args = {
        "kinds": ["district"],
        "year": 2025,
        "place": "all",
        "lang": "vi",
        "formats": ["html"],
        "db_path": db,
    }
    args.update(kw)
    return plan_jobs(**args)


def test_run_list_is_derived_from_reference_data(sample_db: Path) -> None:
    jobs = _plan(sample_db)
    assert len(jobs) == 11
    assert {j.place_id for j in jobs} >= {"cao-loc", "thanh-pho-lang-son", "dinh-lap"}
    all_kinds = _plan(sample_db, kinds=["district", "province", "review"])
    assert len(all_kinds) == 13  # 11 areas + the province + the 2025 mid-term review


def test_latest_year_by_default(sample_db: Path) -> None:
    assert {j.year for j in _plan(sample_db, year=None)} == {2025}


def test_review_only_from_2025(sample_db: Path) -> None:
    with pytest.raises(UsageError, match="nothing to run"):
        _plan(sample_db, kinds=["review"], year=2024, place="tinh-lang-son")


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        (
            {"place": "ha-noi"},
            "unknown place 'ha-noi' for a district report; valid: thanh-pho-lang-son, trang-dinh",
        ),
        ({"year": 2019}, "no data for year 2019; years in the store: 2021, 2022, 2023, 2024, 2025"),
        ({"formats": ["html", "odt"]}, "unknown format 'odt'"),
        ({"kinds": ["weekly"]}, "unknown kind 'weekly'"),
    ],
)
def test_bad_requests_name_the_valid_choices(sample_db: Path, kw: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        _plan(sample_db, **kw)


def test_cli_usage_error_exit_code(sample_db: Path, capsys: pytest.CaptureFixture) -> None:
    code = main(["report", "--place", "ha-noi", "--db", str(sample_db)])
    assert code == 2
    assert "unknown place 'ha-noi'" in capsys.readouterr().err


def test_unknown_notebook_parameter_is_an_error() -> None:
    job = Job("district", 2025, "cao-loc")
    with pytest.raises(UsageError, match="no parameter distrct"):
        check_parameters(job.notebook, {"year": 2025, "distrct": "cao-loc"})
    check_parameters(job.notebook, job.parameters(Path("x.duckdb")))  # the runner's own are fine


def test_output_names_carry_their_parameters(tmp_path: Path) -> None:
    paths = output_paths(Job("district", 2025, "cao-loc", "en", ("html", "pdf")), tmp_path)
    assert paths["html"] == tmp_path / "reports" / "2025" / "cao-loc.en.html"
    assert paths["pdf"] == tmp_path / "reports" / "2025" / "cao-loc.en.pdf"
    assert paths["notebook"] == tmp_path / "notebooks" / "2025" / "district-cao-loc.en.ipynb"
    review = output_paths(Job("review", 2025, "tinh-lang-son"), tmp_path)
    assert review["html"].name == "review-tinh-lang-son.html"


def test_fingerprint_follows_inputs(sample_db: Path) -> None:
    code = code_fingerprint()
    job = Job("district", 2025, "cao-loc")
    base = job_fingerprint(job, "data-a", code, sample_db)
    assert base == job_fingerprint(job, "data-a", code, sample_db)
    assert base != job_fingerprint(job, "data-b", code, sample_db)
    assert base != job_fingerprint(Job("district", 2024, "cao-loc"), "data-a", code, sample_db)
    assert base != job_fingerprint(
        Job("district", 2025, "cao-loc", "en"), "data-a", code, sample_db
    )
    assert base != job_fingerprint(job, "data-a", "other-code", sample_db)


def test_commune_reports_for_communes_with_villages(sample_db: Path) -> None:
    jobs = _plan(sample_db, kinds=["commune"])
    # the sample's 30 villages lie in 23 of the 65 communes and wards of 2025
    assert len(jobs) == 23
    assert {"xa-cong-son", "phuong-ky-lua", "xa-diem-he"} <= {j.place_id for j in jobs}
    assert jobs[0].notebook.name == "commune_report.ipynb"
    with pytest.raises(UsageError, match="unknown place 'cao-loc' for a commune report"):
        _plan(sample_db, kinds=["commune"], place="cao-loc")
