# The README's two commands, `make run` and `make test`, do all the set-up themselves.
# `make run` is the demo, in a database of its own (instance/demo.db); `make init-db` and
# `make start` are the team's own database (instance/reviewtracker.db, or DATABASE_URL).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000
# The browser tests drive Debian's Chromium; nothing is downloaded at run time.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The demo's database and signing key: never the team's (a session of the one is no sign-in to
# the other, though both are served on the same address).
DEMO := DATABASE_URL=sqlite:///$(CURDIR)/instance/demo.db SECRET_KEY=$$(cat instance/demo_secret_key)

.PHONY: install run init-db start test test-postgres bench lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(CHROMIUM):
	@echo "Installing Debian's chromium and chromium-driver for the browser tests"
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver

instance/demo_secret_key:
	$(PYTHON) -c 'import secrets; print(secrets.token_hex(32))' > $@

# The demo: its own database, loaded once, then served.
run: install instance/demo_secret_key
	$(DEMO) LOG_FORMAT=text $(BIN)/reviewtracker demo --if-empty
	@echo "reviewtracker (demo data, instance/demo.db) on http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	$(DEMO) LOG_FORMAT=text $(BIN)/reviewtracker run --host $(HOST) --port $(PORT)

# The team's own database: created (or upgraded), never with demo data in it.
init-db: install
	$(BIN)/reviewtracker init-db

start: init-db
	@echo "reviewtracker on http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	LOG_FORMAT=text $(BIN)/reviewtracker run --host $(HOST) --port $(PORT)

test: install $(CHROMIUM)
	$(BIN)/pytest

# The same suite on a throw-away PostgreSQL server (installed from Debian if missing).
test-postgres: install $(CHROMIUM)
	scripts/with-postgres.sh $(BIN)/pytest

bench: install
	$(BIN)/python bench/bench.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
