"""The patient's whole journey in a real browser at phone size: sign up, screen, intake, program,
a session with the timer, a check-in, and the red-flag path that blocks the program."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from lumbar.domain import screening
from lumbar.web.care import presenters as care_presenters
from lumbar.web.records.models import CheckIn, ExerciseLog, ExerciseSession, ProgramVersion, ScreeningEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("LUMBAR_SCREENSHOTS", "")) if os.environ.get("LUMBAR_SCREENSHOTS") else None


def shot(page: Any, name: str) -> None:
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_up(page: Any, base: str, email: str) -> None:
    page.goto(base + "/")
    page.get_by_role("link", name="Get started").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Create account").click()
    # The server answers only on this computer, so the page shows the emailed link too.
    assert page.get_by_role("heading", name="Check your email to confirm").is_visible()
    page.get_by_role("link", name="Open the link from the email").click()


def answer_all_no(page: Any) -> None:
    total = len(screening.default_rules().red_flags)
    for number in range(1, total + 1):
        assert f"question {number} of {total}" in page.locator(".step-count").inner_text()
        page.get_by_role("button", name="No").click()


def choose(page: Any, group: str, option: str) -> None:
    page.get_by_role("group", name=group).get_by_role("radio", name=option, exact=True).check()


def test_new_patient_signs_up_screens_gets_a_program_and_completes_a_session(
    live_server: Any, phone_page: Any
) -> None:
    page = phone_page
    base = live_server.url
    # No page of the journey logs a console error or throws (issue 14).
    errors: list[str] = []
    page.on(
        "console", lambda msg: errors.append(f"{msg.text} at {msg.location}") if msg.type == "error" else None
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_up(page, base, "journey@example.org")
    shot(page, "01-screen-question")
    # Neither answer is the expected one: Yes and No look the same and are the same size.
    yes, no = page.get_by_role("button", name="Yes"), page.get_by_role("button", name="No")
    style = (
        "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color, getComputedStyle(e).fontSize]"
    )
    assert yes.evaluate(style) == no.evaluate(style)
    assert (yes.bounding_box() or {})["height"] == (no.bounding_box() or {})["height"]
    assert abs((yes.bounding_box() or {})["width"] - (no.bounding_box() or {})["width"]) < 1
    answer_all_no(page)

    page.get_by_label("How old are you?").fill("42")
    shot(page, "02-about")
    page.get_by_role("button", name="Next").click()
    choose(page, "How bad is your back pain right now?", "5")
    page.get_by_label("How long has this bout of back pain lasted?").fill("3")
    page.get_by_label("Days, weeks, months or years").select_option("weeks")
    choose(page, "Is this the first time you have ever had back pain?", "No, I've had it before")
    shot(page, "03-pain")
    page.get_by_role("button", name="Next").click()
    choose(page, "How far down do pain, numbness or tingling go?", "Below the knee")
    choose(
        page,
        "Which of these eases your pain, or draws leg symptoms back up towards your back?",
        "Lying on my front, arching back, standing or walking",
    )
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Next").click()  # what makes it worse: nothing ticked
    page.get_by_role("button", name="Next").click()  # health: nothing ticked
    choose(page, "What is your work mostly like?", "Desk or computer work")
    page.get_by_role("button", name="Next").click()
    choose(page, "How active are you usually?", "Fairly active")
    choose(page, "Can you get down to the floor and back up again?", "Yes")
    choose(page, "How many minutes a day can you give to your exercises?", "15 minutes")
    choose(page, "On how many days a week?", "5")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Activity 1").fill("Sit through a film")
    assert page.get_by_text("10 as well as before").first.is_visible()  # not the pain scale's "worst"
    choose(page, "How well can you do activity 1 now?", "3")
    page.get_by_role("button", name="Next").click()
    shot(page, "04-review")
    page.get_by_role("button", name="Make my program").click()

    assert page.url.endswith("/program/")
    shot(page, "05-program")
    program = ProgramVersion.objects.get()
    first = program.exercises[0]
    assert page.get_by_role("heading", name=first["name"]).is_visible()
    # Leg pain eased by extension: nothing that bends the back forward.
    assert not {"knee-to-chest", "double-knee-to-chest", "seated-forward-fold", "childs-pose"} & {
        e["id"] for e in program.exercises
    }

    page.get_by_role("link", name="Start today's session").first.click()
    choose(page, "How bad is your back pain right now?", "4")
    page.get_by_role("button", name="Start").click()
    for number in range(1, len(program.exercises) + 1):
        assert f"Exercise {number} of {len(program.exercises)}" in page.locator(".step-count").inner_text()
        if number == 1:
            page.get_by_role("button", name="Start with the timer").click()
            assert page.locator(".timer-phase").inner_text() == "Get ready"
            shot(page, "06-player-timer")
            page.get_by_role("button", name="Pause", exact=True).click()
            assert page.get_by_role("button", name="Resume").is_visible()
        choose(page, "How bad was your pain during this exercise?", "3")
        choose(page, "How did it feel?", "About right")
        choose(page, "Your leg symptoms during it", "No change")
        page.get_by_role("button", name="Done, next").click()
    choose(page, "How bad is your back pain now, after your exercises?", "3")
    page.get_by_role("button", name="Finish").click()
    assert "Session done" in page.locator("h1").inner_text()
    shot(page, "07-done")
    session = ExerciseSession.objects.get()
    assert session.completed_at is not None
    assert (session.pain_before, session.pain_after) == (4, 3)
    assert ExerciseLog.objects.filter(session=session, completed=True).count() == len(program.exercises)

    page.goto(base + "/checkin/")
    choose(page, "How bad is your back pain this morning?", "3")
    # Each warning sign is answered; none is answered in advance.
    questions = care_presenters.checkin_questions(program)
    assert page.locator('input[name^="flag_"]:checked').count() == 0
    for question in questions:
        choose(page, question.question, "No")
    shot(page, "08-checkin")
    page.get_by_role("button", name="Send").click()
    assert "Thanks for checking in" in page.locator("h1").inner_text()
    assert CheckIn.objects.get().morning_pain == 3
    page.goto(base + "/today/")
    shot(page, "09-today")
    assert page.locator(".week .done").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for path in ("/program/", "/progress/", "/settings/", "/exercises/", "/learn/"):
        assert page.goto(base + path).status == 200, path
    assert errors == []


def test_red_flag_answer_blocks_the_program_with_an_unmistakable_message(
    live_server: Any, phone_page: Any
) -> None:
    page = phone_page
    sign_up(page, live_server.url, "redflag@example.org")
    page.get_by_role("button", name="Yes").click()  # the first question is a cauda equina sign
    assert page.url.endswith("/start/get-help/")
    assert page.get_by_role("heading", name="Get medical help now").is_visible()
    assert "emergency department" in page.get_by_role("alert").first.inner_text()
    shot(page, "10-emergency")
    assert ScreeningEvent.objects.get().tier == "emergency_now"
    page.goto(live_server.url + "/session/")
    assert page.url.endswith("/start/get-help/")
    # Going back to the questions, or to the start, does not undo the advice.
    page.goto(live_server.url + "/start/screen/1/")
    assert page.url.endswith("/start/get-help/")
    page.goto(live_server.url + "/start/")
    assert page.url.endswith("/start/get-help/")
    assert not ProgramVersion.objects.exists()
