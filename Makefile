# `make demo` and `make test` each set themselves up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHECKED := veneer tests bench migrations
STRAPI := tests/e2e/strapi_site
STRAPI_STAMP := $(STRAPI)/node_modules/.veneer-installed

.PHONY: setup demo serve test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# The real Strapi 5 the tests run against, from its committed lockfile.
$(STRAPI_STAMP): $(STRAPI)/package.json $(STRAPI)/package-lock.json
	@node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' || \
		{ echo "Strapi 5 needs Node.js 20 or newer; node is $$(node --version)"; exit 1; }
	npm ci --prefix $(STRAPI) --no-audit --no-fund --loglevel=error
	touch $@

demo: setup
	$(BIN)/veneer demo

lint: setup
	$(BIN)/ruff check $(CHECKED)
	$(BIN)/ruff format --check $(CHECKED)
	$(BIN)/mypy veneer

test: setup lint $(STRAPI_STAMP)
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
	rm -rf $(VENV) .veneer .coverage $(STRAPI)/node_modules
