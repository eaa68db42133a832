# The two commands of the README: `make run` and `make test`. Everything else is a helper.
#   make run                      migrate, load the demo data, serve on http://127.0.0.1:$(PORT)
#   make test                     ruff, the layering contracts (lint-imports), the migration check
#                                 and the whole pytest suite
#   make test PYTHON=python3.12 VENV=.venv-3.12    the same on another interpreter
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PORT ?= 8000
VENV ?= .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
MANAGE := $(PY) manage.py
export PYTHONDONTWRITEBYTECODE ?= 1
# uv installs into $(VENV) with the interpreter that made it, and never downloads a Python of its own.
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never

# The first Python 3.11+ on the PATH (a pyenv shim for a version that is not selected is skipped).
PYTHON ?= $(shell for p in python3 python3.12 python3.11 python3.13 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)

.PHONY: run test lint worker bench e2e install messages clean

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check "uv>=0.9,<1"

install: $(PY)
	@$(UV) sync --locked --compile-bytecode --quiet --python $(PY)
	@mkdir -p var

# Unless FULFILMENT_URL names a fulfilment system, `make run` starts a local stand-in for it
# (manage.py fulfilment_standin: takes the orders, reports them connected) and stops it on exit.
# Without a broker (tasks in-process) it also runs the beat schedule in-process
# (manage.py run_schedule: campaigns start and end on their dates, unsent orders are resent).
FULFILMENT_PORT ?= 8099
PORTAL_URL ?= http://127.0.0.1:$(PORT)

run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	@echo ""
	@echo "  Upsell portal: http://127.0.0.1:$(PORT)/   admin: http://127.0.0.1:$(PORT)/admin/"
	@echo "  Demo logins (username / password):"
	@echo "    manager / demo-manager-1        marketing manager (admin)"
	@echo "    supervisor / demo-supervisor-1  supervisor of «Команда 1»"
	@echo "    agent / demo-agent-1            agent in «Команда 1»"
	@echo "    agent2 / demo-agent-2           agent in another team"
	@echo "    crm / demo-crm-1                CRM integration (API token)"
	@echo ""
	@helpers=""; trap 'kill $$helpers 2>/dev/null || true' EXIT; \
	if [ -z "$${FULFILMENT_URL:-}" ]; then \
		PYTHONUNBUFFERED=1 $(MANAGE) fulfilment_standin --port $(FULFILMENT_PORT) \
			--portal-url "$(PORTAL_URL)" & \
		standin=$$!; helpers="$$helpers $$standin"; \
		export FULFILMENT_URL=http://127.0.0.1:$(FULFILMENT_PORT)/; \
		for _ in $$(seq 100); do kill -0 $$standin 2>/dev/null || break; \
			(exec 3<>/dev/tcp/127.0.0.1/$(FULFILMENT_PORT)) 2>/dev/null && break; sleep 0.2; done; \
	fi; \
	if [ -z "$${CELERY_BROKER_URL:-}" ]; then \
		PYTHONUNBUFFERED=1 $(MANAGE) run_schedule & helpers="$$helpers $$!"; \
	fi; \
	$(MANAGE) runserver 127.0.0.1:$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run

# pytest exits 5 when it collected no test; make treats that as the failure it is.
test: lint
	$(VENV)/bin/pytest

e2e: install
	$(VENV)/bin/pytest tests/e2e

worker: install
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} \
		$(VENV)/bin/celery -A config worker --beat -l info \
		--scheduler config.floor.schedulers:MigratedDatabaseScheduler

bench: install
	$(PY) -m tests.benchmarks

messages: install
	for app in offers knowledge_base campaigns rewards config; do \
		(cd $$app && ../$(PY) ../manage.py makemessages -l ru); done
	$(MANAGE) compilemessages -l ru --ignore=.venv

clean:
	rm -rf var $(VENV)
