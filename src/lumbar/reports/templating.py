"""The printed documents' HTML: Jinja2 templates in reports/templates, escaped by default.

Django-free, so that the CLI renders the same documents as the web app without a settings module.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Any

from markupsafe import Markup


def day_text(day: date) -> str:
    """ "3 December 2026": the way the app's pages write a day."""
    return f"{day.day} {day:%B %Y}"


def short_day(day: date) -> str:
    """ "3 Dec 2026"."""
    return f"{day.day} {day:%b %Y}"


def day_range(first: date, last: date) -> str:
    """ "3-9 Mar", "28 Feb-6 Mar", one day as "3 Mar" (the year is in the report's heading)."""
    if first == last:
        return f"{first.day} {first:%b}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%b}"
    return f"{first.day} {first:%b} – {last.day} {last:%b}"


def css_string(text: str) -> Markup:
    """Text for a CSS string in a <style> element (quotes, backslashes and "<" escaped)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ").replace("\n", " ")
    return Markup(escaped)  # noqa: S704 - escaped for a CSS string just above


def words(items: Sequence[str]) -> str:
    """ "Monday, Wednesday and Friday"."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def number(value: float) -> str:
    """A score or a count without a needless ".0"."""
    return f"{value:g}"


@cache
def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("lumbar.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["day"] = day_text
    env.filters["short_day"] = short_day
    env.filters["number"] = number
    env.filters["words"] = words
    env.filters["day_range"] = day_range
    env.filters["css_string"] = css_string
    return env


def render(template: str, **context: Any) -> str:
    text: str = _environment().get_template(template).render(**context)
    return text


def trusted(html: str) -> Markup:
    """HTML made by our own code (an SVG figure, rendered lesson Markdown): inserted as it is."""
    return Markup(html)  # noqa: S704 - only ever given markup this package or motion.render made
