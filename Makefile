# Everything a fresh machine needs: `make run` to serve the portal, `make test` for the suite.
PYTHON ?= python3.12
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run dev test test-fast lint format setup clean bench bench-smoke cluster

# Re-install whenever pyproject.toml changes; the stamp keeps repeat runs instant.
$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.12 is needed: set PYTHON=/path/to/python3.12"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

# This machine's settings, written once and then kept (git-ignored): a generated secret key,
# and plain HTTP on loopback. manage.py reads it too, so the README's commands work as written.
LOCAL_ENV ?= local.env
$(LOCAL_ENV): | $(VENV)/.installed
	@printf '%s\n' \
	  "# This portal's local settings, written by make run. Keep it out of git; the environment wins." \
	  "SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  "ALLOWED_HOSTS=127.0.0.1,localhost" \
	  "SECURE_SSL_REDIRECT=false" \
	  "SECURE_COOKIES=false" \
	  "SECURE_HSTS_SECONDS=0" > $@
	@echo "Wrote $@ (a new secret key and local settings)."

setup: $(VENV)/.installed $(LOCAL_ENV)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py import_playbook --if-empty fixtures/playbook.yaml
	$(PY) manage.py create_demo_accounts

# The portal as one machine serves it: DEBUG off, real error pages, hashed static files,
# gunicorn. Ctrl+C stops it.
run: setup
	@echo "Serving http://$(HOST)/ (gunicorn, DEBUG off) with the task worker beside it."
	@echo "Staff sign in at http://$(HOST)/accounts/login/"
	VENV=$(VENV) HOST=$(HOST) bin/serve

# The production layout on this machine: nginx (from Debian) on http://127.0.0.1:8080/ in front
# of two gunicorn app servers, one task worker, PostgreSQL. Ctrl+C stops it all.
cluster: $(VENV)/.installed $(LOCAL_ENV)
	bash .ci/install-system-packages
	bash .ci/start-postgres
	$(PY) deploy/cluster.py $(CLUSTER_ARGS)

# The autoreloading debug server, for working on the code.
dev: export DEBUG = true
dev: setup
	$(PY) manage.py runserver $(HOST)

test: $(VENV)/.installed
	$(PY) -m pytest -n auto $(PYTEST_ARGS)

# Everything but the browser tests, for a quick loop while editing.
test-fast: $(VENV)/.installed
	$(PY) -m pytest -n auto -m "not slow" $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Speed at 1,000, 10,000 and 100,000 cases under gunicorn and wrk, SQLite and PostgreSQL
# (about 15 minutes the first time, while it builds the databases). BENCH_ARGS=--help for more.
bench: $(VENV)/.installed
	bash .ci/install-system-packages
	bash .ci/start-postgres
	$(PY) bench/run.py $(BENCH_ARGS)

# The same at 1,000 cases, a second per endpoint: CI runs it so the benchmark keeps working.
bench-smoke: $(VENV)/.installed
	bash .ci/install-system-packages
	bash .ci/start-postgres
	$(PY) bench/run.py --smoke

clean:
	rm -rf $(VENV) db.sqlite3 test-artifacts staticfiles bench-results .cluster
