# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
POSTGRES_ADMIN_URL ?= postgresql+psycopg://root@127.0.0.1:5432/postgres

.PHONY: install demo serve test lint test-sqlite test-postgres bench bench-smoke clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

demo: install
	$(BIN)/ordertower db upgrade
	$(BIN)/ordertower demo run
	$(BIN)/ordertower serve

serve: install
	$(BIN)/ordertower serve

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src/ordertower
	$(BIN)/lint-imports

test: lint test-sqlite test-postgres

test-sqlite: install
	ORDERTOWER_TEST_DATABASE=sqlite $(BIN)/pytest -q -p no:cacheprovider

test-postgres: install
	@if $(BIN)/python tests/support/postgres_check.py "$(POSTGRES_ADMIN_URL)"; then \
		ORDERTOWER_TEST_DATABASE=postgresql ORDERTOWER_TEST_POSTGRES_ADMIN_URL="$(POSTGRES_ADMIN_URL)" \
			$(BIN)/pytest -q -p no:cacheprovider; \
	elif [ "$$ORDERTOWER_REQUIRE_POSTGRES" = "1" ]; then \
		echo "PostgreSQL is required (ORDERTOWER_REQUIRE_POSTGRES=1) but no server answers at $(POSTGRES_ADMIN_URL)."; \
		exit 1; \
	else \
		echo "No PostgreSQL server answers at $(POSTGRES_ADMIN_URL): the PostgreSQL half of the suite was NOT run."; \
	fi

bench: install
	$(BIN)/python benchmarks/pipeline.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
