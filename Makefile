# coderef: `make run` serves the sample data locally, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYTEST := $(VENV)/bin/pytest
CHROMIUM ?= /usr/bin/chromium
PGBIN ?= /usr/lib/postgresql/15/bin
export DJANGO_ALLOW_ASYNC_UNSAFE := true

.PHONY: install run migrate load-public test test-quality lint migrations-check test-sqlite test-postgres clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,data]"
	touch $@

# axe-core for the accessibility checks in the browser tests, from the npm registry.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --silent

install: $(VENV)/.installed node_modules/.package-lock.json

run: install
	DJANGO_DEBUG=true $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=true $(PY) manage.py bootstrap_local
	DJANGO_DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

# ICD-10-CM FY2026, ICD-10-PCS FY2024 and (from ../shared/data/hcpcs-2019) HCPCS 2019 into the
# configured database (DATABASE_URL, default db.sqlite3); run again to bring them up to date.
load-public: install
	DJANGO_DEBUG=true $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=true $(PY) manage.py load_public_codes

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrations-check: install
	DJANGO_DEBUG=true $(PY) manage.py makemigrations --check --dry-run

# SQLite runs everything, browser tests included; PostgreSQL runs everything but the browser.
test-sqlite: install
	env -u DATABASE_URL DJANGO_DEBUG=true CHROMIUM=$(CHROMIUM) $(PYTEST) -q

test-postgres: install
	@if [ -z "$$DATABASE_URL" ] && [ ! -x "$(PGBIN)/initdb" ]; then \
	  if [ "$$CI" = "true" ]; then echo "CI: no PostgreSQL binaries in $(PGBIN) and no DATABASE_URL" >&2; exit 1; fi; \
	  echo "PostgreSQL not found: skipping the PostgreSQL run (set DATABASE_URL or install postgresql-15)"; \
	else \
	  DJANGO_DEBUG=true PGBIN=$(PGBIN) scripts/with-postgres $(PYTEST) -q -m "not browser"; \
	fi

# The search quality table on the public code sets (about a minute to load them); SQLite.
test-quality: install
	env -u DATABASE_URL DJANGO_DEBUG=true $(PYTEST) -q --quality tests/test_search_quality.py

test: lint migrations-check test-sqlite test-postgres

clean:
	rm -rf $(VENV) staticfiles
