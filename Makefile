# Patto: `make demo` serves the platform with the Bologna 2021 pact; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export PATTO_HOME := $(CURDIR)
# Commands of the demo and of development: PATTO_DEMO=1 marks example data as such and, without
# SECRET_KEY, makes a private key in var/ (see settings.py).
PATTO := PATTO_DEMO=1 $(BIN)/patto

.PHONY: bench-pages demo test setup assets browser data lint audit check-deploy messages clean

setup: $(VENV)/.installed assets

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c requirements.lock -e '.[dev]'
	touch $@

assets: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Browser tests drive Debian's Chromium; never a downloaded browser.
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Each step of `data` runs again only when its inputs change: a stamp under var/stamps/
# remembers it, per database (DATABASE_URL, or the SQLite file under var/). `make clean` or
# `rm -rf var/stamps` starts over.
VAR := $(or $(PATTO_VAR_DIR),var)
DB_KEY := $(if $(DATABASE_URL),$(shell printf '%s' '$(DATABASE_URL)' | md5sum | cut -c1-12),sqlite)
STAMPS := $(VAR)/stamps/$(DB_KEY)
MIGRATIONS := $(shell find src/patto -path '*/migrations/*.py')
CATALOGS := $(shell find src/patto -name '*.po')
STATIC_INPUTS := $(shell find src/patto -path '*/static/*' -type f) src/patto/settings.py
PACKAGES := packages/bologna-2015 packages/bologna-2021
BOUNDARIES := data/territory/bologna_municipalities.geojson
PACKAGE_FILES := $(shell find $(PACKAGES) -type f) $(BOUNDARIES)
# A stamp is only as good as what it describes: a deleted database or static folder starts over.
ifeq ($(DB_KEY)$(wildcard $(VAR)/patto.sqlite3),sqlite)
$(shell rm -f $(STAMPS)/migrated $(STAMPS)/loaded)
endif
ifeq ($(wildcard $(VAR)/static),)
$(shell rm -f $(VAR)/stamps/static)
endif

data: setup $(STAMPS)/migrated $(CATALOGS:.po=.mo) $(VAR)/stamps/static $(STAMPS)/loaded

# Third-party apps bring migrations too: a new lock file may mean new ones.
$(STAMPS)/migrated: $(MIGRATIONS) $(VENV)/.installed
	mkdir -p $(@D)
	$(PATTO) migrate --noinput -v0
	touch $@

$(CATALOGS:.po=.mo) &: $(CATALOGS) $(VENV)/.installed
	$(PATTO) compilemessages -v0 --ignore='.venv/*' --ignore='node_modules/*'
	touch $(CATALOGS:.po=.mo)

# --clear: the static folder holds exactly the current collection, nothing left from before.
$(VAR)/stamps/static: $(STATIC_INPUTS) node_modules/.installed $(VENV)/.installed
	mkdir -p $(@D)
	$(PATTO) collectstatic --noinput --clear -v0
	touch $@

$(STAMPS)/loaded: $(PACKAGE_FILES) $(STAMPS)/migrated
	$(PATTO) load-pact packages/bologna-2015
	$(PATTO) load-pact packages/bologna-2021
	$(PATTO) load-boundaries $(BOUNDARIES)
	touch $@

demo: data
	$(PATTO) demo-user
	@echo "Serving http://$(HOST):$(PORT)/ (Ctrl-C stops the server and the worker)"
	$(PATTO) worker & worker=$$!; \
	trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	$(PATTO) serve --bind $(HOST):$(PORT)

# ruff's S rules (bandit) run on src; tests may use asserts, subprocess and fixed secrets.
lint: setup
	$(BIN)/ruff check src tests tools

# Known vulnerabilities in requirements.lock (pip-audit); skipped with a message when no
# advisory database answers, e.g. offline.
audit: setup
	$(BIN)/python tools/audit_dependencies.py requirements.lock

test: setup browser lint audit $(CATALOGS:.po=.mo)
	$(BIN)/pytest

check-deploy: setup
	PATTO_PRODUCTION=1 SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	ALLOWED_HOSTS=patto.example.org $(BIN)/patto check --deploy --fail-level WARNING

messages: setup
	cd src/patto && PATTO_DEMO=1 ../../$(BIN)/patto makemessages -l it -l en --no-obsolete --ignore='migrations/*'

clean:
	rm -rf $(VENV) node_modules var

# patto bench pages loads every public page with Debian's wrk, installed when missing.
bench-pages: setup
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(PATTO) bench pages
