# One command to set up and run the demo, one to set up and pass the tests.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install -c constraints.txt
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)

.PHONY: demo test lint test-slow bench clean install

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(PIP) -q -e '.[test]'
	rm -f $(VENV)/.installed-*; touch $(STAMP)

install: $(STAMP)

demo: install  ## set up, run the default suite on this machine, print results, write report.html
	@# A task that fails (exit 1) is still reported; bad input (exit 2) stops here.
	$(BIN)/accelbench run --suite suites/demo.yaml --db accelbench.duckdb; rc=$$?; \
	  if [ $$rc -ge 2 ]; then exit $$rc; fi; \
	  $(BIN)/accelbench report --db accelbench.duckdb --output report.html && \
	  echo "Wrote accelbench.duckdb and report.html" && exit $$rc

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src

test: lint  ## set up, lint, then the default (fast) test suite
	$(BIN)/pytest -q

test-slow: install  ## slow tests; the Helia interop test installs Node 24 + Helia from npm on first run
	$(BIN)/pytest -q -m slow

bench: install  ## the performance scripts quoted in the README (not part of make test)
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit $$?; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
