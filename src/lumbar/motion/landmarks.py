"""Landmark recordings: the three landmark sets, one joint model, mirroring, and the file readers.

A recording holds one row of landmarks per video frame (NaN rows where nobody was seen). Analysis
works on the joint model: the joints every set can supply, in one body frame where x runs to the right
of the camera image, y runs up and z runs away from the camera. Readers stream their input: frames are
parsed one at a time into a compact float32 array, never held as Python lists of the whole file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Literal

import numpy as np
from numpy.typing import NDArray

from lumbar.domain.errors import InvalidInput

FORMAT = "lumbar-landmarks/1"
LandmarkSetName = Literal["blazepose33", "coco17", "kinect25"]
Coordinates = Literal["normalized", "pixels", "meters"]
FloatArray = NDArray[np.float64]

BLAZEPOSE33: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
)  # fmt: skip
COCO17: tuple[str, ...] = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee",
    "right_knee", "left_ankle", "right_ankle",
)  # fmt: skip
KINECT25: tuple[str, ...] = (
    "SpineBase", "SpineMid", "Neck", "Head", "ShoulderLeft", "ElbowLeft", "WristLeft", "HandLeft",
    "ShoulderRight", "ElbowRight", "WristRight", "HandRight", "HipLeft", "KneeLeft", "AnkleLeft",
    "FootLeft", "HipRight", "KneeRight", "AnkleRight", "FootRight", "SpineShoulder", "HandTipLeft",
    "ThumbLeft", "HandTipRight", "ThumbRight",
)  # fmt: skip

# The joint model: what every analysis uses. Sided joints come in left/right pairs.
JOINTS: tuple[str, ...] = (
    "nose", "left_ear", "right_ear", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
    "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle",
    "right_ankle", "left_heel", "right_heel", "left_toe", "right_toe",
)  # fmt: skip
JOINT_INDEX: dict[str, int] = {name: i for i, name in enumerate(JOINTS)}
# Index of each joint's mirror twin (itself for unsided joints).
MIRROR_INDEX: tuple[int, ...] = tuple(
    JOINT_INDEX[n.replace("left_", "right_")] if n.startswith("left_")
    else JOINT_INDEX[n.replace("right_", "left_")] if n.startswith("right_")
    else i
    for i, n in enumerate(JOINTS)
)  # fmt: skip

# Kinect v2 tracking state -> visibility: tracked, inferred (a guess, kept but marked weak), not tracked.
KINECT_STATE_VISIBILITY: dict[int, float] = {2: 1.0, 1: 0.5, 0: 0.0}
KINECT_FPS = 30.0


@dataclass(frozen=True)
class LandmarkSet:
    name: LandmarkSetName
    landmarks: tuple[str, ...]
    # joint-model name -> landmark name in this set (absent joints stay NaN)
    joint_source: dict[str, str]
    y_up: bool
    # Kinect camera space has x to the sensor's left; the joint model has x to the image's right.
    x_flip: bool

    @property
    def size(self) -> int:
        return len(self.landmarks)


def _same_names(names: tuple[str, ...]) -> dict[str, str]:
    return {joint: joint for joint in JOINTS if joint in names}


LANDMARK_SETS: dict[str, LandmarkSet] = {
    "blazepose33": LandmarkSet(
        "blazepose33",
        BLAZEPOSE33,
        {**_same_names(BLAZEPOSE33), "left_toe": "left_foot_index", "right_toe": "right_foot_index"},
        y_up=False,
        x_flip=False,
    ),
    "coco17": LandmarkSet("coco17", COCO17, _same_names(COCO17), y_up=False, x_flip=False),
    "kinect25": LandmarkSet(
        "kinect25",
        KINECT25,
        {
            "left_ear": "Head",  # Kinect tracks the head's centre, not the ears
            "right_ear": "Head",
            "left_shoulder": "ShoulderLeft",
            "right_shoulder": "ShoulderRight",
            "left_elbow": "ElbowLeft",
            "right_elbow": "ElbowRight",
            "left_wrist": "WristLeft",
            "right_wrist": "WristRight",
            "left_hip": "HipLeft",
            "right_hip": "HipRight",
            "left_knee": "KneeLeft",
            "right_knee": "KneeRight",
            "left_ankle": "AnkleLeft",
            "right_ankle": "AnkleRight",
            "left_toe": "FootLeft",
            "right_toe": "FootRight",
        },
        y_up=True,
        x_flip=True,
    ),
}


@dataclass(frozen=True)
class Recording:
    """Landmarks of one recording, as read: one (landmarks x [x, y, z, visibility]) row per frame."""

    landmark_set: LandmarkSetName
    fps: float
    frames: NDArray[np.float32]  # shape (T, K, 4); a NaN row is a frame with no person
    coordinates: Coordinates = "normalized"
    image_size: tuple[int, int] | None = None  # (width, height) in pixels, when known
    mirrored: bool = False  # the frames were flipped left-right before pose estimation
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def frame_count(self) -> int:
        return int(self.frames.shape[0])

    @property
    def is_3d(self) -> bool:
        return self.coordinates == "meters"

    def to_json(self) -> dict[str, Any]:
        """The `lumbar-landmarks/1` document (contracts/form-check.schema.json#/$defs/Landmarks)."""
        doc: dict[str, Any] = {
            "format": FORMAT,
            "landmark_set": self.landmark_set,
            "fps": self.fps,
            "coordinates": self.coordinates,
        }
        if self.image_size is not None:
            doc["image_size"] = list(self.image_size)
        if self.mirrored:
            doc["mirrored"] = True
        doc["frames"] = [_frame_json(frame) for frame in self.frames]
        return doc


def _frame_json(frame: NDArray[np.float32]) -> list[list[float]] | None:
    """A frame for JSON: null when nobody was seen; a landmark without coordinates is written as
    unseen (zeros, visibility 0), since JSON has no NaN."""
    missing = np.isnan(frame).any(axis=1)
    if missing.all():
        return None
    rows = np.round(frame.astype(np.float64), 5)
    rows[missing] = 0.0
    return rows.tolist()  # type: ignore[no-any-return]


def write_landmarks(recording: Recording, out: IO[str]) -> None:
    """Write the Landmarks JSON with one frame per line (readable, diff-friendly, streamable)."""
    doc = recording.to_json()
    frames = doc.pop("frames")
    head = json.dumps(doc, separators=(", ", ": "))
    out.write(head[:-1] + ', "frames": [\n')
    for i, frame in enumerate(frames):
        out.write(json.dumps(frame, separators=(",", ":")))
        out.write(",\n" if i < len(frames) - 1 else "\n")
    out.write("]}\n")


def to_joint_model(recording: Recording) -> FloatArray:
    """The recording as (T, len(JOINTS), 4) [x, y, z, visibility] in the body frame, mirroring undone.

    x runs to the right of the (unmirrored) camera image, y up, z away from the camera. Normalised
    image coordinates are rescaled by the image's aspect ratio when it is known, so that angles
    measured on them are angles in the picture.
    """
    spec = LANDMARK_SETS[recording.landmark_set]
    source = recording.frames
    out = np.full((source.shape[0], len(JOINTS), 4), np.nan)
    joint_idx = [JOINT_INDEX[j] for j in spec.joint_source]
    landmark_idx = [spec.landmarks.index(name) for name in spec.joint_source.values()]
    out[:, joint_idx, :] = source[:, landmark_idx, :]
    x_scale = 1.0
    if recording.coordinates == "normalized" and recording.image_size is not None:
        width, height = recording.image_size
        x_scale = width / height
    out[..., 0] *= -x_scale if spec.x_flip else x_scale
    if not spec.y_up:
        out[..., 1] *= -1.0
    if recording.coordinates == "normalized":
        # MediaPipe's z is on the scale of x (fractions of the image width).
        out[..., 2] *= x_scale
    if recording.mirrored:
        out = mirror(out)
    return out


def mirror(joints: FloatArray) -> FloatArray:
    """Flip a joint-model array left-right: x changes sign and left and right joints swap names."""
    flipped = joints[:, list(MIRROR_INDEX), :].copy()
    flipped[..., 0] *= -1.0
    return flipped


# --- Readers -------------------------------------------------------------------------------------


class _FrameBuffer:
    """Grows a float32 (T, K, 4) array by doubling, so that reading stays linear in time."""

    def __init__(self, landmark_count: int | None) -> None:
        self.count = 0
        self.k = landmark_count
        self.data: NDArray[np.float32] | None = None

    def append(self, frame: NDArray[np.float32] | None, where: str) -> None:
        if frame is not None:
            if self.k is None:
                self.k = frame.shape[0]
            elif frame.shape[0] != self.k:
                raise InvalidInput(f"{where}: expected {self.k} landmarks, got {frame.shape[0]}")
        if self.k is None:
            # Frames with nobody in them before the first detection: remember how many.
            self.count += 1
            return
        if self.data is None:
            self.data = np.full((max(256, self.count * 2), self.k, 4), np.nan, dtype=np.float32)
        if self.count >= self.data.shape[0]:
            grown = np.full((self.data.shape[0] * 2, self.k, 4), np.nan, dtype=np.float32)
            grown[: self.count] = self.data[: self.count]
            self.data = grown
        if frame is not None:
            self.data[self.count] = frame
        self.count += 1

    def result(self, default_k: int) -> NDArray[np.float32]:
        k = self.k if self.k is not None else default_k
        if self.data is None:
            return np.full((self.count, k, 4), np.nan, dtype=np.float32)
        return self.data[: self.count]


class _JsonStream:
    """Reads one top-level JSON object from a text stream, handing out values one at a time."""

    def __init__(self, stream: IO[str], what: str, chunk_size: int = 1 << 20) -> None:
        self.stream = stream
        self.what = what
        self.chunk_size = chunk_size
        self.buffer = ""
        self.pos = 0
        self.eof = False
        self.decoder = json.JSONDecoder()

    def _fill(self) -> bool:
        if self.eof:
            return False
        try:
            data = self.stream.read(self.chunk_size)
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{self.what}: not UTF-8 text ({exc.reason})") from None
        if not data:
            self.eof = True
            return False
        self.buffer = self.buffer[self.pos :] + data
        self.pos = 0
        return True

    def peek(self) -> str:
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self._fill():
                return ""

    def expect(self, chars: str) -> str:
        ch = self.peek()
        if ch == "" or ch not in chars:
            found = "the end of the file" if ch == "" else repr(ch)
            wanted = " or ".join(repr(c) for c in chars)
            raise InvalidInput(f"{self.what}: not valid JSON: expected {wanted}, found {found}")
        self.pos += 1
        return ch

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                if self._fill():
                    continue
                raise InvalidInput(f"{self.what}: not valid JSON ({exc.msg})") from None
            # A number that ends at the buffer's end may continue in the next chunk.
            if end == len(self.buffer) and not self.eof and self._fill():
                continue
            self.pos = end
            return value


def _finite_number(value: Any, where: str, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidInput(f"{where}: must be a number")
    if positive and value <= 0:
        raise InvalidInput(f"{where}: must be above 0 (got {value})")
    return float(value)


def _parse_frame(value: Any, index: int, what: str) -> NDArray[np.float32] | None:
    where = f"{what}: frames[{index}]"
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        raise InvalidInput(f"{where}: must be null or a list of [x, y, z, visibility]")
    try:
        frame = np.asarray(value, dtype=np.float32)
    except (ValueError, TypeError):
        raise InvalidInput(f"{where}: each landmark must be [x, y, z, visibility] numbers") from None
    if frame.ndim != 2 or frame.shape[1] != 4:
        raise InvalidInput(f"{where}: each landmark must be [x, y, z, visibility] numbers")
    if not np.isfinite(frame).all():
        raise InvalidInput(f"{where}: landmarks must be finite numbers")
    return frame


_KNOWN_KEYS = frozenset(
    {"format", "landmark_set", "fps", "coordinates", "frames", "image_size", "mirrored", "source"}
)


def read_landmarks_json(stream: IO[str], what: str = "landmarks") -> Recording:
    """Read a `lumbar-landmarks/1` document, frame by frame. Raises InvalidInput naming the problem."""
    reader = _JsonStream(stream, what)
    header: dict[str, Any] = {}
    buffer = _FrameBuffer(None)
    frames_seen = False
    reader.expect("{")
    if reader.peek() == "}":
        reader.expect("}")
    else:
        while True:
            key = reader.value()
            if not isinstance(key, str):
                raise InvalidInput(f"{what}: not valid JSON (object keys must be strings)")
            reader.expect(":")
            if key == "frames":
                _read_frames(reader, buffer, what)
                frames_seen = True
            elif key not in _KNOWN_KEYS:
                raise InvalidInput(f"{what}: {key}: unknown key")
            else:
                header[key] = reader.value()
            if reader.expect(",}") == "}":
                break
    if reader.peek() != "":
        raise InvalidInput(f"{what}: not valid JSON (extra data after the object)")
    return _recording_from(header, buffer, frames_seen, what)


def _read_frames(reader: _JsonStream, buffer: _FrameBuffer, what: str) -> None:
    if reader.peek() != "[":
        raise InvalidInput(f"{what}: frames: must be a list")
    reader.expect("[")
    if reader.peek() == "]":
        reader.expect("]")
        return
    index = 0
    while True:
        buffer.append(_parse_frame(reader.value(), index, what), f"{what}: frames[{index}]")
        index += 1
        if reader.expect(",]") == "]":
            return


def _recording_from(header: dict[str, Any], buffer: _FrameBuffer, frames_seen: bool, what: str) -> Recording:
    for key in ("format", "landmark_set", "fps"):
        if key not in header:
            raise InvalidInput(f"{what}: {key}: required but missing")
    if not frames_seen:
        raise InvalidInput(f"{what}: frames: required but missing")
    if header["format"] != FORMAT:
        raise InvalidInput(f"{what}: format: must be {FORMAT!r} (got {header['format']!r})")
    set_name = header["landmark_set"]
    if set_name not in LANDMARK_SETS:
        known = ", ".join(LANDMARK_SETS)
        raise InvalidInput(f"{what}: landmark_set: must be one of {known} (got {set_name!r})")
    landmark_set = LANDMARK_SETS[set_name]
    fps = _finite_number(header["fps"], f"{what}: fps", positive=True)
    coordinates = header.get("coordinates", "normalized")
    if coordinates not in ("normalized", "pixels", "meters"):
        raise InvalidInput(f"{what}: coordinates: must be normalized, pixels or meters (got {coordinates!r})")
    image_size = header.get("image_size")
    if image_size is not None and (
        not isinstance(image_size, list)
        or len(image_size) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in image_size)
    ):
        raise InvalidInput(f"{what}: image_size: must be [width, height] in whole pixels")
    mirrored = header.get("mirrored", False)
    if not isinstance(mirrored, bool):
        raise InvalidInput(f"{what}: mirrored: must be true or false")
    frames = buffer.result(landmark_set.size)
    if frames.shape[1] != landmark_set.size:
        raise InvalidInput(
            f"{what}: frames: {set_name} has {landmark_set.size} landmarks per frame, got {frames.shape[1]}"
        )
    return Recording(
        landmark_set=landmark_set.name,
        fps=fps,
        frames=frames,
        coordinates=coordinates,
        image_size=(image_size[0], image_size[1]) if image_size else None,
        mirrored=mirrored,
        extra={"source": header["source"]} if "source" in header else {},
    )


def read_kinect_csv(stream: IO[str], what: str = "kinect csv", fps: float = KINECT_FPS) -> Recording:
    """Read a Kinect v2 joint-position CSV: per row 25 joints x (x, y, z, tracking_state), metres.

    Empty rows are frames in which the Kinect tracked no body. A trailing comma is allowed (KIMORE's
    files end every row with one).
    """
    buffer = _FrameBuffer(len(KINECT25))
    expected = len(KINECT25) * 4
    for line_number, line in enumerate(_lines(stream, what), start=1):
        text = line.strip().rstrip(",")
        if not text:
            buffer.append(None, what)
            continue
        try:
            values = [float(v) for v in text.split(",")]
        except ValueError:
            raise InvalidInput(f"{what}: line {line_number}: not a row of numbers") from None
        if len(values) != expected:
            raise InvalidInput(
                f"{what}: line {line_number}: expected {expected} values (25 joints x x, y, z, state), "
                f"got {len(values)}"
            )
        row = np.asarray(values, dtype=np.float32).reshape(len(KINECT25), 4)
        if not np.isfinite(row).all():
            raise InvalidInput(f"{what}: line {line_number}: values must be finite numbers")
        states = row[:, 3]
        if not np.isin(states, (0.0, 1.0, 2.0)).all():
            raise InvalidInput(f"{what}: line {line_number}: tracking states must be 0, 1 or 2")
        row[:, 3] = np.select([states == 2, states == 1], [1.0, 0.5], 0.0)
        buffer.append(row, what)
    if buffer.count == 0:
        raise InvalidInput(f"{what}: the file is empty")
    return Recording(
        landmark_set="kinect25", fps=fps, frames=buffer.result(len(KINECT25)), coordinates="meters"
    )


def _lines(stream: IO[str], what: str) -> Iterator[str]:
    try:
        yield from stream
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{what}: not UTF-8 text ({exc.reason})") from None
