"""The words of a report that people write: a unit's or the lead department's assessment, causes,
tasks for next year and proposals.

Two places hold them, both merged at render and never overwritten by a run:

- ``data/narrative/<year>/<place-slug>.md``: Markdown with one ``## heading`` per section
  (``## Đánh giá chung``, ``## Nguyên nhân``, ``## Nhiệm vụ năm tới``, ``## Kiến nghị``; the
  workbook's section titles are accepted too); paragraphs are separated by blank lines, and line
  breaks inside a paragraph are kept; ``<!-- comments -->`` and a ``# title`` are ignored.
- the narrative sheet of a unit's workbook, loaded by ``ingest`` into the store's ``narratives``
  table (``unit_code, year, section, text_vi, log_id``).

Both come back as one tidy frame, one row per paragraph, saying where each came from; the text is
NFC, with control, bidirectional and zero-width characters removed (they can hide or reorder
words in print).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.core import config
from analysis.core.text import strip_diacritics
from analysis.data import places
from analysis.data.store_file import connect

#: Where people's narrative files live (never written by a run, except a stub that is missing).
NARRATIVE_DIR: Path = config.DATA_DIR / "narrative"

#: Sections, in report order: code -> headings (vi, en) and other titles accepted for it (the
#: workbook's narrative sheet uses strengths, shortcomings, next_year, proposals).
SECTIONS: dict[str, dict[str, object]] = {
    "assessment": {
        "vi": "Đánh giá chung",
        "en": "General assessment",
        "also": ["Đánh giá", "Kết quả thực hiện"],
    },
    "strengths": {
        "vi": "Kết quả đạt được, ưu điểm",
        "en": "Achievements and strengths",
        "also": ["Ưu điểm", "Kết quả đạt được", "Strengths"],
    },
    "shortcomings": {
        "vi": "Tồn tại, hạn chế",
        "en": "Shortcomings",
        "also": ["Tồn tại, hạn chế và nguyên nhân", "Hạn chế", "Shortcomings and their causes"],
    },
    "causes": {"vi": "Nguyên nhân", "en": "Causes", "also": []},
    "lessons": {  # the reviews (sơ kết 2025, tổng kết 2030)
        "vi": "Bài học kinh nghiệm",
        "en": "Lessons learned",
        "also": ["Bài học", "Lessons"],
    },
    "next_year": {
        "vi": "Nhiệm vụ năm tới",
        "en": "Tasks for next year",
        "also": ["Nhiệm vụ, giải pháp năm tiếp theo", "Tasks and solutions for next year"],
    },
    "directions": {  # the reviews: the period after the review year
        "vi": "Phương hướng, nhiệm vụ giai đoạn tiếp theo",
        "en": "Directions and tasks for the next period",
        "also": ["Phương hướng, nhiệm vụ", "Phương hướng", "Directions"],
    },
    "proposals": {
        "vi": "Kiến nghị",
        "en": "Proposals",
        "also": ["Đề xuất, kiến nghị", "Đề xuất", "Kiến nghị, đề xuất"],
    },
}
#: The sections a new narrative file starts with.
STUB_SECTIONS = ("assessment", "causes", "next_year", "proposals")
#: Columns of the frame every reader here returns.
COLUMNS = ["section", "heading", "paragraph", "text", "source", "origin", "unit_code", "where"]

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_NUMBERING = re.compile(r"^\s*(?:[IVXLC]+|\d+(?:\.\d+)*|[a-zđ])[.)/]\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Cleaned:
    """Text made safe to print, and how many characters were taken out."""

    text: str
    removed: int = 0


@dataclass
class Narrative:
    """Paragraphs of one report (``frame``, columns :data:`COLUMNS`) and notes for the reader
    of the file (unknown headings, removed characters, text outside any section)."""

    frame: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    def sections(self) -> dict[str, list[str]]:
        """Section code -> its paragraphs, in order."""
        return {
            code: list(group.sort_values("paragraph")["text"])
            for code, group in self.frame.groupby("section", sort=False)
        }


def clean_text(value: str) -> Cleaned:
    """NFC text without control, format (bidirectional overrides, zero-width, BOM, soft hyphen)
    or separator characters; line breaks kept (CR LF and U+2028/2029 become LF), tabs become
    spaces, trailing spaces of each line dropped."""
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\t", " ")
    kept, removed = [], 0
    for ch in text:
        if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            removed += 1
            continue
        kept.append(ch)
    lines = "".join(kept).split("\n")
    return Cleaned("\n".join(line.rstrip() for line in lines), removed)


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines; single line breaks inside a paragraph kept."""
    blocks = re.split(r"\n[ ]*\n", text)
    return [b.strip("\n").strip() for b in blocks if b.strip()]


