"""The `[motion.check]` section of an exercise file: how the form checker judges the exercise.

A spec names the camera view it needs, the body signal it follows (a joint angle, a segment's
inclination, a body-relative distance...), how that signal makes a rep (hysteresis thresholds and
plausible rep times) or a hold (a band held for a minimum time), which body position counts as "in
the exercise" (so that getting down to the floor is not counted), and the form faults to flag.
An exercise a camera cannot judge says so with `judgeable = false` and a reason.

Every number here is data from the exercise file, where the evidence list justifies it; most are
measurement conventions of ours (evidence id `clinical-practice`), not published cut-offs.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

View = Literal["side", "front"]
# Body parts of the joint model (see landmarks.py); sided ones are chosen with `side`.
Joint = Literal["nose", "ear", "shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "toe"]
# near/far: the side nearer to / farther from the camera (side views); mid: the midpoint of both;
# left/right: that anatomical side; each: computed for both sides separately (alternating limbs).
Side = Literal["near", "far", "mid", "left", "right", "each"]
SignalKind = Literal[
    "angle",  # angle at the middle joint of three, 0..180 degrees
    "bend",  # signed deviation of the middle joint from the straight line through the outer two
    "inclination",  # a segment's angle to the vertical (0..180) or above the horizontal (-90..90)
    "height",  # how far the second joint is above the first, in torso lengths
    "distance",  # distance between two joints, in torso lengths
    "forward",  # how far the second joint is ahead of the first in the facing direction, torso lengths
    "lean",  # sideways lean of the trunk over the pelvis, degrees, + towards the person's left
    "twist",  # turn of the shoulder (or hip) line about the vertical, degrees, + towards the left
    "rep_seconds",  # duration of a whole rep
    "return_seconds",  # time from leaving the top of a rep to being back at the start
]
Comparison = Literal["<", ">"]
# top: while a rep is at its working end; hold: during a detected hold; throughout: every frame in
# the exercise position; rep: once per rep (timing signals).
Phase = Literal["top", "hold", "throughout", "rep"]
Alternation = Literal["none", "limbs", "direction"]

SnakeId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$", max_length=40)]
KebabId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]

JOINT_COUNT: dict[str, tuple[int, ...]] = {
    "angle": (3,),
    "bend": (3,),
    "inclination": (2,),
    "height": (2,),
    "distance": (2,),
    "forward": (2,),
    "lean": (0,),
    "twist": (1,),
    "rep_seconds": (0,),
    "return_seconds": (0,),
}
TIMING_KINDS = frozenset({"rep_seconds", "return_seconds"})
UNITS: dict[str, str] = {
    "angle": "degrees",
    "bend": "degrees",
    "inclination": "degrees",
    "lean": "degrees",
    "twist": "degrees",
    "height": "torso lengths",
    "distance": "torso lengths",
    "forward": "torso lengths",
    "rep_seconds": "seconds",
    "return_seconds": "seconds",
}
# Signals whose sign says left (+) or right (-), so that alternating reps can be told apart by sign.
DIRECTIONAL_KINDS = frozenset({"lean", "twist"})


class _Strict(BaseModel):
    # Built on first validation, not at import: a snapshot of validated content needs no schema.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


class Signal(_Strict):
    """One number per video frame, measured on the body."""

    name: SnakeId
    kind: SignalKind
    joints: list[Joint] = Field(default_factory=list)
    side: Side = "near"
    reference: Literal["vertical", "horizontal"] | None = Field(
        default=None, description="inclination only: measured from the vertical or above the horizontal"
    )
    negate: bool = Field(default=False, description="flip the sign so that the name reads true")
    relative: bool = Field(
        default=False,
        description="main signal only: measured from the person's own typical (median) value in the "
        "exercise position, for movements that swing either side of a personal neutral (head in cat-cow)",
    )
    absolute: bool = Field(default=False, description="use the size only, not the direction")

    @model_validator(mode="after")
    def _well_formed(self) -> Signal:
        if len(self.joints) not in JOINT_COUNT[self.kind]:
            wanted = " or ".join(str(n) for n in JOINT_COUNT[self.kind])
            raise ValueError(f"signal {self.name!r}: kind {self.kind!r} takes {wanted} joints")
        if (self.kind == "inclination") != (self.reference is not None):
            raise ValueError(f"signal {self.name!r}: `reference` goes with kind 'inclination' only")
        if self.kind == "twist" and self.joints[0] not in ("shoulder", "hip"):
            raise ValueError(f"signal {self.name!r}: twist turns the 'shoulder' or the 'hip' line")
        if self.negate and self.absolute:
            raise ValueError(f"signal {self.name!r}: negate and absolute together make no sense")
        return self

    @property
    def unit(self) -> str:
        return UNITS[self.kind]

    @property
    def is_timing(self) -> bool:
        return self.kind in TIMING_KINDS


class Band(_Strict):
    """The signal stays between `low` and `high` (inclusive)."""

    signal: Signal
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Band:
        if self.low >= self.high:
            raise ValueError(f"band on {self.signal.name!r}: low must be below high")
        if self.signal.is_timing or self.signal.side == "each":
            raise ValueError(
                f"band on {self.signal.name!r}: needs one per-frame signal (no timing, no 'each')"
            )
        return self


class Reps(_Strict):
    """A rep: from the start zone, past `enter` (the working end), and back past `exit`.

    `enter` above `exit` means the signal rises into the rep (a bridge lifting the hips); below means it
    falls (a knee drawn to the chest). The gap between them is the hysteresis that keeps jitter around
    one threshold from counting twice.
    """

    enter: float
    exit: float
    min_seconds: float = Field(gt=0, le=60, description="quicker excursions are jitter, not reps")
    max_seconds: float = Field(gt=0, le=300, description="slower ones are not a rep (a pause, a rest)")
    alternation: Alternation = Field(
        default="none",
        description="limbs: the signal is taken on each side's limbs; direction: its sign tells the side",
    )
    min_range: float | None = Field(
        default=None,
        gt=0,
        description="set for movements taken to the person's own comfortable end (a gentle stretch): "
        "when enter/exit miss movements that are reps for the person's own range, reps are judged "
        "against that range instead, but never one that reaches less than this far from neutral "
        "(fidgeting); None: reps are judged against enter and exit only",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Reps:
        if self.enter == self.exit:
            raise ValueError("reps: enter and exit must differ (they make the hysteresis)")
        if self.min_seconds >= self.max_seconds:
            raise ValueError("reps: min_seconds must be below max_seconds")
        if self.alternation == "direction" and (self.enter <= 0 or self.exit < 0):
            raise ValueError("reps: with alternation 'direction' enter and exit are sizes (positive)")
        if self.min_range is not None:
            # The own-range thresholds are the spec's scaled towards zero, which is only the neutral
            # position when the signal's sign tells the side (upright is zero for a lean or a twist).
            if self.alternation != "direction":
                raise ValueError("reps: min_range needs alternation 'direction' (sizes from neutral)")
            if not self.min_range < self.enter:
                raise ValueError("reps: min_range must be below enter (it is the floor of a smaller range)")
        return self

    @property
    def rising(self) -> bool:
        return self.enter > self.exit


class Hold(_Strict):
    """A hold: the signal stays inside [low, high] for at least `min_seconds`."""

    low: float
    high: float
    min_seconds: float = Field(gt=0, le=600)
    side_joint: Joint | None = Field(
        default=None, description="the hold's side is the side whose joint is higher or lower"
    )
    side_pick: Literal["higher", "lower"] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Hold:
        if self.low >= self.high:
            raise ValueError("hold: low must be below high")
        if (self.side_joint is None) != (self.side_pick is None):
            raise ValueError("hold: side_joint and side_pick go together")
        return self


class Fault(_Strict):
    """A form fault: `signal comparison threshold` during `phase` means `message` applies."""

    id: SnakeId
    signal: Signal
    comparison: Comparison
    threshold: float
    phase: Phase
    message: Text

    @model_validator(mode="after")
    def _phase_fits_signal(self) -> Fault:
        if self.signal.is_timing != (self.phase == "rep"):
            raise ValueError(f"fault {self.id!r}: timing signals go with phase 'rep', and only they do")
        return self


class CheckSpec(_Strict):
    """How the form checker judges one exercise, or why it cannot."""

    judgeable: bool = True
    reason: Text | None = Field(default=None, description="why a camera cannot judge this exercise")
    view: View | None = None
    signal: Signal | None = Field(default=None, description="the movement the reps or hold follow")
    position: list[Band] = Field(
        default_factory=list, description="all must hold for a frame to count as in the exercise position"
    )
    reps: Reps | None = None
    hold: Hold | None = None
    faults: list[Fault] = Field(default_factory=list)
    evidence: list[KebabId] = Field(default_factory=list)
    note: Text | None = Field(default=None, description="where the numbers come from")

    @model_validator(mode="after")
    def _complete(self) -> CheckSpec:
        if not self.judgeable:
            if self.reason is None:
                raise ValueError("a spec with judgeable = false needs a reason")
            extra = [
                name for name in ("view", "signal", "reps", "hold", "note") if getattr(self, name) is not None
            ]
            if extra or self.position or self.faults or self.evidence:
                raise ValueError("a spec with judgeable = false has only a reason")
            return self
        if self.reason is not None:
            raise ValueError("reason is for judgeable = false only")
        if self.view is None or self.signal is None:
            raise ValueError("a judgeable spec needs a view and a signal")
        if self.signal.is_timing:
            raise ValueError("the main signal must be measured per frame, not a timing")
        others = [band.signal for band in self.position] + [fault.signal for fault in self.faults]
        if any(signal.relative for signal in others):
            raise ValueError("only the main signal may be relative")
        if self.reps is None and self.hold is None:
            raise ValueError("a judgeable spec needs reps, a hold, or both")
        if not self.evidence:
            raise ValueError("a judgeable spec needs evidence")
        each = self.signal.side == "each"
        if self.reps is not None:
            if (self.reps.alternation == "limbs") != each:
                raise ValueError("reps: alternation 'limbs' goes with a signal on side 'each', and only it")
            if self.reps.alternation == "direction" and self.signal.kind not in DIRECTIONAL_KINDS:
                raise ValueError("reps: alternation 'direction' needs a lean or twist signal")
            if self.reps.alternation == "direction" and self.signal.absolute:
                raise ValueError("reps: alternation 'direction' needs the signal's sign")
        elif each:
            raise ValueError("side 'each' is for alternating reps")
        ids = [fault.id for fault in self.faults]
        if len(set(ids)) != len(ids):
            raise ValueError("faults: duplicate id")
        for fault in self.faults:
            if fault.phase == "hold" and self.hold is None:
                raise ValueError(f"fault {fault.id!r}: phase 'hold' needs a hold")
            if fault.phase in ("top", "rep") and self.reps is None:
                raise ValueError(f"fault {fault.id!r}: phase {fault.phase!r} needs reps")
            if fault.signal.side == "each" and not (
                self.reps and self.reps.alternation == "limbs" and fault.phase == "top"
            ):
                raise ValueError(f"fault {fault.id!r}: side 'each' goes with alternating limbs, at the top")
        return self
