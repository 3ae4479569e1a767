# One entry point for people and CI. Every target sets up what it needs first.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
STAMP_PY := $(VENV)/.installed
STAMP_NPM := node_modules/.installed

# A supported Node.js (22/24) first on PATH: jsii and the CDK CLI run on it.
NODE_BIN := $(shell scripts/ensure-node)
export PATH := $(NODE_BIN):$(CURDIR)/$(VENV)/bin:$(CURDIR)/node_modules/.bin:$(PATH)
# The machine may be offline: no telemetry, no update checks, no notices fetched.
export CDK_DISABLE_CLI_TELEMETRY := true

.PHONY: help setup synth check test cdk demo bench flags-report flags-diff flags-status flags-revert flags-off agent-files lint typecheck docs wheel clean

help:
	@echo "make synth         set up, run 'cdk synth' and print what the app declares"
	@echo "make check         validate the flag catalogue in flags/ with the model alone (no CDK, under a second)"
	@echo "make test          set up and run the whole test suite"
	@echo "make cdk ARGS=...  run the CDK CLI, e.g. ARGS=\"deploy FlagsDemo\""
	@echo "make demo          serve the checkout demo on http://127.0.0.1:8000 (no AWS account needed)"
	@echo "make bench         run the benchmarks in bench/"
	@echo "make flags-report  list short-term flags and where their keys appear in the code"
	@echo "make flags-diff    what the catalogue's changes do per environment (BASE=HEAD, FORMAT=text|markdown|json)"
	@echo "make flags-status  what is deployed per environment vs the code (AWS credentials; REGION=...)"
	@echo "make flags-revert ENV=Production        stop or revert the latest flag deployment (YES=1: no prompt)"
	@echo "make flags-off FLAG=key ENV=Production  deploy the served flags with FLAG disabled (YES=1: no prompt)"
	@echo "make agent-files   write the catalogue as AppConfig Agent local-development files"
	@echo "make lint          ruff + mypy --strict"
	@echo "make docs          build the API reference into site/api"
	@echo "make wheel         build both wheels into dist/: appconfig-flags (runtime) and appconfig-flags-constructs"

$(STAMP_PY): requirements.txt requirements-dev.txt
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

$(STAMP_NPM): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(STAMP_PY) $(STAMP_NPM)

synth: setup
	rm -rf cdk.out
	cdk synth --quiet --no-notices
	python -m scripts.synth_summary cdk.out

check: $(STAMP_PY)
	python -m appconfig_flags check flags

# Tests run on every core (pytest-xdist); the packaging tests share one worker, their wheels and venvs
# (xdist_group). TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= auto
test: setup
	python -m pytest -n $(TEST_WORKERS) --dist loadgroup

cdk: setup
	cdk $(ARGS)

demo: setup
	python -m checkout.demo $(DEMO_ARGS)

bench: setup
	python -m bench

flags-report: setup
	python -m appconfig_flags report flags

flags-diff: setup
	@python -m appconfig_flags diff --base "$(or $(BASE),HEAD)" --format $(or $(FORMAT),text) $(ARGS)

# Deployed vs code, and the emergency exits (docs/operations.md); `appconfig-flags` reads the names from cdk.json.
OPS_REGION = $(if $(REGION),--region $(REGION))
OPS_OPTIONS = $(OPS_REGION) $(if $(YES),--yes)

flags-status: setup
	@python -m appconfig_flags status $(OPS_REGION)

flags-revert: setup
	@test -n "$(ENV)" || { echo "error: name the environment: make flags-revert ENV=Production"; exit 2; }
	@python -m appconfig_flags revert --environment "$(ENV)" $(OPS_OPTIONS)

flags-off: setup
	@test -n "$(FLAG)" -a -n "$(ENV)" || { echo "error: name the flag and the environment: make flags-off FLAG=allow-bitcoin-at-checkout ENV=Production"; exit 2; }
	@python -m appconfig_flags off --flag "$(FLAG)" --environment "$(ENV)" $(OPS_OPTIONS)

agent-files: setup
	python -m appconfig_flags agent-files --out $(or $(OUT),agent-local)

lint: setup
	ruff check .
	mypy
	mypy --strict examples/flags_outside_app
	mypy --strict examples/lambda_reader

typecheck: lint

docs: setup
	pdoc constructs_lib -o site/api
	@echo "API reference: site/api/index.html"

wheel: setup
	rm -rf build
	python -m build --wheel --outdir dist packaging/runtime
	python -m build --wheel --outdir dist .

clean:
	rm -rf cdk.out dist build site .pytest_cache .mypy_cache .ruff_cache *.egg-info
