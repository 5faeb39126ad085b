# Model Collapse, hands-on: the front door. `make lab` to learn, `make test` to validate.
# Both create ./.venv on first use (Python >= 3.10) with the exact versions in
# requirements/lock.txt, and reuse it afterwards.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Three stamps: `make lab` installs what a learner needs (LAB_STAMP); what validates the
# course (execute, lint, ...) adds the `test` extras (STAMP); `make site` and `make test` add
# the `site` extras too (SITE_STAMP). A larger install marks the smaller ones done.
LAB_STAMP := $(VENV)/.installed-lab
STAMP  := $(VENV)/.installed
SITE_STAMP := $(VENV)/.installed-site
comma := ,
# Serve the repository root and open the start page, so lessons can link to ../exercises/ and
# ../solutions/. The README's commands without make are this line without $(BIN)/ and ROOT_FLAG.
LAB_ARGS := --notebook-dir=. notebooks/00_start_here.ipynb
# JupyterLab refuses to run as root (containers, cloud shells) unless told it may.
ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)
NBVAL  := --nbval --nbval-current-env --nbval-cell-timeout=120 \
          --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: help install install-lab lab test test-fast execute exercises bench lint lock site clean grade

help:
	@echo "make lab        set up (first time) and open the course in JupyterLab"
	@echo "make test       set up (first time) and run the whole test suite"
	@echo "make execute    re-execute lesson and solution notebooks in place, update the README map"
	@echo "make exercises  regenerate exercises/ from solutions/"
	@echo "make bench      run the performance benchmark"
	@echo "make lint       ruff over helpers/, tools/, tests/ and the notebooks"
	@echo "make site       build the course website into _build/site/_build/html/ (offline)"
	@echo "make lock       re-pin requirements/lock.txt from the current environment"
	@echo "make grade      SUBMISSIONS=folder OUT=folder: re-run and grade a class's notebooks"

install: $(STAMP)

install-lab: $(LAB_STAMP)

# $(call setup,EXTRAS,STAMPS): create .venv if needed, install the course with EXTRAS (one pip
# run, however many extras: each run resolves everything and rebuilds the editable package),
# build matplotlib's font cache now (so its one-time notice never reaches a notebook's stderr),
# then mark STAMPS done.
define setup
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
	    -c requirements/lock.txt -e ".$(1)"
	MPLBACKEND=Agg $(BIN)/python -c "import matplotlib.pyplot"
	touch $(2)
endef

$(LAB_STAMP): pyproject.toml requirements/lock.txt
	$(call setup,,$(LAB_STAMP))

$(STAMP): pyproject.toml requirements/lock.txt
	$(call setup,[test],$(LAB_STAMP) $(STAMP))

lab: $(LAB_STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) $(LAB_ARGS)

# The site's packages (Jupyter Book) go into the same .venv, but only for `make site` and
# `make test` (whose browser test builds the site), so `make lab` stays lean.
$(SITE_STAMP): pyproject.toml requirements/lock.txt
	$(call setup,[test$(comma)site],$(LAB_STAMP) $(STAMP) $(SITE_STAMP))

site: $(SITE_STAMP)
	$(BIN)/python -m book.build

# Three pytest-xdist workers on two cores: the browser tests mostly wait (for JupyterLab, a
# kernel, Chromium), so a third worker keeps both cores busy. `--dist loadfile` keeps each file's
# tests, and each notebook's cells, on one worker (one server, one kernel). Files are handed out
# in the order given (`--no-loadscope-reorder`; xdist would start with the files of most tests):
# the long browser tests and notebook validations first, the many short test files last, so the
# workers finish at about the same time. PYTEST_ARGS='-m "not browser"' skips the browser tests.
# One BLAS/OpenMP thread per process (kernels and JupyterLab inherit it): the workers already
# fill both cores, and a second BLAS thread per process only spins (measured: 556 -> 494 CPU-s
# for the whole run, same results).
SINGLE_THREAD := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
TEST_ORDER := tests/browser/test_site.py notebooks tests/browser/test_lab.py solutions \
              tests/browser/test_a11y_lab.py tests helpers book
test: $(SITE_STAMP)
	$(SINGLE_THREAD) $(BIN)/python -m pytest $(TEST_ORDER) --doctest-modules $(NBVAL) \
	    -n 3 --dist loadfile --no-loadscope-reorder --durations=20 $(PYTEST_ARGS)

execute: $(STAMP)
	$(BIN)/python -m tools.execute
	$(BIN)/python -m tools.exercises

exercises: $(STAMP)
	$(BIN)/python -m tools.exercises

bench: $(STAMP)
	$(BIN)/python tools/bench.py

lint: $(STAMP)
	$(BIN)/ruff check helpers tools tests book conftest.py notebooks solutions

lock: $(STAMP)
	$(BIN)/python -m pip freeze --all --exclude pip --exclude wheel --exclude-editable \
	    --disable-pip-version-check | grep -v '^model-collapse-course' > requirements/lock.txt

clean:
	rm -rf $(VENV)

# Instructors: re-execute and grade a class (docs/instructor/grading.md). Without SUBMISSIONS,
# grades a generated demonstration class of LEARNERS (default 30) learners; GRADE_ARGS passes
# further options, e.g. GRADE_ARGS="--time-limit 20 --anonymise".
grade: $(STAMP)
	@test -n "$(OUT)" || { echo "usage: make grade SUBMISSIONS=folder OUT=folder"; exit 2; }
	$(if $(SUBMISSIONS),,$(BIN)/python -m tools.grading.fixtures "$(OUT).class" --learners $(or $(LEARNERS),30))
	$(BIN)/python -m tools.grade "$(or $(SUBMISSIONS),$(OUT).class)" -o "$(OUT)" $(GRADE_ARGS)
