# The course in two commands:
#   make lab    build the environment if needed, then open JupyterLab on your own copies of the notebooks in lab/
#   make test   build the environment if needed, then run every test, notebooks included
# Both build a virtual environment in .venv with pip (no conda needed) from the
# exact pins of requirements.txt + constraints.txt.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.11 is required; override with `make PYTHON=/path/to/python3.11 ...`.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.course-installed
# Where pip may also look for torch. PyPI's torch wheel is the CPU build on macOS and on
# Linux ARM, but on Linux x86-64 it carries CUDA libraries of several GB; PyTorch's own
# index has the CPU build: `make lab TORCH_INDEX=https://download.pytorch.org/whl/cpu`.
TORCH_INDEX ?=
# Extra flags for JupyterLab, e.g. `make lab LAB_ARGS=--no-browser`.
LAB_ARGS ?=
# The student's working folder (git-ignored): copies of the notebooks, never the shipped ones.
LAB_DIR ?= lab
# pytest-xdist workers for `make test` (each notebook stays on one worker).
TEST_WORKERS ?= 2
# Extra flags for pytest, e.g. `make test PYTEST_ARGS="-k numpy_rnn -x"`.
PYTEST_ARGS ?=
# Notebooks for `make execute` / `make check`; e.g. `make execute NB=notebooks/01_motivation.ipynb`.
NB ?= $(sort $(wildcard notebooks/[0-9]*.ipynb))
# `make slides` and `make site` write here (both folders work offline and can be copied anywhere).
BUILD ?= _build
# The browser libraries of the decks and the site (reveal.js, require.js, jQuery,
# MathJax 2) come from the npm packages pinned in package.json / package-lock.json.
NPM ?= npm
NODE_STAMP := node_modules/.package-lock.json

# Inside a notebook kernel matplotlib must use the inline backend: an inherited
# MPLBACKEND (e.g. Agg on a CI machine) would make every figure output vanish.
unexport MPLBACKEND

.PHONY: help env lab restore test execute check figures slides site browser-libs bench constraints check-python clean

help:
	@echo "make lab      open the course in JupyterLab on your own copies in $(LAB_DIR)/ (LAB_ARGS=... passes flags;"
	@echo "              COURSE_CPU=foreign runs the kernels on a simulated foreign CPU, as on Apple Silicon)"
	@echo "make restore NB=03_bptt   put your copy of a notebook back as shipped (the old one goes to $(LAB_DIR)/backups/)"
	@echo "make test     run the unit and browser tests, every notebook under strict nbval and again in JupyterLab"
	@echo "make execute  re-execute notebooks in place and normalise them (NB=... picks some)"
	@echo "make check    check that the notebooks are stored as a clean run left them"
	@echo "make figures  redraw the diagrams in img/"
	@echo "make slides   export every notebook as an offline reveal.js deck into $(BUILD)/slides"
	@echo "make site     build the offline course site (pages, decks, syllabus) into $(BUILD)/site"
	@echo "make bench    run the benchmarks in tests/benchmarks/ and print their timings"
	@echo "make student  write the student edition (solutions replaced by stubs) to $(BUILD)/student"
	@echo "make clean    remove the virtual environment and build leftovers"

check-python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "error: no Python found. This course needs Python 3.11: install it (Debian/Ubuntu: apt-get install python3.11 python3.11-venv; macOS: brew install python@3.11; or pyenv install 3.11) and run make again, or point to it with make PYTHON=/path/to/python3.11" >&2; exit 1; fi
	@if ! "$(PYTHON)" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then \
	  echo "error: this course needs Python 3.11, but $(PYTHON) is $$("$(PYTHON)" --version 2>&1 || echo 'not runnable'). Install Python 3.11 (Debian/Ubuntu: apt-get install python3.11 python3.11-venv; macOS: brew install python@3.11; or pyenv install 3.11) and run make again, or point to it with make PYTHON=/path/to/python3.11" >&2; exit 1; fi
	@if ! "$(PYTHON)" -c 'import venv, ensurepip' 2>/dev/null; then \
	  echo "error: $(PYTHON) cannot create virtual environments: install the venv module (Debian/Ubuntu: apt-get install python3.11-venv) and run make again" >&2; exit 1; fi

