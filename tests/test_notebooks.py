"""Notebooks stay reviewable: committed without outputs, one typed ``parameters`` cell with a
``db_path``, the exploratory ones paired with a percent script that says the same, and the
pre-commit configuration that keeps it so runs offline with the project's own tools.

``pre-commit run --all-files`` itself is not run here: it rewrites files of the working tree
and checks everyone's files; its pieces are tested one by one instead."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import papermill
import pytest
import yaml

from analysis.core import config

NOTEBOOKS = sorted(
    p for p in config.NOTEBOOKS_DIR.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
)
#: Notebooks that must have a percent-script twin (the report notebooks may follow).
PAIRED = [
    *sorted((config.NOTEBOOKS_DIR / "tour").glob("*.ipynb")),
    *sorted((config.NOTEBOOKS_DIR / "questions").glob("*.ipynb")),
]
BIN = Path(sys.executable).parent


def name(path: Path) -> str:
    return str(path.relative_to(config.ROOT))


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def test_there_are_notebooks_to_check() -> None:
    assert len(PAIRED) >= 5 and set(PAIRED) <= set(NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=name)
def test_committed_without_outputs(path: Path) -> None:
    for cell in read(path).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, name(path)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=name)
def test_one_parameters_cell_with_db_path(path: Path) -> None:
    cells = read(path).cells
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1 and tagged[0].cell_type == "code", name(path)
    declared = papermill.inspect_notebook(str(path))
    assert declared["db_path"]["inferred_type_name"] == "str"
    assert declared["db_path"]["default"] == '""'
    # Live, typed and commented defaults (docs/architecture.md): one parameter a line.
    for line in tagged[0].source.splitlines():
        assert ": " in line and " = " in line and "  # " in line, f"{name(path)}: {line}"


@pytest.mark.parametrize("path", PAIRED, ids=name)
def test_paired_with_a_percent_script_in_step(path: Path) -> None:
    notebook = read(path)
    assert notebook.metadata["jupytext"]["formats"] == "ipynb,py:percent"
    script = path.with_suffix(".py")
    assert script.exists(), f"{name(script)} is missing: jupytext --sync {name(path)}"
    twin = jupytext.read(script)

    def cells(nb: nbformat.NotebookNode) -> list[tuple[str, str, list[str]]]:
        return [
            (c.cell_type, c.source.strip(), list(c.get("metadata", {}).get("tags", [])))
            for c in nb.cells
        ]

    assert cells(twin) == cells(notebook), f"out of step: jupytext --sync {name(path)}"


def test_nbstripout_would_change_nothing() -> None:
    result = subprocess.run(
        [str(BIN / "nbstripout"), "--keep-id", "--verify", *map(str, PAIRED)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_paired_notebooks_and_scripts_are_ruff_clean() -> None:
    paths = [str(p) for nb in PAIRED for p in (nb, nb.with_suffix(".py"))]
    for args in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [str(BIN / "ruff"), *args, *paths],
            capture_output=True,
            text=True,
            check=False,
            cwd=config.ROOT,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_pre_commit_runs_offline_from_the_venv() -> None:
    path = config.ROOT / ".pre-commit-config.yaml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    hooks = [h for repo in spec["repos"] for h in repo["hooks"]]
    assert {r["repo"] for r in spec["repos"]} == {"local"}
    assert {h["language"] for h in hooks} <= {"system", "python", "pygrep"}
    assert {
        "check-added-large-files",
        "nbstripout",
        "ruff",
        "ruff-format",
        "nbqa-ruff",
        "jupytext-sync",
    } <= {h["id"] for h in hooks}
    # Every tool a hook calls is installed in the environment running the tests.
    for tool in ("ruff", "nbstripout", "nbqa", "jupytext"):
        assert (BIN / tool).exists(), tool
        assert any(f"exec {tool} " in h["entry"] for h in hooks), tool
    result = subprocess.run(
        [str(BIN / "pre-commit"), "validate-config", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_jupytext_config_is_read() -> None:
    from jupytext.config import (
        find_jupytext_configuration_file,
        load_jupytext_configuration_file,
    )

    found = find_jupytext_configuration_file(str(config.NOTEBOOKS_DIR / "questions"))
    assert found is not None and Path(found) == config.ROOT / "jupytext.toml"
    assert load_jupytext_configuration_file(found).notebook_metadata_filter
