# Vastuu: `make run` serves the demo on http://127.0.0.1:8000/, `make test` runs the whole suite,
# `make serve` starts Vastuu as in production (deploy/serve; README, "Going live").
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

# Development commands run with DEBUG on: its development secret key, plain HTTP.
DEV := DJANGO_DEBUG=1

.PHONY: run serve test lint install migrate demo messages clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(INSTALLED)

install: $(INSTALLED)

migrate: install
	$(DEV) $(PY) manage.py migrate --no-input

demo: migrate
	$(DEV) $(PY) manage.py load_demo

run: demo
	@echo "Vastuu is at http://127.0.0.1:8000/ (stop with Ctrl+C)"
	$(DEV) $(PY) manage.py db_worker --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT; \
	$(DEV) $(PY) manage.py runserver 127.0.0.1:8000

# DEBUG off, gunicorn and WhiteNoise on the configured database. Over plain HTTP on loopback unless
# the environment says DJANGO_HTTPS=1 (behind a TLS proxy, as production is).
DJANGO_HTTPS ?= 0
serve: install
	DJANGO_HTTPS=$(DJANGO_HTTPS) deploy/serve

lint: install
	$(VENV)/bin/ruff check .

# The suite runs on every core; a module's tests stay together, so they share its demo load.
PYTEST := $(VENV)/bin/pytest -n auto --dist loadfile

test: lint
	$(DEV) $(PY) manage.py makemigrations --check --dry-run
	$(PYTEST)

messages: install
	$(DEV) $(PY) manage.py makemessages --all --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles
	$(DEV) $(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .secret_key
