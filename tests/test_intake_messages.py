"""The intake's words live in the one translation catalogue (``analysis/core/labels.yaml``, keys
``intake_<rule>``): every rule the code raises has both languages there."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from analysis.core.labels import LABELS_PATH
from analysis.intake.problems import make_problem, message

INTAKE = Path(__file__).resolve().parents[1] / "analysis" / "intake"


def _raised_rules() -> set[str]:
    """Rule codes named in the intake's code: ``make_problem("x"``, ``ctx.add("x"``,
    ``add_rows("x"``."""
    pattern = re.compile(r'(?:make_problem|\.add|\.add_rows)\(\s*"([a-z_]+)"')
    found: set[str] = set()
    for path in INTAKE.glob("*.py"):
        found |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_rule_has_vietnamese_and_english() -> None:
    labels = yaml.safe_load(LABELS_PATH.read_text(encoding="utf-8"))
    rules = _raised_rules()
    assert len(rules) > 50
    for rule in rules:
        vi, en = message(rule)
        assert vi.strip() and en.strip() and vi != en, rule
    for key, entry in labels.items():
        if key.startswith("intake_"):
            assert set(entry) == {"vi", "en"}, key


def test_wording_is_unchanged_by_the_move() -> None:
    """Two messages as the 232-line dict in code had them (worked out from its text)."""
    p = make_problem("too_large", file="x.xlsx", size="12.0 MB", limit="10.0 MB")
    assert p.rule_vi == "Tệp quá lớn: 12.0 MB (tối đa 10.0 MB)."
    assert p.rule_en == "The file is too large: 12.0 MB (at most 10.0 MB)."
    p = make_problem("negative", sheet="Số liệu thôn bản", row=4, column="E", value=-5)
    assert (
        p.describe("vi")
        == "Trang «Số liệu thôn bản», dòng 4, cột E: giá trị «-5» — Không được là số âm."
    )
    assert (
        p.describe("en")
        == "Sheet “Số liệu thôn bản”, row 4, column E: found “-5” — Must not be negative."
    )
