# Every target installs what it needs into .venv: created when missing, reused when present,
# re-installed when setup.cfg or pyproject.toml changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint bench chaos demo clean system-deps facade-expectations

install: $(STAMP)

# The Redis queue's tests start their own redis-server (loopback, a free port); install the
# Debian package when it is missing (CI runs as root on a fresh machine).
system-deps:
	@command -v redis-server >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing redis-server (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	  else \
	    echo "redis-server is missing: install it (apt-get install -y redis-server) and run make test again" >&2; exit 1; \
	  fi; }

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

test: $(STAMP) system-deps
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/python -m flake8 facade framework integrations tests bench examples tools framework_main.py
	$(BIN)/python -m mypy facade framework integrations tests/typing framework_main.py

demo: $(STAMP)
	$(BIN)/python examples/demo.py

bench: $(STAMP) system-deps
	$(BIN)/python -m bench

# The long fault runs (several minutes): one line per scenario; exits 1 if a message was lost.
chaos: $(STAMP)
	$(BIN)/python -m bench.chaos

# Regenerate tests/facade/data/facade_expectations.json.gz with the JavaScript original
# (@segment/facade, pinned by tools/facade_diff/package-lock.json): needs Node, npm and the
# npm registry; the test that reads the file needs neither.
FACADE_DIFF := tools/facade_diff
facade-expectations: $(STAMP)
	cd $(FACADE_DIFF) && npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python $(FACADE_DIFF)/corpus.py .framework/facade_corpus.json
	TZ=UTC node $(FACADE_DIFF)/expectations.js .framework/facade_corpus.json \
		tests/facade/data/facade_expectations.json.gz

clean:
	rm -rf $(VENV) .framework build dist *.egg-info .pytest_cache .hypothesis
