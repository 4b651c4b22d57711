# leviers: `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INPUT ?= corpora/samples
OUTPUT ?= outputs
MODEL ?= models/default
CORPUS := $(wildcard corpora/annotated/*.jsonl)
DEVSETS ?= $(wildcard ../shared/eval/dev*.jsonl)

.DEFAULT_GOAL := help
.PHONY: help install analyse train evaluate devset test lint samples bench

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/leviers: pyproject.toml
	@$(PYTHON) -m venv $(VENV) || { echo "Could not create a virtual environment: on Debian or Ubuntu, install python3-venv (apt-get install python3-venv)."; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/leviers ## Create .venv with leviers, its dependencies and the French spaCy model

analyse: install ## Analyse the PDFs in INPUT (default corpora/samples) into OUTPUT (default outputs)
	$(BIN)/leviers analyse $(INPUT) -o $(OUTPUT)

train: install ## Retrain the default model on corpora/annotated, then measure it (see evaluate)
	$(BIN)/leviers train $(CORPUS) -o $(MODEL)
	@$(MAKE) --no-print-directory devset

evaluate: install ## Cross-validate the model's design on corpora/annotated, then devset; figures go to the model card
	$(BIN)/leviers crossval $(CORPUS) --model $(MODEL) --record
	@$(MAKE) --no-print-directory devset

devset: install ## Measure the model, the cues and both on the real passages of ../shared/eval, when present
	@if [ -z "$(DEVSETS)" ]; then echo "No dev set in ../shared/eval (it is not part of the repository): nothing more to measure."; fi
	@for set in $(DEVSETS); do for scoring in hybrid model cues; do \
	  $(BIN)/leviers evaluate $$set --model $(MODEL) --scoring $$scoring --record || exit 1; done; done

test: install ## Run the test suite
	$(BIN)/python -m pytest -q

lint: install ## Check the code: ruff (style, imports, common bugs) and mypy (types)
	$(BIN)/ruff check pipeline tests bench corpora/samples/build.py
	$(BIN)/mypy

samples: install ## Rebuild the sample PDFs of corpora/samples from their sources
	$(BIN)/python corpora/samples/build.py

bench: install ## Measure the whole pipeline: pages/s beside pdftotext, --jobs 1 and 2, a cached re-run, peak memory, 1,000 short documents locally and on Dask (bench/results.json)
	$(BIN)/python bench/bench.py --json bench/results.json
