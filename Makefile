# Clientela — the two commands are `make demo` and `make test`; everything else is a step of theirs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.stamp
HOST ?= 127.0.0.1
PORT ?= 8000
export CLIENTELA_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo test setup assets messages makemessages system-deps lint bench clean

## demo: set up, migrate, load demo data and start web server + task worker
demo: setup
	$(BIN)/clientela migrate
	$(BIN)/clientela demo
	$(BIN)/clientela run --host $(HOST) --port $(PORT)

## test: set up (browser included) and run the whole suite, in a random order whose seed
## is printed; replay an order with PYTEST_ARGS=--randomly-seed=N (-p no:randomly: file order)
test: setup system-deps
	$(BIN)/pytest -p randomly -n 2 --dist loadfile $(PYTEST_ARGS)

setup: $(STAMP) assets messages

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

## assets: front-end packages from npm (pinned by package-lock.json) copied into static/vendor
assets: node_modules/.package-lock.json
	$(BIN)/python scripts/build_assets.py

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

## messages: compile the .po catalogues (pure Python, no gettext needed at run time)
messages: $(STAMP)
	$(BIN)/python scripts/compile_messages.py

## system-deps: Debian's Chromium for the browser tests, gettext for the catalogue check
## and Dovecot, the IMAP server the inbound e-mail tests talk to
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v xgettext >/dev/null \
			|| ! test -x /usr/sbin/dovecot; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			chromium gettext dovecot-imapd >/dev/null; \
	fi

## makemessages: refresh the Spanish catalogue from the source (needs GNU gettext)
makemessages: setup system-deps
	cd clientela && ../$(BIN)/python ../manage.py makemessages -l es --no-obsolete --no-location --ignore 'static/*' --ignore 'tests/*'

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy clientela conftest.py
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

## bench: see bench/README.md (`make bench BENCH_N=1000000` for the million-record run)
BENCH_N ?= 100000
bench: setup
	BENCH_N=$(BENCH_N) $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules clientela/static/vendor var
