"""The question notebooks in the batch (``--kind questions``): each notebook of
``notebooks/questions/`` run with papermill and rendered to HTML beside the reports, so that a
reader without Jupyter opens the answers from the index page.

A question job looks like a report job (``kind``, ``year``, ``place_id``, ``lang``,
``formats``, ``notebook``, ``stem``, ``key``, ``title()``, ``parameters()``), so the runner
executes, renders and records it the same way. Its ``place_id`` is the notebook's name, and its
file name ``question-<name>`` (``outputs/reports/2025/question-t6_below_100.html``). A question
is asked about a fixed year (off track *for 2025*, a scenario *for 2026*): the job passes only
the store and the language, and the notebook keeps its own years; ``year`` files the answer
with the reports of that year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from analysis.core import config
from analysis.core.errors import UsageError

#: The kind of a question job (in the manifest and on the index page).
QUESTION_KIND = "question"
#: Parameters a question job gives its notebook, when the notebook declares them.
PASSED = ("lang", "db_path")


def questions_dir() -> Path:
    """The folder of the question notebooks."""
    return config.NOTEBOOKS_DIR / "questions"


def question_notebooks() -> list[Path]:
    """The question notebooks, by name."""
    return sorted(p for p in questions_dir().glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def question_title(notebook: Path, lang: str = "vi") -> str:
    """The question a notebook answers: its first heading, in Vietnamese (the italic line
    under the heading) or English (the heading)."""
    # nbformat only where a notebook is read.
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    text = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
    heading = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
    english = heading.group(1).strip() if heading else notebook.stem
    italic = re.search(r"^\*(.+)\*\s*$", text, re.MULTILINE)
    return italic.group(1).strip() if lang == "vi" and italic else english


@dataclass(frozen=True)
class QuestionJob:
    """One question notebook to run and render, for the reports of ``year``."""

    year: int
    place_id: str  # the notebook's name, e.g. t6_below_100
    lang: str = "vi"
    formats: tuple[str, ...] = ("html",)
    kind: str = QUESTION_KIND

    @property
    def notebook(self) -> Path:
        return questions_dir() / f"{self.place_id}.ipynb"

    @property
    def stem(self) -> str:
        """File name without extension: ``question-t6_below_100`` (``.en`` in English)."""
        base = f"question-{self.place_id}"
        return base if self.lang == "vi" else f"{base}.{self.lang}"

    @property
    def key(self) -> str:
        """The job's name in the manifest: ``2025/question/question-t6_below_100``."""
        return f"{self.year}/{self.kind}/{self.stem}"

    def title(self) -> str:
        """The document title: the question."""
        return question_title(self.notebook, self.lang)

    def parameters(self, db_path: Path | str) -> dict[str, object]:
        """The store and the language, for the notebooks that declare them."""
        # papermill only to read a notebook's parameters.
        import papermill

        declared = papermill.inspect_notebook(str(self.notebook))
        values: dict[str, object] = {"lang": self.lang, "db_path": str(db_path)}
        return {k: v for k, v in values.items() if k in declared and k in PASSED}


def question_jobs(
    year: int,
    lang: str = "vi",
    formats: tuple[str, ...] | list[str] | None = None,
    names: list[str] | None = None,
) -> list[QuestionJob]:
    """One job per question notebook (or per name of ``names``), filed with the reports of
    ``year``, in ``formats`` (default HTML). An unknown name is a :class:`UsageError` listing
    the notebooks."""
    formats = ("html",) if formats is None else formats
    available = [p.stem for p in question_notebooks()]
    chosen = available if names is None else list(names)
    unknown = [n for n in chosen if n not in available]
    if unknown:
        raise UsageError(f"unknown question notebook {unknown[0]!r}; valid: {', '.join(available)}")
    return [QuestionJob(int(year), name, lang, tuple(formats)) for name in chosen]
