# Suara: `make run` to serve locally, `make test` to run the whole suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: all run test test-unit test-integration test-sqlite lint typecheck migrate bench clean

all:
	@echo "targets: run test test-unit test-integration test-sqlite lint typecheck migrate bench clean"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	@mkdir -p instance
	$(BIN)/flask --app wsgi db upgrade

run: $(STAMP) migrate
	@$(BIN)/python -m gateway.devcheck || exit 1
	@echo ""
	@echo "Suara is starting on http://127.0.0.1:$(PORT)  (Ctrl-C stops web and worker)"
	@echo "Dial the USSD menu:"
	@echo "  curl -s -X POST http://127.0.0.1:$(PORT)/webhooks/africastalking/ussd -d sessionId=demo1 -d serviceCode='*384*1708%23' -d phoneNumber=%2B6281234567890 -d text="
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
