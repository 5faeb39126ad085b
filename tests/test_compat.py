"""tools/compat.py's verdict on an executed notebook: checks as stored, every explorer drew."""

from __future__ import annotations

import json

from tools import compat


def check(exercise: str, status: str) -> dict:
    return {"output_type": "display_data", "metadata": {},
            "data": {compat.CHECK_MIME: {"exercise": exercise, "status": status}}}


def notebook(statuses: list[tuple[str, str]], explorer_outputs: list[list[dict]] | None = None,
             explorer_cells: int = 0) -> dict:
    cells = [{"cell_type": "code", "source": "check.x(f)", "outputs": [check(*s)]}
             for s in statuses]
    cells += [{"cell_type": "code", "source": "explorers.spread_explorer()", "outputs": []}
              for _ in range(explorer_cells)]
    state = {f"m{i}": {"state": {"_dom_classes": [compat.EXPLORER_OUTPUT], "outputs": outputs}}
             for i, outputs in enumerate(explorer_outputs or [])}
    state["other"] = {"state": {"_dom_classes": [], "outputs": []}}
    return {"cells": cells, "metadata": {"widgets": {compat.WIDGET_STATE: {"state": state}}}}


FIGURE = [{"output_type": "display_data", "data": {"image/png": "iVBOR"}},
          {"output_type": "stream", "name": "stdout", "text": "n = 20"}]


def test_a_run_like_the_stored_one_has_no_problem():
    stored = notebook([("01.1", "pass"), ("00.1", "fail")], explorer_cells=1)
    executed = notebook([("01.1", "pass"), ("00.1", "fail")], [FIGURE], explorer_cells=1)
    assert compat.problems_in(stored, executed) == []


def test_a_check_that_no_longer_passes_is_a_problem():
    stored = notebook([("01.1", "pass")])
    found = compat.problems_in(stored, notebook([("01.1", "fail")]))
    assert found == ["self-checks [('01.1', 'fail')] where the stored notebook has "
                     "[('01.1', 'pass')]"]


def test_an_explorer_that_did_not_draw_is_a_problem():
    stored = notebook([], explorer_cells=1)
    failed = [{"output_type": "stream", "name": "stderr",
               "text": "This setting could not be drawn (AttributeError: ...)."}]
    assert compat.problems_in(stored, notebook([], [failed], explorer_cells=1))[0].startswith(
        "an explorer did not draw")
    assert compat.problems_in(stored, notebook([], [], explorer_cells=1)) == [
        "0 explorer figure(s) for 1 explorer cell(s)"]


def test_the_set_ups_cover_oldest_newest_and_colab():
    assert set(compat.SETUPS) == {"oldest", "newest", "colab"}
    assert "lowest-direct" in compat.SETUPS["oldest"].install
    assert compat.SETUPS["colab"].env["COLAB_RELEASE_TAG"]
    assert str(compat.COLAB) in compat.SETUPS["colab"].install


def test_ci_runs_the_compat_set_ups_after_the_test_suite():
    commands = [line.strip() for line in (compat.ROOT / ".ci" / "run").read_text().splitlines()
                if line.strip().startswith("make ")]
    assert commands == ["make test", "make test-compat"]


def test_notebooks_are_batched_by_their_stored_time(tmp_path):
    paths = []
    for name, seconds in (("a", 9.0), ("b", 5.0), ("c", 4.0), ("d", 3.0), ("e", 2.0)):
        path = tmp_path / f"{name}.ipynb"
        path.write_text(json.dumps({"metadata": {"course": {"measured_seconds": seconds}}}))
        paths.append(path)
    groups = compat.batches(paths, 2)
    # longest first, each to the batch with less so far (the first on a tie): a | b, c | d | e
    assert [[p.stem for p in g] for g in groups] == [["a", "d"], ["b", "c", "e"]]
    assert compat.batches(paths[:1], 2) == [paths[:1]]  # no empty batch


def test_colab_runs_the_drawing_unit_tests_and_the_others_run_all():
    assert compat.SETUPS["oldest"].tests == compat.SETUPS["newest"].tests == ("tests", "helpers")
    colab = compat.expand(compat.SETUPS["colab"].tests)
    assert "tests/test_rendering.py" in colab and "tests/test_views_m00.py" in colab
    assert all((compat.ROOT / path).exists() for path in colab)
