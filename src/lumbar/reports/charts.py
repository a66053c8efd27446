"""Charts drawn with matplotlib as inline SVG, for the web pages and the printed reports alike.

Pure: plain data in, an SVG string out. Each chart carries a <title> and a <desc> (the caller's
words) so that a screen reader announces it; the page puts the same numbers in a table beside it.
Figures are built without pyplot, so nothing is kept in a global figure registry between requests.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Literal

ReadingKind = Literal["before", "after", "morning"]

# How each kind of reading is drawn: a distinct marker and line style as well as colour, so the
# series stay apart in greyscale print and for people who do not see colour differences.
SERIES: dict[ReadingKind, dict[str, str]] = {
    "before": {"label": "Before a session", "color": "#0f766e", "marker": "o", "linestyle": "-"},
    "after": {"label": "After a session", "color": "#c2410c", "marker": "s", "linestyle": "--"},
    "morning": {"label": "Next morning", "color": "#475569", "marker": "^", "linestyle": ":"},
}
BAND_COLOR = "#e6f4f1"
INK = "#1f2a30"
# Sized for a phone first: at 360 px wide the labels stay readable.
FIGURE_INCHES = (4.6, 3.4)
FONT_POINTS = 11


@dataclass(frozen=True)
class PainReading:
    day: date
    kind: ReadingKind
    value: float


# matplotlib's rc settings are process-wide; gunicorn's threaded workers may draw two charts at
# once, so drawing is serialised (a chart takes a fraction of a second and is cached by the caller).
_DRAWING = threading.Lock()


@dataclass(frozen=True)
class ChangeBand:
    """The starting score and the range around it that counts as no important change."""

    baseline: float
    low: float
    high: float
    label: str


def pain_chart_svg(
    readings: Sequence[PainReading],
    *,
    scale_min: float,
    scale_max: float,
    band: ChangeBand | None,
    title: str,
    description: str,
    element_id: str = "pain-chart",
) -> str:
    """Daily pain readings over time, one line per kind of reading, with the change band shaded."""
    import matplotlib as mpl
    from matplotlib import dates as mdates
    from matplotlib.figure import Figure

    salt = hashlib.sha256(repr((element_id, readings, band)).encode()).hexdigest()[:12]
    with (
        _DRAWING,
        mpl.rc_context(
            {
                "svg.hashsalt": salt,
                "svg.fonttype": "path",
                "font.size": FONT_POINTS,
                "axes.edgecolor": INK,
                "axes.labelcolor": INK,
                "xtick.color": INK,
                "ytick.color": INK,
            }
        ),
    ):
        figure = Figure(figsize=FIGURE_INCHES, layout="constrained")
        axes = figure.add_subplot()
        if band is not None:
            axes.axhspan(band.low, band.high, color=BAND_COLOR, zorder=0, label=band.label)
            axes.axhline(band.baseline, color="#0f766e", linewidth=1, linestyle=(0, (6, 3)), zorder=1)
        for kind, style in SERIES.items():
            points = sorted((r.day, r.value) for r in readings if r.kind == kind)
            if not points:
                continue
            days, values = zip(*points, strict=True)
            axes.plot(
                days,
                values,
                color=style["color"],
                marker=style["marker"],
                linestyle=style["linestyle"],
                linewidth=1.6,
                markersize=5,
                label=style["label"],
                zorder=3,
            )
        axes.set_ylim(scale_min, scale_max)
        axes.set_yticks(range(int(scale_min), int(scale_max) + 1, 2))
        axes.set_ylabel(f"Pain ({scale_min:g}-{scale_max:g})")
        axes.grid(axis="y", color="#d9e2df", linewidth=0.8)
        axes.spines[["top", "right"]].set_visible(False)
        locator = mdates.AutoDateLocator(minticks=3, maxticks=6)  # type: ignore[no-untyped-call]
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
        if readings:
            first = min(r.day for r in readings)
            last = max(r.day for r in readings)
            if first == last:
                axes.set_xlim(mdates.date2num(first) - 1, mdates.date2num(last) + 1)  # type: ignore[no-untyped-call]
        # Below the plot, inside the figure: constrained layout makes room for an "outside" legend.
        figure.legend(loc="outside lower center", ncols=2, frameon=False, fontsize=FONT_POINTS - 1)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return _accessible(buffer.getvalue(), title=title, description=description, element_id=element_id)


_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_SIZE = re.compile(r'\s(width|height)="[^"]*pt"')
# matplotlib names its groups figure_1, axes_1...: the same in every chart, so two charts on one page
# would repeat ids. Nothing refers to them.
_GROUP_ID = re.compile(r'<g id="[^"]*"')


def _accessible(svg: str, *, title: str, description: str, element_id: str) -> str:
    """Inline-ready SVG: no XML prolog, scalable, with a title and description a screen reader reads."""
    svg = _PROLOG.sub("", svg, count=1)
    svg = _METADATA.sub("", svg, count=1)
    svg = _GROUP_ID.sub("<g", svg)
    head_end = svg.index(">") + 1
    head = _SIZE.sub("", svg[:head_end])
    title_id, desc_id = f"{element_id}-title", f"{element_id}-desc"
    head = head.replace(
        "<svg ",
        f'<svg id="{escape(element_id)}" class="chart" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" focusable="false" ',
        1,
    )
    return (
        f'{head}\n<title id="{title_id}">{escape(title)}</title>'
        f'\n<desc id="{desc_id}">{escape(description)}</desc>{svg[head_end:]}'
    )
