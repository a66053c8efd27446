#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, only when they are missing.
# Chromium drives the browser tests (Playwright's own browser download is not used); PostgreSQL
# runs the database tests a second time, as a clinic deployment would; Node.js's npm installs the
# pinned front-end packages (`npm ci`).
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
# npm installs the front-end packages of package-lock.json (axe-core for the accessibility tests).
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "system-deps: please install: ${need[*]} (needs root)" >&2; exit 1
  fi
else
  SUDO=
fi
echo "system-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
