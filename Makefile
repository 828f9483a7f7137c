PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

NEWMAN := .tools/node_modules/.bin/newman

# Python writes its bytecode caches even where the environment says not to: without
# them each of the hundreds of processes the suite starts (server processes, workers,
# commands) compiles the project's modules again, about a fifth of a server's start.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test chromium docs messages bench bench-smoke lint clean

# uv installs the pinned requirements into the venv in seconds (pip takes half a
# minute, most of it compiling every module ahead: the processes that import one
# compile it once, see PYTHONDONTWRITEBYTECODE above).
UV := $(BIN)/uv
UV_VERSION := 0.13.8

$(UV):
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv==$(UV_VERSION)

$(BIN)/.installed: requirements.txt requirements-dev.txt | $(UV)
	$(UV) pip install --quiet --python $(BIN)/python -r requirements-dev.txt
	touch $@

run: $(BIN)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py serve --host $${HOST:-127.0.0.1} --port $(PORT)

# newman runs the Postman collection against a live server in the tests (from the npm
# registry, into .tools/); without npm that test is skipped (CI requires it).
$(NEWMAN):
	if command -v npm >/dev/null; then \
		npm install --prefix .tools --no-audit --no-fund --loglevel=error newman@6.2.2; \
	else echo "npm not found: the Postman collection run is skipped"; fi

# The web app's browser tests (webapp/tests/test_browser.py) drive Debian's chromium
# with Playwright; without it they are skipped locally (CI installs it: .ci/run).
CHROMIUM := $(shell command -v chromium 2>/dev/null)

chromium:
	@if [ -z "$(CHROMIUM)" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then apt-get install -y -qq chromium >/dev/null; \
		else echo "chromium not found: the browser tests are skipped (apt-get install chromium)"; fi; \
	fi

# The suite in parallel: TEST_WORKERS processes (pytest-xdist), each with its own test
# database and events channel; the cells of one isolation-matrix world, and the tests
# that start real server processes (by group: e2e, delivery, ops, each browser module) each
# run on one worker (xdist_group, --dist loadgroup).
# Tests wait on sockets and servers more than they compute: more workers than cores pay.
# Work is handed out in collection order (--no-loadscope-reorder), which the root
# conftest.py puts the long serial groups and the slow tests first in.
TEST_WORKERS ?= 4

test: $(BIN)/.installed $(NEWMAN) chromium
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder

# The checked-in Postman collection and environment, regenerated from the code.
docs: $(BIN)/.installed
	$(BIN)/python manage.py postman_collection --out docs/postman

# The translation catalogues (locale/, README "Languages"): the code's new messages are
# added, the English catalogue filled, both compiled. It lists the Russian entries still
# to translate (in locale/ru/LC_MESSAGES/django.po): translate them and run it again.
messages: $(BIN)/.installed
	$(BIN)/python manage.py messages

$(BIN)/.bench-installed: $(BIN)/.installed bench/requirements.txt
	$(UV) pip install --quiet --python $(BIN)/python -r bench/requirements.txt
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
	rm -rf $(VENV) db.sqlite3 .tools staticfiles artifacts
