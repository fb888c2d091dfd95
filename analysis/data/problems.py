"""The one kind of problem found in input data: where it is, what was found, which rule.

Used by the store build (``analysis.data.store``), the rule catalogue (``analysis.data.rules``)
and workbook intake (``analysis.intake``), so that a broken rule reads the same wherever it is
found: file, table or sheet, row, column, the value, the rule (id, words in Vietnamese and
English) and its legal source.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


def is_blank(value: object) -> bool:
    """True for None, NaN, NA (and values pandas cannot test, which are not blank)."""
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Problem:
    """One broken rule at one place in the input.

    ``rule`` is the English text of the rule (kept for programs that read it); ``code`` the
    rule's id in ``rules.yaml`` (empty for a schema rule), ``rule_vi`` its Vietnamese words,
    ``source`` its legal source and ``key`` the record's key (``village_id VA``) so that the
    row can be found in a workbook as well as in the table.
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

    def describe(self, lang: str = "en") -> str:
        """One line for people: where, what was found, which rule and its source."""
        vi = lang == "vi"
        where = [self.file or self.table]
        if self.file:
            where.append(f"{'bảng' if vi else 'table'} {self.table}")
        if self.row is not None:
            where.append(f"{'dòng' if vi else 'row'} {self.row}")
        if self.column:
            where.append(f"{'cột' if vi else 'column'} {self.column}")
        if self.key:
            where.append(self.key)
        found = "" if is_blank(self.value) else f" ({'giá trị' if vi else 'found'} {self.value!r})"
        words = self.rule_vi if vi and self.rule_vi else self.rule
        rule = f" [{self.code}; {self.source}]" if self.code else ""
        return f"{', '.join(where)}: {words}{found}{rule}"
