"""The data dictionary for people, generated from the pandera schemas (one source of truth)."""

from __future__ import annotations

from pathlib import Path

from analysis.core.config import ROOT
from analysis.data.schemas import table_specs

DICTIONARY_PATH = ROOT / "docs" / "data_dictionary.md"


def _allowed(column: object) -> str:
    """Allowed values read off the column's checks (ranges, lists, patterns)."""
    parts = []
    for check in column.checks:
        stats = check.statistics or {}
        name = check.name
        if name == "isin":
            parts.append(", ".join(str(v) for v in stats["allowed_values"]))
        elif name == "in_range":
            parts.append(f"{stats['min_value']} to {stats['max_value']}")
        elif name == "greater_than_or_equal_to":
            parts.append(f">= {stats['min_value']}")
        elif name == "str_matches":
            parts.append(f"pattern `{stats['pattern']}`")
        elif check.error and "NFC" in str(check.error):
            parts.append("NFC text")
    return "; ".join(parts)


def _type_name(dtype: object) -> str:
    text = str(dtype)
    names = {
        "int64": "integer",
        "Int64": "integer",
        "float64": "number",
        "bool": "yes/no",
        "boolean": "yes/no",
        "datetime64[ns]": "date",
    }
    return "text" if text.startswith(("str", "string")) else names.get(text, text)


def data_dictionary_markdown() -> str:
    """The dictionary as Markdown: per table, its key and columns with meaning, unit, rules."""
    lines = [
        "# Data dictionary / Từ điển dữ liệu",
        "",
        "Generated from `analysis/data/schemas.py` by `python -m analysis.data.dictionary`; "
        "do not edit by hand.",
        "Every table is validated against these rules when it is loaded (`build`) or ingested.",
        "",
    ]
    for spec in table_specs().values():
        key = ", ".join(spec.key) if spec.key else "(none)"
        lines += [
            f"## `{spec.name}`: {spec.purpose_en} / {spec.purpose_vi}",
            "",
            f"Key: {key}",
            "",
            "| column | Vietnamese | English | unit | type | required | allowed |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, column in spec.schema.columns.items():
            meta = column.metadata or {}
            lines.append(
                f"| `{name}` | {meta.get('vi', '')} | {meta.get('en', '')} "
                f"| {meta.get('unit', '')} "
                f"| {_type_name(column.dtype)} | {'no' if column.nullable else 'yes'} "
                f"| {_allowed(column)} |"
            )
        lines.append("")
    return "\n".join(lines)


def write_data_dictionary(path: Path = DICTIONARY_PATH) -> Path:
    """Write the dictionary to ``docs/data_dictionary.md``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data_dictionary_markdown(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_data_dictionary())
