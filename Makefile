# Markdown articles → gettext catalogs → localized HTML.
# Every target creates .venv (in this folder) when it is missing, from the lock files
# in requirements/ (exact versions, checked by hash); settings in pyproject.toml are
# read by the pipeline at run time and never reinstall anything.
#
#   make publish            build every edition from what is committed
#   make test               the test suite (installs what it needs: scripts/system-deps)
#   make lock               refresh requirements/*.txt after changing a dependency
#   make help               all targets

PY      ?= python3
# VENV=/path/to/.venv reuses another environment (the tests run `make` in a copy of
# the project with the worktree's .venv, and `-o $(VENV)/.runtime` so it is not rebuilt).
VENV    ?= .venv
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
# A reader that stops reading (`make stats LANG=de | head`) ends a command with the
# shell's code for a closed pipe, 141: for make that is no failure to report.
PIPE_OK := || { status=$$?; test $$status -eq 141 || exit $$status; }
# STRICT=1: publish/build exit 1 when an edition shows unreviewed source text, a
# translation was refused by an enforced check, or an edition was withheld.
STRICT_ARG := $(if $(filter-out 0,$(STRICT)),--strict)
# ACCEPT_LOSS=1: update and publish merge a catalog that holds far fewer translations
# than at the last successful run (the loss is intended).
LOSS_ARG := $(if $(filter-out 0,$(ACCEPT_LOSS)),--accept-loss)

.DEFAULT_GOAL := help
# publish-<lang> is a pattern rule: GNU make never applies a pattern rule to a .PHONY
# target, so those are forced through FORCE instead of being listed here.
.PHONY: serve help publish extract update build stats pretranslate check review approve \
        test lint lock system-deps bench bench-mt validate clean FORCE

# The environment depends on the lock files only: an edit of pyproject.toml (a
# language, a colour) installs nothing, and every target works offline once .venv
# exists. The project itself is installed editable, without its dependencies (they
# all come from the lock) and without build isolation (setuptools is in the lock too).
RUNTIME_LOCK := requirements/runtime.txt
TEST_LOCK    := requirements/test.txt
PIP_LOCKED   := $(PYTHON) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r

$(VENV)/.runtime: $(RUNTIME_LOCK)
	test -x $(PYTHON) || $(PY) -m venv $(VENV)
	$(PIP_LOCKED) $(RUNTIME_LOCK)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.test: $(VENV)/.runtime $(TEST_LOCK)
	$(PIP_LOCKED) $(TEST_LOCK)
	touch $@

# pip-tools in an environment of its own (.cache/lock-venv), so that the project's
# environment holds exactly what the lock says. Run it after changing a dependency in
# pyproject.toml, or on purpose to take newer releases; commit both files.
LOCK_VENV := .cache/lock-venv
PIP_COMPILE := $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--build-deps-for editable --no-emit-index-url --no-emit-find-links --custom-compile-command "make lock"
lock: ## refresh requirements/runtime.txt and test.txt from pyproject.toml (pinned, with hashes)
	test -x $(LOCK_VENV)/bin/pip-compile || { $(PY) -m venv $(LOCK_VENV) && \
	  $(LOCK_VENV)/bin/pip install --quiet pip-tools==7.7.0; }
	$(PIP_COMPILE) --upgrade -o $(RUNTIME_LOCK) pyproject.toml
	$(PIP_COMPILE) --upgrade --extra test -c $(RUNTIME_LOCK) -o $(TEST_LOCK) pyproject.toml

help: ## this list
	@grep -E '^[a-z%-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 18

publish: $(VENV)/.runtime ## extract, update and build every edition (output/), one pass per article (STRICT=1)
	$(RUN) publish $(STRICT_ARG) $(LOSS_ARG) $(PIPE_OK)

FORCE:
publish-%: $(VENV)/.runtime FORCE ## publish-en, publish-de (any configured language): update all catalogs, build one edition
	$(RUN) update $(LOSS_ARG) $(PIPE_OK)
	$(RUN) build --lang $* $(STRICT_ARG) $(PIPE_OK)

extract: $(VENV)/.runtime ## write locales/templates/*.pot
	$(RUN) extract $(PIPE_OK)

update: $(VENV)/.runtime ## extract, then merge into locales/<lang>/LC_MESSAGES/*.po (LANG=de for one)
	$(RUN) update $(LANG_ARG) $(LOSS_ARG) $(PIPE_OK)

