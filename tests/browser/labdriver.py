"""Drive a real JupyterLab in headless Chromium: server, browser and notebook checks.

Everything runs in throwaway folders: the server gets its own token, port,
config, data, runtime, settings and workspace folders, and serves a copy of
the notebooks with their outputs cleared, so nothing in the repository or in
the user's home changes. Plain functions, no pytest, so the same code can be
pointed at any list of notebooks.
"""

from __future__ import annotations

import ast
import builtins
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Locator, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium phones home at start-up and the closed network refuses it.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
    # Small /dev/shm (containers) would crash the renderer.
    "--disable-dev-shm-usage",
)
RUN_TIMEOUT_S = 180  # a lesson runs in <= 30 s on two cores (COURSE_DESIGN.md); be generous
UPDATE_TIMEOUT_S = 30  # one explorer redraw
WIDGET_TIMEOUT_S = 10  # widget views appearing after the run
STDERR = "application/vnd.jupyter.stderr"
KERNEL_IDLE = re.compile(r"^(?!No Kernel).+ \| Idle$")

# Settings written to the temporary user-settings folder.
LAB_SETTINGS = {
    # No news toast and no update check: they hit the network and cover the page.
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    # Never write back to the (copied) notebooks.
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    # Keep every cell in the DOM, so every output can be inspected.
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab server; ``start_page`` is the URL it asked the browser to open."""

    url: str
    token: str
    root: Path
    log: Path
    start_page: str = ""

    def api(self, method: str, path: str) -> Any:
        """Call the server's REST API (no proxy) and return the decoded JSON, if any."""
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, lines: int = 20) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(text[-lines:])


def chromium_missing_reason() -> str | None:
    """Why the browser test cannot run here (one line), or None if it can."""
    if not CHROMIUM.exists():
        return (f"Chromium not found at {CHROMIUM}; install it with "
                "`apt-get install chromium` (Debian/Ubuntu, as root)")
    if shutil.which("make") is None:
        return "make not found: the browser test starts JupyterLab with `make lab`, as learners do"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return ("playwright is not importable; install it with "
                "`pip install -e '.[test]'` (Chromium itself: `apt-get install chromium`)")
    return None


def copy_course(repo: Path, root: Path, folders: Sequence[str] = ("notebooks", "exercises",
                                                                    "solutions")) -> None:
    """Lay out a learner's clone under ``root``: the Makefile, the notebook folders (outputs
    cleared, see :func:`copy_notebooks`), the other files the notebooks link to, and ``.venv``
    pointing at the running environment (``sys.prefix``), so ``make lab`` finds its JupyterLab.
    """
    root.mkdir(parents=True, exist_ok=True)
    for name in ("Makefile", "README.md", "CONTRIBUTING.md"):
        shutil.copy2(repo / name, root / name)
    for folder in ("docs", "requirements"):
        if (repo / folder).is_dir():
            shutil.copytree(repo / folder, root / folder)
    for folder in folders:
        copy_notebooks(sorted((repo / folder).glob("*.ipynb")), root)
    (root / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)


def copy_notebooks(notebooks: Sequence[Path], root: Path) -> list[Path]:
    """Copy ``notebooks`` into ``root/<parent folder name>/`` with outputs cleared.

    Files next to each notebook are copied too (data the notebook may read).
    Clearing outputs (and stored widget state) means every output seen in the
    browser comes from this run. Returns the copies' paths relative to ``root``.
    """
    copies = []
    for notebook in notebooks:
        folder = root / notebook.parent.name
        if not folder.exists():
            shutil.copytree(notebook.parent, folder,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        copy = folder / notebook.name
        content = json.loads(notebook.read_text(encoding="utf-8"))
        for cell in content["cells"]:
            if cell["cell_type"] == "code":
                cell["outputs"], cell["execution_count"] = [], None
        content["metadata"].pop("widgets", None)
        copy.write_text(json.dumps(content, indent=1), encoding="utf-8")
        copies.append(copy.relative_to(root))
    return copies


def _names(source: str) -> tuple[set[str], set[str]]:
    """(names a cell binds at any level, names it reads but does not bind itself)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics: such a cell binds and reads nothing we can see
        return set(), set()
    bound, read = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, ast.Store) else read).add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
    return bound, read - bound - set(dir(builtins))


def is_explorer_cell(source: str) -> bool:
    """Whether a code cell shows an explorer: it calls a function named ``*_explorer``."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return any(isinstance(node, ast.Call) and (
        getattr(node.func, "attr", None) or getattr(node.func, "id", "")).endswith("_explorer")
        for node in ast.walk(tree))


