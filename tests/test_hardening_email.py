"""Email from LUMBAR_EMAIL_URL, no links in a clinic's logs, throttled password resets, the password
policy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from tests.care_helpers import PASSWORD
from tests.test_serve import server_env

from lumbar.web.security.email import (
    CONSOLE_BACKEND,
    SMTP_BACKEND,
    UNCONFIGURED_BACKEND,
    EmailConfigError,
    email_settings,
)

# --- LUMBAR_EMAIL_URL ---------------------------------------------------------------------------------


def test_smtp_url_uses_starttls_and_decodes_the_credentials() -> None:
    assert email_settings("smtp://lumbar%40clinic.org:p%3Ass@mail.clinic.org", loopback_only=False) == {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": "mail.clinic.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "lumbar@clinic.org",
        "EMAIL_HOST_PASSWORD": "p:ss",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": True,
        "EMAIL_TIMEOUT": 10,
    }


def test_smtps_url_is_tls_from_the_first_byte_and_starttls_can_be_turned_off_for_a_relay() -> None:
    smtps = email_settings("smtps://u:p@mail.clinic.org", loopback_only=False)
    assert (smtps["EMAIL_PORT"], smtps["EMAIL_USE_SSL"], smtps["EMAIL_USE_TLS"]) == (465, True, False)
    relay = email_settings("smtp://relay.internal:25?starttls=off&timeout=3", loopback_only=False)
    assert (relay["EMAIL_PORT"], relay["EMAIL_USE_TLS"], relay["EMAIL_TIMEOUT"]) == (25, False, 3)
    assert relay["EMAIL_HOST_USER"] == ""


def test_console_url_and_the_defaults() -> None:
    assert email_settings("console://", loopback_only=False) == {"EMAIL_BACKEND": CONSOLE_BACKEND}
    assert email_settings(None, loopback_only=True) == {"EMAIL_BACKEND": CONSOLE_BACKEND}
    assert email_settings("", loopback_only=False) == {"EMAIL_BACKEND": UNCONFIGURED_BACKEND}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mail.clinic.org", "must start with smtp://, smtps:// or console://"),
        ("smtp://", "names no mail server"),
        ("smtp://mail.clinic.org:port", "the port is not a number"),
        ("smtp://mail.clinic.org?tls=1", "unknown option 'tls'"),
        ("smtp://mail.clinic.org?starttls=maybe", "should be on or off"),
    ],
)
def test_a_malformed_email_url_is_refused_with_a_message_saying_how(url: str, message: str) -> None:
    with pytest.raises(EmailConfigError, match=message):
        email_settings(url, loopback_only=False)


SEND = (
    "from django.conf import settings; from django.core.mail import send_mail; "
    "print('backend', settings.EMAIL_BACKEND); "
    "send_mail('Choose a new password', 'Open https://lumbar.example.org/accounts/password/reset/MQ/secret-token/', "
    "None, ['pat@example.org'])"
)


def send_with_production_settings(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in server_env().items() if not k.startswith("LUMBAR_")}
    env.update({"DJANGO_SETTINGS_MODULE": "lumbar.web.settings.production", "LUMBAR_DATA_DIR": str(tmp_path)})
    env.update(variables)
    return subprocess.run(
        [sys.executable, "-m", "lumbar.web.manage", "shell", "-c", SEND],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_a_clinic_server_without_an_email_url_never_logs_the_link(tmp_path: Path) -> None:
    result = send_with_production_settings(tmp_path, LUMBAR_ALLOWED_HOSTS="lumbar.example.org")
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert f"backend {UNCONFIGURED_BACKEND}" in output
    assert "secret-token" not in output
    assert "pat@example.org" not in output
    assert "LUMBAR_EMAIL_URL is not set" in output


def test_the_embedded_default_and_console_url_print_the_email_as_before(tmp_path: Path) -> None:
    embedded = send_with_production_settings(tmp_path)
    assert f"backend {CONSOLE_BACKEND}" in embedded.stdout
    assert "secret-token" in embedded.stdout
    chosen = send_with_production_settings(
        tmp_path, LUMBAR_ALLOWED_HOSTS="lumbar.example.org", LUMBAR_EMAIL_URL="console://"
    )
    assert "secret-token" in chosen.stdout


def test_an_smtp_url_gives_the_smtp_backend_in_production(tmp_path: Path) -> None:
    code = "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_USE_SSL)"
    env = {k: v for k, v in server_env().items() if not k.startswith("LUMBAR_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "lumbar.web.settings.production",
            "LUMBAR_DATA_DIR": str(tmp_path),
            "LUMBAR_EMAIL_URL": "smtps://u:p@mail.example.org",
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "lumbar.web.manage", "shell", "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.stdout.strip().splitlines()[-1] == f"{SMTP_BACKEND} mail.example.org True"


# --- Password-reset throttling ------------------------------------------------------------------------


def ask_reset(email: str, client_address: str = "203.0.113.1") -> object:
    return Client(REMOTE_ADDR=client_address).post("/accounts/password/reset/", {"email": email})


@pytest.mark.django_db
def test_one_address_gets_at_most_three_reset_emails_an_hour_and_the_answer_does_not_change() -> None:
    get_user_model().objects.create_user(
        username="pat@example.org", email="pat@example.org", password=PASSWORD
    )
    for n in range(5):
        response = ask_reset("pat@example.org", f"203.0.113.{n}")
        assert response["Location"] == "/accounts/password/reset/sent/"  # type: ignore[index]
    assert len(mail.outbox) == 3
    # Another address is not affected.
    get_user_model().objects.create_user(
        username="sam@example.org", email="sam@example.org", password=PASSWORD
    )
    ask_reset("sam@example.org")
    assert len(mail.outbox) == 4


@pytest.mark.django_db
def test_one_client_asks_for_at_most_ten_reset_links_an_hour() -> None:
    for n in range(10):
        response = ask_reset(f"person{n}@example.org")
        assert response.status_code == 302  # type: ignore[attr-defined]
    refused = ask_reset("person-eleven@example.org")
    assert refused.status_code == 429  # type: ignore[attr-defined]
    assert "Too many password links were asked for from here" in refused.content.decode()  # type: ignore[attr-defined]
    # From elsewhere it still works.
    assert ask_reset("person-eleven@example.org", "198.51.100.2").status_code == 302  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_the_reset_limits_are_settings() -> None:
    with override_settings(LUMBAR_RESET_LIMIT_PER_CLIENT=1):
        assert ask_reset("a@example.org").status_code == 302  # type: ignore[attr-defined]
        assert ask_reset("b@example.org").status_code == 429  # type: ignore[attr-defined]


# --- Password policy -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short-pw1", "at least 10 characters"),
        (" " * 12, "cannot be only spaces"),
        ("password1234", "too common"),
        ("1234567890123", "entirely numeric"),
        ("Lumbar2024!!", "this site's name"),
        ("backpain-backpain-99", "this site's name"),
        ("physio-therapy-1", "this site's name"),
        ("pat.example@mail", "too similar"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, why: str) -> None:
    user = get_user_model()(username="pat.example@mail.org", email="pat.example@mail.org")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert any(why in message for message in refused.value.messages), refused.value.messages


@pytest.mark.django_db
def test_a_clinic_host_name_is_a_site_word_and_good_passwords_pass() -> None:
    with override_settings(ALLOWED_HOSTS=["lumbar.riverside-physio.org"]):
        with pytest.raises(ValidationError):
            validate_password("riverside2025!")
        validate_password(PASSWORD)
        validate_password("my lumbar exercises at dawn")


@pytest.mark.django_db
def test_sign_up_refuses_a_password_of_spaces() -> None:
    response = Client().post(
        "/signup/", {"email": "new@example.org", "password": " " * 12, "understood": "1"}
    )
    assert "Your password cannot be only spaces." in response.content.decode()
    assert not get_user_model().objects.filter(username="new@example.org").exists()
