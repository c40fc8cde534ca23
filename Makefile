# One task runner. The README's two commands are `make run` and `make test`; CI (.ci/run) calls
# `make test`, which installs or starts what the tests need from the machine (`make system`).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The lock: exact versions of every dependency, all extras included (`make lock` refreshes it).
# `make install LOCK=` installs from the ranges in pyproject.toml alone.
LOCK ?= constraints.txt
# The extras `make install` installs (test and tool dependencies live in `dev`).
EXTRAS ?= dev
STAMP := $(VENV)/.installed-$(shell echo '$(EXTRAS)' | cat - pyproject.toml $(LOCK) 2>/dev/null | cksum | cut -d' ' -f1)
LOCK_VENV := .work/lock-venv
# Every extra declared in pyproject.toml (the lock covers them all).
ALL_EXTRAS = $(shell $(PYTHON) -c "import tomllib; print(','.join(tomllib.load(open('pyproject.toml', 'rb'))['project'].get('optional-dependencies', {})))")

.PHONY: install run test check lint typecheck pytest system lock bench clean

$(STAMP): pyproject.toml $(LOCK)
	@sh .ci/ensure-venv.sh "$(PYTHON)" "$(VENV)"
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(if $(LOCK),--constraint $(LOCK)) -e '.[$(EXTRAS)]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

## install: the virtual environment in .venv, with the locked versions (Python 3.11+ only)
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

## system: what the tests need from the machine, installed or started only when missing
## (Debian packages: Chromium, Pango/HarfBuzz, fonts, Java 17+; a PostgreSQL server with a
## database `test`, on port JAKGUIDE_TEST_PG_PORT, default 5432); as root or with sudo -n
system:
	@bash .ci/ensure-system-packages.sh
	@bash .ci/ensure-postgres.sh >/dev/null

pytest: install system
	@env_line="$$(bash .ci/ensure-postgres.sh)" && eval "$$env_line" && \
	  echo "$(BIN)/pytest -q   (JAKGUIDE_TEST_POSTGRES_URL=$$JAKGUIDE_TEST_POSTGRES_URL)" && \
	  $(BIN)/pytest -q

## lock: refresh constraints.txt: the newest versions the pyproject.toml ranges allow, all
## extras, resolved in a fresh environment (run it after changing a dependency, then commit)
lock:
	rm -rf $(LOCK_VENV)
	@sh .ci/ensure-venv.sh "$(PYTHON)" "$(LOCK_VENV)"
	$(LOCK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/python -m pip install --quiet -e '.[$(ALL_EXTRAS)]'
	{ echo "# The lock: \`make install\` installs these exact versions (pip --constraint)."; \
	  echo "# Made by \`make lock\` (extras: $(ALL_EXTRAS)) with Python $$($(LOCK_VENV)/bin/python -c 'import platform; print(platform.python_version())') on $$(uname -sm); do not edit."; \
	  $(LOCK_VENV)/bin/python -m pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf $(LOCK_VENV)

## bench: speed targets (results in benchmarks/results/, summarised in BENCHMARKS.md)
bench: install
	$(BIN)/python benchmarks/assess.py
	$(BIN)/python benchmarks/api.py
	$(BIN)/python benchmarks/sof.py
	$(BIN)/python benchmarks/cli_startup.py
	$(BIN)/python benchmarks/cds.py
	$(BIN)/python benchmarks/synth.py --patients 10000 100000 1000000
	$(BIN)/python benchmarks/scan.py --runs duckdb:100000 duckdb:1000000 \
		--loop-patients 100000 --memory-limit 4GB --repeat 3
	$(BIN)/python benchmarks/scan.py --runs spark:100000 --loop-patients 0 \
		--memory-limit 4GB --update

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .work/lock-venv
