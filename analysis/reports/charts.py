"""Charts of the reports, drawn with seaborn/matplotlib. Each function takes tidy DataFrames and
returns a Figure; labels come in the report's language, with fonts that carry Vietnamese."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from analysis.core.labels import label
from analysis.data import reference

FONT = "DejaVu Sans"  # ships with matplotlib and covers Vietnamese diacritics


def apply_style() -> None:
    """The house look: seaborn's white grid, a Vietnamese-capable font, readable sizes."""
    sns.set_theme(style="whitegrid", context="notebook", font=FONT)
    plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 150, "axes.titleweight": "bold"})


def _status_colours() -> dict[str, str]:
    bands = reference.status_bands()
    return dict(zip(bands["status"], bands["colour"], strict=True))


def _status_text(status: str, lang: str) -> str:
    bands = reference.status_bands().set_index("status")
    return f"{bands.at[status, 'symbol']} {bands.at[status, f'label_{lang}']}"


def plot_progress_paths(
    values: pd.DataFrame,
    targets: pd.DataFrame,
    names: dict[str, str],
    lang: str = "vi",
    base_year: int = 2020,
    shares: set[str] | None = None,
) -> Figure:
    """Small multiples, one per indicator: observed values against the straight path from the
    base to the 2025 and 2030 targets.

    ``values``: indicator_id, year, value (one place). ``targets``: indicator_id, target_year,
    target_value, base_value (the value the path starts from, at ``base_year``). ``shares``:
    indicators in percent, drawn against their target levels instead of a path.
    """
    apply_style()
    ids = list(dict.fromkeys(targets["indicator_id"]))
    cols = 3
    rows = max(1, int(np.ceil(len(ids) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(11, 3.6 * rows), squeeze=False)
    for ax, ind in zip(axes.flat, ids, strict=False):
        obs = values[values["indicator_id"] == ind].sort_values("year")
        tg = targets[targets["indicator_id"] == ind].sort_values("target_year")
        base = float(tg["base_value"].iloc[0]) if tg["base_value"].notna().any() else 0.0
        path_x = [base_year, *tg["target_year"].tolist()]
        if shares and ind in shares:
            # A share has a level to hold, not a path to climb: one line per target level.
            for t in tg.itertuples(index=False):
                ax.hlines(
                    t.target_value,
                    base_year,
                    t.target_year,
                    linestyles="--",
                    color="#888888",
                    label=label("chart_target", lang) + " (%)",
                )
        else:
            path_y = [base, *tg["target_value"].tolist()]
            ax.plot(
                path_x, path_y, linestyle="--", color="#888888", label=label("chart_path", lang)
            )
        ax.scatter(
            tg["target_year"],
            tg["target_value"],
            marker="*",
            s=160,
            color="#c0392b",
            zorder=3,
            label=label("chart_target", lang),
        )
        ax.plot(
            obs["year"],
            obs["value"],
            marker="o",
            color="#1f5fa8",
            linewidth=2,
            label=label("chart_observed", lang),
        )
        title = textwrap.fill(f"{ind}. {names.get(ind, ind)}", width=42)
        ax.set_title(title, fontsize=9, loc="left")
        ax.set_xticks(range(base_year, max(path_x) + 1, 2))
        ax.tick_params(labelsize=8)
        ax.set_ylim(bottom=0)
    for ax in list(axes.flat)[len(ids) :]:
        ax.set_visible(False)
    seen: dict[str, object] = {}
    for ax in axes.flat:
        for handle, text in zip(*ax.get_legend_handles_labels(), strict=True):
            seen.setdefault(text, handle)
    fig.legend(list(seen.values()), list(seen), loc="lower center", ncol=4, frameon=False)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def plot_status_heatmap(
    cells: pd.DataFrame,
    area_names: dict[str, str],
    indicator_ids: list[str],
    title: str,
    lang: str = "vi",
    highlight: str | None = None,
) -> Figure:
    """Areas (rows) by indicators (columns), each cell coloured by status and written with its
    symbol and value, so colour is never the only carrier of meaning.

    ``cells``: place_id, indicator_id, status (may be missing), text (what to write).
    """
    apply_style()
    colours = _status_colours()
    statuses = list(reference.status_bands()["status"])
    order = list(area_names)
    # One matrix of status numbers (NaN where no status applies) and one of the cell texts.
    grid = cells.pivot_table(
        index="place_id", columns="indicator_id", values="text", aggfunc="first"
    ).reindex(index=order, columns=indicator_ids)
    codes = (
        cells.assign(code=cells["status"].map({s: i for i, s in enumerate(statuses)}))
        .pivot_table(index="place_id", columns="indicator_id", values="code", aggfunc="first")
        .reindex(index=order, columns=indicator_ids)
    )
    fig_h = 0.42 * len(order) + 1.6
    fig, ax = plt.subplots(figsize=(11, fig_h))
    ax.set_facecolor("#f2f2f2")  # cells without a status of their own
    sns.heatmap(
        codes.astype(float),
        ax=ax,
        cmap=ListedColormap([colours[s] for s in statuses]),
        vmin=-0.5,
        vmax=len(statuses) - 0.5,
        cbar=False,
        linewidths=2,
        linecolor="white",
        annot=False,
        xticklabels=indicator_ids,
        yticklabels=[area_names[p] for p in order],
    )
    for i, place_id in enumerate(order):
        for j, ind in enumerate(indicator_ids):
            code = codes.at[place_id, ind]
            dark = not pd.isna(code) and statuses[int(code)] != "acceleration_needed"
            text = grid.at[place_id, ind]
            ax.text(
                j + 0.5,
                i + 0.5,
                "" if pd.isna(text) else str(text),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if dark else "#222222",
            )
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="y", rotation=0)
    if highlight in order:
        ax.get_yticklabels()[order.index(highlight)].set_fontweight("bold")
    ax.grid(False)
    ax.xaxis.tick_top()
    ax.set_title(title, fontsize=11, loc="left")
    present = [s for s in reference.status_bands()["status"] if s in set(cells["status"].dropna())]
    legend = [Patch(facecolor=colours[s], label=_status_text(s, lang)) for s in present]
    ax.legend(handles=legend, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def plot_trends(totals: pd.DataFrame, lang: str = "vi") -> Figure:
    """Four panels over the years: households in the craft, workers, income, revenue."""
    apply_style()
    panels = [
        ("households_craft", "chart_households", 1.0),
        ("workers_regular", "chart_workers", 1.0),
        ("income_mvnd_month", "chart_income", 1.0),
        ("revenue_mvnd", "chart_revenue", 1 / 1000),
    ]
    fig, axes = plt.subplots(2, 2, figsize=(11, 6))
    for ax, (column, key, scale) in zip(axes.flat, panels, strict=True):
        sns.lineplot(x=totals["year"], y=totals[column] * scale, marker="o", ax=ax, color="#1f5fa8")
        ax.set_title(label(key, lang), fontsize=9, loc="left")
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.set_xticks(totals["year"].tolist())
        ax.set_ylim(bottom=0)
    fig.tight_layout()
    return fig


def plot_funding(funding: pd.DataFrame, source_names: dict[str, str], lang: str = "vi") -> Figure:
    """Planned against disbursed money by funding source."""
    apply_style()
    long = funding.melt(
        id_vars="funding_source",
        value_vars=["planned_mvnd", "disbursed_mvnd"],
        var_name="what",
        value_name="mvnd",
    )
    long["source"] = long["funding_source"].map(source_names)
    long["what"] = long["what"].map(
        {"planned_mvnd": label("col_planned", lang), "disbursed_mvnd": label("col_disbursed", lang)}
    )
    fig, ax = plt.subplots(figsize=(10, 3.6))
    if len(long):
        sns.barplot(
            data=long, x="source", y="mvnd", hue="what", ax=ax, palette=["#9bb7d4", "#1f5fa8"]
        )
        ax.legend(title="", frameon=False, fontsize=8)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(label("chart_funding", lang), fontsize=10, loc="left")
    ax.tick_params(axis="x", labelsize=8)
    fig.tight_layout()
    return fig


def plot_village_map(
    villages: pd.DataFrame,
    communes: pd.DataFrame,
    status_names: dict[str, str],
    lang: str = "vi",
    highlight_communes: set[str] | None = None,
) -> Figure:
    """Villages by their coordinates, coloured and shaped by ``map_status``, over the 2025
    commune centres.

    A locator map without boundaries: the administrative-unit library gives points, not shapes.
    """
    apply_style()
    fig, ax = plt.subplots(figsize=(9, 7))
    base = communes.dropna(subset=["lat", "lon"])
    ax.scatter(base["lon"], base["lat"], s=14, color="#bbbbbb", zorder=1)
    if highlight_communes:
        chosen = base[base["code"].isin(highlight_communes)]
        for row in chosen.itertuples(index=False):
            ax.annotate(
                row.short_name_vi,
                (row.lon, row.lat),
                fontsize=7,
                color="#555555",
                xytext=(3, -8),
                textcoords="offset points",
            )
    palette = {
        "effective": "#1a7f37",
        "not_effective": "#c0392b",
        "ready": "#1f5fa8",
        "not_ready": "#e06c00",
    }
    markers = {"effective": "D", "not_effective": "X", "ready": "s", "not_ready": "o"}
    located = villages.dropna(subset=["lat", "lon"])
    for code in status_names:
        group = located[located["map_status"] == code]
        if group.empty:
            continue
        ax.scatter(
            group["lon"],
            group["lat"],
            s=70,
            color=palette[code],
            marker=markers[code],
            edgecolor="white",
            zorder=3,
            label=status_names[code],
        )
    for row in located.itertuples(index=False):
        ax.annotate(
            row.name_vi, (row.lon, row.lat), fontsize=7, xytext=(4, 4), textcoords="offset points"
        )
    ax.set_xlabel(label("chart_lon", lang))
    ax.set_ylabel(label("chart_lat", lang))
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(frameon=True, fontsize=8, loc="best")
    ax.set_title(label("chart_map", lang), fontsize=10, loc="left")
    fig.tight_layout()
    return fig
