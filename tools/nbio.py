"""Reading, normalising and writing course notebooks, so stored files are deterministic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor, CoalesceStreamsPreprocessor
from nbformat import NotebookNode

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "notebooks"
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3", "file_extension": ".py",
                 "mimetype": "text/x-python", "nbconvert_exporter": "python",
                 "codemirror_mode": {"name": "ipython", "version": 3}}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: Cell metadata kept in stored notebooks (nbformat's authored fields); the rest is per-run noise.
CELL_METADATA = frozenset({"tags", "name", "jupyter", "editable", "deletable", "slideshow"})
#: Notebook metadata kept besides the fixed kernelspec and language_info.
NOTEBOOK_METADATA = frozenset({"course"})


def read(path: Path) -> NotebookNode:
    """Read a notebook as nbformat 4."""
    return nbformat.read(path, as_version=4)


def dumps(nb: NotebookNode) -> str:
    """The exact text a normalised notebook is stored as."""
    return nbformat.writes(normalize(nb)) + "\n"


def write(nb: NotebookNode, path: Path) -> None:
    """Normalise ``nb`` and write it to ``path``."""
    Path(path).write_text(dumps(nb), encoding="utf-8")


def js_numbers(value: Any) -> Any:
    """``value`` with every float that is a whole number as an int, as JavaScript writes it.

    JupyterLab parses a notebook into JavaScript objects and writes it back from them on
    save; JavaScript has one number type, so ``2.0`` comes back as ``2`` and a notebook that
    was only opened would change. Stored notebooks are in that form already.

    >>> js_numbers({"measured_seconds": 2.0, "x": [0.5, 1e16, True]})
    {'measured_seconds': 2, 'x': [0.5, 10000000000000000, True]}
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return type(value)((key, js_numbers(item)) for key, item in value.items())
    if isinstance(value, list):
        return [js_numbers(item) for item in value]
    return value


def normalize(nb: NotebookNode) -> NotebookNode:
    """Fix the notebook-level metadata and drop per-run noise from cells, in place.

    Kernel and language metadata are set to fixed values (no Python version);
    notebook metadata other than :data:`NOTEBOOK_METADATA` (e.g. widget state)
    and code-cell metadata other than :data:`CELL_METADATA` (e.g. execution
    timings) are dropped (nbconvert's ``ClearMetadataPreprocessor``); so are
    live widget views (they cannot be replayed from a file; the explorer cells
    are re-run by the learner); consecutive chunks of the same stream are merged
    (``CoalesceStreamsPreprocessor``: where the kernel happened to flush depends
    on timing, so it must not show in the stored file). Whole-number floats
    become ints (:func:`js_numbers`), so JupyterLab writes an opened notebook back
    unchanged (``tests/browser/test_lab_stored.py``).
    """
    clear = ClearMetadataPreprocessor(preserve_cell_metadata_mask=set(CELL_METADATA),
                                      preserve_nb_metadata_mask=set(NOTEBOOK_METADATA))
    clear.preprocess(nb, {})
    nb.metadata = nbformat.from_dict({**nb.metadata, "kernelspec": dict(KERNELSPEC),
                                      "language_info": dict(LANGUAGE_INFO)})
    for cell in nb.cells:
        cell.metadata = nbformat.from_dict(cell.metadata)
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if WIDGET_VIEW not in o.get("data", {})]
    CoalesceStreamsPreprocessor().preprocess(nb, {})
    nb.metadata = nbformat.from_dict(js_numbers(nb.metadata))
    for cell in nb.cells:
        cell.metadata = nbformat.from_dict(js_numbers(cell.metadata))
        for output in cell.get("outputs", []):
            for key in ("data", "metadata"):
                if key in output:
                    output[key] = nbformat.from_dict(js_numbers(output[key]))
    return nb


def lesson_names() -> list[str]:
    """File names of the lesson notebooks, in course order."""
    return sorted(p.name for p in LESSONS.glob("*.ipynb"))

