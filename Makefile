# The two commands of the README: `make run` serves the site, `make test` runs every test.
# `make serve` is the production start (README, "Production").
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# A production machine needs only the runtime packages: make venv REQUIREMENTS=requirements.txt
REQUIREMENTS ?= requirements-dev.txt

.PHONY: run serve test lint venv

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r $(REQUIREMENTS)
	touch $@

run: venv
	bash scripts/run.sh

serve: venv
	bash scripts/serve.sh

test: venv
	bash scripts/test.sh

lint: venv
	$(VENV)/bin/ruff check .
