"""The house rules that import-linter cannot see (docs/architecture.md): no module reaches into
another's private names, importing the package changes nothing outside it, and test hooks stay in
tests/."""

from __future__ import annotations

import ast
import re
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


_LANGS = ("vi", "en")


def _is_lang(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "lang") or (
        isinstance(node, ast.Attribute) and node.attr == "lang"
    )


def _is_language_test(test: ast.expr) -> bool:
    """``lang == "vi"`` (``!=``, either side, ``self.lang`` too), or a flag named ``vi``/``en``
    (``vi = lang == "vi"`` then ``... if vi else ...``)."""
    if isinstance(test, ast.Name):
        return test.id in _LANGS
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    if not isinstance(test.ops[0], ast.Eq | ast.NotEq):
        return False
    left, right = test.left, test.comparators[0]
    for side, other in ((left, right), (right, left)):
        if _is_lang(side) and isinstance(other, ast.Constant) and other.value in _LANGS:
            return True
    return False


def _is_words(node: ast.expr) -> bool:
    """A string, an f-string, or a ``+`` of pieces one of which is a string (``"tỷ lệ " + x``)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _is_words(node.left) or _is_words(node.right)
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def _is_column_pair(a: ast.expr, b: ast.expr) -> bool:
    """``"name_vi"`` against ``"name_en"``: a data column picked by language, not words."""
    texts = [n.value for n in (a, b) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    if len(texts) != 2 or not all(t.isidentifier() for t in texts):
        return False
    stems = {re.sub(r"_(vi|en)$", "", t) for t in texts}
    return len(stems) == 1 and texts[0] != texts[1]


def _names(*nodes: ast.expr) -> set[str]:
    return {n.id for n in nodes if isinstance(n, ast.Name)}


def _returned(body: list[ast.stmt]) -> list[ast.expr]:
    """What the ``return`` statements of a function body give back."""
    return [
        inner.value
        for part in body
        for inner in ast.walk(part)
        if isinstance(inner, ast.Return) and inner.value is not None
    ]


def inline_translations(source: str) -> list[int]:
    """Lines that translate in code instead of in labels.yaml: an ``x if lang == "vi" else y``
    between two strings (f-strings too) or between names ``vi`` and ``en``; and a function
    with parameters ``vi`` and ``en`` that returns one of them (a ``_words(lang, vi, en)``)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.IfExp) and _is_language_test(node.test):
            pair = (node.body, node.orelse)
            strings = all(_is_words(n) for n in pair) and not _is_column_pair(*pair)
            if strings or _names(*pair) == set(_LANGS):
                found.add(node.lineno)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            args = node.args
            params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
            if not set(_LANGS) <= params:
                continue
            values = [node.body] if isinstance(node, ast.Lambda) else _returned(node.body)
            returned: set[str] = set()
            for value in values:
                if isinstance(value, ast.IfExp):
                    returned |= _names(value.body, value.orelse)
                else:
                    returned |= _names(value)
            if set(_LANGS) <= returned:
                found.add(node.lineno)
    return sorted(found)


def test_an_inline_translation_is_found() -> None:
    source = (
        "def a(lang):\n"
        "    return 'bảng' if lang == 'vi' else 'table'\n"  # 2: two words
        "def b(self, n):\n"
        "    return f'{n} năm' if 'en' != self.lang else f'{n} years'\n"  # 4: f-strings
        "def c(lang, vi, en):\n"  # 5: a helper choosing between its vi and en
        "    if lang == 'vi':\n"
        "        return vi\n"
        "    return en\n"
        "def d(lang, t):\n"
        "    vi = lang == 'vi'\n"
        "    return f\"{'dòng' if vi else 'row'} {t}\"\n"  # 11: a flag named vi
        "def e(lang, vi, en):\n"  # 12: the same helper in one line (and 13, its choice)
        "    return vi if lang == 'vi' else en\n"
        "def f(lang, share):\n"
        "    return ('tỷ lệ ' + share) if lang == 'vi' else (share + ' share')\n"  # 15: joined
        "def ok(lang, base, row):\n"
        "    column = 'name_vi' if lang == 'vi' else 'name_en'\n"  # a column, not words
        "    stem = base if lang == 'vi' else f'{base}.{lang}'\n"  # a file name
        "    text = row.text_vi if lang == 'vi' else row.text\n"  # an attribute
        "    word = 'Có' if row.done else 'Không'\n"  # not a language test
        "    return label('word_yes', lang)\n"
    )
    assert inline_translations(source) == [2, 4, 5, 11, 12, 13, 15]


def test_no_module_translates_inline() -> None:
    found = [
        f"{path.relative_to(config.ROOT)}:{line}"
        for path in _modules()
        for line in inline_translations(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "move the words to analysis/core/labels.yaml and use label()"
