# The one place where Samverkan's commands are spelled out.
# `make run` and `make test` need only Python 3.11+ and make: the virtualenv is built from uv.lock.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
UV_VERSION := 0.13.9
# make bench drops and recreates the public schema of this database (created if missing).
BENCH_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/samverkan_bench
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))

.PHONY: install run test lint unit integration e2e soak bench format clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml uv.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --upgrade >/dev/null
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv sync --frozen --inexact --quiet
	touch $@

run: install
	$(BIN)/samverkan serve --host $(HOST) --port $(PORT) --demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest tests

unit: install
	$(BIN)/pytest tests/unit

integration: install
	$(BIN)/pytest tests/integration

e2e: install
	$(BIN)/pytest tests/e2e

soak: install
	$(BIN)/pytest tests/soak tests/integration/test_tamper_suite.py -m soak

bench: install
	SAMVERKAN_BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
