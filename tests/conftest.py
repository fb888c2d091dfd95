"""Shared fixtures: a store built from the shipped sample in a temporary folder; HTML tables."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analysis.core import config


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB store built from data/sample, private to the test session."""
    from analysis.pipeline import build_store

    return build_store(config.SAMPLE_DIR, tmp_path_factory.mktemp("store") / "sample.duckdb")


@pytest.fixture()
def sample_db_copy(sample_db: Path, tmp_path: Path) -> Path:
    """A writable copy of the session store for a test that changes it."""
    target = tmp_path / "copy.duckdb"
    shutil.copy(sample_db, target)
    return target


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.tables:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_tables(html: str) -> list[list[list[str]]]:
    """Every table of an HTML page as rows of cell texts (whitespace collapsed)."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables
