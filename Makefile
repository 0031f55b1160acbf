# Lienzo: `make run` starts the dashboard, `make test` runs every test.
# Both create .venv on first use and install only when pyproject.toml changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# ORT=gpu installs onnxruntime-gpu instead of onnxruntime (never both).
ORT ?= cpu
STAMP := $(VENV)/.installed-$(ORT)
PORT ?= 8501

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	# torch first and pinned: a looser requirement pulls a multi-gigabyte CUDA build.
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	@if [ "$(ORT)" = "gpu" ]; then $(BIN)/python -m pip uninstall --quiet --yes onnxruntime; \
	 else $(BIN)/python -m pip uninstall --quiet --yes onnxruntime-gpu; fi
	$(BIN)/python -m pip install --quiet -e ".[$(ORT),dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/lienzo dashboard --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/lienzo bench

clean:
	rm -rf $(VENV) build *.egg-info test-artifacts
