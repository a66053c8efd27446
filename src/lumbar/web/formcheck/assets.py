"""The in-browser pose model (npm @mediapipe/pose), placed under the static files by the install step
(scripts/camera-assets.sh). Without npm at install time the app runs without the live camera and says
so; uploading a video still works (the server's own MediaPipe reads it)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

POSE_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor" / "mediapipe-pose"
# The files the page loads: the loader, the WebAssembly runtime (SIMD and plain), the graph, the
# packed assets and the lite model (phones) — the licence beside them.
POSE_FILES = (
    "pose.js",
    "pose_solution_packed_assets.data",
    "pose_solution_packed_assets_loader.js",
    "pose_solution_simd_wasm_bin.js",
    "pose_solution_simd_wasm_bin.wasm",
    "pose_solution_wasm_bin.js",
    "pose_solution_wasm_bin.wasm",
    "pose_web.binarypb",
    "pose_landmark_lite.tflite",
    "LICENSE.txt",
)


@cache
def live_camera_available() -> bool:
    return all((POSE_DIR / name).is_file() for name in POSE_FILES)
