"""End-to-end: JupyterLab started exactly as the README says, every lesson runs in it,
its explorers respond, and its links open its exercise and solution notebooks.

nbval proves the kernel side; this proves what the learner sees. The server is
`make lab`, run unchanged in a learner's clone laid out in a temporary folder
(lessons, exercises and solutions with outputs cleared; `.venv` pointing at this
environment); port and token reach it through its config folder, which the README's
command reads too. One test per lesson: open it in headless Chromium, Run > Run All
Cells, wait for the kernel, fail on any error or stderr output, then move every
control of every explorer and require its figure or summary line to change. One test
per lesson link to its exercise and to its solution notebook: click it, require the
notebook to open.

Run with ``pytest -m browser``; deselect with ``-m 'not browser'``.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import labdriver
import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
START_PAGE = Path("notebooks") / "00_start_here.ipynb"
MISSING = labdriver.chromium_missing_reason()

pytestmark = [pytest.mark.browser, pytest.mark.skipif(MISSING is not None, reason=str(MISSING))]


def lesson_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    return sorted(folder.glob("*.ipynb"))


def _cases() -> list:
    notebooks = lesson_notebooks()
    if not notebooks:
        reason = f"no lesson notebooks in {NOTEBOOKS} yet"
        return [pytest.param(None, id="no-notebooks", marks=pytest.mark.skip(reason=reason))]
    return [pytest.param(notebook, id=notebook.stem) for notebook in notebooks]


def _link_cases() -> list:
    return [pytest.param(notebook, folder, id=f"{notebook.stem}-{folder}")
            for notebook in lesson_notebooks() for folder in ("exercises", "solutions")]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[labdriver.Lab]:
    """`make lab` in a learner's clone under a temporary folder."""
    work = tmp_path_factory.mktemp("jupyterlab")
    root = work / "clone"
    labdriver.copy_course(REPO, root)
    with labdriver.make_lab(root, work, pythonpath=REPO) as server:
        yield server


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    with labdriver.chromium(tmp_path_factory.mktemp("chromium")) as context:
        yield context


def test_make_lab_serves_the_repository_root_and_opens_the_start_page(lab) -> None:
    opened = urllib.parse.urlsplit(lab.start_page)
    assert opened.path == f"/lab/tree/{START_PAGE.as_posix()}", lab.start_page
    served = {item["name"] for item in lab.api("GET", "/api/contents/")["content"]}
    assert {"notebooks", "exercises", "solutions"} <= served


@pytest.mark.parametrize("notebook", _cases())
def test_notebook_runs_and_explorers_respond(notebook: Path, lab, browser, tmp_path: Path
                                             ) -> None:
    print(labdriver.check_notebook(browser, lab, Path("notebooks") / notebook.name,
                                   tmp_path / f"{notebook.stem}.png"))


@pytest.mark.parametrize(("notebook", "folder"), _link_cases())
def test_lesson_links_open_its_exercise_and_solution(notebook: Path, folder: str, lab, browser,
                                                    tmp_path: Path) -> None:
    target = f"{folder}/{notebook.name}"
    print(labdriver.follow_link(browser, lab, Path("notebooks") / notebook.name, target,
                                tmp_path / f"{notebook.stem}-{folder}.png"))


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
