"""Forms of the onboarding steps.

Each intake step maps its fields onto the intake contract's keys (`to_answers`) and back
(`initial_from`), so the draft saved between steps is already in the shape `parse_intake` reads.
Choices are the contract's enums, worded for a patient.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django import forms

from lumbar.web.core.widgets import PAIN_CHOICES, AbilityScale, CheckChips, Chips, pain_field
from lumbar.web.onboarding.selectors import RECHECK_KEY


class IntakeStep(forms.Form):
    """A step of the intake. Subclasses list the contract keys they fill."""

    keys: ClassVar[tuple[str, ...]] = ()
    title: ClassVar[str] = ""
    intro: ClassVar[str] = ""

    def to_answers(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in self.keys}

    @classmethod
    def answered(cls, answers: dict[str, Any]) -> bool:
        """Whether the saved answers hold everything this step must ask (a later answer elsewhere
        can add a question to a step already done)."""
        return True

    @classmethod
    def initial_from(cls, answers: dict[str, Any]) -> dict[str, Any]:
        return {k: answers[k] for k in cls.keys if k in answers}


class AboutYouStep(IntakeStep):
    keys = ("age", "sex")
    title = "About you"
    intro = "A few facts that change which exercises are safe for you."
    age = forms.IntegerField(label="How old are you?", min_value=16, max_value=110,
                             error_messages={"min_value": "Lumbar's guidance is for adults aged 16 and over. Please see a doctor or physiotherapist instead."})  # fmt: skip
    sex = forms.ChoiceField(
        label="Sex",
        required=False,
        choices=[("female", "Female"), ("male", "Male"), ("other", "Other"), ("", "I'd rather not say")],
        widget=Chips,
    )

    def to_answers(self) -> dict[str, Any]:
        answers: dict[str, Any] = {
            "age": self.cleaned_data["age"],
            "sex": self.cleaned_data.get("sex") or None,
        }
        if answers["sex"] not in HealthStep.POSTPARTUM_ASKED:
            answers["postpartum_weeks"] = None  # not asked of them: drop an answer given before
        return answers


DURATION_UNITS = {"days": 1 / 7, "weeks": 1.0, "months": 52 / 12, "years": 52.0}


class PainStep(IntakeStep):
    keys = ("pain", "episode_weeks", "first_episode", "back_pain_years")
    title = "Your pain"
    intro = "How your back feels, and for how long."
    pain_now = pain_field("How bad is your back pain right now?")
    worst_24h = pain_field("At its worst in the last 24 hours?", required=False)
    best_24h = pain_field("At its best in the last 24 hours?", required=False)
    duration = forms.DecimalField(
        label="How long has this bout of back pain lasted?", min_value=0, max_value=600, decimal_places=1
    )
    duration_unit = forms.ChoiceField(
        label="Days, weeks, months or years", choices=[(k, k) for k in DURATION_UNITS], initial="weeks"
    )
    first_episode = forms.TypedChoiceField(
        label="Is this the first time you have ever had back pain?",
        choices=[("yes", "Yes, the first time"), ("no", "No, I've had it before")],
        coerce=lambda v: v == "yes",
        widget=Chips,
    )
    back_pain_years = forms.DecimalField(
        label="If you have had back pain before: for about how many years, on and off?",
        help_text="Leave this empty if this is the first time.",
        required=False,
        min_value=0,
        max_value=90,
        decimal_places=1,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "duration" in data and "duration_unit" in data:
            weeks = float(data["duration"]) * DURATION_UNITS[data["duration_unit"]]
            if weeks > 2600:
                self.add_error("duration", "That is longer than 50 years; please check the number and unit.")
            data["episode_weeks"] = round(weeks, 2)
        return data

    def to_answers(self) -> dict[str, Any]:
        pain = {"now": self.cleaned_data["pain_now"]}
        for key in ("worst_24h", "best_24h"):
            if self.cleaned_data.get(key) is not None:
                pain[key] = self.cleaned_data[key]
        years = self.cleaned_data.get("back_pain_years")
        return {
            "pain": pain,
            "episode_weeks": self.cleaned_data["episode_weeks"],
            "first_episode": self.cleaned_data["first_episode"],
            # Only for back pain that came before; a first episode's length is the episode's.
            "back_pain_years": None if years is None or self.cleaned_data["first_episode"] else float(years),
        }

    @classmethod
    def initial_from(cls, answers: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        pain = answers.get("pain", {})
        if "now" in pain:
            initial["pain_now"] = str(pain["now"])
        for key in ("worst_24h", "best_24h"):
            if key in pain:
                initial[key] = str(pain[key])
        if "episode_weeks" in answers:
            initial["duration"] = answers["episode_weeks"]
            initial["duration_unit"] = "weeks"
        if "first_episode" in answers:
            initial["first_episode"] = "yes" if answers["first_episode"] else "no"
        if answers.get("back_pain_years") is not None:
            initial["back_pain_years"] = answers["back_pain_years"]
        return initial


class LegsStep(IntakeStep):
    keys = ("leg_symptoms", "leg_side", "directional_preference")
    title = "Your legs"
    intro = "Pain, numbness or tingling that goes into a leg changes which exercises suit you."
    leg_symptoms = forms.ChoiceField(
        label="How far down do pain, numbness or tingling go?",
        choices=[
            ("none", "Not into my legs"),
            ("above_knee", "Into a leg, not below the knee"),
            ("below_knee", "Below the knee"),
        ],
        widget=Chips,
    )
    leg_side = forms.ChoiceField(
        label="Which leg?",
        required=False,
        choices=[("left", "Left"), ("right", "Right"), ("both", "Both")],
        widget=Chips,
    )
    directional_preference = forms.ChoiceField(
        label="Which of these eases your pain, or draws leg symptoms back up towards your back?",
        choices=[
            ("extension", "Lying on my front, arching back, standing or walking"),
            ("flexion", "Sitting, bending forward, or bringing my knees to my chest"),
            ("none", "Neither makes a difference"),
            ("unknown", "I'm not sure"),
        ],
        widget=Chips,
        initial="unknown",
    )

    def to_answers(self) -> dict[str, Any]:
        answers = {k: self.cleaned_data[k] for k in ("leg_symptoms", "directional_preference")}
        if self.cleaned_data.get("leg_side") and answers["leg_symptoms"] != "none":
            answers["leg_side"] = self.cleaned_data["leg_side"]
        return answers


class ActivitiesStep(IntakeStep):
    keys = ("aggravating",)
    title = "What makes it worse"
    intro = "Tick everything that usually makes your back pain worse. Leave all unticked if none do."
    aggravating = forms.MultipleChoiceField(
        label="Usually makes it worse",
        required=False,
        choices=[
            ("sitting", "Sitting"), ("standing", "Standing"), ("walking", "Walking"), ("bending", "Bending"),
            ("lifting", "Lifting"), ("lying", "Lying down"), ("twisting", "Twisting"),
            ("coughing", "Coughing or sneezing"), ("getting_up", "Getting up from a chair or bed"),
        ],
        widget=CheckChips,
    )  # fmt: skip


CONDITIONS = [
    ("osteoporosis", "Osteoporosis (thin bones)"),
    ("pregnancy", "Pregnant now"),
    ("hip_replacement", "Hip replacement"),
    ("recent_spinal_surgery", "Spine surgery in the last year"),
    ("knee_pain", "Knee pain"),
    ("wrist_pain", "Wrist pain"),
    ("shoulder_pain", "Shoulder pain"),
    ("high_blood_pressure", "High blood pressure"),
    ("diabetes", "Diabetes"),
    ("spondylolisthesis", "Spondylolisthesis (a slipped vertebra)"),
    ("spinal_stenosis", "Spinal stenosis (narrowed spinal canal)"),
    (
        "pelvic_girdle_pain",
        "Pain at the front or back of the pelvis, often in or after pregnancy (pelvic girdle pain)",
    ),
    ("hypermobility", "Very bendy joints that go further than most people's (hypermobility)"),
    ("previous_vertebral_fracture", "A broken bone in the spine in the past (vertebral fracture)"),
    ("falls_or_poor_balance", "Falls or poor balance (you have fallen recently or feel unsteady)"),
    ("steroid_use", "Taking steroid tablets long-term (such as prednisolone)"),
]


INFLAMMATORY = [
    ("onset_before_35", "My back pain first started before I was 35"),
    ("wakes_second_half_of_night", "Back pain wakes me in the second half of the night"),
    ("buttock_pain", "I have pain in my buttocks"),
    ("improves_with_movement", "It gets better when I move"),
    (
        "improves_with_nsaids_48h",
        "It gets better within 2 days of taking anti-inflammatory tablets (like ibuprofen)",
    ),
    ("relative_with_spondyloarthritis", "A parent, brother, sister or child has spondyloarthritis"),
    ("arthritis", "I have or have had arthritis in other joints"),
    ("enthesitis", "I have or have had painful tendons where they attach to bone (e.g. heel)"),
    ("psoriasis", "I have or have had psoriasis"),
]


class HealthStep(IntakeStep):
    keys = ("conditions", "inflammatory", "postpartum_weeks")
    title = "Your health"
    intro = "Tick anything that applies to you. These change which exercises are safe."
    # Weeks since giving birth is asked of women and of people who describe their sex as other.
    POSTPARTUM_ASKED: ClassVar[tuple[str, ...]] = ("female", "other")
    conditions = forms.MultipleChoiceField(
        label="Conditions", required=False, choices=CONDITIONS, widget=CheckChips
    )
    inflammatory = forms.MultipleChoiceField(
        label="Do any of these apply?", required=False, choices=INFLAMMATORY, widget=CheckChips
    )
    postpartum_weeks = forms.IntegerField(
        label="If you have given birth in the last two years: how many weeks ago?",
        help_text="Leave this empty if you have not.",
        required=False,
        min_value=0,
        max_value=104,
        error_messages={
            "max_value": "Only a birth in the last two years (104 weeks) counts here; leave it empty."
        },
    )

    def __init__(
        self, *args: Any, ask_inflammatory: bool = False, ask_postpartum: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if not ask_inflammatory:
            del self.fields["inflammatory"]
        if not ask_postpartum:
            del self.fields["postpartum_weeks"]

    @classmethod
    def asks_postpartum(cls, answers: dict[str, Any]) -> bool:
        return answers.get("sex") in cls.POSTPARTUM_ASKED

    def to_answers(self) -> dict[str, Any]:
        conditions = list(self.cleaned_data["conditions"])
        answers: dict[str, Any] = {"conditions": conditions}
        if "inflammatory" in self.fields:
            answers["inflammatory"] = dict.fromkeys(self.cleaned_data["inflammatory"], True)
        if "postpartum_weeks" in self.fields:
            answers["postpartum_weeks"] = self.cleaned_data.get("postpartum_weeks")
        # Weeks given for a condition no longer ticked mean nothing now.
        for key, condition in HealthDatesStep.TIMED.items():
            if condition not in conditions:
                answers[key] = None
        return answers

    @classmethod
    def initial_from(cls, answers: dict[str, Any]) -> dict[str, Any]:
        return {
            "conditions": answers.get("conditions", []),
            "inflammatory": [k for k, v in (answers.get("inflammatory") or {}).items() if v],
            "postpartum_weeks": answers.get("postpartum_weeks"),
        }


class HealthDatesStep(IntakeStep):
    """How far along a pregnancy is, and how long ago the spine operation was: asked only of
    people who ticked those conditions."""

    keys = ("pregnancy_weeks", "surgery_weeks")
    title = "A little more about that"
    intro = "How far along things are changes which exercises suit you now."
    # Each question and the condition it times.
    TIMED: ClassVar[dict[str, str]] = {
        "pregnancy_weeks": "pregnancy",
        "surgery_weeks": "recent_spinal_surgery",
    }
    pregnancy_weeks = forms.IntegerField(label="How many weeks pregnant are you?", min_value=1, max_value=42)
    surgery_weeks = forms.IntegerField(
        label="How many weeks ago was your spine operation?",
        help_text="If you are not sure, give your best guess.",
        min_value=0,
        max_value=520,
    )

    def __init__(self, *args: Any, answers: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in self.asked(answers) ^ set(self.TIMED):
            del self.fields[key]

    @classmethod
    def asked(cls, answers: dict[str, Any]) -> set[str]:
        conditions = answers.get("conditions") or []
        return {key for key, condition in cls.TIMED.items() if condition in conditions}

    @classmethod
    def applies(cls, answers: dict[str, Any]) -> bool:
        return bool(cls.asked(answers))

    @classmethod
    def answered(cls, answers: dict[str, Any]) -> bool:
        return all(answers.get(key) is not None for key in cls.asked(answers))

    def to_answers(self) -> dict[str, Any]:
        return {key: self.cleaned_data[key] for key in self.fields}


class WorkStep(IntakeStep):
    keys = ("occupation", "sitting_hours")
    title = "Your day"
    intro = "How you spend your day shapes your program: long sitting needs movement breaks."
    occupation = forms.ChoiceField(
        label="What is your work mostly like?",
        choices=[("desk", "Desk or computer work"), ("manual", "Physical or manual work"), ("mixed", "A mix"), ("not_working", "Not working at the moment")],
        widget=Chips,
    )  # fmt: skip
    sitting_hours = forms.DecimalField(
        label="About how many hours a day do you sit?",
        min_value=0,
        max_value=24,
        decimal_places=1,
        required=False,
    )

    def to_answers(self) -> dict[str, Any]:
        answers: dict[str, Any] = {"occupation": self.cleaned_data["occupation"]}
        if self.cleaned_data.get("sitting_hours") is not None:
            answers["sitting_hours"] = float(self.cleaned_data["sitting_hours"])
        return answers


EQUIPMENT = [
    ("strap", "A strap, belt or towel"),
    ("step", "A low step or stair"),
    ("resistance-band", "A resistance band"),
    ("stability-ball", "A stability ball"),
    ("pillow", "A pillow or cushion"),
]


class ExerciseStep(IntakeStep):
    keys = ("fitness", "equipment", "floor_ok", "minutes_per_session", "sessions_per_week")
    title = "You and exercise"
    intro = "So that your program fits your body, your home and your week."
    fitness = forms.ChoiceField(
        label="How active are you usually?",
        choices=[
            ("low", "Not very active"),
            ("moderate", "Fairly active"),
            ("high", "Very active or sporty"),
        ],
        widget=Chips,
    )
    floor_ok = forms.TypedChoiceField(
        label="Can you get down to the floor and back up again?",
        choices=[("yes", "Yes"), ("no", "No, or only with difficulty")],
        coerce=lambda v: v == "yes",
        widget=Chips,
    )
    equipment = forms.MultipleChoiceField(
        label="Besides a chair, a wall and a mat or carpet, what do you have?",
        required=False,
        choices=EQUIPMENT,
        widget=CheckChips,
    )
    minutes_per_session = forms.TypedChoiceField(
        label="How many minutes a day can you give to your exercises?",
        choices=[(str(m), f"{m} minutes") for m in (5, 10, 15, 20, 30, 45)],
        coerce=int,
        widget=Chips,
    )
    sessions_per_week = forms.TypedChoiceField(
        label="On how many days a week?",
        choices=[(str(d), str(d)) for d in range(1, 8)],
        coerce=int,
        widget=Chips,
    )

    def to_answers(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["equipment"] = list(data["equipment"])
        return data

    @classmethod
    def initial_from(cls, answers: dict[str, Any]) -> dict[str, Any]:
        initial = super().initial_from(answers)
        if "floor_ok" in initial:
            initial["floor_ok"] = "yes" if initial["floor_ok"] else "no"
        for key in ("minutes_per_session", "sessions_per_week"):
            if key in initial:
                initial[key] = str(initial[key])
        return initial


GOAL_SLOTS = 5


ACTIVITIES = [
    ("walking", "Walking"),
    ("running", "Running"),
    ("gym_lifting", "Lifting weights at the gym"),
    ("team_sport", "Team sports (football, netball, rugby...)"),
    ("racket_sport", "Racket sports (tennis, badminton, squash...)"),
    ("golf", "Golf"),
    ("swimming", "Swimming"),
    ("cycling", "Cycling"),
    ("gardening", "Gardening"),
    ("lifting_at_work", "Lifting or carrying at work"),
    ("childcare", "Lifting and looking after children"),
    ("dancing", "Dancing"),
    ("yoga_pilates", "Yoga or Pilates"),
]


class GoalsStep(IntakeStep):
    keys = ("goals", "activities")
    title = "Your goals"
    intro = (
        "Name up to five everyday activities your back makes hard, and how well you can do each now, "
        "from 0 (can't do it at all) to 10 (as well as before). We will ask again later to see what has changed."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, GOAL_SLOTS + 1):
            self.fields[f"activity_{i}"] = forms.CharField(
                label=f"Activity {i}", required=False, max_length=200
            )
            self.fields[f"score_{i}"] = forms.TypedChoiceField(
                label=f"How well can you do activity {i} now?",
                choices=PAIN_CHOICES,
                coerce=int,
                required=False,
                empty_value=None,
                widget=AbilityScale,
                help_text="0 is can't do it at all, 10 is as well as before your back pain.",
            )
        self.fields["activities"] = forms.MultipleChoiceField(
            label="Which of these do you want to get back to, or keep doing?",
            required=False,
            choices=ACTIVITIES,
            widget=CheckChips,
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(1, GOAL_SLOTS + 1):
            if data.get(f"activity_{i}") and data.get(f"score_{i}") is None:
                self.add_error(f"score_{i}", "Please rate this activity from 0 to 10.")
        return data

    def to_answers(self) -> dict[str, Any]:
        goals = [
            {"activity": self.cleaned_data[f"activity_{i}"].strip(), "score": self.cleaned_data[f"score_{i}"]}
            for i in range(1, GOAL_SLOTS + 1)
            if self.cleaned_data.get(f"activity_{i}", "").strip()
        ]
        return {"goals": goals or None, "activities": list(self.cleaned_data.get("activities") or [])}

    @classmethod
    def initial_from(cls, answers: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {"activities": answers.get("activities", [])}
        for i, goal in enumerate(answers.get("goals") or [], start=1):
            initial[f"activity_{i}"] = goal["activity"]
            initial[f"score_{i}"] = str(goal["score"])
        return initial


class StartBackStep(IntakeStep):
    """Shown only when the deployer supplied Keele's wording (it must be shown unmodified)."""

    keys = ("startback",)
    title = "How your back has affected you"
    intro = "Thinking about the last 2 weeks, tick your response to each question."

    def __init__(
        self, *args: Any, wording: dict[str, str], bothersomeness: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for key, text in wording.items():
            if key == "bothersomeness":
                self.fields[key] = forms.ChoiceField(label=text, choices=bothersomeness, widget=Chips)
            else:
                self.fields[key] = forms.TypedChoiceField(
                    label=text,
                    choices=[("agree", "Agree"), ("disagree", "Disagree")],
                    coerce=lambda v: v == "agree",
                    widget=Chips,
                )

    def to_answers(self) -> dict[str, Any]:
        return {"startback": dict(self.cleaned_data)}

    @classmethod
    def initial_from(cls, answers: dict[str, Any]) -> dict[str, Any]:
        stored = answers.get("startback") or {}
        return {k: ("agree" if v is True else "disagree" if v is False else v) for k, v in stored.items()}


class CaudaEquinaStep(IntakeStep):
    """The cauda equina questions asked again, when the leg answers call for it (the questions come
    from the screen's rules, through selectors.cauda_equina_recheck)."""

    keys = (RECHECK_KEY,)
    title = "Both legs: a few questions again"
    intro = (
        "You told us your symptoms are in both legs and this bout began recently. Please read these "
        "questions again carefully and answer each one."
    )

    def __init__(self, *args: Any, questions: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[question.key] = forms.TypedChoiceField(
                label=question.question,
                choices=[("yes", "Yes"), ("no", "No")],
                coerce=lambda v: v == "yes",
                widget=Chips,
                error_messages={"required": "Please answer yes or no."},
            )

    def to_answers(self) -> dict[str, Any]:
        return {key: bool(self.cleaned_data[key]) for key in self.fields}

    @classmethod
    def initial_from(cls, answers: dict[str, Any]) -> dict[str, Any]:
        given = answers.get(RECHECK_KEY) or {}
        return {key: "yes" if yes else "no" for key, yes in given.items()}


class YesNoForm(forms.Form):
    answer = forms.ChoiceField(choices=[("yes", "Yes"), ("no", "No")])
