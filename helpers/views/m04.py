"""The view of notebook 04: one control on the Gaussian loop (MLE, ddof=0, truth N(0, 1)),
with the no-control (replace) curve as reference and the cost of the control.

The simulations and costs are in :mod:`helpers.mitigations`, the diagram of where each
control acts in :func:`helpers.diagrams.controls_diagram`, the widget in
:func:`helpers.explorers.mitigation_explorer`.

Generation 1 is the model fitted on the real sample, except under the typicality filter,
which runs from the first draw (generation 0 is the truth; :mod:`helpers.mitigations`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from helpers import plots
from helpers.mitigations import CONTROLS, CORPUS_SHARE, Cost, cost_of, run_control
from helpers.validate import fraction, integer, one_of, real

__all__ = ["CHAINS", "MitigationSummary", "mitigation_view"]

CHAINS = 200


@dataclass(frozen=True)
class MitigationSummary:
    """The numbers behind one explorer figure; ``str()`` is the printed line."""

    control: str
    setting: str
    n: int
    generation: int
    median_var: float
    low_var: float  # 10th percentile over chains
    high_var: float  # 90th percentile over chains
    expected_var: float | None  # closed form E[σ²] at the last generation, if there is one
    replace_median_var: float
    cost: Cost

    def __str__(self) -> str:
        theory_part = ("" if self.expected_var is None
                       else f", theory E[σ²] = {self.expected_var:.3f}")
        c = self.cost
        draws = "∞" if np.isinf(c.draws_per_kept) else f"{c.draws_per_kept:.2f}"
        return (f"{self.control} ({self.setting}), n = {self.n}, generation {self.generation}: "
                f"median σ² = {self.median_var:.3f} (10–90%: {self.low_var:.3f} to "
                f"{self.high_var:.3f}){theory_part}; no control: {self.replace_median_var:.3f}. "
                f"Cost: {c.real_per_generation:.0f} new real points per generation, "
                f"{draws} samples generated per synthetic sample used, training set "
                f"{c.train_size:,} points, compute {c.relative_compute:.1f}× replace.")


def _setting(control: str, real_fraction: float, tpr: float, fpr: float, k: float) -> str:
    if control in ("fresh real data", "real-data reservoir"):
        return f"real fraction {real_fraction:.0%}"
    if control == "provenance filter":
        return f"corpus {CORPUS_SHARE:.0%} synthetic, TPR {tpr:.2f}, FPR {fpr:.2f}"
    if control == "typicality filter (the trap)":
        return f"keeps |x − μ| < {k:g}σ"
    return "keeps every synthetic set"


def mitigation_view(control: str = "fresh real data", real_fraction: float = 0.1,
                    tpr: float = 0.9, fpr: float = 0.05, k: float = 2.0,
                    generations: int = 100, n: int = 100, seed: int = 0
                    ) -> tuple[Figure, MitigationSummary]:
    """One control on the Gaussian loop: median fitted σ² with its 10–90% band over 200
    chains, the closed form where there is one, and the replace median as reference.

    >>> fig, summary = mitigation_view(generations=20)
    >>> str(summary).startswith("fresh real data (real fraction 10%), n = 100, generation 20")
    True
    """
    control = one_of(control, "control", CONTROLS)
    real_fraction = fraction(real_fraction, "real_fraction")
    tpr, fpr = fraction(tpr, "tpr"), fraction(fpr, "fpr")
    k = real(k, "k", minimum=0.5, maximum=10.0)
    generations = integer(generations, "generations", minimum=2, maximum=1000)
    n = integer(n, "n", minimum=10, maximum=10_000)
    seed = integer(seed, "seed", minimum=0)

    res, expected = run_control(control, n=n, generations=generations, n_chains=CHAINS,
                                real_fraction=real_fraction, tpr=tpr, fpr=fpr, k=k, seed=seed)
    ref, _ = run_control("replace", n=n, generations=generations, n_chains=CHAINS, seed=seed)
    ref_median = np.median(ref.var, axis=1)
    gens = res.generations

    fig, ax = plots.new_figure(layout="none")
    fig.subplots_adjust(left=0.11, right=0.98, bottom=0.13, top=0.92)
    ax.plot(gens, ref_median, color=plots.OKABE_ITO["black"], linestyle="--", linewidth=1.6,
            label="no control (replace): median")
    plots.collapse_curve(res.var, ax=ax, x=gens, label=f"{control}: median of {CHAINS} chains",
                         band=(10, 90), theory=expected, theory_label="theory: E[σ²]",
                         ylabel="fitted variance σ² (truth: 1)")
    ax.set_ylim(0.0, 1.6)
    ax.set_xlabel("generation")
    ax.set_title(f"{control}: {_setting(control, real_fraction, tpr, fpr, k)}", fontsize=10)
    ax.legend(fontsize=8, loc="lower left")

    low, med, high = np.percentile(res.var[-1], [10, 50, 90])
    summary = MitigationSummary(
        control=control, setting=_setting(control, real_fraction, tpr, fpr, k), n=n,
        generation=generations, median_var=float(med), low_var=float(low),
        high_var=float(high),
        expected_var=None if expected is None else float(expected[-1]),
        replace_median_var=float(ref_median[-1]),
        cost=cost_of(control, n=n, generations=generations, real_fraction=real_fraction,
                     tpr=tpr, fpr=fpr, k=k))
    return fig, summary
