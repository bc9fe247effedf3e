# JoinedUp: `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PEOPLE ?= 2000
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: setup demo test test-fast lint format bench clean

$(BIN)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

frontend/dist/joinedup.css: node_modules/.installed frontend/joinedup.scss
	npm run --silent build

setup: $(BIN)/.installed frontend/dist/joinedup.css

demo: setup
	$(BIN)/joinedup demo --people $(PEOPLE) --port $(PORT) --host $(HOST)

test: setup
	$(BIN)/pytest

test-fast: setup
	$(BIN)/pytest -m "not browser and not slow"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules frontend/dist var
