# Two commands for a newcomer: `make run` builds the warehouse, `make test` runs the suite.
# Only Python 3.11, make and git are assumed; everything else is installed into .venv
# from the lock file (uv.lock), exactly as CI tested it.

PYTHON ?= python3.11
UV_VERSION := 0.13.8
VENV := .venv
UV := .uv/bin/uv
BIN := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)
# Write every installed module's bytecode once, at install: where PYTHONDONTWRITEBYTECODE
# is set, Python otherwise compiles dagster, dbt and great-expectations from source in
# every process that imports them.
export UV_COMPILE_BYTECODE := 1

.PHONY: run test test-fast test-spark dev lint format docs clean

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	@touch $@

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	cp dagster.yaml $@

install: $(VENV)/.synced $(DAGSTER_HOME)/dagster.yaml

## install-spark: add the Spark group (dbt-spark, pyspark) from the lock file; needs Java 17
.PHONY: install-spark spark-deps
install-spark: install
	@$(BIN)/python -m orchestration.spark_requirements java
	$(UV) sync --frozen --group spark --inexact --quiet

# NHANLUC_ENGINE=spark (in any case, as the settings read it): run and dev install Spark first.
ENGINE_LOWER := $(shell printf '%s' '$(NHANLUC_ENGINE)' | tr '[:upper:]' '[:lower:]')
spark-deps: $(if $(filter spark,$(ENGINE_LOWER)),install-spark)

## run: install, then run the nightly refresh on seeds/ -> warehouse/nhanluc.duckdb
run: install spark-deps
	@$(BIN)/python -m orchestration.run_cli

## check: every rule on one unit's folder before it submits, against the reference files and
## the warehouse's accepted rows (`make check DIR=seeds/submissions/003`); exit 1 on a reject
.PHONY: check
check: install
	@test -n "$(DIR)" || { echo 'usage: make check DIR=<unit folder>' >&2; exit 2; }
	@$(BIN)/python -m orchestration.check "$(DIR)"

## report: print the path of the report site's overview (opens nothing)
.PHONY: report
report: install
	@$(BIN)/python -m orchestration.report

## templates: write the .xlsx templates units fill in to <warehouse>/templates (git-ignored);
## `make templates OUT=DIR` writes them to DIR (docs/huong-dan-don-vi.md)
.PHONY: templates
templates: install
	@$(BIN)/python -m orchestration.templates $(if $(OUT),--out $(OUT))

## test: install, then lint and run the whole test suite
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	mkdir -p dbt_project/target/sqlfluff/private && NHANLUC_WAREHOUSE_DIR=$(CURDIR)/dbt_project/target/sqlfluff $(BIN)/sqlfluff lint dbt_project
	$(BIN)/python -m pytest

## test-fast: lint and every test but the whole-pipeline runs through Dagster (the edit loop)
test-fast: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	mkdir -p dbt_project/target/sqlfluff/private && NHANLUC_WAREHOUSE_DIR=$(CURDIR)/dbt_project/target/sqlfluff $(BIN)/sqlfluff lint dbt_project
	$(BIN)/python -m pytest -m "not e2e"

## test-spark: the dbt models on Spark against the DuckDB build (needs Java 17; minutes)
test-spark: install-spark
	$(BIN)/python -m pytest tests/spark -q -p no:cacheprovider

## dev: the Dagster UI on http://127.0.0.1:3000
dev: install spark-deps
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000

## bench: install, then benchmark the shipped and x10 tiers (docs/benchmark.md);
## `make bench BENCH_ARGS=--national` adds the national tier (about 10 M enrolments)
.PHONY: bench
bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	mkdir -p dbt_project/target/sqlfluff/private && NHANLUC_WAREHOUSE_DIR=$(CURDIR)/dbt_project/target/sqlfluff $(BIN)/sqlfluff lint dbt_project

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## docs: dbt docs for the models, written to dbt_project/target (open index.html)
docs: install
	cd dbt_project && ../$(BIN)/dbt docs generate --profiles-dir .

clean:
	rm -rf warehouse .dagster_home dbt_project/target dbt_project/logs
