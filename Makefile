# Suara: `make run` to serve locally, `make test` to run the whole suite.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

# The pinned, hashed dependencies (pip-tools); `make lock` refreshes them from pyproject.toml,
# `make lock LOCK_ARGS=--upgrade` moves every pin to its newest release. pip-compile reads
# pip's own configuration: compile against the public index, whose file hashes every
# machine (and the Dockerfile) will see.
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras --all-build-deps \
	--no-emit-index-url --no-emit-find-links $(LOCK_ARGS)

.PHONY: all venv install run test test-unit test-integration test-sqlite lint typecheck migrate bench lock clean translations

all:
	@echo "targets: run test test-unit test-integration test-sqlite lint typecheck migrate bench lock clean"

# Python 3.11 or newer, for the venv and for what builds it: a venv left on an older (or a
# broken) Python by an earlier run is rebuilt, saying so, instead of failing every later make.
NEED_PY := import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY_VERSION := import platform; print(platform.python_version())

venv:
	@if ! $(PY) -c '$(NEED_PY)' 2>/dev/null; then \
		echo "suara: $(PY) is Python $$($(PY) -c '$(PY_VERSION)' 2>/dev/null || echo '(not found)'); Suara needs 3.11 or newer."; \
		echo "  Install one and name it, e.g.: make run PY=python3.11"; exit 1; fi
	@if [ -e $(BIN)/python ] && ! $(BIN)/python -c '$(NEED_PY)' 2>/dev/null; then \
		echo "suara: $(VENV) has Python $$($(BIN)/python -c '$(PY_VERSION)' 2>/dev/null || echo '(broken)'); rebuilding it with $(PY) ($$($(PY) -c '$(PY_VERSION)'))"; \
		rm -rf $(VENV); fi
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)

$(STAMP): requirements-dev.lock pyproject.toml
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

install: venv $(STAMP)

lock: install
	$(BIN)/pip-compile $(LOCK_FLAGS) --output-file requirements.lock pyproject.toml
	$(BIN)/pip-compile $(LOCK_FLAGS) --extra dev --output-file requirements-dev.lock pyproject.toml

migrate: install
	@mkdir -p instance
	$(BIN)/suara db upgrade

run: install migrate
	@$(BIN)/python -m gateway.devrun

test: install
	$(BIN)/python -m pytest -q

test-unit: install
	$(BIN)/python -m pytest -q tests/unit

test-integration: install
	$(BIN)/python -m pytest -q -m "integration or e2e"

test-sqlite: install
	TEST_DATABASE_URL=sqlite:///unused $(BIN)/python -m pytest -q -m "integration or e2e"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/ussd_hop.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info

# The desk's strings: pull new ones from code and templates into the Indonesian catalogue
# (then fill in each empty `msgstr`; tests/unit/test_desk_i18n.py fails on any left empty).
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location --omit-header -o instance/desk.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --omit-header -i instance/desk.pot -l id \
		-d gateway/desk/translations --ignore-obsolete
