"""Forms of the session player and the daily check-in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from lumbar.domain.screening import RedFlagRule
from lumbar.web.core.widgets import Chips, pain_field


class PainForm(forms.Form):
    pain = pain_field("Pain")


class ExerciseLogForm(forms.Form):
    completed = forms.BooleanField(required=False)
    sets = forms.IntegerField(min_value=0, max_value=20, required=False)
    reps = forms.IntegerField(min_value=0, max_value=100, required=False)
    hold_seconds = forms.IntegerField(min_value=0, max_value=900, required=False)
    pain_during = pain_field("How bad was your pain during this exercise?", required=False)
    difficulty = forms.ChoiceField(
        label="How did it feel?",
        choices=[("easy", "Easy"), ("right", "About right"), ("hard", "Hard")],
        required=False,
        widget=Chips,
    )
    leg_symptoms = forms.ChoiceField(
        label="Your leg symptoms during it",
        choices=[("same", "No change"), ("centralised", "Eased or moved up"), ("peripheralised", "Spread further down the leg")],
        required=False,
        widget=Chips,
    )  # fmt: skip
    skipped_reason = forms.CharField(max_length=200, required=False)


class CheckInForm(forms.Form):
    morning_pain = pain_field("How bad is your back pain this morning?")

    def __init__(self, *args: Any, questions: Sequence[RedFlagRule] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A warning sign is answered, never assumed: no answer is chosen in advance.
        for question in questions:
            self.fields[f"flag_{question.key}"] = forms.ChoiceField(
                label=question.question,
                choices=[("no", "No"), ("yes", "Yes")],
                widget=Chips,
                error_messages={"required": "Please answer yes or no."},
            )

    def red_flags(self) -> dict[str, bool]:
        return {
            name.removeprefix("flag_"): value == "yes"
            for name, value in self.cleaned_data.items()
            if name.startswith("flag_")
        }
