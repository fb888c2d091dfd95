"""Charts of the reports, drawn with seaborn/matplotlib. Each function takes tidy DataFrames and
returns a Figure; labels come in the report's language, with fonts that carry Vietnamese.

Every chart is drawn at the printed width of the page's text block, with type of at least 8 pt,
counts on whole-number ticks, one legend, and every label as plain text
(:mod:`analysis.reports.chart_layout`).
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axis import Axis
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from analysis.core.formatting import format_number
from analysis.core.labels import label
from analysis.data import reference
from analysis.reports import chart_layout as layout

FONT = "DejaVu Sans"  # ships with matplotlib and covers Vietnamese diacritics
TARGET_IDS = ("T1", "T2", "T3", "T4", "T5", "T6")


def apply_style() -> None:
    """The house look: seaborn's white grid, a Vietnamese-capable font, print-sized type, and
    text drawn as text (no mathtext, no TeX)."""
    sns.set_theme(style="whitegrid", context="notebook", font=FONT, rc=layout.PLAIN_TEXT_RC)
    plt.rcParams.update(
        {"figure.dpi": 100, "savefig.dpi": 150, "axes.titleweight": "bold", **layout.PLAIN_TEXT_RC}
    )


def _status_colours() -> dict[str, str]:
    bands = reference.status_bands()
    return dict(zip(bands["status"], bands["colour"], strict=True))


def _status_text(status: str, lang: str) -> str:
    bands = reference.status_bands().set_index("status")
    return f"{bands.at[status, 'symbol']} {bands.at[status, f'label_{lang}']}"


def number_axis(axis: Axis, lang: str, integer: bool = False) -> None:
    """Ticks written as the report writes numbers (``1.234,5`` in Vietnamese); whole numbers
    only for counts (never ``2.00`` households)."""
    if integer:
        axis.set_major_locator(MaxNLocator(nbins=6, integer=True, min_n_ticks=2))

    def text(value: float, _pos: object) -> str:
        if integer:
            return format_number(round(value), 0, lang)
        # as many decimals as the tick step needs, the same for every tick (0; 0,5; 1,0 ...)
        locs = axis.get_majorticklocs()
        decimals = next(
            (d for d in range(4) if all(abs(v * 10**d - round(v * 10**d)) < 1e-6 for v in locs)),
            3,
        )
        return format_number(value, decimals, lang)

    axis.set_major_formatter(FuncFormatter(text))


def year_axis(axis: Axis) -> None:
    """Years as years: ``2025``, never ``2.025`` or ``2,025``."""
    axis.set_major_formatter(FuncFormatter(lambda value, _pos: str(round(value))))


def progress_series(
    indicators: pd.DataFrame,
    targets: pd.DataFrame,
    place_id: str,
    level: str,
    ids: tuple[str, ...] = TARGET_IDS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The place's own series for :func:`plot_progress_paths`, and the targets that apply to it.

    ``indicators``: indicator_id, place_id, year, value (``compute_indicators``); ``targets``:
    ``reference.targets()``. The province gets the province-wide targets (T2, counted per area,
    is left to the heat map). An area (``level`` district or commune) gets its own values of
    every indicator, and a target only where the plan sets one per area (T2): the province's
    targets are not the area's. Returns ``values`` (indicator_id, year, value) and ``targets``
    (indicator_id, target_year, target_value, base_value).
    """
    is_area = level != "province"
    own = indicators[(indicators["place_id"] == place_id) & indicators["indicator_id"].isin(ids)]
    rows, keep = [], []
    for tid in ids:
        tgt = targets[targets["indicator_id"] == tid]
        per_area = (tgt["scope"] == "district").any()
        if per_area and not is_area:
            continue  # T2 of the province: the heat map shows the areas
        if per_area and level != "district":
            continue  # counted per former district-level area only
        keep.append(tid)
        if is_area and not per_area:
            continue  # a province-wide target: no path for the area
        obs = own[own["indicator_id"] == tid].sort_values("year")["value"].dropna()
        shares = tgt["unit"].eq("percent").any() if "unit" in tgt else False
        base = float(obs.iloc[0]) if shares and len(obs) else 0.0
        for t in tgt.itertuples(index=False):
            rows.append(
                {
                    "indicator_id": tid,
                    "target_year": int(t.target_year),
                    "target_value": float(t.value),
                    "base_value": base,
                }
            )
    values = own[own["indicator_id"].isin(keep)][["indicator_id", "year", "value"]]
    columns = ["indicator_id", "target_year", "target_value", "base_value"]
    return values.reset_index(drop=True), pd.DataFrame(rows, columns=columns)


