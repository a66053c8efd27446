"""The Content-Security-Policy (issue 15): the exact policy on every response, the few responses that
differ and why, no inline script or style in any template or in the SVG the pages embed, and a real
browser that reports no violation on any page a patient visits."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.accessibility_helpers import add_stylesheet
from tests.care_helpers import PASSWORD, onboard
from tests.care_history import do_session, patient, started_days_ago, without_review
from tests.test_hardening_headers import concrete_paths

from lumbar.web.security.csp import style_hashes, svg_file_policy

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "lumbar" / "web" / "templates"

# The site's policy, directive by directive (django-csp writes them in no fixed order).
POLICY = {
    "default-src": ["'none'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
}
# The REST API's docs page: Swagger UI's icons are data: URLs.
DOCS_PATH = "/api/v1/docs"
DOCS_POLICY = {**POLICY, "img-src": ["'self'", "data:"]}
# The session player runs the camera coach's pose model: WebAssembly may be compiled there, and only
# there; JavaScript eval stays refused everywhere.
PLAYER_POLICY = {**POLICY, "script-src": ["'self'", "'wasm-unsafe-eval'"]}


def is_session_player(path: str) -> bool:
    return re.fullmatch(r"/session/\d+/exercise/\d+/", path) is not None


def parse(header: str) -> dict[str, list[str]]:
    """`a x; b y z` as {"a": ["x"], "b": ["y", "z"]}; a directive named twice fails the test."""
    policy: dict[str, list[str]] = {}
    for directive in header.split(";"):
        name, *sources = directive.split()
        assert name not in policy, header
        policy[name] = sources
    return policy


def is_figure_file(path: str) -> bool:
    return re.fullmatch(r"/exercises/[^/]+/[^/]+\.svg", path) is not None


@pytest.mark.django_db
def test_every_url_signed_in_or_not_carries_the_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    without_review(monkeypatch)
    client = Client(raise_request_exception=False)
    onboard(client, "csp@example.org")
    user = patient("csp@example.org")
    started_days_ago(user, 3)
    do_session(user, timezone.localdate() - dt.timedelta(days=1), before=4, after=3)
    paths = concrete_paths(user)
    extra = {
        "static": "/static/lumbar/app.css",
        "vendor script": "/static/vendor/htmx-2.0.4.min.js",
        "admin": "/admin/login/",
        "404": "/no-such-page/",
        "a figure file": "/exercises/cat-cow/animated.svg",
    }
    checked = 0
    for name, path in {**paths, **extra}.items():
        for who, browser in (("signed in", client), ("signed out", Client(raise_request_exception=False))):
            response = browser.get(path)
            assert response.status_code < 500, (name, path, response.status_code)
            header = response.get("Content-Security-Policy")
            assert header, (who, name, path)
            if is_figure_file(path) and response.status_code == 200:
                assert header == svg_file_policy(response.content.decode()), (who, path)
            elif path == DOCS_PATH:
                assert parse(header) == DOCS_POLICY, (who, path, header)
            elif is_session_player(path) and response.status_code == 200:
                assert parse(header) == PLAYER_POLICY, (who, path, header)
            else:
                assert parse(header) == POLICY, (who, name, path, header)
            assert "Content-Security-Policy-Report-Only" not in response
            checked += 1
    assert checked >= 2 * 35
    # A form's answer too, and a page refused by CSRF.
    response = client.post("/settings/calendar/new-link/")
    assert response.status_code == 302
    assert parse(response["Content-Security-Policy"]) == POLICY
    refused = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    assert refused.status_code == 403
    assert parse(refused["Content-Security-Policy"]) == POLICY


def test_the_policy_text_is_exactly_the_documented_one() -> None:
    """The header as docs/web.md prints it, whatever order django-csp writes the directives in."""
    from csp.utils import build_policy

    written = build_policy()
    documented = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
    assert sorted(written.split("; ")) == sorted(documented.split("; "))
    docs = (Path(__file__).resolve().parents[1] / "docs" / "web.md").read_text(encoding="utf-8")
    assert documented in docs


@pytest.mark.django_db
def test_a_figure_file_allows_its_own_style_element_by_hash_and_nothing_else() -> None:
    response = Client().get("/exercises/cat-cow/animated.svg")
    assert response.status_code == 200
    svg = response.content.decode()
    styles = re.findall(r"<style>(.*?)</style>", svg, re.DOTALL)
    assert len(styles) == 1
    assert "prefers-reduced-motion" in styles[0]
    policy = parse(response["Content-Security-Policy"])
    assert policy == {
        "default-src": ["'none'"],
        "style-src": style_hashes(svg),
        "frame-ancestors": ["'none'"],
    }
    assert len(policy["style-src"]) == 1
    # A still has no <style>: its policy allows no style at all.
    still = Client().get("/exercises/cat-cow/start.svg")
    assert parse(still["Content-Security-Policy"])["style-src"] == ["'none'"]


def test_the_hash_is_the_one_csp_computes() -> None:
    # sha256 of "a{b:c}", base64 (`printf 'a{b:c}' | openssl dgst -sha256 -binary | base64`).
    assert style_hashes("<svg><style>a{b:c}</style></svg>") == [
        "'sha256-0cRUVYRKwNwnl1hkfkPGjkht16b039TjFdJzmXfFK2o='"
    ]
    assert svg_file_policy("<svg/>") == "default-src 'none'; style-src 'none'; frame-ancestors 'none'"


# --- No inline script or style ------------------------------------------------------------------------

# What the policy refuses in markup: a <script> with a body (only <script src=...></script> runs), a
# <style> element, a style= attribute, an on...= event handler, a javascript: URL, htmx's hx-on
# (run with eval, which htmx is told not to use).
INLINE = {
    "inline script": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "script body": re.compile(r"<script\b[^>]*>(?!</script>)", re.IGNORECASE),
    "style element": re.compile(r"<style\b", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "event handler": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "hx-on": re.compile(r"\s(data-)?hx-on", re.IGNORECASE),
}


def inline_code(text: str) -> list[str]:
    # Template comments may mention what they like.
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.DOTALL)
    text = re.sub(r"\{% comment %\}.*?\{% endcomment %\}", "", text, flags=re.DOTALL)
    return [f"{what}: {m.group(0)!r}" for what, pattern in INLINE.items() for m in pattern.finditer(text)]


def test_no_template_has_inline_script_or_style() -> None:
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 40
    found = {
        str(path.relative_to(TEMPLATES)): problems
        for path in templates
        if (problems := inline_code(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_rule_catches_what_it_should() -> None:
    assert inline_code('<script src="/static/x.js" defer></script>') == []
    assert inline_code("{# <style> is not allowed #}") == []
    assert inline_code("<script>alert(1)</script>")
    assert inline_code('<script type="module">x()</script>')
    assert inline_code("<style>p{}</style>")
    assert inline_code('<span style="width: 3%">')
    assert inline_code('<button onclick="go()">')
    assert inline_code('<a href="javascript:go()">')
    assert inline_code('<form hx-on::after-request="x()">')
    assert inline_code('<div data-style="x" class="onward">') == []


@pytest.mark.django_db
def test_the_svg_the_pages_embed_has_no_style() -> None:
    """Exercise figures and the pain chart go into pages as markup: presentation attributes only."""
    from lumbar.domain.catalog import default_catalog
    from lumbar.reports.charts import ChangeBand, PainReading, pain_chart_svg
    from lumbar.web.library.figures import figure_svg

    today = timezone.localdate()
    chart = pain_chart_svg(
        [
            PainReading(today - dt.timedelta(days=n), kind, 4 + n % 3)
            for n in range(9)
            for kind in ("before", "after")
        ]
        + [PainReading(today, "morning", 3)],
        scale_min=0,
        scale_max=10,
        band=ChangeBand(baseline=5, low=3, high=7, label="No real change"),
        title="Pain",
        description="Pain over nine days",
    )
    assert inline_code(chart) == []
    assert 'fill="#e6f4f1"' in chart
    assert 'stroke="#c2410c"' in chart
    drawn = [e.id for e in default_catalog() if e.motion is not None and e.motion.illustration is not None]
    for exercise_id in drawn[:3]:
        for frame in ("start", "end", "animated"):
            svg = figure_svg(exercise_id, frame)  # type: ignore[arg-type]
            assert svg is not None
            assert inline_code(svg) == [], (exercise_id, frame)


# --- In a browser --------------------------------------------------------------------------------------

# Every violation the page sees, whatever the console says: the event carries the directive.
_LISTEN = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolation(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} in ${e.sourceFile}:${e.lineNumber} (${location.pathname})`);
});
"""


