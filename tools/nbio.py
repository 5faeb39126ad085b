"""Reading, normalising and writing course notebooks, so stored files are deterministic."""

from __future__ import annotations

from pathlib import Path

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


def normalize(nb: NotebookNode) -> NotebookNode:
    """Fix the notebook-level metadata and drop per-run noise from cells, in place.

    Kernel and language metadata are set to fixed values (no Python version);
    notebook metadata other than :data:`NOTEBOOK_METADATA` (e.g. widget state)
    and code-cell metadata other than :data:`CELL_METADATA` (e.g. execution
    timings) are dropped (nbconvert's ``ClearMetadataPreprocessor``); so are
    live widget views (they cannot be replayed from a file; the explorer cells
    are re-run by the learner); consecutive chunks of the same stream are merged
    (``CoalesceStreamsPreprocessor``: where the kernel happened to flush depends
    on timing, so it must not show in the stored file).
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
    return nb


def lesson_names() -> list[str]:
    """File names of the lesson notebooks, in course order."""
    return sorted(p.name for p in LESSONS.glob("*.ipynb"))