def plot_progress_paths(
    values: pd.DataFrame,
    targets: pd.DataFrame,
    names: dict[str, str],
    lang: str = "vi",
    base_year: int = 2020,
    shares: set[str] | None = None,
    ids: list[str] | None = None,
) -> Figure:
    """Small multiples, one per indicator: observed values against the straight path from the
    base to the 2025 and 2030 targets.

    ``values``: indicator_id, year, value (one place). ``targets``: indicator_id, target_year,
    target_value, base_value (the value the path starts from, at ``base_year``); an indicator
    with values and no target (an area's part of a province-wide target) is drawn without a
    path. ``shares``: indicators in percent, drawn against their target levels instead of a
    path; the others are counts, on whole-number ticks. ``ids``: the panels, in order.
    """
    apply_style()
    shares = shares or set()
    with layout.rc_context():
        ids = ids or list(dict.fromkeys([*targets["indicator_id"], *values["indicator_id"]]))
        cols = 2
        rows = max(1, int(np.ceil(len(ids) / cols)))
        width = layout.figure_width_in()
        fig, axes = plt.subplots(rows, cols, figsize=(width, 2.3 * rows + 0.5), squeeze=False)
        last_year = max([base_year + 10, *targets.get("target_year", pd.Series()).tolist()])
        for ax, ind in zip(axes.flat, ids, strict=False):
            obs = values[values["indicator_id"] == ind].sort_values("year")
            tg = targets[targets["indicator_id"] == ind].sort_values("target_year")
            title = textwrap.fill(f"{ind}. {names.get(ind, ind)}", 38)
            if tg.empty:
                title += "\n(" + label("chart_no_area_target", lang) + ")"
            if len(tg) and ind in shares:
                # A share has a level to hold, not a path to climb: one line per target level.
                for t in tg.itertuples(index=False):
                    ax.hlines(
                        t.target_value,
                        base_year,
                        t.target_year,
                        linestyles=":",
                        color="#888888",
                        label=label("chart_target_level", lang),
                    )
            elif len(tg):
                base = float(tg["base_value"].iloc[0]) if tg["base_value"].notna().any() else 0.0
                ax.plot(
                    [base_year, *tg["target_year"].tolist()],
                    [base, *tg["target_value"].tolist()],
                    linestyle="--",
                    color="#888888",
                    label=label("chart_path", lang),
                )
            if len(tg):
                ax.scatter(
                    tg["target_year"],
                    tg["target_value"],
                    marker="*",
                    s=110,
                    color="#c0392b",
                    zorder=3,
                    label=label("chart_target", lang),
                )
            ax.plot(
                obs["year"],
                obs["value"],
                marker="o",
                markersize=4,
                color="#1f5fa8",
                linewidth=1.8,
                label=label("chart_observed", lang),
            )
            ax.set_title(title, fontsize=8, loc="left")
            ax.set_xticks(range(base_year, last_year + 1, 2))
            ax.set_xlim(base_year - 0.5, last_year + 0.5)
            # counts: from 0 to at least 1, so that an all-zero series still has whole ticks
            top = max([1.0, *obs["value"].dropna().tolist(), *tg["target_value"].tolist()])
            ax.set_ylim(0, 105 if ind in shares else top * 1.12)
            number_axis(ax.yaxis, lang, integer=ind not in shares)
            year_axis(ax.xaxis)
        for ax in list(axes.flat)[len(ids) :]:
            ax.set_visible(False)
        seen: dict[str, object] = {}
        for ax in axes.flat:
            for handle, text in zip(*ax.get_legend_handles_labels(), strict=True):
                seen.setdefault(text, handle)
        fig.legend(list(seen.values()), list(seen), loc="lower center", ncol=4, frameon=False)
        fig.tight_layout(rect=(0, 0.07, 1, 1))
    return layout.plain_text(fig)


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
    with layout.rc_context():
        fig, ax = plt.subplots(figsize=(layout.figure_width_in(), 0.3 * len(order) + 1.4))
        ax.set_facecolor("#f2f2f2")  # cells without a status of their own
        sns.heatmap(
            codes.astype(float),
            ax=ax,
            cmap=ListedColormap([colours[s] for s in statuses]),
            vmin=-0.5,
            vmax=len(statuses) - 0.5,
            cbar=False,
            linewidths=1.5,
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
                    parse_math=False,
                )
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.tick_params(axis="y", rotation=0, labelsize=8)
        ax.tick_params(axis="x", labelsize=8)
        if highlight in order:
            ax.get_yticklabels()[order.index(highlight)].set_fontweight("bold")
        ax.grid(False)
        ax.xaxis.tick_top()
        ax.set_title(title, fontsize=9, loc="left")
        present = [s for s in statuses if s in set(cells["status"].dropna())]
        legend = [Patch(facecolor=colours[s], label=_status_text(s, lang)) for s in present]
        if legend:
            ax.legend(
                handles=legend,
                loc="upper center",
                bbox_to_anchor=(0.5, -0.02),
                ncol=min(3, len(legend)),
                frameon=False,
                fontsize=8,
            )
        fig.tight_layout()
    return layout.plain_text(fig)


