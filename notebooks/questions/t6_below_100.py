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
# # Which facilities keep T6 below 100%, and in which communes?
#
# *Những cơ sở nào khiến chỉ tiêu T6 chưa đạt 100%, ở xã, phường nào?*
#
# T6 is the share of the production facilities and households of the *recognised* villages
# that meet the environmental rules. `analysis.indicators.explain.explain` opens the value: one
# row per village the indicator could count, with what it adds to the numerator (compliant
# facilities) and the denominator (all facilities), the `gap` between them (facilities not yet
# compliant) and the reason it is in or out. The same list is printed by
# `python -m analysis explain T6 --year 2025 [--place ...]`. `place` takes a slug, a code or a
# name (`"Huyện Tràng Định"`, `"quoc khanh"`); a name two places share is an error listing both.

# %%
from IPython.display import Markdown, display

import analysis.explore.questions as q
from analysis.indicators.explain import explain

# %% tags=["parameters"]
year: int = 2025  # the year of the figures (2021-2030)
place: str = ""  # a district-level area or commune (slug, code or name); "" for the province
lang: str = "vi"  # language of the answer: "vi" or "en"
db_path: str = ""  # DuckDB store; "" means data/processed/langson.duckdb

# %%
ds = q.load(db_path)
display(Markdown(q.t6_shortfall_answer(ds, year, place or None, lang)))

# %% [markdown]
# The same facilities summed per 2025 commune (the most first):

# %%
shortfall = q.t6_shortfall(ds, year, place or None)
display(q.t6_shortfall_by_commune(shortfall))

# %% [markdown]
# Every member of T6 for the place: villages in scope first, the largest gap first; the
# unrecognised villages are listed with the reason they are out. The members add up to the
# published value (`attrs`).

# %%
members = explain(ds, "T6", year, place or None, lang)
print(members.attrs)
display(
    members[
        ["member_id", "name_vi", "commune", "area", "numerator", "denominator", "gap", "reason"]
    ]
)
