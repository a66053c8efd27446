"""A person's browser against a real `lumbar serve`, in plain urllib: cookies, CSRF tokens, no
automatic redirects (so each answer can be checked)."""

from __future__ import annotations

import html
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

PASSWORD = "correct-horse-battery-staple"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


@dataclass
class Browser:
    base: str  # "http://127.0.0.1:8123"
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self) -> None:
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(
        self, path: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> Answer:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self._opener.open(request, timeout=20) as response:
                return Answer(
                    response.status,
                    {k.lower(): v for k, v in response.headers.items()},
                    response.read().decode("utf-8", "replace"),
                )
        except urllib.error.HTTPError as error:
            return Answer(
                error.code,
                {k.lower(): v for k, v in error.headers.items()},
                error.read().decode("utf-8", "replace"),
            )

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return self.request(path, headers=headers)

    def post_form(self, path: str, data: dict[str, str], form_path: str | None = None) -> Answer:
        """Fetch the form's page for its CSRF token, then post `data` with it."""
        page = self.get(form_path or path)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert match, f"no CSRF token on {form_path or path}: {page.status}"
        return self.request(path, {**data, "csrfmiddlewaretoken": match[1]})

    def sign_up(self, email: str, password: str = PASSWORD) -> None:
        """Sign up on a loopback server, which shows the emailed link on the page; follow it."""
        sent = self.post_form("/signup/", {"email": email, "password": password, "understood": "1"})
        assert sent.status == 200, sent.body[:500]
        link = re.search(r'href="(http://[^"]+/signup/confirm/[^"]+)"', sent.body)
        assert link, "the loopback server shows the confirmation link"
        confirmed = self.request(urllib.parse.urlsplit(html.unescape(link[1])).path)
        assert confirmed.status == 302, confirmed.status
        assert confirmed.location == "/start/"

    def sign_in(self, email: str, password: str = PASSWORD) -> Answer:
        return self.post_form("/accounts/login/", {"username": email, "password": password})
