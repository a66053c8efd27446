"""axe-core (WCAG 2.2 A and AA rules) on every page the patient's journey visits, at 360 px and at
1280 px: signed out, sign-up, the warning-sign questions, the intake (and a failed submit), the
program, a whole session with the timer in each of its states, the check-in, Today, progress with a
month of history and a due check, settings, the password pages and the stop page. Any critical or
serious violation fails the test, named with its page, width and elements."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.care_helpers import PASSWORD, onboard
from tests.care_history import do_session, patient, started_days_ago

from lumbar.web.outcomes import selectors as outcomes_selectors
from lumbar.web.records.models import ProgramVersion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[1]


def ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def choose(page: Any, group: str, option: str) -> None:
    page.get_by_role("group", name=group).get_by_role("radio", name=option, exact=True).check()


def sign_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/today/")


def test_public_pages_and_sign_in_pass_axe_at_phone_and_desktop_width(
    live_server: Any, phone_page: Any, axe: Any
) -> None:
    page, base = phone_page, live_server.url
    for path in ("/", "/exercises/", "/learn/", "/signup/", "/accounts/login/", "/accounts/password/reset/"):
        page.goto(base + path)
        axe.check(page, path)
    page.goto(base + "/exercises/")
    page.locator(".exercise-card h2 a").first.click()
    axe.check(page, "an exercise")
    page.goto(base + "/learn/")
    page.locator("main h2 a, main h3 a").first.click()
    axe.check(page, "a topic")
    page.goto(base + "/no-such-page/")
    axe.check(page, "404")
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_label("Password").fill("wrong-password-here")
    page.get_by_role("button", name="Sign in").click()
    axe.check(page, "sign-in refused")
    page.goto(base + "/signup/")
    page.get_by_label("Email").fill("new@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()  # "I understand" not ticked
    axe.check(page, "sign-up refused")
    assert len(axe.checked) == 22
    assert axe.violations == []


def test_the_journey_from_sign_up_to_a_finished_session_passes_axe_at_phone_and_desktop_width(
    live_server: Any, phone_page: Any, axe: Any
) -> None:
    page, base = phone_page, live_server.url
    page.clock.install()
    page.goto(base + "/signup/")
    page.get_by_label("Email").fill("axe@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Create account").click()
    axe.check(page, "check your email")
    page.get_by_role("link", name="Open the link from the email").click()
    axe.check(page, "warning-sign question 1")
    while "/start/screen/" in page.url:
        page.get_by_role("button", name="No").click()

    # The intake, each step as it first shows, and the first one refused.
    axe.check(page, "intake: about you")
    page.get_by_role("button", name="Next").click()
    axe.check(page, "intake: about you, refused")
    page.get_by_label("How old are you?").fill("42")
    page.get_by_role("button", name="Next").click()
    axe.check(page, "intake: pain")
    choose(page, "How bad is your back pain right now?", "5")
    page.get_by_label("How long has this bout of back pain lasted?").fill("3")
    page.get_by_label("Days, weeks, months or years").select_option("weeks")
    choose(page, "Is this the first time you have ever had back pain?", "No, I've had it before")
    page.get_by_role("button", name="Next").click()
    axe.check(page, "intake: legs")
    choose(page, "How far down do pain, numbness or tingling go?", "Not into my legs")
    page.get_by_role("button", name="Next").click()
    for where in ("intake: what makes it worse", "intake: health"):
        axe.check(page, where)
        page.get_by_role("button", name="Next").click()
    axe.check(page, "intake: your day")
    choose(page, "What is your work mostly like?", "Desk or computer work")
    page.get_by_role("button", name="Next").click()
    axe.check(page, "intake: exercise")
    choose(page, "How active are you usually?", "Fairly active")
    choose(page, "Can you get down to the floor and back up again?", "Yes")
    choose(page, "How many minutes a day can you give to your exercises?", "15 minutes")
    choose(page, "On how many days a week?", "3")
    page.get_by_role("button", name="Next").click()
    axe.check(page, "intake: goals")
    page.get_by_label("Activity 1").fill("Sit through a film")
    choose(page, "How well can you do activity 1 now?", "3")
    page.get_by_role("button", name="Next").click()
    axe.check(page, "check your answers")
    page.get_by_role("button", name="Make my program").click()
    page.wait_for_url("**/program/")
    axe.check(page, "program")

    page.get_by_role("link", name="Start today's session").first.click()
    axe.check(page, "pain before")
    page.get_by_role("button", name="Start").click()
    axe.check(page, "pain before, refused")
    choose(page, "How bad is your back pain right now?", "4")
    page.get_by_role("button", name="Start").click()
    total = len(ProgramVersion.objects.get().exercises)
    for number in range(1, total + 1):
        axe.check(page, f"exercise {number}")
        if number == 1:
            page.get_by_role("button", name="Start with the timer").click()
            axe.check(page, "exercise 1, get ready")
            page.clock.run_for(6_000)
            axe.check(page, f"exercise 1, {page.locator('.timer-phase').inner_text()}")
        choose(page, "How bad was your pain during this exercise?", "3")
        choose(page, "How did it feel?", "About right")
        page.get_by_role("button", name="Done, next").click()
    axe.check(page, "pain after")
    choose(page, "How bad is your back pain now, after your exercises?", "3")
    page.get_by_role("button", name="Finish").click()
    axe.check(page, "session done")
    for path, where in (
        ("/today/", "today"),
        ("/checkin/", "check-in"),
        ("/progress/", "progress, first day"),
        ("/settings/", "settings"),
        ("/accounts/password/change/", "change password"),
    ):
        page.goto(base + path)
        axe.check(page, where)
    page.goto(base + "/checkin/")
    page.get_by_role("button", name="Send").click()
    axe.check(page, "check-in, refused")
    choose(page, "How bad is your back pain this morning?", "3")
    for group in page.locator("fieldset fieldset, .field fieldset").all():
        group.get_by_role("radio", name="No", exact=True).check()
    page.get_by_role("button", name="Send").click()
    axe.check(page, "check-in done")
    assert len(axe.checked) == 2 * (26 + total)
    assert axe.violations == []


def test_progress_with_history_the_due_check_and_the_stop_page_pass_axe(
    live_server: Any, phone_page: Any, axe: Any
) -> None:
    onboard(Client())
    user = patient()
    started_days_ago(user, outcomes_selectors.reassessment_weeks()[0] * 7 + 9)
    for n in (12, 9, 6, 4, 2):
        do_session(user, ago(n), before=5, after=4)
    page, base = phone_page, live_server.url
    sign_in(page, base, "pat@example.org")
    axe.check(page, "today with history")
    for path, where in (("/progress/", "progress with history"), ("/progress/reassess/", "due check")):
        page.goto(base + path)
        axe.check(page, where)
    page.get_by_role("button", name="Save my answers").click()
    axe.check(page, "due check, refused")

    blocked = Client()
    onboard(blocked, "stop@example.org")
    page.context.clear_cookies()
    sign_in(page, base, "stop@example.org")
    page.goto(base + "/checkin/")
    choose(page, "How bad is your back pain this morning?", "3")
    for group in page.locator("fieldset fieldset, .field fieldset").all():
        group.get_by_role("radio", name="No", exact=True).check()
    page.locator("fieldset fieldset").first.get_by_role("radio", name="Yes", exact=True).check()
    page.get_by_role("button", name="Send").click()
    page.wait_for_url("**/start/get-help/")
    axe.check(page, "stop page")
    assert len(axe.checked) == 2 * 5
    assert axe.violations == []


def test_axe_and_htmx_are_the_versions_package_lock_pins(axe_script: str) -> None:
    """npm installs the front-end packages from package-lock.json; the htmx the app serves is that
    package's own dist file, byte for byte."""
    lock = json.loads((REPO / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    installed = json.loads((REPO / "node_modules/axe-core/package.json").read_text(encoding="utf-8"))
    assert axe_script.startswith(f"/*! axe v{installed['version']}\n")
    assert installed["version"] == lock["node_modules/axe-core"]["version"]
    htmx = lock["node_modules/htmx.org"]["version"]
    served = REPO / "src/lumbar/web/static/vendor" / f"htmx-{htmx}.min.js"
    assert served.read_bytes() == (REPO / "node_modules/htmx.org/dist/htmx.min.js").read_bytes()
