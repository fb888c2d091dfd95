# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Which 2030 targets will be missed if the current trend holds?
#
# *Mục tiêu nào của năm 2030 sẽ không đạt nếu giữ xu hướng hiện nay?*
#
# For each target of 2030 not yet achieved, the progress engine projects the latest value to
# 2030 along the trend observed so far (`projection` of
# `analysis.indicators.progress.assess_progress`):
# a straight line from the base (0 at the end of 2020 for cumulative counts, otherwise the first
# year with data) through the latest value for the linear method, the observed yearly growth for
# the growth method. A target is *missed* when that projection does not meet it
# (`analysis.explore.questions.missed_targets`; projected shares are kept within 0-100%). The answer
# gives, for each, the pace needed from now on against the pace of the trend.

# %%
from IPython.display import Markdown, display

import analysis.explore.questions as q

# %% tags=["parameters"]
year: int = 2025  # evaluation year: the trend runs up to it (2021-2030)
target_year: int = 2030  # the target year projected to: 2030 (or 2025 before 2025)
lang: str = "vi"  # language of the answer: "vi" or "en"
db_path: str = ""  # DuckDB store; "" means data/processed/langson.duckdb

# %%
ctx = q.context(year, lang, db_path)
display(Markdown(q.missed_targets_answer(ctx.progress, target_year, lang)))

# %% [markdown]
# The table behind the answer: base and latest values, the trend per year, the projection, the
# projected shortfall and the pace needed per year (percentage points for shares).

# %%
display(q.formatted(q.missed_targets(ctx.progress, target_year), lang))
