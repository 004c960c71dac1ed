# The two commands of the README:  make report   and   make test
# Both create .venv from the pinned requirements.lock on first use (needs only Python >= 3.11, pip and make).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PERIOD ?= latest
CONFIG ?= data/analysis.yaml

.PHONY: report test lint setup validate lab lock clean-venv benchmarks

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "loyalty-kit needs Python >= 3.11; set PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --upgrade pip
	$(BIN)/python -m pip install -qq -r requirements.lock
	$(BIN)/python -m pip install -qq --no-deps -e .
	@# the kit's bytecode, as pip writes it for every installed package: a run's processes then load the kit's
	@# modules instead of compiling them (where PYTHONDONTWRITEBYTECODE is set, as in many containers, each would)
	$(BIN)/python -m compileall -q kit
	@touch $(STAMP)

report: $(STAMP)
	$(BIN)/loyalty-kit run --config $(CONFIG) --period $(PERIOD)

validate: $(STAMP)
	$(BIN)/loyalty-kit validate --config $(CONFIG)

test: lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check kit tests benchmarks notebooks

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks $(if $(filter 0,$(shell id -u)),--allow-root,)

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# Maintainers: re-pin after changing dependencies in pyproject.toml (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --extra test --python-version 3.11 --no-header -o requirements.lock

clean-venv:
	rm -rf $(VENV)