env: $(STAMP)

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@$(MAKE) --no-print-directory check-python
	"$(PYTHON)" -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --disable-pip-version-check --no-deps -e .
	touch $@

# Copies new notebooks into $(LAB_DIR)/notebooks, refreshes $(LAB_DIR)/img, installs the
# course kernel (the reference numeric environment) and starts JupyterLab on $(LAB_DIR).
lab: $(STAMP)
	$(BIN)/python -m course_utils.lab --dir $(LAB_DIR) -- $(LAB_ARGS)

restore: $(STAMP)
	@if [ "$(origin NB)" = "file" ]; then \
	  echo "usage: make restore NB=03_bptt (one or more notebook names)" >&2; exit 2; fi
	$(BIN)/python -m course_utils.lab --dir $(LAB_DIR) restore $(NB)

# One pass over everything: nbval runs every notebook on the reference numeric path
# (stored outputs compared where this CPU can reproduce them), and the JupyterLab walk
# (tests/test_lab*.py) runs every notebook again in the browser with its kernels on
# a simulated foreign CPU (COURSE_CPU=foreign make lab: other float kernels; outputs
# not compared, every claim checked). COURSE_CPU=foreign make test moves nbval off the
# reference path too. The browser tests build the decks and the site themselves; they
# need node_modules (installed here when npm exists) and Debian's chromium + chromium-driver.
test: $(STAMP) browser-libs
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

execute: $(STAMP)
	$(BIN)/python -m course_utils.nbtools execute $(NB)

check: $(STAMP)
	$(BIN)/python -m course_utils.nbtools check $(NB)

figures: $(STAMP)
	$(BIN)/python -m course_utils.diagrams img

slides: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m course_utils.publish slides $(BUILD)/slides

site: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m course_utils.publish site $(BUILD)/site

# The student edition: notebooks/ and img/ with every solution cell replaced by its stub.
.PHONY: student
student: $(STAMP)
	$(BIN)/python -m course_utils.exercises.student $(BUILD)/student

$(NODE_STAMP): package.json package-lock.json
	@if ! command -v $(NPM) >/dev/null 2>&1; then \
	  echo "error: the slides and the site need Node.js and npm to install their browser libraries (Debian/Ubuntu: apt-get install nodejs npm; macOS: brew install node), then run make again" >&2; exit 1; fi
	$(NPM) ci --ignore-scripts --no-audit --no-fund
	touch $@

# Installs node_modules if npm is there; without npm the browser tests say what is missing.
browser-libs:
	@if command -v $(NPM) >/dev/null 2>&1; then $(MAKE) --no-print-directory -s $(NODE_STAMP); \
	else echo "note: npm not found, so the slide and site tests will skip (install Node.js and npm to run them)"; fi

bench: $(STAMP)
	@set -e; for script in tests/benchmarks/bench_*.py; do \
	  echo "== $$script"; $(BIN)/python $$script; done

# Re-pin everything requirements.txt pulls in (run after changing requirements.txt).
constraints:
	@$(MAKE) --no-print-directory check-python
	rm -rf .venv-constraints && "$(PYTHON)" -m venv .venv-constraints
	.venv-constraints/bin/python -m pip install --disable-pip-version-check -r requirements.txt
	{ sed -n '1,/^# Regenerate/p' constraints.txt; \
	  .venv-constraints/bin/python -m pip freeze --exclude-editable | sed -E 's/^(torch==[0-9.]+)\+cpu$$/\1/'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt && rm -rf .venv-constraints

clean:
	rm -rf $(VENV) .venv-constraints build *.egg-info course_utils.egg-info $(BUILD) node_modules
