"""What a report says must be true and signable (issue 11): the villages table agrees with the
store village by village; the Decree 30 form comes from report_forms.yaml and follows it; a
narrative file written by a user is merged, never overwritten; no file paths or jargon."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import docx
import duckdb
import pytest

from analysis.core import config
from analysis.core.formatting import format_percent
from analysis.data import places as places_mod
from analysis.reports import content, sections
from analysis.reports.build import build_report
from analysis.reports.render_docx import model_to_docx
from tests.report_helpers import rows

YES, NO = "Có", "Không"


def _store_villages(db: Path, year: int) -> dict[str, dict[str, object]]:
    """Straight from the store: each village's household share and environmental conditions."""
    with duckdb.connect(str(db), read_only=True) as con:
        found = con.execute(
            "SELECT v.name_vi, y.households_total, y.households_craft, y.env_plan, y.env_group "
            "FROM villages v LEFT JOIN village_year y ON y.village_id = v.village_id "
            "AND y.year = ?",
            [year],
        ).fetchall()
    out = {}
    for name, total, craft, plan, group in found:
        if plan is None or group is None:
            env = "—"
        else:
            env = YES if (plan and group) else NO
        share = format_percent(100 * craft / total) if total else "—"
        out[name] = {"environment": env, "share": share}
    return out


def test_villages_table_agrees_with_the_store_village_by_village(sample_db: Path) -> None:
    store = _store_villages(sample_db, 2025)
    table = places_mod.places()
    areas = list(table.loc[table["level"].isin(["province", "district"]), "place_id"])
    kinds = {"province": "province", "district": "district"}
    seen_yes = seen_no = 0
    for place in areas:
        level = places_mod.place(place)["level"]
        ctx = content.prepare(kinds[level], 2025, place, "vi", sample_db)
        got = rows(sections.villages_table(ctx), "villages")
        header = got[0]
        env, share = header.index("Điều kiện môi trường"), header.index("Tỷ lệ hộ làm nghề")
        for row in got[1:]:
            assert row[env] == store[row[0]]["environment"], (place, row[0])
            assert row[share] == store[row[0]]["share"], (place, row[0])
            seen_yes += row[env] == YES
            seen_no += row[env] == NO
    # the store holds both answers: the table is not stuck on one (the old `is True` bug)
    assert seen_yes > 0 and seen_no > 0


def test_stable_production_follows_the_screen(sample_db: Path) -> None:
    from analysis.indicators.recognition import screen_villages

    ctx = content.prepare("province", 2025, "tinh-lang-son", "vi", sample_db)
    screen = screen_villages(ctx.ds, 2025).merge(ctx.ds.villages[["village_id", "name_vi"]])
    expected = {
        r.name_vi: (YES if r.meets_stable_production == 1 else NO)
        for r in screen.itertuples(index=False)
    }
    got = rows(sections.villages_table(ctx), "villages")
    stable = got[0].index("Sản xuất ổn định ≥ 2 năm")
    assert {row[0]: row[stable] for row in got[1:]} == expected
    assert set(expected.values()) == {YES, NO}


def _docx_text(model: dict) -> tuple[str, str, str]:
    document = docx.Document(io.BytesIO(model_to_docx(model)))
    header = document.tables[0].rows[0].cells[0].text
    footer = document.tables[-1].rows[0].cells
    body = "\n".join(p.text for p in document.paragraphs)
    return header, body, "\n".join(c.text for c in footer)


