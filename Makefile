# Two entry points for a fresh machine: `make run` and `make test`. Both create .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Run the main job: the web app on SQLite with the shipped catalog and demo data.
run: $(STAMP)
	$(BIN)/onestop db upgrade
	$(BIN)/onestop catalog import
	$(BIN)/onestop demo seed
	$(BIN)/onestop serve --host 127.0.0.1 --port 8000

## Whole suite: ruff, mypy (strict on the pure core), pytest with coverage.
test: $(STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy src/onestop

unit: $(STAMP)
	$(BIN)/pytest --cov=onestop --cov-report=term:skip-covered

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage
