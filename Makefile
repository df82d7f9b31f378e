# Every target installs what it needs: a fresh machine runs `make generate` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install browser generate check test typecheck bench conformance clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

## The main job: fetch every revision's schema and regenerate all bindings.
generate: $(STAMP)
	$(BIN)/mcp-foundry schema fetch
	$(BIN)/mcp-foundry generate

check: generate
	$(BIN)/mcp-foundry check

## The diff report's HTML is checked in a real headless browser (Debian's chromium).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: generate browser
	$(BIN)/python -m pytest

typecheck: generate
	$(BIN)/python -m mypy generated

## Side-by-side benchmarks against the official SDK (run on a quiet machine).
bench: generate
	$(BIN)/python bench/bench_generate.py
	$(BIN)/python bench/bench_stdio.py
	$(BIN)/python bench/bench_http.py

clean:
	rm -rf $(VENV) .cache generated/rev_*
