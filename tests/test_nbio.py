"""Stored notebooks are normalised so that re-executing them gives identical files."""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_notebook, new_output

from tools.nbio import KERNELSPEC, WIDGET_VIEW, normalize


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
