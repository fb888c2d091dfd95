"""Findings about a workbook (:class:`IntakeProblem`), worded from the translation catalogue
(``analysis/core/labels.yaml``, keys ``intake_<rule>``), and the limits on an untrusted file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from analysis.core.labels import label
from analysis.data import reference
from analysis.data.validation import Problem

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# -------------------------------------------------------------------------------- rules, limits


@dataclass(frozen=True)
class IntakeLimits:
    """Bounds on an untrusted file (defaults from ``data/reference/intake.yaml``)."""

    max_file_bytes: int = 10 * 2**20
    max_unzipped_bytes: int = 100 * 2**20
    max_zip_entries: int = 1000
    max_rows: int = 2000
    max_columns: int = 60
    max_text_chars: int = 20000

    @classmethod
    def from_reference(cls) -> IntakeLimits:
        """The limits of ``intake.yaml``."""
        limits = reference.read_yaml("intake.yaml")["limits"]
        return cls(
            max_file_bytes=int(limits["max_file_mb"] * 2**20),
            max_unzipped_bytes=int(limits["max_unzipped_mb"] * 2**20),
            max_zip_entries=int(limits["max_zip_entries"]),
            max_rows=int(limits["max_rows_per_sheet"]),
            max_columns=int(limits["max_columns"]),
            max_text_chars=int(limits["max_text_chars"]),
        )


@dataclass(frozen=True)
class IntakeProblem:
    """One finding about a workbook: where (sheet, row, column), the value, the rule in both
    languages; ``code`` names the rule for programs and tests."""

    code: str
    rule_vi: str
    rule_en: str
    file: str = ""
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    header_vi: str | None = None
    header_en: str | None = None
    value: object = None
    severity: str = "error"

    def where(self, lang: str = "vi") -> str:
        """``Trang «…», dòng 7, cột D «…»`` (or English)."""
        parts = []
        if self.sheet:
            parts.append(label("intake_where_sheet", lang, sheet=self.sheet))
        if self.row is not None:
            parts.append(label("intake_where_row", lang, row=self.row))
        if self.column:
            header = getattr(self, f"header_{lang}") or self.header_vi
            key = "intake_where_column_header" if header else "intake_where_column"
            parts.append(label(key, lang, column=self.column, header=header))
        return ", ".join(parts) or label("intake_where_file", lang)

    def describe(self, lang: str = "vi") -> str:
        """One line for people: where, the value found, the rule broken."""
        found = ""
        if not is_blank(self.value):
            found = label("intake_found", lang, value=show_value(self.value))
        kind = "" if self.severity == "error" else label("intake_warning_mark", lang)
        rule = getattr(self, f"rule_{lang}")
        return f"{kind}{self.where(lang)}{found} — {rule}"

    def to_problem(self) -> Problem:
        """The same finding as the data layer's ``Problem`` (table = sheet; ``code`` the rule,
        ``rule_vi`` its Vietnamese words)."""
        return Problem(
            self.sheet or "",
            self.row,
            self.header_en or self.column,
            self.value,
            self.rule_en,
            file=self.file,
            severity=self.severity,
            code=self.code,
            rule_vi=self.rule_vi,
        )


def message(rule: str) -> tuple[str, str]:
    """The Vietnamese and English wording of an intake rule (``intake_<rule>`` in
    ``labels.yaml``), placeholders unfilled."""
    return label(f"intake_{rule}", "vi"), label(f"intake_{rule}", "en")


def make_problem(
    rule: str, *, severity: str = "error", value: object = None, **where: object
) -> IntakeProblem:
    """A problem from the message catalogue; ``where`` holds location and message values."""
    location = {
        k: where.pop(k)
        for k in ("file", "sheet", "row", "column", "header_vi", "header_en")
        if k in where
    }
    params = {"detail": "", "detail_en": "", "hint": "", "hint_en": "", **where}
    params.setdefault("value", show_value(value))
    params.setdefault("header", location.get("header_vi") or "")
    params.setdefault("header_en", location.get("header_en") or params["header"])
    vi, en = message(rule)
    return IntakeProblem(
        rule, vi.format(**params), en.format(**params), value=value, severity=severity, **location
    )  # type: ignore[arg-type]


def show_value(value: object, limit: int = 80) -> str:
    """A cell value as safe one-line text: control characters escaped, long text cut."""
    if is_blank(value):
        return ""
    if isinstance(value, pd.Timestamp | datetime):
        text = value.strftime("%d/%m/%Y")
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text.replace("\n", " "))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_blank(value: object) -> bool:
    """True for an empty cell: None, NaN, NA or only spaces."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def human_size(size: int) -> str:
    """A file size for people (``3.1 MB``)."""
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size / 1024:.0f} KB"


def first_per_cell(problems: list[IntakeProblem]) -> list[IntakeProblem]:
    """One error per cell: the first found (a formula without a value need not also be
    reported as a blank required cell)."""
    seen: set[tuple[object, ...]] = set()
    kept = []
    for p in problems:
        key = (p.sheet, p.row, p.column)
        if p.severity == "error" and p.row is not None and p.column is not None:
            if key in seen:
                continue
            seen.add(key)
        kept.append(p)
    return kept


def with_file(problem: IntakeProblem, file: str) -> IntakeProblem:
    """The same problem, attributed to ``file``."""
    return IntakeProblem(**{**problem.__dict__, "file": file})
