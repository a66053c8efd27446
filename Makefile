# The two commands of the README:  `make run`  and  `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP_FLAGS := --disable-pip-version-check --quiet
DEPS := pyproject.toml requirements/constraints.txt

HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# The suite runs in parallel (pytest-xdist: a database per worker, live servers on free ports), one
# worker per core up to four (each browser test starts a Chromium).
PYTEST_WORKERS ?= auto --maxprocesses=4

.PHONY: run test install install-dev system-deps node-deps lint typecheck layers content-check pytest pytest-postgres bench illustrations clean

# The PDF handout and report need Debian's Pango: installed when possible, else the app runs without PDFs.
run: install
	@bash scripts/system-deps.sh --run
	@bash scripts/camera-assets.sh
	$(BIN)/lumbar serve --host $(HOST) --port $(PORT)

test: install-dev system-deps node-deps lint typecheck layers content-check pytest pytest-postgres

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_FLAGS) --upgrade "pip==25.1.1"

$(VENV)/.installed-run: $(BIN)/python $(DEPS)
	$(BIN)/pip install $(PIP_FLAGS) -c requirements/constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python $(DEPS)
	$(BIN)/pip install $(PIP_FLAGS) -c requirements/constraints.txt -e '.[dev]'
	touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run
install-dev: $(VENV)/.installed-dev

# System packages the tests need (Debian): Chromium for the browser tests, PostgreSQL, Node.js and npm,
# Pango for the PDFs and poppler-utils/zbar-tools to read them back.
system-deps:
	@bash scripts/system-deps.sh

# Front-end packages from npm, exactly as package-lock.json pins them (axe-core for the accessibility
# tests; htmx, whose dist file the app serves from static/vendor; @mediapipe/pose for the camera coach,
# which `make run` installs too when npm is there).
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# ... and the in-browser pose model of the camera coach, copied under the static files (not in git).
node-deps: system-deps node_modules/.installed
	@bash scripts/camera-assets.sh

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install-dev
	$(BIN)/mypy

layers: install-dev
	$(BIN)/lint-imports

content-check: install-dev
	$(BIN)/lumbar content check

pytest: install-dev
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The database tests again on PostgreSQL (a clinic's database), in a throwaway server.
pytest-postgres: install-dev
	scripts/with-postgres.sh $(BIN)/pytest -n $(PYTEST_WORKERS) -m "django_db and not browser" -q -p no:cacheprovider $(PYTEST_ARGS)

bench: install-dev
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache

# The exercise figures: every exercise's start and end positions on one page (SVG and PNG).
illustrations: install
	$(BIN)/python scripts/contact_sheet.py docs/illustrations
