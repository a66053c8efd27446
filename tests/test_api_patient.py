"""The patient's REST API (issue 18) does what the pages do, through the same services: the program
in force, a session started once a day and logged with the player's defaults, finished once, the
check-in's every warning-sign question, the warning-sign gate, sessions page by page, and progress
read by the progress page's selectors. Every write is safe to repeat and to race."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.api_helpers import Patient, assert_problem, call, checkin_body, patient_with_tokens
from tests.care_helpers import DESK_WORKER_ANSWERS, answer_screen, at_once, sign_up
from tests.care_history import do_session, started_days_ago, without_review

from lumbar.domain import instruments
from lumbar.web.api import tokens
from lumbar.web.care import presenters as care_presenters
from lumbar.web.outcomes import presenters as outcomes_presenters
from lumbar.web.outcomes import selectors as outcomes_selectors
from lumbar.web.records import selectors as records
from lumbar.web.records.models import CheckIn, ExerciseLog, ExerciseSession, ProgramVersion

SCIATICA_ANSWERS = {
    **DESK_WORKER_ANSWERS,
    "legs": {"leg_symptoms": "below_knee", "leg_side": "left", "directional_preference": "extension"},
}
LOG_FIELDS = ("exercise_id", "position", "completed", "sets", "reps", "hold_seconds", "pain_during", "difficulty", "leg_symptoms", "skipped_reason")  # fmt: skip


def body(response: Any) -> Any:
    assert response.status_code == 200, (response.status_code, response.content[:500])
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def finish_all_easy(person: Patient, *, pain_after: int = 2) -> dict[str, Any]:
    """Today's session through the API: pain before 3, every exercise easy at 2/10, then finished."""
    session = body(call("POST", "/api/v1/me/sessions", token=person.write))
    sid = session["id"]
    body(call("PUT", f"/api/v1/me/sessions/{sid}/pain-before", {"pain_before": 3}, token=person.write))
    for entry in session["planned"]:
        log = {"pain_during": 2, "difficulty": "easy"}
        body(call("PUT", f"/api/v1/me/sessions/{sid}/exercises/{entry['id']}", log, token=person.write))
    result: dict[str, Any] = body(
        call("POST", f"/api/v1/me/sessions/{sid}/finish", {"pain_after": pain_after}, token=person.write)
    )
    return result


def move_to_yesterday(session_id: int) -> None:
    ExerciseSession.objects.filter(pk=session_id).update(date=timezone.localdate() - dt.timedelta(days=1))


# --- The program ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_program_is_the_version_in_force_in_the_contracts_shape(
    contract_validator: Callable[..., Callable[[Any], None]],
) -> None:
    person = patient_with_tokens()
    got = body(call("GET", "/api/v1/me/program", token=person.read))
    current = records.current_program(person.user)
    assert current is not None
    assert (got["version"], got["source"], got["changes"]) == (1, "initial", ["Made from your answers."])
    assert got["program"] == current.program
    contract_validator("program")(got["program"])
    # Two easy sessions progress the program (as on the pages): the API then gives the new version.
    first = finish_all_easy(person)
    move_to_yesterday(first["session"]["id"])
    second = finish_all_easy(person)
    assert second["review"]["new_program_version"] == 2
    assert second["review"]["changes"]
    got = body(call("GET", "/api/v1/me/program", token=person.read))
    assert (got["version"], got["source"]) == (2, "review")
    assert got["changes"] == second["review"]["changes"]
    contract_validator("program")(got["program"])
    me = body(call("GET", "/api/v1/me", token=person.read))
    assert me["program_version"] == 2
    assert me["token"]["scope"] == "read"


