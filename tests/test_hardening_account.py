"""The password again before the export and the deletion; a deletion reaches every device and the
login log and leaves no trace in the database files; login logs are purged after their days."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone
from tests.care_helpers import PASSWORD, onboard
from tests.care_history import patient, without_review
from tests.hardening_helpers import Browser
from tests.test_serve import running_server

from lumbar.web.security import tasks

User = get_user_model()


@pytest.fixture(autouse=True)
def _quiet_review(monkeypatch: pytest.MonkeyPatch) -> None:
    without_review(monkeypatch)


def sessions_of(user_pk: int) -> int:
    return sum(1 for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user_pk))


# --- Re-authentication --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_export_asks_for_the_password_again() -> None:
    from axes.models import AccessAttempt

    client = Client()
    onboard(client)
    assert client.get("/settings/export.json").status_code == 405
    for wrong in ({}, {"password": ""}, {"password": "not-my-password"}):
        response = client.post("/settings/export.json", wrong)
        assert response.status_code == 302
        assert response["Location"] == "/settings/#data-heading"
        assert not getattr(response, "streaming", False)
    page = client.get("/settings/").content.decode()
    assert "Nothing was downloaded. That password is not right." in page
    # A wrong password counts like a failed sign-in (throttled the same way).
    assert AccessAttempt.objects.get(username="pat@example.org").failures_since_start == 1
    response = client.post("/settings/export.json", {"password": PASSWORD})
    assert response.status_code == 200
    data = json.loads(b"".join(response.streaming_content))  # type: ignore[arg-type]
    assert data["account"]["email"] == "pat@example.org"


@pytest.mark.django_db
def test_guessing_the_password_at_the_export_is_locked_out_like_the_sign_in() -> None:
    client = Client()
    onboard(client)
    for n in range(4):
        assert client.post("/settings/export.json", {"password": f"guess-{n}"}).status_code == 302
    locked = client.post("/settings/export.json", {"password": "guess-5"})
    assert locked.status_code == 429
    assert client.post("/settings/export.json", {"password": PASSWORD}).status_code == 429


@pytest.mark.django_db
def test_deletion_asks_for_the_password_again_and_otherwise_deletes_nothing() -> None:
    client = Client()
    onboard(client)
    for wrong in ({"confirmation": "DELETE"}, {"confirmation": "DELETE", "password": "not-my-password"}):
        response = client.post("/settings/delete/", wrong)
        assert response["Location"] == "/settings/#delete-heading"
    assert User.objects.filter(username="pat@example.org").exists()
    assert (
        "Your account was not deleted. That password is not right."
        in client.get("/settings/").content.decode()
    )


# --- What a deletion reaches ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_deletion_signs_the_person_out_everywhere_and_removes_their_login_log() -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    phone = Client()
    onboard(phone)
    user = patient()
    laptop, tablet = Client(), Client()
    laptop.post("/accounts/login/", {"username": "Pat@Example.org", "password": PASSWORD})
    tablet.post("/accounts/login/", {"username": "pat@example.org", "password": PASSWORD})
    Client().post("/accounts/login/", {"username": "pat@example.org", "password": "wrong-password-1"})
    assert laptop.get("/settings/").status_code == 200
    other = Client()
    onboard(other, "sam@example.org")
    other.post("/accounts/login/", {"username": "sam@example.org", "password": "wrong-password-2"})
    Client(REMOTE_ADDR="203.0.113.9").post("/accounts/password/reset/", {"email": "pat@example.org"})
    assert sessions_of(user.pk) == 3
    assert AccessLog.objects.filter(username="pat@example.org").exists()
    assert AccessAttempt.objects.filter(username="pat@example.org").exists()

    response = phone.post("/settings/delete/", {"confirmation": "DELETE", "password": PASSWORD})
    assert response["Location"] == "/"
    assert sessions_of(user.pk) == 0
    for device in (laptop, tablet):
        assert device.get("/settings/")["Location"].startswith("/accounts/login/")
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        assert not model.objects.filter(username__iexact="pat@example.org").exists()
    # The reset counts went too (kept under a keyed hash of the address).
    from lumbar.web.security.models import ThrottleHit
    from lumbar.web.security.throttle import _digest

    assert not ThrottleHit.objects.filter(key=_digest("reset-address", "pat@example.org")).exists()
    # The other person keeps their session and their log.
    assert other.get("/settings/").status_code == 200
    assert AccessAttempt.objects.filter(username="sam@example.org").exists()


MARKER = "zebracorn-5521"


def database_bytes(data_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(data_dir.iterdir()) if p.name.startswith("lumbar.sqlite3"))


@pytest.mark.slow
def test_a_deleted_account_leaves_no_trace_in_the_database_files(tmp_path: Path) -> None:
    email = f"{MARKER}@example.org"
    with running_server(tmp_path) as (_, port, _):
        person = Browser(f"http://127.0.0.1:{port}")
        person.sign_up(email)
        # A failed sign-in puts the address in the login log too.
        assert Browser(person.base).sign_in(email, "not-the-password-1").status == 200
        assert MARKER.encode() in database_bytes(tmp_path)  # the test can see it
        deleted = person.post_form(
            "/settings/delete/",
            {"confirmation": "DELETE", "password": "correct-horse-battery-staple"},
            "/settings/",
        )
        assert deleted.status == 302
        assert deleted.location == "/"
        # Right after the deletion, while the server still runs, the WAL was emptied.
        wal = tmp_path / "lumbar.sqlite3-wal"
        assert not wal.exists() or MARKER.encode() not in wal.read_bytes()
    assert MARKER.encode() not in database_bytes(tmp_path)
    assert MARKER.encode() not in b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())


# --- Login logs are kept for a number of days -----------------------------------------------------------


@pytest.mark.django_db
def test_housekeeping_deletes_login_logs_older_than_the_configured_days_and_expired_sessions() -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    now = timezone.now()
    for model in (AccessLog, AccessFailureLog, AccessAttempt):
        extra = {"failures_since_start": 1} if model is AccessAttempt else {}
        old = model.objects.create(
            username="old@example.org", ip_address="203.0.113.1", user_agent="o", **extra
        )
        model.objects.filter(pk=old.pk).update(attempt_time=now - dt.timedelta(days=31))
        model.objects.create(username="new@example.org", ip_address="203.0.113.2", user_agent="n", **extra)
    Session.objects.create(session_key="expired", session_data="x", expire_date=now - dt.timedelta(days=1))
    Session.objects.create(session_key="current", session_data="x", expire_date=now + dt.timedelta(days=1))
    counts = tasks.purge(now)
    assert counts["login_log"] == counts["login_failures"] == counts["login_attempts"] == 1
    assert counts["expired_sessions"] == 1
    for model in (AccessLog, AccessFailureLog, AccessAttempt):
        assert list(model.objects.values_list("username", flat=True)) == ["new@example.org"]
    assert list(Session.objects.values_list("session_key", flat=True)) == ["current"]
    with override_settings(LUMBAR_LOGIN_LOG_DAYS=7):
        AccessLog.objects.update(attempt_time=now - dt.timedelta(days=8))
        assert tasks.purge(now)["login_log"] == 1


@pytest.mark.django_db(transaction=True)
def test_the_housekeeping_task_is_queued_once_and_queues_its_next_run() -> None:
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        assert tasks.ensure_scheduled() is True
        assert tasks.ensure_scheduled() is False  # a second start does not queue it twice
        waiting = DBTaskResult.objects.get(task_path=tasks.housekeeping.module_path)
        assert waiting.run_after > timezone.now()
        DBTaskResult.objects.filter(pk=waiting.pk).update(run_after=timezone.now() - dt.timedelta(seconds=1))
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
        runs = DBTaskResult.objects.filter(task_path=tasks.housekeeping.module_path)
        assert sorted(r.status for r in runs) == ["READY", "SUCCESSFUL"]
        following = runs.get(status="READY")
        assert following.run_after > timezone.now() + dt.timedelta(hours=23)
