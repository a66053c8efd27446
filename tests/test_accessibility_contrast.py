"""Contrast that axe-core does not measure, measured in a real browser from the computed styles:
the keyboard focus ring and the edges of inputs, chips, 0-10 options, answer options and calendar days
reach 3:1 against what is beside them (WCAG 1.4.11); the progress calendar's day numbers reach 4.5:1
on every kind of day, drawn at full opacity (1.4.3), days before the start and rest days marked by
their fill and edge instead."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.accessibility_helpers import focused, sign_in, tab_into_group, tab_to
from tests.care_helpers import onboard
from tests.care_history import do_session, patient, started_days_ago

from lumbar.web.outcomes import selectors as outcomes_selectors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Colours as the browser computed them: the element's own, and the first opaque background behind it.
_COLOURS = """(el) => {
  const rgb = c => { const m = c.match(/[\\d.]+/g).map(Number); return m.length > 3 && m[3] === 0 ? null : m.slice(0, 3); };
  const behind = e => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c) return c; } return [255, 255, 255]; };
  const s = getComputedStyle(el);
  return {
    outline: rgb(s.outlineColor), outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth),
    border: rgb(s.borderTopColor), borderWidth: parseFloat(s.borderTopWidth), borderStyle: s.borderTopStyle,
    color: rgb(s.color),
    opacity: Number(s.opacity), own: behind(el), around: behind(el.parentElement),
  };
}"""


def luminance(rgb: list[float]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: list[float], b: list[float]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def colours(locator: Any) -> dict[str, Any]:
    return dict(locator.evaluate(_COLOURS))


def ring(page: Any) -> float:
    """The focused control's ring (on the chip or the scale's box for a hidden radio) against the
    page behind it; the ring must be a solid line at least 2 px wide."""
    drawn = page.evaluate_handle(
        "() => { const e = document.activeElement; return e.matches('.chip input, .scale-option input') ? e.nextElementSibling : e; }"
    )
    c = dict(drawn.evaluate(_COLOURS))
    assert c["outlineStyle"] == "solid"
    assert c["outlineWidth"] >= 2
    return contrast(c["outline"], c["around"])


def edge(locator: Any) -> float:
    """A control's edge against the lower of its own fill and the page around it."""
    c = colours(locator)
    assert c["borderWidth"] >= 1
    return min(contrast(c["border"], c["own"]), contrast(c["border"], c["around"]))


def test_the_focus_ring_and_the_edges_of_controls_reach_3_to_1(live_server: Any, phone_page: Any) -> None:
    onboard(Client())
    page, base = phone_page, live_server.url
    sign_in(page, base)
    page.goto(base + "/checkin/")
    rings: dict[str, float] = {}
    tab_to(page, 'link "Today"')
    rings["link"] = ring(page)
    tab_into_group(page, "morning_pain")
    rings["0-10 option"] = ring(page)
    tab_into_group(
        page, next(iter(page.locator("input[name^=flag_]").evaluate_all("es => es.map(e => e.name)")))
    )
    rings["chip"] = ring(page)
    tab_to(page, 'button "Send"')
    rings["button"] = ring(page)
    page.goto(base + "/exercises/")
    tab_to(page, "input q")
    rings["text input"] = ring(page)
    tab_to(page, "select category")
    rings["select"] = ring(page)
    assert focused(page) == "select category"
    assert {k: v for k, v in rings.items() if v < 3} == {}, rings

    page.goto(base + "/checkin/")
    edges = {
        "0-10 option": edge(page.locator(".scale-option span").first),
        "chip": edge(page.locator(".chip span").first),
    }
    page.goto(base + "/exercises/")
    edges["text input"] = edge(page.locator("#q"))
    edges["select"] = edge(page.locator("#f-category"))
    # The answer options of the licensed questionnaires (shown only with their wording): the same rule.
    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML("beforeend",
        '<div class="options" id="sample"><label class="option"><input type="radio" name="x"><span>An answer</span></label></div>')"""
    )
    edges["answer option"] = edge(page.locator("#sample .option"))
    assert {k: v for k, v in edges.items() if v < 3} == {}, edges


def test_calendar_days_keep_full_contrast_and_are_told_apart_by_fill_and_edge(
    live_server: Any, phone_page: Any
) -> None:
    onboard(Client())
    user = patient()
    started_days_ago(user, outcomes_selectors.reassessment_weeks()[0] * 7)
    for n in (9, 6, 2):
        do_session(user, timezone.localdate() - dt.timedelta(days=n), before=5, after=4)
    page, base = phone_page, live_server.url
    sign_in(page, base)
    page.goto(base + "/progress/")
    cells = page.locator("table.month td:not(.week-total)")
    kinds: dict[str, list[dict[str, Any]]] = {}
    for index in range(cells.count()):
        cell = cells.nth(index)
        kind = next(
            k
            for k in ("done", "off", "missed", "rest", "planned")
            if k in cell.get_attribute("class").split()
        )
        kinds.setdefault(kind, []).append({**colours(cell), "number": colours(cell.locator(".day-num"))})
    assert set(kinds) >= {"done", "off", "rest", "planned"}, set(kinds)
    for kind, days in kinds.items():
        for day in days:
            assert day["opacity"] == 1, kind
            assert day["number"]["opacity"] == 1, kind
            assert contrast(day["number"]["color"], day["number"]["own"]) >= 4.5, kind
    off, rest = kinds["off"][0], kinds["rest"][0]
    planned = next(d for k in ("missed", "planned") for d in kinds.get(k, []))
    # Before the start (and days to come): a grey fill and no edge; rest days: no fill, a dashed
    # edge; planned days: a solid edge. Each edge reaches 3:1.
    assert off["border"] is None
    assert off["own"] != [255, 255, 255]
    assert off["own"] != off["around"]
    assert rest["own"] == [255, 255, 255]
    assert (rest["borderStyle"], planned["borderStyle"]) == ("dashed", "solid")
    assert min(contrast(rest["border"], rest["own"]), contrast(rest["border"], rest["around"])) >= 3
    assert (
        min(contrast(planned["border"], planned["own"]), contrast(planned["border"], planned["around"])) >= 3
    )
