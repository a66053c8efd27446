"""Shape form checks for the pages: the placement guide, the verdict in words, the JSON a page reads."""

from __future__ import annotations

import json
from typing import Any

from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone

from lumbar.domain.catalog import default_catalog
from lumbar.motion.checkspec import CheckSpec
from lumbar.web.formcheck.assets import live_camera_available
from lumbar.web.records import selectors as records
from lumbar.web.records.models import ExerciseSession, FormCheck

PLACEMENT = {
    "side": {
        "title": "Side-on",
        "where": "Stand the phone or laptop to one side of you, so the camera sees you from the side.",
        "height": "At hip height: on a chair or a shelf, not held in your hand.",
    },
    "front": {
        "title": "Facing you",
        "where": "Put the phone or laptop in front of you, facing you.",
        "height": "At chest height: on a shelf or a stack of books, not held in your hand.",
    },
}
DISTANCE = "2 to 3 metres away, so your whole body, head to feet, is in the picture."


def _diagram(view: str) -> str:
    """Seen from above: the person on the mat and where the camera goes, 2-3 m away."""
    camera = (40, 70) if view == "side" else (150, 150)
    person_turn = 0 if view == "side" else 90
    return (
        '<svg viewBox="0 0 300 180" role="img" aria-labelledby="camera-diagram-title">'
        f'<title id="camera-diagram-title">Seen from above: the camera {"beside you" if view == "side" else "in front of you"}, '
        "2 to 3 metres away, with your whole body in its view.</title>"
        '<rect x="120" y="10" width="160" height="60" rx="6" fill="#dfe9f3" stroke="#5b7185"/>'
        f'<g transform="rotate({person_turn} 200 40)"><ellipse cx="200" cy="40" rx="34" ry="12" fill="#2f6f9f"/>'
        '<circle cx="240" cy="40" r="10" fill="#e2b48c"/></g>'
        f'<line x1="{camera[0]}" y1="{camera[1]}" x2="200" y2="40" stroke="#5b7185" stroke-dasharray="6 5"/>'
        f'<rect x="{camera[0] - 14}" y="{camera[1] - 10}" width="28" height="20" rx="4" fill="#1d2b36"/>'
        f'<circle cx="{camera[0]}" cy="{camera[1]}" r="6" fill="#9fc3e0"/>'
        f'<text x="{(camera[0] + 200) // 2 - 20}" y="{(camera[1] + 40) // 2 + 24}" font-size="14" fill="#1d2b36">2-3 m</text>'
        "</svg>"
    )


def camera_panel(
    session: ExerciseSession, number: int, entry: dict[str, Any], spec: CheckSpec
) -> dict[str, Any]:
    """The session player's camera section for one exercise the camera can check."""
    view = spec.view or "side"
    counts_reps = spec.reps is not None
    config = {
        "startUrl": reverse("form-check-start", args=[session.pk, number]),
        "poseBase": static("vendor/mediapipe-pose/"),
        "view": view,
        "countsReps": counts_reps,
        "targetReps": entry.get("reps") if counts_reps else None,
        "targetHold": entry.get("hold_seconds"),
    }
    checks = listed(records.form_checks(session, entry["id"]))
    for c in checks:
        c["when"] = timezone.localtime(c["created_at"]).strftime("%H:%M")
    return {
        "config_json": json.dumps(config),
        "view": view,
        "placement": PLACEMENT[view],
        "distance": DISTANCE,
        "diagram": _diagram(view),
        "counts_reps": counts_reps,
        "target_reps": config["targetReps"],
        "live_available": live_camera_available(),
        "upload_url": reverse("form-check-upload", args=[session.pk, number]),
        "checks": checks,
    }


def exercise_url(check: FormCheck) -> str:
    ids = [e["id"] for e in check.session.program.exercises]
    number = ids.index(check.exercise_id) + 1 if check.exercise_id in ids else 1
    return reverse("session-exercise", args=[check.session_id, number])


def _fault_lines(result: dict[str, Any]) -> list[dict[str, Any]]:
    reps = result.get("reps", [])
    hold_seconds = sum(h.get("seconds", 0.0) for h in result.get("holds", []))
    lines = []
    for fault in result.get("faults", []):
        line: dict[str, Any] = {"id": fault["id"], "message": fault["message"], "seconds": fault["seconds"]}
        if reps and result.get("counts_reps", True):
            line["reps_with"] = sum(1 for r in reps if fault["id"] in r.get("faults", []))
            line["reps"] = len(reps)
        elif hold_seconds:
            line["share_of_hold"] = min(1.0, fault["seconds"] / hold_seconds)
        lines.append(line)
    return lines


def summary(check: FormCheck) -> dict[str, Any]:
    """One check in words, for the result page, the session summary, progress and the clinic."""
    exercise = default_catalog().exercises.get(check.exercise_id)
    base: dict[str, Any] = {
        "id": check.pk,
        "exercise_id": check.exercise_id,
        "name": exercise.name if exercise else check.exercise_id,
        "mode": check.mode,
        "status": check.status,
        "created_at": check.created_at,
        "error": check.error,
        "url": reverse("form-check-result", args=[check.pk]),
    }
    result = check.result
    if check.status != FormCheck.DONE or not result:
        return base
    seen = bool(result["visibility"]["ok"])
    holds = [h["seconds"] for h in result.get("holds", [])]
    return base | {
        "seen": seen,
        "visibility": result["visibility"]["message"],
        "counts_reps": result.get("counts_reps", True),
        "reps": result["rep_count"],
        "holds": holds,
        "longest_hold": max(holds) if holds else None,
        "faults": _fault_lines(result) if seen else [],
        "notes": list(result.get("notes", [])),
        "not_checked": list(result.get("not_checked", [])),
        "duration": result["duration_seconds"],
    }


def headline(s: dict[str, Any]) -> str:
    """ "8 reps, heels lifting in 2" — the check in one line."""
    if s["status"] == FormCheck.FAILED:
        return "Could not be checked"
    if s["status"] != FormCheck.DONE:
        return "Being analysed"
    if not s["seen"]:
        return "The camera could not see well enough"
    if s["counts_reps"]:
        what = f"{s['reps']} rep{'s' if s['reps'] != 1 else ''}"
    elif s["holds"]:
        what = f"longest hold {round(s['longest_hold'])} s"
    else:
        what = "no hold found"
    faults = len(s["faults"])
    if not faults:
        return what + ", form looked good"
    return what + (", 1 thing to work on" if faults == 1 else f", {faults} things to work on")


def finished_json(check: FormCheck) -> dict[str, Any]:
    s = summary(check)
    doc = {
        "status": check.status,
        "headline": headline(s),
        "result_url": s["url"],
        "error": check.error,
    }
    if check.status == FormCheck.DONE:
        doc |= {
            "seen": s["seen"],
            "reps": s["reps"] if s["counts_reps"] else None,
            "hold_seconds": round(s["longest_hold"]) if s.get("longest_hold") else None,
            "faults": [f["message"] for f in s["faults"]],
            "visibility": s["visibility"],
        }
    return doc


def result_context(check: FormCheck) -> dict[str, Any]:
    s = summary(check)
    return {"check": check, "s": s, "headline": headline(s), "back_url": exercise_url(check)}


def listed(checks: list[FormCheck]) -> list[dict[str, Any]]:
    """Checks for a list (progress, the session summary, the therapist's record): each in one line."""
    out = []
    for check in checks:
        s = summary(check)
        s["headline"] = headline(s)
        out.append(s)
    return out
