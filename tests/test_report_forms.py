"""The Decree 30 form of each report kind, read from data/reference/report_forms.yaml."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from analysis.core.config import REFERENCE_DIR
from analysis.core.errors import UsageError
from analysis.data.reference import (
    REPORT_FORM_FIELDS,
    REPORT_FORM_LEVELS,
    form_date_line,
    report_form,
)

PLACES = {"province": None, "review": None, "district": "cao-loc", "commune": "xa-cao-loc"}


def test_province_report_is_issued_by_the_department_to_the_committee() -> None:
    form = report_form("province", year=2025)
    assert form["parent_body_header"] == "ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN"
    assert form["issuing_body_header"] == "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG"
    assert form["number_line"] == "Số: …/BC-SNNMT"
    assert form["recipients"] == ["Ủy ban nhân dân tỉnh Lạng Sơn"]
    assert form["issuing_body"] not in form["recipients"]  # never its own recipient
    assert form["signer_lines"] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]
    assert form["distribution"][0] == "Như trên;"
    assert form["distribution"][-1].startswith("Lưu: VT")
    assert form["place_name"] == "Lạng Sơn"
    assert "năm 2025" in form["subject"]
    # the department's name and the merger are not confirmed: carried as unverified
    assert {"issuing_body", "symbol", "recipients"} <= set(form["unverified"])
    assert "national_title" not in form["unverified"]


def test_commune_report_is_the_communes_people_committee() -> None:
    form = report_form("commune", "xa-cao-loc", year=2025)
    assert form["parent_body"] == ""
    assert form["issuing_body"] == "Ủy ban nhân dân xã Cao Lộc"
    assert form["issuing_body_header"] == "ỦY BAN NHÂN DÂN XÃ CAO LỘC"
    assert form["number_line"] == "Số: …/BC-UBND"
    assert form["recipients"] == ["Sở Nông nghiệp và Môi trường tỉnh Lạng Sơn"]
    assert form["signer_lines"][0] == "TM. ỦY BAN NHÂN DÂN"
    assert "Chủ tịch, các Phó Chủ tịch UBND xã Cao Lộc;" in form["distribution"]
    assert form_date_line(form, date(2025, 12, 15)) == "Cao Lộc, ngày 15 tháng 12 năm 2025"


def test_area_report_changes_hands_with_the_2025_reform() -> None:
    before = report_form("district", "cao-loc", year=2024)
    after = report_form("district", "cao-loc", year=2025)
    assert before["issuing_body"] == "Ủy ban nhân dân huyện Cao Lộc"
    assert before["place_name"] == "Cao Lộc"
    assert before["recipients"] == ["Sở Nông nghiệp và Phát triển nông thôn tỉnh Lạng Sơn"]
    assert after["issuing_body"] == "Sở Nông nghiệp và Môi trường"
    assert after["number_line"] == "Số: …/BC-SNNMT"
    assert after["subject"].endswith("huyện Cao Lộc (cũ)")
    assert after["place_name"] == "Lạng Sơn"
    # the city's date line names the town, not "TP."
    assert report_form("district", "thanh-pho-lang-son", year=2024)["place_name"] == "Lạng Sơn"


def test_review_subject_by_period() -> None:
    assert report_form("review", year=2025)["subject"].startswith("Sơ kết 05 năm (2021-2025)")
    assert report_form("review", year=2030)["subject"].startswith("Tổng kết 10 năm")
    assert report_form("review", year=2030, lang="en")["subject"].startswith("Final review")


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("kind", list(REPORT_FORM_LEVELS))
def test_every_kind_is_complete_and_filled(kind: str, lang: str) -> None:
    form = report_form(kind, PLACES[kind], lang=lang, year=2025)
    for field in REPORT_FORM_FIELDS:
        value = form[field]
        assert field == "parent_body" or value, (kind, field)
        for text in value if isinstance(value, list) else [value]:
            assert "{" not in text and "}" not in text, (kind, field, text)
        assert form["sources"][field].strip(), (kind, field)
    if lang == "en":
        assert form["number_line"].startswith("No.: …/BC-")
        assert form["recipient_label"] == "To:" and form["distribution_label"] == "Recipients:"
        assert form["national_title"] == "SOCIALIST REPUBLIC OF VIET NAM"
        assert "Ủy ban" not in " ".join(form["recipients"] + form["distribution"])
    else:
        assert form["national_title"] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
        assert form["motto"] == "Độc lập - Tự do - Hạnh phúc"
    assert form["page"]["margins_mm"] == {"top": 20, "bottom": 20, "left": 30, "right": 15}


def test_date_line_as_decree_30_writes_it() -> None:
    vi, en = report_form("province"), report_form("province", lang="en")
    # a zero before days below 10 and months below 3, none before March
    assert form_date_line(vi, date(2026, 2, 5)) == "Lạng Sơn, ngày 05 tháng 02 năm 2026"
    assert form_date_line(vi, date(2026, 3, 5)) == "Lạng Sơn, ngày 05 tháng 3 năm 2026"
    assert form_date_line(en, "2025-12-15") == "Lạng Sơn, 15 December 2025"
    assert form_date_line(vi, None) == "Lạng Sơn, ngày … tháng … năm …"


def test_wrong_kind_or_place_names_the_valid_ones() -> None:
    with pytest.raises(UsageError, match="valid: province, review, district, commune"):
        report_form("weekly")
    with pytest.raises(UsageError, match="cao-loc"):
        report_form("district", "xa-cao-loc")  # a 2025 commune is not a district-level area
    with pytest.raises(UsageError, match="needs a place"):
        report_form("commune")


def _copy_forms(tmp_path: Path) -> tuple[Path, dict]:
    shutil.copy(REFERENCE_DIR / "report_forms.yaml", tmp_path / "report_forms.yaml")
    data = yaml.safe_load((tmp_path / "report_forms.yaml").read_text(encoding="utf-8"))
    return tmp_path, data


def test_a_corrected_file_changes_the_form(tmp_path: Path) -> None:
    folder, data = _copy_forms(tmp_path)
    data["kinds"]["province"]["signer_lines"]["vi"] = ["GIÁM ĐỐC"]
    data["kinds"]["province"]["recipients"]["vi"] = ["Bộ Nông nghiệp và Môi trường"]
    (folder / "report_forms.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    form = report_form("province", folder=folder)
    assert form["signer_lines"] == ["GIÁM ĐỐC"]
    assert form["recipients"] == ["Bộ Nông nghiệp và Môi trường"]


def test_a_field_without_source_is_named(tmp_path: Path) -> None:
    folder, data = _copy_forms(tmp_path)
    del data["kinds"]["commune"]["symbol"]["source"]
    (folder / "report_forms.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(ValueError, match=r"report_forms.yaml: commune.symbol has no 'source'"):
        report_form("commune", "xa-cao-loc", folder=folder)
