# Jianyan 建言: `make run` serves the demo site, `make test` runs the suite.
# Works with pyenv (.python-version) or any python3.12+ on PATH; installs nothing outside .venv/.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.12 python3.13 python3.14 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
UV_VERSION := 0.13.9
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := jianyan.settings

.PHONY: run test test-fast install assets lint check-migrations clean worker

$(VENV)/bin/uv:
	@test -n "$(PYTHON)" || { echo "需要 Python 3.12 或更高版本 (python3.12 not found on PATH)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(VENV)/bin/uv pyproject.toml uv.lock
	UV_PROJECT_ENVIRONMENT=$(VENV) $(VENV)/bin/uv sync --frozen --inexact --python $(VENV)/bin/python
	@touch $@

# Front-end assets (htmx, ECharts) come from npm, pinned by package-lock.json, and are served locally.
VENDOR := jianyan/static/vendor
VENDOR_FILES := $(VENDOR)/htmx.min.js $(VENDOR)/echarts.min.js

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "需要 npm (Node.js) 来安装前端资源 (npm not found on PATH)"; exit 1; }
	npm ci --no-audit --no-fund
	@touch $@

$(VENDOR)/htmx.min.js: node_modules/.package-lock.json
	@mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $@

$(VENDOR)/echarts.min.js: node_modules/.package-lock.json
	@mkdir -p $(VENDOR)
	cp node_modules/echarts/dist/echarts.min.js $@

assets: $(VENDOR_FILES)

install: $(VENV)/.synced assets

run: install
	@mkdir -p var
	$(VENV)/bin/python manage.py migrate --noinput
	$(VENV)/bin/python manage.py demo_data --if-empty
	$(VENV)/bin/python manage.py scan_deadlines --schedule
	$(VENV)/bin/python manage.py recover_tasks --older-than 0
	@echo "演示账号 (demo logins), password demo-pass-2024: member1 member2 member3 party1 staff1 unit_gxj unit_kjj leader1 admin"
	@$(VENV)/bin/python manage.py db_worker & worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	$(VENV)/bin/python manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(VENV)/bin/ruff check jianyan tests bench

check-migrations: install
	$(VENV)/bin/python manage.py makemigrations --check --dry-run

# Two pytest workers (pytest-xdist), each module kept on one worker so a module's shared demo database is built
# once; TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
test: install lint check-migrations
	$(VENV)/bin/pytest $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadscope) $(PYTEST_ARGS)

# Locally, without the browser journeys (CI runs them): make test-fast
test-fast: PYTEST_ARGS = -m "not e2e"
test-fast: test

clean:
	rm -rf $(VENV) var/test-*
