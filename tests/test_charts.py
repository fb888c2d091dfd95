"""The report charts as printed: whole-number ticks for counts, one legend, type of at least 8 pt
at the page's text width, map names that never overlap, plain text, the report's language."""

from __future__ import annotations

import re
import warnings

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from analysis.data import reference
from analysis.reports import chart_layout as layout
from analysis.reports import charts

#: The indicators' own (long) names, as the reports pass them.
NAMES = dict(zip(reference.indicators()["id"], reference.indicators()["name_vi"], strict=True))
STATUS_NAMES = {
    "effective": "Đã công nhận, hoạt động có hiệu quả",
    "not_ready": "Chưa công nhận, chưa đủ điều kiện",
}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _progress_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    values = pd.DataFrame(
        {
            "indicator_id": ["T1"] * 4 + ["T5"] * 2,
            "year": [2022, 2023, 2024, 2025, 2024, 2025],
            "value": [0.0, 0.0, 1.0, 2.0, 80.0, 100.0],
        }
    )
    targets = pd.DataFrame(
        {
            "indicator_id": ["T1", "T1", "T5", "T5"],
            "target_year": [2025, 2030, 2025, 2030],
            "target_value": [1.0, 2.0, 100.0, 50.0],
            "base_value": [0.0, 0.0, 80.0, 80.0],
        }
    )
    return values, targets


def _progress(lang: str = "vi") -> Figure:
    values, targets = _progress_frames()
    return charts.plot_progress_paths(values, targets, NAMES, lang, shares={"T5"})


def _tick_texts(fig: Figure, ax_index: int, axis: str = "y") -> list[str]:
    layout.png_bytes(fig)  # draw: tick labels exist after a draw
    ax = fig.axes[ax_index]
    ticks = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    low, high = sorted(ax.get_ylim() if axis == "y" else ax.get_xlim())
    where = 1 if axis == "y" else 0
    return [t.get_text() for t in ticks if t.get_text() and low <= t.get_position()[where] <= high]


def _legends(fig: Figure) -> list:
    return list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]


def _villages(names: list[str]) -> pd.DataFrame:
    """Villages packed close together (0.01 degree apart), half of them effective."""
    return pd.DataFrame(
        {
            "name_vi": names,
            "lat": [21.80 + 0.01 * (i % 5) for i in range(len(names))],
            "lon": [106.70 + 0.012 * (i // 5) for i in range(len(names))],
            "map_status": ["effective" if i % 2 else "not_ready" for i in range(len(names))],
        }
    )


COMMUNES = pd.DataFrame(
    {
        "code": ["06211", "05977"],
        "short_name_vi": ["Cao Lộc", "Đông Kinh"],
        "lat": [21.83, 21.76],
        "lon": [106.75, 106.68],
    }
)


def _map(names: list[str], lang: str = "vi") -> Figure:
    return charts.plot_village_map(
        _villages(names), COMMUNES, STATUS_NAMES, lang, highlight_communes={"06211", "05977"}
    )


def test_print_width_is_a4_less_the_decree_30_margins() -> None:
    # 210 mm - 30 mm left - 15 mm right = 165 mm
    assert layout.print_width_in() == pytest.approx(165 / 25.4)


def test_counts_have_whole_number_ticks() -> None:
    fig = _progress()
    t1 = _tick_texts(fig, 0)
    assert t1 == ["0", "1", "2"]  # never 0.25 ... 2.00
    shares = _tick_texts(fig, 1)
    assert shares == ["0", "20", "40", "60", "80", "100"]
    years = _tick_texts(fig, 0, "x")
    assert years[:3] == ["2020", "2022", "2024"]  # years carry no thousands separator


def test_an_all_zero_count_still_has_whole_ticks() -> None:
    values = pd.DataFrame({"indicator_id": ["T1"] * 3, "year": [2023, 2024, 2025], "value": 0.0})
    targets = pd.DataFrame(columns=["indicator_id", "target_year", "target_value", "base_value"])
    fig = charts.plot_progress_paths(values, targets, NAMES, "vi")
    assert _tick_texts(fig, 0) == ["0", "1"]
    assert "(Mục tiêu tính cho toàn tỉnh)" in fig.axes[0].get_title(loc="left")


def test_trend_counts_use_the_report_number_format() -> None:
    totals = pd.DataFrame(
        {
            "year": [2023, 2024, 2025],
            "households_craft": [1550, 1720, 1960],
            "workers_regular": [3.0, 4.0, 5.0],
            "income_mvnd_month": [0.5, 1.0, 1.25],
            "revenue_mvnd": [210_000.0, 230_000.0, 276_000.0],
        }
    )
    fig = charts.plot_trends(totals, "vi")
    households = _tick_texts(fig, 0)
    assert "1.600" in households or "1.500" in households
    assert all(re.fullmatch(r"\d{1,3}(\.\d{3})*", t) for t in households), households
    assert all(re.fullmatch(r"\d+", t) for t in _tick_texts(fig, 1))  # 3, 4, 5 workers, no 3.5
    income = _tick_texts(fig, 2)
    # steps of 0,2 written with a decimal comma, each tick with the same decimals
    assert income == ["0,0", "0,2", "0,4", "0,6", "0,8", "1,0", "1,2"]


def test_one_legend_per_chart() -> None:
    fig = _progress()
    legends = _legends(fig)
    assert len(legends) == 1
    texts = [t.get_text() for t in legends[0].get_texts()]
    expected = ["Lộ trình đến mục tiêu", "Mục tiêu", "Thực hiện", "Mức mục tiêu"]
    assert sorted(texts) == sorted(expected)
    assert len(_legends(_map(["Thôn A", "Thôn B"]))) == 1
    assert len(_legends(_heatmap())) == 1


def _heatmap(lang: str = "vi") -> Figure:
    areas = {f"a{i}": f"Địa bàn {i}" for i in range(12)}
    cells = pd.DataFrame(
        [
            {
                "place_id": p,
                "indicator_id": t,
                "status": "achieved" if i % 3 else "limited_progress",
                "text": "✔ 100,0%",
            }
            for i, p in enumerate(areas)
            for t in ("T1", "T2", "T3", "T4", "T5", "T6")
        ]
    )
    return charts.plot_status_heatmap(
        cells, areas, ["T1", "T2", "T3", "T4", "T5", "T6"], "Tiêu đề", lang
    )


def _totals() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": [2024, 2025],
            "households_craft": [10, 12],
            "workers_regular": [20, 25],
            "income_mvnd_month": [5.0, 6.0],
            "revenue_mvnd": [1000.0, 2000.0],
        }
    )