def plot_trends(totals: pd.DataFrame, lang: str = "vi") -> Figure:
    """Four panels over the years: households in the craft, workers, income, revenue."""
    apply_style()
    panels = [
        ("households_craft", "chart_households", 1.0, True),
        ("workers_regular", "chart_workers", 1.0, True),
        ("income_mvnd_month", "chart_income", 1.0, False),
        ("revenue_mvnd", "chart_revenue", 1 / 1000, False),
    ]
    with layout.rc_context():
        fig, axes = plt.subplots(2, 2, figsize=(layout.figure_width_in(), 4.6))
        for ax, (column, key, scale, counts) in zip(axes.flat, panels, strict=True):
            sns.lineplot(
                x=totals["year"], y=totals[column] * scale, marker="o", ax=ax, color="#1f5fa8"
            )
            ax.set_title(textwrap.fill(label(key, lang), 40), fontsize=8, loc="left")
            ax.set_xlabel("")
            ax.set_ylabel("")
            ax.set_xticks(totals["year"].tolist())
            ax.set_ylim(bottom=0)
            number_axis(ax.yaxis, lang, integer=counts)
            year_axis(ax.xaxis)
        fig.tight_layout()
    return layout.plain_text(fig)


def plot_funding(funding: pd.DataFrame, source_names: dict[str, str], lang: str = "vi") -> Figure:
    """Planned against disbursed money by funding source."""
    apply_style()
    long = funding.melt(
        id_vars="funding_source",
        value_vars=["planned_mvnd", "disbursed_mvnd"],
        var_name="what",
        value_name="mvnd",
    )
    long["source"] = long["funding_source"].map(source_names).map(lambda s: textwrap.fill(s, 18))
    long["what"] = long["what"].map(
        {"planned_mvnd": label("col_planned", lang), "disbursed_mvnd": label("col_disbursed", lang)}
    )
    with layout.rc_context():
        fig, ax = plt.subplots(figsize=(layout.figure_width_in(), 3.0))
        if len(long):
            sns.barplot(
                data=long, x="source", y="mvnd", hue="what", ax=ax, palette=["#9bb7d4", "#1f5fa8"]
            )
            ax.legend(title="", frameon=False, fontsize=8)
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.set_title(textwrap.fill(label("chart_funding", lang), 80), fontsize=9, loc="left")
        ax.tick_params(axis="x", labelsize=8)
        number_axis(ax.yaxis, lang)
        fig.tight_layout()
    return layout.plain_text(fig)


