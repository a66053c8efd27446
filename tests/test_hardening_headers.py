"""Security headers on every URL, private pages kept out of caches, HTTPS behind a trusted proxy, and
sign-in throttling by the real client address."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from tests.care_helpers import PASSWORD, onboard
from tests.care_history import do_session, patient, started_days_ago, without_review
from tests.hardening_helpers import Browser
from tests.test_serve import running_server, server_env

from lumbar.web.security.proxy import client_address, parse_trusted_proxies

YEAR = 31_536_000


# --- Every URL ----------------------------------------------------------------------------------------


def url_patterns() -> list[tuple[str, str]]:
    """(route, name) of every URL pattern outside the admin, as written in the URLconfs."""
    found: list[tuple[str, str]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                if not route.startswith("admin/"):
                    walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern):
                found.append((route, entry.name or ""))

    walk(get_resolver().url_patterns, "")
    return found


def concrete_paths(user: Any) -> dict[str, str]:
    """A path for every pattern, with real values for its parameters."""
    from lumbar.domain.catalog import default_catalog
    from lumbar.web.records.models import ExerciseSession, Profile

    catalog = default_catalog()
    session = ExerciseSession.objects.filter(patient=user).first()
    assert session is not None
    values = {
        "<int:number>": "1",
        "<slug:slug>": "pain",
        "<slug:exercise_id>": "walking" if "walking" in catalog.exercises else next(iter(catalog.exercises)),
        "<slug:frame>": "start",
        "<slug:topic_id>": next(iter(catalog.education)),
        "<int:session_id>": str(session.pk),
        "<str:token>": Profile.objects.get(user=user).calendar_token,
        "<uidb64>": "MQ",
        "<token>": "set-password",
        # The REST API (issue 18): ninja's path parameters, a problem type, a token's id.
        "<session_id>": str(session.pk),
        "<exercise_id>": session.program.exercises[0]["id"],
        "<slug>": "not-found",
        "<int:token_id>": "1",
        "<path:rest>": "nothing-here",
    }
    paths: dict[str, str] = {}
    for route, name in url_patterns():
        path = route
        if "signup/confirm" in route:
            path = path.replace("<str:token>", "not-a-token")
        for placeholder, value in values.items():
            path = path.replace(placeholder, value)
        # Parameters this test does not know (a new app's routes) get a plain value: the answer may
        # be a 404, whose headers count as much as any.
        path = re.sub(r"<[^>]+>", "x", path)
        paths[f"{name or route}"] = "/" + path
    return paths


def assert_security_headers(response: Any, path: str) -> None:
    assert response["X-Frame-Options"] == "DENY", path
    assert response["Referrer-Policy"] == "same-origin", path
    assert response["X-Content-Type-Options"] == "nosniff", path


@pytest.mark.django_db
def test_every_url_sends_the_security_headers_and_signed_in_pages_are_never_stored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    without_review(monkeypatch)
    client = Client(raise_request_exception=False)
    onboard(client, "headers@example.org")
    user = patient("headers@example.org")
    started_days_ago(user, 3)
    do_session(user, timezone.localdate() - dt.timedelta(days=1), before=4, after=3)
    paths = concrete_paths(user)
    assert len(paths) >= 30, paths
    extra = {"static": "/static/lumbar/app.css", "admin": "/admin/login/"}
    for name, path in {**paths, **extra}.items():
        signed_in = client.get(path)
        assert signed_in.status_code < 500, (name, path, signed_in.status_code)
        assert_security_headers(signed_in, path)
        # Pages are never stored; what is the same for everyone (static files, figures, robots.txt,
        # the icon) says so and stays cacheable.
        if "public" not in signed_in.get("Cache-Control", "") and name != "static":
            assert "no-store" in signed_in.get("Cache-Control", ""), (name, path)
            assert "private" in signed_in["Cache-Control"], (name, path)
        if signed_in.get("Content-Type", "").startswith("text/html"):
            assert "no-store" in signed_in["Cache-Control"], (name, path)
        anonymous = Client(raise_request_exception=False).get(path)
        assert_security_headers(anonymous, path)
    # A POST answer to a signed-in person too.
    response = client.post("/settings/calendar/new-link/")
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
    assert_security_headers(response, "/settings/calendar/new-link/")


@pytest.mark.django_db
def test_public_pages_stay_cacheable_for_visitors() -> None:
    response = Client().get("/robots.txt")
    assert "public" in response["Cache-Control"]
    assert "no-store" not in response["Cache-Control"]


# --- Trusted proxies ----------------------------------------------------------------------------------


def test_the_client_address_is_read_from_the_right_past_trusted_proxies_only() -> None:
    trusted = parse_trusted_proxies("127.0.0.1, 10.0.0.0/24")
    # A proxy on loopback forwards a client; the client's own claim further left is ignored.
    assert client_address("127.0.0.1", "1.2.3.4, 203.0.113.9", trusted) == "203.0.113.9"
    # Two trusted hops.
    assert client_address("127.0.0.1", "203.0.113.9, 10.0.0.7", trusted) == "203.0.113.9"
    # A peer that is not a proxy is the client, whatever it says.
    assert client_address("198.51.100.1", "203.0.113.9", trusted) == "198.51.100.1"
    # Garbage stops the walk at the last trusted hop.
    assert client_address("127.0.0.1", "not-an-address", trusted) == "127.0.0.1"
    assert client_address("::ffff:127.0.0.1", "203.0.113.9", trusted) == "203.0.113.9"
    assert client_address("127.0.0.1", "", trusted) == "127.0.0.1"
    assert client_address("127.0.0.1", "203.0.113.9", ()) == "127.0.0.1"


def test_a_bad_trusted_proxies_value_is_refused_with_its_name() -> None:
    with pytest.raises(ValueError, match="LUMBAR_TRUSTED_PROXIES: 'proxy.local' is not an IP address"):
        parse_trusted_proxies("127.0.0.1, proxy.local")


HTTPS = {
    "SECURE_SSL_REDIRECT": True,
    "SECURE_REDIRECT_EXEMPT": [r"^healthz$"],
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SECURE_HSTS_SECONDS": YEAR,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
}


@pytest.mark.django_db
def test_x_forwarded_proto_is_believed_only_from_a_trusted_proxy() -> None:
    # The test client's peer is 127.0.0.1.
    with override_settings(**HTTPS, LUMBAR_TRUSTED_PROXIES=parse_trusted_proxies("127.0.0.1")):
        plain = Client().get("/exercises/")
        assert plain.status_code == 301
        assert plain["Location"] == "https://testserver/exercises/"
        secure = Client().get("/exercises/", headers={"X-Forwarded-Proto": "https"})
        assert secure.status_code == 200
        assert secure["Strict-Transport-Security"] == f"max-age={YEAR}; includeSubDomains"
        assert Client().get("/healthz").status_code == 200  # probes stay on plain HTTP
    with override_settings(**HTTPS, LUMBAR_TRUSTED_PROXIES=parse_trusted_proxies("10.0.0.0/8")):
        forged = Client().get("/exercises/", headers={"X-Forwarded-Proto": "https"})
        assert forged.status_code == 301
        assert "Strict-Transport-Security" not in forged


def fail_sign_in(forwarded_for: str, email: str = "pat@example.org") -> Any:
    return Client().post(
        "/accounts/login/",
        {"username": email, "password": "wrong-password-123"},
        headers={"X-Forwarded-For": forwarded_for},
    )


@pytest.mark.django_db
def test_sign_in_throttling_counts_the_real_client_behind_a_trusted_proxy() -> None:
    from axes.models import AccessAttempt

    get_user_model().objects.create_user(
        username="pat@example.org", email="pat@example.org", password=PASSWORD
    )
    with override_settings(LUMBAR_TRUSTED_PROXIES=parse_trusted_proxies("127.0.0.1")):
        for _ in range(4):
            assert fail_sign_in("203.0.113.5").status_code == 200
        assert fail_sign_in("203.0.113.5").status_code == 429  # the fifth locks
        # Another patient behind the same proxy is not locked out.
        other = Client().post(
            "/accounts/login/",
            {"username": "pat@example.org", "password": PASSWORD},
            headers={"X-Forwarded-For": "203.0.113.6"},
        )
        assert other.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


@pytest.mark.django_db
def test_a_forged_x_forwarded_for_does_not_escape_throttling_without_trusted_proxies() -> None:
    get_user_model().objects.create_user(
        username="pat@example.org", email="pat@example.org", password=PASSWORD
    )
    for n in range(4):
        assert fail_sign_in(f"203.0.113.{n}").status_code == 200
    assert fail_sign_in("198.51.100.77").status_code == 429


# --- The production settings ----------------------------------------------------------------------------

CLINIC_ENV = {
    "LUMBAR_HTTPS": "1",
    "LUMBAR_TRUSTED_PROXIES": "127.0.0.1",
    "LUMBAR_ALLOWED_HOSTS": "lumbar.example.org",
    "LUMBAR_EMAIL_URL": "smtps://lumbar%40example.org:app-password@mail.example.org:465",
}


def manage(
    tmp_path: Path, *args: str, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    # DJANGO_ALLOW_ASYNC_UNSAFE (set for the browser tests) is itself a deployment warning.
    env = {
        k: v
        for k, v in server_env().items()
        if not k.startswith("LUMBAR_") and k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "lumbar.web.settings.production", "LUMBAR_DATA_DIR": str(tmp_path)})
    env.update(extra or {})
    return subprocess.run(
        [sys.executable, "-m", "lumbar.web.manage", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_the_production_settings_pass_check_deploy_with_the_documented_variables(tmp_path: Path) -> None:
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", extra=CLINIC_ENV)
    assert result.returncode == 0, result.stderr
    # ... and fail it without HTTPS, or behind a proxy nobody said to trust.
    without_https = {k: v for k, v in CLINIC_ENV.items() if k != "LUMBAR_HTTPS"}
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", extra=without_https)
    assert result.returncode != 0
    assert "security.W008" in result.stderr
    no_proxy = {k: v for k, v in CLINIC_ENV.items() if k != "LUMBAR_TRUSTED_PROXIES"}
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", extra=no_proxy)
    assert "lumbar.W001" in result.stderr
    no_email = {k: v for k, v in CLINIC_ENV.items() if k != "LUMBAR_EMAIL_URL"}
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", extra=no_email)
    assert "lumbar.W002" in result.stderr


def test_the_production_settings_with_https_redirect_and_send_a_year_of_hsts(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER, s.X_FRAME_OPTIONS)"
    )
    result = manage(tmp_path, "shell", "-c", code, extra=CLINIC_ENV)
    assert result.stdout.strip().splitlines()[-1].split() == [
        "True", str(YEAR), "True", "True", "True", "('HTTP_X_FORWARDED_PROTO',", "'https')", "DENY"
    ]  # fmt: skip


@pytest.mark.slow
def test_lumbar_serve_with_https_behind_a_loopback_proxy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LUMBAR_HTTPS", "1")
    monkeypatch.setenv("LUMBAR_TRUSTED_PROXIES", "127.0.0.1")
    with running_server(tmp_path) as (_, port, _):
        browser = Browser(f"http://127.0.0.1:{port}")
        plain = browser.get("/exercises/")
        assert plain.status == 301
        assert plain.location == f"https://127.0.0.1:{port}/exercises/"
        proxied = browser.get("/exercises/", headers={"X-Forwarded-Proto": "https"})
        assert proxied.status == 200
        assert proxied.headers["strict-transport-security"] == f"max-age={YEAR}; includeSubDomains"
        assert proxied.headers["x-frame-options"] == "DENY"
        assert browser.get("/healthz").status == 200
    assert "LUMBAR_HTTPS" in os.environ  # the server got it through the environment


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("LUMBAR_TRUSTED_PROXIES", "nginx", "LUMBAR_TRUSTED_PROXIES: 'nginx' is not an IP address"),
        ("LUMBAR_EMAIL_URL", "http://mail.example.org", "LUMBAR_EMAIL_URL must start with smtp://"),
        ("LUMBAR_LOGIN_LOG_DAYS", "a month", "LUMBAR_LOGIN_LOG_DAYS must be a whole number"),
    ],
)
def test_lumbar_serve_refuses_a_malformed_variable_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    from tests.test_serve import assert_one_clear_line, free_port, run_serve_expecting_failure

    monkeypatch.setenv(variable, value)
    assert_one_clear_line(run_serve_expecting_failure(tmp_path, free_port()), expected)
