# Maillage — two commands: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test bench lint format messages demo-code clean

$(BIN)/python:
	$(PYTHON) tools/bootstrap_venv.py $(VENV)

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(PIP) install --require-hashes -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt $(VENV)/.runtime-installed
	$(PIP) install --require-hashes -r requirements.txt -r requirements-dev.txt
	touch $@

# The address links in messages point to: this server's own (a server on every interface is reached locally).
RUN_SITE_URL := http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)

## run: the platform with demo data on http://$(HOST):$(PORT) (web server and task worker), showing the
## product's own error pages (DEBUG=true make run for Django's debug pages); SITE_URL follows HOST and PORT
run: $(VENV)/.runtime-installed
	$(MANAGE) migrate --no-input
	$(MANAGE) load_demo
	@echo "Maillage: $(RUN_SITE_URL)/  (Ctrl+C to stop)"
	@trap 'kill 0' INT TERM EXIT; export SITE_URL="$${SITE_URL:-$(RUN_SITE_URL)}" DEBUG="$${DEBUG:-false}"; \
	  $(MANAGE) db_worker & $(MANAGE) runserver --insecure $(HOST):$(PORT)

## serve: production in one command, from .env: refuses an unsafe configuration, migrates, collects
## static files, runs gunicorn, the task worker and the scheduled jobs until SIGTERM (docs/DEPLOYMENT.md)
serve: $(VENV)/.runtime-installed
	$(MANAGE) serve

## test: the whole suite (browser tests run when Chromium is installed)
test: $(VENV)/.dev-installed
	$(BIN)/pytest

## bench: the benchmarks of bench/ (never part of make test)
bench: $(VENV)/.dev-installed
	$(BIN)/python -m bench

## lint: ruff checks and formatting check
lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## messages: extract translatable strings into the catalogues, then compile them
messages: $(VENV)/.dev-installed
	cd maillage && ../$(BIN)/python ../manage.py makemessages -l fr --no-obsolete --ignore 'static/*' --ignore 'templates/pages/content/*'
	$(BIN)/python tools/compile_messages.py

## demo-code EMAIL=admin@demo.maillage.test: the current two-step verification code of a demo account
demo-code: $(VENV)/.runtime-installed
	@$(MANAGE) demo_code $(EMAIL)

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static
