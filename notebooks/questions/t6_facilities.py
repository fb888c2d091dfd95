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
# # How many facilities still have to meet the environmental rules (T6)?
#
# *Còn bao nhiêu cơ sở, hộ sản xuất phải đáp ứng quy định bảo vệ môi trường (chỉ tiêu T6)?*
#
# T6: 100% of the production facilities and households of the crafts forming *recognised*
# villages meet the environmental rules, by 2025 and (unverified: our copy of the plan is cut
# off) by 2030. Its scope is therefore the villages recognised by the end of the year; a
# village recognised later enters the count then (try it with `analysis.explore.scenarios`). The
# answer
# sums, over those villages, the facilities not yet compliant, and spreads them over the years
# left to 2030.

# %%
from IPython.display import Markdown, display

import analysis.explore.questions as q

# %% tags=["parameters"]
year: int = 2025  # the year of the figures (2021-2030)
target_year: int = 2030  # the year by which every facility should comply
lang: str = "vi"  # language of the answer: "vi" or "en"
db_path: str = ""  # DuckDB store; "" means data/processed/langson.duckdb

# %%
ctx = q.context(year, lang, db_path)
display(Markdown(q.facilities_answer(ctx.ds, year, target_year, lang)))

# %% [markdown]
# Village by village, the most facilities still to comply first:

# %%
display(q.formatted(q.facilities_to_comply(ctx.ds, year), lang))
