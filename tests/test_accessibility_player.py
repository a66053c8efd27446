"""The session player and the exercise figures for keyboard, screen-reader and reduced-motion users,
in a real browser at phone size: the timer's first message is announced from a live region that was
there, empty, before it; Space counts a rep only from the page or the rep button; every animated
figure can be paused (and the choice is remembered); with reduced motion the figures stand still,
their pause control is gone and the player scrolls without animating."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.accessibility_helpers import focused, sign_in
from tests.care_helpers import onboard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATUS = "[data-timer-status]"


def to_the_first_exercise(page: Any, base: str) -> None:
    onboard(Client())
    sign_in(page, base)
    page.goto(base + "/session/")
    page.get_by_role("group", name="How bad is your back pain right now?").get_by_role(
        "radio", name="4"
    ).check()
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/exercise/1/")


def count(page: Any) -> str:
    return str(page.locator(".timer-count").inner_text())


def test_the_first_timer_message_is_announced_from_a_live_region_there_before_it(
    live_server: Any, phone_page: Any
) -> None:
    page = phone_page
    page.clock.install()
    to_the_first_exercise(page, live_server.url)
    status = page.locator(STATUS)
    # On the page from the start, empty, polite, and not hidden from screen readers.
    assert status.count() == 1
    assert status.get_attribute("aria-live") == "polite"
    assert status.inner_text() == ""
    assert status.evaluate("e => getComputedStyle(e).display !== 'none' && !e.closest('[hidden]')")
    assert page.locator(".timer").get_attribute("aria-live") is None  # the count is not read every second
    page.get_by_role("button", name="Start with the timer").focus()
    page.keyboard.press("Enter")
    assert status.inner_text() == "Get ready: 5 seconds. Get into the starting position."
    assert focused(page) == 'button "Pause"'
    assert page.get_by_role("button", name="Start with the timer").is_hidden()
    page.clock.run_for(5_000)
    assert status.inner_text() == "10 reps. Set 1 of 1. Press Rep done after each rep."
    assert focused(page) == 'button "Rep done"'
    page.keyboard.press("Space")
    assert status.inner_text() == "1 of 10"


def test_space_counts_a_rep_only_from_the_page_or_the_rep_button(live_server: Any, phone_page: Any) -> None:
    page = phone_page
    page.clock.install()
    to_the_first_exercise(page, live_server.url)
    page.get_by_role("button", name="Start with the timer").click()
    page.clock.run_for(5_000)
    assert page.locator(".timer-phase").inner_text() == "Reps"
    assert count(page) == "0 / 10"
    page.keyboard.press("Space")  # the rep button has the focus
    assert count(page) == "1 / 10"
    page.evaluate("document.activeElement.blur()")  # the page itself
    page.keyboard.press("Space")
    assert count(page) == "2 / 10"
    page.keyboard.down("Space")  # held down: one rep, however long
    for _ in range(3):
        page.keyboard.down("Space")
    page.keyboard.up("Space")
    assert count(page) == "3 / 10"
    page.get_by_role("button", name="Pause", exact=True).focus()
    page.keyboard.press("Space")
    assert count(page) == "3 / 10"
    assert page.locator(".timer-pause").inner_text() == "Resume"
    page.locator("details.how summary").focus()
    page.keyboard.press("Space")
    assert count(page) == "3 / 10"
    assert page.locator("details.how").evaluate("e => e.open") is False  # Space did what it does there
    page.locator("input[name=pain_during][value='0']").focus()
    page.keyboard.press("Space")
    assert count(page) == "3 / 10"


def paused(page: Any) -> list[bool]:
    return page.locator("svg.lumbar-figure").evaluate_all("svgs => svgs.map(s => s.animationsPaused())")


def test_every_animated_figure_can_be_paused_and_stays_paused_on_the_next_pages(
    live_server: Any, phone_page: Any
) -> None:
    page, base = phone_page, live_server.url
    page.goto(base + "/exercises/cat-cow/")
    buttons = page.get_by_role("button", name="Pause the animations")
    assert page.locator("svg.lumbar-figure .lf-moving").count() == 1
    assert buttons.count() == 1
    assert paused(page) == [False]
    buttons.first.click()
    assert paused(page) == [True]
    assert page.get_by_role("button", name="Play the animations").count() == 1
    onboard(Client())
    sign_in(page, base)
    page.goto(base + "/program/")
    figures = page.locator("svg.lumbar-figure .lf-moving").count()
    assert figures >= 3
    assert page.get_by_role("button", name="Play the animations").count() == figures
    assert paused(page) == [True] * figures
    page.get_by_role("button", name="Play the animations").first.click()
    assert paused(page) == [False] * figures
    assert page.get_by_role("button", name="Pause the animations").count() == figures
    page.goto(base + "/program/")
    assert paused(page) == [False] * figures


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_with_reduced_motion_figures_stand_still_and_the_player_scrolls_without_animating(
    live_server: Any, phone_page: Any, motion: str
) -> None:
    page = phone_page
    page.emulate_media(reduced_motion=motion)
    page.add_init_script(
        """window.__scrolls = [];
        const scroll = Element.prototype.scrollIntoView;
        Element.prototype.scrollIntoView = function (options) {
          window.__scrolls.push(options && options.behavior);
          return scroll.call(this, options);
        };"""
    )
    page.clock.install()
    to_the_first_exercise(page, live_server.url)
    figure = page.locator(".player-figure svg.lumbar-figure")
    moving = figure.locator(".lf-moving").evaluate("e => getComputedStyle(e).display")
    still = figure.locator(".lf-still").evaluate("e => getComputedStyle(e).display")
    pause = page.locator(".player-figure button.figure-pause")
    assert pause.count() == 1
    if motion == "reduce":
        assert (moving, still) == ("none", "inline")
        assert pause.is_hidden()  # nothing moves: nothing to pause
    else:
        assert (moving, still) == ("inline", "none")
        assert pause.is_visible()
        assert pause.inner_text() == "Pause the animations"
    page.get_by_role("button", name="Start with the timer").click()
    page.get_by_role("button", name="Next set").click()  # to the end of the timer
    assert page.locator(".timer-phase").inner_text() == "Done!"
    assert page.evaluate("window.__scrolls") == ["auto" if motion == "reduce" else "smooth"]
    assert focused(page) == "radio pain_during=0"