def _funding() -> pd.DataFrame:
    return pd.DataFrame(
        {"funding_source": ["central", "province"], "planned_mvnd": [100.0, 200.0]}
    ).assign(disbursed_mvnd=[50.0, 150.0])


@pytest.mark.parametrize(
    "make",
    [
        _heatmap,
        _progress,
        lambda: charts.plot_trends(_totals(), "vi"),
        lambda: charts.plot_funding(_funding(), {"central": "Trung ương", "province": "Tỉnh"}),
        lambda: _map([f"Thôn Khuổi Tẳng {i}" for i in range(25)]),
    ],
    ids=["heatmap", "progress", "trends", "funding", "map"],
)
def test_type_prints_at_8_pt_or_more(make) -> None:
    fig = make()
    sizes = layout.printed_sizes(fig)
    assert sizes
    small = [(s.text, round(s.points, 2)) for s in sizes if s.points < layout.MIN_PRINT_PT - 1e-6]
    assert small == []


def test_print_scale_follows_the_picture_width() -> None:
    # a figure twice the text width prints at half its size: 8 pt type would print at 4 pt
    wide = plt.figure(figsize=(2 * layout.print_width_in(), 2))
    ax = wide.add_axes((0, 0, 1, 1))  # a frame along the figure's edges: nothing is cropped
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(0.5, 0.5, "x", fontsize=8)
    # the saved picture is the figure plus 0.1 in of white on each side
    width = layout.print_width_in()
    assert layout.print_scale(wide) == pytest.approx(width / (2 * width + 0.2), rel=0.002)
    assert min(s.points for s in layout.printed_sizes(wide)) < layout.MIN_PRINT_PT


def test_map_names_never_overlap_and_every_village_is_named() -> None:
    names = [f"Thôn Khuổi Tẳng {i}" for i in range(25)]
    fig = _map(names)
    ax = fig.axes[0]
    on_map = [t for t in ax.texts if t.get_visible() and t.get_text().strip()]
    assert layout.text_overlaps(on_map) == []
    written = {t.get_text() for t in on_map}
    key = "\n".join(t.get_text() for t in fig.axes[1].texts)
    numbered = re.findall(r"^(\d+)\. (.+)$", key, flags=re.MULTILINE)
    # each village either by name on the map or by number on the map and in the key
    assert sorted([n for n in names if n in written] + [n for _, n in numbered]) == sorted(names)
    assert {num for num, _ in numbered} <= written
    assert len(numbered) > 0  # 25 names cannot all fit in so small an area
    assert key.startswith("Số trên bản đồ:")


