# Patto: `make demo` serves the platform with the Bologna 2021 pact; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export PATTO_HOME := $(CURDIR)

.PHONY: demo test setup assets browser data lint check-deploy messages clean

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

data: setup
	mkdir -p var
	$(BIN)/patto migrate --noinput -v0
	$(BIN)/patto compilemessages -v0 --ignore='.venv/*' --ignore='node_modules/*'
	$(BIN)/patto collectstatic --noinput -v0
	$(BIN)/patto load-pact packages/bologna-2015
	$(BIN)/patto load-pact packages/bologna-2021
	$(BIN)/patto load-boundaries data/territory/bologna_municipalities.geojson

demo: data
	$(BIN)/patto demo-user
	@echo "Serving http://$(HOST):$(PORT)/ (Ctrl-C stops the server and the worker)"
	PATTO_DEMO=1 $(BIN)/patto worker & worker=$$!; \
	trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	PATTO_DEMO=1 $(BIN)/patto serve --bind $(HOST):$(PORT)

lint: setup
	$(BIN)/ruff check src tests

test: setup browser lint
	$(BIN)/patto compilemessages -v0 --ignore='.venv/*' --ignore='node_modules/*'
	$(BIN)/pytest

check-deploy: setup
	PATTO_PRODUCTION=1 SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	ALLOWED_HOSTS=patto.example.org $(BIN)/patto check --deploy --fail-level WARNING

messages: setup
	cd src/patto && ../../$(BIN)/patto makemessages -l it -l en --no-obsolete --ignore='migrations/*'

clean:
	rm -rf $(VENV) node_modules var