def _heading_key(text: str) -> str:
    text = _NUMBERING.sub("", unicodedata.normalize("NFC", text)).strip().rstrip(":").strip()
    return re.sub(r"\s+", " ", strip_diacritics(text).casefold())


def section_code(heading: str) -> str | None:
    """The section a heading names (any language, any case, with or without diacritics or
    numbering such as ``1.`` or ``II.``), or ``None``."""
    key = _heading_key(heading)
    for code, names in SECTIONS.items():
        titles = [code, names["vi"], names["en"], *names["also"]]  # type: ignore[misc]
        if key in {_heading_key(str(t)) for t in titles}:
            return code
    return None


def narrative_path(year: int, place: str, folder: Path | None = None, kind: str = "") -> Path:
    """``data/narrative/<year>/<place-slug>.md`` (``review-<place-slug>.md`` for the mid-term or
    final review, ``kind="review"``, whose words are about the whole period, not the year); the
    slug must be a plain ASCII slug, so that a place can never name a path outside the
    folder."""
    if not _SLUG.match(place):
        raise ValueError(f"not a place slug: {place!r} (lower-case ASCII words joined by '-')")
    if not config.PROGRAMME_START <= int(year) <= config.PROGRAMME_END:
        raise ValueError(
            f"year {year} is outside the programme "
            f"({config.PROGRAMME_START}-{config.PROGRAMME_END})"
        )
    name = f"review-{place}.md" if kind == "review" else f"{place}.md"
    return (folder or NARRATIVE_DIR) / str(int(year)) / name


def report_narrative_path(
    year: int, place: str, kind: str = "", folder: Path | None = None
) -> Path:
    """The narrative file a report reads: the review's own file when it exists; else the
    place's file of the year (where the review's words were written before it had its own, so
    that nobody's words are lost)."""
    own = narrative_path(year, place, folder, kind)
    return own if own.exists() else narrative_path(year, place, folder)


def _empty() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    frame["paragraph"] = frame["paragraph"].astype("int64")
    return frame


def parse_narrative(text: str, where: str = "narrative", unit_code: str = "") -> Narrative:
    """Paragraphs by section from the Markdown of a narrative file. ``where`` names the file in
    warnings (``<where>:<line>``) and in the ``where`` column."""
    raw = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    cleaned = clean_text(raw)
    warnings: list[str] = []
    if cleaned.removed:
        warnings.append(
            f"{where}: {cleaned.removed} control or invisible character(s) removed "
            "(bidirectional overrides, zero-width or control characters)"
        )
    blocks: list[tuple[str | None, str, int, list[str]]] = []  # code, heading, line, lines
    current: tuple[str | None, str, int, list[str]] | None = None
    for number, line in enumerate(cleaned.text.split("\n"), start=1):
        match = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if match and len(match.group(1)) == 2:
            heading = match.group(2)
            code = section_code(heading)
            if code is None:
                valid = ", ".join(str(s["vi"]) for s in SECTIONS.values())
                warnings.append(
                    f"{where}:{number}: unknown section heading {heading!r}, kept as 'other' "
                    f"(known: {valid})"
                )
            current = (code, heading, number, [])
            blocks.append(current)
        elif match and len(match.group(1)) == 1:
            continue  # the document's title
        elif match and current is not None:
            # a sub-heading inside a section: a paragraph of its own, without the marks
            current[3].extend(["", match.group(2), ""])
        elif current is None:
            if line.strip():
                warnings.append(f"{where}:{number}: text before the first '## ' heading ignored")
        else:
            current[3].append(line)
    rows = []
    for code, heading, _line, lines in blocks:
        for i, paragraph in enumerate(split_paragraphs("\n".join(lines)), start=1):
            rows.append(
                {
                    "section": code or "other",
                    "heading": heading,
                    "paragraph": i,
                    "text": paragraph,
                    "source": "unit",
                    "origin": "file",
                    "unit_code": unit_code,
                    "where": where,
                }
            )
    frame = pd.DataFrame(rows, columns=COLUMNS) if rows else _empty()
    return Narrative(frame, warnings)


def read_narrative_file(
    year: int, place: str, folder: Path | None = None, kind: str = ""
) -> Narrative:
    """The narrative file of a report (:func:`report_narrative_path`), or an empty one when
    there is none. Never writes."""
    path = report_narrative_path(year, place, kind, folder)
    if not path.exists():
        return Narrative(_empty())
    try:
        where = str(path.relative_to(config.ROOT))
    except ValueError:
        where = str(path)
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    return parse_narrative(text, where, unit_code=place)


