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
# # What if a village is recognised in 2026 and another is linked with tourism?
#
# *Nếu một thôn được công nhận làng nghề năm 2026 và thêm thôn gắn với du lịch thì sao?*
#
# `analysis.explore.scenarios` takes changes to the data and returns the indicators and statuses
# with
# and without them. Here: the village ready for recognition in the sample (see
# `closest_to_recognition`) is recognised in 2026, and more villages of Bắc Sơn are linked with
# tourism in 2026 (the sample's Bắc Sơn has one village left that is not yet linked: ask for
# two and the call says so).
#
# 2026 comes after the data: both sides are *carried forward*, the 2025 figures of every village
# copied to 2026 ("nothing else changes"; see the notes of `analysis.explore.scenarios`). Other
# changes:
# `restore`, `add_commodity_craft`, `set_value`, `link_tourism`.

# %%
from IPython.display import Markdown, display

import analysis.explore.questions as q
import analysis.explore.scenarios as sc

# %% tags=["parameters"]
year: int = 2026  # evaluation year of the comparison (after the data: carried forward)
village_id: str = "VQ-HOI"  # the village recognised
kind: str = "lang_nghe_truyen_thong"  # "lang_nghe" or "lang_nghe_truyen_thong"
change_year: int = 2026  # the year of both changes
tourism_place: str = "bac-son"  # place slug where villages are linked with tourism
tourism_villages: int = 1  # how many more villages of that place
lang: str = "vi"  # language of the answer: "vi" or "en"
db_path: str = ""  # DuckDB store; "" means data/processed/langson.duckdb

# %%
ds = q.load(db_path)
changes = [
    sc.recognise(village_id, change_year, kind=kind),
    sc.link_tourism_in(tourism_place, tourism_villages, change_year),
]
comparison = sc.compare_scenario(ds, changes, year, places="province", lang=lang)
display(Markdown(sc.summarise_comparison(comparison, lang)))

# %% [markdown]
# The whole comparison for the province: every indicator in the year, with and without the
# changes, and the statuses for 2025 and 2030 (a status for 2025 is judged on the data up to
# 2025, so changes after 2025 cannot move it).

# %%
display(sc.format_comparison(comparison, lang))
