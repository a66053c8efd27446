"""Errors the core raises for input a person or another system got wrong.

Entry points map `InvalidInput` to exit code 2 (CLI) or HTTP 400/422 (web); anything else is a bug.
"""

from __future__ import annotations

from pydantic import ValidationError


class InvalidInput(ValueError):
    """Input that breaks a documented rule; the message is one line naming the field and problem."""


class UnknownId(InvalidInput):
    """An id that names nothing in the content (an exercise, a topic, an instrument)."""


def describe_validation_error(exc: ValidationError, source: str) -> str:
    """One line for the first problem pydantic found, e.g. `intake: pain.now: ...`."""
    first = exc.errors(include_url=False)[0]
    location = ".".join(str(part) for part in first["loc"]) or "(top level)"
    problem = first["msg"]
    if first["type"] == "extra_forbidden":
        problem = "unknown key"
    elif first["type"] == "missing":
        problem = "required but missing"
    got = first.get("input")
    suffix = ""
    if first["type"] not in ("missing", "extra_forbidden") and isinstance(got, (int, float, str, bool)):
        suffix = f" (got {got!r})"
    return f"{source}: {location}: {problem}{suffix}"


def invalid_from(exc: ValidationError, source: str) -> InvalidInput:
    return InvalidInput(describe_validation_error(exc, source))