def test_map_labels_stay_inside_the_map() -> None:
    fig = _map([f"Thôn số {i}" for i in range(10)])
    ax = fig.axes[0]
    renderer = layout.renderer_of(fig)
    frame = ax.get_window_extent(renderer)
    for text in ax.texts:
        box = text.get_window_extent(renderer)
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1, text.get_text()
        assert frame.y0 <= box.y0 and box.y1 <= frame.y1, text.get_text()


ODD_NAMES = ["$x^2$", "Thôn $\\frac{1$", "Nà\\\\Phiêng", "50$ và 20$"]


def test_names_with_dollars_and_backslashes_are_plain_text() -> None:
    with mpl.rc_context({"text.parse_math": True}):
        fig = _map(ODD_NAMES)
        layout.png_bytes(fig)  # renders: "$\frac{1$" would fail as mathematics
    texts = [t for t in fig.findobj(Text) if t.get_text()]
    assert all(not t.get_parse_math() and not t.get_usetex() for t in texts)
    everything = "\n".join(t.get_text() for t in texts)
    for name in ODD_NAMES:
        assert name in everything


def test_heatmap_area_names_with_dollars_render() -> None:
    areas = {"a": "$x^2$", "b": "Thôn $\\frac{1$"}
    cells = pd.DataFrame(
        [{"place_id": "a", "indicator_id": "T1", "status": "achieved", "text": "$1$"}]
    )
    with mpl.rc_context({"text.parse_math": True}):
        fig = charts.plot_status_heatmap(cells, areas, ["T1"], "$title$", "vi")
        layout.png_bytes(fig)
    shown = [t.get_text() for t in fig.findobj(Text)]
    assert "$x^2$" in shown and "$1$" in shown


