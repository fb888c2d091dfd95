"""docs/api.md stays true: every documented function exists with the parameters its heading
names, the public functions of the modules made for analysts are all documented, and every
documented view or result table has exactly the columns the store gives it."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import duckdb
import pytest

from analysis.core import config
from analysis.indicators.sql_views import install
from analysis.pipeline import load_dataset

API = config.ROOT / "docs" / "api.md"
#: Modules written for analysts: every public function must be in the reference.
COMPLETE = (
    "analysis.explore.scenarios",
    "analysis.cli.status",
    "analysis.explore.questions",
    "analysis.indicators.sql_views",
    "analysis.indicators.explain",
    "analysis.data.resolve",
    "analysis.cli.explain",
)
HEADING = re.compile(r"^### `(analysis(?:\.\w+)+)\((.*)\)`$", re.MULTILINE)
SQL_OBJECT = re.compile(r"^### (?:Table|View) `(\w+)`\n[^#]*?^Columns: ([^\n]+)$", re.MULTILINE)


def documented() -> dict[str, list[str]]:
    """Dotted name -> parameter names, from the headings of docs/api.md."""
    out = {}
    for name, params in HEADING.findall(API.read_text(encoding="utf-8")):
        names = [p.split("=")[0].strip() for p in params.split(",")]
        out[name] = [n for n in names if n and n != "*"]
    return out


def resolve(dotted: str) -> object:
    module, _, attr = dotted.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def test_headings_were_found() -> None:
    assert len(documented()) > 50


@pytest.mark.parametrize("dotted", sorted(documented()))
def test_documented_function_exists_with_its_parameters(dotted: str) -> None:
    obj = resolve(dotted)
    assert callable(obj), dotted
    params = [p for p in inspect.signature(obj).parameters if p != "self"]
    assert params == documented()[dotted], f"{dotted}: docs/api.md does not match the code"


@pytest.mark.parametrize("module", COMPLETE)
def test_public_functions_are_documented(module: str) -> None:
    mod = importlib.import_module(module)
    public = {
        f"{module}.{name}"
        for name, obj in vars(mod).items()
        if inspect.isfunction(obj) and obj.__module__ == module and not name.startswith("_")
    }
    assert public - set(documented()) == set(), f"undocumented in docs/api.md ({module})"


def test_documented_sql_columns(sample_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "views.duckdb"
    path.write_bytes(sample_db.read_bytes())
    objects = {
        name: [c.strip(" `") for c in cols.split(",")]
        for name, cols in SQL_OBJECT.findall(API.read_text(encoding="utf-8"))
    }
    with duckdb.connect(str(path)) as con:
        made = install(con, load_dataset(sample_db))
        assert sorted(objects) == sorted(made)
        for name, columns in objects.items():
            actual = [row[0] for row in con.execute(f'DESCRIBE "{name}"').fetchall()]
            assert actual == columns, f"{name}: docs/api.md lists other columns"