# --- A session, as the player does it ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_session_through_the_api_is_stored_as_the_session_player_stores_it() -> None:
    api = patient_with_tokens("api@example.org")
    page = patient_with_tokens("page@example.org")
    # Through the API: start, pain before, each exercise with nothing said, the last one skipped.
    started = body(call("POST", "/api/v1/me/sessions", token=api.write))
    assert (started["next_step"], started["pain_before"], started["logged"]) == ("pain_before", None, [])
    sid = started["id"]
    after_pain = body(
        call("PUT", f"/api/v1/me/sessions/{sid}/pain-before", {"pain_before": 4}, token=api.write)
    )
    assert (after_pain["next_step"], after_pain["next_exercise"]) == ("exercise", started["planned"][0]["id"])
    planned = started["planned"]
    for entry in planned[:-1]:
        result = body(call("PUT", f"/api/v1/me/sessions/{sid}/exercises/{entry['id']}", {}, token=api.write))
        assert result["pain_warning"] is None
    last = planned[-1]["id"]
    skipped = {"completed": False, "skipped_reason": "Too sore today"}
    body(call("PUT", f"/api/v1/me/sessions/{sid}/exercises/{last}", skipped, token=api.write))
    now = body(call("GET", f"/api/v1/me/sessions/{sid}", token=api.read))
    assert now["next_step"] == "finish"
    # Through the pages: the same answers in the session player.
    page.client.get("/session/")
    page_session = ExerciseSession.objects.get(patient=page.user)
    page.client.post(f"/session/{page_session.pk}/pain-before/", {"pain": "4"})
    for number in range(1, len(planned)):
        page.client.post(f"/session/{page_session.pk}/exercise/{number}/", {})
    page.client.post(
        f"/session/{page_session.pk}/exercise/{len(planned)}/",
        {"skip": "1", "skipped_reason": "Too sore today"},
    )

    def logs(person: Patient) -> list[tuple[Any, ...]]:
        return list(
            ExerciseLog.objects.filter(session__patient=person.user)
            .order_by("position")
            .values_list(*LOG_FIELDS)
        )

    assert logs(api) == logs(page)
    assert logs(api)[0][2:6] == (True, planned[0]["sets"], planned[0]["reps"], planned[0]["hold_seconds"])
    assert logs(api)[-1][2:4] == (False, None)
    finished = body(call("POST", f"/api/v1/me/sessions/{sid}/finish", {"pain_after": 3}, token=api.write))
    assert finished["repeated"] is False
    assert finished["session"]["next_step"] == "done"
    assert finished["session"]["pain_after"] == 3


@pytest.mark.django_db
def test_pain_above_the_limit_during_an_exercise_is_answered_with_the_players_warning() -> None:
    person = patient_with_tokens()
    sid = body(call("POST", "/api/v1/me/sessions", token=person.write))["id"]
    body(call("PUT", f"/api/v1/me/sessions/{sid}/pain-before", {"pain_before": 2}, token=person.write))
    session = ExerciseSession.objects.get(pk=sid)
    entry = session.program.exercises[0]
    result = body(
        call(
            "PUT",
            f"/api/v1/me/sessions/{sid}/exercises/{entry['id']}",
            {"pain_during": 8},
            token=person.write,
        )
    )
    assert result["pain_warning"] == care_presenters.too_much_pain_message(entry["name"], 2)
    # Logged again (a retry, a correction): one log, the latest answer.
    body(
        call(
            "PUT",
            f"/api/v1/me/sessions/{sid}/exercises/{entry['id']}",
            {"pain_during": 1},
            token=person.write,
        )
    )
    assert list(ExerciseLog.objects.filter(session=session).values_list("pain_during", flat=True)) == [1]


@pytest.mark.django_db
def test_bad_answers_are_422_problems_naming_the_field_and_change_nothing() -> None:
    person = patient_with_tokens()
    sid = body(call("POST", "/api/v1/me/sessions", token=person.write))["id"]
    exercise = ExerciseSession.objects.get(pk=sid).program.exercises[0]["id"]
    log_path = f"/api/v1/me/sessions/{sid}/exercises/{exercise}"
    for path, bad, where in (
        (f"/api/v1/me/sessions/{sid}/pain-before", {"pain_before": 11}, ["body", "pain_before"]),
        (f"/api/v1/me/sessions/{sid}/pain-before", {"pain_before": "3"}, ["body", "pain_before"]),
        (f"/api/v1/me/sessions/{sid}/pain-before", {"pain_before": 3.0}, ["body", "pain_before"]),
        (f"/api/v1/me/sessions/{sid}/pain-before", {}, ["body", "pain_before"]),
        (log_path, {"difficulty": "meh"}, ["body", "difficulty"]),
        (log_path, {"sets": 21}, ["body", "sets"]),
        (log_path, {"completed": "yes"}, ["body", "completed"]),
        (log_path, {"skipped_reason": "a\x00b"}, ["body", "skipped_reason"]),
        (log_path, {"skipped_reason": "x" * 201}, ["body", "skipped_reason"]),
        (log_path, {"minutes": 3}, ["body", "minutes"]),
        (f"/api/v1/me/sessions/{sid}/finish", {"pain_after": -1}, ["body", "pain_after"]),
    ):
        problem = assert_problem(
            call("PUT" if "finish" not in path else "POST", path, bad, token=person.write), 422
        )
        assert problem["type"] == "/api/v1/problems/invalid-request"
        assert [e["loc"] for e in problem["errors"]] == [where], (bad, problem)
    # Not JSON at all: a 400.
    response = Client().put(
        f"/api/v1/me/sessions/{sid}/pain-before",
        data="{",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {person.write}",
    )
    assert_problem(response, 400, "invalid-json")
    problem = assert_problem(
        call("PUT", f"/api/v1/me/sessions/{sid}/exercises/not-in-it", {}, token=person.write),
        404,
        "not-found",
    )
    assert problem["detail"] == "That exercise is not in this session."
    stored = ExerciseSession.objects.get(pk=sid)
    assert (stored.pain_before, stored.completed_at, stored.logs.count()) == (None, None, 0)