#: Colours of the funding sources, in the order of ``codes.yaml``.
_SOURCE_COLOURS = ("#1f5fa8", "#6a9fd4", "#e0a040", "#9a9a9a", "#5b8c5a", "#b07aa1")


def plot_funding_years(
    funding: pd.DataFrame, source_names: dict[str, str], lang: str = "vi"
) -> Figure:
    """Money disbursed each year, stacked by source, against the year's planned total: the
    funding of a whole period (the 2025 and 2030 reviews).

    ``funding``: year, funding_source, planned_mvnd, disbursed_mvnd (any number of rows per
    year and source; they are summed). ``source_names``: code -> name, in legend order.
    """
    apply_style()
    sums = funding.groupby(["year", "funding_source"], as_index=False)[
        ["planned_mvnd", "disbursed_mvnd"]
    ].sum()
    years = sorted(int(y) for y in sums["year"].unique())
    with layout.rc_context():
        fig, ax = plt.subplots(figsize=(layout.figure_width_in(), 3.2))
        bottom = np.zeros(len(years))
        codes = [c for c in source_names if c in set(sums["funding_source"])]
        codes += sorted(set(sums["funding_source"]) - set(codes))
        for i, code in enumerate(codes):
            part = sums[sums["funding_source"] == code].set_index("year")["disbursed_mvnd"]
            heights = part.reindex(years).fillna(0.0).to_numpy()
            ax.bar(
                years,
                heights,
                bottom=bottom,
                width=0.6,
                color=_SOURCE_COLOURS[i % len(_SOURCE_COLOURS)],
                label=source_names.get(code, code),
            )
            bottom += heights
        planned = sums.groupby("year")["planned_mvnd"].sum().reindex(years)
        ax.scatter(
            years,
            planned,
            marker="_",
            s=600,
            linewidths=2,
            color="#222222",
            zorder=3,
            label=label("chart_planned_total", lang),
        )
        ax.set_xticks(years)
        year_axis(ax.xaxis)
        number_axis(ax.yaxis, lang)
        ax.set_ylim(bottom=0)
        ax.set_title(textwrap.fill(label("chart_funding_years", lang), 80), fontsize=9, loc="left")
        handles, texts = ax.get_legend_handles_labels()
        order = sorted(
            range(len(texts)), key=lambda i: texts[i] == label("chart_planned_total", lang)
        )
        ax.legend(
            [handles[i] for i in order],
            [texts[i] for i in order],
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncol=2,
            frameon=False,
            fontsize=8,
        )
        fig.tight_layout()
    return layout.plain_text(fig)


_MAP_PALETTE = {
    "effective": "#1a7f37",
    "not_effective": "#c0392b",
    "ready": "#1f5fa8",
    "not_ready": "#e06c00",
}
_MAP_MARKERS = {"effective": "D", "not_effective": "X", "ready": "s", "not_ready": "o"}
_VILLAGE_PT, _COMMUNE_PT = 6.5, 3.5  # marker diameters (points)


