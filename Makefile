# `make demo` and `make test` each set themselves up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Every install takes its versions from the lock, so two installs a week apart are the same.
# `make lock` regenerates it from pyproject.toml.
LOCK := constraints.txt
# uv installs the pinned set in parallel from its cache, several times faster than pip.
UV_VERSION := 0.13.8
UV := $(BIN)/uv
INSTALL := $(UV) pip install --quiet --python $(BIN)/python --constraint $(LOCK)
# What `make demo` needs (the runtime), and what `make test` adds (Wagtail, pytest, ruff, mypy).
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed
CHECKED := veneer tests bench
# pytest-xdist processes: each starts its own PostgreSQL and Redis; a test file's tests stay
# in one process, so a real CMS starts once. TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= auto
# What the tests run on Node.js, from committed lockfiles: the real CMSs (Strapi 5,
# Directus 10), Apollo Client's cache, GraphiQL's build (ide/) and the widget bundle's
# (widgets/); scripts/install-node-site keeps one install per lockfile on the machine for
# later clones.
NODE_SITES := tests/e2e/strapi_site tests/e2e/directus_site tests/e2e/apollo_client ide widgets
NODE_STAMPS := $(addsuffix /node_modules/.veneer-installed,$(NODE_SITES))

.PHONY: setup demo serve test lint bench bench-recs lock clean graphiql widgets

# The venv gets no pip of its own (seeding one costs seconds before the demo's first answer):
# the base Python's pip puts uv in it, and uv installs the rest.
$(UV):
	$(PYTHON) -m venv --without-pip $(VENV)
	$(PYTHON) -m pip --python $(BIN)/python install --quiet --disable-pip-version-check \
		uv==$(UV_VERSION)

$(RUNTIME): pyproject.toml $(LOCK) | $(UV)
	$(INSTALL) --editable .
	touch $@

$(DEV): $(RUNTIME)
	$(INSTALL) --editable '.[dev]'
	touch $@

setup: $(DEV)

# Resolves pyproject.toml's dependencies, every extra included, to exact versions for
# Python 3.11 on every platform. Versions already in the lock are kept when they still fit;
# `make lock LOCK_ARGS=--upgrade` moves everything to the newest versions allowed.
lock: | $(UV)
	$(UV) pip compile pyproject.toml --all-extras --universal --python-version 3.11 \
		--quiet --custom-compile-command 'make lock' $(LOCK_ARGS) --output-file $(LOCK)

%/node_modules/.veneer-installed: %/package.json %/package-lock.json
	@node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' || \
		{ echo "the tests' Node.js packages need Node.js 20 or newer; node is $$(node --version)"; exit 1; }
	scripts/install-node-site $*
	touch $@

# GraphiQL's assets are committed in veneer/static/graphiql, so `make demo` needs no Node;
# this rebuilds them from ide/ (its lockfile pins GraphiQL and React), and `make test` checks
# that what is committed is what ide/ builds.
graphiql: ide/node_modules/.veneer-installed
	node ide/build.mjs

# The widget bundle is committed in veneer/static/widgets the same way; this rebuilds it from
# widgets/ and prints each file's gzipped size against its budget.
widgets: widgets/node_modules/.veneer-installed
	node widgets/build.mjs

demo: $(RUNTIME)
	$(BIN)/veneer demo

lint: setup
	$(BIN)/ruff check $(CHECKED)
	$(BIN)/ruff format --check $(CHECKED)
	$(BIN)/mypy veneer

test: setup lint $(NODE_STAMPS)
	node ide/build.mjs --check
	node widgets/build.mjs --check
	node --test widgets/test/*.test.js
	scripts/ensure-debian-packages postgresql redis-server chromium
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --durations=15 --cov --cov-report=term

bench: setup
	scripts/ensure-debian-packages wrk redis-server postgresql
	$(BIN)/python -m bench.entries_throughput
	$(BIN)/python -m bench.events_ingest
	$(BIN)/python -m bench.event_latency
	$(UV) pip install --quiet --python $(BIN)/python gunicorn==27.0.1
	$(BIN)/python -m bench.wagtail_vs_veneer
	$(BIN)/python -m bench.segments_backfill
	$(BIN)/python -m bench.document_limits
	$(BIN)/python -m bench.aa_peeking
	$(BIN)/python -m bench.blocks
	$(BIN)/python -m bench.insights_pages
	$(MAKE) bench-recs

# MovieLens 100k comes inside the recbole 1.2.1 wheel; its licence forbids redistribution,
# so it is fetched here, into an ignored folder, and never committed.
BENCH_DATA := .cache/bench-data
ML100K := $(BENCH_DATA)/recbole/dataset_example/ml-100k
RECS_SEEDS := 42,1,2

$(ML100K)/ml-100k.inter: | $(RUNTIME)
	mkdir -p $(BENCH_DATA)
	$(PYTHON) -m pip download --quiet --no-deps --dest $(BENCH_DATA) recbole==1.2.1
	$(BIN)/python -m bench.movielens $(BENCH_DATA)/recbole-1.2.1-py3-none-any.whl $(BENCH_DATA)
	touch $@

bench-recs: setup $(ML100K)/ml-100k.inter
	$(BIN)/veneer recs evaluate --data $(ML100K) --protocol random --seeds $(RECS_SEEDS)
	$(BIN)/veneer recs evaluate --data $(ML100K) --protocol time --seeds $(RECS_SEEDS)
	$(BIN)/python -m bench.recs_training
	$(BIN)/python -m bench.recs_serving
	$(BIN)/python -m bench.recs_segments

clean:
	rm -rf $(VENV) .veneer .coverage $(addsuffix /node_modules,$(NODE_SITES))
