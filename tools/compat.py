"""The course on other set-ups than the pinned one: ``make test-compat``.

For each set-up in :data:`SETUPS` a fresh virtual environment is made with uv
(its wheels cached by uv between runs), the course is installed into it, and
inside it every lesson and solution notebook runs top to bottom (no output may
be an error, every self-check must have the status stored in the repository,
i.e. ✓, and every explorer must draw a figure; printed text may differ), then
the unit tests and doctests run (aside: the browser tests, which need the
pinned JupyterLab and Chromium, and the tests that compare stored outputs
exactly, which hold with the lock's versions only: test_notebooks.py,
test_harness.py, the capstone's stored worked report, and the site build;
on the Colab set-up only the unit tests of the drawing code, see
:data:`DRAWING_TESTS`). A summary with the times is printed; the exit status
is 1 if any set-up failed.

    python -m tools.compat                  # all set-ups
    python -m tools.compat oldest colab     # just these

Inside an environment the same module checks notebooks::

    python -m tools.compat --notebooks notebooks/00_start_here.ipynb ...
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "_build" / "compat"  # git-ignored; one environment per set-up
COLAB = ROOT / "requirements" / "colab.txt"
CHECK_MIME = "application/vnd.model-collapse.check+json"
EXPLORER_OUTPUT = "mc-explorer-output"  # the CSS class of an explorer's figure area
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
JOBS = 2  # notebooks run at once (each in its own kernel), and pytest-xdist workers


#: The unit tests of the code that draws and shows: explorers, views, the renderer, plots and
#: the environment check (ipywidgets and matplotlib are what Colab pins outside the range the
#: oldest and newest set-ups span: ipywidgets 7.7.1 is below our declared minimum).
DRAWING_TESTS = ("tests/test_views_*.py", "tests/test_rendering.py", "tests/test_plots.py",
                 "tests/test_environment.py", "tests/test_compat.py", "helpers/explorers.py",
                 "helpers/rendering.py", "helpers/plots.py", "helpers/environment.py")


@dataclass(frozen=True)
class Setup:
    """A Python version, how the course is installed, environment variables to set, and the
    unit tests to run (paths or globs; all of them by default)."""

    python: str
    install: tuple[str, ...]
    why: str
    env: dict[str, str] = field(default_factory=dict)
    tests: tuple[str, ...] = ("tests", "helpers")


SETUPS = {
    "oldest": Setup("3.10", ("--resolution", "lowest-direct", "-e", ".[test]"),
                    "the oldest supported Python, the lowest versions pyproject.toml declares"),
    "newest": Setup("3.13", ("--upgrade", "-e", ".[test]"),
                    "the newest supported Python, the newest releases on PyPI"),
    # Colab's Python is the newest set-up's and its NumPy, SciPy, scikit-learn and matplotlib
    # lie between the oldest and newest set-ups' versions: its unit tests are the drawing ones.
    "colab": Setup("3.13", ("-e", ".[test]", "--override", str(COLAB)),
                   "Google Colab's stack (requirements/colab.txt) under the course",
                   {"COLAB_RELEASE_TAG": "compat-colab-like"}, DRAWING_TESTS),
}


def interpreter(version: str) -> str:
    """A Python ``version`` executable on this machine (PATH, then pyenv), else ``version``
    itself, which uv finds or downloads."""
    found = [shutil.which(f"python{version}") or "",
             *sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python")))]
    for candidate in found:
        if candidate and subprocess.run([candidate, "-c", "pass"], capture_output=True
                                        ).returncode == 0:
            return candidate
    return version


def uv() -> str:
    """The uv executable: on PATH or in this environment (``make`` installs it there)."""
    found = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not Path(found).exists():
        raise SystemExit("make test-compat needs uv: pip install uv (or see tools/venv.sh)")
    return found


def create(name: str, setup: Setup) -> tuple[Path, str]:
    """A fresh environment for ``setup``; returns its Python and the installed versions."""
    venv = WORK / name
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([uv(), "venv", "--quiet", "--seed", "--python", interpreter(setup.python),
                    str(venv)],
                   check=True, cwd=ROOT)
    python = venv / "bin" / "python"
    # --compile-bytecode: where PYTHONDONTWRITEBYTECODE is set (CI) each kernel and test worker
    # would otherwise compile the scientific stack again on import (see tools/venv.sh)
    subprocess.run([uv(), "pip", "install", "--quiet", "--compile-bytecode", "--python",
                    str(python), *setup.install], check=True, cwd=ROOT)
    versions = subprocess.run(
        [str(python), "-c", "import platform, importlib.metadata as m; print('Python', "
         "platform.python_version(), *(f'{p} {m.version(p)}' for p in ('numpy', 'scipy', "
         "'scikit-learn', 'matplotlib', 'ipywidgets', 'jupyterlab')))"],
        check=True, capture_output=True, text=True).stdout.strip()
    return python, versions


def problems_in(stored: dict, executed: dict) -> list[str]:
    """What is wrong with an executed notebook, compared with its stored version."""
    found = []
    statuses = [[], []]
    for index, notebook in enumerate((stored, executed)):
        for cell in notebook["cells"]:
            for output in cell.get("outputs", []):
                check = output.get("data", {}).get(CHECK_MIME)
                if check:
                    statuses[index].append((check["exercise"], check["status"]))
    if statuses[0] != statuses[1]:
        found.append(f"self-checks {statuses[1]} where the stored notebook has {statuses[0]}")
    state = executed.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {})
    areas = [model["state"] for model in state.get("state", {}).values()
             if EXPLORER_OUTPUT in model["state"].get("_dom_classes", ())]
    for area in areas:
        kinds = [o.get("name") or next(iter(o.get("data", {})), "") for o in area["outputs"]]
        if "image/png" not in kinds or "stderr" in kinds:
            found.append(f"an explorer did not draw: {area['outputs']}"[:300])
    calls = sum("_explorer(" in "".join(c["source"]) for c in stored["cells"]
                if c["cell_type"] == "code")
    if len(areas) < calls:
        found.append(f"{len(areas)} explorer figure(s) for {calls} explorer cell(s)")
    return found


def check_notebook(path: Path) -> list[str]:
    """Run one notebook (inside the environment under test) and list its problems."""
    from nbclient.exceptions import CellExecutionError

    from tools import execute, nbio

    stored = json.loads(path.read_text(encoding="utf-8"))
    notebook = nbio.read(path)
    try:
        execute.run(notebook, path.parent)
    except CellExecutionError as error:
        return [f"a cell failed: {str(error).strip().splitlines()[-1][:300]}"]
    return problems_in(stored, json.loads(json.dumps(notebook)))


def notebooks() -> list[Path]:
    return [*sorted((ROOT / "notebooks").glob("*.ipynb")),
            *sorted((ROOT / "solutions").glob("*.ipynb"))]


def batches(paths: list[Path], jobs: int = JOBS) -> list[list[Path]]:
    """``paths`` in ``jobs`` batches of about equal stored execution time (longest first, each
    to the batch with the least so far): one process per batch instead of one per notebook.

    >>> groups = batches(notebooks(), 2)
    >>> len(groups), sorted(p for g in groups for p in g) == sorted(notebooks())
    (2, True)
    """
    seconds = {}
    for path in paths:
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
        seconds[path] = float(meta.get("course", {}).get("measured_seconds", 10.0))
    loads, groups = [0.0] * jobs, [[] for _ in range(jobs)]
    for path in sorted(paths, key=seconds.get, reverse=True):
        emptiest = loads.index(min(loads))
        groups[emptiest].append(path)
        loads[emptiest] += seconds[path]
    return [group for group in groups if group]


def expand(patterns: tuple[str, ...]) -> list[str]:
    """Test paths, globs expanded (relative to the repository)."""
    return [path for pattern in patterns
            for path in (sorted(glob.glob(pattern, root_dir=ROOT)) or [pattern])]


def run_setup(name: str, python: Path, setup: Setup) -> tuple[list[str], str]:
    """Notebooks (``JOBS`` batches at a time, each notebook in a fresh kernel), then the unit
    tests, in the environment of ``name``; returns the problems found and how long each part
    took."""
    env = {**os.environ, **setup.env}  # the course is installed (editable) in the environment
    for variable in ("VIRTUAL_ENV", "PYTHONPATH"):
        env.pop(variable, None)

    def one(batch: list[Path]) -> list[str]:
        result = subprocess.run([str(python), "-m", "tools.compat", "--notebooks",
                                 *map(str, batch)],
                                cwd=ROOT, env=env, capture_output=True, text=True)
        lines = [line for line in result.stdout.splitlines() if line.startswith("✗")]
        if result.returncode and not lines:
            names = ", ".join(str(path.relative_to(ROOT)) for path in batch)
            lines = [f"✗ {names}: {result.stderr.strip()[-500:]}"]
        return lines

    began = time.monotonic()
    with ThreadPoolExecutor(JOBS) as pool:
        found = [line for lines in pool.map(one, batches(notebooks())) for line in lines]
    middle = time.monotonic()
    tests = subprocess.run(
        [str(python), "-m", "pytest", *expand(setup.tests), "--doctest-modules", "-q", "-x",
         # lock: fresh runs compared with stored outputs, which only the lock's versions
         # reproduce (scikit-learn's EM moves the worked capstone's numbers between releases)
         "-m", "not browser and not lock", "-n", str(JOBS), "-p", "no:cacheprovider",
         "--ignore=tests/browser", "--ignore=tests/test_site_build.py",
         "--ignore=tests/test_notebooks.py", "--ignore=tests/test_harness.py"],
        cwd=ROOT, env=env, capture_output=True, text=True)
    if tests.returncode:
        found.append("✗ unit tests:\n" + tests.stdout[-3000:] + tests.stderr[-1000:])
    return found, (f"notebooks {middle - began:.0f} s, "
                   f"unit tests {time.monotonic() - middle:.0f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("setups", nargs="*", choices=[[], *SETUPS], default=[],
                        help="set-ups to test (default: all)")
    parser.add_argument("--notebooks", nargs="+", type=Path,
                        help="(inside an environment) check these notebooks")
    args = parser.parse_args(argv)
    if args.notebooks:
        failed = 0
        for path in args.notebooks:
            for problem in check_notebook(path.resolve()):
                print(f"✗ {path}: {problem}")
                failed = 1
        return failed
    chosen = args.setups or list(SETUPS)
    WORK.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    with ThreadPoolExecutor(len(chosen)) as pool:  # downloads and unpacking overlap
        made = dict(zip(chosen, pool.map(lambda n: create(n, SETUPS[n]), chosen), strict=True))
    print(f"environments made in {time.monotonic() - start:.0f} s")
    failed = False
    for name in chosen:
        python, versions = made[name]
        began = time.monotonic()
        found, parts = run_setup(name, python, SETUPS[name])
        mark = "✗" if found else "✓"
        print(f"{mark} {name} ({SETUPS[name].why}): {versions}; "
              f"{time.monotonic() - began:.0f} s ({parts})", flush=True)
        for problem in found:
            print("   " + problem)
        failed |= bool(found)
    print(f"make test-compat: {time.monotonic() - start:.0f} s in all")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
