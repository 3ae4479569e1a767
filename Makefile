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
# Bytecode is cached outside the sources, and written even where PYTHONDONTWRITEBYTECODE is set: every
# `cdk synth`, test worker and subprocess would otherwise compile the project (and pytest re-rewrite
# every test module) from source again, seconds of each run.
export PYTHONDONTWRITEBYTECODE :=
export PYTHONPYCACHEPREFIX := $(CURDIR)/.tools/pycache

# The targets that talk to AWS; while `make local-aws` runs they talk to it (.tools/local-aws/env.mk).
LOCAL_AWS_TARGETS := cdk demo flags-status flags-revert flags-off flags-restore-monitors local-alarm
LOCAL_AWS_PID := .tools/local-aws/pid
ifneq ($(shell test -f $(LOCAL_AWS_PID) && kill -0 $$(cat $(LOCAL_AWS_PID)) 2>/dev/null && echo running),)
include .tools/local-aws/env.mk
LOCAL_AWS_RUNNING := 1
endif

.PHONY: help setup synth check test cdk demo bench flags-restore-monitors local-aws local-aws-setup local-aws-stop deploy-local local-alarm flags-report flags-diff flags-status flags-revert flags-off agent-files lint typecheck docs wheel clean

help:
	@echo "make synth         set up, run 'cdk synth' and print what the app declares"
	@echo "make check         validate the flag catalogue in flags/ with the model alone (no CDK, under a second)"
	@echo "make test          set up and run the whole test suite"
	@echo "make cdk ARGS=...  run the CDK CLI, e.g. ARGS=\"deploy FlagsDemo\""
	@echo "make demo          serve the checkout demo on http://127.0.0.1:8000 (no AWS account needed)"
	@echo "make local-aws     start a local AWS (ministack on 127.0.0.1:4566); the AWS targets use it until local-aws-stop"
	@echo "make deploy-local  start the local AWS, cdk bootstrap and cdk deploy FlagsDemo to it (no account needed)"
	@echo "make local-alarm ENV=Beta [STATE=OK]    set an environment's monitor alarms on the local AWS (default ALARM)"
	@echo "make local-aws-stop                     stop the local AWS; its state is gone"
	@echo "make bench         run the benchmarks in bench/"
	@echo "make flags-report  list short-term flags and where their keys appear in the code"
	@echo "make flags-diff    what the catalogue's changes do per environment (BASE=HEAD, FORMAT=text|markdown|json)"
	@echo "make flags-status  what is deployed per environment vs the code (AWS credentials; REGION=...)"
	@echo "make flags-revert ENV=Production        stop or revert the latest flag deployment (YES=1: no prompt)"
	@echo "make flags-off FLAG=key ENV=Production  deploy the served flags with FLAG disabled and wait for the outcome"
	@echo "                   (YES=1: no prompt; OVERRIDE_ALARMS=1: while an alarm fires; NO_WAIT=1: return once started)"
	@echo "make flags-restore-monitors ENV=...     give an environment back the monitors its stack declares"
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

# The emulator has a venv of its own: it pins a botocore older than our boto3's (requirements-localaws.txt).
STAMP_LOCAL_AWS := .tools/ministack/.installed
$(STAMP_LOCAL_AWS): requirements-localaws.txt
	@test -x .tools/ministack/bin/python || $(PYTHON) -m venv .tools/ministack
	.tools/ministack/bin/pip install --quiet --disable-pip-version-check -r requirements-localaws.txt
	@touch $@

setup: $(STAMP_PY) $(STAMP_NPM)

synth: setup
	rm -rf cdk.out
	cdk synth --quiet --no-notices
	python -m appconfig_flags summary cdk.out

check: $(STAMP_PY)
	python -m appconfig_flags check

# Tests run on every core (pytest-xdist); the packaging tests share one worker, their wheels and venvs
# (xdist_group). TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= auto
test: setup $(STAMP_LOCAL_AWS)
	python -m pytest -n $(TEST_WORKERS) --dist loadgroup

cdk: setup
	cdk $(ARGS)

# With the local AWS running, the page reads Beta through appconfigdata, as a service in AWS would.
demo: setup
	python -m checkout.demo $(if $(LOCAL_AWS_RUNNING),--source appconfig --poll-interval 15) $(DEMO_ARGS)

bench: setup $(STAMP_LOCAL_AWS)
	python -m bench

flags-report: setup
	python -m appconfig_flags report

flags-diff: setup
	@python -m appconfig_flags diff --base "$(or $(BASE),HEAD)" --format $(or $(FORMAT),text) $(ARGS)

# Deployed vs code, and the emergency exits (docs/operations.md); `appconfig-flags` reads the application and its
# environments from the catalogue (pyproject.toml's [tool.appconfig-flags]). These targets are thin wrappers.
OPS_REGION = $(if $(REGION),--region $(REGION))
OPS_OPTIONS = $(OPS_REGION) $(if $(YES),--yes)

flags-status: setup
	@python -m appconfig_flags status $(OPS_REGION)

flags-revert: setup
	@test -n "$(ENV)" || { echo "error: name the environment: make flags-revert ENV=Production"; exit 2; }
	@python -m appconfig_flags revert --environment "$(ENV)" $(OPS_OPTIONS)

flags-off: setup
	@test -n "$(FLAG)" -a -n "$(ENV)" || { echo "error: name the flag and the environment: make flags-off FLAG=allow-bitcoin-at-checkout ENV=Production"; exit 2; }
	@python -m appconfig_flags off --flag "$(FLAG)" --environment "$(ENV)" $(OPS_OPTIONS) \
	  $(if $(OVERRIDE_ALARMS),--override-alarms) $(if $(NO_WAIT),--no-wait)

flags-restore-monitors: setup
	@test -n "$(ENV)" || { echo "error: name the environment: make flags-restore-monitors ENV=Production"; exit 2; }
	@python -m appconfig_flags restore-monitors --environment "$(ENV)" $(OPS_OPTIONS)

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

local-aws-setup: $(STAMP_LOCAL_AWS)

local-aws: setup $(STAMP_LOCAL_AWS)
	@python -m scripts.local_aws start $(if $(PORT),--port $(PORT)) $(if $(MINUTE),--minute-seconds $(MINUTE))

local-aws-stop:
	@$(VENV)/bin/python -m scripts.local_aws stop

# A fresh make reads .tools/local-aws/env.mk, written by local-aws, so cdk talks to the emulator.
# The emulator has no AppConfig experimentation: the flags deploy without the catalogue's experiments.
deploy-local: local-aws
	@$(MAKE) --no-print-directory cdk ARGS="bootstrap aws://000000000000/us-east-1 --quiet"
	@$(MAKE) --no-print-directory cdk ARGS="deploy FlagsDemo --require-approval never -c experiments=false"

local-alarm: setup
	@test -n "$(ENV)" || { echo "error: name the environment: make local-alarm ENV=Beta [STATE=OK]"; exit 2; }
	@python -m scripts.local_aws alarm --environment "$(ENV)" --state $(or $(STATE),ALARM)

clean:
	rm -rf cdk.out dist build site .pytest_cache .mypy_cache .ruff_cache *.egg-info
