"""The stored notebooks as a learner opens them in JupyterLab: accessible, and left unchanged.

One `make lab`, in a learner's clone of the course with the notebooks exactly as stored (outputs
included) and committed, autosave on every second. One JupyterLab page opens every lesson, and
the first exercise and solution notebook (stored in the same form: tests/test_nbio.py), each in
a tab of its own, one after the other as a learner does; each kernel is started and idle before
the next. (One page and one server for both properties: two test files that each opened the
lessons took 69 CPU-seconds on two cores, this one 50.)

* **Accessibility**, measured with axe-core on what each lesson itself shows: its rendered
  Markdown cells and its outputs (JupyterLab's own toolbars, editors, prompts and menus are left
  out: on two cores they triple the run time, and README, Accessibility, lists what they had).
  Fails on a JavaScript error while a lesson renders and on a serious or critical violation
  there, except the one documented below that only JupyterLab can fix; prints every violation
  by rule and impact.
* **Opening does not modify** (`git status` stays clean): a learner who opens a lesson, reads it
  and closes it must not find it modified (and meet a conflict when pulling the next update).
  JupyterLab rewrites a notebook when its model differs from the file. Measured with this test:
  the kernel's Python version, which JupyterLab copies into ``language_info`` when the kernel
  starts (``make lab``'s save hook removes it again: ``helpers/savehook.py``), and whole-number
  floats such as ``"measured_seconds": 2.0``, which JavaScript writes as ``2`` (stored notebooks
  are written that way: ``tools/nbio.py``). Indentation, key order, the nbformat minor version and
  cell ids already matched. After the last tab autosave is given time, then every tab is saved
  explicitly (as File > Save does). Without make lab's save hook every notebook shows as
  modified (checked by removing the hook from the clone's Makefile).

Run with ``pytest tests/browser/test_lab_stored.py -m browser -rP``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import labdriver
import pytest
from test_site import axe_report, print_counts

REPO = Path(__file__).resolve().parents[2]
FOLDERS = ("notebooks", "exercises", "solutions")
SELFTEST = "selftest"  # the audit's own test notebook: git-ignored in the clone
MISSING = labdriver.chromium_missing_reason() or (
    None if shutil.which("git") else "git not found: the test compares `git status`")
try:
    import axe_playwright_python  # noqa: F401
except ImportError:
    MISSING = MISSING or "axe-playwright-python is not installed (test extra)"

pytestmark = [pytest.mark.browser, pytest.mark.skipif(MISSING is not None, reason=str(MISSING))]

BLOCKING = {"serious", "critical"}
OURS = ".jp-RenderedMarkdown, .jp-OutputArea-output"
#: (rule, selector) pairs that are JupyterLab's even inside an output: its image renderer
#: (JupyterLab 4.6, rendermime renderImage) never sets an alt attribute, whatever the output
#: carries. Every course figure is followed by its printed numeric summary instead.
JUPYTERLAB_ONLY = {("image-alt", ".jp-RenderedImage > img")}
_WHERE = f"""([selector, rule, known]) => {{
    const element = document.querySelector(selector);
    if (!element?.closest('{OURS}')) return 'jupyterlab';
    return known.some(([r, s]) => r === rule && element.matches(s)) ? 'jupyterlab' : 'ours';
}}"""
# Axe's colour-contrast rule over a whole JupyterLab page takes minutes on two cores; the
# colours of our text are checked on the website (tests/browser/test_site.py).
AXE_OPTIONS = {"resultTypes": ["violations"], "preload": False,
               "rules": {"color-contrast": {"enabled": False}}}
#: Autosave on, every second (the tests of test_lab.py turn it off).
AUTOSAVE = {"@jupyterlab/docmanager-extension/plugin": {"autosave": True,
                                                        "autosaveInterval": 1}}

# Each notebook opens in a tab of its own and stays open until the page closes: disposing of a
# notebook (or shutting its kernel down) while JupyterLab is still connecting its kernel cancels
# that connection's requests, which JupyterLab reports as an unhandled error.
_OPEN = "async p => { await window.jupyterapp.commands.execute('docmanager:open', {path: p}); }"
_PANELS = "Array.from(window.jupyterapp.shell.widgets('main')).filter(w => w.sessionContext)"
#: The tab of ``path`` is open and its kernel started and idle (JupyterLab has then copied the
#: kernel's language_info into the notebook: the change make lab's save hook undoes). Found by
#: path, not as the current widget, which follows the page's focus.
_IDLE = f"""path => {{
    const w = {_PANELS}.find(w => w.context.path === path);
    return w?.context.isReady && w.sessionContext.session?.kernel?.status === 'idle' ? w.id : null;
}}"""
#: What the page shows when a wait times out: each tab's state and any open dialog.
_STATE = f"""() => ({{
    tabs: {_PANELS}.map(w => [w.context.path, w.context.isReady,
                              w.sessionContext.session?.kernel?.status ?? 'no kernel']),
    dialogs: Array.from(document.querySelectorAll('.jp-Dialog')).map(d => d.innerText),
}})"""
_SAVE_ALL = f"() => Promise.all({_PANELS}.map(w => w.context.save()))"  # File > Save, each tab
_ALL_SAVED = f"() => {_PANELS}.every(w => !w.context.model.dirty)"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org",
                           *args], cwd=root, capture_output=True, text=True, check=True).stdout


def stored_clone(root: Path) -> list[Path]:
    """A learner's clone with the notebooks exactly as stored, committed; the paths to open:
    every lesson, then the first exercise and solution notebook."""
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
    (root / ".gitignore").write_text(f".venv\n.ipynb_checkpoints/\n{SELFTEST}/\n",
                                     encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "stored")
    lessons = sorted((root / "notebooks").glob("*.ipynb"))
    others = [sorted((root / folder).glob("*.ipynb"))[0] for folder in FOLDERS[1:]]
    return [p.relative_to(root) for p in (*lessons, *others)]


class Tabs:
    """One JupyterLab page; :meth:`open` adds a notebook in a tab of its own and audits it."""

    def __init__(self, page, lab: labdriver.Lab) -> None:
        self.page, self.lab, self.opened = page, lab, 0
        self.page_errors: list[str] = []  # JavaScript errors while a notebook renders
        page.on("pageerror", lambda error: self.page_errors.append(str(error)[:300]))

    def open(self, notebook: Path, audit: bool) -> dict[str, list]:
        """Open ``notebook`` (relative to the server root) and wait for its idle kernel; with
        ``audit``, its axe-core violations split into ``ours`` and ``jupyterlab``, and the
        JavaScript errors raised while it rendered (``page errors``)."""
        from axe_playwright_python.sync_playwright import Axe
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        page = self.page
        self.page_errors.clear()
        if self.opened == 0:
            labdriver._open(page, self.lab, notebook)
        else:
            page.evaluate(_OPEN, notebook.as_posix())
        self.opened += 1
        try:
            panel = "#" + page.wait_for_function(_IDLE, arg=notebook.as_posix(), timeout=60_000,
                                                 polling=100).json_value()
        except PlaywrightTimeout:
            pytest.fail(f"{notebook} not open with an idle kernel after 60 s: "
                        f"{page.evaluate(_STATE)}\n{self.lab.log_tail()}")
        found: dict[str, list] = {"ours": [], "jupyterlab": []}
        if not audit:
            return found
        page.locator(f"{panel} .jp-Cell").first.wait_for(timeout=60_000)
        page.locator(f"{panel} .jp-RenderedImage img").first.wait_for(timeout=30_000)
        page.wait_for_timeout(1000)  # Markdown and math finish rendering
        context = {"include": [[f"{panel} {selector.strip()}"] for selector in OURS.split(",")]}
        known = [list(pair) for pair in JUPYTERLAB_ONLY]
        for violation in Axe().run(page, context=context,
                                   options=AXE_OPTIONS).response["violations"]:
            split: dict[str, list] = {"ours": [], "jupyterlab": []}
            for node in violation["nodes"]:
                split[page.evaluate(_WHERE, [node["target"][0], violation["id"], known])
                      ].append(node)
            for where, nodes in split.items():
                if nodes:
                    found[where].append({**violation, "nodes": nodes})
        found["page errors"] = list(self.page_errors)
        return found


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory, browser
           ) -> Iterator[tuple[Tabs, dict[Path, dict[str, list]]]]:
    """Every stored notebook opened in its tab, in order; the lessons audited as they open."""
    work = tmp_path_factory.mktemp("jupyterlab-stored")
    root = work / "clone"
    notebooks = stored_clone(root)
    assert len(notebooks) >= 7 + 2
    settings = dict(labdriver.LAB_SETTINGS)
    labdriver.LAB_SETTINGS.update(AUTOSAVE)
    try:
        with labdriver.make_lab(root, work, pythonpath=REPO) as server:
            page = browser.new_page()
            try:
                tabs = Tabs(page, server)
                start = time.monotonic()
                audited = {notebook: tabs.open(notebook, audit=notebook.parts[0] == "notebooks")
                           for notebook in notebooks}
                print(f"{len(notebooks)} notebooks opened and the lessons audited in "
                      f"{time.monotonic() - start:.1f} s")
                yield tabs, audited
            finally:
                page.close()
    finally:
        labdriver.LAB_SETTINGS.clear()
        labdriver.LAB_SETTINGS.update(settings)


def test_no_serious_or_critical_violation_in_our_content_in_jupyterlab(opened) -> None:
    _, audited = opened
    results = {path.name: found for path, found in audited.items()
               if path.parts[0] == "notebooks"}
    assert len(results) >= 7
    print("axe-core violations (where, impact, rule: elements over all lessons):")
    print_counts(results, ("ours", "jupyterlab"))
    problems = [f"{name}: {line}" for name, found in results.items()
                for line in axe_report([v for v in found["ours"] if v["impact"] in BLOCKING])]
    problems += [f"{name}: JavaScript error while rendering: {error}"
                 for name, found in results.items() for error in found["page errors"]]
    assert problems == [], "\n".join(problems)


def test_opening_and_saving_every_notebook_leaves_git_status_clean(opened) -> None:
    tabs, _ = opened
    page = tabs.page
    page.wait_for_timeout(1500)  # autosave runs every second
    page.evaluate(_SAVE_ALL)
    page.wait_for_function(_ALL_SAVED, timeout=30_000, polling=100)
    page.wait_for_timeout(300)
    root = tabs.lab.root
    assert git(root, "ls-files", "--others", "--exclude-standard") == ""
    changed = git(root, "status", "--porcelain")
    assert changed == "", (f"opening these notebooks changed them:\n{changed}\n"
                           + git(root, "diff")[:3000])


PIXEL = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAAB"
         "JRU5ErkJggg==")


def test_the_audit_finds_a_violation_in_our_content(opened) -> None:
    """An empty link in a Markdown cell is ours; an output image without alt is JupyterLab's."""
    tabs, _ = opened
    notebook = Path(SELFTEST) / "inaccessible.ipynb"
    (tabs.lab.root / notebook.parent).mkdir(exist_ok=True)
    (tabs.lab.root / notebook).write_text(json.dumps({"cells": [
        {"cell_type": "markdown", "id": "md", "metadata": {},
         "source": '# Title\n\nAn empty link: <a href="#md"></a>'},
        {"cell_type": "code", "execution_count": 1, "id": "fig", "metadata": {}, "source": "fig",
         "outputs": [{"output_type": "display_data", "metadata": {},
                      "data": {"image/png": PIXEL, "text/plain": "<Figure>"}}]},
    ], "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                   "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    found = tabs.open(notebook, audit=True)
    assert {v["id"]: len(v["nodes"]) for v in found["ours"]} == {"link-name": 1}
    assert "image-alt" in {v["id"] for v in found["jupyterlab"]}
