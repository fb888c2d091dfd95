"""Geometry of the report charts on paper: the printed width, the size type prints at, labels
placed so that none overlaps another, and every label drawn as plain text.

A chart is drawn at the width of the page's text block (A4 less the Decree 30 margins, from
``report_forms.yaml``), so a font of 8 pt in the figure prints at 8 pt.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import matplotlib as mpl
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from analysis.data import reference

#: The smallest type a printed report may carry (points).
MIN_PRINT_PT = 8.0
#: Resolution the report formats embed the charts at, and the CSS pixel (HTML, PDF, Word).
EMBED_DPI, CSS_DPI = 110, 96
#: Settings under which every chart is drawn: text is text (a ``$`` in a village's name is not
#: mathematics, no LaTeX), and type no smaller than :data:`MIN_PRINT_PT`.
PLAIN_TEXT_RC = {
    "text.parse_math": False,
    "text.usetex": False,
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.title_fontsize": 8,
    "figure.titlesize": 9,
    "axes.formatter.useoffset": False,
}


def print_width_in() -> float:
    """Width of the text block on an A4 page with the report's margins, in inches."""
    page = reference.report_form("province")["page"]
    width_mm = page["size_mm"][0] - page["margins_mm"]["left"] - page["margins_mm"]["right"]
    return width_mm / 25.4


#: White margin ``savefig(bbox_inches="tight")`` adds on each side (matplotlib's default).
PAD_IN = 0.1


def figure_width_in() -> float:
    """Width to draw a chart at: the text block less the margin saving adds, so that the picture
    fills the text block exactly and 8 pt in the figure prints at 8 pt."""
    return print_width_in() - 2 * PAD_IN


def plain_text(fig: Figure) -> Figure:
    """Mark every text of ``fig`` as plain (no mathtext, no TeX), whatever the rcParams say."""
    for text in fig.findobj(Text):
        text.set_parse_math(False)
        text.set_usetex(False)
    return fig


def renderer_of(fig: Figure) -> object:
    """A renderer to measure text with (an Agg canvas when the backend gives none)."""
    canvas = fig.canvas if hasattr(fig.canvas, "get_renderer") else FigureCanvasAgg(fig)
    return canvas.get_renderer()


def png_bytes(fig: Figure, dpi: int = EMBED_DPI) -> bytes:
    """The figure as the reports embed it: PNG, cropped to its content."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", pad_inches=PAD_IN)
    return buffer.getvalue()


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels of a PNG (from its header)."""
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def print_scale(fig: Figure, dpi: int = EMBED_DPI) -> float:
    """How much the figure's type is scaled on paper: the reports show a PNG at its CSS size
    (pixels / 96), shrunk to the text block when wider."""
    width_px, _ = png_size(png_bytes(fig, dpi))
    shown_in = min(width_px / CSS_DPI, print_width_in())
    return shown_in / (width_px / dpi)


@dataclass(frozen=True)
class PrintedText:
    """A visible text of a chart and the size it prints at."""

    text: str
    points: float


def printed_sizes(fig: Figure, dpi: int = EMBED_DPI) -> list[PrintedText]:
    """Every visible, non-empty text of ``fig`` with the size it prints at (points)."""
    scale = print_scale(fig, dpi)  # saving draws the figure: every tick label exists
    return [
        PrintedText(t.get_text(), t.get_fontsize() * scale)
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and _on_figure(t)
    ]


def _on_figure(text: Text) -> bool:
    axes = text.axes
    return axes is None or axes.get_visible()


def overlaps(boxes: list[Bbox], box: Bbox, pad: float = 0.0) -> bool:
    """Whether ``box`` (grown by ``pad`` pixels) meets any of ``boxes``."""
    grown = box.expanded(1, 1).padded(pad)
    return any(grown.overlaps(b) for b in boxes)


def text_overlaps(texts: list[Text], renderer: object | None = None) -> list[tuple[str, str]]:
    """Pairs of visible texts whose boxes overlap (for tests and checks)."""
    shown = [t for t in texts if t.get_visible() and t.get_text().strip()]
    if not shown:
        return []
    renderer = renderer or renderer_of(shown[0].figure)
    boxes = [t.get_window_extent(renderer) for t in shown]
    return [
        (shown[i].get_text(), shown[j].get_text())
        for i in range(len(shown))
        for j in range(i + 1, len(shown))
        if boxes[i].overlaps(boxes[j])
    ]


#: Where a label may go around its point (offset in points, horizontal alignment), nearest first.
_OFFSETS = [
    (5, 2, "left"),
    (5, -9, "left"),
    (-5, 2, "right"),
    (-5, -9, "right"),
    (0, 6, "center"),
    (0, -14, "center"),
    (9, 8, "left"),
    (9, -15, "left"),
    (-9, 8, "right"),
    (-9, -15, "right"),
    (14, -3, "left"),
    (-14, -3, "right"),
]


def place_labels(
    ax: Axes,
    points: list[tuple[float, float, str]],
    taken: list[Bbox],
    *,
    color: str = "#222222",
    fontsize: float = 8,
) -> list[bool]:
    """Label each ``(x, y, text)`` point at the first spot around it that stays inside the axes
    and meets no box in ``taken`` (markers, labels already placed); a label that finds no spot
    is not drawn. ``taken`` grows with the placed labels. Returns which were placed.

    Greedy and deterministic: the same data give the same map, and no two labels overlap.
    """
    renderer = renderer_of(ax.figure)
    frame = ax.get_window_extent(renderer)
    placed = []
    for x, y, text in points:
        label = ax.annotate(
            text,
            (x, y),
            xytext=(0, 0),
            textcoords="offset points",
            fontsize=fontsize,
            color=color,
            va="bottom",
            parse_math=False,
            annotation_clip=False,
            path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")],
        )
        ok = False
        for dx, dy, ha in _OFFSETS:
            label.set_position((dx, dy))
            label.set_horizontalalignment(ha)
            box = label.get_window_extent(renderer)
            inside = (
                box.x0 >= frame.x0
                and box.x1 <= frame.x1
                and box.y0 >= frame.y0
                and box.y1 <= frame.y1
            )
            if inside and not overlaps(taken, box, pad=1.0):
                taken.append(box)
                ok = True
                break
        if not ok:
            label.remove()
        placed.append(ok)
    return placed


def marker_boxes(ax: Axes, xs: list[float], ys: list[float], size_pt: float) -> list[Bbox]:
    """Boxes of round markers of diameter ``size_pt`` at the data points."""
    half = size_pt / 2 * ax.figure.dpi / 72
    centres = ax.transData.transform(list(zip(xs, ys, strict=True))) if xs else []
    return [Bbox.from_extents(cx - half, cy - half, cx + half, cy + half) for cx, cy in centres]


def rc_context() -> mpl.rc_context:
    """The settings every chart is drawn under (:data:`PLAIN_TEXT_RC`)."""
    return mpl.rc_context(PLAIN_TEXT_RC)
