"""Onboarding: the warning-sign screen first, then the intake, then a program."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from tests.care_helpers import (
    DESK_WORKER_ANSWERS,
    PASSWORD,
    answer_intake,
    answer_screen,
    at_once,
    checkin_answers,
    onboard,
    patient_user,
    sign_up,
)

from lumbar.domain import screening
from lumbar.domain.intake import parse_intake
from lumbar.web.care import services as care_services
from lumbar.web.onboarding import services as onboarding_services
from lumbar.web.records.models import (
    CheckIn,
    ExerciseSession,
    IntakeDraft,
    IntakeRecord,
    OutcomeScore,
    ProgramVersion,
    ScreeningEvent,
)

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


# --- The warning-sign gate is server-side state ------------------------------------------------------

QUESTIONS = screening.default_rules().red_flags
LAST = len(QUESTIONS)
URGENT = next(q.key for q in QUESTIONS if q.tier == "urgent_same_day")


def program_made() -> bool:
    return ProgramVersion.objects.exists()


def signed_in_again() -> Client:
    """A new browser: nothing carried over but the account."""
    fresh = Client()
    fresh.post("/accounts/login/", {"username": "pat@example.org", "password": PASSWORD})
    return fresh


def test_posting_the_review_without_the_screen_makes_no_program(client: Client) -> None:
    sign_up(client)
    for slug, data in DESK_WORKER_ANSWERS.items():
        response = client.post(f"/start/{slug}/", data)
        assert response["Location"] == "/start/screen/1/", slug
    response = client.post("/start/review/")
    assert response.status_code == 302
    assert not program_made()
    assert client.get(response["Location"])["Location"] == "/start/screen/1/"
    assert not IntakeRecord.objects.exists()


def test_posting_the_review_with_a_screen_half_answered_makes_no_program(client: Client) -> None:
    sign_up(client)
    for number in range(1, LAST // 2):
        client.post(f"/start/screen/{number}/", {"answer": "no"})
    client.post(f"/start/screen/{LAST}/", {"answer": "no"})  # the last one, by its address
    answer_intake_anyway(client)
    client.post("/start/review/")
    assert not program_made()
    assert client.get("/start/")["Location"] == f"/start/screen/{LAST // 2}/"


def answer_intake_anyway(client: Client) -> None:
    for slug, data in DESK_WORKER_ANSWERS.items():
        client.post(f"/start/{slug}/", data)


def test_the_service_itself_refuses_a_program_before_the_screen(client: Client) -> None:
    """The check is in the service that makes the program, not only in the order of the pages."""
    sign_up(client)
    user = patient_user()
    full_intake = {
        "age": 38,
        "episode_weeks": 3.0,
        "pain": {"now": 4},
        "leg_symptoms": "none",
        "_done": list(DESK_WORKER_ANSWERS),
    }
    onboarding_services.save_draft(user, full_intake, step="goals")
    with pytest.raises(onboarding_services.ScreenIncomplete):
        onboarding_services.submit_intake(user)
    onboarding_services.save_draft(user, {"red_flags": {q.key: False for q in QUESTIONS[:-1]}}, step="screen")
    with pytest.raises(onboarding_services.ScreenIncomplete):
        onboarding_services.submit_intake(user)
    onboarding_services.save_draft(user, {"red_flags": {q.key: False for q in QUESTIONS}}, step="screen")
    assert onboarding_services.submit_intake(user).program is not None


def test_answering_no_again_after_an_emergency_does_not_unblock(client: Client) -> None:
    sign_up(client)
    assert answer_screen(client, yes=("saddle_numbness",))["Location"] == "/start/get-help/"
    for number in range(1, LAST + 1):
        response = client.post(f"/start/screen/{number}/", {"answer": "no"})
        assert response["Location"] == "/start/get-help/", number
    assert client.get("/start/screen/1/")["Location"] == "/start/get-help/"
    answer_intake_anyway(client)
    assert client.post("/start/review/")["Location"] == "/start/get-help/"
    assert not program_made()
    assert [e.tier for e in ScreeningEvent.objects.all()] == ["emergency_now"]
    assert IntakeDraft.objects.get().answers["red_flags"] == {"saddle_numbness": True}
    assert "Get medical help now" in client.get("/start/get-help/").content.decode()


def test_answering_no_again_after_an_urgent_answer_does_not_unblock(client: Client) -> None:
    sign_up(client)
    assert answer_screen(client, yes=(URGENT,))["Location"] == "/start/get-help/"
    answer_screen(client)
    answer_intake_anyway(client)
    client.post("/start/review/")
    assert not program_made()
    assert client.get("/start/")["Location"] == "/start/get-help/"


def test_going_to_the_start_again_does_not_reset_the_block(client: Client) -> None:
    sign_up(client)
    answer_screen(client, yes=("bladder_change",))
    for _ in range(3):
        assert client.get("/start/")["Location"] == "/start/get-help/"
    assert client.get("/start/about/")["Location"] == "/start/get-help/"
    assert client.get("/start/review/")["Location"] == "/start/get-help/"
    assert client.get("/start/get-help/").status_code == 200


def test_the_block_holds_in_a_new_browser(client: Client) -> None:
    sign_up(client)
    answer_screen(client, yes=("saddle_numbness",))
    fresh = signed_in_again()
    assert fresh.get("/start/")["Location"] == "/start/get-help/"
    answer_screen(fresh)
    assert fresh.get("/start/")["Location"] == "/start/get-help/"
    assert not program_made()


def test_only_a_posted_clinician_check_lifts_the_block(client: Client) -> None:
    sign_up(client)
    answer_screen(client, yes=("saddle_numbness",))
    assert client.get("/start/get-help/seen-a-clinician/")["Location"] == "/start/get-help/"
    assert client.get("/start/")["Location"] == "/start/get-help/"
    assert client.post("/start/get-help/seen-a-clinician/")["Location"] == "/start/screen/1/"
    # Every question must be answered again before a program: the earlier answers are gone.
    answer_intake_anyway(client)
    client.post("/start/review/")
    assert not program_made()
    assert client.get("/start/")["Location"] == "/start/screen/1/"
    answer_screen(client)
    answer_intake(client)
    assert client.post("/start/review/")["Location"] == "/program/"


def test_a_new_warning_sign_after_the_clinician_check_blocks_again(client: Client) -> None:
    sign_up(client)
    answer_screen(client, yes=("saddle_numbness",))
    client.post("/start/get-help/seen-a-clinician/")
    assert answer_screen(client, yes=(URGENT,))["Location"] == "/start/get-help/"
    answer_screen(client)
    assert client.get("/start/")["Location"] == "/start/get-help/"


def test_changing_a_screen_answer_to_yes_after_the_screen_still_blocks_the_program(client: Client) -> None:
    sign_up(client)
    answer_screen(client)
    answer_intake(client)
    number = next(n for n, q in enumerate(QUESTIONS, start=1) if q.key == URGENT)
    client.post(f"/start/screen/{number}/", {"answer": "yes"})
    assert client.post("/start/review/")["Location"] == "/start/get-help/"
    assert not program_made()
    assert client.get("/start/")["Location"] == "/start/get-help/"


# --- Making the program, finishing a session and checking in happen once ----------------------------


def counts() -> dict[str, int]:
    return {
        "intakes": IntakeRecord.objects.count(),
        "screenings": ScreeningEvent.objects.filter(context="onboarding").count(),
        "scores": OutcomeScore.objects.count(),
        "programs": ProgramVersion.objects.count(),
    }


def test_repeated_review_submits_make_one_program(client: Client) -> None:
    onboard(client)
    once = counts()
    assert once["intakes"] == once["programs"] == 1
    for _ in range(3):
        assert client.post("/start/review/")["Location"] == "/program/"
    assert counts() == once


def all_redirected(results: list[Any]) -> bool:
    """Every concurrent request answered with the normal redirect: no error, no 500."""
    assert all(getattr(r, "status_code", None) == 302 for r in results), results
    return True


@pytest.mark.usefixtures("concurrent_writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_review_submits_make_one_program() -> None:
    client = Client()
    sign_up(client)
    answer_screen(client)
    answer_intake(client)
    results = at_once(patient_user(), 6, lambda c: c.post("/start/review/"))
    assert all_redirected(results)
    assert {r["Location"] for r in results} == {"/program/"}
    made = counts()
    assert (made["intakes"], made["screenings"], made["programs"]) == (1, 2, 1)
    # One baseline score per questionnaire (NPRS, PSFS...), not one set per submit.
    assert OutcomeScore.objects.values("instrument").distinct().count() == made["scores"]


DAY1 = dt.date(2026, 3, 2)


def session_ready(user: Any, day: dt.date) -> ExerciseSession:
    """A session with every exercise logged as easy, waiting for its last answer."""
    session = care_services.start_session(user, today=day)
    care_services.record_pain_before(user, session.pk, 3)
    for entry in session.program.exercises:
        care_services.log_exercise(
            user, session.pk, entry["id"], completed=True, sets=entry["sets"], reps=entry.get("reps"),
            hold_seconds=entry.get("hold_seconds"), pain_during=2, difficulty="easy",
        )  # fmt: skip
    return session


def test_finishing_a_session_twice_reviews_it_once(client: Client) -> None:
    onboard(client)
    user = patient_user()
    care_services.finish_session(user, session_ready(user, DAY1).pk, 2)
    second = session_ready(user, DAY1 + dt.timedelta(days=1))
    client.post(f"/session/{second.pk}/finish/", {"pain": "2"})
    versions = ProgramVersion.objects.count()
    for _ in range(3):
        assert (
            client.post(f"/session/{second.pk}/finish/", {"pain": "5"})["Location"]
            == f"/session/{second.pk}/done/"
        )
    assert ProgramVersion.objects.count() == versions
    second.refresh_from_db()
    assert second.pain_after == 2


@pytest.mark.usefixtures("concurrent_writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_session_finishes_review_it_once() -> None:
    onboard(Client())
    user = patient_user()
    care_services.finish_session(user, session_ready(user, DAY1).pk, 2)
    second = session_ready(user, DAY1 + dt.timedelta(days=1))
    before = ProgramVersion.objects.count()
    results = at_once(user, 5, lambda c: c.post(f"/session/{second.pk}/finish/", {"pain": "2"}))
    assert all_redirected(results)
    # Two easy sessions progress the program once (see test_care_review); never once per submit.
    assert ProgramVersion.objects.count() == before + 1


@pytest.mark.usefixtures("concurrent_writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_session_starts_make_one_session() -> None:
    onboard(Client())
    results = at_once(patient_user(), 5, lambda c: c.get("/session/"))
    assert all_redirected(results)
    assert ExerciseSession.objects.count() == 1


def checkin_form(pain: int = 3) -> dict[str, str]:
    return checkin_answers(pain)


def test_the_same_check_in_sent_twice_is_stored_and_reviewed_once(client: Client) -> None:
    onboard(client)
    user = patient_user()
    care_services.finish_session(user, session_ready(user, DAY1).pk, 2)
    first = care_services.record_checkin(user, 3, {}, today=DAY1 + dt.timedelta(days=1))
    again = care_services.record_checkin(user, 3, {}, today=DAY1 + dt.timedelta(days=1))
    assert again.new_program is None
    assert again.alerts == []
    assert again.triage is None
    assert CheckIn.objects.count() == 1
    assert first is not again
    # A different answer on a second try replaces the day's and is reviewed: a warning sign counts.
    changed = care_services.record_checkin(
        user, 3, {"bladder_change": True}, today=DAY1 + dt.timedelta(days=1)
    )
    assert changed.triage is not None
    assert changed.triage.tier == "emergency_now"
    assert CheckIn.objects.count() == 1
    # Sent again, it is not stored twice, and the advice it raised still stands.
    resent = care_services.record_checkin(
        user, 3, {"bladder_change": True}, today=DAY1 + dt.timedelta(days=1)
    )
    assert resent.triage == changed.triage
    assert ScreeningEvent.objects.filter(context="checkin").count() == 1


def test_repeated_check_in_posts_make_one_check_in(client: Client) -> None:
    onboard(client)
    for _ in range(3):
        assert client.post("/checkin/", checkin_form())["Location"] == "/checkin/done/"
    assert CheckIn.objects.count() == 1


@pytest.mark.usefixtures("concurrent_writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_check_ins_make_one_check_in() -> None:
    onboard(Client())
    results = at_once(patient_user(), 5, lambda c: c.post("/checkin/", checkin_form()))
    assert all_redirected(results)
    assert CheckIn.objects.count() == 1


# --- The screens a patient reads ---------------------------------------------------------------------


def test_no_and_yes_have_equal_weight_on_the_warning_sign_screens(client: Client) -> None:
    sign_up(client)
    html = client.get("/start/screen/1/").content.decode()
    yes = html[html.index('value="yes"') - 200 : html.index('value="yes"')]
    no = html[html.index('value="no"') - 200 : html.index('value="no"')]
    assert (
        yes.rsplit("<button", 1)[1].split('type="submit"')[0]
        == no.rsplit("<button", 1)[1].split('type="submit"')[0]
    )


def test_each_0_to_10_scale_says_what_its_ends_mean(client: Client) -> None:
    sign_up(client)
    answer_screen(client)
    answer_intake(client, {k: v for k, v in DESK_WORKER_ANSWERS.items() if k != "goals"})
    goals = client.get("/start/goals/").content.decode()
    assert "10 as well as before" in goals
    assert "0 can't do it" in goals
    assert "worst" not in goals
    pain = client.get("/start/pain/").content.decode()
    assert "0 no pain" in pain
    assert "10 worst pain" in pain
    assert "as well as before" not in pain


# --- The new intake questions, where they apply (issue 12) -------------------------------------------

BOTH_LEGS = {"leg_symptoms": "below_knee", "leg_side": "both", "directional_preference": "unknown"}
CAUDA_EQUINA = [q.key for q in QUESTIONS if q.condition == "cauda equina syndrome"]


def through(client: Client, last: str, answers: dict[str, dict[str, Any]] = DESK_WORKER_ANSWERS) -> None:
    """Sign up, answer the screen, and the intake steps up to and including `last`."""
    sign_up(client)
    answer_screen(client)
    slugs = list(answers)
    answer_intake(client, {slug: answers[slug] for slug in slugs[: slugs.index(last) + 1]})


def finish(client: Client, after: str, answers: dict[str, dict[str, Any]] = DESK_WORKER_ANSWERS) -> Any:
    slugs = list(answers)
    answer_intake(client, {slug: answers[slug] for slug in slugs[slugs.index(after) + 1 :]})
    return client.post("/start/review/")


def made_intake() -> dict[str, Any]:
    return IntakeRecord.objects.get().data


def test_both_legs_in_a_new_episode_asks_the_cauda_equina_questions_again(client: Client) -> None:
    through(client, "pain")
    response = client.post("/start/legs/", BOTH_LEGS)
    assert response["Location"] == "/start/both-legs/"
    html = client.get("/start/both-legs/").content.decode()
    for question in QUESTIONS:
        shown = question.question.replace("'", "&#x27;") in html
        assert shown == (question.key in CAUDA_EQUINA), question.key
    assert "new, or that has spread from one leg to both" in html
    assert html.count('value="yes"') == html.count('value="no"') == len(CAUDA_EQUINA)
    # Unanswered is not "no": every question must be answered.
    assert client.post("/start/both-legs/", {}).status_code == 200
    response = client.post("/start/both-legs/", dict.fromkeys(CAUDA_EQUINA, "no"))
    assert response["Location"] == "/start/activities/"
    assert IntakeDraft.objects.get().answers["_cauda_equina"] == dict.fromkeys(CAUDA_EQUINA, False)


def test_a_yes_to_the_cauda_equina_questions_asked_again_stops_like_the_screen(client: Client) -> None:
    through(client, "pain")
    client.post("/start/legs/", BOTH_LEGS)
    answers = {**dict.fromkeys(CAUDA_EQUINA, "no"), "bladder_change": "yes"}
    assert client.post("/start/both-legs/", answers)["Location"] == "/start/get-help/"
    event = ScreeningEvent.objects.filter(tier="emergency_now").get()
    assert "bladder_change" in event.flags
    assert "Get medical help now" in client.get("/start/get-help/").content.decode()
    # The same blocked state as the screen: nothing gets past it but the clinician path.
    assert client.get("/start/").headers["Location"] == "/start/get-help/"
    assert finish(client, "legs")["Location"] == "/start/get-help/"
    assert not program_made()


def test_the_review_cannot_skip_the_cauda_equina_questions(client: Client) -> None:
    through(client, "pain")
    client.post("/start/legs/", BOTH_LEGS)
    response = finish(client, "legs")
    assert response["Location"] == "/start/both-legs/"
    assert not program_made()
    with pytest.raises(onboarding_services.ScreenIncomplete):
        onboarding_services.submit_intake(patient_user())
    assert not program_made()


def test_answering_no_to_the_questions_asked_again_leaves_the_decision_to_the_screening_rules(
    client: Client,
) -> None:
    through(client, "pain")
    client.post("/start/legs/", BOTH_LEGS)
    client.post("/start/both-legs/", dict.fromkeys(CAUDA_EQUINA, "no"))
    finish(client, "legs")
    # The screening rules count both legs in a new episode as the warning sign whatever the answers.
    intake = made_intake()
    assert intake["leg_side"] == "both"
    expected = screening.triage(parse_intake(intake)).tier.value
    assert ScreeningEvent.objects.first().tier == expected
    assert expected == "emergency_now"
    assert client.get("/start/").headers["Location"] == "/start/get-help/"


def test_both_legs_in_a_long_episode_or_one_leg_are_not_asked_again(client: Client) -> None:
    long_episode = {**DESK_WORKER_ANSWERS["pain"], "duration": "6", "duration_unit": "months"}
    through(client, "pain", {**DESK_WORKER_ANSWERS, "pain": long_episode})
    assert client.post("/start/legs/", BOTH_LEGS)["Location"] == "/start/activities/"
    assert client.get("/start/both-legs/").status_code == 404
    client.post("/start/pain/", DESK_WORKER_ANSWERS["pain"])  # three weeks: now it applies
    assert client.get("/start/").headers["Location"] == "/start/both-legs/"
    client.post("/start/legs/", {**BOTH_LEGS, "leg_side": "left"})
    assert client.get("/start/both-legs/").status_code == 404


def test_pregnancy_weeks_are_asked_when_pregnancy_is_ticked_and_reach_the_intake(client: Client) -> None:
    through(client, "activities")
    assert client.post("/start/health/", {"conditions": ["pregnancy"]})["Location"] == "/start/health-dates/"
    html = client.get("/start/health-dates/").content.decode()
    assert "How many weeks pregnant are you?" in html
    assert "spine operation" not in html
    assert client.post("/start/health-dates/", {}).status_code == 200  # required when asked
    assert client.post("/start/health-dates/", {"pregnancy_weeks": "20"})["Location"] == "/start/day/"
    assert finish(client, "health")["Location"] == "/program/"
    assert made_intake()["pregnancy_weeks"] == 20
    assert "pregnancy" in made_intake()["conditions"]


def test_surgery_weeks_are_asked_when_spine_surgery_is_ticked(client: Client) -> None:
    through(client, "activities")
    client.post("/start/health/", {"conditions": ["recent_spinal_surgery"]})
    html = client.get("/start/health-dates/").content.decode()
    assert "How many weeks ago was your spine operation?" in html
    assert "weeks pregnant" not in html
    client.post("/start/health-dates/", {"surgery_weeks": "30"})
    finish(client, "health")
    assert made_intake()["surgery_weeks"] == 30


def test_the_dates_step_is_asked_again_when_a_timed_condition_is_ticked_later(client: Client) -> None:
    through(client, "goals")
    client.post("/start/health/", {"conditions": ["pregnancy"]})
    client.post("/start/health-dates/", {"pregnancy_weeks": "12"})
    client.post("/start/health/", {"conditions": ["pregnancy", "recent_spinal_surgery"]})
    assert client.post("/start/review/")["Location"] == "/start/health-dates/"
    assert not program_made()
    # Unticking drops the weeks it timed, so the intake stays valid.
    client.post("/start/health/", {"conditions": []})
    assert client.get("/start/health-dates/").status_code == 404
    assert client.post("/start/review/")["Location"] == "/program/"
    assert "pregnancy_weeks" not in made_intake()


def test_no_dates_step_without_a_timed_condition(client: Client) -> None:
    through(client, "activities")
    assert client.post("/start/health/", {})["Location"] == "/start/day/"
    assert client.get("/start/health-dates/").status_code == 404


def test_weeks_since_birth_are_asked_of_women_and_others_only(client: Client) -> None:
    through(client, "activities")  # female
    html = client.get("/start/health/").content.decode()
    assert "given birth in the last two years" in html
    client.post("/start/health/", {"postpartum_weeks": "26"})
    assert finish(client, "health")["Location"] == "/program/"
    assert made_intake()["postpartum_weeks"] == 26


def test_weeks_since_birth_are_not_asked_of_men_and_an_old_answer_is_dropped(client: Client) -> None:
    through(client, "activities")
    client.post("/start/health/", {"postpartum_weeks": "26"})
    client.post("/start/about/", {"age": "38", "sex": "male"})
    assert "given birth" not in client.get("/start/health/").content.decode()
    client.post("/start/health/", {})
    assert finish(client, "health")["Location"] == "/program/"
    assert "postpartum_weeks" not in made_intake()


def test_years_of_back_pain_reach_the_intake_unless_this_is_the_first_time(client: Client) -> None:
    through(client, "about")
    client.post("/start/pain/", {**DESK_WORKER_ANSWERS["pain"], "back_pain_years": "5"})
    assert finish(client, "pain")["Location"] == "/program/"
    assert made_intake()["back_pain_years"] == 5.0
    second = Client()
    sign_up(second, "first@example.org")
    answer_screen(second)
    second.post("/start/about/", DESK_WORKER_ANSWERS["about"])
    second.post(
        "/start/pain/", {**DESK_WORKER_ANSWERS["pain"], "first_episode": "yes", "back_pain_years": "5"}
    )
    draft = IntakeDraft.objects.get(patient__username="first@example.org")
    assert draft.answers.get("back_pain_years") is None


def test_years_of_back_pain_bring_the_inflammatory_questions(client: Client) -> None:
    through(client, "pain")
    assert "wakes_second_half_of_night" not in client.get("/start/health/").content.decode()
    client.post("/start/pain/", {**DESK_WORKER_ANSWERS["pain"], "back_pain_years": "4"})
    assert "wakes_second_half_of_night" in client.get("/start/health/").content.decode()


def test_the_new_conditions_are_offered_in_plain_words_and_reach_the_intake(client: Client) -> None:
    through(client, "activities")
    html = client.get("/start/health/").content.decode()
    for key in (
        "pelvic_girdle_pain",
        "hypermobility",
        "previous_vertebral_fracture",
        "falls_or_poor_balance",
        "steroid_use",
    ):
        assert f'value="{key}"' in html
    assert "Very bendy joints" in html
    assert "steroid tablets" in html
    client.post("/start/health/", {"conditions": ["hypermobility", "falls_or_poor_balance"]})
    finish(client, "health")
    assert made_intake()["conditions"] == ["hypermobility", "falls_or_poor_balance"]


def test_the_activities_a_person_wants_back_reach_the_intake(client: Client) -> None:
    through(client, "exercise")
    html = client.get("/start/goals/").content.decode()
    assert "want to get back to" in html
    client.post("/start/goals/", {**DESK_WORKER_ANSWERS["goals"], "activities": ["running", "swimming"]})
    review = client.get("/start/review/").content.decode()
    assert "Running, Swimming" in review
    assert client.post("/start/review/")["Location"] == "/program/"
    assert made_intake()["activities"] == ["running", "swimming"]


def test_a_referred_intake_submitted_again_stays_referred(client: Client) -> None:
    through(client, "pain")
    client.post("/start/legs/", BOTH_LEGS)
    client.post("/start/both-legs/", dict.fromkeys(CAUDA_EQUINA, "no"))
    assert finish(client, "legs")["Location"] == "/start/get-help/"  # both legs, new episode
    once = counts()
    assert once["programs"] == 0
    assert client.post("/start/review/")["Location"] == "/start/get-help/"
    assert counts() == once
