"""The program editor's form: one row per exercise (a formset), the note to the patient."""

from __future__ import annotations

from typing import Any

from django import forms

from lumbar.domain.catalog import Catalog, default_catalog
from lumbar.domain.program_edit import MAX_DAYS_PER_WEEK, EditedExercise

EXTRA_ROWS = 2  # blank rows for adding exercises
MAX_ROWS = 8  # the program format's limit (domain.program_edit.FORMAT_MAX_EXERCISES)


def exercise_choices(catalog: Catalog, current: str | None) -> list[Any]:
    """The exercise's own chain first (easier, harder), then the whole library by name."""
    library = sorted((e for e in catalog if e.category != "aerobic"), key=lambda e: e.name)
    choices: list[Any] = [("", "Choose an exercise")]
    if current and current in catalog.exercises:
        exercise = catalog.exercise(current)
        chain = [(current, f"{exercise.name} (as now)")]
        if exercise.regression and exercise.regression in catalog.exercises:
            chain.append((exercise.regression, f"Easier: {catalog.exercise(exercise.regression).name}"))
        if exercise.progression and exercise.progression in catalog.exercises:
            chain.append((exercise.progression, f"Harder: {catalog.exercise(exercise.progression).name}"))
        choices.append(("Its easier and harder steps", chain))
    choices.append(("The library", [(e.id, e.name) for e in library]))
    return choices


class ExerciseRow(forms.Form):
    exercise = forms.ChoiceField(label="Exercise", required=False)
    sets = forms.IntegerField(label="Sets", min_value=1, max_value=10, required=False)
    reps = forms.IntegerField(label="Reps", min_value=1, max_value=50, required=False)
    hold_seconds = forms.IntegerField(label="Hold (seconds)", min_value=1, max_value=600, required=False)
    sessions_per_week = forms.IntegerField(
        label="Days a week", min_value=1, max_value=MAX_DAYS_PER_WEEK, required=False
    )
    note = forms.CharField(
        label="Note to the patient about this exercise",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    override = forms.CharField(
        label="Reason to override the engine's check",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, current: str | None = None, default_days: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.default_days = default_days
        self.fields["exercise"].choices = exercise_choices(default_catalog(), current)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("exercise") and not data.get("DELETE"):
            catalog = default_catalog()
            start = catalog.exercise(data["exercise"]).dose
            # A new exercise left without a dose starts at the library's starting dose.
            data["sets"] = data.get("sets") or start.sets
            if data.get("reps") is None and data.get("hold_seconds") is None:
                data["reps"], data["hold_seconds"] = start.reps, start.hold_seconds
            # ... on the program's own exercise days.
            data["sessions_per_week"] = data.get("sessions_per_week") or self.default_days
            if not data["sessions_per_week"]:
                self.add_error("sessions_per_week", "Give the days a week.")
        return data

    def edited(self) -> EditedExercise:
        d = self.cleaned_data
        return EditedExercise(
            d["exercise"], d["sets"], d.get("reps"), d.get("hold_seconds"), d["sessions_per_week"]
        )


class BaseRows(forms.BaseFormSet):  # type: ignore[type-arg]
    def __init__(
        self, *args: Any, currents: list[str] | None = None, default_days: int | None = None, **kwargs: Any
    ) -> None:
        self.currents = currents or []
        self.default_days = default_days
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        kwargs["default_days"] = self.default_days
        if index is not None and index < len(self.currents):
            kwargs["current"] = self.currents[index]
        return kwargs

    def chosen(self) -> list[ExerciseRow]:
        """The rows kept, in the order the therapist gave (ORDER), blank and removed rows left out."""
        rows = [f for f in self.forms if f.cleaned_data.get("exercise") and not f.cleaned_data.get("DELETE")]
        return sorted(
            rows,
            key=lambda f: (f.cleaned_data.get("ORDER") is None, f.cleaned_data.get("ORDER") or 0),
        )


ExerciseRows = forms.formset_factory(
    ExerciseRow,
    formset=BaseRows,
    extra=EXTRA_ROWS,
    can_delete=True,
    can_order=True,
    max_num=MAX_ROWS,
    absolute_max=MAX_ROWS + EXTRA_ROWS,
    validate_max=False,
)


class ProgramNoteForm(forms.Form):
    based_on = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label="Why you changed the program (the patient reads this)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Tell the patient why you changed their program."},
    )
