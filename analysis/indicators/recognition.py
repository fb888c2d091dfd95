"""Recognition screen (Decree 52/2018/NĐ-CP, Article 5): which villages meet the criteria of a
craft village in a year, which crafts pass the 50-year test, and which unrecognised villages
could be recognised next, with what each still lacks (this feeds target T3).

Criteria of a craft village, with the thresholds of ``decree52.yaml``:

- households: at least 20% of the village's households in the craft (30% for a village
  recognised under Decree 66/2006, whose regime stays with it);
- stable production for at least 2 consecutive years up to the year: a year counts when the
  village reported households in the craft and revenue, and revenue did not fall by more than
  the tolerance of ``effectiveness.yaml`` (``production_stable``), the project's one definition
  of "stable";
- environmental conditions: every column of ``environment_required`` holds that year.

A village with a craft that is recognised as traditional (or passes the 50-year test and is
traditional, so that both can be recognised together) is eligible as a traditional craft village.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.labels import label
from analysis.data import reference
from analysis.data.store import Dataset
from analysis.indicators.effectiveness import household_threshold
from analysis.indicators.panel import village_panel

#: Environmental columns with their own words in labels.yaml (``recognition_lacks_<column>``,
#: ``recognition_no_data_<column>``); any other column is named as it is.
_ENVIRONMENT_WORDS = ("env_plan", "env_group")


def _rules() -> dict:
    return reference.read_yaml("decree52.yaml")


def _revenue_tolerance() -> float:
    components = reference.read_yaml("effectiveness.yaml")["components"]
    for spec in components:
        if spec["id"] == "production_stable":
            return float(spec.get("revenue_tolerance", 0.0))
    return 0.0


def _stable_flags(panel: pd.DataFrame) -> np.ndarray:
    """A year of stable production: craft households and revenue reported, revenue not down by
    more than the tolerance on the previous year (when that is known)."""
    revenue, before = panel["revenue_mvnd"].to_numpy(), panel["revenue_prev"].to_numpy()
    producing = (panel["households_craft"].to_numpy() > 0) & (revenue > 0)
    with np.errstate(invalid="ignore"):
        not_falling = np.isnan(before) | (revenue >= before * (1.0 - _revenue_tolerance()))
    return producing & not_falling


def _stable_years(ds: Dataset, year: int) -> pd.Series:
    """Consecutive years of stable production ending at ``year``, per village."""
    first = int(min(ds.village_year["year"].min(), year))
    panel = village_panel(ds, range(first, year + 1))
    broken = panel.loc[~_stable_flags(panel), ["village_id", "year"]]
    last_break = broken.groupby("village_id")["year"].max()
    villages = pd.Index(panel["village_id"].unique())
    return (year - last_break.reindex(villages).fillna(first - 1)).astype(int)


def _text_number(values: pd.Series, lang: str) -> pd.Series:
    """Numbers with at most one decimal, a decimal comma for ``vi`` (vectorised)."""
    text = values.round(1).astype(str).str.replace(r"\.0$", "", regex=True)
    return text.str.replace(".", ",", regex=False) if lang == "vi" else text


def _join(parts: list[pd.Series]) -> pd.Series:
    """Join non-empty texts of each row with "; "."""
    joined = parts[0].str.cat(parts[1:], sep="; ")
    return joined.str.replace(r"(; )+", "; ", regex=True).str.strip("; ")


def _bool(values: np.ndarray) -> pd.arrays.BooleanArray:
    """1/0/NaN floats as a nullable boolean array."""
    return pd.array(np.where(np.isnan(values), None, values == 1), dtype="boolean")


def screen_villages(ds: Dataset, year: int) -> pd.DataFrame:
    """Each village against the recognition criteria of a craft village in ``year``.

    Returns
    -------
    pandas.DataFrame
        ``village_id, year, recognised`` (by the end of the year), ``household_share`` and
        ``min_household_share`` (fractions, 0.2 = 20%), ``meets_household_share, stable_years,
        meets_stable_production, meets_environment, craft_age_years, meets_craft_age,
        craft_recognised, ready, eligible_type, n_lacking, lacks_vi, lacks_en``. No column
        repeats one of ``villages``, so the two merge cleanly on ``village_id``. ``ready`` is
        True when the three criteria of a craft village hold; a criterion without data counts
        as lacking (``n_lacking`` counts criteria, not conditions). ``eligible_type`` is
        ``lang_nghe`` or ``lang_nghe_truyen_thong`` for ready villages.
    """
    rules = _rules()
    panel = village_panel(ds, [year]).set_index("village_id", drop=False)
    recognised = panel["recognition"].ne("none") & panel["recognised_year"].le(year)
    threshold = household_threshold(panel.reset_index(drop=True))
    total = panel["households_total"]
    share = panel["households_craft"] / total.where(total > 0)
    meets_share = np.where(share.isna(), np.nan, (share >= threshold).astype(float))

    min_years = int(rules["craft_village"]["min_stable_years"])
    stable = _stable_years(ds, year).reindex(panel.index).fillna(0).astype(int)
    meets_stable = (stable >= min_years).to_numpy(dtype=float)

    required = rules["craft_village"]["environment_required"]
    env = np.vstack([panel[c].to_numpy(dtype=float) for c in required])
    meets_env = np.where(np.isnan(env).any(axis=0), np.nan, 1.0)
    meets_env = np.where((env == 0).any(axis=0), 0.0, meets_env)

    age = year - panel["craft_since"]
    meets_age = np.where(
        age.isna(), np.nan, (age > float(rules["traditional_craft"]["min_age_years"])).astype(float)
    )
    craft_recognised = panel["craft_recognised_year"].le(year).to_numpy()

    criteria = np.vstack([meets_share, meets_stable, meets_env])
    ready = (criteria == 1).all(axis=0)
    n_lacking = (criteria != 1).sum(axis=0)
    traditional = craft_recognised | (panel["craft_traditional"].to_numpy() & (meets_age == 1))
    eligible = np.where(ready, np.where(traditional, "lang_nghe_truyen_thong", "lang_nghe"), None)

    texts: dict[str, list[pd.Series]] = {"vi": [], "en": []}
    for lang in ("vi", "en"):
        value = _text_number(100.0 * share, lang)
        floor = _text_number(pd.Series(100.0 * threshold, share.index), lang)
        low = [
            label("recognition_low_share", lang, share=v, floor=f)
            for v, f in zip(value, floor, strict=True)
        ]
        missing = label("recognition_no_household_figures", lang)
        texts[lang].append(
            pd.Series(
                np.where(np.isnan(meets_share), missing, np.where(meets_share == 0, low, "")),
                panel.index,
            )
        )
        unstable = [label("recognition_unstable", lang, years=n, needed=min_years) for n in stable]
        texts[lang].append(pd.Series(np.where(meets_stable == 1, "", unstable), panel.index))
        for column, row in zip(required, env, strict=True):
            key = column if column in _ENVIRONMENT_WORDS else "env_other"
            gone = label(f"recognition_lacks_{key}", lang, column=column)
            unknown = label(f"recognition_no_data_{key}", lang, column=column)
            texts[lang].append(
                pd.Series(
                    np.where(np.isnan(row), unknown, np.where(row == 0, gone, "")), panel.index
                )
            )

    out = pd.DataFrame(
        {
            "village_id": panel["village_id"].to_numpy(),
            "year": year,
            "recognised": recognised.to_numpy(),
            "household_share": share.to_numpy(),
            "min_household_share": threshold,
            "meets_household_share": _bool(meets_share),
            "stable_years": stable.to_numpy(),
            "meets_stable_production": meets_stable == 1,
            "meets_environment": _bool(meets_env),
            "craft_age_years": age.astype("Int64").to_numpy(),
            "meets_craft_age": _bool(meets_age),
            "craft_recognised": craft_recognised,
            "ready": ready,
            "eligible_type": eligible,
            "n_lacking": n_lacking,
            "lacks_vi": _join(texts["vi"]).to_numpy(),
            "lacks_en": _join(texts["en"]).to_numpy(),
        }
    )
    return out.sort_values("village_id").reset_index(drop=True)


def recognition_candidates(ds: Dataset, year: int, max_lacking: int = 1) -> pd.DataFrame:
    """Villages not recognised by the end of ``year`` that are ready for recognition (or lack
    at most ``max_lacking`` criteria), with what each still lacks: the villages that could be
    recognised next year. Ready ones first, then by household share."""
    screen = screen_villages(ds, year)
    chosen = screen[~screen["recognised"] & (screen["n_lacking"] <= max_lacking)]
    villages = ds.villages[["village_id", "name_vi", "craft_id", "district_code", "commune_code"]]
    chosen = villages.assign(village_id=villages["village_id"].astype(str)).merge(
        chosen, on="village_id", how="inner", validate="one_to_one"
    )
    return chosen.sort_values(
        ["n_lacking", "household_share", "village_id"], ascending=[True, False, True]
    ).reset_index(drop=True)


def screen_crafts(ds: Dataset, year: int) -> pd.DataFrame:
    """Each craft against the test of a traditional craft (existed locally for more than 50
    years and still practised), with ``candidate`` True for a traditional craft that passes it,
    is practised by at least one village and is not yet recognised."""
    crafts = ds.crafts
    min_age = float(_rules()["traditional_craft"]["min_age_years"])
    since = pd.to_numeric(crafts["since_year"].astype(object), errors="coerce").astype(float)
    age = year - since
    recognised = pd.to_datetime(crafts["recognition_date"]).dt.year.le(year)
    practised = crafts["craft_id"].isin(ds.villages["craft_id"])
    meets_age = (age > min_age).where(age.notna())
    out = pd.DataFrame(
        {
            "craft_id": crafts["craft_id"].astype(str),
            "year": year,
            "name_vi": crafts["name_vi"],
            "name_en": crafts["name_en"],
            "is_traditional": crafts["is_traditional"].astype(bool),
            "since_year": since.astype("Int64"),
            "craft_age_years": age.astype("Int64"),
            "meets_craft_age": meets_age.astype("boolean"),
            "recognised": recognised.to_numpy(),
            "practised": practised.to_numpy(),
        }
    )
    out["candidate"] = (
        out["is_traditional"]
        & out["meets_craft_age"].fillna(False).astype(bool)
        & out["practised"]
        & ~out["recognised"]
    )
    return out.sort_values("craft_id").reset_index(drop=True)
