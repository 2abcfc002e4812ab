# Two commands: `make run` (set up, migrate, seed the demo, serve) and `make test`.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup venv lint clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

setup: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

# Web app and a Celery worker with beat; Ctrl-C stops both.
run: setup
	@$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "egovexperts is running at http://localhost:$(PORT)/  (Ctrl-C to stop)"
	@trap 'trap - INT TERM EXIT; kill 0' INT TERM EXIT; \
	$(BIN)/celery -A egovexperts worker --beat --pool=solo --loglevel=WARNING \
		--schedule=var/celerybeat-schedule & \
	$(BIN)/python manage.py runserver 0.0.0.0:$(PORT)

test: venv
	$(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var
