"""Reading, normalising and writing course notebooks, so stored files are deterministic."""

from __future__ import annotations

from pathlib import Path

import nbformat
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
    """Fix the notebook-level metadata and drop per-run noise from cells.

    Kernel and language metadata are set to fixed values (no Python version);
    widget state and live widget views are dropped (they cannot be replayed
    from a file; the explorer cells are re-run by the learner); consecutive
    chunks of the same stream are merged (where the kernel happened to flush
    depends on timing, so it must not show in the stored file).
    """
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = dict(LANGUAGE_INFO)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
        if cell.cell_type == "code":
            cell.outputs = _merge_streams([o for o in cell.outputs
                                           if WIDGET_VIEW not in o.get("data", {})])
    return nb


def _merge_streams(outputs: list) -> list:
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.output_type == "stream" and previous is not None
                and previous.output_type == "stream" and previous.name == output.name):
            previous.text += output.text
        else:
            merged.append(output)
    return merged


def lesson_names() -> list[str]:
    """File names of the lesson notebooks, in course order."""
    return sorted(p.name for p in LESSONS.glob("*.ipynb"))

