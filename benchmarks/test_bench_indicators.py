"""pytest-benchmark companions of ``benchmarks/run.py`` (not collected by the normal test run,
whose ``testpaths`` is ``tests``). Run with::

    .venv/bin/python -m pytest benchmarks/test_bench_indicators.py --benchmark-only
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.data.sample import SampleOptions, generate
from analysis.data.store import Dataset
from analysis.indicators.compute import compute_indicators
from analysis.indicators.progress import assess_progress


@pytest.fixture(scope="module")
def national() -> Dataset:
    options = SampleOptions(seed=244, first_year=2021, last_year=2030, scale="national")
    return Dataset(tables=generate(options), info={"synthetic": True, "scale": "national"})


@pytest.fixture(scope="module")
def indicators(national: Dataset) -> pd.DataFrame:
    return compute_indicators(national)


def test_compute_indicators(benchmark, national: Dataset) -> None:
    result = benchmark(compute_indicators, national)
    assert result["year"].nunique() == 10


def test_assess_progress_every_year(benchmark, indicators: pd.DataFrame) -> None:
    years = sorted(indicators["year"].unique())
    result = benchmark(lambda: [assess_progress(indicators, int(y)) for y in years])
    assert len(result) == 10
