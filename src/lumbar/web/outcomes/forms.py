"""The reassessment form: pain now, the person's own PSFS activities re-rated, and (only when the
deployer supplied the licensed wording) the ODI, RMDQ and STarT Back, shown in that wording.

The form checks shapes (whole numbers, known choices); ranges and scoring are the domain's, through
outcome_services.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from lumbar.domain import instruments
from lumbar.domain.instruments import LicensedWording, OdiWording, RmdqWording, StartBackWording
from lumbar.web.core.widgets import PAIN_CHOICES, Chips, pain_field

BOTHERSOMENESS_ORDER = ("not_at_all", "slightly", "moderately", "very_much", "extremely")


class AbilityScale(forms.RadioSelect):
    """0-10 like the pain scale, with the PSFS's ends (0 can't do it, 10 as before)."""

    template_name = "care/widgets/ability_scale.html"


class Options(forms.RadioSelect):
    """Long answers (questionnaire statements) stacked one per line."""

    template_name = "care/widgets/options.html"


class CheckOptions(forms.CheckboxSelectMultiple):
    template_name = "care/widgets/options.html"


class ReassessmentForm(forms.Form):
    def __init__(self, data: Any = None, *, goals: list[str], wording: Mapping[str, LicensedWording]) -> None:
        super().__init__(data)
        content = instruments.default_instruments()
        self.goal_count = len(goals)
        self.fields["nprs"] = pain_field(content.nprs.text.question)
        for number, goal in enumerate(goals, start=1):
            self.fields[f"psfs_{number}"] = forms.TypedChoiceField(
                label=goal, choices=PAIN_CHOICES, coerce=int, widget=AbilityScale
            )
        self.odi = wording.get("odi") if isinstance(wording.get("odi"), OdiWording) else None
        self.rmdq = wording.get("rmdq") if isinstance(wording.get("rmdq"), RmdqWording) else None
        startback = wording.get("startback")
        self.startback = startback if isinstance(startback, StartBackWording) else None
        if isinstance(self.odi, OdiWording):
            for number, section in enumerate(self.odi.sections, start=1):
                self.fields[f"odi_{number}"] = forms.TypedChoiceField(
                    label=section.topic,
                    choices=list(enumerate(section.statements)),
                    coerce=int,
                    required=False,
                    empty_value=None,
                    widget=Options,
                )
        if isinstance(self.rmdq, RmdqWording):
            self.fields["rmdq"] = forms.TypedMultipleChoiceField(
                label="Tick each sentence that describes you today",
                choices=list(enumerate(self.rmdq.items, start=1)),
                coerce=int,
                required=False,
                widget=CheckOptions,
            )
        if self.startback is not None:
            for key, text in self.startback.items.items():
                if key == "bothersomeness":
                    answers = [(k, self.startback.bothersomeness_answers[k]) for k in BOTHERSOMENESS_ORDER]
                    self.fields[f"startback_{key}"] = forms.ChoiceField(
                        label=text, choices=answers, widget=Chips
                    )
                else:
                    self.fields[f"startback_{key}"] = forms.TypedChoiceField(
                        label=text,
                        choices=[("agree", "Agree"), ("disagree", "Disagree")],
                        coerce=lambda v: v == "agree",
                        widget=Chips,
                    )

    def _fields(self, prefix: str) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(prefix)]

    @property
    def psfs_fields(self) -> list[forms.BoundField]:
        return self._fields("psfs_")

    @property
    def odi_fields(self) -> list[forms.BoundField]:
        return self._fields("odi_")

    @property
    def startback_fields(self) -> list[forms.BoundField]:
        return self._fields("startback_")

    def answers(self) -> dict[str, Any]:
        """Keyword arguments for outcome_services.record_reassessment."""
        data = self.cleaned_data
        answers: dict[str, Any] = {
            "nprs": data["nprs"],
            "psfs_scores": [data[f"psfs_{n}"] for n in range(1, self.goal_count + 1)] or None,
        }
        if self.odi is not None:
            sections = [data.get(f"odi_{n}") for n in range(1, len(self.odi.sections) + 1)]
            # Skipping every section means skipping the questionnaire, not scoring it as blank.
            answers["odi_sections"] = sections if any(s is not None for s in sections) else None
        if self.rmdq is not None:
            answers["rmdq_yes"] = sorted(data.get("rmdq") or [])
        if self.startback is not None:
            answers["startback"] = {key: data[f"startback_{key}"] for key in self.startback.items}
        return answers
