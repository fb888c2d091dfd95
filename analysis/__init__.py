"""Monitoring and evaluation of Lạng Sơn's craft-village programme (Plan 244/KH-UBND, 2021-2030).

Notebooks and analysts start here::

    import analysis
    ds = analysis.load_dataset()          # validated tables from the DuckDB store
    analysis.query("SELECT * FROM villages LIMIT 5")

The layers of the package and where each kind of change is made: ``docs/architecture.md``.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

try:
    __version__ = version("langson-craft-villages")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

__all__ = ["Dataset", "__version__", "build_store", "load_dataset", "query"]

if TYPE_CHECKING:
    from analysis.data.store import Dataset, query
    from analysis.pipeline import build_store, load_dataset

#: Where each name of the front door lives (loaded on first use).
_LAZY = {
    "Dataset": "analysis.data.store",
    "query": "analysis.data.store",
    "build_store": "analysis.pipeline",
    "load_dataset": "analysis.pipeline",
}


def __getattr__(name: str) -> object:
    # Loaded on first use (PEP 562), so that `python -m analysis --help` and the light verbs do
    # not pay for pandas, pandera and DuckDB before they need them.
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")