def read_store_narratives(
    db_path: Path | None, year: int, unit_codes: Iterable[str] | None = None
) -> Narrative:
    """Paragraphs from the narrative sheets of the ingested workbooks (the store's
    ``narratives`` table) for ``year``, of ``unit_codes`` (all units when ``None``).

    An absent store or table gives an empty result: the workbooks are optional.
    """
    try:
        with connect(db_path) as con:
            tables = {
                r[0]
                for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
            }
            if "narratives" not in tables:
                return Narrative(_empty())
            has_log = "ingest_log" in tables
            sql = (
                "SELECT n.unit_code, n.section, n.text_vi, n.log_id"
                + (", l.file_name" if has_log else ", NULL AS file_name")
                + " FROM narratives n"
                + (" LEFT JOIN ingest_log l USING (log_id)" if has_log else "")
                + " WHERE n.year = ? ORDER BY n.unit_code"
            )
            stored = con.execute(sql, [int(year)]).df()
    except FileNotFoundError:
        return Narrative(_empty())
    if unit_codes is not None:
        stored = stored[stored["unit_code"].isin(set(unit_codes))]
    order = {code: i for i, code in enumerate(SECTIONS)}
    stored = stored.assign(_order=stored["section"].map(order).fillna(len(order)))
    stored = stored.sort_values(["_order", "unit_code"], kind="stable")
    rows, warnings = [], []
    for s in stored.itertuples(index=False):
        if s.text_vi is None or pd.isna(s.text_vi):
            continue
        where = f"workbook of unit {s.unit_code}" + (
            f" ({s.file_name})" if isinstance(s.file_name, str) and s.file_name else ""
        )
        cleaned = clean_text(str(s.text_vi))
        if cleaned.removed:
            warnings.append(f"{where}: {cleaned.removed} control or invisible character(s) removed")
        code = s.section if s.section in SECTIONS else "other"
        heading = str(SECTIONS[code]["vi"]) if code in SECTIONS else str(s.section)
        for i, paragraph in enumerate(split_paragraphs(cleaned.text), start=1):
            rows.append(
                {
                    "section": code,
                    "heading": heading,
                    "paragraph": i,
                    "text": paragraph,
                    "source": "unit",
                    "origin": "workbook",
                    "unit_code": str(s.unit_code),
                    "where": where,
                }
            )
    frame = pd.DataFrame(rows, columns=COLUMNS) if rows else _empty()
    return Narrative(frame, warnings)


def read_narrative(
    year: int,
    place: str,
    *,
    db_path: Path | None = None,
    unit_codes: Iterable[str] | None = None,
    folder: Path | None = None,
) -> Narrative:
    """Everything people wrote for one report: the place's narrative file first, then the
    workbooks' narrative sheets of ``unit_codes`` (when ``db_path`` is given). The ``origin``
    column says which (``file`` or ``workbook``) and ``where`` names the file or unit."""
    parts = [read_narrative_file(year, place, folder)]
    if db_path is not None:
        parts.append(read_store_narratives(db_path, year, unit_codes))
    frames = [p.frame for p in parts if len(p.frame)]
    frame = pd.concat(frames, ignore_index=True) if frames else _empty()
    order = {code: i for i, code in enumerate([*SECTIONS, "other"])}
    frame = frame.iloc[frame["section"].map(order).argsort(kind="stable")].reset_index(drop=True)
    return Narrative(frame, [w for p in parts for w in p.warnings])


def stub_text(year: int, place_name: str) -> str:
    """The Markdown a new narrative file starts with: a note on how to write it, the headings."""
    note = (
        f"<!-- Thuyết minh của {place_name} cho báo cáo năm {year}. Viết dưới mỗi tiêu đề; "
        "các đoạn cách nhau một dòng trống. Mục để trống thì báo cáo dùng nội dung dự thảo từ "
        "số liệu (có ghi chú). Chạy lại báo cáo không bao giờ ghi đè tệp này. -->"
    )
    headings = "\n\n".join(f"## {SECTIONS[c]['vi']}\n" for c in STUB_SECTIONS)
    return f"{note}\n\n# Thuyết minh năm {year}: {place_name}\n\n{headings}"


def write_narrative_stub(
    year: int, place: str, place_name: str | None = None, folder: Path | None = None
) -> tuple[Path, bool]:
    """Create the narrative file of a report with empty sections, only if it does not exist.

    Returns the path and whether it was created; an existing file is never touched (the file
    is opened in exclusive-create mode, so even a file made meanwhile is not overwritten).
    """
    path = narrative_path(year, place, folder)
    if path.exists():
        return path, False
    if place_name is None:
        place_name = places.place_name(place, "vi")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(stub_text(year, place_name))
    except FileExistsError:
        return path, False
    return path, True
