# tap-github-prs: install, demo, test, lint.
# Everything runs from the project's own virtualenv, .venv, created on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MELTANO := $(BIN)/meltano
INSTALLED := $(VENV)/.installed-dev
PLUGINS_INSTALLED := .meltano/.installed-plugins
export MELTANO_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: help install demo report test test-long test-fast e2e lint format bench warehouse-start warehouse-stop dagster walkthrough

help:
	@echo "make demo      offline demo: stand-in GitHub + embedded PostgreSQL + Meltano + dbt"
	@echo "make report    HTML report of the marts (output/report.html), from the demo's warehouse or PG*"
	@echo "make test      every test but the long soak tests (pytest, under 15 minutes)"
	@echo "make test-long the soak tests (killed runs, runs at once, PostgreSQL stopped mid-load)"
	@echo "make test-fast every test but the end-to-end and slow ones (about a minute)"
	@echo "make lint      ruff + sqlfluff"
	@echo "make dagster   Dagster UI on the code location (orchestration/), against the stand-in"
	@echo "make check     preflight: tokens, repositories, warehouse, dbt, state (RESUME=1 after a crash)"
	@echo "make install   .venv with the project and its dev tools, and Meltano's plugins"
	@echo "make bench     benchmarks (benchmarks/run.py)"
	@echo "make walkthrough  README.md and plugins/README.md followed on a fresh clone of HEAD"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# uv installs the project and the GitHub stand-in (github_standin/), and, through Meltano, its plugins.
$(BIN)/uv: | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

$(INSTALLED): pyproject.toml github_standin/pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]' -e ./github_standin
	@touch $@

$(PLUGINS_INSTALLED): $(INSTALLED) meltano.yml $(wildcard plugins/*.meltano.yml) plugins/target-postgres-drain/pyproject.toml
	$(MELTANO) install
	@mkdir -p $(dir $@) && touch $@

install: $(PLUGINS_INSTALLED)

demo: install
	$(BIN)/python scripts/demo.py

# The warehouse the demo used (PG*, else the embedded one), through Meltano's `report` utility.
report: install
	eval "$$($(BIN)/python scripts/warehouse.py start)" && $(MELTANO) invoke report

# Preflight: tokens, repositories, warehouse, dbt profile, Meltano state (RESUME=1 after a crash).
check: install
	$(BIN)/tap-github-prs-check $(if $(RESUME),--resume)

# Every test but the `long` soak tests (killed runs, runs at once, PostgreSQL stopped): under 15 minutes.
test: $(INSTALLED)
	$(BIN)/pytest -m "not long"

# The soak tests, a few minutes each; CI runs them after `make test`.
test-long: install
	$(BIN)/pytest -m long

# Everything but the end-to-end and slow tests (no Meltano run, no subprocess syncs): about a minute.
test-fast: $(INSTALLED)
	$(BIN)/pytest -m "not e2e and not slow" -q

e2e: install
	$(BIN)/pytest tests/e2e

# Every command of README.md and plugins/README.md, on a fresh clone of HEAD (CI runs it).
walkthrough: $(INSTALLED)
	$(BIN)/python scripts/readme_walkthrough.py

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@if [ -d transform/models ]; then $(BIN)/sqlfluff lint transform/models; else echo "no transform/models yet"; fi

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Our tap's scenarios, then the side-by-side with MeltanoLabs tap-github (see BENCHMARKS.md).
THEIR_TAP_VENV := benchmarks/.venv-tap-github

$(THEIR_TAP_VENV)/bin/tap-github: | $(BIN)/uv
	$(BIN)/uv venv --quiet $(THEIR_TAP_VENV)
	$(BIN)/uv pip install --quiet --python $(THEIR_TAP_VENV)/bin/python meltanolabs-tap-github==1.30.1

bench: install $(THEIR_TAP_VENV)/bin/tap-github
	$(BIN)/python -m benchmarks.standin
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.compare_tap_github

# Dagster (orchestration/README.md): the UI in its own venv (dagster-webserver's graphene needs
# graphql-core<3.3, the stand-in 3.3), the stand-in on STANDIN_PORT (meltano.yml's dev points
# there), the warehouse of PG* or the embedded one, and a local SQLite instance.
DAGSTER_VENV := orchestration/.venv
DAGSTER_HOME_DIR := orchestration/.dagster-home
DAGSTER_PORT ?= 3000
STANDIN_PORT ?= 8765

$(DAGSTER_VENV)/.installed: pyproject.toml | $(BIN)/uv
	$(BIN)/uv venv --quiet --allow-existing $(DAGSTER_VENV)
	$(BIN)/uv pip install --quiet --python $(DAGSTER_VENV)/bin/python -e '.[dagster]'
	@touch $@

dagster: install $(DAGSTER_VENV)/.installed
	@mkdir -p $(DAGSTER_HOME_DIR) logs && cp orchestration/dagster.yaml $(DAGSTER_HOME_DIR)/dagster.yaml
	$(BIN)/python -m github_standin --port $(STANDIN_PORT) >logs/dagster-standin.log 2>&1 & standin=$$!; \
	trap 'kill $$standin' EXIT; \
	eval "$$($(BIN)/python scripts/warehouse.py start)"; \
	export DAGSTER_HOME="$(abspath $(DAGSTER_HOME_DIR))"; \
	export TAP_GITHUB_PRS_API_URL=http://127.0.0.1:$(STANDIN_PORT)/graphql; \
	$(DAGSTER_VENV)/bin/dagster dev -m orchestration.definitions -p $(DAGSTER_PORT)

warehouse-start: $(INSTALLED)
	@$(BIN)/python scripts/warehouse.py start

warehouse-stop: $(INSTALLED)
	@$(BIN)/python scripts/warehouse.py stop
