"""Writes for outcome measures: storing a reassessment at a checkpoint.

Every score is computed and range-checked by lumbar.domain.instruments; a bad answer raises
InvalidInput naming it, and nothing is stored unless every answer is good.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError

from lumbar.domain import instruments
from lumbar.domain.errors import InvalidInput, invalid_from
from lumbar.domain.instruments import LicensedWording
from lumbar.domain.intake import Goal, StartBackAnswers
from lumbar.web.outcomes.selectors import reassessment_for
from lumbar.web.records.models import OutcomeScore
from lumbar.web.records.services import ServiceError, lock_person


def licensed_wording() -> dict[str, LicensedWording]:
    """The ODI, RMDQ and STarT Back wording the deployer supplied (LUMBAR_LICENSED_INSTRUMENTS_DIR);
    empty when none was. Without it those questionnaires are not asked."""
    directory = instruments.licensed_wording_dir(os.environ)
    if directory is None:
        return {}
    return instruments.load_licensed_wording(directory)


def record_reassessment(
    user: AbstractBaseUser,
    *,
    nprs: int,
    psfs_scores: Sequence[int] | None = None,
    odi_sections: Sequence[int | None] | None = None,
    rmdq_yes: Sequence[int] | None = None,
    startback: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
) -> list[OutcomeScore]:
    """Store the scores of a due reassessment; the PSFS re-rates the intake's own activities.

    Raises ServiceError when no reassessment is due (or a questionnaire is not offered here) and
    InvalidInput for an answer out of range.
    """
    today = today or timezone.localdate()
    _, status = reassessment_for(user, today)
    if status is None or status.due is None:
        if repeat := reassessment_scores(user, on=today):
            return repeat  # the answers of a moment ago, sent again
        raise ServiceError("No check is due today.")
    licensed = licensed_wording()
    for name, answers in (("odi", odi_sections), ("rmdq", rmdq_yes), ("startback", startback)):
        if answers is not None and name not in licensed:
            raise ServiceError(f"The {name.upper()} questionnaire is not offered here.")
    marker = {"reassessment_week": status.due.week}
    scored: list[tuple[str, float, dict[str, Any]]] = []

    pain = instruments.score_nprs(_whole(nprs, "nprs"))
    scored.append(("nprs", pain.value, {**marker, "interpretation": pain.interpretation}))

    scores = list(psfs_scores or [])
    if len(scores) != len(status.goals):
        raise InvalidInput(f"psfs: rate each of your {len(status.goals)} activities (got {len(scores)})")
    if status.goals:
        goals = [
            _goal(activity, _whole(score, f"psfs {activity!r}"))
            for activity, score in zip(status.goals, scores, strict=True)
        ]
        psfs = instruments.score_psfs(goals)
        activities = [{"activity": g.activity, "score": g.score} for g in goals]
        scored.append(
            ("psfs", psfs.mean, {**marker, "interpretation": psfs.interpretation, "activities": activities})
        )

    if odi_sections is not None:
        odi = instruments.score_odi(list(odi_sections))
        if odi.percent is None:
            raise InvalidInput(f"odi: {odi.reason}")
        detail = {
            **marker,
            "band": odi.band,
            "raw_sum": odi.raw_sum,
            "sections_answered": odi.sections_answered,
            "interpretation": odi.interpretation,
        }
        scored.append(("odi", odi.percent, detail))

    if rmdq_yes is not None:
        rmdq = instruments.score_rmdq(list(rmdq_yes))
        scored.append(("rmdq", rmdq.value, {**marker, "interpretation": rmdq.interpretation}))

    if startback is not None:
        try:
            answers = StartBackAnswers.model_validate(dict(startback))
        except ValidationError as exc:
            raise invalid_from(exc, "startback") from None
        risk = instruments.score_startback(answers)
        detail = {
            **marker,
            "psychosocial": risk.psychosocial,
            "risk": risk.risk,
            "interpretation": risk.interpretation,
        }
        scored.append(("startback", risk.total, detail))

    with transaction.atomic():
        # A double submit or a second tab: the first answers are the reassessment, the repeat
        # gets them back rather than a second set of scores for the same week.
        lock_person(user)
        if stored := reassessment_scores(user, week=status.due.week):
            return stored
        return [
            OutcomeScore.objects.create(patient=user, date=today, instrument=name, score=score, detail=detail)
            for name, score, detail in scored
        ]


def reassessment_scores(
    user: AbstractBaseUser, *, week: int | None = None, on: dt.date | None = None
) -> list[OutcomeScore]:
    """The scores of one reassessment (that week's, or one answered on that day)."""
    rows = OutcomeScore.objects.filter(patient=user).order_by("pk")
    if on is not None:
        rows = rows.filter(date=on)
    return [
        row
        for row in rows
        if (marked := (row.detail or {}).get("reassessment_week")) is not None
        and (week is None or marked == week)
    ]


def _whole(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{what}: must be a whole number (got {value!r})")
    return value


def _goal(activity: str, score: int) -> Goal:
    try:
        return Goal.model_validate({"activity": activity, "score": score})
    except ValidationError as exc:
        raise invalid_from(exc, "psfs") from None


def record_outcome(
    user: AbstractBaseUser,
    instrument: str,
    score: float,
    detail: dict[str, Any],
    *,
    today: dt.date | None = None,
) -> OutcomeScore:
    return OutcomeScore.objects.create(
        patient=user, date=today or timezone.localdate(), instrument=instrument, score=score, detail=detail
    )
