# Portico: `make run` and `make test` are the two set-up commands (README.md).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/portico

.PHONY: system-deps install run worker test test-sqlite test-postgres test-browser lint bench bench-phone bench-smoke lock messages pg-up htmx clean

$(STAMP): requirements.lock requirements-dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
		-r requirements.lock -r requirements-dev.lock
	touch $(STAMP)

install: $(STAMP)  ## venv + locked dependencies (idempotent)

lock:  ## re-pin requirements*.in into hashed lock files (needs uv: pip install uv)
	UV_PYTHON_DOWNLOADS=never uv pip compile requirements.in --python-version 3.11 --generate-hashes -o requirements.lock
	UV_PYTHON_DOWNLOADS=never uv pip compile requirements-dev.in --python-version 3.11 --generate-hashes -o requirements-dev.lock

messages: install  ## extract and compile translations (needs GNU gettext; the .mo files are committed)
	cd portico && DEBUG=1 ../$(PY) ../manage.py makemessages -l es --no-obsolete -v 0
	cd portico && DEBUG=1 ../$(PY) ../manage.py compilemessages -v 0

run: install  ## migrate SQLite, load the demo organization, start web + worker
	$(PY) -m portico.web.devserver

worker: install  ## the task worker alone (all queues)
	$(PY) manage.py db_worker --queue-name '*'

pg-up:  ## start the local PostgreSQL cluster if it is down
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done; echo "PostgreSQL did not start"; exit 1

lint: install  ## ruff, ruff format, mypy, and the import contracts (layers point down; pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

test-sqlite: install
	DATABASE_URL=sqlite:///:memory: $(VENV)/bin/pytest -m "not browser" -n 2 -q $(PYTEST_ARGS)

test-postgres: install pg-up
	DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -m "not browser" -n 2 -q $(PYTEST_ARGS)

# Debian packages outside the venv: chromium (browser tests), the libraries WeasyPrint loads (PDFs)
# and gettext (make messages). Installs only what is missing.
DEBIAN_PACKAGES := chromium libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext

system-deps:  ## Debian packages the suite needs (root; apt-get)
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

test-browser: install system-deps
	DATABASE_URL=sqlite:///:memory: $(VENV)/bin/pytest -m browser -q -p no:xdist $(PYTEST_ARGS)

test: lint test-sqlite test-postgres test-browser  ## the whole suite: lint, SQLite, PostgreSQL, browser

bench: install pg-up  ## benchmarks on PostgreSQL -> bench/results/latest.json + latest.md (N=100000 make bench: fewer clients)
	BENCH_N=$(or $(N),1000000) DATABASE_URL=$(PG_URL)_bench$(if $(filter-out 1000000,$(or $(N),1000000)),_$(N)) \
		$(PY) -m bench.run
	$(MAKE) bench-phone

# The phone journey (issue 13): two browser runs at 390×844 write their taps and seconds to
# bench/results/phone_journey_*.json; bench.phone merges them into latest.json / latest.md.
PHONE_URL ?= $(PG_URL)_bench_phone
bench-phone: install pg-up system-deps  ## the phone journey's taps and seconds (card, ACH) -> bench/results/latest.*
	BENCH_RESULTS_DIR=bench/results DATABASE_URL=$(PHONE_URL) $(VENV)/bin/pytest -m browser -q -p no:xdist \
		portico/web/tests/test_browser_onboarding_part2.py
	$(PY) -m bench.phone

# The bench at a small size on a throw-away database, dropped afterwards even when the bench
# fails; its results go to a temporary directory, never over bench/results/latest.*.
# Every bulk job takes the queued path (inline limit 0), as at full size. Run by .ci/run.
SMOKE_ENV := BENCH_N=2000 BENCH_REPEAT=1 BENCH_BULK_REPEAT=1 BENCH_AUDIT_ROWS=5000 BENCH_OUTBOX_ROWS=5000 \
	BENCH_REQUEST_N=2000 BENCH_REQUEST_CLIENTS=200 BENCH_REQUEST_NOTIFICATIONS=200 BENCH_START_NOTIFICATIONS=200 \
	BENCH_INVITE_N=300 BENCH_INVITE_REPEAT=1 BENCH_JOB_INLINE_LIMIT=0 \
	BENCH_LEAD_N=500 BENCH_ESTIMATE_N=50 BENCH_ESTIMATE_CLIENTS=20 BENCH_JOURNEY_N=2000 BENCH_AGREEMENT_N=5 \
	BENCH_PAYMENT_CLIENTS=50 BENCH_PAYMENT_EVENTS=200 \
	BENCH_SAT69B_ROWS=2000 BENCH_SAT69B_REPEAT=1 BENCH_SCORE_REPEAT=1

bench-smoke: install pg-up  ## the bench at N=2000, one repeat, on a fresh database dropped afterwards (.ci/run)
	@db="$(PG_URL)_bench_smoke_$$$$"; out=$$(mktemp -d); \
	trap 'DATABASE_URL="$$db" $(PY) -m bench.run --drop-database; rm -rf "$$out"' EXIT; \
	start=$$(date +%s); \
	$(SMOKE_ENV) BENCH_RESULTS_DIR="$$out" DATABASE_URL="$$db" $(PY) -m bench.run \
		&& echo "bench smoke passed in $$(( $$(date +%s) - start )) s"

htmx:  ## re-fetch the pinned htmx (npm package htmx.org@2.0.11, dist/htmx.min.js); a test checks its sha256
	cd $$(mktemp -d) && npm pack --silent htmx.org@2.0.11 && tar xzf htmx.org-2.0.11.tgz package/dist/htmx.min.js \
		&& cp package/dist/htmx.min.js $(CURDIR)/portico/static/portico/htmx-2.0.11.min.js

clean:
	rm -rf $(VENV) var/*.sqlite3
