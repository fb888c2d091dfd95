"""What happened to one file (:class:`IntakeResult`) and its reports for people: the plain-text
and HTML error reports, in Vietnamese and English, and the quarantine folder that keeps them."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import jinja2

from analysis.core.labels import label
from analysis.core.text import nfc, slugify
from analysis.data.problems import Problem, show_value

#: Files the intake reads (others in a folder are skipped).
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


# -------------------------------------------------------------------------------- the results


@dataclass
class IntakeResult:
    """What happened to one file: ``loaded``, ``unchanged``, ``rejected`` or ``failed``."""

    path: Path
    file_name: str
    sha256: str
    outcome: str
    unit_code: str | None = None
    year: int | None = None
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    quarantine: Path | None = None
    archived: Path | None = None
    message: str = ""

    @property
    def errors(self) -> list[Problem]:
        """Problems that rejected the file."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Findings that inform without rejecting."""
        return [p for p in self.problems if p.severity != "error"]

    @property
    def codes(self) -> set[str]:
        """The rule codes of the errors (for programs and tests)."""
        return {p.code for p in self.errors}


def safe_file_name(name: str, limit: int = 60) -> str:
    """A file name safe as a path component: ASCII slug of the stem, a known extension."""
    path = Path(name.replace("\\", "/")).name
    suffix = Path(path).suffix.lower()
    stem = slugify(Path(path).stem)[:limit] or "tep"
    return f"{stem}{suffix if suffix in EXCEL_SUFFIXES else '.bin'}"


def display_name(path: Path) -> str:
    """The file's name for messages: NFC, control characters escaped."""
    return show_value(nfc(path.name), limit=120) or "?"


def format_report(result: IntakeResult, *, limit: int | None = None) -> str:
    """The plain-text report of one file, in Vietnamese then English."""
    head_vi = label(f"intake_outcome_{result.outcome}", "vi")
    head_en = label(f"intake_outcome_{result.outcome}", "en")
    lines = [
        f"Tệp / File: {result.file_name}",
        f"SHA-256: {result.sha256}",
        f"Kết quả / Result: {head_vi} / {head_en}",
    ]
    if result.unit_code:
        lines.append(f"Đơn vị / Unit: {result.unit_code}, năm / year {result.year}")
    if result.message:
        lines.append(result.message)
    if result.counts:
        lines.append(
            "Số dòng (thêm / thay thế) / Rows (added / replaced): "
            + ", ".join(f"{t} {a}/{r}" for t, (a, r) in result.counts.items())
        )
    errors, warns = result.errors, result.warnings
    if errors:
        lines += ["", f"LỖI / ERRORS ({len(errors)}):"]
        for p in errors[:limit]:
            lines += [f"  - {p.describe('vi')}", f"    {p.describe('en')}"]
        if limit is not None and len(errors) > limit:
            lines.append(
                f"  ... và {len(errors) - limit} lỗi khác / and {len(errors) - limit} more"
            )
    if warns:
        lines += ["", f"CẢNH BÁO / WARNINGS ({len(warns)}):"]
        for p in warns[:limit]:
            lines += [f"  - {p.describe('vi')}", f"    {p.describe('en')}"]
        if limit is not None and len(warns) > limit:
            lines.append(
                f"  ... và {len(warns) - limit} cảnh báo khác / and {len(warns) - limit} more"
            )
    return "\n".join(lines) + "\n"


def format_report_html(result: IntakeResult) -> str:
    """The same report as a small HTML page (``templates/errors.html.j2``, autoescaped: every
    text from the file is escaped)."""

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).with_name("templates"))),
        autoescape=True,
    )
    problems = [
        {
            "severity": p.severity,
            "sheet": p.sheet or "",
            "row": str(p.row or ""),
            "column": p.column or "",
            "header": p.header_vi or "",
            "value": show_value(p.value),
            "rule_vi": p.rule_vi,
            "rule_en": p.rule_en,
        }
        for p in result.problems
    ]
    page = env.get_template("errors.html.j2").render(
        file_name=result.file_name,
        sha256=result.sha256,
        outcome=result.outcome,
        problems=problems,
    )
    return page + "\n"


def quarantine(result: IntakeResult, source: Path | bytes, folder: Path, when: datetime) -> Path:
    """Keep an untouched copy of a rejected file with its error reports; return the folder."""
    target = folder / f"{when:%Y%m%d}-{result.sha256[:16]}"
    target.mkdir(parents=True, exist_ok=True)
    copy = target / safe_file_name(result.path.name)
    if isinstance(source, bytes):
        copy.write_bytes(source)
    else:
        shutil.copyfile(source, copy)
    result.quarantine = target
    (target / "errors.txt").write_text(format_report(result), encoding="utf-8")
    (target / "errors.html").write_text(format_report_html(result), encoding="utf-8")
    return target
