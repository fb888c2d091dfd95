# Front door of the project: `make help` lists the targets. CI calls the same targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB := data/processed/langson.duckdb
YEAR ?=
JOBS ?= 2
FORMATS ?= html,pdf,docx
# Debian packages the reports and their tests use: a browser for the page checks,
# poppler for PDF pages, Liberation 2 fonts (metric twins of Times New Roman, with Vietnamese).
SYSTEM_PACKAGES := chromium poppler-utils fonts-liberation2 fonts-dejavu-core

.DEFAULT_GOAL := help
.PHONY: help venv system-deps sample build report test lint format lab bench clean

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

venv: $(STAMP) ## create .venv and install the project with its dev tools

system-deps: ## install the Debian packages the reports and tests use (when root and missing)
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian packages:$$missing"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
		|| echo "warning: could not install$$missing; browser and PDF-page checks will be skipped"; \
	else echo "note: please install$$missing (browser and PDF-page checks are skipped without them)"; fi

sample: $(STAMP) ## regenerate the shipped synthetic data (data/sample)
	$(BIN)/python -m analysis sample --seed 244 --years 2021-2025

$(DB): $(STAMP) $(wildcard data/sample/*.csv) $(wildcard data/reference/*)
	$(BIN)/python -m analysis build

build: $(DB) ## validate the data and build the DuckDB store and indicator CSVs

report: $(STAMP) $(DB) ## produce the evaluation reports from the sample data (outputs/)
	$(BIN)/python -m analysis report --kind district,province,review,questions --place all --format $(FORMATS) --jobs $(JOBS) $(if $(YEAR),--year $(YEAR))

test: $(STAMP) system-deps ## run the test suite
	$(BIN)/python -m pytest -q

lint: $(STAMP) ## ruff on modules and notebooks; the import contracts (layers, no cycles)
	$(BIN)/ruff check analysis tests scripts benchmarks
	$(BIN)/ruff format --check analysis tests scripts benchmarks
	$(BIN)/nbqa ruff notebooks
	$(BIN)/lint-imports

format: $(STAMP) ## format the code with ruff
	$(BIN)/ruff format analysis tests scripts benchmarks
	$(BIN)/ruff check --fix analysis tests scripts benchmarks

lab: $(STAMP) $(DB) ## start JupyterLab with the project's environment
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

bench: $(STAMP) ## speed and memory benchmarks; the report batch with its seconds per report and format
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/reports.py

clean: ## remove build products (outputs; the database too unless it holds ingested submissions)
	rm -rf outputs
	@if [ -n "$$(ls -A data/received 2>/dev/null)" ]; then \
		echo "kept data/processed: it holds the submissions loaded from data/received (rm it by hand)"; \
	else rm -rf data/processed; fi
