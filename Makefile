# Two commands on a fresh machine with Python >= 3.11 and make:
#   make run    creates .venv, installs, runs the embedded default, writes its report and animation
#   make test   creates .venv, installs, runs the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
RUN_DIR ?= outputs/default

.PHONY: run test bench calibrate lint clean dashboard

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/wfsim hydra.run.dir=$(RUN_DIR)
	$(BIN)/wfsim-report $(RUN_DIR)
	$(BIN)/wfsim-animate $(RUN_DIR)

dashboard: $(STAMP)
	$(BIN)/wfsim-dashboard

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m experiments.benchmark --out bench.json

PRESETS := default bsol ssot blmk somerset

calibrate: $(STAMP)   # refit every preset after a change to the model's dynamics
	for s in $(PRESETS); do $(BIN)/python -m sim.commands.calibrate system=$$s || exit 1; done
	for s in england england_2022; do $(BIN)/python -m sim.commands.calibrate system=$$s --scale 0.05 || exit 1; done

lint: $(STAMP)
	$(BIN)/ruff check sim analysis experiments tests

clean:
	rm -rf $(VENV) outputs multirun bench.json
