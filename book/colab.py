"""The Colab set-up cell: the first code cell of every notebook with a Colab button (lessons,
solutions, and the exercises generated from them), made from one template.

On Google Colab it fetches the course repository (the address in pyproject.toml
``[tool.model-collapse-course]``), installs its ``helpers`` package without
dependencies (Colab already has NumPy, SciPy, scikit-learn, matplotlib and
ipywidgets; its own Jupyter stays as it is), moves into the lessons folder (a
sibling of exercises/ and solutions/, so relative paths such as ``../examples``
work from all three) and turns on Colab's widget manager. Anywhere else it
does nothing and prints nothing.

    python -m book.colab          # insert or update the cell in every lesson and solution,
                                  # then regenerate the exercises (python -m tools.exercises)
    python -m book.colab --check  # exit 1 if a notebook's cell is missing or out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell

from tools import nbio

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "notebooks"
#: The folders whose notebooks the site shows with a Colab button; the cell is inserted into
#: the first two (exercises/ copies it from solutions/, see tools/exercises.py).
FOLDERS = (LESSONS, ROOT / "solutions", ROOT / "exercises")
CELL_ID = "colab-setup"
POSITION = 1  # after the front-matter cell (in exercises, after the header the generator adds)

TEMPLATE = '''\
# Google Colab only: fetch the course and install its helpers. Anywhere else: does nothing.
import sys

if "google.colab" in sys.modules:
    import os
    import subprocess

    COURSE = "{repository}"  # the course repository (set in its pyproject.toml)
    if not os.path.isdir("/content/course"):
        subprocess.run(["git", "clone", "--quiet", "--depth", "1", "--branch", "{branch}",
                        COURSE, "/content/course"], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "/content/course"], check=True)
    os.chdir("/content/course/notebooks")
    from google.colab import output

    output.enable_custom_widget_manager()'''


def pyproject() -> dict:
    """pyproject.toml, parsed (tomllib; on Python 3.10 the same parser from PyPI, tomli)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def settings() -> dict[str, str]:
    """The repository address and branch from pyproject.toml (the one place they are set)."""
    return pyproject()["tool"]["model-collapse-course"]


def source(repository: str | None = None, branch: str | None = None) -> str:
    """The cell's code for ``repository`` (default: the configured address)."""
    config = settings()
    return TEMPLATE.format(repository=config["repository"] if repository is None else repository,
                           branch=branch or config["branch"])


def updated(notebook: NotebookNode, code: str) -> bool:
    """Put the cell at its position in ``notebook`` (in place); True if anything changed."""
    cells = notebook["cells"]
    current = next((i for i, c in enumerate(cells) if c.get("id") == CELL_ID), None)
    if current == POSITION and cells[current].source == code:
        return False
    if current is not None:
        del cells[current]
    cells.insert(POSITION, new_code_cell(code, id=CELL_ID))
    return True


def problems(folders: Path | tuple[Path, ...] = FOLDERS) -> list[str]:
    """Notebooks whose first code cell is not the template's Colab cell, or has outputs."""
    code = source()
    found = []
    for folder in (folders,) if isinstance(folders, Path) else folders:
        for path in sorted(folder.glob("*.ipynb")):
            name = f"{folder.name}/{path.name}"
            first = next((c for c in nbio.read(path).cells if c.cell_type == "code"), {})
            if first.get("id") != CELL_ID or first.get("source") != code:
                found.append(f"{name}: the first code cell is not the Colab set-up cell "
                             "(run `python -m book.colab`)")
            elif first.get("outputs"):
                found.append(f"{name}: the Colab set-up cell has stored outputs (it must print "
                             "nothing off Colab)")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report, change nothing")
    args = parser.parse_args(argv)
    if args.check:
        found = problems()
        print("\n".join(found) or "every notebook has the current Colab set-up cell")
        return 1 if found else 0
    code = source()
    for path in [p for folder in FOLDERS[:2] for p in sorted(folder.glob("*.ipynb"))]:
        notebook = nbio.read(path)
        if updated(notebook, code):
            nbio.write(notebook, path)
            print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
