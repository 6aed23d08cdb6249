# `make demo` and `make test` each set themselves up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHECKED := veneer tests bench migrations
# What the tests run on Node.js, from committed lockfiles: the real CMSs (Strapi 5,
# Directus 10) and Apollo Client's cache.
NODE_SITES := tests/e2e/strapi_site tests/e2e/directus_site tests/e2e/apollo_client
NODE_STAMPS := $(addsuffix /node_modules/.veneer-installed,$(NODE_SITES))

.PHONY: setup demo serve test lint bench clean graphiql

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

%/node_modules/.veneer-installed: %/package.json %/package-lock.json
	@node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' || \
		{ echo "the tests' Node.js packages need Node.js 20 or newer; node is $$(node --version)"; exit 1; }
	npm ci --prefix $* --no-audit --no-fund --loglevel=error
	touch $@

# GraphiQL's assets are committed in veneer/static/graphiql, so `make demo` needs no Node;
# this rebuilds them from ide/ (its lockfile pins GraphiQL and React), and `make test` checks
# that what is committed is what ide/ builds.
graphiql: ide/node_modules/.veneer-installed
	node ide/build.mjs

demo: setup
	$(BIN)/veneer demo

lint: setup
	$(BIN)/ruff check $(CHECKED)
	$(BIN)/ruff format --check $(CHECKED)
	$(BIN)/mypy veneer

test: setup lint $(NODE_STAMPS) ide/node_modules/.veneer-installed
	node ide/build.mjs --check
	scripts/ensure-debian-packages postgresql redis-server chromium
	$(BIN)/pytest --cov --cov-report=term

bench: setup
	scripts/ensure-debian-packages wrk redis-server postgresql
	$(BIN)/python -m bench.entries_throughput
	$(BIN)/python -m bench.events_ingest
	$(BIN)/python -m bench.event_latency
	$(BIN)/pip install --quiet --disable-pip-version-check gunicorn==27.0.1
	$(BIN)/python -m bench.wagtail_vs_veneer
	$(BIN)/python -m bench.segments_backfill
	$(BIN)/python -m bench.document_limits

clean:
	rm -rf $(VENV) .veneer .coverage $(addsuffix /node_modules,$(NODE_SITES) ide)
