"""Opening a stored notebook in JupyterLab does not change it: `git status` stays clean.

A learner who opens a lesson, reads it and closes it must not find it modified (and meet a
conflict when pulling the next update). JupyterLab rewrites a notebook when its model differs
from the file. Measured with this test: the kernel's Python version, which JupyterLab copies
into ``language_info`` when the kernel starts (``make lab``'s save hook removes it again:
``helpers/savehook.py``), and whole-number floats such as ``"measured_seconds": 2.0``, which
JavaScript writes as ``2`` (stored notebooks are written that way: ``tools/nbio.py``).
Indentation, key order, the nbformat minor version and cell ids already matched.

`make lab` serves a git clone of the course's notebooks (as stored, outputs included) with
autosave on every second. Every lesson, and the first exercise and solution notebook (stored
in the same form: tests/test_nbio.py), is opened in its own tab of one JupyterLab in headless
Chromium, one after the other, each kernel started and idle; autosave is given time, then every
tab is saved explicitly (as File > Save does); afterwards `git status` of the clone must be
empty. Without make lab's save hook every notebook shows as modified (checked by removing the
hook from the clone's Makefile). One JupyterLab page per notebook took 75 s on a quiet machine,
one page with a tab each 20 s.

Run with ``pytest tests/browser/test_lab_clean.py -m browser``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import labdriver
import pytest

REPO = Path(__file__).resolve().parents[2]
FOLDERS = ("notebooks", "exercises", "solutions")
MISSING = labdriver.chromium_missing_reason() or (
    None if shutil.which("git") else "git not found: the test compares `git status`")

pytestmark = [pytest.mark.browser, pytest.mark.skipif(MISSING is not None, reason=str(MISSING))]

#: Autosave on, every second (the tests of test_lab.py turn it off).
AUTOSAVE = {"@jupyterlab/docmanager-extension/plugin": {"autosave": True,
                                                        "autosaveInterval": 1}}
_OPEN = "async p => { await window.jupyterapp.commands.execute('docmanager:open', {path: p}); }"
#: The tab showing ``path`` is current and its kernel is started and idle (JupyterLab has then
#: copied the kernel's language_info into the notebook: the change make lab's save hook undoes).
_IDLE = """path => {
    const w = window.jupyterapp.shell.currentWidget;
    const kernel = w?.sessionContext?.session?.kernel;
    return w?.context?.path === path && w.context.isReady && kernel?.status === 'idle';
}"""
_PANELS = "Array.from(window.jupyterapp.shell.widgets('main')).filter(w => w.sessionContext)"
_SAVE_ALL = f"() => Promise.all({_PANELS}.map(w => w.context.save()))"  # File > Save, each tab
_ALL_SAVED = f"() => {_PANELS}.every(w => !w.context.model.dirty)"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org",
                           *args], cwd=root, capture_output=True, text=True, check=True).stdout


def stored_clone(root: Path) -> list[Path]:
    """A learner's clone with the notebooks exactly as stored, committed; their paths."""
    root.mkdir(parents=True)
    for name in ("Makefile", "README.md"):
        shutil.copy2(REPO / name, root / name)
    shutil.copytree(REPO / "requirements", root / "requirements")
    for folder in FOLDERS:
        shutil.copytree(REPO / folder, root / folder,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for extra in ("docs", "examples"):  # what the notebooks read or link to
        if (REPO / extra).is_dir():
            shutil.copytree(REPO / extra, root / extra)
    (root / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    (root / ".gitignore").write_text(".venv\n.ipynb_checkpoints/\n", encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "stored")
    lessons = sorted((root / "notebooks").glob("*.ipynb"))
    others = [sorted((root / folder).glob("*.ipynb"))[0] for folder in FOLDERS[1:]]
    return [p.relative_to(root) for p in (*lessons, *others)]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[labdriver.Lab, list[Path]]]:
    work = tmp_path_factory.mktemp("jupyterlab-clean")
    root = work / "clone"
    notebooks = stored_clone(root)
    settings = dict(labdriver.LAB_SETTINGS)
    labdriver.LAB_SETTINGS.update(AUTOSAVE)
    try:
        with labdriver.make_lab(root, work, pythonpath=REPO) as server:
            yield server, notebooks
    finally:
        labdriver.LAB_SETTINGS.clear()
        labdriver.LAB_SETTINGS.update(settings)


def test_opening_and_saving_every_notebook_leaves_git_status_clean(lab, browser) -> None:
    """Every notebook in its own tab of one JupyterLab, opened one after the other as a learner
    does, each kernel started; then every tab saved and `git status` read."""
    server, notebooks = lab
    assert len(notebooks) >= 7 + 2
    page = browser.new_page()
    try:
        for index, notebook in enumerate(notebooks):
            if index == 0:
                labdriver._open(page, server, notebook)
            else:
                page.evaluate(_OPEN, notebook.as_posix())
            page.wait_for_function(_IDLE, arg=notebook.as_posix(), timeout=60_000, polling=100)
        page.wait_for_timeout(1500)  # autosave runs every second
        page.evaluate(_SAVE_ALL)
        page.wait_for_function(_ALL_SAVED, timeout=30_000, polling=100)
        page.wait_for_timeout(300)
        changed = git(server.root, "status", "--porcelain")
        assert changed == "", (f"opening these notebooks changed them:\n{changed}\n"
                               + git(server.root, "diff")[:3000])
    finally:
        page.close()
