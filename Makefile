# The two commands of the README: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
MANAGE := $(PY) manage.py
export PYTHONDONTWRITEBYTECODE ?= 1

# The first Python 3.11+ on the PATH.
PYTHON ?= $(shell for p in python3 python3.12 python3.11 python3.13 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)

.PHONY: run test lint worker bench e2e install messages clean

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check "uv>=0.9,<1"

install: $(PY)
	@$(UV) sync --locked --compile-bytecode --quiet --python $(PY)
	@mkdir -p var

run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	@echo ""
	@echo "  Upsell portal: http://127.0.0.1:$(PORT)/   admin: http://127.0.0.1:$(PORT)/admin/"
	@echo "  Demo logins: manager/demo-manager-1  supervisor/demo-supervisor-1"
	@echo "               agent/demo-agent-1  agent2/demo-agent-2  crm/demo-crm-1"
	@echo ""
	$(MANAGE) runserver 127.0.0.1:$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run

test: lint
	$(VENV)/bin/pytest

e2e: install
	$(VENV)/bin/pytest tests/e2e

worker: install
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} \
		$(VENV)/bin/celery -A config worker --beat -l info \
		--scheduler django_celery_beat.schedulers:DatabaseScheduler

bench: install
	$(VENV)/bin/python -m tests.benchmarks

messages: install
	cd config && ../$(MANAGE) makemessages -l ru --ignore=../.venv
	$(MANAGE) compilemessages -l ru

clean:
	rm -rf var $(VENV)
