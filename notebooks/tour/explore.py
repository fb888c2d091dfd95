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
# # A tour of the data and the API
#
# *Làm quen với dữ liệu và các hàm của gói `analysis`.*
#
# For researchers and analysts working in JupyterLab (`make lab`). Everything here is a call
# into the installed package `analysis`; the worked answers to policy questions are in
# `questions/`, the reference of every function in `docs/api.md`. Exploratory notebooks never
# feed a report. **The shipped data are synthetic.**

# %%
from IPython.display import Markdown, display

import analysis
import analysis.explore.questions as q
import analysis.reports.content as r
import analysis.reports.sections as sections
from analysis.cli.status import targets_text
from analysis.indicators.compute import compute_indicators, indicator_years
from analysis.indicators.explain import explain
from analysis.indicators.progress import assess_progress
from analysis.indicators.recognition import screen_villages

# %% tags=["parameters"]
year: int = 2025  # evaluation year (2021-2030, present in the data)
place: str = "cao-loc"  # a district-level area slug (data/reference/districts.csv)
lang: str = "vi"  # language of labels and numbers: "vi" or "en"
db_path: str = ""  # DuckDB store; "" means data/processed/langson.duckdb

# %% [markdown]
# ## 1. The data
#
# `load_dataset` returns the validated tables (`docs/data_dictionary.md`) as a `Dataset`:
# `crafts`, `villages`, `village_year`, `district_crafts`, `activities`, `submissions`, and
# `info` (what is known about the data set). Villages are the stable unit across the 2025
# reform: each knows its former district and its 2025 commune.

# %%
ds = q.load(db_path)
display(Markdown(f"`synthetic`: **{ds.synthetic}**; tables: {', '.join(ds.tables)}"))
display(ds.villages.head())

# %% [markdown]
# The same tables, the reference tables (`ref_*`) and documented views (`v_village_year`,
# `v_submissions_status`, ...) answer SQL, here or with `python -m analysis sql "SELECT ..."`:

# %%
display(
    analysis.query(
        "SELECT district_code, count(*) AS villages, count(recognition_date) AS recognised "
        "FROM villages GROUP BY 1 ORDER BY 1",
        q.store_path(db_path),
    )
)

# %% [markdown]
# ## 2. Indicators
#
# `compute_indicators` computes every indicator (T1-T6 of the plan, C1-C7 of Decision 801) for
# every year and place (province, the 11 district-level areas, the 65 communes of 2025) into one
# tidy table: `indicator_id, place_id, place_level, place_code, year, value, numerator,
# denominator, unit, n_expected, n_reported`. `indicator_years` gives the years to compute: the
# 2020 baseline (progress is judged from it) and every reporting year.

# %%
indicators = compute_indicators(ds, indicator_years(ds))
display(
    indicators.query("place_level == 'province'").pivot(
        index="indicator_id", columns="year", values="value"
    )
)

# %% [markdown]
# Every value opens to its rows: `explain` lists the villages (crafts, areas) behind a value of
# T1-T6, what each adds to the numerator and the denominator, and why it is in or out
# (`python -m analysis explain T6 --year 2025` prints the same). Places may be named as people
# name them (`"Huyện Cao Lộc"`, `"cong son"`, a code): `analysis.data.resolve`.

# %%
members = explain(ds, "T6", year, place, lang)
display(Markdown(f"T6 = **{members.attrs['value']:.1f}%** ({place}, {year})"))
display(members[["member_id", "name_vi", "commune", "numerator", "denominator", "gap", "reason"]])

# %% [markdown]
# ## 3. Statuses
#
# `assess_progress` judges each target (2025 and 2030) on the data up to a year, with every
# component of the judgement (base, current, shares of gap and time, ratio, projection, pace
# needed). `python -m analysis status` prints the same as a table:

# %%
progress = assess_progress(indicators, year)
display(
    progress.query("place_level == 'province'")[
        [
            "indicator_id",
            "target_year",
            "current_value",
            "target_value",
            "ratio",
            "status",
            f"label_{lang}",
        ]
    ]
)
print(targets_text(year, lang=lang, db_path=db_path))

# %% [markdown]
# ## 4. Charts
#
# The report sections are builders of `analysis.reports.sections`, usable here: `prepare`
# computes once for a report kind, year and place, then each builder returns blocks of the
# report model (figures, tables) to display.

# %%
ctx = r.prepare("district", year, place, lang, db_path)
display(*sections.progress_chart(ctx))
display(*sections.status_heatmap(ctx))

# %% [markdown]
# ## 5. Recognition and scenarios
#
# `screen_villages` checks every village against the criteria of Decree 52/2018 in a year;
# `analysis.explore.scenarios` answers "what if": see `questions/scenario_2026.ipynb`.

# %%
display(
    screen_villages(ds, year).query("not recognised")[
        ["village_id", "household_share", "stable_years", "meets_environment", "ready", "lacks_en"]
    ]
)
