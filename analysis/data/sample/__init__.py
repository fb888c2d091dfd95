"""The synthetic data set: the province's 30 villages (``province``) or a national-scale set of
34 provinces (``national``) for benchmarks. Same options, same tables."""

from __future__ import annotations

import pandas as pd

from analysis.data.sample.national import generate_national
from analysis.data.sample.province import (
    COMMENT_PREFIX,
    SYNTHETIC_NOTE,
    SampleOptions,
    generate_province,
    parse_years,
    write_tables,
)

__all__ = [
    "COMMENT_PREFIX",
    "SYNTHETIC_NOTE",
    "SampleOptions",
    "generate",
    "parse_years",
    "write_tables",
]


def generate(options: SampleOptions) -> dict[str, pd.DataFrame]:
    """All tables of the data model for the given options (same options, same tables)."""
    if options.scale == "national":
        return generate_national(options)
    return generate_province(options)
