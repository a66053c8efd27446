"""The keyboard alone, in a real browser at phone size: sign-up, the warning-sign questions and the
intake with Tab, Enter, Space and the arrow keys; then a whole session (pain before, every exercise
with the timer, pain after) the same way and with Shift+Tab, with where the focus is after each
phase of the timer asserted exactly. The timer runs on Playwright's clock, not the wall clock."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.accessibility_helpers import (
    choose_with_keys,
    focused,
    press_and_wait,
    sign_in,
    tab_to,
    type_into,
)
from tests.care_helpers import PASSWORD, onboard

from lumbar.domain import screening
from lumbar.domain.catalog import default_catalog
from lumbar.web.records.models import ExerciseLog, ExerciseSession, IntakeRecord, ProgramVersion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_the_warning_signs_and_the_intake_with_the_keyboard_alone(
    live_server: Any, phone_page: Any
) -> None:
    page, base = phone_page, live_server.url
    page.goto(base + "/signup/")
    type_into(page, "email", "keys@example.org")
    type_into(page, "password", PASSWORD)
    tab_to(page, "checkbox understood=1")
    page.keyboard.press("Space")
    tab_to(page, 'button "Create account"')
    press_and_wait(page)
    tab_to(page, 'link "Open the link from the email"')
    press_and_wait(page)
    for _ in screening.default_rules().red_flags:
        assert "/start/screen/" in page.url
        tab_to(page, 'button "No"')
        press_and_wait(page)

    # A step sent without its answer: the focus goes to the error summary, whose link reaches the field.
    tab_to(page, 'button "Next"')
    press_and_wait(page)
    assert page.title().startswith("Error: About you")
    assert focused(page) == "div#error-summary"
    tab_to(page, 'link "How old are you?"')
    page.keyboard.press("Enter")
    assert focused(page) == "input age"
    page.keyboard.type("42")
    tab_to(page, 'button "Next"')
    press_and_wait(page)

    choose_with_keys(page, "pain_now", "5")
    type_into(page, "duration", "3")
    choose_with_keys(page, "first_episode", "no")
    tab_to(page, 'button "Next"')
    press_and_wait(page)
    choose_with_keys(page, "leg_symptoms", "none")
    tab_to(page, 'button "Next"')
    press_and_wait(page)
    for _ in ("what makes it worse", "health"):
        tab_to(page, 'button "Next"')
        press_and_wait(page)
    choose_with_keys(page, "occupation", "desk")
    tab_to(page, 'button "Next"')
    press_and_wait(page)
    choose_with_keys(page, "fitness", "moderate")
    choose_with_keys(page, "floor_ok", "yes")
    choose_with_keys(page, "minutes_per_session", "15")
    choose_with_keys(page, "sessions_per_week", "5")
    tab_to(page, 'button "Next"')
    press_and_wait(page)
    type_into(page, "activity_1", "Sit through a film")
    choose_with_keys(page, "score_1", "3")
    tab_to(page, 'button "Next"')
    press_and_wait(page)
    tab_to(page, 'button "Make my program"')
    press_and_wait(page)
    assert page.url.endswith("/program/")
    assert page.get_by_role("heading", name="Your program", exact=True).is_visible()
    intake = IntakeRecord.objects.get().data
    assert not any(intake["red_flags"].values())
    assert {k: intake[k] for k in ("age", "pain", "episode_weeks", "first_episode", "leg_symptoms")} == {
        "age": 42,
        "pain": {"now": 5},
        "episode_weeks": 3.0,
        "first_episode": False,
        "leg_symptoms": "none",
    }
    assert (intake["occupation"], intake["fitness"], intake["floor_ok"]) == ("desk", "moderate", True)
    assert (intake["minutes_per_session"], intake["sessions_per_week"]) == (15, 5)
    assert intake["goals"] == [{"activity": "Sit through a film", "score": 3}]


# The doses the session below runs, set on the person's program before it starts: every phase of the
# timer comes up (holds with moving into position, a rest between sets, reps, switching sides).
HELD = {"sets": 2, "reps": 2, "hold_seconds": 3, "per_side": False}
REPS = {"sets": 1, "reps": 3, "hold_seconds": None, "per_side": False}
PER_SIDE = {"sets": 1, "reps": 2, "hold_seconds": None, "per_side": True}

PAUSE, REP = 'button "Pause"', 'button "Rep done"'
FIRST_ANSWER = "radio pain_during=0"
# (phase, where the focus is while it runs) for each dose, from pressing "Start with the timer" on.
EXPECTED = {
    "held": [
        ("Get ready", PAUSE),
        *[("Move into position", PAUSE), ("Hold", PAUSE)] * 2,
        ("Rest", PAUSE),
        *[("Move into position", PAUSE), ("Hold", PAUSE)] * 2,
        ("Done!", FIRST_ANSWER),
    ],
    "reps": [("Get ready", PAUSE), ("Reps", REP), ("Done!", FIRST_ANSWER)],
    "per side": [
        ("Get ready", PAUSE),
        ("Reps", REP),
        ("Switch sides", PAUSE),
        ("Reps", REP),
        ("Done!", FIRST_ANSWER),
    ],
}


def run_the_timer_with_keys(page: Any) -> list[tuple[str, str]]:
    """Press Enter on "Start with the timer", then let each countdown run out on the clock and press
    Space on the rep button for each rep; note the phase and the focus as each phase starts."""
    tab_to(page, 'button "Start with the timer"')
    page.keyboard.press("Enter")
    seen = []
    while True:
        phase = page.locator(".timer-phase").inner_text()
        seen.append((phase, focused(page)))
        if phase == "Done!":
            return seen
        count = page.locator(".timer-count").inner_text()
        if phase == "Reps":
            reps = int(count.split("/")[1])
            # Space on Pause pauses, it does not count a rep; Shift+Tab goes back to the rep button.
            tab_to(page, PAUSE)
            page.keyboard.press("Space")
            assert page.locator(".timer-pause").inner_text() == "Resume"
            assert page.locator(".timer-count").inner_text() == count
            page.keyboard.press("Space")
            tab_to(page, REP, back=True)
            for _ in range(reps):
                page.keyboard.press("Space")
        else:
            page.clock.run_for(int(count) * 1000)


def test_a_whole_session_with_the_keyboard_alone_keeps_the_focus_on_a_visible_control(
    live_server: Any, phone_page: Any
) -> None:
    onboard(Client())
    program = ProgramVersion.objects.get()
    assert len(program.exercises) >= 3
    catalog = default_catalog()
    doses = {"held": HELD, "reps": REPS, "per side": PER_SIDE}
    exercises = [{**e, **dose} for e, dose in zip(program.exercises, doses.values(), strict=False)]
    ProgramVersion.objects.filter(pk=program.pk).update(
        program={**program.program, "exercises": exercises + program.exercises[len(exercises) :]}
    )
    for entry in exercises:
        timing = catalog.exercises[entry["id"]].timing
        # Each phase comes up: a rest between sets and moving into position before a hold.
        assert timing.rest_seconds > 0, entry["id"]
        assert timing.seconds_per_rep > 0, entry["id"]

    page, base = phone_page, live_server.url
    page.clock.install()
    sign_in(page, base)
    tab_to(page, 'link "Start today\'s session"')
    press_and_wait(page)
    choose_with_keys(page, "pain", "4")
    tab_to(page, 'button "Start"')
    press_and_wait(page)
    total = len(program.exercises)
    for number in range(1, total + 1):
        assert f"Exercise {number} of {total}" in page.locator(".step-count").inner_text()
        seen = run_the_timer_with_keys(page)
        if number <= len(doses):
            assert seen == EXPECTED[list(doses)[number - 1]], number
        else:
            assert seen[0] == ("Get ready", PAUSE)
            assert seen[-1] == ("Done!", FIRST_ANSWER)
        # The focus is on the form's first answer: choose with the arrows, Tab on, Enter to send.
        page.keyboard.press("Space")
        for _ in range(2):
            page.keyboard.press("ArrowRight")
        choose_with_keys(page, "difficulty", "right")
        if page.locator("input[name=leg_symptoms]").count():
            choose_with_keys(page, "leg_symptoms", "none")
        tab_to(page, 'button "Done, next"')
        press_and_wait(page)
    choose_with_keys(page, "pain", "3")
    tab_to(page, 'button "Finish"')
    press_and_wait(page)
    assert "Session done" in page.locator("h1").inner_text()
    session = ExerciseSession.objects.get()
    assert (session.pain_before, session.pain_after) == (4, 3)
    logs = ExerciseLog.objects.filter(session=session, completed=True)
    assert [log.pain_during for log in logs.order_by("position")] == [2] * total
    assert [log.sets for log in logs.order_by("position")][: len(doses)] == [2, 1, 1]
