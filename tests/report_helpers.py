"""Helpers of the report tests: the tables of a report model as rows of text, and all the visible
text of an executed report notebook (moved here from the package: only tests need it)."""

from __future__ import annotations

from typing import Any

from analysis.reports.model import Block, Table, model_of, walk_tables


def rows(
    blocks: list[Block], name: str, lang: str = "vi", statuses: dict | None = None
) -> list[list[str]]:
    """Header and rows (cell texts) of the table ``name`` among ``blocks``."""
    table = next(b for b in blocks if isinstance(b, Table) and b.name == name)
    data = table.to_json(lang, statuses or {})
    return [[c["header"] for c in data["columns"]], *data["text"]]


def by_id(table: list[list[str]]) -> dict[str, list[str]]:
    """Rows of a table by the id before the first dot of their first cell (``T1``)."""
    return {row[0].split(".")[0]: row for row in table[1:]}


def model_tables(model: dict[str, Any]) -> list[dict[str, Any]]:
    return walk_tables(model["sections"])


def _section_text(section: dict[str, Any], out: list[str]) -> None:
    out.append(section["heading"])
    for b in section["blocks"]:
        if b["type"] in ("paragraph", "note"):
            out.append(((b.get("lead") or "") + " " + b["text"]).strip())
        elif b["type"] == "list":
            out += b["items"]
        elif b["type"] == "table":
            out.append("\t".join(c["header"] for c in b["columns"]))
            out += ["\t".join(row) for row in b["text"]]
        elif b["type"] == "legend":
            out.append(" ".join(f"{i['symbol']} {i['label']}" for i in b["items"]))
        elif b["type"] == "figure":
            out.append(b["caption"])
    for sub in section["sections"]:
        _section_text(sub, out)


def executed_text(nb: Any) -> str:
    """All visible text of an executed report notebook's model, in reading order (table cells
    separated by tabs), so tests can look for sentences and numbers as a reader sees them."""
    model = model_of(nb)
    f = model["front"]
    out = [f["body"], f["number"], f["motto_1"], f["motto_2"], f["place_date"], *f["title_lines"]]
    if model.get("notice"):
        out.append(model["notice"])
    for section in model["sections"]:
        _section_text(section, out)
    b = model["back"]
    out += [b["distribution_word"], *b["distribution"], *b["signer_lines"], b["signer_name"]]
    return "\n".join(out)
