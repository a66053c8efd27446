"""Helpers of the accessibility tests: where the focus is, and moving it with the keyboard alone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from tests.care_helpers import PASSWORD

# A short, exact description of the focused element: 'button "Pause"', 'radio pain_during=0',
# 'input age', 'link "Start today\'s session"', 'select duration_unit', 'div#error-summary', 'body'.
_FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return "body";
  const tag = e.tagName.toLowerCase();
  const text = (e.innerText || e.textContent || "").replace(/\\s+/g, " ").trim();
  if (tag === "input" && (e.type === "radio" || e.type === "checkbox")) return e.type + " " + e.name + "=" + e.value;
  if (tag === "input" || tag === "select" || tag === "textarea") return (tag === "input" ? "input" : tag) + " " + e.name;
  if (tag === "button" || tag === "summary") return tag + ' "' + text + '"';
  if (tag === "a") return 'link "' + text + '"';
  return tag + (e.id ? "#" + e.id : "");
}"""


def ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def focused(page: Any) -> str:
    return str(page.evaluate(_FOCUSED))


def tab_to(page: Any, target: str, *, back: bool = False, limit: int = 80) -> int:
    """Press Tab (Shift+Tab with `back`) until `target` (as `focused` describes it) has the focus;
    returns the number of presses. Fails if it is not reached within `limit` presses."""
    seen = []
    for presses in range(1, limit + 1):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        now = focused(page)
        if now == target:
            return presses
        seen.append(now)
    raise AssertionError(f"{target} not reached with {'Shift+' if back else ''}Tab; focus went {seen}")


def checked(page: Any, name: str) -> str | None:
    return page.evaluate(
        "name => { const e = document.querySelector(`input[name='${name}']:checked`); return e && e.value; }",
        name,
    )


def choose_with_keys(page: Any, name: str, value: str) -> None:
    """Tab into the radio group `name`, check its option with Space, then move with the right arrow
    (which checks each option in turn, as browsers do) until `value` is checked."""
    tab_into_group(page, name)
    page.keyboard.press("Space")
    for _ in range(12):
        if checked(page, name) == value:
            assert focused(page) == f"radio {name}={value}"
            return
        page.keyboard.press("ArrowRight")
    raise AssertionError(f"{value} not reached in {name} with the arrow keys (at {checked(page, name)})")


def tab_into_group(page: Any, name: str, limit: int = 80) -> None:
    """Press Tab until an option of the radio group `name` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page).startswith(f"radio {name}="):
            return
    raise AssertionError(f"the radio group {name} was not reached with Tab")


def type_into(page: Any, name: str, text: str) -> None:
    """Tab to the text field `name` and type."""
    tab_to(page, f"input {name}")
    page.keyboard.type(text)


def press_and_wait(page: Any, key: str = "Enter") -> None:
    """Press a key that submits a form or follows a link, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def sign_in(page: Any, base: str, email: str = "pat@example.org") -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/today/")


def add_stylesheet(page: Any, css: str) -> None:
    """Add `css` to the page as a stylesheet of its own (a constructed one, not a <style> element,
    which the page's Content-Security-Policy refuses: the browser tests keep the policy on)."""
    page.evaluate(
        """css => {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}""",
        css,
    )
