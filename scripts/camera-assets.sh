#!/usr/bin/env bash
# Places the in-browser pose model (npm @mediapipe/pose, pinned in package-lock.json) under the static
# files, for the camera coach in the session player. The files are not in git: they come from the npm
# registry with `npm ci`. Without npm the app runs without the live camera (the session player says
# so; uploading a video still works), and this script says what to install.
set -euo pipefail
cd "$(dirname "$0")/.."

dest=src/lumbar/web/static/vendor/mediapipe-pose
package=node_modules/@mediapipe/pose
files=(
  pose.js
  pose_solution_packed_assets.data
  pose_solution_packed_assets_loader.js
  pose_solution_simd_wasm_bin.js
  pose_solution_simd_wasm_bin.wasm
  pose_solution_wasm_bin.js
  pose_solution_wasm_bin.wasm
  pose_web.binarypb
  pose_landmark_lite.tflite
)

if ! command -v npm >/dev/null 2>&1; then
  echo "camera-assets: npm is not installed, so the live camera check is off (install nodejs and npm, then run this again); everything else works" >&2
  exit 0
fi
if [ ! -f node_modules/.installed ] || [ package-lock.json -nt node_modules/.installed ] || [ ! -d "$package" ]; then
  npm ci --ignore-scripts --no-audit --no-fund
  touch node_modules/.installed
fi
mkdir -p "$dest"
for f in "${files[@]}"; do
  cp -p "$package/$f" "$dest/$f"
done
version=$(node -p "require('./$package/package.json').version" 2>/dev/null || echo unknown)
{
  echo "@mediapipe/pose $version (https://www.npmjs.com/package/@mediapipe/pose), copied here by"
  echo "scripts/camera-assets.sh from the npm package pinned in package-lock.json."
  echo "Copyright Google LLC. Licensed under the Apache License, Version 2.0 (the package's \"license\" field)."
  echo
  if [ -f /usr/share/common-licenses/Apache-2.0 ]; then cat /usr/share/common-licenses/Apache-2.0; fi
} > "$dest/LICENSE.txt"
echo "camera-assets: the pose model $version is in $dest"
