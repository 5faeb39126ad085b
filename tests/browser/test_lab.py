"""End-to-end: every lesson notebook runs in a real JupyterLab and its explorers respond.

nbval proves the kernel side; this proves what the learner sees. One test per
notebook: open it in headless Chromium, Run > Run All Cells, wait for the
kernel, fail on any error or stderr output, then move every control of every
explorer and require its figure or summary line to change. Runs on a copy
of notebooks/ (outputs cleared) with throwaway Jupyter folders and profile.

Run with ``pytest -m browser``; deselect with ``-m 'not browser'``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import labdriver
import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
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


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[labdriver.Lab, dict]]:
    """One JupyterLab for all notebooks, serving cleared copies; maps originals to copies."""
    notebooks = lesson_notebooks()
    work = tmp_path_factory.mktemp("jupyterlab")
    root = work / "root"
    root.mkdir()
    copies = labdriver.copy_notebooks(notebooks, root)
    with labdriver.jupyterlab(root, work, pythonpath=REPO) as server:
        yield server, dict(zip(notebooks, copies, strict=True))


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    with labdriver.chromium(tmp_path_factory.mktemp("chromium")) as context:
        yield context


@pytest.mark.parametrize("notebook", _cases())
def test_notebook_runs_and_explorers_respond(notebook: Path, lab, browser, tmp_path: Path
                                             ) -> None:
    server, copies = lab
    print(labdriver.check_notebook(browser, server, copies[notebook],
                                   tmp_path / f"{notebook.stem}.png"))


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
    server, _ = lab
    notebook = Path("selftest") / "broken_explorer.ipynb"
    (server.root / notebook.parent).mkdir(exist_ok=True)
    (server.root / notebook).write_text(json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "id": "broken", "metadata": {},
                   "outputs": [], "source": BROKEN_EXPLORER}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    with pytest.raises(AssertionError, match="broken callback"):
        labdriver.check_notebook(browser, server, notebook, tmp_path / "broken.png")
