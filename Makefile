# Two commands do everything: `make run` and `make test`. Each creates .venv when missing.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint bench cluster clean lrs-venv

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==25.3
	$(BIN)/python -m pip install --quiet -e '.[dev,gevent,postgres,redis,lti]'
	touch $(STAMP)

run: $(STAMP)
	PRACTICUM_HOST=$(HOST) PRACTICUM_PORT=$(PORT) $(BIN)/python wsgi.py

# Ralph, a learning record store for the xAPI tests, in its own venv: its FastAPI tree must not
# meet the project's dependencies (its `lrs` extra forgets `requests`).
LRS_VENV := .venv-lrs
LRS_STAMP := $(LRS_VENV)/.installed
# Not fatal here: without it the LRS test skips on a developer machine and fails in CI.
$(LRS_STAMP):
	(test -x $(LRS_VENV)/bin/python || $(PYTHON) -m venv $(LRS_VENV)) \
	  && $(LRS_VENV)/bin/python -m pip install --quiet 'ralph-malph[lrs,cli]==5.1.0' 'requests==2.34.2' \
	  && touch $(LRS_STAMP) || echo "warning: the Ralph LRS venv ($(LRS_VENV)) was not built"

lrs-venv: $(LRS_STAMP)

test: $(STAMP) $(LRS_STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/practicum lint scenarios/*.json

# PostgreSQL, Redis, two Practicum processes and HAProxy on loopback (docs/deploying.md).
cluster: $(STAMP)
	PORT=$(or $(CLUSTER_PORT),8080) $(BIN)/python -m bench.cluster $(CLUSTER_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(LRS_VENV) .venv-lti .pytest_cache
