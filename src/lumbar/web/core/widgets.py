"""Form widgets and fields the patient pages share: the 0-10 pain scale, ability scales, chips."""

from __future__ import annotations

from django import forms

PAIN_CHOICES = [(str(i), str(i)) for i in range(11)]


class PainScale(forms.RadioSelect):
    """0-10 with the pain scale's ends (0 no pain, 10 the worst pain imaginable)."""

    template_name = "care/widgets/pain_scale.html"


class AbilityScale(forms.RadioSelect):
    """0-10 with the Patient-Specific Functional Scale's ends (0 can't do it, 10 as well as before)."""

    template_name = "care/widgets/ability_scale.html"


class Chips(forms.RadioSelect):
    template_name = "care/widgets/chips.html"


class CheckChips(forms.CheckboxSelectMultiple):
    template_name = "care/widgets/chips.html"


def pain_field(label: str, *, required: bool = True) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=PAIN_CHOICES,
        coerce=int,
        widget=PainScale,
        required=required,
        empty_value=None,
        help_text="0 is no pain, 10 is the worst pain you can imagine.",
    )
