# splitbrain: the two commands a newcomer needs are `make run` and `make test`.
# Both install what is missing first (`make setup`), so they work on a fresh machine.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := iproute2 nftables redis-server redis-tools chromium faketime procps tcl fuse3 libfuse3-dev pkg-config openssh-server openssh-client
RUN_ARGS ?=
PYTEST_ARGS ?=

.PHONY: setup system-packages venv test test-fast lint typecheck format run clean
.PHONY: nightly

setup: system-packages venv

# Debian packages, installed only when missing. A policy-rc.d that denies service
# starts is put in place for the duration so no system redis-server is started.
system-packages:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then echo "make setup: missing Debian packages:$$missing (run as root, or install them)" >&2; exit 1; fi; \
	  echo "make setup: installing$$missing"; \
	  policy_created=0; \
	  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; policy_created=1; fi; \
	  status=0; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; } || status=$$?; \
	  if [ $$policy_created = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi; \
	  if [ $$status != 0 ]; then echo "make setup: apt-get failed ($$status)" >&2; exit $$status; fi; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The whole suite, slow ones included. Exit code 5 (no tests collected) is a failure.
test: setup lint typecheck
	$(BIN)/pytest $(PYTEST_ARGS)

# Everything but the slow suites, for a quick local loop.
test-fast: setup
	$(BIN)/pytest -m "not slow" $(PYTEST_ARGS)

# The main job on embedded defaults: a Jepsen-style run against a Redis Cluster.
# A verdict (valid 0, invalid 1, unknown 2) is a finished run, so make succeeds and says
# which; bad arguments (254) and internal errors (255) fail.
run: setup
	@status=0; $(BIN)/harness run $(RUN_ARGS) || status=$$?; \
	case $$status in \
	  0) echo "make run: verdict valid: no anomaly found (store/latest/report.html)";; \
	  1) echo "make run: verdict INVALID: anomalies found, e.g. lost acknowledged writes (store/latest/report.html)";; \
	  2) echo "make run: verdict unknown (store/latest/report.html)";; \
	  *) echo "make run: harness failed with exit code $$status" >&2; exit $$status;; \
	esac

# The nightly matrix (.github/workflows/nightly.yml runs it; so can a developer, as root
# for the namespaces): 2 dbs x 2 workloads x 3 fault sets x 2 WAIT levels = 24 tests of
# about 70 s, ~30 min on 2 cores; --time-budget stops starting tests after 40 min.
# NIGHTLY_ARGS go last, so they override (e.g. NIGHTLY_ARGS="--store /tmp/nightly").
# Like `make run`, a verdict is a finished matrix (Redis Cluster loses writes under
# partitions by design: expect 1); bad arguments (254) and crashed runs (255) fail.
NIGHTLY_MATRIX := --db redis,splitbrain --workload set,register \
	--nemesis 'partition-minority;kill,pause;failover' --wait 0,1 \
	--time-limit 45 --recovery-time 10 --time-budget 2400
NIGHTLY_ARGS ?=

nightly: setup
	@status=0; $(BIN)/harness test-all $(NIGHTLY_MATRIX) $(NIGHTLY_ARGS) || status=$$?; \
	case $$status in \
	  0) echo "make nightly: every test valid (store/test-all/latest/summary.md)";; \
	  1) echo "make nightly: some test INVALID (store/test-all/latest/summary.md)";; \
	  2) echo "make nightly: some test unknown, none invalid (store/test-all/latest/summary.md)";; \
	  *) echo "make nightly: harness test-all failed with exit code $$status" >&2; exit $$status;; \
	esac

clean:
	rm -rf $(VENV) *.egg-info .mypy_cache .ruff_cache
