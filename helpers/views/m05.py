"""The view of notebook 05: a drifting corpus, three training-set policies, a policy limit.

Release ``m`` (month 1 to :data:`MONTHS`) retrains on a training set built from the monthly
crawls (:func:`helpers.governance.economics.release_table`). The policy rule checked per release is
``min_real_fraction``: the training set's real share must be at least ``min_real``.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure

from helpers import plots
from helpers.governance import economics
from helpers.governance.policy import RULES
from helpers.validate import fraction, real
from helpers.views import fixed_figure

__all__ = ["MONTHS", "GovernanceSummary", "governance_view"]

MONTHS = 36  # releases shown
_LABELS = {"replace": "replace (latest crawl)", "accumulate": "accumulate (every crawl)",
           "reservoir": "reservoir + latest crawl"}


@dataclass(frozen=True)
class GovernanceSummary:
    """The numbers of :func:`governance_view` (shares in [0, 1], costs in value units)."""

    min_real: float
    fails: dict[str, int]            # releases failing min_real_fraction, per policy
    first_fail: dict[str, int | None]
    value_kept: dict[str, float]     # at the last release
    cost: dict[str, float]           # degradation over all releases (+ reservoir price)
    best_reservoir: float            # cost-minimising reservoir for the last filtered crawl

    def __str__(self) -> str:
        parts = []
        for policy in economics.POLICIES:
            first = self.first_fail[policy]
            when = "never fails" if first is None else f"fails from month {first}"
            parts.append(f"{policy}: {when} ({self.fails[policy]} of {MONTHS} releases), "
                         f"value kept {self.value_kept[policy]:.3f}, "
                         f"cost {self.cost[policy]:.0f}")
        return (f"min real share {self.min_real:.0%}; " + "; ".join(parts)
                + f"; best reservoir at month {MONTHS}: {self.best_reservoir:.1%}")


def governance_view(ceiling: float = 0.9, rate: float = 0.25, tpr: float = 0.5,
                    fpr: float = 0.05, reservoir: float = 0.2, min_real: float = 0.6,
                    value: float = 100.0, price: float = 20.0
                    ) -> tuple[Figure, GovernanceSummary]:
    """Training-set composition per release, pass/fail of the policy, value kept and cost.

    ``value`` is the asset's value per release, ``price`` the cost of a reservoir of
    the whole training set per release (a reservoir fraction r costs ``price * r``).

    >>> fig, summary = governance_view()
    >>> summary.first_fail["reservoir"] is None or summary.first_fail["reservoir"] >= 1
    True
    """
    min_real = fraction(min_real, "min_real")
    value = real(value, "value", minimum=0.0, maximum=1e9)
    price = real(price, "price", minimum=0.0, maximum=1e9)
    table = economics.release_table(MONTHS, ceiling=ceiling, rate=rate, tpr=tpr, fpr=fpr,
                                    reservoir=reservoir)
    months = table["month"]
    fig, (left, right) = fixed_figure(left=0.07, right=0.98, bottom=0.13, top=0.9,
                                      figsize=(10, 3.6), ncols=2, wspace=0.25)
    left.plot(months, table["crawl"], color="grey", linestyle=":", label="crawl (unfiltered)")
    fails, first, kept = {}, {}, {}
    for i, policy in enumerate(economics.POLICIES):
        share = table[policy]
        style = {**plots.series_style(i), "markevery": 6}
        left.plot(months, share, label=_LABELS[policy], **style)
        bad = RULES["min_real_fraction"].broken_by(1 - share, min_real)
        left.plot(months[bad], share[bad], linestyle="none", marker="x", markersize=5,
                  color=style["color"])
        retained = economics.value_retained(1 - share)
        right.plot(months, retained, label=_LABELS[policy], **style)
        fails[policy] = int(bad.sum())
        first[policy] = int(months[bad][0]) if bad.any() else None
        kept[policy] = float(retained[-1])
    cost = economics.release_costs(table, reservoir=reservoir, value=value, price=price)
    left.axhline(1 - min_real, color="black", linewidth=1,
                 label=f"policy limit: real share ≥ {min_real:.0%}")
    left.set_xlabel("release (month)")
    left.set_ylabel("synthetic share of the training set")
    left.set_ylim(0, 1)
    left.set_title("Composition (x: release fails the policy)")
    left.legend(fontsize=8, loc="upper left")
    for ax in (left, right):        # few ticks: text layout is most of the drawing time
        ax.locator_params(nbins=4)
    right.set_xlabel("release (month)")
    right.set_ylabel("value kept (share of real 1% tails)")
    right.set_ylim(min(0.8, min(kept.values()) - 0.02), 1.005)
    right.set_title("The asset's value per release")
    # the replace-like training set is the filtered crawl itself
    best = economics.best_reservoir(crawl_synthetic=float(table["replace"][-1]), value=value,
                                    price=price)
    return fig, GovernanceSummary(min_real, fails, first, kept, cost, best)