build: $(VENV)/.runtime ## build pages from the catalogs as they are (LANG=de for one; STRICT=1)
	$(RUN) build $(LANG_ARG) $(STRICT_ARG) $(PIPE_OK)

stats: $(VENV)/.runtime ## translation progress per article and language
	$(RUN) stats $(LANG_ARG) $(PIPE_OK)

pretranslate: $(VENV)/.runtime ## machine-pretranslate untranslated entries as fuzzy drafts (LANG=de)
	$(RUN) pretranslate $(LANG_ARG) $(PIPE_OK)

check: $(VENV)/.runtime ## QA checks on every translated or draft entry (exit 1 on errors)
	$(RUN) check $(LANG_ARG) $(PIPE_OK)

review: $(VENV)/.runtime ## write review/<lang>.html, the reviewer's page (outside output/): make review LANG=de
	@test -n "$(LANG_ARG)" || { echo 'make review needs LANG: make review LANG=de' >&2; exit 2; }
	$(RUN) review $(LANG_ARG) $(PIPE_OK)

# Sign-offs land on the language the reviewer names, never on a default one.
BY ?=
approve: $(VENV)/.runtime ## sign off reviewed entries with your SSH key: make approve LANG=de BY="Reviewer Name" [KEY=~/.ssh/id_ed25519]
	@test -n "$(LANG_ARG)" -a -n "$(BY)" || { echo 'make approve needs LANG and BY: make approve LANG=de BY="Reviewer Name"' >&2; exit 2; }
	$(RUN) approve $(LANG_ARG) --by "$(BY)" $(if $(KEY),--key "$(KEY)") $(PIPE_OK)

N ?=
bench: $(VENV)/.test ## every command cold and no-op, live preview, floor, mdpo (N="100 1000" sizes)
	env LANG=C.UTF-8 $(if $(N),BENCH_SIZES="$(N)") $(PYTHON) -m tests.bench

clean: ## remove output/ and caches (not .venv, not your catalogs)
	find output -mindepth 1 ! -name .gitkeep -delete
	rm -rf .cache/pipeline .pytest_cache .ruff_cache

bench-mt: $(VENV)/.test ## benchmark pretranslation against a local LibreTranslate-compatible server
	env LANG=C.UTF-8 $(PYTHON) -m tests.bench_mt

PORT ?=
DRAFTS ?=
serve: $(VENV)/.runtime ## live preview on http://127.0.0.1:8000/ (PORT=8001, DRAFTS=1 to show drafts)
	$(RUN) serve $(if $(PORT),--port $(PORT)) $(if $(DRAFTS),--drafts)

# The W3C Nu HTML Checker (npm's vnu-jar), run with the system's Java; tests/vnu.py has the same version.
VNU_VERSION := 26.9.27
VNU_JAR := .cache/vnu/node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR): | system-deps
	npm install --prefix .cache/vnu --no-audit --no-fund --ignore-scripts vnu-jar@$(VNU_VERSION)
	test -f $@

# axe-core, the accessibility engine tests/test_a11y.py runs in Chromium; tests/axe.py has the same version.
AXE_VERSION := 4.14.1
AXE_JS := .cache/axe/node_modules/axe-core/axe.min.js
$(AXE_JS): | system-deps
	npm install --prefix .cache/axe --no-audit --no-fund --ignore-scripts axe-core@$(AXE_VERSION)
	test -f $@

validate: publish $(VNU_JAR) ## build, then check every page of output/ with the W3C Nu HTML Checker
	env LANG=C.UTF-8 $(PYTHON) -m tests.vnu output

# The programs the suite drives besides Python (one list, in the script; .ci/run
# calls the same script): GNU gettext, Java, Node/npm, Chromium and its driver.
system-deps:
	@sh scripts/system-deps

test: system-deps $(VENV)/.test $(VNU_JAR) $(AXE_JS) ## run the test suite (installs what it needs)
	env LANG=C.UTF-8 $(PYTHON) -m pytest -q
	$(PYTHON) -m ruff check pipeline tests

lint: $(VENV)/.test ## ruff
	$(PYTHON) -m ruff check pipeline tests
	$(PYTHON) -m ruff format --check pipeline tests
