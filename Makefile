# Hami: the whole set-up is `make run` (try it) and `make test` (check it).
SHELL := /bin/bash
UV_VERSION := 0.13.8
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Hami's settings default to production (DEBUG off: a secret key and hosts are required).
# The developer commands here run as a developer's machine; deployments never use make.
export DEBUG ?= 1

.PHONY: install run test lint format translations messages vendor clean

install: $(VENV)/.installed translations ## venv with the locked dependencies, compiled translations

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

translations: $(VENV)/.installed ## compile locale/*/django.po to .mo with polib (no system gettext needed)
	$(PY) manage.py compile_translations

messages: $(VENV)/.installed ## refresh locale/*/django.po from the code
	$(PY) manage.py makemessages --locale fa --ignore '.venv/*' --ignore '.tools/*' --ignore 'static/vendor/*' --ignore 'tests/*' --ignore 'benchmarks/*' --no-obsolete
	$(PY) manage.py makemessages --domain djangojs --locale fa --ignore '.venv/*' --ignore '.tools/*' --ignore 'static/vendor/*' --ignore 'tests/*' --ignore 'staticfiles/*' --no-obsolete

run: install ## the site on http://127.0.0.1:8000 with demo data, a Celery worker and beat
	$(PY) manage.py migrate --no-input
	@mkdir -p var/celery/queue var/celery/control
	$(PY) manage.py seed_demo --scale small
	@echo "Hami starts on http://127.0.0.1:8000 — Ctrl-C stops the site, the worker and beat."
	$(VENV)/bin/honcho -f Procfile.dev start

test: install ## the whole test suite: SQLite by default, PostgreSQL when DATABASE_URL is set
	$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

vendor: ## refresh static/vendor and tests/e2e/vendor (axe-core) from npm (needs Node.js; only for maintainers)
	bash scripts/vendor_assets.sh

clean:
	rm -rf $(VENV) .tools staticfiles var hami.sqlite3*