def plot_village_map(
    villages: pd.DataFrame,
    communes: pd.DataFrame,
    status_names: dict[str, str],
    lang: str = "vi",
    highlight_communes: set[str] | None = None,
) -> Figure:
    """Villages by their coordinates, coloured and shaped by ``map_status``, over the 2025
    commune centres; the legend and a numbered key beside the map.

    Each village is named beside its symbol where the name fits without touching another name
    or symbol; a village whose name does not fit gets a number, listed with its name in the key.
    Commune names (of ``highlight_communes``) are written only where they fit. A locator map
    without boundaries: the administrative-unit library gives points, not shapes.
    """
    apply_style()
    base = communes.dropna(subset=["lat", "lon"])
    located = villages.dropna(subset=["lat", "lon"]).sort_values(
        ["lat", "lon"], ascending=[False, True]
    )
    with layout.rc_context():
        width = layout.figure_width_in()
        fig = plt.figure(figsize=(width, 5.3))
        ax = fig.add_axes((0.1, 0.08, 0.56, 0.8))
        key_ax = fig.add_axes((0.69, 0.02, 0.30, 0.86))
        key_ax.set_axis_off()
        ax.scatter(base["lon"], base["lat"], s=_COMMUNE_PT**2, color="#bbbbbb", zorder=1)
        for code in status_names:
            group = located[located["map_status"] == code]
            if group.empty:
                continue
            ax.scatter(
                group["lon"],
                group["lat"],
                s=_VILLAGE_PT**2,
                color=_MAP_PALETTE[code],
                marker=_MAP_MARKERS[code],
                edgecolor="white",
                linewidth=0.5,
                zorder=3,
                label=status_names[code],
            )
        _frame_map(ax, pd.concat([located[["lat", "lon"]], base[["lat", "lon"]]]))
        ax.set_xlabel(label("chart_lon", lang))
        ax.set_ylabel(label("chart_lat", lang))
        ax.tick_params(labelsize=8)
        fig.text(
            0.01,
            0.985,
            textwrap.fill(label("chart_map", lang), 90),
            fontsize=9,
            fontweight="bold",
            va="top",
        )
        # Names keep clear of every village symbol and of each other; they may cross a grey
        # commune dot (drawn with a white halo, so they stay readable).
        taken = layout.marker_boxes(
            ax, located["lon"].tolist(), located["lat"].tolist(), _VILLAGE_PT
        )
        points = [(r.lon, r.lat, str(r.name_vi)) for r in located.itertuples(index=False)]
        named = layout.place_labels(ax, points, taken)
        missing = [p for p, ok in zip(points, named, strict=True) if not ok]
        numbered = [(x, y, str(i)) for i, (x, y, _) in enumerate(missing, start=1)]
        fitted = layout.place_labels(ax, numbered, taken, color="#000000")
        for (x, y, number), ok in zip(numbered, fitted, strict=True):
            if not ok:  # no room around the symbol: the number goes on it
                ax.text(x, y, number, fontsize=8, ha="center", va="center", parse_math=False)
        if highlight_communes:
            chosen = base[base["code"].isin(highlight_communes)]
            names = [(r.lon, r.lat, str(r.short_name_vi)) for r in chosen.itertuples(index=False)]
            layout.place_labels(ax, names, taken, color="#666666")
        _map_key(key_ax, ax, [name for _, _, name in missing], lang)
    return layout.plain_text(fig)


def _frame_map(ax: object, points: pd.DataFrame) -> None:
    """Limits around the points with a margin, and the local scale of a degree of longitude."""
    lon0, lon1 = points["lon"].min(), points["lon"].max()
    lat0, lat1 = points["lat"].min(), points["lat"].max()
    pad_x, pad_y = max(0.02, 0.08 * (lon1 - lon0)), max(0.02, 0.08 * (lat1 - lat0))
    ax.set_xlim(lon0 - pad_x, lon1 + pad_x)
    ax.set_ylim(lat0 - pad_y, lat1 + pad_y)
    ax.set_aspect(1 / np.cos(np.radians((lat0 + lat1) / 2)), adjustable="box")
    ax.apply_aspect()


def _map_key(key_ax: object, ax: object, names: list[str], lang: str) -> None:
    """The legend of the symbols and, below it, the numbered villages."""
    handles, texts = ax.get_legend_handles_labels()
    legend = key_ax.legend(
        handles,
        [textwrap.fill(t, 24) for t in texts],
        loc="upper left",
        bbox_to_anchor=(0, 1),
        frameon=False,
        fontsize=8,
        borderaxespad=0,
    )
    if not names:
        return
    renderer = layout.renderer_of(key_ax.figure)
    box = legend.get_window_extent(renderer).transformed(key_ax.transAxes.inverted())
    lines = [label("chart_map_key", lang) + ":"] + [
        textwrap.fill(f"{i}. {name}", 28, subsequent_indent="    ")
        for i, name in enumerate(names, start=1)
    ]
    key_ax.text(
        0,
        box.y0 - 0.03,
        "\n".join(lines),
        transform=key_ax.transAxes,
        va="top",
        fontsize=8,
        parse_math=False,
    )
