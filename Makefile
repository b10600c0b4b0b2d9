# Constellation: `make run` and `make test` do all the set-up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Seen by every command of `make run`. honcho hands each process a PORT of its own (the
# worker's is PORT+100), so the links in e-mails and .ics files get SITE_URL, fixed here.
export PORT
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c

.PHONY: install run test lint format bench screenshots messages clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip 2>&1 | sed '/is ignored/d'
	$(PY) -m pip install --quiet -e '.[dev]' 2>&1 | sed -e '/is ignored/d' -e '/^  /d' -e '/^$$/d'
	$(PY) -m pip check
	touch $@

run: install
	mkdir -p var
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(PY) manage.py seed_demo
	@echo ""
	@echo "Constellation is starting on http://127.0.0.1:$(PORT)/  (Ctrl-C stops web, worker and beat)"
	@echo ""
	DEBUG=$${DEBUG:-true} SITE_URL=$${SITE_URL:-http://localhost:$(PORT)} $(VENV)/bin/honcho start -f Procfile.dev

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# Figures, never pass/fail: gunicorn + wrk on every page at each size (needs PostgreSQL and
# wrk), then bench/bench_*.py in-process. Options and steps: bench/load.py's docstring.
bench: install
	PYTEST_ARGS="$(PYTEST_ARGS)" $(PY) -m bench.load

# The demo's main pages at phone and desktop widths, in Debian's Chromium, for the README:
# docs/screenshots/*.png (a throwaway SQLite demo; nothing else is touched).
screenshots: install
	$(PY) -m constellation.screenshots

# After changing a user-facing string: new strings land empty in locale/*/LC_MESSAGES/
# django.po for a translator; then run it again to compile. (The tests fail while a
# catalog is stale or has an empty translation.)
messages: install
	$(PY) manage.py catalogs

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf var staticfiles .pytest_cache
