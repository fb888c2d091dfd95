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
# # Which villages are closest to recognition, and what does each lack?
#
# *Thôn nào gần được công nhận làng nghề nhất, và mỗi thôn còn thiếu gì?*
#
# A craft village (Decree 52/2018/NĐ-CP, Article 5) needs at least 20% of its households in the
# craft (30% under the old Decree 66/2006 regime), stable production for at least 2 consecutive
# years, and the environmental conditions (a protection plan and a self-managed group). The
# screen of `analysis.indicators.recognition` checks each unrecognised village against the three
# criteria
# in the year; the villages meeting all three come first, then those lacking one, the largest
# share of households first. Recognising one of them counts towards T3 (try it with
# `analysis.explore.scenarios`).

# %%
from IPython.display import Markdown, display

import analysis.explore.questions as q

# %% tags=["parameters"]
year: int = 2025  # the year of the screen (2021-2030)
n: int = 5  # how many villages to show
lang: str = "vi"  # language of the answer: "vi" or "en"
db_path: str = ""  # DuckDB store; "" means data/processed/langson.duckdb

# %%
ctx = q.context(year, lang, db_path)
display(Markdown(q.closest_answer(ctx.ds, year, n, lang)))

# %% [markdown]
# The screen behind the answer (shares of households as percentages; `stable_years` counts the
# consecutive years of stable production up to the year):

# %%
display(q.formatted(q.closest_to_recognition(ctx.ds, year, n), lang))
