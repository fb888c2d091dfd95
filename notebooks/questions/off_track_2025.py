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
# # Which district-level areas are off track for 2025, and by how much?
#
# *Địa bàn cấp huyện nào chưa đạt tiến độ mục tiêu năm 2025, và còn thiếu bao nhiêu?*
#
# Plan 244 sets one target for each of its 11 district-level areas ("huyện, thành phố"): **T2**,
# crafts kept and expanded into commodity production, at least 2 per area by 2025 and 3 by 2030.
# The other targets (T1, T3-T6) are province-wide; they are answered at the end.
#
# "Off track" means a status of *acceleration needed*, *limited progress* or *deterioration*
# (`analysis.explore.questions.OFF_TRACK`); statuses follow docs/domain.md section 5 and are
# computed by `analysis.indicators.progress.assess_progress`. Once the target year is reached, a
# target not met is off track whatever the trend, and the shortfall is what is still missing.
# Change `target_year` to 2030 to ask the same about 2030.

# %%
from IPython.display import Markdown, display

import analysis.explore.questions as q

# %% tags=["parameters"]
year: int = 2025  # evaluation year: statuses judged on the data up to it (2021-2030)
target_year: int = 2025  # the target year asked about: 2025 or 2030
lang: str = "vi"  # language of the answer: "vi" or "en"
db_path: str = ""  # DuckDB store; "" means data/processed/langson.duckdb

# %%
ctx = q.context(year, lang, db_path)
display(Markdown(q.off_track_answer(ctx.progress, target_year, "district", lang)))

# %% [markdown]
# The table behind the answer: the latest value, the target, the shortfall (in the indicator's
# unit), the yearly pace still needed (empty once the target year is reached) and the note of
# the progress engine.

# %%
display(q.formatted(q.off_track(ctx.progress, target_year, "district"), lang))

# %% [markdown]
# ## The province-wide targets
#
# T1 and T3-T6 are judged for the province as a whole; an area's villages only contribute.

# %%
display(Markdown(q.off_track_answer(ctx.progress, target_year, "province", lang)))