def explorer_cells(notebook: Path) -> list[dict]:
    """The code cells of ``notebook`` its explorers need, in notebook order: every cell
    showing an explorer and, going back, every earlier cell binding a name that a selected
    cell reads (its imports, its data), so the explorers run as they do in the lesson."""
    cells = [c for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"]
             if c["cell_type"] == "code"]
    sources = ["".join(c["source"]) for c in cells]
    chosen = {i for i, source in enumerate(sources) if is_explorer_cell(source)}
    needed = set().union(*(_names(sources[i])[1] for i in chosen))
    for i in range(max(chosen, default=-1), -1, -1):
        bound, read = _names(sources[i])
        if i in chosen or bound & needed:
            chosen.add(i)
            needed = (needed - bound) | read
    return [cells[i] for i in sorted(chosen)]


def write_explorer_notebook(lessons: Sequence[Path], path: Path,
                            smaller: dict[str, tuple[str, str]] | None = None) -> int:
    """Write one notebook running the explorer cells of every lesson in ``lessons`` (each
    lesson's :func:`explorer_cells`, outputs cleared, after a heading naming the lesson);
    returns the number of explorer cells. ``smaller`` maps a lesson's file name to
    ``(full, small)``: the one cell whose source contains ``full`` gets ``small`` instead (a
    shorter run of the same code for its explorer; a lesson that no longer contains ``full``
    exactly once is an error, not a silent full-size run)."""
    cells, shown = [], 0
    for lesson in lessons:
        cells.append({"cell_type": "markdown", "id": f"from-{len(cells)}", "metadata": {},
                      "source": f"## The explorers of {lesson.parent.name}/{lesson.name}"})
        full, small = (smaller or {}).get(lesson.name, (None, None))
        chosen = explorer_cells(lesson)
        sources = ["".join(cell["source"]) for cell in chosen]
        if full is not None and sum(full in source for source in sources) != 1:
            raise ValueError(f"{lesson.name}: expected one explorer cell containing {full!r}")
        for cell, source in zip(chosen, sources, strict=True):
            shown += is_explorer_cell(source)
            cells.append({**cell, "id": f"cell-{len(cells)}", "outputs": [],
                          "execution_count": None,
                          "source": source.replace(full, small) if full else source})
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}, indent=1), encoding="utf-8")
    return shown


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def isolated_env(workdir: Path, pythonpath: Path) -> dict[str, str]:
    """The environment for the server: every Jupyter/IPython/matplotlib folder under ``workdir``."""
    folders = {
        "JUPYTER_CONFIG_DIR": "config",
        "JUPYTER_DATA_DIR": "data",
        "JUPYTER_RUNTIME_DIR": "runtime",
        "JUPYTERLAB_SETTINGS_DIR": "settings",
        "JUPYTERLAB_WORKSPACES_DIR": "workspaces",
        "IPYTHONDIR": "ipython",
        "MPLCONFIGDIR": "matplotlib",
        "XDG_CACHE_HOME": "cache",
        "XDG_CONFIG_HOME": "xdg-config",
    }
    env = dict(os.environ)
    for variable, name in folders.items():
        (workdir / name).mkdir(parents=True, exist_ok=True)
        env[variable] = str(workdir / name)
    env.pop("JUPYTER_PATH", None)
    env.pop("JUPYTER_CONFIG_PATH", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pythonpath), env.get("PYTHONPATH")]))
    for plugin, values in LAB_SETTINGS.items():
        path = workdir / "settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    return env


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the server's process group (``make`` and JupyterLab, which shuts its kernels
    down), then kill the group if needed."""
    if process.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    with suppress(ProcessLookupError):  # JupyterLab may outlive make by a moment
        os.killpg(process.pid, signal.SIGKILL)


def make_lab_command(root: Path) -> list[str]:
    """``make lab`` in ``root``, told that the learner install is already done.

    ``-o <stamp>`` only keeps make from re-installing into the running environment;
    the recipe it runs is the Makefile's own, unchanged.
    """
    stamp = subprocess.run(
        ["make", "--no-print-directory", "-s", "--eval=print-lab-stamp: ; @echo $(LAB_STAMP)",
         "print-lab-stamp"], cwd=root, capture_output=True, text=True, check=True).stdout.strip()
    if not stamp:
        raise RuntimeError("the Makefile defines no LAB_STAMP (the learner install's stamp)")
    return ["make", "--no-print-directory", "-o", stamp, "lab"]


def server_config(port: int, token: str) -> dict[str, Any]:
    """What the test needs from JupyterLab, as a config file (which `make lab` also reads):
    a loopback port, a token, no browser of its own, nothing that touches the network."""
    return {
        "ServerApp": {"ip": "127.0.0.1", "port": port, "port_retries": 0,
                      "open_browser": False, "terminals_enabled": False},
        "IdentityProvider": {"token": token},
        # window.jupyterapp: lets the test read the notebook model (see _UNRENDERED_WIDGETS).
        "LabApp": {"expose_app_in_browser": True, "extension_manager": "readonly"},
        # Language-server detection runs `npm`, which writes to ~/.npm.
        "LanguageServerManager": {"autodetect": False},
    }


def _start_page(runtime: Path) -> str:
    """The URL JupyterLab asks the browser to open for the file it was started with."""
    found = sorted(runtime.glob("jpserver-file-to-run-*-open.html"))
    if not found:
        return ""
    match = re.search(r'url=([^"]+)"', found[-1].read_text(encoding="utf-8"))
    return match.group(1).replace("&amp;", "&") if match else ""


@contextmanager
def make_lab(root: Path, workdir: Path, pythonpath: Path, timeout: float = 90) -> Iterator[Lab]:
    """Run ``make lab`` in ``root`` (a learner's clone, see :func:`copy_course`).

    The command line is exactly the Makefile's; the port and token reach JupyterLab
    through its config folder (``JUPYTER_CONFIG_DIR``), which every ``jupyter lab``
    command reads, so nothing is added to the command.
    """
    port, token = _free_port(), secrets.token_hex(16)
    env = isolated_env(workdir, pythonpath)
    config = server_config(port, token)
    for name in ("jupyter_server_config.json", "jupyter_lab_config.json"):
        (workdir / "config" / name).write_text(json.dumps(config), encoding="utf-8")
    log = workdir / "jupyterlab.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen(make_lab_command(root), cwd=root, env=env,
                                   stdin=subprocess.DEVNULL, stdout=log_file,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    lab = Lab(f"http://127.0.0.1:{port}", token, root, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"make lab exited with {process.returncode}:\n{lab.log_tail()}")
            try:
                lab.api("GET", "/api/status")
                start = _start_page(workdir / "runtime")
                if start:
                    break
            except (OSError, urllib.error.URLError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"make lab not ready after {timeout} s:\n{lab.log_tail()}")
            time.sleep(0.2)
        yield Lab(lab.url, token, root, log, start)
    finally:
        _stop(process)


@contextmanager
def chromium(workdir: Path) -> Iterator[BrowserContext]:
    """Headless system Chromium with a fresh profile (and HOME) under ``workdir``."""
    from playwright.sync_api import sync_playwright

    home = workdir / "home"
    home.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(workdir / "profile"), executable_path=str(CHROMIUM), headless=True,
            args=list(CHROMIUM_FLAGS), env={**os.environ, "HOME": str(home)},
            viewport={"width": 1280, "height": 1400},
        )
        try:
            yield context
        finally:
            context.close()


# --- one notebook -------------------------------------------------------------------------

# Control widgets an explorer may hold, and how to move each one (see _move).
CONTROLS = (".widget-slider, .widget-dropdown, .widget-toggle-buttons, .widget-toggle-button,"
            " .widget-checkbox, .widget-radio")

# Outputs were cleared, so the run has started once a prompt shows [*] or a number, and
# has finished when no prompt shows [*] any more and the kernel is idle.
_PROMPTS = "[...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent)"
_RUN_STARTED = f"() => {_PROMPTS}.some(p => /[*0-9]/.test(p))"
_RUN_FINISHED = f"""() => {_PROMPTS}.every(p => !p.includes('*'))
    && document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status === 'idle'"""

# The output of one explorer: its image and summary line, and any stderr message.
_OUTPUT_STATE = """el => ({
    src: el.querySelector('img')?.getAttribute('src') ?? '',
    text: [...el.querySelectorAll('[data-mime-type="application/vnd.jupyter.stdout"]')]
        .map(e => e.textContent).join('').trim(),
    stderr: [...el.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')]
        .map(e => e.textContent).join('').trim(),
})"""

_OUTPUT_CHANGED = """([el, before]) => {
    const state = (%s)(el);
    return state.stderr !== ''
        || (state.src !== '' && state.text !== ''
            && (state.src !== before.src || state.text !== before.text));
}""" % _OUTPUT_STATE


# Widget outputs (in the notebook model) that did not render as widgets: without the
# ipywidgets extension JupyterLab silently shows their text repr instead.
_UNRENDERED_WIDGETS = """() => {
    const problems = [];
    let code = 0;
    for (const cell of window.jupyterapp.shell.currentWidget.content.widgets) {
        if (cell.model.type !== 'code') continue;
        code += 1;
        const outputs = cell.model.outputs;
        for (let i = 0; i < outputs.length; i++) {
            if (!('application/vnd.jupyter.widget-view+json' in outputs.get(i).data)) continue;
            const node = cell.outputArea.widgets[i]?.node;
            if (!node?.querySelector('.jupyter-widgets')) {
                problems.push(`code cell ${code}: ${(node?.textContent ?? '').slice(0, 80)}`);
            }
        }
    }
    return problems;
}"""


def _fail(message: str) -> None:
    raise AssertionError(message)


def _wait(page: Page, condition: str, arg: Any, seconds: float, failure: str) -> None:
    """Wait until the JavaScript ``condition(arg)`` holds, or fail with ``failure``."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(condition, arg=arg, timeout=seconds * 1000, polling=100)
    except PlaywrightTimeout:
        _fail(f"{failure} after {seconds} s")


def _open(page: Page, lab: Lab, notebook: Path) -> None:
    # A notebook without a kernelspec asks for one: take the default.
    page.add_locator_handler(
        page.locator(".jp-Dialog:has-text('Select Kernel')"),
        lambda dialog: dialog.locator(".jp-mod-accept").click(),
    )
    page.goto(f"{lab.url}/lab/tree/{notebook.as_posix()}?token={lab.token}&reset")
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=60_000)
    # The status bar reads "No Kernel | Initializing", then "<kernel> | Idle" once connected
    # (the toolbar's execution indicator says idle before that).
    page.locator(".jp-StatusBar-TextItem", has_text=KERNEL_IDLE).wait_for(timeout=60_000)


def _run_all(page: Page) -> None:
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    if page.locator(".jp-CodeCell").count():
        _wait(page, _RUN_STARTED, None, 15, "Run > Run All Cells did not start the cells")
        _wait(page, _RUN_FINISHED, None, RUN_TIMEOUT_S,
              "the cells were still running (or the kernel busy)")


def _raising_cells(notebook: Path) -> set[int]:
    """Indices (among code cells) of cells tagged ``raises-exception``, as nbval allows."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = [cell for cell in cells if cell["cell_type"] == "code"]
    return {i for i, cell in enumerate(code)
            if "raises-exception" in cell.get("metadata", {}).get("tags", [])}


def _check_outputs(page: Page, allowed_errors: set[int]) -> None:
    """No error or stderr output, every non-empty code cell ran, every widget rendered."""
    cells = page.locator(".jp-Notebook .jp-CodeCell")
    problems = []
    for index in range(cells.count()):
        cell = cells.nth(index)
        prompt = cell.locator(".jp-InputPrompt").text_content().strip()
        source = cell.locator(".jp-InputArea-editor").text_content().strip()
        where = f"code cell {index + 1} {prompt} {source.splitlines()[0][:60] if source else ''!r}"
        errors = cell.locator(f".jp-OutputArea-output[data-mime-type='{STDERR}']")
        if index not in allowed_errors and errors.count():
            problems.append(f"{where}: error/stderr output:\n"
                            + "\n".join(text.strip()[:400] for text in errors.all_text_contents()))
        elif source and not any(c.isdigit() for c in prompt):
            problems.append(f"{where}: did not run")
    if problems:
        _fail("\n".join(problems))
    deadline = time.monotonic() + WIDGET_TIMEOUT_S  # widget views are created asynchronously
    while (unrendered := page.evaluate(_UNRENDERED_WIDGETS)) and time.monotonic() < deadline:
        time.sleep(0.2)
    if unrendered:
        _fail("widget(s) shown as text, not rendered (is the ipywidgets lab extension "
              "installed?): " + "; ".join(unrendered))
    broken = page.locator(".jupyter-widgets-error-widget,"
                          " .jp-OutputArea-output:has-text('Error displaying widget')")
    if broken.count():
        _fail(f"a widget did not render: {broken.first.text_content()[:400]!r}")


def _state(output: Locator) -> dict[str, str]:
    return output.evaluate(_OUTPUT_STATE)


def _move(control: Locator) -> str:
    """Change one control's value the way a user would; return a description."""
    classes = control.get_attribute("class") or ""
    if "widget-slider" in classes:
        handle = control.locator(".noUi-handle").first
        at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        handle.focus()
        key = "ArrowLeft" if at_max else "ArrowRight"
        handle.press(key)
        return f"slider {key}"
    if "widget-dropdown" in classes:
        select = control.locator("select")
        index = select.evaluate("s => s.selectedIndex")
        count = select.locator("option").count()
        select.select_option(index=(index + 1) % count)
        return f"dropdown option {(index + 1) % count}"
    if "widget-toggle-buttons" in classes:
        button = control.locator("button:not(.mod-active)").first
        label = button.text_content()
        button.click()
        return f"toggle button {label!r}"
    if "widget-radio" in classes:
        radio = control.locator("input:not(:checked)").first
        radio.check()
        return "radio button"
    if "widget-checkbox" in classes:
        control.locator("input").click()
        return "checkbox"
    control.click()  # a single ToggleButton
    return "toggle button"


def _exercise(page: Page, number: int, box: Locator) -> int:
    """Move every control of one explorer; each move must redraw the output. Returns #controls."""
    controls = box.locator(f":scope > :is({CONTROLS})")
    output = box.locator(":scope > .mc-explorer-output")
    if controls.count() == 0:
        _fail(f"explorer {number} rendered no controls")
    if output.count() != 1:
        _fail(f"explorer {number} has {output.count()} .mc-explorer-output areas, expected 1")
    box.scroll_into_view_if_needed()  # for the screenshot
    for index in range(controls.count()):
        control = controls.nth(index)
        if not control.is_visible():
            _fail(f"explorer {number}: control {index} is not visible")
        before = _state(output)
        if before["stderr"] or not before["src"] or not before["text"]:
            _fail(f"explorer {number} shows no figure and summary: {before}")
        action = _move(control)
        _wait(page, _OUTPUT_CHANGED, [output.element_handle(), before], UPDATE_TIMEOUT_S,
              f"explorer {number}, control {index} ({action}): the figure and summary "
              f"stayed {before['text']!r}")
        after = _state(output)
        if after["stderr"]:
            _fail(f"explorer {number}, control {index} ({action}): {after['stderr'][:400]}")
    return controls.count()


@contextmanager
def _notebook_page(context: BrowserContext, lab: Lab, notebook: Path,
                   screenshot: Path) -> Iterator[Page]:
    """A new page for working on ``notebook``. Any failure inside becomes an AssertionError
    naming the notebook, ``screenshot`` (saved in any case), the server log and the page's
    last JavaScript errors; afterwards the page is closed and its kernels shut down."""
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    try:
        yield page
    except Exception as error:
        details = f"\npage errors: {page_errors[-3:]}" if page_errors else ""
        raise AssertionError(f"{notebook}: {error}\nscreenshot: {screenshot}\n"
                             f"server log: {lab.log}{details}") from None
    finally:
        try:
            page.screenshot(path=str(screenshot))
        finally:
            page.close()
            with suppress(OSError):  # a dead server was already reported
                for session in lab.api("GET", "/api/sessions"):
                    lab.api("DELETE", f"/api/sessions/{session['id']}")


def check_notebook(context: BrowserContext, lab: Lab, notebook: Path, screenshot: Path) -> str:
    """Open ``notebook`` (relative to the server root), run all, check it; return timings.

    Fails with an AssertionError naming ``screenshot``, which is saved in any case.
    """
    times = [time.monotonic()]
    with _notebook_page(context, lab, notebook, screenshot) as page:
        _open(page, lab, notebook)
        times.append(time.monotonic())
        _run_all(page)
        allowed_errors = _raising_cells(lab.root / notebook)
        _check_outputs(page, allowed_errors)
        times.append(time.monotonic())
        boxes = page.locator(".jp-Notebook .mc-explorer")
        explorers = boxes.count()
        controls = sum(_exercise(page, number, boxes.nth(number)) for number in range(explorers))
        _check_outputs(page, allowed_errors)  # moving the controls printed nothing elsewhere
        times.append(time.monotonic())
    opened, ran, exercised = (b - a for a, b in zip(times, times[1:], strict=False))
    return (f"{notebook}: opened in {opened:.1f} s, ran in {ran:.1f} s, "
            f"{explorers} explorer(s) / {controls} control(s) checked in {exercised:.1f} s")


# --- links between notebooks ---------------------------------------------------------------

_CURRENT_PATH = "() => window.jupyterapp.shell.currentWidget?.context?.path ?? ''"
_CURRENT_CELLS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    return panel?.content?.widgets?.length ?? 0;
}"""


def follow_link(context: BrowserContext, lab: Lab, notebook: Path, target: str,
                screenshot: Path) -> str:
    """Open ``notebook``, click the first rendered link whose text is ``target`` (a path
    relative to the server root, as the lessons write it) and require JupyterLab to open
    that file as a notebook with cells. Returns a one-line timing."""
    started = time.monotonic()
    with _notebook_page(context, lab, notebook, screenshot) as page:
        # No need to wait for the kernel here: only the rendered Markdown is used.
        page.add_locator_handler(
            page.locator(".jp-Dialog:has-text('Select Kernel')"),
            lambda dialog: dialog.locator(".jp-mod-accept").click(),
        )
        page.goto(f"{lab.url}/lab/tree/{notebook.as_posix()}?token={lab.token}&reset")
        link = page.locator(".jp-RenderedMarkdown a", has_text=target).first
        link.wait_for(state="attached", timeout=60_000)
        if link.count() == 0:
            _fail(f"no rendered link with the text {target!r}")
        link.scroll_into_view_if_needed()
        link.click()
        _wait(page, f"() => ({_CURRENT_PATH})() === {json.dumps(target)}", None, 30,
              f"clicking {target!r} did not open it (the current document is "
              f"{page.evaluate(_CURRENT_PATH)!r})")
        _wait(page, f"() => ({_CURRENT_CELLS})() > 0", None, 30,
              f"{target!r} opened without cells")
        errors = page.locator(".jp-Dialog:has-text('Cannot open'), .jp-Dialog:has-text('404')")
        if errors.count():
            _fail(f"{target!r}: {errors.first.text_content()[:200]!r}")
    return f"{notebook} -> {target}: opened in {time.monotonic() - started:.1f} s"
