"""Fixtures shared by the whole suite."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

# `lumbar plan`'s content snapshot goes to a throwaway folder, not the user's cache.
os.environ.setdefault("LUMBAR_CACHE_DIR", tempfile.mkdtemp(prefix="lumbar-test-cache-"))

# Playwright drives Django's live server from the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The project's shared folder (contracts, recordings); tests that need it skip without it."""
    if not (SHARED / "contracts").is_dir():
        pytest.skip(f"../shared is absent ({SHARED}): contract and recording tests need it")
    return SHARED


@pytest.fixture(scope="session")
def contract_validator(shared_dir: Path) -> Callable[..., Callable[[Any], None]]:
    """`contract_validator("program")` or `contract_validator("progress", "Review")` returns a
    function that raises jsonschema.ValidationError when its argument breaks the contract."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    contracts = shared_dir / "contracts"
    resources = []
    for path in sorted(contracts.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(schema)
        resources.append((path.name, resource))
        resources.append((schema["$id"], resource))
    registry: Registry[Any] = Registry().with_resources(resources)

    def make(name: str, definition: str | None = None) -> Callable[[Any], None]:
        schema_id = f"lumbar/{name}.schema.json"
        schema: dict[str, Any] = {"$ref": schema_id + (f"#/$defs/{definition}" if definition else "")}
        validator = Draft202012Validator(
            schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
        )

        def validate(instance: Any) -> None:
            validator.validate(instance)

        return validate

    return make


# --- Browser tests: Playwright drives Debian's Chromium (Playwright's own download is not used). ---

CHROMIUM = os.environ.get("LUMBAR_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: run `make test`, which installs it")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--headless",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--disable-quic",
        ],
    }


@pytest.fixture
def phone_page(browser: Any) -> Any:
    """A page the size of a small phone (360 x 740), touch enabled."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    yield page
    context.close()


# --- Accessibility: axe-core from npm (package-lock.json, `npm ci` in `make test`). ---

AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA: the app's target (docs/web.md, "Accessibility").
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
AXE_FAILING_IMPACTS = ("critical", "serious")
AXE_WIDTHS = (360, 1280)

_AXE_RUN = """async ([tags, failing]) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.filter(v => failing.includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + (n.failureSummary || "").replace(/\\s+/g, " ")),
  }));
}"""


class AxeAudit:
    """Runs axe-core on the page as it is, at each width of AXE_WIDTHS (a phone and a desktop), and
    keeps every critical or serious violation with the page and width where it was found."""

    def __init__(self, script: str) -> None:
        self.script = script
        self.violations: list[str] = []
        self.checked: list[str] = []

    def check(self, page: Any, where: str) -> None:
        size = page.viewport_size
        if not page.evaluate("typeof window.axe === 'object'"):
            # Run through Playwright, not an inline <script> (page.add_script_tag): the page's
            # Content-Security-Policy refuses inline scripts, and the browser tests keep it on.
            page.evaluate("() => {\n" + self.script + "\n}")
        for width in AXE_WIDTHS:
            page.set_viewport_size({"width": width, "height": size["height"] if width < 800 else 800})
            for v in page.evaluate(_AXE_RUN, [AXE_TAGS, list(AXE_FAILING_IMPACTS)]):
                self.violations.append(
                    f"{where} at {width}px: {v['impact']} {v['id']} ({v['help']}): {v['nodes']}"
                )
            self.checked.append(f"{where}@{width}")
        page.set_viewport_size(size)


@pytest.fixture(scope="session")
def axe_script() -> str:
    """axe-core's source. `make test` installs it (npm ci); CI fails without it, elsewhere the
    accessibility tests skip as the browser tests do without Chromium."""
    if not AXE_JS.exists():
        message = f"axe-core not installed at {AXE_JS}: run `make test` (or `npm ci`)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture
def axe(axe_script: str) -> AxeAudit:
    return AxeAudit(axe_script)


@pytest.fixture(scope="session")
def contract_part_validator(shared_dir: Path) -> Callable[[str, str], Callable[[Any], None]]:
    """`contract_part_validator("program", "/properties/triage")` validates against a part of a
    contract that is not under $defs (a JSON pointer into the schema file)."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    contracts = shared_dir / "contracts"
    resources = []
    for path in sorted(contracts.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    registry: Registry[Any] = Registry().with_resources(resources)

    def make(name: str, pointer: str) -> Callable[[Any], None]:
        validator = Draft202012Validator({"$ref": f"lumbar/{name}.schema.json#{pointer}"}, registry=registry)
        return validator.validate

    return make


@pytest.fixture
def concurrent_writers() -> None:
    """Skip where the test database cannot take concurrent writers: Django's SQLite test database
    in memory (shared cache) refuses them instead of queueing them. `make test` runs these tests on
    PostgreSQL; on SQLite they run with a file test database (TEST NAME), as the app's database is."""
    from django.db import connection

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("the test database is SQLite in memory, which refuses concurrent writers")
