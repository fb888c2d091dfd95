"""pyproject.toml (pip) and environment.yml (conda) declare the same packages."""

from __future__ import annotations

import re
import tomllib

import yaml

from analysis.core import config

# conda-forge names that differ from PyPI's
CONDA_TO_PYPI = {"python-duckdb": "duckdb"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[;]", requirement.strip(), maxsplit=1)[0].lower()


def test_pyproject_and_environment_agree() -> None:
    project = tomllib.loads((config.ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pip_names = {_name(r) for r in project["project"]["dependencies"]}
    pip_names |= {_name(r) for r in project["project"]["optional-dependencies"]["dev"]}
    env = yaml.safe_load((config.ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda_names: set[str] = set()
    for item in env["dependencies"]:
        if isinstance(item, dict):
            conda_names |= {_name(r) for r in item["pip"] if not r.startswith("-e")}
        elif _name(item) not in {"python", "pip"}:
            conda_names.add(CONDA_TO_PYPI.get(_name(item), _name(item)))
    assert pip_names == conda_names, (
        f"only in pyproject: {sorted(pip_names - conda_names)}; "
        f"only in environment.yml: {sorted(conda_names - pip_names)}"
    )


def test_python_version_agrees() -> None:
    project = tomllib.loads((config.ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    env = yaml.safe_load((config.ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert project["project"]["requires-python"] == ">=3.11"
    assert "python=3.11" in env["dependencies"]
