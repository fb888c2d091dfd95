"""The review report (kind ``review``) as built from its outline: the whole period's sections are
there, in both languages, and its money table agrees with the store's ``activities`` cell by
cell."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.core.formatting import format_number
from analysis.core.labels import label
from analysis.data.store import query
from analysis.reports.build import build_report
from analysis.reports.model import walk_tables

PROVINCE = "tinh-lang-son"


@pytest.fixture(scope="module")
def models(sample_db: Path) -> dict[str, dict]:
    return {
        lang: build_report("review", 2025, PROVINCE, lang, sample_db, issued="2025-12-20").to_json()
        for lang in ("vi", "en")
    }


def _headings(sections: list[dict]) -> list[str]:
    out = []
    for s in sections:
        out.append(s["id"])
        out += _headings(s["sections"])
    return out


def _table(model: dict, name: str) -> dict:
    return next(t for t in walk_tables(model["sections"]) if t["name"] == name)


def _section(sections: list[dict], key: str) -> dict | None:
    for s in sections:
        if s["id"] == key:
            return s
        hit = _section(s["sections"], key)
        if hit:
            return hit
    return None


def test_the_review_holds_every_part_of_the_period(models: dict[str, dict]) -> None:
    ids = _headings(models["vi"]["sections"])
    for key in (
        "sec_period",
        "sec_review_tasks",
        "sec_review_funding",
        "sec_strengths",
        "sec_shortcomings",
        "sec_causes",
        "sec_lessons",
        "sec_directions",
        "sec_required_pace",
        "sec_directions_tasks",
    ):
        assert key in ids, key
    by_year = _table(models["vi"], "review_targets_by_year")
    assert [c["header"] for c in by_year["columns"]][1:6] == [str(y) for y in range(2021, 2026)]
    assert [r["indicator"][:2] for r in by_year["records"]] == ["T1", "T2", "T3", "T4", "T5", "T6"]


def test_review_money_table_agrees_with_the_store(models: dict[str, dict], sample_db: Path) -> None:
    table = _table(models["vi"], "review_funding")
    sources = {
        "central": "Ngân sách trung ương",
        "provincial": "Ngân sách tỉnh",
        "local": "Ngân sách cấp huyện/xã",
        "other": "Nguồn khác (doanh nghiệp, người dân)",
    }
    cells = query(
        "SELECT year, funding_source, SUM(planned_mvnd) AS p, SUM(disbursed_mvnd) AS d "
        "FROM activities WHERE year BETWEEN 2021 AND 2025 GROUP BY ALL",
        sample_db,
    )
    rows = {(r["year"], r["source"]): r for r in table["records"]}
    for c in cells.itertuples(index=False):
        row = rows[(str(c.year), sources[c.funding_source])]
        assert row["planned"] == pytest.approx(c.p) and row["disbursed"] == pytest.approx(c.d)
    whole = query(
        "SELECT SUM(planned_mvnd) AS p, SUM(disbursed_mvnd) AS d FROM activities "
        "WHERE year BETWEEN 2021 AND 2025",
        sample_db,
    ).iloc[0]
    total = rows[("Cả giai đoạn", "Tổng")]
    assert total["planned"] == pytest.approx(whole["p"])
    assert total["share"] == pytest.approx(100 * whole["d"] / whole["p"])
    # the text printed is that number, Vietnamese style (dot for thousands, comma for decimals)
    i = table["records"].index(total)
    assert table["text"][i][:3] == ["Cả giai đoạn", "Tổng", format_number(whole["p"], 1, "vi")]


def test_drafted_parts_are_marked_and_the_english_review_is_english(
    models: dict[str, dict],
) -> None:
    shortcomings = _section(models["vi"]["sections"], "sec_shortcomings")
    styles = [b.get("style") for b in shortcomings["blocks"]]
    if "unit" not in styles:  # nobody wrote it: the drafted sentences come with their mark
        assert "drafted" in styles
        texts = [b["text"] for b in shortcomings["blocks"] if b["type"] == "paragraph"]
        assert label("drafted_mark", "vi") in texts
    en = models["en"]
    for name in ("review_funding", "review_tasks", "review_bodies", "review_pace"):
        headers = [c["header"] for c in _table(en, name)["columns"]]
        assert label("col_planned", "vi") not in headers, name
    assert _section(en["sections"], "sec_lessons")["heading"] == "4. Lessons learned"
    assert _section(en["sections"], "sec_directions")["heading"] == (
        "III. DIRECTIONS AND TASKS FOR THE NEXT PERIOD"
    )
