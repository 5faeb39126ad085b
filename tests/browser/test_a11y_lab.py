"""Accessibility of every lesson as a learner sees it in JupyterLab, measured with axe-core.

Each lesson is opened with its stored outputs (nothing is run) in a real JupyterLab under
headless Chromium, and axe-core checks what the lesson itself shows: its rendered Markdown
cells and its outputs (JupyterLab's own toolbars, editors, prompts and menus are left out: on
two cores they triple the run time, and README, Accessibility, lists what they had). The test
fails on a JavaScript error while the lesson renders, and on a serious or critical violation
there, except the one documented below that only JupyterLab can fix; it prints every
violation by rule and impact.

Run with ``pytest tests/browser/test_a11y_lab.py -m browser -rP``.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import labdriver
import pytest
from test_site import axe_report, print_counts

REPO = Path(__file__).resolve().parents[2]
LESSONS = sorted((REPO / "notebooks").glob("*.ipynb"))
MISSING = labdriver.chromium_missing_reason()
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


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[labdriver.Lab]:
    """JupyterLab serving a copy of the lessons with their stored outputs."""
    work = tmp_path_factory.mktemp("jupyterlab-a11y")
    root = work / "root"
    labdriver.copy_course(REPO, root, folders=())  # started the README's way: `make lab`
    shutil.copytree(REPO / "notebooks", root / "notebooks",  # with their stored outputs
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    with labdriver.make_lab(root, work, pythonpath=REPO) as server:
        yield server


# Each lesson opens in a tab of its own and stays open until the page closes: disposing of a
# notebook (or shutting its kernel down) while JupyterLab is still connecting its kernel cancels
# that connection's requests, which JupyterLab reports as an unhandled error.
_OPEN = """async path => {
    await window.jupyterapp.commands.execute('docmanager:open', {path});
}"""
_CURRENT_ID = """path => {
    const widget = window.jupyterapp.shell.currentWidget;
    return widget?.context?.path === path ? widget.id : null;
}"""


def audit(browser, lab: labdriver.Lab, notebooks: list[Path]) -> dict[Path, dict[str, list]]:
    """Per notebook: axe-core violations, split into ``ours`` and ``jupyterlab``, and the
    JavaScript errors raised while it rendered (``page errors``). One JupyterLab page opens
    the notebooks one after the other (loading JupyterLab once costs as much as an audit)."""
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page()
    page_errors: list[str] = []  # JavaScript errors while the stored outputs render
    page.on("pageerror", lambda error: page_errors.append(str(error)[:300]))
    results = {}
    try:
        for index, notebook in enumerate(notebooks):
            page_errors.clear()
            if index == 0:
                labdriver._open(page, lab, notebook)
            else:
                page.evaluate(_OPEN, notebook.as_posix())
            panel = "#" + page.wait_for_function(
                _CURRENT_ID, arg=notebook.as_posix(), timeout=60_000).json_value()
            page.locator(f"{panel} .jp-Cell").first.wait_for(timeout=60_000)
            page.locator(f"{panel} .jp-RenderedImage img").first.wait_for(timeout=30_000)
            page.wait_for_timeout(1000)  # Markdown and math finish rendering
            context = {"include": [[f"{panel} {selector.strip()}"]
                                   for selector in OURS.split(",")]}
            violations = Axe().run(page, context=context,
                                   options=AXE_OPTIONS).response["violations"]
            found: dict[str, list] = {"ours": [], "jupyterlab": []}
            known = [list(pair) for pair in JUPYTERLAB_ONLY]
            for violation in violations:
                split: dict[str, list] = {"ours": [], "jupyterlab": []}
                for node in violation["nodes"]:
                    where = page.evaluate(_WHERE, [node["target"][0], violation["id"], known])
                    split[where].append(node)
                for where, nodes in split.items():
                    if nodes:
                        found[where].append({**violation, "nodes": nodes})
            found["page errors"] = list(page_errors)
            results[notebook] = found
        return results
    finally:
        page.close()
        for session in lab.api("GET", "/api/sessions"):
            lab.api("DELETE", f"/api/sessions/{session['id']}")


def test_no_serious_or_critical_violation_in_our_content_in_jupyterlab(lab, browser) -> None:
    assert LESSONS
    start = time.monotonic()
    audited = audit(browser, lab, [Path("notebooks") / path.name for path in LESSONS])
    results = {path.name: found for path, found in audited.items()}
    print(f"{len(results)} lessons audited in {time.monotonic() - start:.1f} s; axe-core "
          "violations (where, impact, rule: elements over all lessons):")
    print_counts(results, ("ours", "jupyterlab"))
    problems = [f"{name}: {line}" for name, found in results.items()
                for line in axe_report([v for v in found["ours"] if v["impact"] in BLOCKING])]
    problems += [f"{name}: JavaScript error while rendering: {error}"
                 for name, found in results.items() for error in found["page errors"]]
    assert problems == [], "\n".join(problems)


PIXEL = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAAB"
         "JRU5ErkJggg==")


def test_the_audit_finds_a_violation_in_our_content(lab, browser) -> None:
    """An empty link in a Markdown cell is ours; an output image without alt is JupyterLab's."""
    notebook = Path("selftest") / "inaccessible.ipynb"
    (lab.root / notebook.parent).mkdir(exist_ok=True)
    (lab.root / notebook).write_text(json.dumps({"cells": [
        {"cell_type": "markdown", "id": "md", "metadata": {},
         "source": '# Title\n\nAn empty link: <a href="#md"></a>'},
        {"cell_type": "code", "execution_count": 1, "id": "fig", "metadata": {}, "source": "fig",
         "outputs": [{"output_type": "display_data", "metadata": {},
                      "data": {"image/png": PIXEL, "text/plain": "<Figure>"}}]},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    found = audit(browser, lab, [notebook])[notebook]
    assert {v["id"]: len(v["nodes"]) for v in found["ours"]} == {"link-name": 1}
    assert "image-alt" in {v["id"] for v in found["jupyterlab"]}
