"""Findings about a workbook (the data layer's one :class:`~analysis.data.problems.Problem`,
located in a sheet), worded from the translation catalogue (``analysis/core/labels.yaml``, keys
``intake_<rule>``), and the limits on an untrusted file."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.core.labels import label
from analysis.data import reference
from analysis.data.problems import Problem, show_value

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


def message(rule: str) -> tuple[str, str]:
    """The Vietnamese and English wording of an intake rule (``intake_<rule>`` in
    ``labels.yaml``), placeholders unfilled."""
    return label(f"intake_{rule}", "vi"), label(f"intake_{rule}", "en")


def make_problem(
    rule: str, *, severity: str = "error", value: object = None, **where: object
) -> Problem:
    """A problem in a workbook from the message catalogue (``code`` = ``rule``); ``where``
    holds the location (file, sheet, row, column, header_vi, header_en) and message values."""
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
    return Problem(
        "",
        location.get("row"),  # type: ignore[arg-type]
        location.get("column"),  # type: ignore[arg-type]
        value,
        en.format(**params),
        file=str(location.get("file", "")),
        severity=severity,
        code=rule,
        rule_vi=vi.format(**params),
        sheet=location.get("sheet"),  # type: ignore[arg-type]
        header_vi=location.get("header_vi"),  # type: ignore[arg-type]
        header_en=location.get("header_en"),  # type: ignore[arg-type]
    )


def human_size(size: int) -> str:
    """A file size for people (``3.1 MB``)."""
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size / 1024:.0f} KB"


def first_per_cell(problems: list[Problem]) -> list[Problem]:
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
