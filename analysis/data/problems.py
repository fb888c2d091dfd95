"""The one kind of problem found in input data: where it is, what was found, which rule.

Used by the store build (``analysis.data.store``), the rule catalogue (``analysis.data.rules``)
and workbook intake (``analysis.intake``), so that a broken rule reads the same wherever it is
found: file, table or sheet, row, column, the value, the rule (id, words in Vietnamese and
English) and its legal source.

A problem found in a table of the store (a CSV of ``data/raw`` or a table after loading) names
the ``table``; one found in a workbook names the ``sheet`` (whose ``row`` is the Excel row,
``column`` the column letter and ``header_vi``/``header_en`` its heading), and reads the way
the sender sees the workbook.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

import pandas as pd

from analysis.core.labels import label

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def is_blank(value: object) -> bool:
    """True for an empty value: None, NaN, NA or only spaces (values pandas cannot test are
    not blank)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def show_value(value: object, limit: int = 80) -> str:
    """A value as safe one-line text: control characters escaped, long text cut, a date as
    ``dd/mm/yyyy`` and a whole float without its ``.0``."""
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


@dataclass(frozen=True)
class Problem:
    """One broken rule at one place in the input.

    ``rule`` is the English text of the rule (``rule_en`` names the same), ``rule_vi`` its
    Vietnamese words; ``code`` the rule's id (in ``rules.yaml``, in a schema, or an intake
    check's key in ``labels.yaml``), ``source`` its legal source and ``key`` the record's key
    (``village_id VA``) so that the row can be found in a workbook as well as in the table.
    """

    table: str
    row: int | None
    column: str | None
    value: object
    rule: str
    file: str = ""
    severity: str = "error"  # or "warning": warnings inform, they do not reject
    code: str = ""
    rule_vi: str = ""
    source: str = ""
    key: str = ""
    sheet: str | None = None
    header_vi: str | None = None
    header_en: str | None = None

    @property
    def rule_en(self) -> str:
        """The rule's English words (the same as ``rule``)."""
        return self.rule

    def words(self, lang: str = "en") -> str:
        """The rule's words in ``lang`` (English when there are no Vietnamese words)."""
        return self.rule_vi if lang == "vi" and self.rule_vi else self.rule

    def where(self, lang: str = "vi") -> str:
        """Where the problem is, as its reader names it: ``Trang «…», dòng 7, cột D «…»``
        in a workbook, ``villages.csv, bảng villages, dòng 10, cột …`` in a table."""
        if self.sheet is not None or not self.table:
            return self._where_in_workbook(lang)
        where = [self.file or self.table]
        if self.file:
            where.append(label("problem_where_table", lang, table=self.table))
        if self.row is not None:
            where.append(label("intake_where_row", lang, row=self.row))
        if self.column:
            where.append(label("intake_where_column", lang, column=self.column))
        if self.key:
            where.append(self.key)
        return ", ".join(where)

    def _where_in_workbook(self, lang: str) -> str:
        parts = []
        if self.sheet:
            parts.append(label("intake_where_sheet", lang, sheet=self.sheet))
        if self.row is not None:
            parts.append(label("intake_where_row", lang, row=self.row))
        if self.column:
            header = (self.header_en if lang == "en" else None) or self.header_vi
            key = "intake_where_column_header" if header else "intake_where_column"
            parts.append(label(key, lang, column=self.column, header=header))
        return ", ".join(parts) or label("intake_where_file", lang)

    def describe(self, lang: str = "en") -> str:
        """One line for people: where, what was found, which rule (and its source)."""
        if self.sheet is not None or not self.table:
            found = ""
            if not is_blank(self.value):
                found = label("intake_found", lang, value=show_value(self.value))
            mark = "" if self.severity == "error" else label("intake_warning_mark", lang)
            rule = f" [{self.code}; {self.source}]" if self.source else ""
            return f"{mark}{self.where(lang)}{found} — {self.words(lang)}{rule}"
        found = ""
        if not is_blank(self.value):
            found = f" ({label('problem_found', lang, value=repr(self.value))})"
        rule = f" [{self.code}; {self.source}]" if self.code else ""
        return f"{self.where(lang)}: {self.words(lang)}{found}{rule}"

    def in_file(self, file: str) -> Problem:
        """The same problem, attributed to ``file``."""
        return replace(self, file=file)