def test_province_word_file_holds_the_form_and_follows_the_file(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = build_report("province", 2025, "tinh-lang-son", "vi", sample_db, "2025-12-20")
    header, body, footer = _docx_text(model.to_json())
    assert "SỞ NÔNG NGHIỆP\nVÀ MÔI TRƯỜNG" in header and "Số: …/BC-SNNMT" in header
    assert "Kính gửi: Ủy ban nhân dân tỉnh Lạng Sơn" in body
    assert "DỰ THẢO" in body
    assert footer.startswith("Nơi nhận:") and "Lưu: VT, PTNT." in footer
    assert "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC" in footer
    # a user corrects report_forms.yaml: the report follows
    folder = tmp_path / "reference"
    shutil.copytree(config.REFERENCE_DIR, folder)
    forms = (folder / "report_forms.yaml").read_text(encoding="utf-8")
    forms = forms.replace('"BC-SNNMT"', '"BC-SNN-THU"').replace(
        '"KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"', '"GIÁM ĐỐC"'
    )
    (folder / "report_forms.yaml").write_text(forms, encoding="utf-8")
    monkeypatch.setenv("LANGSON_REFERENCE", str(folder))
    final = build_report("province", 2025, "tinh-lang-son", "vi", sample_db, "2025-12-20", True)
    header, body, footer = _docx_text(final.to_json())
    assert "Số: …/BC-SNN-THU" in header
    assert "GIÁM ĐỐC" in footer and "KT. GIÁM ĐỐC" not in footer
    assert "DỰ THẢO" not in body  # --final


def test_no_file_paths_or_jargon_in_any_report(sample_db: Path) -> None:
    from tests.report_helpers import _section_text

    for kind, place in (
        ("province", "tinh-lang-son"),
        ("district", "cao-loc"),
        ("review", "tinh-lang-son"),
    ):
        for lang in ("vi", "en"):
            model = build_report(kind, 2025, place, lang, sample_db).to_json()
            text: list[str] = []
            for s in model["sections"]:
                _section_text(s, text)
            joined = "\n".join(text)
            for word in ("data/reference", ".csv", ".yaml", "CAGR", "analysis."):
                assert word not in joined, (kind, lang, word)


def test_english_report_has_english_headings_and_form(sample_db: Path) -> None:
    model = build_report("district", 2025, "cao-loc", "en", sample_db, "2025-12-20").to_json()
    headings = [s["heading"] for s in model["sections"]]
    assert headings[:2] == ["I. RESULTS", "II. ASSESSMENT"]
    assert model["front"]["motto_1"] == "SOCIALIST REPUBLIC OF VIET NAM"
    assert model["front"]["title_lines"][0] == "REPORT"
    assert model["back"]["distribution_word"] == "Recipients:"


def test_a_status_legend_and_the_method_appendix(sample_db: Path) -> None:
    model = build_report("district", 2025, "cao-loc", "vi", sample_db).to_json()
    first = model["sections"][0]["sections"][0]
    legend = next(b for b in first["blocks"] if b["type"] == "legend")
    labels = {i["label"] for i in legend["items"]}
    assert {"Đã đạt", "Không đạt"} <= labels
    appendix = model["sections"][-1]["sections"]
    method = next(s for s in appendix if s["id"] == "appendix_method")
    assert method["heading"] == "Phụ lục 2. Phương pháp đánh giá"
    items = "\n".join(i for b in method["blocks"] if b["type"] == "list" for i in b["items"])
    # from progress_thresholds.yaml (0.95, 0.60) and targets.csv (T5 2025 read by the project)
    assert "0,95" in items and "0,60" in items
    assert "T5 (2025, ≥ 100,0%)" in items and "diễn giải, chưa xác minh" in items


def test_the_targets_table_is_the_same_in_the_report_status_and_index(
    sample_db: Path, tmp_path: Path
) -> None:
    """One builder: the report (HTML page of the model), ``status`` and ``outputs/index.html``
    print the same row for every target of the province."""
    import json

    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from analysis.cli.status import targets_table as status_table
    from analysis.reports.exporters import page_html
    from analysis.reports.index_page import write_index
    from tests.conftest import html_tables

    bundle = build_report("province", 2025, "tinh-lang-son", "vi", sample_db)._repr_mimebundle_()
    cell = new_code_cell("report", outputs=[new_output("display_data", data=bundle)])
    page = page_html(new_notebook(cells=[cell]))
    report = next(t for t in html_tables(page) if t[0][0] == "Chỉ tiêu")
    ctx = content.prepare("province", 2025, "tinh-lang-son", "vi", sample_db)
    header, status_rows = status_table(ctx)
    (tmp_path / "manifest.json").write_text(json.dumps({"reports": []}), encoding="utf-8")
    index = write_index(tmp_path, db_path=sample_db).read_text(encoding="utf-8")
    listed = next(t for t in html_tables(index) if t[0][0] == "Chỉ tiêu")

    def flat(rows: list[list[str]]) -> list[list[str]]:
        return [[" ".join(c.split()) for c in r] for r in rows]

    assert flat([header, *status_rows]) == report == listed
    got = {row[0][:2]: row for row in report[1:]}
    assert list(got) == ["T1", "T2", "T3", "T4", "T5", "T6"]
    assert got["T2"][2] == "8/11"  # the same "8/11" everywhere, never "8"
