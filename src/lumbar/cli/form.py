"""`lumbar check-form` (reps, holds and form faults from a video or landmarks) and
`lumbar landmarks extract` (a video's pose landmarks as JSON)."""

from __future__ import annotations

import time
from contextlib import nullcontext
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import click
import typer

if TYPE_CHECKING:
    from lumbar.motion.analyze import FormResult
    from lumbar.motion.landmarks import Recording
    from lumbar.motion.pose import Progress as ProgressCallback

FORMATS = ("video", "landmarks", "kinect-csv")
JSON_HELP = "Print JSON for scripts (contracts/form-check.schema.json#/$defs/Result) instead of a report."

landmarks_app = typer.Typer(help="Pose landmarks from videos.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("check-form")(check_form)
    app.add_typer(landmarks_app, name="landmarks")


def check_form(
    source: Annotated[
        str,
        typer.Argument(
            metavar="INPUT",
            help="A video (mp4, webm, mov...), a Landmarks JSON file or a Kinect v2 CSV; '-' reads standard input (not for video).",
        ),
    ],
    exercise: Annotated[
        str, typer.Option("--exercise", metavar="ID", show_envvar=False, help="Exercise id.")
    ],
    input_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            click_type=click.Choice(FORMATS),
            show_envvar=False,
            help="What INPUT is (default: from its file name).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", show_envvar=False, help=JSON_HELP)] = False,
    stride: Annotated[
        int | None,
        typer.Option(
            "--stride",
            min=1,
            max=10,
            show_envvar=False,
            help="Video: analyse every N-th frame (default: about 15 frames a second).",
        ),
    ] = None,
    mirrored: Annotated[
        bool,
        typer.Option(
            "--mirrored", show_envvar=False, help="The recording was flipped left-right (a selfie view)."
        ),
    ] = False,
    fps: Annotated[
        float,
        typer.Option("--fps", min=1.0, max=240.0, show_envvar=False, help="Kinect CSV: frames per second."),
    ] = 30.0,
) -> None:
    """Count reps, time holds and flag form faults in a recording of one exercise."""
    from dataclasses import replace

    from lumbar.domain.catalog import default_catalog
    from lumbar.motion.analyze import analyze, check_spec_of

    chosen = default_catalog().exercise(exercise)
    spec = check_spec_of(chosen)  # refuses an exercise a camera cannot judge before any decoding
    kind = input_format or _format_from_name(source)
    started = time.perf_counter()
    recording = _read_recording(source, kind, stride, fps, show_progress=not as_json)
    if mirrored:
        recording = replace(recording, mirrored=not recording.mirrored)
    step = int(recording.extra.get("stride", 1))
    result = analyze(chosen.id, spec, recording, frame_step=step)
    elapsed = max(time.perf_counter() - started, 1e-9)
    result = result.with_speed(round(recording.frame_count / elapsed, 1))
    if as_json:
        from lumbar.cli._common import print_json

        print_json(result.to_json())
    else:
        _print_report(result, chosen.name)


@landmarks_app.command("extract")
def extract(
    video: Annotated[Path, typer.Argument(metavar="VIDEO", help="The video to run pose estimation on.")],
    output: Annotated[
        str,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE.json",
            show_envvar=False,
            help="Where to write; '-' for standard output.",
        ),
    ],
    stride: Annotated[
        int | None,
        typer.Option(
            "--stride",
            min=1,
            max=10,
            show_envvar=False,
            help="Keep every N-th frame (default: about 15 a second).",
        ),
    ] = None,
) -> None:
    """Write a video's BlazePose landmarks as a Landmarks JSON file (lumbar-landmarks/1)."""
    import sys

    from lumbar.motion.landmarks import write_landmarks

    recording = _estimate(video, stride, show_progress=output != "-")
    if output == "-":
        write_landmarks(recording, sys.stdout)
        return
    # Written beside the target and renamed, so a failure never leaves half a file.
    target = Path(output)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with partial.open("w", encoding="utf-8") as out:
            write_landmarks(recording, out)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        from lumbar.cli._common import fail

        fail(f"cannot write {output!r}: {exc.strerror or exc}")
    typer.echo(f"wrote {recording.frame_count} frames to {output}", err=True)


def _format_from_name(source: str) -> str:
    from lumbar.cli._common import fail
    from lumbar.motion.pose import VIDEO_SUFFIXES

    suffix = Path(source).suffix.lower()
    kind = {".json": "landmarks", ".csv": "kinect-csv"}.get(suffix)
    if kind is None and suffix in VIDEO_SUFFIXES:
        kind = "video"
    if kind is None:
        fail(f"cannot tell what {source!r} is from its name: pass --format video, landmarks or kinect-csv")
    return kind


