"""Settings: every record exported as JSON, the account deleted with a typed confirmation, the
password changed, and none of it reaching another patient's data. (Export and deletion ask for the
password again: tests/test_hardening_account.py.)"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.test import Client
from django.utils import timezone
from tests.care_helpers import PASSWORD, onboard
from tests.care_history import check_in, do_session, patient, started_days_ago, without_review

from lumbar.web.records.models import Alert, ExerciseLog, ExerciseSession, Profile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quiet_review(monkeypatch: pytest.MonkeyPatch) -> None:
    without_review(monkeypatch)


def with_history(client: Client, email: str = "pat@example.org") -> Any:
    onboard(client, email)
    user = patient(email)
    started_days_ago(user, 6)
    today = timezone.localdate()
    for n in (5, 3):
        do_session(user, today - dt.timedelta(days=n), before=5, after=4)
        check_in(user, today - dt.timedelta(days=n - 1), 4)
    Alert.objects.create(patient=user, kind="flare", severity="review", message=f"A message for {email}")
    return user


def export(client: Client) -> dict[str, Any]:
    response = client.post("/settings/export.json", {"password": PASSWORD})
    assert response.status_code == 200
    assert response.streaming
    return json.loads(b"".join(response.streaming_content))  # type: ignore[arg-type]


def care_rows(user_id: int) -> dict[str, int]:
    """Rows in every care table that belong to the user (directly, or through their sessions)."""
    counts: dict[str, int] = {}
    for model in apps.get_app_config("care").get_models():
        for field in model._meta.get_fields():
            if (
                isinstance(field, (models.ForeignKey, models.OneToOneField))
                and field.remote_field.model._meta.label == settings.AUTH_USER_MODEL
            ):
                counts[f"{model.__name__}.{field.name}"] = model.objects.filter(
                    **{field.name: user_id}
                ).count()
    counts["ExerciseLog.session"] = ExerciseLog.objects.filter(session__patient_id=user_id).count()
    return counts


# --- The page ---------------------------------------------------------------------------------------


def test_every_control_on_the_settings_page_has_a_label(client: Client) -> None:
    onboard(client)
    page = client.get("/settings/").content.decode()
    ids = re.findall(r'<input id="([^"]+)"', page)
    assert ids == [
        "feed-url", "api-token-name", "api-token-password", "export-password", "confirmation", "delete-password"
    ]  # fmt: skip
    for control in ids:
        assert f'<label class="field-label" for="{control}">' in page
    assert 'href="/accounts/password/change/"' in page
    assert 'action="/settings/export.json"' in page
    token = Profile.objects.get().calendar_token
    assert f'value="http://testserver/calendar/{token}.ics"' in page
    assert f'href="webcal://testserver/calendar/{token}.ics"' in page


# --- Export -------------------------------------------------------------------------------------------


def test_the_export_is_a_json_download_of_every_kind_of_record(client: Client) -> None:
    user = with_history(client)
    response = client.post("/settings/export.json", {"password": PASSWORD})
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="lumbar-data-{timezone.localdate().isoformat()}.json"'
    )
    assert "no-cache" in response["Cache-Control"]
    data = export(client)
    assert list(data) == [
        "format", "format_version", "lumbar_version", "exported_at", "account", "profile", "intake_draft",
        "intakes", "screenings", "program_versions", "sessions", "checkins", "outcomes", "alerts", "form_checks",
        "audit_trail",
    ]  # fmt: skip
    assert data["account"]["email"] == "pat@example.org"
    assert data["profile"]["role"] == "patient"
    assert len(data["intakes"]) == 1
    assert data["intakes"][0]["data"]["goals"][0]["activity"] == "Sit through a meeting"
    assert [s["tier"] for s in data["screenings"]] == ["routine", "routine"]
    assert [p["number"] for p in data["program_versions"]] == [1]
    assert [(s["pain_before"], s["pain_after"]) for s in data["sessions"]] == [(5, 4), (5, 4)]
    program = data["program_versions"][0]["program"]
    assert [log["exercise_id"] for log in data["sessions"][0]["logs"]] == [
        e["id"] for e in program["exercises"]
    ]
    assert len(data["checkins"]) == 2
    assert {o["instrument"] for o in data["outcomes"]} == {"nprs", "psfs"}
    assert data["alerts"][0]["message"] == "A message for pat@example.org"
    # Secrets stay out: no password hash, no calendar key.
    raw = json.dumps(data)
    assert user.password not in raw
    assert Profile.objects.get(user=user).calendar_token not in raw


def test_the_export_is_written_a_row_at_a_time(client: Client) -> None:
    with_history(client)
    response = client.post("/settings/export.json", {"password": PASSWORD})
    pieces = list(response.streaming_content)  # type: ignore[arg-type]
    # The header, then an opening and closing piece per section, and one piece per row.
    assert len(pieces) > 20
    assert max(len(p) for p in pieces) < 20_000


def test_a_patient_exports_only_their_own_records(client: Client) -> None:
    with_history(client, "first@example.org")
    other = Client()
    with_history(other, "second@example.org")
    raw = json.dumps(export(other))
    assert "first@example.org" not in raw
    assert "second@example.org" in raw


def test_the_export_needs_a_signed_in_patient() -> None:
    response = Client().post("/settings/export.json", {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- Delete -------------------------------------------------------------------------------------------


def test_deleting_needs_the_typed_word_and_otherwise_deletes_nothing(client: Client) -> None:
    user = with_history(client)
    before = care_rows(user.pk)
    for wrong in ("", "delete me", "DELET"):
        response = client.post("/settings/delete/", {"confirmation": wrong, "password": PASSWORD})
        assert response["Location"] == "/settings/"
    assert care_rows(user.pk) == before
    assert "To delete your account, type DELETE in the box." in client.get("/settings/").content.decode()
    assert client.get("/settings/delete/").status_code == 405


def test_deleting_the_account_signs_out_and_leaves_no_row_in_any_care_table(client: Client) -> None:
    user = with_history(client, "first@example.org")
    other = Client()
    second = with_history(other, "second@example.org")
    kept = care_rows(second.pk)
    assert sum(care_rows(user.pk).values()) > 10
    response = client.post("/settings/delete/", {"confirmation": " delete ", "password": PASSWORD})
    assert response["Location"] == "/"
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert set(care_rows(user.pk).values()) == {0}
    assert client.get("/today/")["Location"].startswith("/accounts/login/")
    assert "Your account and everything in it have been deleted." in client.get("/").content.decode()
    # The other patient's records are untouched, and the old password no longer signs in.
    assert care_rows(second.pk) == kept
    assert ExerciseSession.objects.filter(patient=second).count() == 2
    fresh = Client()
    fresh.post("/accounts/login/", {"username": "first@example.org", "password": PASSWORD})
    assert fresh.get("/today/")["Location"].startswith("/accounts/login/")


# --- Password -----------------------------------------------------------------------------------------


def test_a_signed_in_person_changes_their_password_with_the_old_one(client: Client) -> None:
    onboard(client)
    form = client.get("/accounts/password/change/").content.decode()
    for name in ("old_password", "new_password1", "new_password2"):
        assert f'<label class="field-label" for="id_{name}">' in form
    wrong = client.post(
        "/accounts/password/change/",
        {
            "old_password": "not-my-password",
            "new_password1": "a-new-long-pass-7",
            "new_password2": "a-new-long-pass-7",
        },
    )
    assert "Your old password was entered incorrectly" in wrong.content.decode()
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-pass-7",
            "new_password2": "a-new-long-pass-7",
        },
    )
    assert response["Location"] == "/accounts/password/change/done/"
    assert "Your password is changed" in client.get(response["Location"]).content.decode()
    assert patient().check_password("a-new-long-pass-7")
    assert Client().get("/accounts/password/change/")["Location"].startswith("/accounts/login/")
