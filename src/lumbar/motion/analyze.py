"""The form check: a landmark recording and an exercise's check spec in, reps, holds and faults out.

Steps: map the landmarks onto the joint model; drop joints the estimator could not see; measure the
body (which side faces the camera, which way the person faces, torso length); bridge short dropouts
and smooth with the One-Euro filter; judge whether the camera saw enough, from the right side, to say
anything; then follow the exercise's signal through the rep state machine and the hold detector, and
check the fault rules. When the camera did not see enough the result says so and reports nothing
else, rather than guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from lumbar.domain.errors import InvalidInput
from lumbar.motion.checkspec import CheckSpec, Fault, Signal
from lumbar.motion.faults import lasting, timing_fault, violations
from lumbar.motion.filters import OneEuro, fill_gaps
from lumbar.motion.landmarks import JOINT_INDEX, JOINTS, Recording, to_joint_model
from lumbar.motion.reps import OwnRange, RepSpan, count_own_range_reps, count_reps, find_holds
from lumbar.motion.signals import (
    Body,
    facing_direction,
    measure,
    near_side,
    shoulder_width_ratio,
    torso_lengths,
)

if TYPE_CHECKING:
    from lumbar.domain.catalog import Exercise

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# Measurement conventions of the checker (not clinical thresholds; those live in the exercise files).
VISIBLE = 0.5  # a landmark's visibility score at which it counts as seen
FAR_SIDE_VISIBLE = 0.05  # side-on, the far limbs are hidden but the estimator's guess is still usable
GAP_FILL_SECONDS = 0.5  # dropouts up to this long are bridged; longer ones stay missing
MIN_TRACKED_FRACTION = 0.6  # below this share of frames with the body in view, no verdict is given
MIN_TRACKED_SECONDS = 1.0
# Depth cameras measure the torso in metres: if its length swings by more than this share, the tracker
# has lost the body (a bone does not change length).
MAX_TORSO_SPREAD_3D = 0.35
SIDE_ON_MAX_WIDTH = 0.45
# Faults during a hold are judged after settling into it and before letting go: getting into and out
# of a plank passes through sagging shapes on the way.
HOLD_EDGE_SECONDS = 1.0  # shoulder width / torso length in the picture: below it the view is side-on
SMOOTHING = OneEuro(min_cutoff=0.8, beta=1.0, d_cutoff=1.0)  # positions in torso lengths

CAMERA_SETUP = {
    "side": "Put the camera side-on at hip height, 2-3 m away, with your whole body in the picture.",
    "front": "Put the camera in front of you at chest height, 2-3 m away, with your whole body in the picture.",
}


@dataclass(frozen=True)
class Visibility:
    ok: bool
    tracked_fraction: float
    message: str


@dataclass(frozen=True)
class Rep:
    start_seconds: float
    end_seconds: float
    range: float
    hold_seconds: float
    side: str | None
    faults: tuple[str, ...]


@dataclass(frozen=True)
class Hold:
    start_seconds: float
    end_seconds: float
    seconds: float
    side: str | None


@dataclass(frozen=True)
class FaultFound:
    id: str
    message: str
    seconds: float
    frames: tuple[int, ...]


@dataclass(frozen=True)
class SignalSummary:
    name: str
    unit: str
    min: float | None
    max: float | None


@dataclass(frozen=True)
class FormResult:
    exercise: str
    reps: tuple[Rep, ...]
    holds: tuple[Hold, ...]
    faults: tuple[FaultFound, ...]
    visibility: Visibility
    signal: SignalSummary
    frames_analysed: int
    duration_seconds: float
    view: str | None
    side_towards_camera: str | None
    in_position_fraction: float
    not_checked: tuple[str, ...] = ()
    analysis_fps: float | None = None
    counts_reps: bool = True  # the exercise is judged by reps (else only by holds)
    # On some side the fixed thresholds missed bends that fell short of what the exercise aims for, and
    # that side's reps were judged against the person's own range (reps.count_own_range_reps); `notes`
    # says so in words, a sentence per side.
    small_range: bool = False
    notes: tuple[str, ...] = ()

    @property
    def rep_count(self) -> int:
        return len(self.reps)

    def with_speed(self, frames_per_second: float) -> FormResult:
        return replace(self, analysis_fps=frames_per_second)

    def to_json(self) -> dict[str, Any]:
        """The Result of contracts/form-check.schema.json (plus a few keys of our own)."""
        doc: dict[str, Any] = {
            "exercise": self.exercise,
            "rep_count": self.rep_count,
            "reps": [
                {
                    "start_seconds": rep.start_seconds,
                    "end_seconds": rep.end_seconds,
                    "range": rep.range,
                    "hold_seconds": rep.hold_seconds,
                    "side": rep.side,
                    "faults": list(rep.faults),
                }
                for rep in self.reps
            ],
            "holds": [
                {
                    "start_seconds": hold.start_seconds,
                    "end_seconds": hold.end_seconds,
                    "seconds": hold.seconds,
                    **({"side": hold.side} if hold.side else {}),
                }
                for hold in self.holds
            ],
            "faults": [
                {"id": f.id, "message": f.message, "seconds": f.seconds, "frames": list(f.frames)}
                for f in self.faults
            ],
            "visibility": {
                "ok": self.visibility.ok,
                "tracked_fraction": self.visibility.tracked_fraction,
                "message": self.visibility.message,
            },
            "signal": {"name": self.signal.name, "unit": self.signal.unit}
            | ({"min": self.signal.min} if self.signal.min is not None else {})
            | ({"max": self.signal.max} if self.signal.max is not None else {}),
            "frames_analysed": self.frames_analysed,
            "duration_seconds": self.duration_seconds,
            "view": self.view,
            "side_towards_camera": self.side_towards_camera,
            "in_position_fraction": self.in_position_fraction,
            "not_checked": list(self.not_checked),
            "small_range": self.small_range,
            "notes": list(self.notes),
        }
        if self.analysis_fps is not None:
            doc["analysis_fps"] = self.analysis_fps
        return doc


def check_spec_of(exercise: Exercise) -> CheckSpec:
    """The exercise's form-check spec; InvalidInput when it has none or a camera cannot judge it."""
    spec = exercise.motion.check if exercise.motion else None
    if spec is None:
        raise InvalidInput(f"exercise {exercise.id!r}: there is no form check for it yet")
    if not spec.judgeable:
        raise InvalidInput(f"exercise {exercise.id!r}: a camera cannot judge it: {spec.reason}")
    return spec


