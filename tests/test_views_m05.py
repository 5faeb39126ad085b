"""The view and the explorer of notebook 05, over the slider ranges."""

from __future__ import annotations

import math
import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers import explorers
from helpers.explorers import render
from helpers.governance import economics
from helpers.views import m05

matplotlib.use("Agg")


def view(**params):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig, summary = m05.governance_view(**params)
    assert isinstance(fig, Figure)
    plt.close(fig)
    return summary


@pytest.mark.parametrize("params", [
    {}, dict(ceiling=0.1, rate=0.05, tpr=0.0, fpr=0.0, reservoir=0.0, min_real=0.0),
    dict(ceiling=1.0, rate=1.0, tpr=0.99, fpr=0.5, reservoir=1.0, min_real=1.0, value=1000,
         price=200), dict(ceiling=1.0, tpr=0.0, fpr=0.0, reservoir=0.0, value=0.0, price=0.0),
])
def test_view_over_the_control_ranges(params):
    summary = view(**params)
    text = str(summary)
    for policy in ("replace", "accumulate", "reservoir"):
        assert 0 <= summary.fails[policy] <= m05.MONTHS
        assert 0 <= summary.value_kept[policy] <= 1 + 1e-12
        assert summary.cost[policy] >= 0
        assert f"{policy}: " in text
    assert 0 <= summary.best_reservoir <= 1


def test_first_failure_matches_the_logistic_inverted_by_hand():
    # No detector and no reservoir: the replace training set is the latest crawl, whose
    # synthetic share ceiling / (1 + exp(-rate (m - 18))) passes 1 - min_real at
    # m = 18 - ln(ceiling / (1 - min_real) - 1) / rate.
    ceiling, rate, min_real = 0.9, 0.25, 0.6
    crossing = 18 - math.log(ceiling / (1 - min_real) - 1) / rate
    summary = view(ceiling=ceiling, rate=rate, tpr=0.0, fpr=0.0, reservoir=0.0,
                   min_real=min_real)
    assert summary.first_fail["replace"] == math.floor(crossing) + 1
    assert summary.fails["replace"] == m05.MONTHS - math.floor(crossing)
    assert summary.first_fail["reservoir"] == summary.first_fail["replace"]


def test_controls_move_the_summary_the_right_way():
    base = view()
    assert view(reservoir=0.5).fails["reservoir"] < base.fails["reservoir"]
    assert view(tpr=0.9).fails["replace"] < base.fails["replace"]
    assert view(min_real=0.3).fails["replace"] < base.fails["replace"]
    assert view(price=100).best_reservoir < base.best_reservoir
    assert base.fails["accumulate"] <= base.fails["reservoir"] <= base.fails["replace"]
    assert view(value=0.0).cost["replace"] == 0.0


def test_table_and_bad_arguments():
    table = economics.release_table(m05.MONTHS)
    assert table["month"].tolist() == list(range(1, m05.MONTHS + 1))
    assert np.all(table["replace"] <= table["crawl"])
    with pytest.raises(ValueError, match="min_real"):
        m05.governance_view(min_real=1.5)
    with pytest.raises(ValueError, match="tpr"):
        m05.governance_view(tpr=-0.1)
    with pytest.raises(ValueError, match="price"):
        m05.governance_view(price=-1)


def test_explorer_builds_and_renders():
    box = explorers.governance_explorer()
    assert "mc-explorer" in box._dom_classes
    png, text = render(m05.governance_view, {"reservoir": 0.4})
    assert png.startswith(b"\x89PNG") and "best reservoir" in text
