#!/usr/bin/env bash
# Installs the Debian packages Lumbar needs, only when they are missing.
#
#   scripts/system-deps.sh          what the test suite needs (`make test`): everything below.
#   scripts/system-deps.sh --run    what the app itself needs (`make run`): the PDF libraries and npm.
#
# The app: WeasyPrint (the printed handout and the progress report) loads Pango, Pango's FreeType
# back end and HarfBuzz's subsetter; the documents are set in DejaVu Sans (its oblique faces are in
# fonts-dejavu-extra). `--run` installs them when it can without asking for a password (as root, or
# with password-less sudo); otherwise it says what to install and carries on: the server runs, and
# its PDF pages say that PDFs are not available.
# The tests, besides: Chromium drives the browser tests (Playwright's own browser download is not
# used); PostgreSQL runs the database tests a second time, as a clinic deployment would; Node.js's npm
# installs the pinned front-end packages (`npm ci`); poppler-utils (pdftotext, pdftoppm, pdfinfo) and
# zbar-tools (zbarimg, which reads the handout's QR code back) check the PDFs.
set -euo pipefail

mode=test
if [ "${1:-}" = "--run" ]; then mode=run; fi

has_lib() {
  local ldconfig
  ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
  "$ldconfig" -p 2>/dev/null | grep -q "$1"
}

need=()
has_lib 'libpango-1\.0\.so\.0' || need+=(libpango-1.0-0)
has_lib 'libpangoft2-1\.0\.so\.0' || need+=(libpangoft2-1.0-0)
has_lib 'libharfbuzz-subset\.so\.0' || need+=(libharfbuzz-subset0)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
# The handout's italics and bold italics: DejaVu Sans Oblique comes in the "extra" package.
fc-list : file 2>/dev/null | grep -q 'DejaVuSans-Oblique' || need+=(fonts-dejavu-extra)
# npm installs the front-end packages of package-lock.json: the camera coach's in-browser pose model
# (and, for the tests, axe-core).
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
if [ "$mode" = test ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
  command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)
fi

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && { [ "$mode" = test ] || sudo -n true 2>/dev/null; }; then
    SUDO=sudo
  elif [ "$mode" = run ]; then
    echo "system-deps: PDF handouts and reports (Pango) and the live camera check (npm) need: ${need[*]} (e.g. sudo apt-get install ${need[*]}); the app runs without them" >&2
    exit 0
  else
    echo "system-deps: please install: ${need[*]} (needs root)" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: not a Debian system: please install the equivalents of: ${need[*]}" >&2
  [ "$mode" = run ] && exit 0
  exit 1
fi
echo "system-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
if [ "$mode" = run ]; then
  # The app runs without PDFs rather than not at all.
  { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; } ||
    echo "system-deps: could not install ${need[*]}: the pages that need them (PDFs, the live camera) will say they are not available" >&2
  exit 0
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
