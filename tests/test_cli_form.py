"""`lumbar check-form` and `lumbar landmarks extract`, end to end, including real MediaPipe on clips the
tests draw themselves (tests/motion_clips.py: MediaPipe finds and tracks the drawn person)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import cv2
import numpy as np
import pytest
from tests.motion_clips import blank, draw_person, empty_room_clip, squat_clip

from lumbar.domain.errors import InvalidInput
from lumbar.motion.landmarks import BLAZEPOSE33, Recording, write_landmarks
from lumbar.motion.pose import estimate_video

Validator = Callable[..., Callable[[Any], None]]


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The real entry point in a fresh process (as a person runs it)."""
    return subprocess.run(
        [sys.executable, "-m", "lumbar", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=180,
        check=False,
    )


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Ran]:
    """The same entry point in this process: same exit codes and output, without the start-up cost."""

    def invoke(*args: str, stdin: str | None = None) -> Ran:
        from lumbar.cli import app
        from lumbar.cli._common import run

        monkeypatch.setattr(sys, "argv", ["lumbar", *args])
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = run(app)
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return invoke


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def three_squats(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return squat_clip(tmp_path_factory.mktemp("clips") / "three-squats.mp4", squats=3)


@pytest.mark.slow
def test_three_filmed_squats_are_three_reps_through_mediapipe(
    three_squats: Path, shared_dir: Path, contract_validator: Validator
) -> None:
    result = run_cli("check-form", str(three_squats), "--exercise", "squat", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    contract_validator("form-check", "Result")(report)
    assert report["visibility"]["ok"] is True
    assert report["view"] == "side"
    assert report["rep_count"] == 3
    # The clip: 1 s standing, then a squat every 2 s.
    assert [round(rep["start_seconds"]) for rep in report["reps"]] == [1, 3, 5]
    assert all(rep["range"] > 80 for rep in report["reps"])
    assert report["faults"] == []
    assert report["analysis_fps"] > 0


@pytest.mark.slow
def test_extracted_landmarks_give_the_same_check_as_the_video(
    three_squats: Path,
    tmp_path: Path,
    shared_dir: Path,
    contract_validator: Validator,
    cli: Callable[..., Ran],
) -> None:
    landmarks = tmp_path / "squats.json"
    extract = cli("landmarks", "extract", str(three_squats), "-o", str(landmarks))
    assert extract.returncode == 0, extract.stderr
    document = json.loads(landmarks.read_text(encoding="utf-8"))
    contract_validator("form-check", "Landmarks")(document)
    assert document["fps"] == 15.0  # a 30 fps video is analysed at every other frame by default
    assert document["image_size"] == [640, 480]
    result = cli("check-form", str(landmarks), "--exercise", "squat", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rep_count"] == 3


@pytest.mark.slow
def test_a_video_with_nobody_in_it_is_refused_saying_no_person_was_found(tmp_path: Path) -> None:
    clip = empty_room_clip(tmp_path / "empty.mp4", seconds=1.0)
    result = run_cli("check-form", str(clip), "--exercise", "squat")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: no person found in video 'empty.mp4'")


def test_a_cut_off_mp4_is_refused_as_unreadable(
    three_squats: Path, tmp_path: Path, cli: Callable[..., Ran]
) -> None:
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(three_squats.read_bytes()[: three_squats.stat().st_size // 2])
    result = cli("check-form", str(cut), "--exercise", "squat")
    assert result.returncode == 2
    assert result.stderr == "error: cannot read video 'cut.mp4': not a video file that can be decoded\n"


def test_a_video_that_stops_short_of_its_header_is_refused_as_truncated(tmp_path: Path) -> None:
    whole = tmp_path / "whole.avi"
    writer = cv2.VideoWriter(str(whole), cv2.VideoWriter_fourcc(*"MJPG"), 30, (640, 480))
    for i in range(40):
        image = blank()
        draw_person(image, 40.0 * (i % 2))
        writer.write(image)
    writer.release()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(
        InvalidInput, match=r"video 'cut.avi' is truncated or damaged: its header promises 40 frames"
    ):
        estimate_video(cut, estimator=NoPerson)


def test_a_file_that_is_not_a_video_is_refused(tmp_path: Path, cli: Callable[..., Ran]) -> None:
    fake = tmp_path / "notes.mp4"
    fake.write_text("these are not moving pictures", encoding="utf-8")
    result = cli("check-form", str(fake), "--exercise", "squat", "--json")
    assert result.returncode == 2
    assert "cannot read video 'notes.mp4'" in result.stderr


class NoPerson:
    """Stands in for MediaPipe's Pose: finds nobody, remembers how it was used."""

    made: ClassVar[list[NoPerson]] = []

    def __init__(self) -> None:
        self.calls = 0
        self.closed = False
        NoPerson.made.append(self)

    def process(self, rgb: np.ndarray) -> object:
        assert rgb.shape == (480, 640, 3)
        self.calls += 1
        return object()

    def close(self) -> None:
        self.closed = True


class FailingPose(NoPerson):
    def process(self, rgb: np.ndarray) -> object:
        raise RuntimeError("model crashed")


def test_the_video_is_decoded_frame_by_frame_with_the_stride_and_the_model_is_always_closed(
    three_squats: Path,
) -> None:
    seen: list[tuple[int, int | None]] = []
    NoPerson.made.clear()
    with pytest.raises(InvalidInput, match="no person found"):
        estimate_video(
            three_squats,
            stride=3,
            estimator=NoPerson,
            progress=lambda done, total: seen.append((done, total)),
        )
    model = NoPerson.made[-1]
    total_frames = round(30 * (1.0 + 3 * 2.0 + 0.7))
    assert model.calls == -(-total_frames // 3)
    assert model.closed
    assert seen[-1][1] == total_frames
    with pytest.raises(RuntimeError, match="model crashed"):
        estimate_video(three_squats, estimator=FailingPose)
    assert NoPerson.made[-1].closed


def landmarks_file(path: Path, frames: np.ndarray, fps: float = 30.0) -> Path:
    with path.open("w", encoding="utf-8") as out:
        write_landmarks(Recording("blazepose33", fps, frames.astype(np.float32)), out)
    return path


def side_view_person(knee_bend: float) -> np.ndarray:
    """BlazePose landmarks of a standing person seen from the left, in normalised coordinates."""
    frame = np.full((33, 4), np.nan)
    bend = np.radians(knee_bend)
    for side, dx, vis in (("left", 0.0, 0.95), ("right", 0.01, 0.6)):
        ankle = np.array([0.5 + dx, 0.9])
        knee = ankle + 0.2 * np.array([np.sin(bend / 2), -np.cos(bend / 2)])
        hip = knee + 0.2 * np.array([-np.sin(bend / 2), -np.cos(bend / 2)])
        shoulder = hip + np.array([0.02, -0.3])
        points = {
            "ankle": ankle,
            "knee": knee,
            "hip": hip,
            "shoulder": shoulder,
            "heel": ankle + np.array((-0.03, 0.01)),
        }
        points |= {"foot_index": ankle + np.array((0.06, 0.015)), "ear": shoulder + np.array((0.02, -0.08))}
        points |= {"elbow": shoulder + np.array((0.0, 0.14)), "wrist": shoulder + np.array((0.02, 0.27))}
        for name, (x, y) in points.items():
            frame[BLAZEPOSE33.index(f"{side}_{name}")] = (x, y, -0.1 if side == "left" else 0.1, vis)
    nose = frame[BLAZEPOSE33.index("left_ear")][:2] + np.array((0.03, 0.01))
    frame[0] = (nose[0], nose[1], -0.1, 0.99)
    return frame


def test_a_recording_where_the_person_is_mostly_out_of_view_gets_cant_see_you(
    tmp_path: Path, cli: Callable[..., Ran]
) -> None:
    frames = np.stack([side_view_person(0.0) for _ in range(150)])
    frames[20:130] = np.nan  # out of the picture for most of it
    path = landmarks_file(tmp_path / "away.json", frames)
    result = cli("check-form", str(path), "--exercise", "squat", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["visibility"] == {
        "ok": False,
        "tracked_fraction": 0.267,
        "message": "Can't see you well enough: your whole body was in view in only 27% of the recording. "
        "Put the camera side-on at hip height, 2-3 m away, with your whole body in the picture.",
    }
    assert report["rep_count"] == 0
    assert report["faults"] == []


def test_the_readable_report_names_the_exercise_the_verdict_and_each_rep(
    tmp_path: Path, cli: Callable[..., Ran]
) -> None:
    bends = [0.0] * 30 + [100 * (1 - np.cos(2 * np.pi * t / 60)) / 2 for t in range(120)] + [0.0] * 30
    path = landmarks_file(tmp_path / "two.json", np.stack([side_view_person(b) for b in bends]))
    result = cli("check-form", str(path), "--exercise", "squat")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Squat: form check"
    assert lines[1].startswith("Seen well: side view, left side towards the camera")
    assert lines[2] == "Reps: 2"
    assert lines[3].startswith("   1: 1.")
    assert "Form: no problems seen." in lines


def test_landmarks_can_come_from_standard_input(tmp_path: Path, cli: Callable[..., Ran]) -> None:
    path = landmarks_file(tmp_path / "still.json", np.stack([side_view_person(0.0)] * 60))
    result = cli(
        "check-form", "-", "--format", "landmarks", "--exercise", "wall-sit", "--json", stdin=path.read_text()
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["holds"] == []
    assert report["visibility"]["ok"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--exercise", "no-such-move"], "error: unknown exercise id 'no-such-move'"),
        (["--exercise", "pelvic-tilt"], "error: exercise 'pelvic-tilt': a camera cannot judge it: "),
        (
            ["--exercise", "squat", "--format", "kinect-csv"],
            "error: still.json: line 1: not a row of numbers",
        ),
    ],
)
def test_bad_requests_exit_2_with_one_clear_line(
    tmp_path: Path, args: list[str], message: str, cli: Callable[..., Ran]
) -> None:
    path = landmarks_file(tmp_path / "still.json", np.stack([side_view_person(0.0)] * 10))
    result = cli("check-form", str(path), *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(message)
    assert len(result.stderr.splitlines()) == 1


def test_an_input_whose_kind_cannot_be_told_from_its_name_asks_for_format(
    tmp_path: Path, cli: Callable[..., Ran]
) -> None:
    odd = tmp_path / "recording.dat"
    odd.write_text("{}", encoding="utf-8")
    result = cli("check-form", str(odd), "--exercise", "squat")
    assert result.returncode == 2
    assert "pass --format video, landmarks or kinect-csv" in result.stderr


def test_a_missing_input_file_is_named(tmp_path: Path, cli: Callable[..., Ran]) -> None:
    result = cli("check-form", str(tmp_path / "nowhere.json"), "--exercise", "squat")
    assert result.returncode == 2
    assert "nowhere.json" in result.stderr
    assert "does not exist" in result.stderr
