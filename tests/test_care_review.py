"""After each session and check-in the progression review runs on the stored record, and its safe
changes become a new program version the person can read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from tests.care_helpers import DESK_WORKER_ANSWERS, checkin_answers, onboard
from tests.care_history import log_every_exercise

from lumbar.web.care import services as care_services
from lumbar.web.records import selectors as records
from lumbar.web.records.models import Alert, CheckIn, ExerciseSession, ProgramVersion, ScreeningEvent

pytestmark = pytest.mark.django_db

DAY1 = dt.date(2026, 3, 2)

SCIATICA_ANSWERS = {
    **DESK_WORKER_ANSWERS,
    "legs": {"leg_symptoms": "below_knee", "leg_side": "left", "directional_preference": "extension"},
}


def patient(client: Client, answers: dict[str, dict[str, Any]] = DESK_WORKER_ANSWERS) -> Any:
    onboard(client, "review@example.org", answers)
    return get_user_model().objects.get(username="review@example.org")


def do_session(
    user: Any, day: dt.date, *, difficulty: str = "easy", pain_during: int = 2, leg: str = ""
) -> care_services.ReviewOutcome:
    session = care_services.start_session(user, today=day)
    care_services.record_pain_before(user, session.pk, 3)
    log_every_exercise(user, session, pain_during=pain_during, difficulty=difficulty, leg=leg)
    return care_services.finish_session(user, session.pk, 2, today=day)


def test_two_easy_sessions_progress_the_dose_as_a_new_program_version(client: Client) -> None:
    user = patient(client)
    first = do_session(user, DAY1)
    assert first.new_program is None
    second = do_session(user, DAY1 + dt.timedelta(days=1))
    assert second.new_program is not None
    assert second.new_program.number == 2
    assert second.new_program.source == ProgramVersion.REVIEW
    assert second.new_program.changes
    assert all(" now (was " in c or " is replaced by " in c for c in second.new_program.changes)
    before = {e["id"]: e for e in ProgramVersion.objects.get(number=1).exercises}
    after = {e["id"]: e for e in second.new_program.exercises}
    changed = [i for i in after if i not in before or after[i] != before[i]]
    assert changed
    html = client.get("/program/").content.decode()
    assert "Adjusted after your sessions" in html
    assert second.new_program.changes[0].split(":")[0] in html


def test_hard_sessions_do_not_progress(client: Client) -> None:
    user = patient(client)
    do_session(user, DAY1, difficulty="hard")
    outcome = do_session(user, DAY1 + dt.timedelta(days=1), difficulty="hard")
    assert outcome.new_program is None
    assert records.current_program(user).number == 1


def test_pain_above_the_limit_stops_the_exercise_today_and_says_so(client: Client) -> None:
    user = patient(client)
    outcome = do_session(user, DAY1, pain_during=7)
    assert outcome.stops
    session = records.session_on(user, DAY1)
    response = client.get(f"/session/{session.pk}/done/")
    assert response.status_code == 200


def test_leg_symptoms_spreading_substitute_the_exercise_and_alert(client: Client) -> None:
    user = patient(client, SCIATICA_ANSWERS)
    outcome = do_session(user, DAY1, leg="peripheralised")
    kinds = {a.kind for a in Alert.objects.filter(patient=user)}
    assert "peripheralisation" in kinds
    assert outcome.new_program is not None
    assert any(" is replaced by " in c for c in outcome.new_program.changes)
    old = {e["id"] for e in ProgramVersion.objects.get(number=1).exercises}
    new = {e["id"] for e in outcome.new_program.exercises}
    assert new != old


def test_red_flag_at_a_check_in_blocks_the_program_and_is_stored(client: Client) -> None:
    user = patient(client, SCIATICA_ANSWERS)
    do_session(user, DAY1)
    outcome = care_services.record_checkin(
        user, 3, {"bladder_change": True}, today=DAY1 + dt.timedelta(days=1)
    )
    assert outcome.triage is not None
    assert outcome.triage.tier == "emergency_now"
    assert ScreeningEvent.objects.filter(patient=user, context=ScreeningEvent.CHECKIN).count() == 1
    assert Alert.objects.filter(patient=user, kind="red_flag", severity="emergency").exists()
    assert client.get("/session/")["Location"] == "/start/get-help/"


def test_check_in_page_asks_the_warning_signs_of_people_with_leg_symptoms(client: Client) -> None:
    patient(client, SCIATICA_ANSWERS)
    html = client.get("/checkin/").content.decode()
    assert 'name="flag_bilateral_leg_weakness"' in html
    assert 'name="flag_saddle_numbness"' in html
    # No answer is chosen in advance: a warning sign is answered, never assumed.
    assert " checked" not in html.split('name="flag_', 1)[1].split("</fieldset>", 1)[0]
    unanswered = client.post("/checkin/", {"morning_pain": "3", "flag_bilateral_leg_weakness": "yes"})
    assert unanswered.status_code == 200
    assert "Please answer yes or no." in unanswered.content.decode()
    assert not CheckIn.objects.exists()
    response = client.post(
        "/checkin/", checkin_answers(3, leg_symptoms=True, yes=("bilateral_leg_weakness",))
    )
    assert response["Location"] == "/start/get-help/"


def test_alerts_are_stored_once_a_day_however_often_the_review_runs(client: Client) -> None:
    user = patient(client, SCIATICA_ANSWERS)
    do_session(user, DAY1, leg="peripheralised")
    care_services.run_review(user, today=DAY1)
    count = Alert.objects.filter(patient=user).count()
    assert count > 0
    care_services.run_review(user, today=DAY1)
    assert Alert.objects.filter(patient=user).count() == count


def test_session_player_page_needs_a_fixed_number_of_queries(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    user = patient(client)
    session = care_services.start_session(user)
    care_services.record_pain_before(user, session.pk, 3)
    with django_assert_max_num_queries(8):
        response = client.get(f"/session/{session.pk}/exercise/1/")
    assert response.status_code == 200


def test_once_a_clinician_has_checked_them_the_old_warning_sign_no_longer_blocks(client: Client) -> None:
    user = patient(client, SCIATICA_ANSWERS)
    do_session(user, DAY1)
    care_services.record_checkin(user, 3, {"bladder_change": True}, today=DAY1 + dt.timedelta(days=1))
    assert client.get("/session/")["Location"] == "/start/get-help/"
    client.post("/start/get-help/seen-a-clinician/")
    outcome = do_session(user, DAY1 + dt.timedelta(days=2))
    assert outcome.triage is None
    assert records.blocking_screening(user) is None
    assert client.get("/today/").status_code == 200


def _player_with_pain_before(client: Client, pain_before: int) -> int:
    patient(client)
    client.get("/session/")
    session = ExerciseSession.objects.get(patient__username="review@example.org")
    client.post(f"/session/{session.pk}/pain-before/", {"pain": str(pain_before)})
    return int(session.pk)


def test_the_player_stops_at_the_pain_before_the_session_when_that_was_above_five(client: Client) -> None:
    # Pain 7 before the session: 6 or 7 during is no worse than usual, 8 is worse.
    session_id = _player_with_pain_before(client, 7)
    page = client.get(f"/session/{session_id}/exercise/1/").content.decode()
    assert (
        "Stop this exercise if your pain goes above 7 out of 10, the pain you had before you started" in page
    )
    settled = client.post(
        f"/session/{session_id}/exercise/1/",
        {"pain_during": "7", "difficulty": "right", "done": "1"},
        follow=True,
    )
    assert "Your pain went above" not in settled.content.decode()
    worse = client.post(
        f"/session/{session_id}/exercise/2/",
        {"pain_during": "8", "difficulty": "right", "done": "1"},
        follow=True,
    )
    assert (
        "Your pain went above 7 out of 10 (the pain you had before the session) during"
        in worse.content.decode()
    )


def test_the_player_stops_above_five_when_the_pain_before_was_lower(client: Client) -> None:
    session_id = _player_with_pain_before(client, 2)
    page = client.get(f"/session/{session_id}/exercise/1/").content.decode()
    assert "Stop this exercise if your pain goes above 5 out of 10" in page
    assert "the pain you had before you started" not in page
    worse = client.post(
        f"/session/{session_id}/exercise/1/",
        {"pain_during": "6", "difficulty": "right", "done": "1"},
        follow=True,
    )
    assert "Your pain went above 5 out of 10 during" in worse.content.decode()


def test_the_program_page_shows_the_walk_runs_in_force_in_place_of_the_walks(client: Client) -> None:
    user = patient(client)
    version = records.current_program(user)
    assert version is not None
    plan = dict(version.program)
    plan["walking"] = {
        **plan["walking"],
        "run_walk": {"run_minutes": 1, "walk_minutes": 2, "repeats": 8, "weekly_increase_run_minutes": 1},
        "running": {"run_minutes": 3, "walk_minutes": 2, "repeats": 4},
    }
    ProgramVersion.objects.filter(pk=version.pk).update(program=plan)
    page = client.get("/program/").content.decode()
    assert (
        "This week, in place of your walks: walk-runs of 3 minutes jogging and 2 minutes walking, 4 times, on 5 "
        "days a week." in page
    )
