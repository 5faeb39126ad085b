# Model Collapse, hands-on: the front door. `make lab` to learn, `make test` to validate.
# Both create ./.venv on first use (Python >= 3.10) with the exact versions in
# requirements/lock.txt, and reuse it afterwards.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# JupyterLab refuses to run as root (containers, cloud shells) unless told it may.
ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)
NBVAL  := --nbval --nbval-current-env --nbval-cell-timeout=120 \
          --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: help install lab test test-fast execute exercises bench lint lock clean grade

help:
	@echo "make lab        set up (first time) and open the course in JupyterLab"
	@echo "make test       set up (first time) and run the whole test suite"
	@echo "make execute    re-execute lesson and solution notebooks in place, update the README map"
	@echo "make exercises  regenerate exercises/ from solutions/"
	@echo "make bench      run the performance benchmark"
	@echo "make lint       ruff over helpers/, tools/, tests/ and the notebooks"
	@echo "make lock       re-pin requirements/lock.txt from the current environment"
	@echo "make grade      SUBMISSIONS=folder OUT=folder: re-run and grade a class's notebooks"

install: $(STAMP)

$(STAMP): pyproject.toml requirements/lock.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
	    -c requirements/lock.txt -e ".[test]"
	@# Build matplotlib's font cache now, so its one-time notice never reaches a notebook's stderr.
	MPLBACKEND=Agg $(BIN)/python -c "import matplotlib.pyplot"
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/00_start_here.ipynb

# Two workers (pytest-xdist); `--dist loadfile` keeps each notebook's cells on one worker and
# kernel. The browser test then runs on its own, so its JupyterLab does not compete with them.
# Exit status 5 (nothing collected) is fine: PYTEST_ARGS='-m "not browser"' deselects it.
test: $(STAMP)
	$(BIN)/python -m pytest tests helpers notebooks solutions --doctest-modules $(NBVAL) \
	    --ignore=tests/browser -n 2 --dist loadfile --durations=15 $(PYTEST_ARGS)
	$(BIN)/python -m pytest tests/browser --durations=5 $(PYTEST_ARGS) || test $$? -eq 5

execute: $(STAMP)
	$(BIN)/python -m tools.execute
	$(BIN)/python -m tools.exercises

exercises: $(STAMP)
	$(BIN)/python -m tools.exercises

bench: $(STAMP)
	$(BIN)/python tools/bench.py

lint: $(STAMP)
	$(BIN)/ruff check helpers tools tests conftest.py notebooks solutions

lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable --disable-pip-version-check \
	    | grep -v '^model-collapse-course' > requirements/lock.txt

clean:
	rm -rf $(VENV)

# Instructors: re-execute and grade a class (docs/instructor/grading.md). Without SUBMISSIONS,
# grades a generated demonstration class of LEARNERS (default 30) learners; GRADE_ARGS passes
# further options, e.g. GRADE_ARGS="--time-limit 20 --anonymise".
grade: $(STAMP)
	@test -n "$(OUT)" || { echo "usage: make grade SUBMISSIONS=folder OUT=folder"; exit 2; }
	$(if $(SUBMISSIONS),,$(BIN)/python -m tools.grading.fixtures "$(OUT).class" --learners $(or $(LEARNERS),30))
	$(BIN)/python -m tools.grade "$(or $(SUBMISSIONS),$(OUT).class)" -o "$(OUT)" $(GRADE_ARGS)
