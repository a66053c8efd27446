"""Turn a progression review into the next version of a program.

The review decides (lumbar.domain.progression); this module only rewrites the program JSON the way
the decisions say, and words the change for the person: "Glute bridge: 2 x 12 now (was 2 x 10),
because ...". `hold` and `stop` leave the program as it is: a stop is for today only, and the next
review regresses the exercise.

Walking is reviewed weekly, and walks are logged without their length, so a walking change is
applied at most once a week: the program remembers the day it last changed (`walking_changed_on`).
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from lumbar.domain.catalog import Catalog, Dose
from lumbar.domain.library import describe_dose
from lumbar.domain.progression import Intervals, WalkingDose

CHANGING_ACTIONS = frozenset({"progress", "regress", "substitute"})
DAYS_PER_WEEK = 7


def apply_review(
    program: dict[str, Any], review: dict[str, Any], catalog: Catalog
) -> tuple[dict[str, Any], list[str]]:
    """The program after the review's decisions, and one plain sentence per change (empty: unchanged)."""
    updated = copy.deepcopy(program)
    changes: list[str] = []
    by_id = {entry["id"]: index for index, entry in enumerate(updated.get("exercises", []))}
    for decision in review.get("decisions", []):
        if decision["action"] not in CHANGING_ACTIONS or decision["id"] not in by_id:
            continue
        index = by_id[decision["id"]]
        before = updated["exercises"][index]
        target_id = decision["to"].get("id") or before["id"]
        if target_id != before["id"] and target_id in by_id:
            # The easier or harder variant is already in the program: doing it twice adds nothing.
            continue
        after = _changed_entry(before, decision, catalog, program.get("precaution_keys", []))
        if _same_dose(before, after):
            continue
        updated["exercises"][index] = after
        by_id[after["id"]] = by_id.pop(before["id"])
        changes.append(_describe_change(before, after, decision, catalog))
    walking_change = _walking_change(updated, review)
    if walking_change:
        changes.append(walking_change)
    if changes:
        updated["content_version"] = catalog.version
    return updated, changes


def _walking_change(program: dict[str, Any], review: dict[str, Any]) -> str | None:
    """Apply the weekly walking decision (at most once a week); the sentence saying so, or None."""
    decision = review.get("walking")
    plan = program.get("walking")
    if not decision or not plan or decision["action"] not in ("progress", "regress"):
        return None
    today = dt.date.fromisoformat(review["today"])
    last = program.get("walking_changed_on")
    if last and (today - dt.date.fromisoformat(last)).days < DAYS_PER_WEEK:
        return None
    keys = ("minutes_per_bout", "bouts_per_day", "days_per_week", "running")
    if any(plan.get(k) != decision["from"].get(k) for k in keys):
        return None  # the review judged another plan than the one in force
    before = dict(plan)
    plan.update({k: decision["to"][k] for k in keys if k in decision["to"]})
    if "running" not in decision["to"]:
        plan.pop("running", None)
    program["walking_changed_on"] = today.isoformat()
    return f"Walking: {_walk_words(plan)} now (was {_walk_words(before)}). {' '.join(decision['reasons'])}"


def _walk_words(plan: dict[str, Any]) -> str:
    running = plan.get("running")
    intervals = (
        Intervals(running["run_minutes"], running["walk_minutes"], running["repeats"]) if running else None
    )
    return WalkingDose(
        plan["minutes_per_bout"], plan["bouts_per_day"], plan["days_per_week"], intervals
    ).words()


def _changed_entry(
    before: dict[str, Any], decision: dict[str, Any], catalog: Catalog, program_keys: list[str]
) -> dict[str, Any]:
    target = decision["to"]
    new_id = target.get("id") or before["id"]
    entry = dict(before)
    entry["sets"] = target.get("sets", before["sets"])
    entry["reps"] = target.get("reps")
    entry["hold_seconds"] = target.get("hold_seconds")
    if new_id != before["id"]:
        exercise = catalog.exercise(new_id)
        entry["id"] = exercise.id
        entry["name"] = exercise.name
        entry["per_side"] = exercise.timing.per_side
        entry["evidence"] = list(exercise.evidence)
        entry["reasons"] = list(decision["reasons"])
        old = catalog.exercises.get(before["id"])
        if old is None or old.direction_bias != exercise.direction_bias:
            # "Little and often" was for work in the easing direction, not for what replaces it.
            entry.pop("times_per_day", None)
        # Cautions were worked out for the old exercise; the new one's notes come from its own file, for
        # the person's precaution keys (the program's, and those the old exercise's cautions named).
        keys = set(program_keys) | set(before.get("caution_keys", []))
        entry["cautions"] = [p.note for p in exercise.precautions if p.action != "avoid" and p.when in keys]
        entry["caution_keys"] = [
            p.when for p in exercise.precautions if p.action != "avoid" and p.when in keys
        ]
    return entry


def _same_dose(before: dict[str, Any], after: dict[str, Any]) -> bool:
    keys = ("id", "sets", "reps", "hold_seconds")
    return all(before.get(k) == after.get(k) for k in keys)


def _dose_text(entry: dict[str, Any], catalog: Catalog) -> str:
    exercise = catalog.exercises.get(entry["id"])
    dose = Dose(sets=entry["sets"], reps=entry.get("reps"), hold_seconds=entry.get("hold_seconds"))
    return describe_dose(dose, exercise.timing if exercise else None)


def _describe_change(
    before: dict[str, Any], after: dict[str, Any], decision: dict[str, Any], catalog: Catalog
) -> str:
    reason = " ".join(decision["reasons"])
    if after["id"] != before["id"]:
        return f"{before['name']} is replaced by {after['name']} ({_dose_text(after, catalog)}). {reason}"
    return f"{after['name']}: {_dose_text(after, catalog)} now (was {_dose_text(before, catalog)}). {reason}"


def hold_progressions(review: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a review into what applies at once and what waits for a therapist: when a therapist
    manages the program, making it harder (`progress`, of an exercise or of the walk) is theirs to
    accept, while easing it (`regress`, `substitute`), which the pain-monitoring rules call for
    promptly, still applies. Returns (applied now, held), each a review `apply_review` reads."""
    held_ids = [d for d in review.get("decisions", []) if d["action"] == "progress"]
    applied = {**review, "decisions": [d for d in review.get("decisions", []) if d["action"] != "progress"]}
    held: dict[str, Any] = {"today": review.get("today"), "decisions": held_ids, "walking": None}
    walking = review.get("walking")
    if walking and walking.get("action") == "progress":
        applied["walking"] = None
        held["walking"] = walking
    return applied, held


def held_changes(
    program: dict[str, Any], held: dict[str, Any], catalog: Catalog
) -> list[tuple[str, dict[str, Any], str]]:
    """Each held decision as (target, the decision as a one-decision review, the change in words):
    the target is the exercise id, or "walking". A decision that would change nothing is left out."""
    out: list[tuple[str, dict[str, Any], str]] = []
    for decision in held.get("decisions", []):
        one = {"today": held.get("today"), "decisions": [decision], "walking": None}
        _, words = apply_review(program, one, catalog)
        if words:
            out.append((decision["id"], one, words[0]))
    if held.get("walking"):
        one = {"today": held.get("today"), "decisions": [], "walking": held["walking"]}
        _, words = apply_review(program, one, catalog)
        if words:
            out.append(("walking", one, words[0]))
    return out
