"""A report as data: an ordered tree of sections holding blocks (paragraphs, key figures, tables,
figures, notes, legends, lists).

The builders (``analysis.reports.sections``) make a :class:`Report`; the executed notebook carries
it as JSON under :data:`MIME_TYPE`; every renderer (HTML, Word, PDF) reads only that JSON. A table
keeps its raw values (``records``), its column specs (header, format, unit) and the text of each
cell, made once here by :func:`cell_text`, so every format prints the same characters.
"""

from __future__ import annotations

import base64
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from analysis.core.formatting import (
    format_count,
    format_number,
    format_percent,
    is_missing,
    value_text,
)
from analysis.reports.render_html import fragment_html, table_html

MIME_TYPE = "application/vnd.langson.report+json"
SCHEMA_VERSION = 1
#: Formats a column may have; ``value`` takes the unit from another column of the row.
FORMATS = ("text", "count", "number", "percent", "value", "status")
NUMERIC_FORMATS = ("count", "number", "percent", "value")


@dataclass
class Column:
    """How one column of a table is shown: header, number format, where its unit comes from."""

    key: str
    header: str
    format: str = "text"
    decimals: int = 1
    unit_key: str = ""  # for format "value": the column of the row holding the unit
    unit: str = ""  # for format "value" without unit_key: one unit for the whole column

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"unknown column format {self.format!r}; use {', '.join(FORMATS)}")


def cell_text(value: object, column: Column, row: dict[str, Any], lang: str, statuses: dict) -> str:
    """The text of one cell: the single place a table value becomes characters."""
    if column.format == "status":
        if is_missing(value) or value in ("", None):
            return "—"
        look = statuses.get(str(value))
        return f"{look['symbol']} {look['label']}" if look else str(value)
    if column.format == "text":
        return "—" if is_missing(value) else str(value)
    if is_missing(value):
        return "—"
    if column.format == "count":
        return format_count(value, lang)
    if column.format == "number":
        return format_number(value, column.decimals, lang)
    if column.format == "percent":
        return format_percent(value, column.decimals, lang)
    unit = str(row.get(column.unit_key, "")) if column.unit_key else column.unit
    return value_text(value, unit, lang)


@dataclass
class Block:
    """Base of every block; ``type`` names it in the JSON."""

    type: str = field(init=False, default="")

    def to_json(self, lang: str, statuses: dict) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Paragraph(Block):
    """Text; ``style`` is ``normal``, ``italic``, ``drafted`` (written from the numbers, for the
    unit to rewrite) or ``unit`` (written by a reporting unit); ``lead`` is bold words before it."""

    text: str
    style: str = "normal"
    lead: str = ""

    def __post_init__(self) -> None:
        self.type = "paragraph"


@dataclass
class BulletList(Block):
    items: list[str]
    style: str = "normal"

    def __post_init__(self) -> None:
        self.type = "list"


@dataclass
class Note(Block):
    """A note or footnote under a table or figure (smaller type)."""

    text: str

    def __post_init__(self) -> None:
        self.type = "note"


@dataclass
class KeyFigures(Block):
    """A few headline numbers: (label, text) pairs."""

    items: list[tuple[str, str]]

    def __post_init__(self) -> None:
        self.type = "keyfigures"

    def to_json(self, lang: str, statuses: dict) -> dict[str, Any]:
        return {"type": self.type, "items": [{"label": a, "value": b} for a, b in self.items]}


@dataclass
class Legend(Block):
    """The status symbols, words and colours used in the report."""

    statuses: list[str]
    title: str = ""

    def __post_init__(self) -> None:
        self.type = "legend"

    def to_json(self, lang: str, statuses: dict) -> dict[str, Any]:
        items = [{"status": s, **statuses[s]} for s in self.statuses if s in statuses]
        return {"type": self.type, "title": self.title, "items": items}


@dataclass
class Figure(Block):
    """A picture (PNG bytes) with its alternative text and caption."""

    png: bytes
    alt: str = ""
    caption: str = ""
    width_mm: float = 160.0

    def __post_init__(self) -> None:
        self.type = "figure"

    def _repr_png_(self) -> bytes:
        return self.png

    def to_json(self, lang: str, statuses: dict) -> dict[str, Any]:
        return {
            "type": self.type,
            "png": base64.b64encode(self.png).decode("ascii"),
            "alt": self.alt,
            "caption": self.caption,
            "width_mm": self.width_mm,
        }


