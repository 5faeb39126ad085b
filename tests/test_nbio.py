"""Stored notebooks are normalised so that re-executing them gives identical files."""

from __future__ import annotations

import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from tools import nbio
from tools.nbio import KERNELSPEC, WIDGET_VIEW, dumps, normalize, read

STORED = sorted([*nbio.LESSONS.glob("*.ipynb"), *nbio.SOLUTIONS.glob("*.ipynb"),
                 *nbio.EXERCISES.glob("*.ipynb")])


def test_stream_chunks_split_by_flush_timing_are_merged_in_order():
    cell = new_code_cell("print(1); print(2)", outputs=[
        new_output("stream", name="stdout", text="1\n"),
        new_output("stream", name="stdout", text="2\n"),
        new_output("display_data", data={"text/plain": "<Figure>"}),
        new_output("stream", name="stdout", text="3\n"),
    ])
    outputs = normalize(new_notebook(cells=[cell])).cells[0].outputs
    assert [o.get("text") for o in outputs] == ["1\n2\n", None, "3\n"]


def test_widget_views_and_run_specific_metadata_are_dropped():
    cell = new_code_cell("explorer()", outputs=[
        new_output("display_data", data={WIDGET_VIEW: {"model_id": "abc"}, "text/plain": "VBox"})])
    cell.metadata["execution"] = {"iopub.status.busy": "2026-11-20T22:00:00"}
    mine = {"name": "my-env", "display_name": "Mine"}
    nb = new_notebook(cells=[cell], metadata={"widgets": {"state": {}}, "kernelspec": mine})
    nb = normalize(nb)
    assert nb.cells[0].outputs == [] and "execution" not in nb.cells[0].metadata
    assert "widgets" not in nb.metadata and nb.metadata["kernelspec"] == KERNELSPEC


def _as_a_fresh_run_leaves_it(nb, rng):
    """What nbclient hands back before normalising: split streams, timings, widget views."""
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3.11.9"}
    nb.metadata["language_info"]["version"] = "3.11.9"
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata["execution"] = {"iopub.status.busy": "2026-12-02T02:00:00.000Z"}
        cell.metadata["scrolled"] = True
        outputs = []
        for output in cell.outputs:
            if output.output_type == "stream" and len(output.text) > 1:
                cut = int(rng.integers(1, len(output.text)))
                outputs += [new_output("stream", name=output.name, text=output.text[:cut]),
                            new_output("stream", name=output.name, text=output.text[cut:])]
            else:
                outputs.append(output)
        outputs.append(new_output("display_data", data={WIDGET_VIEW: {"model_id": "x"}}))
        cell.outputs = outputs
    return nb


@pytest.mark.parametrize("path", STORED, ids=[p.name for p in STORED])
def test_a_re_executed_notebook_normalises_to_the_stored_bytes(path):
    stored = path.read_text(encoding="utf-8")
    assert dumps(read(path)) == stored, "the stored notebook is normalised"
    messy = _as_a_fresh_run_leaves_it(read(path), np.random.default_rng(0))
    assert dumps(messy) == stored


def test_stored_notebooks_have_numbers_as_javascript_writes_them():
    """JupyterLab writes 2.0 back as 2: no stored notebook may hold a whole-number float."""
    import json

    for path in STORED:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert nbio.js_numbers(data) == data and json.dumps(nbio.js_numbers(data)) == json.dumps(
            data), path.name


def test_whole_number_floats_are_stored_as_ints_everywhere():
    cell = new_code_cell("x", outputs=[new_output("display_data", data={
        "application/json": {"share": 1.0, "half": 0.5}}, metadata={"width": 700.0})])
    cell.metadata["tags"] = ["a"]
    nb = normalize(new_notebook(cells=[cell], metadata={"course": {"measured_seconds": 2.0}}))
    text = dumps(nb)
    assert '"measured_seconds": 2\n' in text and '"share": 1\n' in text
    assert '"width": 700\n' in text
    assert '"half": 0.5' in text
