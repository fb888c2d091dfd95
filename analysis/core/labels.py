"""The words of the reports in Vietnamese and English (``labels.yaml``), one place for each."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

LABELS_PATH = Path(__file__).with_name("labels.yaml")


@lru_cache(maxsize=1)
def _labels() -> dict[str, dict[str, str]]:
    with open(LABELS_PATH, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def label(key: str, lang: str = "vi", **values: object) -> str:
    """The label ``key`` in ``lang`` with ``{placeholders}`` filled from ``values``."""
    entry = _labels().get(key)
    if entry is None:
        raise KeyError(f"no label {key!r} in labels.yaml")
    if lang not in entry:
        raise KeyError(f"label {key!r} has no {lang!r} text")
    return entry[lang].format(**values) if values else entry[lang]
