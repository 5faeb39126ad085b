# Model Collapse, hands-on: the front door. `make lab` to learn, `make test` to validate.
# Both create ./.venv on first use (Python 3.10 to 3.13) with the exact versions in
# requirements/lock-pyX.Y.txt for that Python, and reuse it afterwards.

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
# ../solutions/; the save hook keeps a notebook that was only opened byte-for-byte as stored
# (helpers/savehook.py). The README's commands without make are this line without $(BIN)/ and
# ROOT_FLAG.
LAB_ARGS := --notebook-dir=. --ContentsManager.pre_save_hook=helpers.savehook.drop_python_version notebooks/00_start_here.ipynb
# JupyterLab refuses to run as root (containers, cloud shells) unless told it may.
ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)
NBVAL  := --nbval --nbval-current-env --nbval-cell-timeout=120 \
          --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: help install install-lab lab test test-compat execute exercises bench lint lock site clean grade

help:
	@echo "make lab        set up (first time) and open the course in JupyterLab"
	@echo "make test       set up (first time) and run the whole test suite"
	@echo "make execute    re-execute lesson and solution notebooks in place, update the README map"
	@echo "make exercises  regenerate exercises/ from solutions/"
	@echo "make bench      run the performance benchmark"
	@echo "make lint       ruff over helpers/, tools/, tests/ and the notebooks"
	@echo "make site       build the course website into _build/site/_build/html/ (offline)"
	@echo "make lock       re-resolve requirements/lock-py3.*.txt (one per supported Python)"
	@echo "make test-compat run the course on the oldest/newest supported set-ups and Colab's"
	@echo "make grade      SUBMISSIONS=folder OUT=folder: re-run and grade a class's notebooks"

install: $(STAMP)

install-lab: $(LAB_STAMP)

# $(call setup,EXTRAS,STAMPS): create .venv if needed and install the course with EXTRAS under
# the lock's pins (tools/venv.sh: uv, or pip; a failed install removes .venv), then mark STAMPS.
LOCKS := $(wildcard requirements/lock-py3.*.txt)
# uv (PyPI's fast installer, exact pins kept) at this version; pip where uv cannot be had.
export UV_VERSION := 0.13.9
define setup
	tools/venv.sh $(PYTHON) $(VENV) ".$(1)"
	touch $(2)
endef

$(LAB_STAMP): pyproject.toml $(LOCKS)
	$(call setup,,$(LAB_STAMP))

$(STAMP): pyproject.toml $(LOCKS)
	$(call setup,[test],$(LAB_STAMP) $(STAMP))

lab: $(LAB_STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) $(LAB_ARGS)

# The site's packages (Jupyter Book) go into the same .venv, but only for `make site` and
# `make test` (whose browser test builds the site), so `make lab` stays lean.
$(SITE_STAMP): pyproject.toml $(LOCKS)
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
              tests/browser/test_lab_stored.py tests helpers book
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

# One lock per supported Python, resolved for that version (uv pip compile --python-version):
# all extras, exact pins; and Binder's requirements, the course's own packages at the pins of
# the Python 3.11 lock (Binder runs 3.11, the Python of the stored outputs). Existing pins are
# kept unless they must change (a new dependency); `make lock LOCK_ARGS=--upgrade` moves
# everything to the newest releases. Then `make execute` and review the changed outputs.
LOCK_PYTHONS := 3.10 3.11 3.12 3.13
UV = $(or $(shell command -v uv 2>/dev/null),$(BIN)/uv)
lock: $(LAB_STAMP)
	test -x $(UV) || $(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"
	for v in $(LOCK_PYTHONS); do \
	    $(UV) pip compile --quiet pyproject.toml --all-extras --python-version $$v \
	        --no-annotate --custom-compile-command "make lock" $(LOCK_ARGS) \
	        --output-file requirements/lock-py$$v.txt || exit 1; \
	done
	$(UV) pip compile --quiet pyproject.toml --python-version 3.11 \
	    -c requirements/lock-py3.11.txt --no-annotate --custom-compile-command "make lock" \
	    --output-file binder/requirements.txt

# The course on other set-ups than the pinned one, in fresh environments (tools/compat.py):
# the oldest Python with the lowest declared versions, the newest Python with the newest
# releases, and a Colab-like stack. Every notebook runs top to bottom, every check passes, every
# explorer draws, and the unit tests pass. Needs the network (PyPI) the first time.
COMPAT_DIR := _build/compat
test-compat: $(LAB_STAMP)
	$(SINGLE_THREAD) $(BIN)/python -m tools.compat $(COMPAT_ARGS)

clean:
	rm -rf $(VENV) $(COMPAT_DIR)

# Instructors: re-execute and grade a class (docs/instructor/grading.md). Without SUBMISSIONS,
# grades a generated demonstration class of LEARNERS (default 30) learners; GRADE_ARGS passes
# further options, e.g. GRADE_ARGS="--time-limit 20 --anonymise".
grade: $(STAMP)
	@test -n "$(OUT)" || { echo "usage: make grade SUBMISSIONS=folder OUT=folder"; exit 2; }
	$(if $(SUBMISSIONS),,$(BIN)/python -m tools.grading.fixtures "$(OUT).class" --learners $(or $(LEARNERS),30))
	$(BIN)/python -m tools.grade "$(or $(SUBMISSIONS),$(OUT).class)" -o "$(OUT)" $(GRADE_ARGS)
