# Domi: `make run` sets everything up and runs the system; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)

.PHONY: install run test lint bench bench-memory train-triage image cluster-test clean

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo ""
	@echo "Domi is starting:"
	@echo "  portal       http://localhost:8501/  (tenants, contractors, managers)"
	@echo "  back office  http://localhost:8000/admin/"
	@echo "  API          http://localhost:8000/api/docs/"
	@echo "  health       http://localhost:8000/healthz"
	@if [ -n "$$REDIS_URL" ]; then echo "  Celery worker and beat on $$REDIS_URL"; else echo "  tasks run in-process; Celery beat runs the scheduled jobs (set REDIS_URL for Celery workers)"; fi
	@echo ""
	@if [ -n "$$REDIS_URL" ]; then $(VENV)/bin/honcho -f Procfile.services start; else $(VENV)/bin/honcho -f Procfile start; fi

test: install
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Not part of make test: PostgreSQL with 10,000 requests, gunicorn with 2 workers, wrk; prints a table.
bench: install
	bash bench/run.sh

# Not part of make test: a real Celery worker's RSS and Pss with the triage model loaded, before and after it
# triages the held-out messages; prints a table (about 5 minutes).
bench-memory: install
	bash bench/worker_memory.sh

# Retrain the offline triage model (about 5 minutes) into a new artefact; switch to it with
# `manage.py promote_triage agents/local_model/artefacts/<version>`, which refuses a worse one.
train-triage: install
	$(PY) manage.py train_triage

# The production image on a debootstrapped base (podman, buildah), then web, worker and beat from it.
image: install
	bash deploy/image.sh
	bash deploy/container-e2e.sh

# Not part of make test (needs root): hosts as network namespaces, faults, a table; a few minutes.
cluster-test: install
	bash deploy/cluster/cluster-test.sh

clean:
	rm -rf $(VENV) .pytest_cache .test-media
