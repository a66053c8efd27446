"""The `[motion.illustration]` section of an exercise file: the poses, timing and props of its figure.

A pose (keyframe) is a set of joint angles (see `lumbar.motion.figure` for their names and signs),
the body parts that rest on a support in that pose, and how to place the figure: by default the
`anchor` point keeps the same left-right place in every keyframe and the figure is lowered until its
resting parts touch their supports (the solver may also adjust the angles listed in `free`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from lumbar.motion.body import (
    ANGLE_NAMES,
    CHAINS,
    JOINT_POINTS,
    PART_NAMES,
    SHORTHAND_ANGLES,
    limit_for,
    unknown_angle_names,
)

View = Literal["side", "front"]
Support = Literal["floor", "chair", "wall", "ball", "step"]
Prop = Literal["mat", "chair", "wall", "step", "stability-ball", "resistance-band", "strap"]
Ground = Literal["floor", "water"]
Name = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=40)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]

# A support other than the floor is drawn as a prop, so the prop must be listed.
SUPPORT_PROP: dict[str, str] = {"chair": "chair", "wall": "wall", "ball": "stability-ball", "step": "step"}
HIGHLIGHTS: frozenset[str] = frozenset({"trunk", *CHAINS})
# Besides angles, the solver may slide the figure sideways.
FREE_EXTRA: frozenset[str] = frozenset({"x"})


class _Strict(BaseModel):
    # Built on first validation, not at import: a snapshot of validated content needs no schema.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


class Tempo(_Strict):
    """How the animation moves, in seconds: one entry of `phases` per move between keyframes, the last
    being the move from the last keyframe back to the first; `hold` is spent still in the last
    keyframe and `rest` still in the first. With `retrace`, the way back passes through the keyframes
    in reverse (standing up and sitting down both lean forward), and `phases` lists the moves out
    and then the moves back."""

    phases: list[float] = Field(min_length=1)
    hold: float = Field(default=0.0, ge=0, le=30)
    rest: float = Field(default=0.0, ge=0, le=30)
    retrace: bool = False

    @model_validator(mode="after")
    def _positive_phases(self) -> Tempo:
        if any(not 0 < p <= 30 for p in self.phases):
            raise ValueError("phases: every move takes more than 0 and at most 30 seconds")
        return self

    @property
    def moving_seconds(self) -> float:
        return sum(self.phases)

    @property
    def cycle_seconds(self) -> float:
        return self.rest + sum(self.phases) + self.hold


class Arrow(_Strict):
    """The movement arrow: either the path of a body point (`follows`) between two keyframes, or an
    arc drawn around a body point (`around`) for a turn or a small tilt.

    `offset` moves a path sideways, in body heights (positive: to the left of the direction of
    travel); `scale` stretches a short path about its middle. An arc starts at `start` degrees
    (0 = right of the point, 90 = above it, on the picture), sweeps `sweep` degrees (positive =
    anticlockwise) at `radius` body heights, squashed vertically by `squash` to look like a hoop."""

    follows: str | None = None
    between: list[Name] | None = Field(default=None, min_length=2, max_length=2)
    offset: float = Field(default=0.0, ge=-0.5, le=0.5)
    scale: float = Field(default=1.0, gt=0, le=4)
    both_ways: bool = False
    around: str | None = None
    radius: float = Field(default=0.12, gt=0, le=1.0)
    start: float = Field(default=0.0, ge=-360, le=360)
    sweep: float = Field(default=90.0, ge=-330, le=330)
    squash: float = Field(default=1.0, gt=0, le=1)

    @model_validator(mode="after")
    def _one_kind(self) -> Arrow:
        if (self.follows is None) == (self.around is None):
            raise ValueError("arrow: give exactly one of follows (a path) or around (an arc)")
        for point in (self.follows, self.around):
            if point is not None and point not in JOINT_POINTS:
                raise ValueError(f"arrow: unknown body point {point!r}")
        return self


class Keyframe(_Strict):
    name: Name
    angles: dict[str, float]
    rest: dict[Support, list[str]] = Field(default_factory=dict)
    grip: dict[str, str] = Field(
        default_factory=dict, description="a hand (or foot) and the body part it holds or rests on"
    )
    free: list[str] = Field(default_factory=list)
    anchor: str | None = None
    at: list[float] | None = Field(default=None, min_length=2, max_length=2)

    @model_validator(mode="after")
    def _known_names(self) -> Keyframe:
        unknown = unknown_angle_names(self.angles)
        if unknown:
            raise ValueError(f"keyframe {self.name!r}: unknown angle {unknown[0]!r}")
        for angle, value in self.angles.items():
            limits = limit_for(angle)
            if limits is not None and not limits[0] <= value <= limits[1]:
                raise ValueError(
                    f"keyframe {self.name!r}: {angle} = {value} is outside {limits[0]}..{limits[1]}"
                )
        for support, parts in self.rest.items():
            for part in parts:
                if part not in PART_NAMES:
                    raise ValueError(f"keyframe {self.name!r}: {support}: unknown body part {part!r}")
        for part, target in self.grip.items():
            for point in (part, target):
                if point not in JOINT_POINTS or point in ("neck_base", "head_joint", "nose"):
                    raise ValueError(f"keyframe {self.name!r}: grip: unknown body point {point!r}")
        for name in self.free:
            if name not in ANGLE_NAMES and name not in SHORTHAND_ANGLES and name not in FREE_EXTRA:
                raise ValueError(f"keyframe {self.name!r}: free: unknown angle {name!r}")
        if self.anchor is not None and self.anchor not in JOINT_POINTS:
            raise ValueError(f"keyframe {self.name!r}: unknown anchor point {self.anchor!r}")
        return self


class Illustration(_Strict):
    """What the exercise figure shows: its keyframes, how they are timed, viewed and propped."""

    view: View
    turn: float = Field(default=0.0, ge=-90, le=90, description="turn the camera about the vertical")
    tilt: float = Field(
        default=0.0, ge=0, le=90, description="raise the camera to look down (90: from above)"
    )
    description: Text = Field(description="what the animation shows, for people who cannot see it")
    ground: Ground = "floor"
    props: list[Prop] = Field(default_factory=list)
    anchor: str = "pelvis"
    highlight: list[str] | None = None
    band_anchor: list[float] | None = Field(default=None, min_length=3, max_length=3)
    strap_to: str | None = None
    tempo: Tempo
    arrow: Arrow | None = None
    keyframes: list[Keyframe] = Field(min_length=2, max_length=8)

    @model_validator(mode="after")
    def _consistent(self) -> Illustration:
        names = [k.name for k in self.keyframes]
        if len(set(names)) != len(names):
            raise ValueError("keyframes: two keyframes with the same name")
        moves = 2 * (len(self.keyframes) - 1) if self.tempo.retrace else len(self.keyframes)
        if len(self.tempo.phases) != moves:
            way = (
                "out and back through the keyframes"
                if self.tempo.retrace
                else "per keyframe, the last returning to the first"
            )
            raise ValueError(f"tempo.phases: needs {moves} moves ({way}); got {len(self.tempo.phases)}")
        if self.anchor not in JOINT_POINTS:
            raise ValueError(f"anchor: unknown body point {self.anchor!r}")
        for frame in self.keyframes:
            for support in frame.rest:
                prop = SUPPORT_PROP.get(support)
                if prop is not None and prop not in self.props:
                    raise ValueError(
                        f"keyframe {frame.name!r} rests on a {support} but props has no {prop!r}"
                    )
                if support == "floor" and self.ground != "floor":
                    raise ValueError(f"keyframe {frame.name!r} rests on the floor but the ground is water")
        if ("resistance-band" in self.props) != (self.band_anchor is not None):
            raise ValueError("band_anchor: give it exactly when props has 'resistance-band'")
        if ("strap" in self.props) != (self.strap_to is not None):
            raise ValueError("strap_to: give it exactly when props has 'strap'")
        if self.strap_to is not None and self.strap_to not in JOINT_POINTS:
            raise ValueError(f"strap_to: unknown body point {self.strap_to!r}")
        if self.highlight is not None:
            for part in self.highlight:
                if part not in HIGHLIGHTS:
                    raise ValueError(
                        f"highlight: unknown part {part!r}; known: {', '.join(sorted(HIGHLIGHTS))}"
                    )
        if self.arrow is not None and self.arrow.between is not None:
            for name in self.arrow.between:
                if name not in names:
                    raise ValueError(f"arrow.between: no keyframe named {name!r}")
        return self

    def keyframe(self, name: str) -> Keyframe:
        return next(k for k in self.keyframes if k.name == name)