def _read_recording(
    source: str, kind: str, stride: int | None, fps: float, *, show_progress: bool
) -> Recording:
    from lumbar.cli._common import fail
    from lumbar.motion.landmarks import read_kinect_csv, read_landmarks_json

    if kind == "video":
        if source == "-":
            fail("a video cannot be read from standard input: give its file name")
        return _estimate(Path(source), stride, show_progress=show_progress)
    with _open_text(source) as stream:
        if kind == "landmarks":
            return read_landmarks_json(stream, what=_name(source))
        return read_kinect_csv(stream, what=_name(source), fps=fps)


def _name(source: str) -> str:
    return "standard input" if source == "-" else Path(source).name


def _open_text(source: str) -> Any:
    import sys

    from lumbar.cli._common import fail

    if source == "-":
        return nullcontext(sys.stdin)
    path = Path(source)
    if not path.exists():
        fail(f"input file {source!r} does not exist")
    if path.is_dir():
        fail(f"input file {source!r} is a directory")
    try:
        stream: IO[str] = path.open("r", encoding="utf-8")
    except OSError as exc:
        fail(f"cannot read {source!r}: {exc.strerror or exc}")
    return stream


def _estimate(video: Path, stride: int | None, *, show_progress: bool) -> Recording:
    import sys

    from lumbar.motion.pose import estimate_video

    if not (show_progress and sys.stderr.isatty()):
        return estimate_video(video, stride=stride)
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    # On standard error: standard output carries only the result (and nothing on failure).
    with Progress(
        TextColumn("Finding your pose"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} frames"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("pose", total=None)

        def advance(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        callback: ProgressCallback = advance
        return estimate_video(video, stride=stride, progress=callback)


def _print_report(result: FormResult, name: str) -> None:
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True)
    console.print(f"[bold]{name}[/bold]: form check")
    verdict = result.visibility
    console.print(verdict.message, style=None if verdict.ok else "bold yellow")
    if not verdict.ok:
        return
    if result.in_position_fraction < 0.2:
        console.print(
            f"You were in this exercise's position for only "
            f"{round(100 * result.in_position_fraction)}% of the recording: is it the right exercise?"
        )
    if result.counts_reps:
        sides = [rep.side for rep in result.reps if rep.side]
        per_side = f" (left {sides.count('left')}, right {sides.count('right')})" if sides else ""
        console.print(f"Reps: {result.rep_count}{per_side}")
        for number, rep in enumerate(result.reps, start=1):
            side = f" {rep.side}" if rep.side else ""
            faults = f"  faults: {', '.join(rep.faults)}" if rep.faults else ""
            console.print(
                f"  {number:>2}{side}: {rep.start_seconds:.1f}-{rep.end_seconds:.1f} s, "
                f"range {_amount(rep.range, result.signal.unit)}{_unit(result.signal.unit)}, "
                f"{rep.hold_seconds:.1f} s at the top{faults}"
            )
    for note in result.notes:
        console.print(f"Note: {note}")
    if not result.counts_reps and not result.holds:
        console.print("Holds: none")
    for number, hold in enumerate(result.holds, start=1):
        side = f" ({hold.side} side)" if hold.side else ""
        console.print(
            f"Hold {number}{side}: {hold.seconds:.1f} s ({hold.start_seconds:.1f}-{hold.end_seconds:.1f} s)"
        )
    if result.faults:
        console.print("Form:")
        for fault in result.faults:
            console.print(f"  - {fault.message} ({fault.id}, {fault.seconds:.1f} s)")
    else:
        console.print("Form: no problems seen.")
    if result.not_checked:
        console.print(
            f"Not checked (the recording lacks the points they need): {', '.join(result.not_checked)}"
        )
    speed = f" at {result.analysis_fps:.0f} frames/s" if result.analysis_fps else ""
    console.print(f"Analysed {result.frames_analysed} frames ({result.duration_seconds:.1f} s){speed}.")


def _amount(value: float, unit: str) -> str:
    """Degrees read well as whole numbers; body-relative distances (torso lengths) need decimals."""
    return f"{value:.0f}" if unit == "degrees" else f"{value:.2f}"


def _unit(unit: str) -> str:
    return "°" if unit == "degrees" else f" {unit}"
