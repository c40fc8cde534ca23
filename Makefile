# One task runner; CI calls `make test` through .ci/run (the README's test command).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: install run test check lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## run: the main job on embedded defaults: a demo clinic in a fresh SQLite store, served locally
run: install
	$(BIN)/jakguide demo

## test: lint, types and the whole test suite (what CI runs)
test: check pytest

check: lint typecheck

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest -q

## bench: speed targets (results in benchmarks/results/, summarised in BENCHMARKS.md)
bench: install
	$(BIN)/python benchmarks/assess.py
	$(BIN)/python benchmarks/api.py
	$(BIN)/python benchmarks/cli_startup.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
