# The two commands: `make run` (service on the embedded store) and `make test` (everything the
# tests need, then the tests). Both do their own set-up on a fresh machine.
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
HOST   ?= 127.0.0.1
STORE  ?= var/store
# httptools with a bounded request head and URLs over 64 KB split so the service can say 414
# (api/http_protocol.py, api/url_limit.py); the same flags as the test server (tests/liveserver.py)
HTTP_FLAGS ?= --http api.http_protocol:BoundedHttpToolsProtocol

.PHONY: run test setup assets browser virtuoso build lint clean bench lock i18n i18n-compile

# Dependencies come from requirements.lock (every package pinned, test extras included), so a fresh
# clone gets the versions the tests passed with; the project itself is installed without resolving.
$(VENV)/.installed: pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $@

# Refresh the lock after changing dependencies in pyproject.toml: resolve '.[test]' afresh in a
# throw-away venv and pin what it installed (the project itself left out).
LOCK_VENV := .lock-venv
lock:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON)"; exit 1; }
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install -q --upgrade pip
	$(LOCK_VENV)/bin/python -m pip install -q '.[test]'
	{ echo "# Pinned dependencies of iscg-graph with its test extras: written by \`make lock\`, do not edit."; \
	  $(LOCK_VENV)/bin/python -m pip freeze --all --exclude-editable \
	    | grep -viE '^(iscg-graph|iscg_graph|pip|setuptools|wheel)([=@ ]|$$)' | LC_ALL=C sort -f; } > requirements.lock
	rm -rf $(LOCK_VENV) build  # build/: setuptools' scratch from the non-editable install
	@echo "requirements.lock: $$(grep -vc '^#' requirements.lock) packages pinned"

setup: $(VENV)/.installed assets i18n-compile

# The interface's gettext catalogues (api/locale/<lang>/LC_MESSAGES/messages.po, committed):
# `make i18n` extracts the messages of templates, api code and query headers (babel.cfg), merges
# them into every catalogue and compiles; set-up only compiles (the .mo files are not committed).
LANGS := ar zh fr ru es
i18n: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg --no-location --sort-output -o api/locale/messages.pot --project "ISCG knowledge graph" .
	for l in $(LANGS); do \
	  if [ -f api/locale/$$l/LC_MESSAGES/messages.po ]; then \
	    $(VENV)/bin/pybabel update --no-fuzzy-matching -i api/locale/messages.pot -d api/locale -l $$l; \
	  else $(VENV)/bin/pybabel init -i api/locale/messages.pot -d api/locale -l $$l; fi; done
	$(MAKE) i18n-compile

i18n-compile: $(VENV)/.installed
	$(VENV)/bin/pybabel compile --statistics -d api/locale 2>&1 | grep -v '^$$' || true

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
	@# a CJK font, so headless Chromium draws Chinese (the language switch, zh pages) instead of boxes
	@fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || { \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null; }

# Debian's Virtuoso 7 for the remote-store tests (installed once; root on these machines).
virtuoso:
	@command -v virtuoso-t >/dev/null 2>&1 || { \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource >/dev/null; }

SOURCES := $(shell find ontology shapes data iscg_graph -type f \( -name '*.ttl' -o -name '*.csv' -o -name '*.py' -o -name '*.rq' \) 2>/dev/null)

# Rebuild the store only when a source changed (the service itself never re-parses sources).
$(STORE).stamp: $(VENV)/.installed $(SOURCES)
	$(VENV)/bin/iscg build --store $(STORE)
	touch $@

build: setup $(STORE).stamp

# Development: loopback clients are exempt from the query budget here, and only here (explicitly).
run: build
	ISCG_STORE_PATH=$(STORE) ISCG_BUDGET_EXEMPT_LOOPBACK=$${ISCG_BUDGET_EXEMPT_LOOPBACK:-true} $(VENV)/bin/uvicorn api.main:create_app --factory --host $(HOST) --port $(PORT) $(HTTP_FLAGS)

test: setup browser virtuoso lint
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check iscg_graph api tests bench
	$(VENV)/bin/mypy iscg_graph api
	$(VENV)/bin/lint-imports

bench: build
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) $(LOCK_VENV) var node_modules api/static/vendor .pytest_cache
