"""Onboarding: the warning-sign screen first, then the intake, then a program."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.care_helpers import DESK_WORKER_ANSWERS, answer_intake, answer_screen, onboard, sign_up

from lumbar.web.care.models import IntakeDraft, ProgramVersion, ScreeningEvent

pytestmark = pytest.mark.django_db


def test_new_patient_goes_from_sign_up_to_a_program_with_reasons(client: Client) -> None:
    onboard(client)
    program = ProgramVersion.objects.get()
    assert program.number == 1
    assert program.program["status"] == "ok"
    assert 3 <= len(program.exercises) <= 6
    html = client.get("/program/").content.decode()
    for entry in program.exercises:
        assert entry["name"] in html
        assert entry["reasons"][0].replace("'", "&#x27;") in html
    assert "Movement breaks" in html  # desk worker sitting 8 hours a day
    # One screen of the warning signs alone, one of the whole intake (age and onset rules too).
    assert [e.tier for e in ScreeningEvent.objects.all()] == ["routine", "routine"]
    assert not IntakeDraft.objects.exists()


def test_screen_asks_one_question_per_page_and_comes_first(client: Client) -> None:
    sign_up(client)
    response = client.get("/start/")
    assert response["Location"] == "/start/screen/1/"
    html = client.get("/start/screen/1/").content.decode()
    assert "question 1 of 21" in html
    assert html.count('name="answer"') == 2


def test_emergency_answer_stops_at_once_with_what_to_do_and_no_program(client: Client) -> None:
    sign_up(client)
    response = answer_screen(client, yes=("saddle_numbness",))
    assert response["Location"] == "/start/get-help/"
    page = client.get("/start/get-help/").content.decode()
    assert "Get medical help now" in page
    assert "emergency department" in page
    event = ScreeningEvent.objects.get()
    assert event.tier == "emergency_now"
    assert event.flags == ["saddle_numbness"]
    # Every other page sends them back to the advice; no intake, no program.
    assert client.get("/start/").headers["Location"] == "/start/get-help/"
    assert client.get("/start/about/").headers["Location"] == "/start/get-help/"
    assert client.get("/session/").headers["Location"] == "/start/get-help/"
    assert not ProgramVersion.objects.exists()


def test_urgent_answer_blocks_the_program_after_the_last_question(client: Client) -> None:
    sign_up(client)
    response = answer_screen(client, yes=("progressive_leg_weakness",))
    assert response["Location"] == "/start/get-help/"
    assert "Speak to a doctor today" in client.get("/start/get-help/").content.decode()
    assert ScreeningEvent.objects.get().tier == "urgent_same_day"


def test_after_a_clinician_has_checked_them_a_person_can_answer_again(client: Client) -> None:
    sign_up(client)
    answer_screen(client, yes=("fever_or_unwell",))
    response = client.post("/start/get-help/seen-a-clinician/")
    assert response["Location"] == "/start/screen/1/"
    answer_screen(client)
    assert client.get("/start/").headers["Location"] == "/start/about/"


def test_answers_are_kept_when_the_browser_is_closed_mid_way(client: Client) -> None:
    sign_up(client)
    answer_screen(client)
    client.post("/start/about/", DESK_WORKER_ANSWERS["about"])
    client.post("/start/pain/", DESK_WORKER_ANSWERS["pain"])
    fresh = Client()
    fresh.post(
        "/accounts/login/", {"username": "pat@example.org", "password": "correct-horse-battery-staple"}
    )
    assert fresh.get("/start/").headers["Location"] == "/start/legs/"
    html = fresh.get("/start/pain/").content.decode()
    assert 'value="4" checked' in html


def test_back_goes_to_the_previous_step(client: Client) -> None:
    sign_up(client)
    answer_screen(client)
    html = client.get("/start/pain/").content.decode()
    assert 'href="/start/about/"' in html


def test_under_16_is_refused_with_a_clear_message(client: Client) -> None:
    sign_up(client)
    answer_screen(client)
    response = client.post("/start/about/", {"age": "14"})
    assert response.status_code == 200
    assert "adults aged 16 and over" in response.content.decode()


def test_inflammatory_questions_are_asked_only_when_they_can_count(client: Client) -> None:
    sign_up(client)
    answer_screen(client)
    answer_intake(client, {k: v for k, v in DESK_WORKER_ANSWERS.items() if k in ("about", "pain")})
    assert "wakes_second_half_of_night" not in client.get("/start/health/").content.decode()
    client.post("/start/pain/", {**DESK_WORKER_ANSWERS["pain"], "duration": "2", "duration_unit": "years"})
    assert "wakes_second_half_of_night" in client.get("/start/health/").content.decode()
