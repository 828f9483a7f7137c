PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test bench bench-smoke lint clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

run: $(BIN)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py serve --host $${HOST:-127.0.0.1} --port $(PORT)

test: $(BIN)/.installed
	$(BIN)/pytest

$(BIN)/.bench-installed: $(BIN)/.installed bench/requirements.txt
	$(BIN)/pip install --quiet -r bench/requirements.txt
	touch $@

# The fan-out benchmark on loopback (PostgreSQL and Redis needed); see docs/benchmarks.md.
bench: $(BIN)/.bench-installed
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The same harness end to end with tiny numbers (CI runs it; it asserts no time).
bench-smoke: $(BIN)/.bench-installed
	$(BIN)/python bench/run.py --smoke $(BENCH_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) db.sqlite3
