"""Monitoring and evaluation of Lạng Sơn's craft-village programme (Plan 244/KH-UBND, 2021-2030).

Notebooks and analysts start here::

    import analysis
    ds = analysis.load_dataset()          # validated tables from the DuckDB store
    analysis.query("SELECT * FROM villages LIMIT 5")
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from analysis.data.store import Dataset, query
from analysis.pipeline import build_store, load_dataset

try:
    __version__ = version("langson-craft-villages")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

__all__ = ["Dataset", "__version__", "build_store", "load_dataset", "query"]
