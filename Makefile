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
# The same bits on every machine: CPU-independent code paths in numpy, numba and OpenBLAS,
# read when each is first imported (analysis/numerics.py PORTABLE_ENV; a test keeps the two equal).
export NPY_DISABLE_CPU_FEATURES := X86_V4 AVX512_ICL AVX512_SPR
export NUMBA_CPU_NAME := generic
export OPENBLAS_CORETYPE := Haswell
PORTABLE := NPY_DISABLE_CPU_FEATURES NUMBA_CPU_NAME OPENBLAS_CORETYPE

.PHONY: help all install run test quick lint lab notebooks readme bench clean

help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt Makefile
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
	$(PY) -m pip install --quiet -e '.[dev]' -c constraints.txt 2>&1 | grep -v "^WARNING: Location"; test $${PIPESTATUS[0]} -eq 0
	$(PY) -m ipykernel install --sys-prefix --name analysis --display-name "Python (analysis)" \
	  $(foreach v,$(PORTABLE),--env $(v) "$($(v))") >/dev/null
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the package with its dev tools

all: install run ## Set everything up and run the whole analysis

run: $(STAMP) ## Run the analysis: python -m analysis run
	$(PY) -m analysis run

NBVAL := --nbval --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg

# The notebooks first: notebook 01 builds data/processed (from nothing in a fresh clone), and the
# session's default run (tests/conftest.py run_a) then starts from its embedding caches.
test: $(STAMP) lint ## Run every test: nbval on the notebooks, then unit, data and pipeline tests
	$(PY) -m pytest notebooks tests $(NBVAL) --durations=30

quick: $(STAMP) lint ## The quick loop: lint and the tests not marked slow (no pipeline runs, no nbval)
	$(PY) -m pytest tests -m "not slow" -q

# The HTML through notebooks/templates/offline (the lab template without its CDN scripts), so a
# rendered page loads nothing from the web (tests/test_offline_pages.py).
notebooks: $(STAMP) ## Re-take the map screenshot, re-execute the notebooks in place, render them to offline HTML
	$(PY) -m analysis.plots.screenshot
	for nb in notebooks/*.ipynb; do \
	  $(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.record_timing=False "$$nb" || exit 1; \
	  $(VENV)/bin/jupyter nbconvert --to html --template offline \
	    --TemplateExporter.extra_template_basedirs=notebooks/templates \
	    --output-dir notebooks/html "$$nb" || exit 1; \
	done

readme: $(STAMP) ## Fill README.md's generated numbers from data/processed (after make run)
	$(PY) -m analysis readme

lint: $(STAMP) ## ruff check, and the package's layering (import-linter contracts in pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

lab: $(STAMP) ## Open JupyterLab on notebooks/ with the project's kernel
	$(VENV)/bin/jupyter lab notebooks/

bench: $(STAMP) ## Benchmarks: writes benchmarks/results.md (over an hour; never in `make test`)
	$(PY) -m pip install --quiet -e '.[peer]' -c constraints.txt 2>&1 | grep -v "^WARNING: Location"; test $${PIPESTATUS[0]} -eq 0
	$(PY) -m benchmarks

clean: ## Remove regenerated outputs (data/processed, caches); keeps .venv
	rm -rf data/processed/* .pytest_cache .ruff_cache
