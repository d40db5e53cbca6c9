# brinkmanship — two commands set everything up: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
OUT    ?= brink-out

.PHONY: demo test bench lint install install-test browser clean docs serve golden mutate

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install -q -e ".[test]"
	touch $@

$(VENV)/.installed-docs: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install -q -e ".[docs]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## Run the flagship comparison and write the report to ./brink-out/
demo: $(VENV)/.installed
	$(BIN)/brink demo --out $(OUT)

## The browser workbench on http://127.0.0.1:8050/ (Ctrl-C to stop)
serve: $(VENV)/.installed
	$(BIN)/brink serve

## Headless Chromium for the report's browser test (Debian package; no browser download)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the report test"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium could not be installed: the browser test will be skipped"; }

## The whole test suite
test: $(VENV)/.installed-test browser
	$(BIN)/pytest -n 2 --dist loadgroup

## Benchmarks: one table, each figure beside its peer or ceiling (BENCH_ARGS="--full", "--compare FILE")
bench: $(VENV)/.installed-test
	$(PY) benchmarks/run.py $(BENCH_ARGS)

## The documentation site, built offline into ./site/ (strict: a broken link or reference fails)
docs: $(VENV)/.installed-docs
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

## Regenerate the golden results on purpose and show the diff (commit it with the reason)
golden: $(VENV)/.installed-test
	$(PY) tests/golden/update.py

## Mutation testing of the model's formulas (mutmut; settings in pyproject's [tool.mutmut])
mutate: $(VENV)/.installed-test
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut results

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks

clean:
	rm -rf $(OUT) .pytest_cache .ruff_cache
