"""Re-execute lesson and solution notebooks in place, then refresh the course map.

Each notebook is restarted and run top to bottom in a fresh kernel of the
*current* Python environment (not whatever ``python3`` kernel a user has
registered), with sequential execution counts. Its metadata is normalised;
first every lesson's front matter, then each notebook's measured execution
time is stored in ``metadata["course"]``; last the README course map is
regenerated.

Usage::

    python -m tools.execute                      # every lesson and solution
    python -m tools.execute notebooks/01_*.ipynb # just these
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import ipykernel.kernelspec
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbconvert.preprocessors import ClearOutputPreprocessor
from nbformat import NotebookNode

from tools import coursemap, nbio

TIMEOUT = 120  # seconds per cell; the budget per notebook is 30 s


class CurrentEnvKernelSpecs(KernelSpecManager):
    """Always start ipykernel from this Python, whatever the notebook's kernelspec says."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(resource_dir=ipykernel.kernelspec.RESOURCES,
                          **ipykernel.kernelspec.get_kernel_dict())


def run(nb: NotebookNode, cwd: Path) -> float:
    """Execute ``nb`` in memory from a fresh kernel started in ``cwd``; return the wall time.

    Outputs are cleared first (nbconvert's ``ClearOutputPreprocessor``). Raises
    ``nbclient.exceptions.CellExecutionError`` on the first cell that fails.
    """
    ClearOutputPreprocessor().preprocess(nb, {})
    manager = KernelManager(kernel_spec_manager=CurrentEnvKernelSpecs())
    client = NotebookClient(nb, km=manager, timeout=TIMEOUT, record_timing=False,
                            store_widget_state=True, resources={"metadata": {"path": cwd}})
    start = time.perf_counter()
    try:
        client.execute()
    finally:  # the client does not own a kernel manager it was given
        if manager.has_kernel:
            manager.shutdown_kernel(now=True)
    return time.perf_counter() - start


def execute(path: Path) -> float:
    """Execute the notebook at ``path`` in place and record its execution time."""
    nb = nbio.read(path)
    seconds = run(nb, path.parent)
    nb.metadata.setdefault("course", {})["measured_seconds"] = round(seconds, 1)
    nbio.write(nb, path)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Re-execute notebooks in place.")
    parser.add_argument("paths", nargs="*", type=Path,
                        help="notebooks to execute (default: all lessons and solutions)")
    args = parser.parse_args(argv)
    paths = args.paths or [*sorted(nbio.LESSONS.glob("*.ipynb")),
                           *sorted(nbio.SOLUTIONS.glob("*.ipynb"))]
    coursemap.refresh_metadata()
    for path in paths:
        seconds = execute(path.resolve())
        print(f"{seconds:6.1f} s  {path}")
    return coursemap.main([])


if __name__ == "__main__":
    sys.exit(main())
