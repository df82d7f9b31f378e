# Every target installs what it needs: a fresh machine runs `make generate` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install browser scale-deps generate check test typecheck bench conformance clean

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

## The diff report's HTML is checked in a real headless browser (Debian's chromium),
## installed with apt-get as root, or through sudo when it needs no password.
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif sudo -n true 2>/dev/null; then SUDO=sudo; \
	  else echo "make browser: chromium is missing and installing it needs root;" \
	    "run: sudo apt-get install chromium" >&2; exit 1; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

## The scale-out tests run real redis-server and haproxy processes (Debian's), installed
## the same way.
scale-deps:
	@command -v redis-server >/dev/null && command -v haproxy >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif sudo -n true 2>/dev/null; then SUDO=sudo; \
	  else echo "make scale-deps: redis-server/haproxy are missing and installing them needs" \
	    "root; run: sudo apt-get install redis-server haproxy" >&2; exit 1; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    redis-server haproxy >/dev/null; }

test: generate browser scale-deps
	$(BIN)/python -m pytest

## ruff and mypy --strict over the package as it installs (also part of `make test`)
typecheck: generate
	$(BIN)/python -m pytest -q tests/quality

## Side-by-side benchmarks against the official SDKs (Python, TypeScript; run on a quiet machine),
## then the scale-out one (Redis store cost, one instance vs two behind haproxy).
bench: generate scale-deps
	$(BIN)/python bench/bench_generate.py
	$(BIN)/python bench/bench_stdio.py
	$(BIN)/python bench/bench_cold.py
	$(BIN)/python bench/bench_http.py
	$(BIN)/python bench/bench_scale.py

clean:
	rm -rf $(VENV) .cache generated/rev_*
