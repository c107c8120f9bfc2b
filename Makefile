# The two commands of the README: `make run` (the product with demo data) and `make test`
# (everything CI checks). Both build the virtualenv from the locked requirements first.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test lint typecheck format schema install install-dev clean bench-scoring

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev node_modules/.installed

run: $(VENV)/.installed
	$(PY) scripts/run.py

test: $(VENV)/.installed-dev node_modules/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MAKE) --no-print-directory typecheck
	DJANGO_SETTINGS_MODULE=lifecycle.settings.test $(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null
	$(PY) -m pytest -m "not soak"
	$(PY) -m pytest -m soak -n 0

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# mypy with the django-stubs and DRF plugins; what it checks and how strictly is in pyproject.toml.
typecheck: $(VENV)/.installed-dev
	$(VENV)/bin/mypy

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

schema: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=lifecycle.settings.test $(PY) manage.py spectacular --validate --fail-on-warn --file openapi.yaml

lock: $(VENV)/.installed-dev
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt pyproject.toml
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --extra dev -o requirements-dev.txt pyproject.toml

clean:
	rm -rf $(VENV) node_modules staticfiles
