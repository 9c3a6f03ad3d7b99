# Beian: `make run` starts the app with its worker and scheduler; `make test` runs the suite.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format bench seed clean

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11 ($(PYTHON))"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py seed_demo $(if $(PASSWORD),--password $(PASSWORD),)
	@echo "Web: http://$(HOST):$(PORT)/   Admin: http://$(HOST):$(PORT)/admin/   API docs: http://$(HOST):$(PORT)/api/docs/"
	@trap 'kill 0' INT TERM EXIT; \
	  $(VENV)/bin/celery -A config worker --beat --loglevel=info --concurrency=2 --schedule=var/celerybeat-schedule & \
	  $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) manage.py makemigrations --check --dry-run >/dev/null
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint:
	$(VENV)/bin/ruff check .

format:
	$(VENV)/bin/ruff format .

bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

seed: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo $(SEED_ARGS)

clean:
	rm -rf var/beian.sqlite3 var/broker var/broker-processed var/celerybeat-schedule* var/staticfiles
