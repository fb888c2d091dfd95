"""The house rules that import-linter cannot see (docs/architecture.md): no module reaches into
another's private names, importing the package changes nothing outside it, and test hooks stay in
tests/."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from analysis.core import config

PACKAGE = config.ROOT / "analysis"


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = path.relative_to(config.ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def private_imports(path: Path) -> list[str]:
    """``from analysis.x import _name`` where ``analysis.x`` is another module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module_name(path)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("analysis"):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    if node.module != here:
                        found.append(f"{here}: from {node.module} import {alias.name}")
    return found


def test_a_private_import_is_found(tmp_path: Path) -> None:
    bad = PACKAGE / "core" / "_probe_private_import.py"
    try:
        bad.write_text("from analysis.reports.content import _esc\n", encoding="utf-8")
        assert private_imports(bad) == [
            "analysis.core._probe_private_import: from analysis.reports.content import _esc"
        ]
    finally:
        bad.unlink()


def test_no_module_imports_another_modules_private_names() -> None:
    found = [item for path in _modules() for item in private_imports(path)]
    assert found == []


def unexplained_local_imports(source: str) -> list[int]:
    """Lines of import blocks inside functions with no comment saying why: on the line above
    the block or on its first line (a function-level import must save start-up time, or break
    a real cycle, and say so)."""
    lines = source.splitlines()
    tree = ast.parse(source)
    spans = sorted(
        {
            (node.lineno, node.end_lineno or node.lineno)
            for function in ast.walk(tree)
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
            for node in ast.walk(function)
            if isinstance(node, ast.Import | ast.ImportFrom)
        }
    )
    found, previous_end = [], -1
    for start, end in spans:
        continues_block = start == previous_end + 1
        previous_end = end
        above = lines[start - 2].strip() if start >= 2 else ""
        if continues_block or "#" in lines[start - 1] or above.startswith("#"):
            continue
        found.append(start)
    return found


def test_an_unexplained_local_import_is_found() -> None:
    source = (
        "def f():\n"
        "    import json\n"  # line 2: no reason given
        "    return json\n"
        "\n"
        "def g():\n"
        "    # YAML only when asked for.\n"
        "    import yaml\n"
        "    import json\n"  # the same block: one comment covers it
        "    return yaml, json\n"
    )
    assert unexplained_local_imports(source) == [2]


def test_every_function_level_import_says_why() -> None:
    found = [
        f"{path.relative_to(config.ROOT)}:{line}"
        for path in _modules()
        for line in unexplained_local_imports(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_importing_the_package_leaves_matplotlib_backend_alone() -> None:
    code = (
        "import matplotlib; matplotlib.use('svg');"
        "import analysis, analysis.reports.charts, analysis.reports.content, analysis.run.runner;"
        "print(matplotlib.get_backend())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "svg"


def test_no_test_hooks_in_the_package() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in _modules())
    for hook in ("_pause_for_tests", "for_tests", "executed_text"):
        assert hook not in text, hook