# --- Safe to repeat -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_starting_again_gives_back_todays_session_and_finishing_again_changes_nothing() -> None:
    person = patient_with_tokens()
    first = body(call("POST", "/api/v1/me/sessions", token=person.write))
    again = body(call("POST", "/api/v1/me/sessions", token=person.write))
    assert first["id"] == again["id"]
    assert ExerciseSession.objects.filter(patient=person.user).count() == 1
    done = finish_all_easy(person, pain_after=2)
    versions = ProgramVersion.objects.count()
    for pain in (2, 6):  # a retry of the same request, or a changed mind: the first answer stands
        repeat = body(
            call(
                "POST", f"/api/v1/me/sessions/{first['id']}/finish", {"pain_after": pain}, token=person.write
            )
        )
        assert repeat["repeated"] is True
        assert repeat["session"] == done["session"]
        assert repeat["review"]["alerts"] == []
        assert repeat["review"]["new_program_version"] is None
    assert ProgramVersion.objects.count() == versions
    # A finished day's session is given back finished; the player has nothing more to ask.
    assert body(call("POST", "/api/v1/me/sessions", token=person.write))["next_step"] == "done"


@pytest.mark.django_db
def test_the_same_check_in_sent_again_is_stored_and_reviewed_once() -> None:
    person = patient_with_tokens()
    answers = checkin_body(person.user, pain=3)
    first = body(call("POST", "/api/v1/me/checkins", answers, token=person.write))
    assert (first["morning_pain"], first["warning_signs"], first["repeated"]) == (3, {}, False)
    again = body(call("POST", "/api/v1/me/checkins", answers, token=person.write))
    assert again["repeated"] is True
    assert CheckIn.objects.filter(patient=person.user).count() == 1
    changed = body(call("POST", "/api/v1/me/checkins", {**answers, "morning_pain": 5}, token=person.write))
    assert (changed["morning_pain"], changed["repeated"]) == (5, False)
    assert CheckIn.objects.filter(patient=person.user).count() == 1