@dataclass
class Table(Block):
    """A DataFrame with column specs; ``status_of`` maps a column key to the column whose status
    id colours its cells; ``wide`` tables go on a landscape page."""

    frame: pd.DataFrame
    columns: list[Column]
    caption: str = ""
    status_of: dict[str, str] = field(default_factory=dict)
    wide: bool = False
    name: str = ""

    def __post_init__(self) -> None:
        self.type = "table"
        missing = [c.key for c in self.columns if c.key not in self.frame.columns]
        if missing:
            raise ValueError(f"table {self.name or self.caption!r} has no column {missing}")

    def _repr_html_(self) -> str:

        return table_html(self.to_json("vi", {}))

    def records(self) -> list[dict[str, Any]]:
        return [{k: _plain(v) for k, v in row.items()} for row in self.frame.to_dict("records")]

    def to_json(self, lang: str, statuses: dict) -> dict[str, Any]:
        records = self.records()
        text = [
            [cell_text(r.get(c.key), c, r, lang, statuses) for c in self.columns] for r in records
        ]
        styles = []
        for r in records:
            row_styles = []
            for c in self.columns:
                source = c.key if c.format == "status" else self.status_of.get(c.key, "")
                status = r.get(source) if source else None
                row_styles.append(
                    status if isinstance(status, str) and status in statuses else None
                )
            styles.append(row_styles)
        return {
            "type": self.type,
            "name": self.name,
            "caption": self.caption,
            "wide": self.wide,
            "columns": [asdict(c) | {"numeric": c.format in NUMERIC_FORMATS} for c in self.columns],
            "records": records,
            "text": text,
            "styles": styles,
        }


def _plain(value: object) -> object:
    """A JSON-safe scalar: NaN/NA -> None, numpy numbers -> Python numbers, dates -> ISO text."""
    if is_missing(value) or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@dataclass
class Section:
    """A heading (level 1 = "I. ...", 2 = "1. ...", 3 = appendix item) and its blocks, then its
    subsections, in order."""

    heading: str
    level: int = 1
    blocks: list[Block] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    id: str = ""

    def to_json(self, lang: str, statuses: dict) -> dict[str, Any]:
        return {
            "id": self.id,
            "heading": self.heading,
            "level": self.level,
            "blocks": [b.to_json(lang, statuses) for b in self.blocks],
            "sections": [s.to_json(lang, statuses) for s in self.sections],
        }


@dataclass
class Report:
    """One report: what it is about, its front matter (Decree 30 header), sections, back matter
    (recipients, signature), and the look of each status it uses."""

    kind: str
    year: int
    place_id: str
    lang: str
    title: str
    front: dict[str, Any]
    sections: list[Section]
    back: dict[str, Any] = field(default_factory=dict)
    statuses: dict[str, dict[str, str]] = field(default_factory=dict)
    synthetic: bool = False
    notice: str = ""

    def to_json(self) -> dict[str, Any]:
        """The model as JSON: what the notebook output carries and every renderer reads."""
        return {
            "schema": SCHEMA_VERSION,
            "kind": self.kind,
            "year": self.year,
            "place_id": self.place_id,
            "lang": self.lang,
            "title": self.title,
            "synthetic": self.synthetic,
            "notice": self.notice,
            "front": self.front,
            "back": self.back,
            "statuses": self.statuses,
            "sections": [s.to_json(self.lang, self.statuses) for s in self.sections],
        }

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict:
        """The model itself (for the exporters) and its HTML (for a reader in Jupyter)."""

        data = self.to_json()
        return {MIME_TYPE: data, "text/html": fragment_html(data), "text/plain": self.title}


def walk_tables(sections: list[dict]) -> list[dict]:
    """Every table block of a model's JSON sections, in reading order."""
    found: list[dict] = []
    for section in sections:
        found += [b for b in section["blocks"] if b["type"] == "table"]
        found += walk_tables(section["sections"])
    return found


def model_of(nb: Any) -> dict[str, Any]:
    """The report model carried by an executed notebook (the first output of :data:`MIME_TYPE`).

    Raises ``ValueError`` when the notebook holds none (not executed, or not a report notebook).
    """
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) or []:
            data = output.get("data", {})
            if MIME_TYPE in data:
                return data[MIME_TYPE]
    raise ValueError(f"the notebook holds no report model (no {MIME_TYPE} output)")
