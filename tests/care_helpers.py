"""Drive the patient's pages through Django's test client, the way a person clicks through them."""

from __future__ import annotations

from typing import Any

from django.test import Client

from lumbar.domain import screening

PASSWORD = "correct-horse-battery-staple"

DESK_WORKER_ANSWERS: dict[str, dict[str, Any]] = {
    "about": {"age": "38", "sex": "female"},
    "pain": {
        "pain_now": "4",
        "worst_24h": "6",
        "best_24h": "2",
        "duration": "3",
        "duration_unit": "weeks",
        "first_episode": "no",
    },
    "legs": {"leg_symptoms": "none", "directional_preference": "unknown"},
    "activities": {"aggravating": ["sitting", "bending"]},
    "health": {},
    "day": {"occupation": "desk", "sitting_hours": "8"},
    "exercise": {
        "fitness": "moderate",
        "floor_ok": "yes",
        "minutes_per_session": "15",
        "sessions_per_week": "5",
    },
    "goals": {
        "activity_1": "Sit through a meeting",
        "score_1": "4",
        "activity_2": "Tie my shoes",
        "score_2": "6",
    },
}


def sign_up(client: Client, email: str = "pat@example.org") -> None:
    """Sign up and follow the emailed confirmation link, as a person does: the client ends signed in
    (on its way to the warning-sign questions). The confirmation email is taken out of the outbox."""
    response = client.post("/signup/", {"email": email, "password": PASSWORD, "understood": "1"})
    assert response.status_code == 200, response.content
    assert b"Check your email" in response.content, response.content
    response = client.get(confirmation_path(email))
    assert response.status_code == 302, response
    assert response["Location"] == "/start/", response


def confirmation_path(email: str, *, keep: bool = False) -> str:
    """The path of the link in the latest sign-up email sent to `email` (removed from the outbox)."""
    import re

    from django.core import mail

    for index in range(len(mail.outbox) - 1, -1, -1):
        message = mail.outbox[index]
        if email.lower() in [to.lower() for to in message.to]:
            found = re.search(r"https?://[^/\s]+(/signup/confirm/\S+/)", message.body)
            assert found, message.body
            if not keep:
                del mail.outbox[index]
            return found.group(1)
    raise AssertionError(f"no sign-up email to {email}")


def answer_screen(client: Client, yes: tuple[str, ...] = ()) -> Any:
    """Answer every warning-sign question (no, unless its key is in `yes`); return the last response."""
    response = None
    for number, question in enumerate(screening.default_rules().red_flags, start=1):
        response = client.post(f"/start/screen/{number}/", {"answer": "yes" if question.key in yes else "no"})
        if response["Location"].startswith("/start/get-help/"):
            return response
    return response


def answer_intake(client: Client, answers: dict[str, dict[str, Any]] = DESK_WORKER_ANSWERS) -> Any:
    response = None
    for slug, data in answers.items():
        response = client.post(f"/start/{slug}/", data)
        assert response.status_code == 302, (slug, response.content.decode()[:3000])
    return response


def onboard(
    client: Client, email: str = "pat@example.org", answers: dict[str, dict[str, Any]] = DESK_WORKER_ANSWERS
) -> None:
    sign_up(client, email)
    answer_screen(client)
    answer_intake(client, answers)
    response = client.post("/start/review/")
    assert response["Location"] == "/program/", response


def patient_user(email: str = "pat@example.org") -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=email)


def at_once(user: Any, count: int, request: Any) -> list[Any]:
    """Call `request(client)` from `count` threads at the same moment, each with its own signed-in
    client and database connection (for transaction=True tests); return what each returned or raised."""
    import threading

    from django.db import connections

    clients = []
    for _ in range(count):
        client = Client()
        client.force_login(user)
        clients.append(client)
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = request(clients[index])
        except Exception as exc:  # a failure is a result the test looks at
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def checkin_answers(
    pain: int = 3, *, leg_symptoms: bool = False, yes: tuple[str, ...] = ()
) -> dict[str, str]:
    """A check-in form: the morning pain and an answer to every warning-sign question asked (no,
    unless named in `yes`)."""
    from lumbar.domain import screening

    answers = {
        f"flag_{q.key}": "yes" if q.key in yes else "no" for q in screening.checkin_questions(leg_symptoms)
    }
    return {"morning_pain": str(pain), **answers}
