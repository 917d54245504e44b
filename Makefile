# Vastuu: `make run` serves the demo on http://127.0.0.1:8000/, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: run test lint install migrate demo messages clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(INSTALLED)

install: $(INSTALLED)

migrate: install
	$(PY) manage.py migrate --no-input

demo: migrate
	DJANGO_DEBUG=1 $(PY) manage.py load_demo

run: demo
	@echo "Vastuu is at http://127.0.0.1:8000/ (stop with Ctrl+C)"
	DJANGO_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

lint: install
	$(VENV)/bin/ruff check .

# The suite runs on every core; a module's tests stay together, so they share its demo load.
PYTEST := $(VENV)/bin/pytest -n auto --dist loadfile

test: lint
	$(PY) manage.py makemigrations --check --dry-run
	$(PYTEST)

messages: install
	$(PY) manage.py makemessages --all --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