class Violations:
    """Collects CSP violations from the page's securitypolicyviolation events and from the console."""

    def __init__(self, page: Any) -> None:
        self.found: list[str] = []
        self.pages: list[str] = []
        page.expose_function("__cspViolation", lambda text: self.found.append(f"event: {text}"))
        page.add_init_script(_LISTEN)
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.found.append(f"console: {message.text}")

    def visit(self, page: Any, where: str) -> None:
        """Let the page settle (scripts run, figures draw), then count it."""
        page.wait_for_load_state("load")
        page.wait_for_timeout(150)
        self.pages.append(where)


def choose(page: Any, group: str, option: str) -> None:
    page.get_by_role("group", name=group).get_by_role("radio", name=option, exact=True).check()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_page_a_patient_visits_violates_the_policy(live_server: Any, phone_page: Any) -> None:
    page, base = phone_page, live_server.url
    seen = Violations(page)

    # Signed out: home, the library (list, search by htmx, an exercise with its animated figure, a
    # figure file), the lessons, sign-in, and the API's docs page.
    for path in ("/", "/exercises/", "/learn/", "/accounts/login/", "/accounts/password/reset/"):
        page.goto(base + path)
        seen.visit(page, path)
    page.goto(base + "/exercises/")
    page.get_by_label("Search").fill("cat")
    page.wait_for_timeout(600)  # htmx's 300 ms delay, then the swap
    seen.visit(page, "library search")
    page.goto(base + "/exercises/cat-cow/")
    seen.visit(page, "an exercise")
    page.locator("main h1").wait_for()
    page.goto(base + "/exercises/cat-cow/animated.svg")
    seen.visit(page, "a figure file")
    page.goto(base + "/learn/")
    page.locator("main h2 a, main h3 a").first.click()
    seen.visit(page, "a lesson")
    page.goto(base + DOCS_PATH)
    page.locator(".swagger-ui .info").wait_for()
    seen.visit(page, "API docs")
    # An operation opened: its selects draw their arrows from data: URLs.
    page.locator(".opblock-summary").first.click()
    page.locator(".opblock-body select").first.wait_for()
    seen.visit(page, "API docs, an operation")

    # Sign up, the warning-sign questions (the progress bar) and the intake's first step.
    page.goto(base + "/signup/")
    page.get_by_label("Email").fill("csp-browser@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Create account").click()
    seen.visit(page, "check your email")
    page.get_by_role("link", name="Open the link from the email").click()
    seen.visit(page, "warning-sign question 1")
    page.get_by_role("button", name="No").click()
    seen.visit(page, "warning-sign question 2")
    bar = page.locator(".progress").first
    percent = int(bar.get_attribute("aria-valuenow") or "0")
    assert percent > 0
    filled = (page.locator(".progress rect").bounding_box() or {})["width"]
    assert filled == pytest.approx((bar.bounding_box() or {})["width"] * percent / 100, abs=1.5)
    while "/start/screen/" in page.url:
        page.get_by_role("button", name="No").click()
    seen.visit(page, "intake: about you")
    page.get_by_role("button", name="Next").click()
    seen.visit(page, "intake: about you, refused")

    # A patient with a week of history: program, a session in the player with its timer, check-in,
    # progress with the chart, settings.
    onboard(Client(), "csp-history@example.org")
    user = patient("csp-history@example.org")
    started_days_ago(user, 8)
    for days in (6, 4, 2):
        do_session(user, timezone.localdate() - dt.timedelta(days=days), before=5, after=4)
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill("csp-history@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/today/")
    seen.visit(page, "today")
    for path in ("/program/", "/checkin/", "/progress/", "/settings/", "/accounts/password/change/"):
        page.goto(base + path)
        seen.visit(page, path)
    page.goto(base + "/progress/")
    band = page.locator('svg.chart path[fill="#e6f4f1"]').first
    assert band.evaluate("e => getComputedStyle(e).fill") == "rgb(230, 244, 241)"
    page.goto(base + "/program/")
    page.get_by_role("link", name="Start today's session").first.click()
    seen.visit(page, "pain before")
    choose(page, "How bad is your back pain right now?", "4")
    page.get_by_role("button", name="Start").click()
    seen.visit(page, "exercise 1")
    page.get_by_role("button", name="Start with the timer").click()
    page.wait_for_timeout(1200)
    seen.visit(page, "exercise 1, get ready")
    # The animated figure moves, its still is hidden (app.css, not the figure's own <style>).
    figure = page.locator("svg.lumbar-figure").first
    assert figure.locator(".lf-moving").is_visible()
    assert not figure.locator(".lf-still").is_visible()

    assert len(seen.pages) == 25
    assert seen.found == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_with_reduced_motion_a_figure_shows_its_still(live_server: Any, browser: Any) -> None:
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    seen = Violations(page)
    page.goto(live_server.url + "/exercises/cat-cow/")
    seen.visit(page, "an exercise, reduced motion")
    figure = page.locator("figure svg.lumbar-figure").first
    assert figure.locator(".lf-still").is_visible()
    assert not figure.locator(".lf-moving").is_visible()
    assert page.locator(".figure-pause").count() == 0 or not page.locator(".figure-pause").first.is_visible()
    context.close()
    assert seen.found == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_test_tools_work_under_the_policy(live_server: Any, phone_page: Any, axe_script: str) -> None:
    """The accessibility tests add axe and a text-spacing stylesheet to pages whose policy refuses
    inline <script> and <style>: they do it in ways the policy allows, and the pages keep it."""
    page = phone_page
    seen = Violations(page)
    page.goto(live_server.url + "/")
    seen.visit(page, "home")
    add_stylesheet(page, "p { letter-spacing: 3px !important; }")
    assert page.locator("main p").first.evaluate("e => getComputedStyle(e).letterSpacing") == "3px"
    page.evaluate("() => {\n" + axe_script + "\n}")
    assert page.evaluate("typeof window.axe.run") == "function"
    # Playwright's own <style> and <script> tags are refused, as any inline code is.
    with pytest.raises(Exception, match="Content Security Policy"):
        page.add_style_tag(content="p { color: red; }")
    assert seen.found