def test_vietnamese_glyphs_are_in_the_font() -> None:
    fig = _map(["Thôn Khuổi Tẳng", "Đồng Ỷ Ữ Ợ ỹ"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font"
        layout.png_bytes(fig)


def test_titles_axes_and_legends_in_the_report_language() -> None:
    en = _map(["Thôn A"], "en")
    assert en.axes[0].get_xlabel() == "Longitude" and en.axes[0].get_ylabel() == "Latitude"
    vi = _map(["Thôn A"], "vi")
    assert vi.axes[0].get_xlabel() == "Kinh độ"
    titles = [t.get_text() for t in vi.texts]
    assert titles[0].startswith("Vị trí các thôn có nghề")
    legend_en = [t.get_text() for t in _legends(_progress("en"))[0].get_texts()]
    assert sorted(legend_en) == ["Observed", "Path to target", "Target", "Target level"]
    heat_en = [t.get_text() for t in _legends(_heatmap("en"))[0].get_texts()]
    assert heat_en == ["✔ Target achieved", "▼ Limited progress"]


def _indicators() -> pd.DataFrame:
    rows = []
    for place, t1, t2, t6 in (("tinh-lang-son", 2.0, 8.0, 94.7), ("cao-loc", 0.0, 3.0, 100.0)):
        for tid, value in (("T1", t1), ("T2", t2), ("T6", t6)):
            rows.append({"indicator_id": tid, "place_id": place, "year": 2025, "value": value})
    return pd.DataFrame(rows)


def test_an_area_plots_its_own_series() -> None:
    values, targets = charts.progress_series(
        _indicators(), reference.targets(), "cao-loc", "district", ids=("T1", "T2", "T6")
    )
    assert dict(zip(values["indicator_id"], values["value"], strict=True)) == {
        "T1": 0.0,
        "T2": 3.0,
        "T6": 100.0,
    }
    # only T2 is set per area (2 by 2025, 3 by 2030); the province's targets are not the area's
    assert list(zip(targets["indicator_id"], targets["target_value"], strict=True)) == [
        ("T2", 2.0),
        ("T2", 3.0),
    ]


def test_the_province_plots_its_series_against_its_targets() -> None:
    values, targets = charts.progress_series(
        _indicators(), reference.targets(), "tinh-lang-son", "province", ids=("T1", "T2", "T6")
    )
    assert dict(zip(values["indicator_id"], values["value"], strict=True)) == {
        "T1": 2.0,
        "T6": 94.7,
    }
    assert sorted(set(targets["indicator_id"])) == ["T1", "T6"]
    # a share's level starts from its first observed value, a count from zero
    t6 = targets[targets["indicator_id"] == "T6"]
    assert set(t6["base_value"]) == {94.7}
    assert set(targets.loc[targets["indicator_id"] == "T1", "base_value"]) == {0.0}


def test_a_commune_has_no_t2() -> None:
    frame = _indicators().replace({"cao-loc": "xa-cao-loc"})
    values, targets = charts.progress_series(
        frame, reference.targets(), "xa-cao-loc", "commune", ids=("T1", "T2", "T6")
    )
    assert sorted(values["indicator_id"]) == ["T1", "T6"]
    assert targets.empty


def test_sample_maps_print_readable_and_without_overlaps(sample_db) -> None:
    """Every map of the sample year (the province and the 11 areas), built as the reports build
    them: names never overlap and print at 8 pt or more."""
    from analysis.core.labels import label
    from analysis.data import places
    from analysis.pipeline import load_dataset
    from analysis.reports import tables

    ds = load_dataset(sample_db)
    status = tables.village_status(ds, 2025)
    communes = reference.communes_2025()
    names = {s: label(f"map_{s}", "vi") for s in tables.MAP_STATUSES}
    table = places.places()
    for place_id in table.loc[table["level"].isin(["province", "district"]), "place_id"]:
        villages = tables.villages_in(ds.villages, place_id).merge(status, on="village_id")
        fig = charts.plot_village_map(
            villages, communes, names, "vi", highlight_communes=set(villages["commune_code"])
        )
        on_map = [t for t in fig.axes[0].texts if t.get_text().strip()]
        assert layout.text_overlaps(on_map) == [], place_id
        assert min(s.points for s in layout.printed_sizes(fig)) >= layout.MIN_PRINT_PT, place_id
        plt.close(fig)


def test_funding_by_year_stacks_the_sources_against_the_plan() -> None:
    funding = pd.DataFrame(
        {
            "year": [2021, 2021, 2022, 2022, 2022],
            "funding_source": ["central", "provincial", "central", "other", "other"],
            "planned_mvnd": [100.0, 50.0, 80.0, 10.0, 10.0],
            "disbursed_mvnd": [60.0, 50.0, 20.0, 10.0, 10.0],
        }
    )
    sources = {"central": "Trung ương", "provincial": "Tỉnh", "other": "Khác"}
    fig = charts.plot_funding_years(funding, sources, "vi")
    ax = fig.axes[0]
    tops: dict[int, float] = {}
    for bar in ax.patches:
        year = round(bar.get_x() + bar.get_width() / 2)
        tops[year] = max(tops.get(year, 0.0), bar.get_y() + bar.get_height())
    assert tops == {2021: 110.0, 2022: 40.0}  # 60 + 50; 20 + 10 + 10
    planned = ax.collections[0].get_offsets()
    assert [tuple(p) for p in planned] == [(2021.0, 150.0), (2022.0, 100.0)]
    legends = _legends(fig)
    assert len(legends) == 1
    assert [t.get_text() for t in legends[0].get_texts()] == [
        "Trung ương",
        "Tỉnh",
        "Khác",
        "Tổng kế hoạch",
    ]
    assert _tick_texts(fig, 0, "x") == ["2021", "2022"]
    assert min(s.points for s in layout.printed_sizes(fig)) >= layout.MIN_PRINT_PT


def test_a_village_named_like_mathematics_does_not_break_the_report_map(sample_db_copy) -> None:
    """Issue 13, item 8: a name holding ``$...$`` crashed the map and failed the report."""
    import duckdb

    from analysis.reports import content, sections

    odd = "Thôn $\\frac{1$ và $x^2$"
    with duckdb.connect(str(sample_db_copy)) as con:
        village_id, district = con.execute(
            "SELECT village_id, district_code FROM villages ORDER BY village_id LIMIT 1"
        ).fetchone()
        con.execute("UPDATE villages SET name_vi = ? WHERE village_id = ?", [odd, village_id])
    place = {v: k for k, v in reference.districts().set_index("slug")["code"].items()}[district]
    with mpl.rc_context({"text.parse_math": True}):
        ctx = content.prepare("district", 2025, place, "vi", sample_db_copy)
        [block] = sections.village_map(ctx)
    assert block.png[:8] == b"\x89PNG\r\n\x1a\n"
