"""Reads for onboarding: the intake draft and the warning-sign questions still to answer."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser

from lumbar.domain import screening
from lumbar.web.records.models import (
    IntakeDraft,
)


def draft(user: AbstractBaseUser) -> IntakeDraft | None:
    return IntakeDraft.objects.filter(patient=user).first()


# Where the web intake keeps the answers to the cauda equina questions asked again (not an intake key).
RECHECK_KEY = "_cauda_equina"


def screen_questions() -> list[screening.RedFlagRule]:
    """The warning-sign questions of the current screen, in order."""
    return list(screening.default_rules().red_flags)


def unanswered_screen_questions(answers: dict[str, Any]) -> list[int]:
    """Numbers (from 1) of the screen's questions the draft has no answer to."""
    answered = answers.get("red_flags") or {}
    return [n for n, q in enumerate(screen_questions(), start=1) if q.key not in answered]


def cauda_equina_recheck(answers: dict[str, Any]) -> list[screening.RedFlagRule]:
    """The warning-sign questions to ask again because of the leg pattern given in the intake.

    The screen's rules say which leg pattern counts as a warning sign (symptoms in both legs in a
    new episode counts as the cauda equina flag); a person who reports it answers every question
    about the same condition again. Empty when the pattern does not hold or is not known yet."""
    side, weeks = answers.get("leg_side"), answers.get("episode_weeks")
    if answers.get("leg_symptoms", "none") == "none" or side is None or weeks is None:
        return []
    rules = screening.default_rules()
    by_key = {rule.key: rule for rule in rules.red_flags}
    for implied in rules.implied_flags:
        under = implied.episode_under_weeks
        if implied.leg_side == side and under is not None and weeks < under:
            condition = by_key[implied.flag].condition
            return [rule for rule in rules.red_flags if rule.condition == condition]
    return []


def recheck_unanswered(answers: dict[str, Any]) -> list[str]:
    """Keys of the questions asked again (see cauda_equina_recheck) the draft has no answer to."""
    given = answers.get(RECHECK_KEY) or {}
    return [rule.key for rule in cauda_equina_recheck(answers) if rule.key not in given]
