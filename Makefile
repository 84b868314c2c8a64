# Suara: `make run` to serve locally, `make test` to run the whole suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

# The pinned, hashed dependencies (pip-tools); `make lock` refreshes them from pyproject.toml,
# `make lock LOCK_ARGS=--upgrade` moves every pin to its newest release. pip-compile reads
# pip's own configuration: compile against the public index, whose file hashes every
# machine (and the Dockerfile) will see.
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras --all-build-deps \
	--no-emit-index-url --no-emit-find-links $(LOCK_ARGS)

.PHONY: all install run test test-unit test-integration test-sqlite lint typecheck migrate bench lock clean translations

all:
	@echo "targets: run test test-unit test-integration test-sqlite lint typecheck migrate bench lock clean"

$(STAMP): requirements-dev.lock pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

install: $(STAMP)

lock: $(STAMP)
	$(BIN)/pip-compile $(LOCK_FLAGS) --output-file requirements.lock pyproject.toml
	$(BIN)/pip-compile $(LOCK_FLAGS) --extra dev --output-file requirements-dev.lock pyproject.toml

migrate: $(STAMP)
	@mkdir -p instance
	$(BIN)/flask --app wsgi db upgrade

run: $(STAMP) migrate
	@$(BIN)/python -m gateway.devcheck || exit 1
	@echo ""
	@echo "Suara is starting on http://127.0.0.1:$(PORT)  (Ctrl-C stops web and worker)"
	@echo "Dial the USSD menu:"
	@echo "  curl -s -X POST http://127.0.0.1:$(PORT)/webhooks/africastalking/ussd -d sessionId=demo1 -d serviceCode='*384*1708%23' -d phoneNumber=%2B6281234567890 -d text="
	@echo "Staff desk: http://127.0.0.1:$(PORT)/staff/  (first account: docs/desk.md)"
	@echo ""
	SUARA_BIND=127.0.0.1:$(PORT) $(BIN)/honcho start

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

test-integration: $(STAMP)
	$(BIN)/python -m pytest -q -m "integration or e2e"

test-sqlite: $(STAMP)
	TEST_DATABASE_URL=sqlite:///unused $(BIN)/python -m pytest -q -m "integration or e2e"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/ussd_hop.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info

# The desk's strings: pull new ones from code and templates into the Indonesian catalogue
# (then fill in each empty `msgstr`; tests/unit/test_desk_i18n.py fails on any left empty).
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location --omit-header -o instance/desk.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --omit-header -i instance/desk.pot -l id \
		-d gateway/desk/translations --ignore-obsolete