def analyze(exercise_id: str, spec: CheckSpec, recording: Recording, *, frame_step: int = 1) -> FormResult:
    """Check one recording against an exercise's spec.

    `frame_step` is the stride the recording was taken with from a video, so that fault frames index
    the video's frames. Raises InvalidInput for a spec that cannot judge (judgeable = false).
    """
    if not spec.judgeable or spec.signal is None or spec.view is None:
        raise InvalidInput(f"exercise {exercise_id!r}: a camera cannot judge it: {spec.reason}")
    return _Analysis(exercise_id, spec, spec.signal, spec.view, recording, frame_step).run()


@dataclass
class _Analysis:
    exercise_id: str
    spec: CheckSpec
    signal: Signal
    view: str
    recording: Recording
    frame_step: int
    fps: float = field(init=False)
    hold_mask: BoolArray = field(init=False)

    def __post_init__(self) -> None:
        self.fps = self.recording.fps
        self.hold_mask = np.zeros(self.recording.frame_count, dtype=np.bool_)

    # -- preparing the body ------------------------------------------------------------------

    def _signals(self) -> list[Signal]:
        found = [self.signal, *(band.signal for band in self.spec.position)]
        return found + [fault.signal for fault in self.spec.faults if not fault.signal.is_timing]

    def _joints_used(self, signals: list[Signal]) -> list[int]:
        used: set[int] = set()
        for signal in signals:
            names: list[str] = list(signal.joints)
            if signal.kind == "lean":
                names = ["shoulder", "hip"]
            if signal.kind == "twist":
                names = [*names, "shoulder", "hip"]
            for name in names:
                if name == "nose":
                    used.add(JOINT_INDEX["nose"])
                else:
                    used.update((JOINT_INDEX[f"left_{name}"], JOINT_INDEX[f"right_{name}"]))
        if self.spec.hold and self.spec.hold.side_joint:
            joint = self.spec.hold.side_joint
            used.update((JOINT_INDEX[f"left_{joint}"], JOINT_INDEX[f"right_{joint}"]))
        used.update(JOINT_INDEX[j] for j in ("left_shoulder", "right_shoulder", "left_hip", "right_hip"))
        return sorted(used)

    def _prepare(self) -> tuple[Body, BoolArray, float]:
        """The cleaned body, the frames where it was tracked, and the spread of its torso length."""
        joints = to_joint_model(self.recording)
        positions, visibility = joints[..., :3].copy(), joints[..., 3]
        is_3d = self.recording.is_3d
        near = near_side(positions, visibility)
        threshold = np.full(len(JOINTS), VISIBLE)
        if self.view == "side" and not is_3d:
            far = "right" if near == "left" else "left"
            threshold[[i for i, name in enumerate(JOINTS) if name.startswith(far)]] = FAR_SIDE_VISIBLE
        with np.errstate(invalid="ignore"):
            unseen = ~(visibility >= threshold)
        positions[unseen] = np.nan
        torso = torso_lengths(positions, is_3d)
        scale = float(np.nanmedian(torso)) if not np.isnan(torso).all() else float("nan")
        if not scale > 0:
            empty = Body(positions, is_3d, near, np.array([1.0, 0.0, 0.0]))
            return empty, np.zeros(positions.shape[0], dtype=np.bool_), 0.0
        positions /= scale
        raw = Body(positions, is_3d, near, np.array([1.0, 0.0, 0.0]))
        tracked = self._tracked(raw)
        seen_torso = torso[tracked]
        spread = (
            float((np.percentile(seen_torso, 90) - np.percentile(seen_torso, 10)) / scale)
            if seen_torso.size
            else 0.0
        )

        signals = self._signals()
        used = self._joints_used(signals)
        cleaned = np.full_like(positions, np.nan)
        needs_depth = is_3d or any(s.kind == "twist" for s in signals)
        axes = 3 if needs_depth else 2
        block = positions[:, used, :axes].reshape(positions.shape[0], -1)
        block = fill_gaps(block, round(GAP_FILL_SECONDS * self.fps))
        block = SMOOTHING.apply(block, self.fps)
        cleaned[:, used, :axes] = block.reshape(positions.shape[0], len(used), axes)
        if not needs_depth:
            cleaned[:, used, 2] = 0.0
        facing = facing_direction(cleaned, near, is_3d)
        return Body(cleaned, is_3d, near, facing), tracked, spread

    def _tracked(self, raw: Body) -> BoolArray:
        """Frames where every joint the main signal and the position rules need was seen."""
        tracked = np.ones(raw.frame_count, dtype=np.bool_)
        for signal in (self.signal, *(band.signal for band in self.spec.position)):
            sides = ("left", "right") if signal.side == "each" else (signal.side,)
            for side in sides:
                for name in signal.joints or ("shoulder", "hip"):
                    tracked &= ~np.isnan(raw.joint(name, side)).any(axis=1)
        for name in ("shoulder", "hip"):
            tracked &= ~np.isnan(raw.joint(name, "mid")).any(axis=1)
        return tracked

    # -- the verdict on what the camera saw ----------------------------------------------------

    def _visibility(self, body: Body, tracked: BoolArray, spread: float) -> tuple[Visibility, str | None]:
        total = tracked.shape[0]
        fraction = float(tracked.sum() / total) if total else 0.0
        setup = CAMERA_SETUP[self.view]
        percent = round(100 * fraction)
        if total == 0 or tracked.sum() / self.fps < MIN_TRACKED_SECONDS:
            message = (
                f"Can't see you: the body was in view for less than {MIN_TRACKED_SECONDS:g} second. {setup}"
            )
            return Visibility(False, round(fraction, 3), message), None
        seen_view = self.view if body.is_3d else self._seen_view(body, tracked)
        if fraction < MIN_TRACKED_FRACTION:
            message = (
                f"Can't see you well enough: your whole body was in view in only {percent}% of the "
                f"recording. {setup}"
            )
            return Visibility(False, round(fraction, 3), message), seen_view
        if body.is_3d and spread > MAX_TORSO_SPREAD_3D:
            message = (
                f"Can't see you well enough: the tracking was unstable (the length of your trunk seemed to "
                f"change by {round(100 * spread)}%). {setup}"
            )
            return Visibility(False, round(fraction, 3), message), seen_view
        if seen_view != self.view:
            message = f"Can't judge this exercise from the {seen_view}: it needs a {self.view} view. {setup}"
            return Visibility(False, round(fraction, 3), message), seen_view
        where = f"{body.near} side towards the camera" if self.view == "side" else "facing the camera"
        message = f"Seen well: {self.view} view, {where}; in view {percent}% of the recording."
        return Visibility(True, round(fraction, 3), message), seen_view

    @staticmethod
    def _seen_view(body: Body, tracked: BoolArray) -> str:
        ratio = shoulder_width_ratio(body.positions[tracked])
        return "side" if ratio < SIDE_ON_MAX_WIDTH else "front"

    # -- the exercise ----------------------------------------------------------------------------

    def run(self) -> FormResult:
        total = self.recording.frame_count
        body, tracked, spread = self._prepare()
        visibility, seen_view = self._visibility(body, tracked, spread)
        summary = SignalSummary(self.signal.name, self.signal.unit, None, None)
        base = FormResult(
            exercise=self.exercise_id,
            reps=(),
            holds=(),
            faults=(),
            visibility=visibility,
            signal=summary,
            frames_analysed=total,
            duration_seconds=round(total / self.fps, 3),
            view=seen_view,
            side_towards_camera=body.near if seen_view == "side" else None,
            in_position_fraction=0.0,
            counts_reps=self.spec.reps is not None,
        )
        if not visibility.ok:
            return base
        in_position = np.ones(total, dtype=np.bool_)
        for band in self.spec.position:
            values = measure(band.signal, body)
            with np.errstate(invalid="ignore"):
                in_position &= (values >= band.low) & (values <= band.high)
        main = self._main_signals(body, in_position)
        usable_by_side = {side: in_position & ~np.isnan(values) for side, values in main.items()}
        usable_any = np.logical_or.reduce(list(usable_by_side.values()))
        tracked_count = max(1, int(tracked.sum()))
        base = replace(
            base,
            signal=self._summary(main, usable_by_side),
            in_position_fraction=round(float((usable_any & tracked).sum()) / tracked_count, 3),
        )
        spans, notes = self._reps(main, usable_by_side)
        holds = self._holds(body, main, usable_any)
        faults, rep_faults, not_checked = self._faults(body, spans, usable_any)
        reps = tuple(
            Rep(
                start_seconds=round(span.start / self.fps, 3),
                end_seconds=round(span.end / self.fps, 3),
                range=self._range(main[side], span),
                hold_seconds=round(span.work_frames / self.fps, 2),
                side=side if side != "both" else None,
                faults=tuple(sorted(rep_faults.get((side, span.start), ()))),
            )
            for side, span in spans
        )
        return replace(
            base,
            reps=reps,
            holds=holds,
            faults=faults,
            not_checked=not_checked,
            small_range=bool(notes),
            notes=notes,
        )

    def _main_signals(self, body: Body, in_position: BoolArray) -> dict[str, FloatArray]:
        """The main signal per rep side: 'both' when sides are not told apart."""
        reps = self.spec.reps
        if reps is not None and reps.alternation == "limbs":
            sides = {side: measure(self.signal, body, side) for side in ("left", "right")}
            return {side: self._from_neutral(values, in_position) for side, values in sides.items()}
        values = self._from_neutral(measure(self.signal, body), in_position)
        if reps is not None and reps.alternation == "direction":
            return {"left": values, "right": -values}
        return {"both": values}

    def _from_neutral(self, values: FloatArray, in_position: BoolArray) -> FloatArray:
        """A relative signal is measured from the person's typical value while in position."""
        if not self.signal.relative:
            return values
        seen = values[in_position & ~np.isnan(values)]
        return values - float(np.median(seen)) if seen.size else values

    def _summary(self, main: dict[str, FloatArray], usable: dict[str, BoolArray]) -> SignalSummary:
        pieces = [values[usable[side]] for side, values in main.items()]
        if self.spec.reps is not None and self.spec.reps.alternation == "direction":
            pieces = [main["left"][usable["left"]]]  # the right-hand copy is the same signal negated
        seen = np.concatenate(pieces) if pieces else np.array([])
        if seen.size == 0:
            return SignalSummary(self.signal.name, self.signal.unit, None, None)
        return SignalSummary(
            self.signal.name, self.signal.unit, round(float(seen.min()), 2), round(float(seen.max()), 2)
        )

    def _reps(
        self, main: dict[str, FloatArray], usable: dict[str, BoolArray]
    ) -> tuple[list[tuple[str, RepSpan]], tuple[str, ...]]:
        """The reps per side, and a note for each side whose range fell short of the exercise's aim."""
        rule = self.spec.reps
        if rule is None:
            return [], ()
        found: list[tuple[str, RepSpan]] = []
        notes: list[str] = []
        timing = {"min_seconds": rule.min_seconds, "max_seconds": rule.max_seconds}
        for side, values in main.items():
            spans = count_reps(values, usable[side], self.fps, enter=rule.enter, exit=rule.exit, **timing)
            own = None
            if rule.min_range is not None:
                own = count_own_range_reps(
                    values,
                    usable[side],
                    self.fps,
                    enter=rule.enter,
                    exit=rule.exit,
                    min_range=rule.min_range,
                    **timing,
                )
            # The fixed thresholds stand unless they miss movements that, for this person's range,
            # are reps: a full range gets exactly the fixed rule's count, and nobody gets fewer.
            if own is not None and len(own.reps) > len(spans):
                reached = sum(bool(values[s.start : s.end].max() >= rule.enter) for s in own.reps)
                notes.append(self._small_range_note(side, own, rule.enter, reached))
                spans = list(own.reps)
            found += [(side, span) for span in spans]
        return sorted(found, key=lambda item: item[1].start), tuple(notes)

    def _small_range_note(self, side: str, own: OwnRange, aim: float, reached: int) -> str:
        where = f" to the {side}" if side in ("left", "right") else ""
        short = len(own.reps) - reached
        return (
            f"Your range{where} was smaller than this exercise aims for: {short} of {len(own.reps)} "
            f"reps{where} stayed short of the {self._amount(aim)} it counts from. They were counted "
            f"against your own range (you typically reached {self._amount(own.typical)}; reps count "
            f"from {self._amount(own.enter)})."
        )

    def _amount(self, value: float) -> str:
        """Degrees read well as whole numbers; body-relative distances (torso lengths) need decimals."""
        unit = self.signal.unit
        return f"{value:.0f} {unit}" if unit == "degrees" else f"{value:.2f} {unit}"

    def _range(self, values: FloatArray, span: RepSpan) -> float:
        """From the start position the rep left to the furthest point it reached."""
        window = values[span.rest_start : span.end + 1]
        window = window[~np.isnan(window)]
        if self.spec.reps is not None and self.spec.reps.alternation == "direction":
            # One side's start zone takes in excursions to the other side: measure from neutral.
            window = np.maximum(window, 0.0)
        return round(float(window.max() - window.min()), 2) if window.size else 0.0

    def _holds(self, body: Body, main: dict[str, FloatArray], usable: BoolArray) -> tuple[Hold, ...]:
        rule = self.spec.hold
        if rule is None:
            return ()
        values = next(iter(main.values()))
        holds = []
        self.hold_mask = np.zeros(body.frame_count, dtype=np.bool_)
        for span in find_holds(
            values, usable, self.fps, low=rule.low, high=rule.high, min_seconds=rule.min_seconds
        ):
            edge = round(HOLD_EDGE_SECONDS * self.fps)
            if span.end - span.start > 2 * edge:
                self.hold_mask[span.start + edge : span.end - edge] = True
            side = None
            if rule.side_joint is not None:
                left = np.nanmean(body.joint(rule.side_joint, "left")[span.start : span.end, 1])
                right = np.nanmean(body.joint(rule.side_joint, "right")[span.start : span.end, 1])
                left_higher = bool(left > right)
                side = "left" if left_higher == (rule.side_pick == "higher") else "right"
            holds.append(
                Hold(
                    start_seconds=round(span.start / self.fps, 3),
                    end_seconds=round(span.end / self.fps, 3),
                    seconds=round((span.end - span.start) / self.fps, 2),
                    side=side,
                )
            )
        return tuple(holds)

    def _faults(
        self,
        body: Body,
        spans: list[tuple[str, RepSpan]],
        usable: BoolArray,
    ) -> tuple[tuple[FaultFound, ...], dict[tuple[str, int], set[str]], tuple[str, ...]]:
        total = body.frame_count
        top: dict[str, BoolArray] = {}
        for side, span in spans:
            mask = top.setdefault(side, np.zeros(total, dtype=np.bool_))
            for start, end in span.work:
                mask[start:end] = True
        any_top = np.logical_or.reduce([*top.values(), np.zeros(total, dtype=np.bool_)])
        phases = {"top": any_top, "hold": self.hold_mask, "throughout": usable}

        found: list[FaultFound] = []
        per_rep: dict[tuple[str, int], set[str]] = {}
        not_checked: list[str] = []
        for rule in self.spec.faults:
            present = np.zeros(total, dtype=np.bool_)
            if rule.signal.is_timing:
                for side, span in spans:
                    if timing_fault(rule.signal.kind, rule.comparison, rule.threshold, span, self.fps):
                        present[span.start : span.end] = True
                        per_rep.setdefault((side, span.start), set()).add(rule.id)
            else:
                checked = False
                for fault_side, values, phase in self._fault_values(rule, body, top, phases):
                    checked |= bool((phase & ~np.isnan(values)).any()) or not phase.any()
                    hits = lasting(violations(values, rule.comparison, rule.threshold), phase, self.fps)
                    present |= hits
                    for rep_side, span in spans:
                        if fault_side in (None, rep_side) and hits[span.start : span.end].any():
                            per_rep.setdefault((rep_side, span.start), set()).add(rule.id)
                if not checked:
                    not_checked.append(rule.id)
            if present.any():
                frames = np.flatnonzero(present)
                found.append(
                    FaultFound(
                        id=rule.id,
                        message=rule.message,
                        seconds=round(frames.size / self.fps, 2),
                        frames=tuple(int(i) * self.frame_step for i in frames),
                    )
                )
        return tuple(found), per_rep, tuple(not_checked)

    def _fault_values(
        self, rule: Fault, body: Body, top: dict[str, BoolArray], phases: dict[str, BoolArray]
    ) -> list[tuple[str | None, FloatArray, BoolArray]]:
        """(rep side or None, values, phase mask) to test a per-frame fault rule on."""
        if rule.signal.side == "each":
            empty = np.zeros(body.frame_count, dtype=np.bool_)
            return [
                (side, measure(rule.signal, body, side), top.get(side, empty)) for side in ("left", "right")
            ]
        return [(None, measure(rule.signal, body), phases[rule.phase])]
