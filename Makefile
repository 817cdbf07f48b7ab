# Two commands do all set-up on a fresh machine:
#   make run    venv + install + migrate (SQLite default) + seeds + demo accounts, serve on 127.0.0.1:8000
#   make serve  the production stack locally (nginx + 2 gunicorn + job worker, PostgreSQL) on :8080
#   make test   venv + install + Chromium (for browser tests) + the whole pytest suite
# DATABASE_URL=postgres://… make test   runs the same suite on PostgreSQL.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: install run serve test lint format chromium nginx bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python 3.12 or newer is required (found " + sys.version.split()[0] + "). With pyenv, .python-version selects 3.12; otherwise run: make PYTHON=python3.12 ...")'
	@if [ -x $(BIN)/python ] && ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then rm -rf $(VENV); fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# Not editable: the project installs no package of its own (packages = []), only its pinned
	@# dependencies, and setuptools' editable mode prints a boxed warning on every install.
	$(BIN)/python -m pip install --quiet ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_seeds
	@$(BIN)/python manage.py demo_users --box-file $(VENV)/.demo-accounts
	@# The background worker (imports, exports to file, suggestion runs) runs beside the server,
	@# logging to run/worker.log; the accounts and their password come last, in a box, once the
	@# server answers.
	@mkdir -p run
	$(BIN)/python manage.py db_worker --interval 1 >>run/worker.log 2>&1 & WORKER=$$!; \
	  ( until $(BIN)/python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/accounts/login/', timeout=2)" 2>/dev/null; do sleep 1; done; \
	    printf '\nThe job worker logs to run/worker.log. Open http://127.0.0.1:8000/ and sign in with one of these accounts:\n'; \
	    cat $(VENV)/.demo-accounts ) & WAITER=$$!; \
	  trap 'kill $$WORKER $$WAITER 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver 127.0.0.1:8000

# The production stack here: nginx on 127.0.0.1:8080 buffering for two gunicorn processes (each
# standing for an app server) and the job worker, on PostgreSQL (SERVE_DATABASE_URL, default
# postgres://postgres@127.0.0.1:5432/annotator_serve, created when missing), Redis when one
# answers on 127.0.0.1:6379. DEBUG off; logs in run/serve/. See README "Running in production".
serve: install nginx
	$(BIN)/python deploy/stack.py serve --port 8080 --apps 2

# Browser tests drive Debian's Chromium; install it when missing and we are allowed to.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests…"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null \
	      || (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null); \
	  else \
	    echo "warning: /usr/bin/chromium is missing (sudo apt-get install -y chromium); browser tests will be skipped"; \
	  fi; \
	fi

# The deploy tests (tests/deploy/) start Debian's nginx in front of gunicorn; same rule as Chromium.
nginx:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's nginx for the deploy tests…"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx >/dev/null \
	      || (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx >/dev/null); \
	  else \
	    echo "warning: nginx is missing (sudo apt-get install -y nginx); deploy tests will be skipped"; \
	  fi; \
	fi

test: install chromium nginx
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) staticfiles test-output .pytest_cache
