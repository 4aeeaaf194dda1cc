# Two commands on a fresh machine:  `make all` (set up + run the analysis), `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# Reproducible numerics and no hub access, for every target.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export PYTHONHASHSEED := 0

.PHONY: help all install run test lint lab notebooks bench clean

help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
	$(PY) -m pip install --quiet -e '.[dev]' 2>&1 | grep -v "^WARNING: Location"; test $${PIPESTATUS[0]} -eq 0
	$(PY) -m ipykernel install --sys-prefix --name analysis --display-name "Python (analysis)" >/dev/null
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the package with its dev tools

all: install run ## Set everything up and run the whole analysis

run: $(STAMP) ## Run the analysis: python -m analysis run
	$(PY) -m analysis run

NBVAL := --nbval --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg

test: $(STAMP) lint ## Run every test: unit, data, pipeline, and nbval on the notebooks
	$(PY) -m pytest tests notebooks $(NBVAL)

notebooks: $(STAMP) ## Re-execute the notebooks in place and render them to HTML
	for nb in notebooks/*.ipynb; do \
	  $(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace "$$nb" || exit 1; \
	  $(VENV)/bin/jupyter nbconvert --to html --output-dir notebooks/html "$$nb" || exit 1; \
	done

lint: $(STAMP) ## ruff check
	$(VENV)/bin/ruff check .

lab: $(STAMP) ## Open JupyterLab on notebooks/ with the project's kernel
	$(VENV)/bin/jupyter lab notebooks/

bench: $(STAMP) ## Benchmarks: writes benchmarks/results.md (about an hour; never in `make test`)
	$(PY) -m pip install --quiet -e '.[peer]' 2>&1 | grep -v "^WARNING: Location"; test $${PIPESTATUS[0]} -eq 0
	$(PY) -m benchmarks

clean: ## Remove regenerated outputs (data/processed, caches); keeps .venv
	rm -rf data/processed/* .pytest_cache .ruff_cache
