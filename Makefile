# Markdown articles → gettext catalogs → localized HTML.
# Every target creates .venv (in this folder) when it is missing.
#
#   make publish            build both editions from what is committed
#   make test               the test suite (installs GNU gettext if missing)
#   make help               all targets

PY      ?= python3
VENV    := .venv
PYTHON  := $(VENV)/bin/python
# LANG is also the locale variable of the environment: only a LANG given on the
# command line (make review LANG=de) selects a language, and the tools themselves
# run with a neutral locale.
ifeq ($(origin LANG),command line)
  LANG_ARG := --lang $(LANG)
else
  LANG_ARG :=
endif
RUN     := env LANG=C.UTF-8 $(PYTHON) -m pipeline

.DEFAULT_GOAL := help
.PHONY: serve help publish publish-en publish-de extract update build stats pretranslate check review \
        test lint gettext bench bench-mt validate clean

$(VENV)/.runtime: pyproject.toml
	test -x $(PYTHON) || $(PY) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e .
	touch $@

$(VENV)/.test: $(VENV)/.runtime pyproject.toml
	$(PYTHON) -m pip install --quiet -e '.[test]'
	touch $@

help: ## this list
	@grep -E '^[a-z%-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 18

publish: $(VENV)/.runtime ## extract, update and build every edition (output/), one pass per article
	$(RUN) publish

publish-%: $(VENV)/.runtime ## publish-en, publish-de: extract and update all catalogs, build one edition
	$(RUN) update
	$(RUN) build --lang $*

extract: $(VENV)/.runtime ## write locales/templates/*.pot
	$(RUN) extract

update: $(VENV)/.runtime ## extract, then merge into locales/<lang>/LC_MESSAGES/*.po (LANG=de for one)
	$(RUN) update $(LANG_ARG)

build: $(VENV)/.runtime ## build pages from the catalogs as they are (LANG=de for one)
	$(RUN) build $(LANG_ARG)

stats: $(VENV)/.runtime ## translation progress per article and language
	$(RUN) stats $(LANG_ARG)

pretranslate: $(VENV)/.runtime ## machine-pretranslate untranslated entries as fuzzy drafts (LANG=de)
	$(RUN) pretranslate $(LANG_ARG)

check: $(VENV)/.runtime ## QA checks on every translated or draft entry (exit 1 on errors)
	$(RUN) check $(LANG_ARG)

review: $(VENV)/.runtime ## write output/review/<lang>.html, the translator's to-do page (LANG=de)
	$(RUN) review $(LANG_ARG)

bench: $(VENV)/.test ## measure the pipeline at N = 100 and 1,000 articles against the floor and mdpo
	env LANG=C.UTF-8 $(PYTHON) -m tests.bench

clean: ## remove output/ and caches (not .venv, not your catalogs)
	find output -mindepth 1 ! -name .gitkeep -delete
	rm -rf .cache/pipeline .pytest_cache .ruff_cache

bench-mt: $(VENV)/.test ## benchmark pretranslation against a local LibreTranslate-compatible server
	env LANG=C.UTF-8 $(PYTHON) -m tests.bench_mt

PORT ?=
serve: $(VENV)/.runtime ## preview output/ on http://127.0.0.1:8000/ (PORT=8001 for another port)
	$(RUN) serve $(if $(PORT),--port $(PORT))

# The W3C Nu HTML Checker (npm's vnu-jar), run with the system's Java; tests/vnu.py has the same version.
VNU_VERSION := 26.9.27
VNU_JAR := .cache/vnu/node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR):
	npm install --prefix .cache/vnu --no-audit --no-fund --ignore-scripts vnu-jar@$(VNU_VERSION)
	test -f $@

# axe-core, the accessibility engine tests/test_a11y.py runs in Chromium; tests/axe.py has the same version.
AXE_VERSION := 4.14.1
AXE_JS := .cache/axe/node_modules/axe-core/axe.min.js
$(AXE_JS):
	npm install --prefix .cache/axe --no-audit --no-fund --ignore-scripts axe-core@$(AXE_VERSION)
	test -f $@

validate: publish $(VNU_JAR) ## build, then check every page of output/ with the W3C Nu HTML Checker
	env LANG=C.UTF-8 $(PYTHON) -m tests.vnu output

gettext:
	@command -v msgfmt >/dev/null || { echo "installing GNU gettext (msgfmt)"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq gettext >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq gettext >/dev/null; fi; }

test: $(VENV)/.test gettext $(VNU_JAR) $(AXE_JS) ## run the test suite
	env LANG=C.UTF-8 $(PYTHON) -m pytest -q
	$(PYTHON) -m ruff check pipeline tests

lint: $(VENV)/.test ## ruff
	$(PYTHON) -m ruff check pipeline tests
	$(PYTHON) -m ruff format --check pipeline tests
