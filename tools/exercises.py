"""Generate exercise notebooks from solution notebooks (the single source).

In a solution notebook:

* a **marker** is any line containing ``BEGIN SOLUTION`` or ``END SOLUTION``
  in any case, as nbgrader reads them (``### BEGIN SOLUTION``,
  ``# ### begin solution`` and ``<!-- ### BEGIN SOLUTION -->`` all count);
  the whole marker line goes;
* in a **code** cell, the lines between the markers become ``...`` and
  ``raise NotImplementedError(...)`` at the indentation of the BEGIN marker
  (regions must sit inside a function, so an untouched exercise notebook
  still runs top to bottom);
* in a **markdown** or **raw** cell, the region becomes ``*Your answer here.*``
  (wrap the markers in an HTML comment in markdown, so they do not render as
  headings);
* line endings become ``\n`` (a CRLF source leaves no stray ``\r``);
* cells tagged ``solution-only`` are dropped (nbconvert's
  ``TagRemovePreprocessor``); outputs and execution counts are cleared
  (``ClearOutputPreprocessor``), and a header cell pointing to the solution
  notebook is inserted after the title cell.

Usage::

    python -m tools.exercises          # regenerate exercises/ from solutions/
    python -m tools.exercises --check  # exit 1 if any exercise notebook has drifted
"""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

from nbconvert.preprocessors import ClearOutputPreprocessor, TagRemovePreprocessor
from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell

from helpers.arguments import Parser
from tools import nbio

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_MARKER = re.compile(r"\b(?P<marker>BEGIN|END)\s+SOLUTION\b", re.IGNORECASE)
_INDENT = re.compile(r"[ \t]*")
_NEWLINE = re.compile(r"\r\n|\r|\n")
SOLUTION_ONLY = "solution-only"
STUB_MESSAGE = "Exercise not solved yet: replace the ... above with your code"
MARKDOWN_STUB = "*Your answer here.*"
HEADER_ID = "exercise-header"


class MarkerError(ValueError):
    """A solution notebook has unbalanced, nested or misplaced markers."""


def strip_regions(source: str, *, code: bool, where: str) -> str:
    r"""Replace every solution region in one cell's source with its stub.

    ``where`` names the notebook and cell for error messages.

    >>> print(strip_regions("## Answer\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION",
    ...                     code=False, where="demo"))
    ## Answer
    *Your answer here.*
    """
    out: list[str] = []
    open_at: int | None = None
    for number, line in enumerate(_NEWLINE.split(source), start=1):
        match = _MARKER.search(line)
        if match is None:
            if open_at is None:
                out.append(line)
            continue
        indent = _INDENT.match(line)[0]
        if match["marker"].upper() == "BEGIN":
            if open_at is not None:
                raise MarkerError(f"{where}: nested {BEGIN} at line {number} "
                                  f"(the region opened at line {open_at} is not closed)")
            if code and not indent:
                raise MarkerError(f"{where}: {BEGIN} at line {number} is not indented; "
                                  "solution regions in code must sit inside a function")
            open_at = number
            if code:
                out += [f"{indent}...", f'{indent}raise NotImplementedError("{STUB_MESSAGE}")']
            else:
                out.append(MARKDOWN_STUB)
        else:
            if open_at is None:
                raise MarkerError(f"{where}: {END} at line {number} without a {BEGIN}")
            open_at = None
    if open_at is not None:
        raise MarkerError(f"{where}: {BEGIN} at line {open_at} is never closed by {END}")
    return "\n".join(out)


def header_cell(name: str) -> NotebookNode:
    """The note at the top of every exercise notebook."""
    cell = new_markdown_cell(
        f"> **This is the exercise notebook.** Write your code where you see `...` and "
        f"`raise NotImplementedError`, then run the check cell below it: it answers with "
        f"✓ (correct), ✗ and a hint, or *not attempted yet*. Try each exercise yourself "
        f"first; the worked solutions are in [`solutions/{name}`](../solutions/{name})."
    )
    cell["id"] = HEADER_ID
    return cell


def make_exercise(solution: NotebookNode, name: str) -> NotebookNode:
    """Return the exercise notebook generated from ``solution`` (file name ``name``)."""
    nb = copy.deepcopy(solution)
    for index, cell in enumerate(nb.cells):  # numbered as in the solution notebook
        cell.source = strip_regions(cell.source, code=cell.cell_type == "code",
                                    where=f"{name}, cell {index}")
    nb, _ = TagRemovePreprocessor(remove_cell_tags={SOLUTION_ONLY}).preprocess(nb, {})
    nb, _ = ClearOutputPreprocessor().preprocess(nb, {})
    cells = list(nb.cells)
    if not cells or cells[0].cell_type != "markdown":
        raise MarkerError(f"{name}: the first cell must be the markdown title cell")
    nb.cells = [cells[0], header_cell(name), *cells[1:]]
    nb.metadata["course"] = {"role": "exercise"}  # no run times: they change every execution
    return nb


def expected_exercises(solutions: Path = nbio.SOLUTIONS) -> dict[str, str]:
    """File name -> the exact text each exercise notebook should have."""
    return {path.name: nbio.dumps(make_exercise(nbio.read(path), path.name))
            for path in sorted(Path(solutions).glob("*.ipynb"))}


def drifted(solutions: Path = nbio.SOLUTIONS, exercises: Path = nbio.EXERCISES) -> list[str]:
    """Exercise notebooks that differ from what the solutions generate (or are missing/extra)."""
    expected = expected_exercises(solutions)
    present = {p.name for p in Path(exercises).glob("*.ipynb")}
    stale = [name for name, text in expected.items()
             if name not in present
             or (Path(exercises) / name).read_text(encoding="utf-8") != text]
    extra = sorted(present - set(expected))
    return sorted(stale) + extra


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="python -m tools.exercises", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="report drift instead of writing; exit 1 if any")
    args = parser.parse_args(argv)
    if args.check:
        stale = drifted()
        for name in stale:
            print(f"exercises/{name} differs from what solutions/{name} generates; "
                  "run `make exercises`")
        return 1 if stale else 0
    nbio.EXERCISES.mkdir(exist_ok=True)
    for name, text in expected_exercises().items():
        Path(nbio.EXERCISES / name).write_text(text, encoding="utf-8")
        print(f"wrote exercises/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
