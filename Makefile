# Beian: `make run` starts the app with its worker and scheduler; `make test` runs the suite.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes (pytest-xdist): each has its own test database and its own Redis key prefix.
TEST_PROCESSES ?= 2

.PHONY: install run test lint format bench seed clean

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11 ($(PYTHON))"; exit 1; }
	@test -x $(PY) || { echo "Creating the virtual environment in $(VENV)/ ..."; $(PYTHON) -m venv $(VENV); }
	@echo "Updating pip ..."
	@$(PY) -m pip install -q --upgrade pip
	@echo "Installing Beian and its dependencies into $(VENV)/ (the first time takes a minute or two) ..."
	@$(PY) -m pip install -q -e '.[dev]'
	@echo "Installed."
	@touch $@

install: $(VENV)/.installed

run: install
	@echo "Applying database migrations ..."
	@$(PY) manage.py migrate --noinput
	@$(PY) manage.py collectstatic --noinput -v0
	@echo "Loading the demo data ..."
	@$(PY) manage.py seed_demo $(if $(PASSWORD),--password $(PASSWORD),)
	@echo "Web: http://$(HOST):$(PORT)/   Admin: http://$(HOST):$(PORT)/admin/   API docs: http://$(HOST):$(PORT)/api/docs/"
	@# The web server, a worker on every queue and the beat scheduler; Ctrl-C stops all three.
	@exec $(PY) -m config.devserver --host $(HOST) --port $(PORT)

test: install
	$(PY) manage.py makemigrations --check --dry-run >/dev/null
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -n $(TEST_PROCESSES) $(PYTEST_ARGS)

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
