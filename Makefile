# `make demo` and `make test` each set themselves up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHECKED := veneer tests bench migrations

.PHONY: setup demo serve test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/veneer demo

lint: setup
	$(BIN)/ruff check $(CHECKED)
	$(BIN)/ruff format --check $(CHECKED)
	$(BIN)/mypy veneer

test: setup lint
	scripts/ensure-debian-packages postgresql redis-server
	$(BIN)/pytest --cov --cov-report=term

bench: setup
	scripts/ensure-debian-packages wrk redis-server
	$(BIN)/python -m bench.entries_throughput
	$(BIN)/python -m bench.events_ingest
	$(BIN)/python -m bench.event_latency
	$(BIN)/pip install --quiet --disable-pip-version-check gunicorn==27.0.1
	$(BIN)/python -m bench.wagtail_vs_veneer

clean:
	rm -rf $(VENV) .veneer .coverage