@pytest.mark.usefixtures("concurrent_writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_api_starts_finishes_and_check_ins_happen_once() -> None:
    person = patient_with_tokens()
    starts = at_once(
        person.user, 5, lambda c: call("POST", "/api/v1/me/sessions", token=person.write, client=c)
    )
    assert {r.status_code for r in starts} == {200}, starts
    assert len({json.loads(r.content)["id"] for r in starts}) == 1
    assert ExerciseSession.objects.filter(patient=person.user).count() == 1
    # Two easy sessions progress the program once, however many finishes race.
    first = finish_all_easy(person)
    move_to_yesterday(first["session"]["id"])
    sid = body(call("POST", "/api/v1/me/sessions", token=person.write))["id"]
    body(call("PUT", f"/api/v1/me/sessions/{sid}/pain-before", {"pain_before": 3}, token=person.write))
    for entry in ExerciseSession.objects.get(pk=sid).program.exercises:
        log = {"pain_during": 2, "difficulty": "easy"}
        path = f"/api/v1/me/sessions/{sid}/exercises/{entry['id']}"
        logs = at_once(
            person.user, 3, lambda c, path=path, log=log: call("PUT", path, log, token=person.write, client=c)
        )
        assert {r.status_code for r in logs} == {200}, logs
    assert ExerciseLog.objects.filter(session_id=sid).count() == len(
        ExerciseSession.objects.get(pk=sid).program.exercises
    )
    versions = ProgramVersion.objects.count()
    finishes = at_once(
        person.user,
        5,
        lambda c: call(
            "POST", f"/api/v1/me/sessions/{sid}/finish", {"pain_after": 2}, token=person.write, client=c
        ),
    )
    assert {r.status_code for r in finishes} == {200}, finishes
    assert sorted(json.loads(r.content)["repeated"] for r in finishes) == [False, True, True, True, True]
    assert ProgramVersion.objects.count() == versions + 1
    answers = checkin_body(person.user)
    checkins = at_once(
        person.user, 5, lambda c: call("POST", "/api/v1/me/checkins", answers, token=person.write, client=c)
    )
    assert {r.status_code for r in checkins} == {200}, checkins
    assert CheckIn.objects.filter(patient=person.user).count() == 1


# --- The check-in and the warning-sign gate -----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("answers", [DESK_WORKER_ANSWERS, SCIATICA_ANSWERS], ids=["desk-worker", "sciatica"])
def test_the_check_in_asks_the_questions_of_the_check_in_page(answers: dict[str, Any]) -> None:
    person = patient_with_tokens(answers=answers)
    questions = body(call("GET", "/api/v1/me/checkins/questions", token=person.read))
    page = person.client.get("/checkin/").content.decode()
    assert [q["key"] for q in questions] == list(dict.fromkeys(re.findall(r'name="flag_([a-z_]+)"', page)))
    for question in questions:
        assert question["question"] in page.replace("&#x27;", "'")


@pytest.mark.django_db
def test_a_check_in_needs_a_true_or_false_for_every_warning_sign_question_and_no_other() -> None:
    person = patient_with_tokens()
    complete = checkin_body(person.user)
    keys = list(complete["warning_signs"])
    missing = {**complete, "warning_signs": dict.fromkeys(keys[1:], False)}
    problem = assert_problem(
        call("POST", "/api/v1/me/checkins", missing, token=person.write), 422, "invalid-request"
    )
    assert problem["errors"] == [
        {"loc": ["body", "warning_signs", keys[0]], "msg": "Answer true or false.", "type": "missing"}
    ]
    extra = {**complete, "warning_signs": {**complete["warning_signs"], "feeling_sad": True}}
    problem = assert_problem(
        call("POST", "/api/v1/me/checkins", extra, token=person.write), 422, "invalid-request"
    )
    assert problem["errors"][0]["loc"] == ["body", "warning_signs", "feeling_sad"]
    for bad in (
        {**complete, "warning_signs": {**complete["warning_signs"], keys[0]: "no"}},
        {**complete, "warning_signs": {**complete["warning_signs"], keys[0]: None}},
        {**complete, "morning_pain": 11},
        {"warning_signs": complete["warning_signs"]},
        {**complete, "note": "hello"},
    ):
        assert_problem(call("POST", "/api/v1/me/checkins", bad, token=person.write), 422, "invalid-request")
    assert not CheckIn.objects.filter(patient=person.user).exists()


@pytest.mark.django_db
def test_a_warning_sign_at_check_in_closes_the_sessions_with_a_409_saying_why() -> None:
    person = patient_with_tokens()
    answers = checkin_body(person.user, yes=("bladder_change",))
    result = body(call("POST", "/api/v1/me/checkins", answers, token=person.write))
    sign = result["review"]["warning_sign"]
    assert sign["tier"] == "emergency_now"
    assert result["warning_signs"] == {"bladder_change": True}
    problem = assert_problem(call("POST", "/api/v1/me/sessions", token=person.write), 409, "warning-sign")
    assert (problem["detail"], problem["tier"], problem["flags"]) == (
        sign["advice"],
        sign["tier"],
        sign["flags"],
    )
    assert not ExerciseSession.objects.filter(patient=person.user).exists()
    assert body(call("GET", "/api/v1/me", token=person.read))["warning_sign"] == sign
    # The page says the same: get help first.
    assert person.client.get("/session/")["Location"] == "/start/get-help/"
    # Answering no again does not lift it; the clinician path in the app does.
    body(call("POST", "/api/v1/me/checkins", checkin_body(person.user), token=person.write))
    assert_problem(call("POST", "/api/v1/me/sessions", token=person.write), 409, "warning-sign")
    person.client.post("/start/get-help/seen-a-clinician/")
    assert body(call("POST", "/api/v1/me/sessions", token=person.write))["next_step"] == "pain_before"


@pytest.mark.django_db
def test_a_person_stopped_by_the_screen_is_told_why_and_one_who_has_not_finished_has_no_program(
    client: Client,
) -> None:
    sign_up(client, "stopped@example.org")
    answer_screen(client, yes=("bladder_change",))
    stopped = tokens.create_token(selectors_user("stopped@example.org"), "app", "write", 7).token
    for method, path, data in (
        ("POST", "/api/v1/me/sessions", None),
        ("POST", "/api/v1/me/checkins", {"morning_pain": 2, "warning_signs": {}}),
    ):
        assert_problem(call(method, path, data, token=stopped), 409, "warning-sign")
    me = body(call("GET", "/api/v1/me", token=stopped))
    assert me["program_version"] is None
    assert me["warning_sign"]["tier"] == "emergency_now"
    # Someone who has not answered everything yet simply has no program.
    other = Client()
    sign_up(other, "halfway@example.org")
    halfway = tokens.create_token(selectors_user("halfway@example.org"), "app", "write", 7).token
    assert_problem(call("POST", "/api/v1/me/sessions", token=halfway), 409, "no-program")
    assert_problem(
        call("POST", "/api/v1/me/checkins", {"morning_pain": 2, "warning_signs": {}}, token=halfway),
        409,
        "no-program",
    )
    for path in ("/api/v1/me/program", "/api/v1/me/progress", "/api/v1/me/checkins/questions"):
        problem = assert_problem(call("GET", path, token=halfway), 404, "not-found")
        assert "program" in problem["detail"]


def selectors_user(email: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=email)


# --- Reading the record ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sessions_come_newest_first_a_page_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    without_review(monkeypatch)
    person = patient_with_tokens()
    started_days_ago(person.user, 30)
    today = timezone.localdate()
    for n in range(25, 0, -1):
        do_session(person.user, today - dt.timedelta(days=n), before=4, after=3)
    first = body(call("GET", "/api/v1/me/sessions", token=person.read))
    assert (first["count"], first["page"], first["page_size"], len(first["items"])) == (25, 1, 20, 20)
    dates = [s["date"] for s in first["items"]]
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == (today - dt.timedelta(days=1)).isoformat()
    second = body(call("GET", "/api/v1/me/sessions?page=2", token=person.read))
    assert len(second["items"]) == 5
    assert second["items"][-1]["date"] == (today - dt.timedelta(days=25)).isoformat()
    assert body(call("GET", "/api/v1/me/sessions?page=3", token=person.read))["items"] == []
    small = body(call("GET", "/api/v1/me/sessions?page=2&page_size=10", token=person.read))
    assert [s["id"] for s in small["items"]] == [s["id"] for s in first["items"][10:20]]
    for query in ("page=0", "page_size=101", "page=x", f"page={10**30}"):
        assert_problem(call("GET", f"/api/v1/me/sessions?{query}", token=person.read), 422, "invalid-request")


@pytest.mark.django_db
def test_progress_gives_the_progress_pages_readings_verdicts_and_adherence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    without_review(monkeypatch)
    person = patient_with_tokens()  # NPRS 4; PSFS 4 and 6
    weeks = outcomes_selectors.reassessment_weeks()[0]
    start = started_days_ago(person.user, weeks * 7)
    today = timezone.localdate()
    for n in (5, 3, 1):
        do_session(person.user, today - dt.timedelta(days=n), before=5, after=4)
    person.client.post("/progress/reassess/", {"nprs": "7", "psfs_1": "8", "psfs_2": "6"})
    got = body(call("GET", "/api/v1/me/progress", token=person.read))
    assert got["today"] == today.isoformat()
    readings = {(r["date"], r["kind"]): r["value"] for r in got["pain"]["readings"]}
    assert readings[((today - dt.timedelta(days=3)).isoformat(), "before")] == 5
    assert readings[((today - dt.timedelta(days=3)).isoformat(), "after")] == 4
    band = outcomes_presenters.nprs_band(4)
    assert got["pain"]["band"] == {"baseline": 4, "low": band.low, "high": band.high, "label": band.label}
    scores = {group["id"]: group["scores"] for group in got["scores"]}
    assert scores["nprs"][0]["verdict"] is None  # the starting point
    worse = instruments.change("nprs", 4, 7)
    assert scores["nprs"][-1]["verdict"] == {"direction": "worse", "label": "Worse", "reason": worse.reason}
    assert scores["psfs"][-1]["verdict"]["label"] == "Better"
    page = person.client.get("/progress/").content.decode()
    assert worse.reason in page.replace("&#x27;", "'")
    adherence = got["adherence"]
    assert adherence["done"] == 3
    span = outcomes_selectors.program_span(person.user)
    assert span is not None
    sessions = outcomes_selectors.session_days(person.user, span.start, today)
    expected = outcomes_presenters.adherence_section(span, sessions, today)
    assert (adherence["planned"], adherence["rate"], adherence["streak"]) == (
        expected["adherence"].planned,
        expected["adherence"].rate,
        expected["streak"],
    )
    assert adherence["since"] == max(start, expected["window_start"]).isoformat()
    assert got["reassessment"]["due"] is None  # answered
    # A shorter window leaves out the older readings.
    recent = body(call("GET", "/api/v1/me/progress?weeks=1", token=person.read))
    assert all(r["date"] >= (today - dt.timedelta(weeks=1)).isoformat() for r in recent["pain"]["readings"])
    assert_problem(call("GET", "/api/v1/me/progress?weeks=0", token=person.read), 422, "invalid-request")
