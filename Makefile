# Two commands do everything: `make run` and `make test`. Both create .venv when missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test lint format bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	@if [ -n "$$BOT_TOKEN" ]; then exec $(PY) -m bot run; else exec $(PY) -m bot chat; fi

test: $(VENV)/.installed-test
	$(PY) -m ruff check bot tests benchmarks
	$(PY) -m ruff format --check bot tests benchmarks
	$(PY) -m pytest -q

lint: $(VENV)/.installed-test
	$(PY) -m ruff check --fix bot tests benchmarks
	$(PY) -m ruff format bot tests benchmarks

bench: $(VENV)/.installed-test
	$(PY) benchmarks/bench_matching.py
	$(PY) benchmarks/bench_storage.py
	$(PY) benchmarks/bench_broadcast.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
