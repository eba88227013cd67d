# The two commands: `make run` (service on the embedded store) and `make test` (everything the
# tests need, then the tests). Both do their own set-up on a fresh machine.
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
HOST   ?= 127.0.0.1
STORE  ?= var/store

.PHONY: run test setup assets browser build lint clean bench

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

setup: $(VENV)/.installed assets

# Front-end assets (the query workbench) come from npm at set-up time; nothing from a CDN.
assets:
	@if [ -f package.json ]; then \
	  if [ ! -d node_modules ] || [ package.json -nt node_modules ] || [ package-lock.json -nt node_modules ]; then \
	    npm ci --no-audit --no-fund --loglevel=error && touch node_modules; fi; \
	  if [ -f scripts/build_assets.py ]; then $(PY) scripts/build_assets.py; fi; \
	fi

# Debian's chromium for the browser tests (installed once; root on these machines).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

SOURCES := $(shell find ontology shapes data iscg_graph -type f \( -name '*.ttl' -o -name '*.csv' -o -name '*.py' -o -name '*.rq' \) 2>/dev/null)

# Rebuild the store only when a source changed (the service itself never re-parses sources).
$(STORE).stamp: $(VENV)/.installed $(SOURCES)
	$(VENV)/bin/iscg build --store $(STORE)
	touch $@

build: setup $(STORE).stamp

run: build
	ISCG_STORE_PATH=$(STORE) $(VENV)/bin/uvicorn api.main:create_app --factory --host $(HOST) --port $(PORT)

test: setup browser lint
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check iscg_graph api tests bench
	$(VENV)/bin/mypy iscg_graph api
	$(VENV)/bin/lint-imports

bench: build
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var node_modules api/static/vendor .pytest_cache
