"""End-to-end: JupyterLab started exactly as the README says, the start page runs in it,
every lesson's explorers respond, and the lessons' links open the exercise and solution
notebooks.

nbval proves the kernel side of every lesson; this proves what the learner sees. The server
is `make lab`, run unchanged in a learner's clone laid out in a temporary folder (lessons,
exercises and solutions with outputs cleared; `.venv` pointing at this environment); port
and token reach it through its config folder, which the README's command reads too.

* The start page (lesson 00), whole: open it in headless Chromium, Run > Run All Cells, wait
  for the kernel, fail on any error or stderr output, then move every control of its
  explorer and require its figure or summary line to change.
* Every other lesson's explorers, the same way, in one notebook made of each lesson's
  explorer cells and the earlier cells they need (``labdriver.explorer_cells``), the two long
  runs among them shortened (``SMALLER_RUNS``): running each whole lesson again here only
  repeated nbval's work and took four minutes on two cores.
  How every lesson's stored outputs render in JupyterLab is checked by test_lab_stored.py.
* The start page's links to its exercise and solution notebooks, clicked: every lesson
  writes them the same way, and tests/test_links.py checks that every link's target exists.

Run with ``pytest -m browser``; deselect with ``-m 'not browser'``.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import labdriver
import pytest

from helpers import explorers

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
START_PAGE = Path("notebooks") / "00_start_here.ipynb"
MISSING = labdriver.chromium_missing_reason()

pytestmark = [pytest.mark.browser, pytest.mark.skipif(MISSING is not None, reason=str(MISSING))]


#: The two long runs that lessons' explorers show, shortened here (nbval runs them at full size
#: and checks the explorers' stored default figures): the same code and explorer on fewer
#: generations and seeds (about 15 CPU-seconds less on two cores).
SMALLER_RUNS = {
    "06_capstone.ipynb": ("generations=50, seeds=5", "generations=5, seeds=2"),
    "07_neural_lm.ipynb": ("generations=5, seeds=(0, 1, 2)", "generations=2, seeds=(0, 1)"),
}


def lesson_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    return sorted(folder.glob("*.ipynb"))


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[labdriver.Lab]:
    """`make lab` in a learner's clone under a temporary folder."""
    work = tmp_path_factory.mktemp("jupyterlab")
    root = work / "clone"
    labdriver.copy_course(REPO, root)
    with labdriver.make_lab(root, work, pythonpath=REPO) as server:
        yield server


def test_make_lab_serves_the_repository_root_and_opens_the_start_page(lab) -> None:
    opened = urllib.parse.urlsplit(lab.start_page)
    assert opened.path == f"/lab/tree/{START_PAGE.as_posix()}", lab.start_page
    served = {item["name"] for item in lab.api("GET", "/api/contents/")["content"]}
    assert {"notebooks", "exercises", "solutions"} <= served


def test_the_start_page_runs_and_its_explorer_responds(lab, browser, tmp_path: Path) -> None:
    print(labdriver.check_notebook(browser, lab, START_PAGE, tmp_path / "start_page.png"))


def test_every_lessons_explorers_respond(lab, browser, tmp_path: Path) -> None:
    lessons = [p for p in lesson_notebooks() if p.name != START_PAGE.name]
    if not lessons:
        pytest.skip(f"no lessons besides the start page in {NOTEBOOKS} yet")
    notebook = Path("notebooks") / "every_lessons_explorers.ipynb"
    shown = labdriver.write_explorer_notebook(lessons, lab.root / notebook, SMALLER_RUNS)
    assert shown >= len(lessons), f"{shown} explorer cells in {len(lessons)} lessons"
    # every explorer the course offers is shown by some lesson, so it is checked here or above
    factories = {name for name in explorers.__all__ if name.endswith("_explorer")}
    called = {name for lesson in lesson_notebooks() for cell in labdriver.explorer_cells(lesson)
              for name in factories if f"{name}(" in "".join(cell["source"])}
    assert factories == called, f"explorers no lesson shows: {sorted(factories - called)}"
    print(labdriver.check_notebook(browser, lab, notebook, tmp_path / "explorers.png"))


@pytest.mark.parametrize("folder", ["exercises", "solutions"])
def test_the_start_pages_links_open_its_exercise_and_solution(folder: str, lab, browser,
                                                              tmp_path: Path) -> None:
    target = f"{folder}/{START_PAGE.name}"
    print(labdriver.follow_link(browser, lab, START_PAGE, target, tmp_path / f"{folder}.png"))


BROKEN_EXPLORER = '''
import ipywidgets as widgets
import matplotlib.pyplot as plt

from helpers.explorers import explorer


def view(n=3):
    if n != 3:
        raise ValueError("broken callback")
    fig, ax = plt.subplots()
    ax.plot(range(n))
    return fig, f"n = {n}"


explorer(view, n=widgets.IntSlider(value=3, min=1, max=10, continuous_update=False))
'''


def test_an_explorer_whose_callback_raises_fails_the_check(lab, browser, tmp_path: Path) -> None:
    server = lab
    notebook = Path("selftest") / "broken_explorer.ipynb"
    (server.root / notebook.parent).mkdir(exist_ok=True)
    (server.root / notebook).write_text(json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "id": "broken", "metadata": {},
                   "outputs": [], "source": BROKEN_EXPLORER}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    with pytest.raises(AssertionError, match="broken callback"):
        labdriver.check_notebook(browser, server, notebook, tmp_path / "broken.png")
