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
from datetime import date, timedelta
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
# Sized for a phone first. The SVG scales to the width it is given: its viewBox is 3.4 in (245
# units) wide and a 360 px phone's card gives it about 285 px, so 11-unit text draws at about 12.8 px
# (tests/test_patient_rough_edges.py measures it in a browser).
FIGURE_INCHES = (3.4, 3.6)
FONT_POINTS = 11
# Day ticks: at most this many labelled days along the axis (more would crowd a phone's width), and
# at least this many days shown, so that one or two readings sit inside a readable stretch of days.
MAX_DAY_TICKS = 4
MIN_DAYS_SHOWN = 7


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


def day_label(day: date) -> str:
    """A tick's label: the day and the month ("3 Dec"), never a time of day."""
    return f"{day.day} {day:%b}"


def day_span(first: date, last: date) -> tuple[date, date]:
    """The days the axis shows: the readings' days, reaching back to at least MIN_DAYS_SHOWN days
    (the record ends at the latest reading; nothing is drawn for days to come)."""
    return min(first, last - timedelta(days=MIN_DAYS_SHOWN - 1)), last


def day_ticks(first: date, last: date) -> list[date]:
    """Whole days from `first` to `last` to label, evenly spaced back from `last` (the latest
    reading's day is always labelled), at most MAX_DAY_TICKS of them."""
    days = (last - first).days
    step = max(1, -(-days // (MAX_DAY_TICKS - 1)))
    return [last - timedelta(days=n) for n in range(days - days % step, -1, -step)]


def pain_chart_svg(
    readings: Sequence[PainReading],
    *,
    scale_min: float,
    scale_max: float,
    band: ChangeBand | None,
    title: str,
    description: str,
    element_id: str = "pain-chart",
    size: tuple[float, float] = FIGURE_INCHES,
    legend_columns: int = 1,
    max_markers: int | None = None,
) -> str:
    """Daily pain readings over time, one line per kind of reading, with the change band shaded.

    `size` (inches) and `legend_columns` default to the phone's chart; the printed report's is wider.
    `max_markers` thins each line's markers to about that many (every reading stays on the line)."""
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
        figure = Figure(figsize=size, layout="constrained")
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
                markersize=7,
                markevery=max(1, -(-len(days) // max_markers)) if max_markers else None,
                label=style["label"],
                zorder=3,
            )
        axes.set_ylim(scale_min, scale_max)
        axes.set_yticks(range(int(scale_min), int(scale_max) + 1, 2))
        axes.set_ylabel(f"Pain ({scale_min:g}-{scale_max:g})")
        axes.grid(axis="y", color="#d9e2df", linewidth=0.8)
        axes.spines[["top", "right"]].set_visible(False)
        if readings:
            # Whole days on the axis, labelled "3 Dec": no times of day and no separate year or
            # month label (matplotlib's date locators pick hours for short spans and add an offset).
            first, last = day_span(min(r.day for r in readings), max(r.day for r in readings))
            ticks = day_ticks(first, last)
            axes.set_xticks(
                [mdates.date2num(d) for d in ticks],  # type: ignore[no-untyped-call]
                labels=[day_label(d) for d in ticks],
            )
            axes.set_xlim(
                mdates.date2num(first) - 0.5,  # type: ignore[no-untyped-call]
                mdates.date2num(last) + 0.5,  # type: ignore[no-untyped-call]
            )
            if len({r.day for r in readings}) == 1:
                # One day of readings draws no line: each value is written beside its marker (to the
                # left: the latest day is at the right edge).
                for r in readings:
                    axes.annotate(
                        f"{r.value:g}",
                        (mdates.date2num(r.day), r.value),  # type: ignore[no-untyped-call]
                        xytext=(-9, 0),
                        textcoords="offset points",
                        ha="right",
                        va="center",
                        color=SERIES[r.kind]["color"],
                        fontweight="bold",
                    )
        # Below the plot, inside the figure: constrained layout makes room for an "outside" legend.
        figure.legend(loc="outside lower left", ncols=legend_columns, frameon=False, fontsize=FONT_POINTS)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return _accessible(buffer.getvalue(), title=title, description=description, element_id=element_id)


_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_SIZE = re.compile(r'\s(width|height)="[^"]*pt"')
# matplotlib names its groups figure_1, axes_1...: the same in every chart, so two charts on one page
# would repeat ids. Nothing refers to them.
_GROUP_ID = re.compile(r'<g id="[^"]*"')


# matplotlib writes its paint as CSS: a style="..." on each element and one <style> rule for every
# element. A web page's Content-Security-Policy allows no inline style (the browser would draw the
# chart black), so both become SVG presentation attributes, which are markup, not style: the same
# drawing for the page and the PDF. Only these properties are moved (all that matplotlib's line
# charts use); tests/test_hardening_csp.py checks that no style is left.
_PRESENTATION = frozenset(
    {
        "fill",
        "fill-opacity",
        "opacity",
        "stroke",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-opacity",
        "stroke-width",
    }
)
_STYLE_RULE = re.compile(r'\s*<style type="text/css">\*\{([^}<]*)\}</style>')
_STYLE_ATTRIBUTE = re.compile(r' style="([^"]*)"')


def _declarations(css: str) -> list[tuple[str, str]] | None:
    """`fill: #fff; stroke: none` as (name, value) pairs; None if any is not a presentation attribute."""
    pairs = []
    for declaration in css.split(";"):
        if not declaration.strip():
            continue
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name not in _PRESENTATION or not value or '"' in value:
            return None
        pairs.append((name, value))
    return pairs


def _as_attributes(pairs: list[tuple[str, str]]) -> str:
    return "".join(f' {name}="{value}"' for name, value in pairs)


def _presentation_attributes(svg: str) -> str:
    """matplotlib's style="..." attributes and its <style> rule as presentation attributes (the rule's
    properties go on the root <svg>, where every element inherits them unless it sets its own)."""
    root = ""
    rule = _STYLE_RULE.search(svg)
    if rule is not None and (pairs := _declarations(rule.group(1))) is not None:
        root = _as_attributes(pairs)
        svg = svg[: rule.start()] + svg[rule.end() :]

    def attributes(match: re.Match[str]) -> str:
        pairs = _declarations(match.group(1))
        return match.group(0) if pairs is None else _as_attributes(pairs)

    svg = _STYLE_ATTRIBUTE.sub(attributes, svg)
    return svg.replace("<svg ", f"<svg{root} ", 1) if root else svg


def _accessible(svg: str, *, title: str, description: str, element_id: str) -> str:
    """Inline-ready SVG: no XML prolog, scalable, with a title and description a screen reader reads,
    and no CSS (presentation attributes instead)."""
    svg = _PROLOG.sub("", svg, count=1)
    svg = _METADATA.sub("", svg, count=1)
    svg = _GROUP_ID.sub("<g", svg)
    svg = _presentation_attributes(svg)
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
