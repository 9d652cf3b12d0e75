# Two commands: `make dev` (local stack + scenario) and `make test` (everything CI runs).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export MOTO_PYTHON := $(abspath $(PY))
CARGO ?= cargo

.PHONY: dev up test bench bench-perf soak api-schema browser-test browser-deps venv build fmt lint unit cfn-lint sim clean
# Package installs need root; CI runs as root, a workstation through sudo.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

# A project-local venv with moto[server] and cfn-lint, so a fresh machine has what the
# local stack and the tests need.
$(VENV)/.ready: requirements-dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.ready

build:
	$(CARGO) build -p local-stack

## make dev: start moto + the LinkedIn simulator + every function, play the scenario, stay up (Ctrl-C stops)
dev: venv build
	./target/debug/local-stack dev

## make up: the same local stack without the scenario (DEV_API_PORT, DEV_SIM_PORT, LINKEDIN_API_URL/LINKEDIN_AUTH_URL)
up: venv build
	./target/debug/local-stack up

## make sim: the LinkedIn simulator alone (SIM_PORT, default 3100)
sim:
	$(CARGO) run -p linkedin-sim

## make bench: measure (release build) and write docs/benchmarks.md: the activity import, outbound
## freshness and a webhook burst, then cold starts, footprint, warm cost, requests per record,
## the poll fan-out at 10,000 seats and the cost table (bench-perf alone runs the second part)
bench: venv
	$(CARGO) build --release --workspace --bins
	$(CARGO) run --release -p local-stack --bin bench
	$(CARGO) run --release -p perf --bin perf

bench-perf: venv
	$(CARGO) build --release --workspace --bins
	$(CARGO) run --release -p perf --bin perf

## make soak: the fault-injection suite on more seeds (SEEDS=N, default 1000), or one seed again
## (SEED=S, as a failing seed prints)
SEEDS ?= 1000
soak: venv
	FAULT_SEEDS=$(SEEDS) $(if $(SEED),FAULT_SEED=$(SEED)) $(CARGO) test -p e2e-tests --test faults -- --nocapture every_seed

## make api-schema: schemathesis checks docs/openapi.yaml against the local stack (no 5xx,
## every answer as documented)
api-schema: venv build
	tests/api-schema/run.sh

## make browser-test: the integration page end to end in headless Chromium (screenshot in
## target/browser/); installs Debian's chromium and playwright-core when missing
browser-test: venv build browser-deps
	tests/browser/run.sh

browser-deps: tests/browser/node_modules/.ready
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser test"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; }

tests/browser/node_modules/.ready: tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund
	touch $@

## make test: what CI runs
test: venv fmt lint unit cfn-lint api-schema browser-test

fmt:
	$(CARGO) fmt --all -- --check

lint:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# The function binaries first: perf's first-event test starts each one as Lambda would.
unit: venv
	$(CARGO) build --workspace --bins
	$(CARGO) test --workspace

cfn-lint: venv
	$(VENV)/bin/cfn-lint template.yaml

clean:
	rm -rf $(VENV) target
