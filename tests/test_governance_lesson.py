"""Lesson 05's policy and risk register: regenerated from the lesson's own cells, every number
in them is one a cell of the lesson printed."""

from __future__ import annotations

import re

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers.governance import economics
from tools import nbio

matplotlib.use("Agg")
LESSON = nbio.LESSONS / "05_governance.ipynb"
NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(%?)")
# Labels, not results: lesson numbers, the AI Act article, the name of the lesson's policy.
LABELS = {"02", "04", "05", "50"}
# Cells that would write files or start processes; the report cell's inputs do not need them.
SKIPPED = ("subprocess.run", "write_reports(", "governance_explorer()")


def stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


@pytest.fixture(scope="module")
def lesson():
    nb = nbio.read(LESSON)
    namespace: dict = {}
    original_show = plt.show
    plt.show = lambda *a, **k: plt.close("all")
    try:
        for cell in nb.cells:
            if cell.cell_type == "code" and not any(s in cell.source for s in SKIPPED):
                exec(compile(cell.source, str(LESSON), "exec"), namespace)
    finally:
        plt.show = original_show
        plt.close("all")
    return nb, namespace


def report_cell(nb):
    [cell] = [c for c in nb.cells if c.cell_type == "code" and "risk_register_markdown" in c.source]
    return cell


def test_regenerated_reports_match_the_stored_notebook(lesson):
    nb, ns = lesson
    assert stdout(report_cell(nb)) == ns["policy_text"] + "\n" + ns["register_text"] + "\n"


def test_every_number_in_the_reports_was_printed_by_an_earlier_cell(lesson):
    nb, ns = lesson
    cells = [c for c in nb.cells if c.cell_type == "code"]
    earlier = "".join(stdout(c) for c in cells[:cells.index(report_cell(nb))])
    earlier += "".join(stdout(c) for c in cells if "governance_view()" in c.source)
    printed = [float(x) for x, _ in NUMBER.findall(earlier)]
    text = ns["policy_text"] + ns["register_text"]
    unmatched = []
    for digits, percent in NUMBER.findall(text):
        if digits in LABELS:
            continue
        value = float(digits) / (100 if percent else 1)
        places = (len(digits.split(".")[1]) if "." in digits else 0) + (2 if percent else 0)
        if not any(round(p, places) == round(value, places) or
                   round(p / 100, places) == round(value, places) for p in printed):
            unmatched.append(digits + percent)
    assert unmatched == [], f"numbers in the reports that no earlier cell printed: {unmatched}"


def test_key_report_numbers_agree_with_an_independent_computation(lesson):
    _, ns = lesson
    # the break-even, searched again on a finer grid
    r = np.linspace(0, 1, 20_001)
    s = ns["after_detector"]
    cost = 100 * (1 - economics.value_retained(r + (1 - r) * (1 - s))) + 20 * r
    best = r[np.argmin(cost)]
    # the register names the least reservoir that meets the policy's real-share rule (the
    # cost-minimising one does not), found again by a grid search on the real share
    rule = ns["monitored"].rules["min_real_fraction"].limit
    needed = r[np.argmax(r + (1 - r) * (1 - s) >= rule - 1e-12)]
    assert best + (1 - best) * (1 - s) < rule <= needed + (1 - needed) * (1 - s) + 1e-12
    assert (f"reservoir of {needed:.1%} verified real data, the least that meets the real-share "
            f"rule (the cost-minimising {best:.1%} does not)") in ns["register_text"]
    assert f"< {ns['threshold']:.4f}" in ns["register_text"]
    assert ns["threshold"] == pytest.approx(np.quantile(ns["null"], 0.01, method="lower"),
                                            abs=0.02)
