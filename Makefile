# Two entry points for a fresh machine: `make run` and `make test`. Both install into .venv with uv
# from uv.lock (reproducible, cached): `make run` takes only what running needs, `make test` adds the
# test tools (the `dev` dependency group). uv itself is installed, at a pinned version, into .tools.
PYTHON ?= python3
PORT ?= 8000
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON := $(PYTHON)
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_NO_PROGRESS := 1

.PHONY: run test lint typecheck unit bench clean lock

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# runtime only; --inexact keeps test tools a previous `make test` installed
$(VENV)/.run: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --no-dev --inexact --quiet
	touch $@

$(VENV)/.test: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	touch $@ $(VENV)/.run

## Run the main job: the web app on SQLite with the shipped catalog and demo data.
run: $(VENV)/.run
	$(BIN)/onestop db upgrade
	$(BIN)/onestop catalog import
	$(BIN)/onestop demo seed
	$(BIN)/onestop serve --host 127.0.0.1 --port $(PORT)

## Whole suite: ruff, mypy (strict on the pure core), pytest with coverage.
test: $(VENV)/.test lint typecheck unit

lint: $(VENV)/.test
	$(BIN)/ruff check src tests bench

typecheck: $(VENV)/.test
	$(BIN)/mypy src/onestop

# pytest-xdist: test files spread over $(JOBS) processes (each with its own databases and, for the
# browser tests, its own server and chromium); JOBS=0 runs them all in this one process.
JOBS ?= 2
unit: $(VENV)/.test
	$(BIN)/pytest -n $(JOBS) --dist loadfile --cov=onestop --cov-report=term:skip-covered

bench: $(VENV)/.test
	$(BIN)/python bench/run_all.py

## After changing dependencies in pyproject.toml: resolve them again into uv.lock.
lock: $(UV)
	$(UV) lock

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache .coverage
