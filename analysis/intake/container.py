"""Opening an untrusted workbook: signature, zip directory, sizes, macros and every XML part
checked (``defusedxml``) before openpyxl reads it; sheets read bounded, formulas never evaluated."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from dataclasses import dataclass

import openpyxl
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree

from analysis.data.problems import Problem, show_value
from analysis.intake.problems import IntakeLimits, human_size, make_problem

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_SIGNATURE = b"PK\x03\x04"

# ---------------------------------------------------------------------------- opening the file


def check_container(data: bytes, limits: IntakeLimits) -> list[Problem]:
    """Checks before any parsing: signature, zip directory, sizes, macros, and every XML part
    parsed with defusedxml (no DTD, entities or external references)."""
    if not data:
        return [make_problem("empty_file")]
    if data.startswith(_OLE_SIGNATURE):
        return [make_problem("old_format")]
    if not data.startswith(_ZIP_SIGNATURE):
        head = data[:512].lstrip().lower()
        if head.startswith((b"<!doctype html", b"<html")):
            detail = (" (có vẻ là tệp HTML)", " (it looks like an HTML file)")
        elif b"," in head or b";" in head or b"\t" in head:
            detail = (" (có vẻ là tệp văn bản hoặc CSV)", " (it looks like a text or CSV file)")
        else:
            detail = ("", "")
        return [make_problem("not_a_workbook", detail=detail[0], detail_en=detail[1])]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        return [make_problem("corrupt", detail=type(exc).__name__)]
    total = sum(e.file_size for e in entries)
    if len(entries) > limits.max_zip_entries or total > limits.max_unzipped_bytes:
        return [
            make_problem(
                "unzipped_too_large",
                size=f"{human_size(total)}, {len(entries)}",
                limit=f"{human_size(limits.max_unzipped_bytes)}, {limits.max_zip_entries}",
            )
        ]
    names = {e.filename for e in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        return [
            make_problem(
                "not_a_workbook",
                detail=" (tệp nén nhưng không phải sổ tính Excel)",
                detail_en=" (a zip archive, but not an Excel workbook)",
            )
        ]
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        return [make_problem("macros")]
    for entry in entries:
        if not entry.filename.lower().endswith((".xml", ".rels")):
            continue
        try:
            with archive.open(entry) as part:
                for _event in SafeElementTree.iterparse(part, forbid_dtd=True):
                    pass
        except DefusedXmlException as exc:
            part = show_value(entry.filename, 60)
            return [make_problem("unsafe_xml", detail=f"{type(exc).__name__} in {part}")]
        except (
            SafeElementTree.ParseError,
            zipfile.BadZipFile,
            OSError,
            EOFError,
            ValueError,
        ) as exc:
            part = show_value(entry.filename, 60)
            return [make_problem("corrupt", detail=f"{type(exc).__name__} in {part}")]
    return []


def load_workbook(data: bytes, *, data_only: bool) -> openpyxl.Workbook:
    """openpyxl in read-only mode, links and macros dropped, its format warnings kept local."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False, keep_vba=False
        )


@dataclass
class RawSheet:
    """A sheet's cells as read: values by row, formula cells, font names of suspect text."""

    title: str
    rows: list[tuple[int, list[object]]]
    formulas: set[tuple[int, int]]
    fonts: dict[tuple[int, int], str]
    too_many_rows: bool = False
    too_many_columns: bool = False


def read_sheet(ws: object, limits: IntakeLimits, max_rows: int) -> RawSheet:
    """Read at most ``max_rows`` rows and ``limits.max_columns`` columns of a read-only sheet."""
    rows: list[tuple[int, list[object]]] = []
    formulas: set[tuple[int, int]] = set()
    fonts: dict[tuple[int, int], str] = {}
    raw = RawSheet(str(ws.title), rows, formulas, fonts)  # type: ignore[attr-defined]
    for number, cells in enumerate(ws.iter_rows(max_col=limits.max_columns + 1), start=1):
        if number > max_rows:
            raw.too_many_rows = True
            break
        values: list[object] = []
        for col, cell in enumerate(cells[: limits.max_columns]):
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "f":
                formulas.add((number, col))
                value = None
            elif isinstance(value, str) and re.search("[\u0080-\u00ff]", value):
                try:
                    fonts[(number, col)] = str(cell.font.name or "")
                except (AttributeError, IndexError, KeyError):
                    pass
            values.append(value)
        if len(cells) > limits.max_columns and any(
            getattr(c, "value", None) is not None for c in cells[limits.max_columns :]
        ):
            raw.too_many_columns = True
        rows.append((number, values))
    return raw


def fill_formula_values(data: bytes, sheets: dict[str, RawSheet], limits: IntakeLimits) -> None:
    """Replace formula cells by the values Excel saved (formulas are never evaluated)."""
    wanted = {title: raw for title, raw in sheets.items() if raw.formulas}
    if not wanted:
        return
    wb = load_workbook(data, data_only=True)
    try:
        for title, raw in wanted.items():
            last = max(r for r, _ in raw.formulas)
            cached = read_sheet(wb[title], limits, last)
            values = dict(cached.rows)
            by_row = dict(raw.rows)
            for row, col in raw.formulas:
                saved = values.get(row, [])
                by_row[row][col] = saved[col] if col < len(saved) else None
                if (row, col) in cached.fonts:
                    raw.fonts[(row, col)] = cached.fonts[(row, col)]
    finally:
        wb.close()
