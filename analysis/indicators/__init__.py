"""The indicators of Plan 244 (T1-T6) and their context, progress against the targets, and the
Decree 52 recognition screen: pure functions of a validated ``Dataset``."""

from analysis.indicators.compute import (
    compute_indicators,
    effectiveness_components,
    indicator_years,
    reporting_years,
)

__all__ = ["compute_indicators", "effectiveness_components", "indicator_years", "reporting_years"]
