"""Figures and the explorer of notebook 04: mitigations.

* :func:`controls_diagram`: where each control acts in the loop;
* :func:`mitigation_view` and :func:`mitigation_explorer`: one control on the Gaussian loop
  (MLE, ddof=0, truth N(0, 1)), with the no-control (replace) curve as reference and the
  cost of the control.

Generation 1 is the model fitted on the real sample, except under the typicality filter,
which runs from the first draw (generation 0 is the truth; :mod:`helpers.mitigations`).
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from helpers import chains, mitigations, plots, policies, theory
from helpers.explorers import explorer, slider
from helpers.validate import fraction, integer, one_of, real

__all__ = ["CONTROLS", "Cost", "MitigationSummary", "cost_of", "run_control",
           "controls_diagram", "mitigation_view", "mitigation_explorer"]

#: The controls of the explorer (display names).
CONTROLS = ("fresh real data", "real-data reservoir", "accumulate", "provenance filter",
            "typicality filter (the trap)")
CHAINS = 200
CORPUS_SHARE = 0.5  # synthetic share of the corpus the provenance filter sees


@dataclass(frozen=True)
class Cost:
    """What a control costs per generation on the Gaussian loop with ``n`` points per fit."""

    real_per_generation: float  # new real points needed each generation (after generation 1)
    draws_per_kept: float  # synthetic samples generated per synthetic sample trained on
    train_size: int  # training-set size at the last generation
    relative_compute: float  # points fitted over all generations / (generations * n)


def cost_of(control: str, *, n: int, generations: int, real_fraction: float = 0.1,
            tpr: float = 0.9, fpr: float = 0.05, k: float = 2.0) -> Cost:
    """The :class:`Cost` of ``control`` (one of :data:`CONTROLS` or ``"replace"``).

    >>> cost_of("accumulate", n=100, generations=3).train_size
    300
    """
    control = one_of(control, "control", ("replace", *CONTROLS))
    n = integer(n, "n", minimum=2)
    generations = integer(generations, "generations", minimum=1)
    if control == "accumulate":
        sizes = n * np.arange(1, generations + 1)
        return Cost(0.0, 1.0, int(sizes[-1]), float(sizes.sum() / (generations * n)))
    if control in ("fresh real data", "real-data reservoir"):
        n_real = round(fraction(real_fraction, "real_fraction") * n)
        fresh = float(n_real) if control == "fresh real data" else 0.0
        return Cost(fresh, 1.0, n, 1.0)
    if control == "provenance filter":
        n_real, n_synthetic = policies.provenance_counts(n, CORPUS_SHARE, tpr, fpr)
        total = n_real + n_synthetic
        per_kept = (round(CORPUS_SHARE * n) / n_synthetic) if n_synthetic else float("inf")
        return Cost(float(n - round(CORPUS_SHARE * n)), per_kept, total,
                    (n + (generations - 1) * total) / (generations * n))
    if control == "typicality filter (the trap)":
        return Cost(0.0, 1.0 / theory.truncation_acceptance(real(k, "k", minimum=0.5)), n, 1.0)
    return Cost(0.0, 1.0, n, 1.0)


def run_control(control: str, *, n: int, generations: int, n_chains: int = CHAINS,
                real_fraction: float = 0.1, tpr: float = 0.9, fpr: float = 0.05,
                k: float = 2.0, seed: int = 0) -> tuple[chains.GaussianChains, np.ndarray | None]:
    """Simulate ``control`` on the Gaussian loop; returns the chains and E[σ²_t] if known.

    >>> res, expected = run_control("fresh real data", n=100, generations=5)
    >>> res.var.shape, round(float(expected[-1]), 4)
    ((6, 200), 0.9663)
    """
    control = one_of(control, "control", ("replace", *CONTROLS))
    t = np.arange(generations + 1)
    if control == "replace":
        return (chains.gaussian_policy(n, generations, n_chains, seed=seed),
                theory.gaussian_var(t, n))
    if control == "accumulate":
        return (chains.gaussian_policy(n, generations, n_chains, policy="accumulate", seed=seed),
                theory.gaussian_accumulate_var(t, n))
    if control == "fresh real data":
        return (chains.gaussian_policy(n, generations, n_chains, policy="fresh",
                                       real_fraction=real_fraction, seed=seed),
                theory.reservoir_var(t, n, real_fraction))
    if control == "real-data reservoir":
        return (chains.gaussian_policy(n, generations, n_chains, policy="mix",
                                       real_fraction=real_fraction, seed=seed), None)
    if control == "provenance filter":
        res = mitigations.provenance_chains(n, generations, n_chains, share=CORPUS_SHARE,
                                            tpr=tpr, fpr=fpr, seed=seed)
        return res, None
    res, _ = mitigations.gaussian_filtered(n, generations, n_chains, k=k, seed=seed)
    return res, theory.typicality_var(t, n, k)


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

    res, expected = run_control(control, n=n, generations=generations,
                                real_fraction=real_fraction, tpr=tpr, fpr=fpr, k=k, seed=seed)
    ref, _ = run_control("replace", n=n, generations=generations, seed=seed)
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


def mitigation_explorer() -> widgets.VBox:
    """Control selector and its settings for :func:`mitigation_view`."""
    wide = {"style": {"description_width": "initial"}}
    return explorer(
        mitigation_view,
        title="Which control keeps the Gaussian loop healthy, and what does it cost?",
        control=widgets.Dropdown(options=list(CONTROLS), value="fresh real data",
                                 description="control"),
        real_fraction=slider("real fraction (fresh, reservoir)", 0.1, 0.0, 1.0, step=0.01,
                             readout_format=".0%", **wide),
        tpr=slider("detector TPR", 0.9, 0.0, 1.0, step=0.05, **wide),
        fpr=slider("detector FPR", 0.05, 0.0, 0.5, step=0.01, **wide),
        k=slider("typicality cut-off k (σ)", 2.0, 1.0, 4.0, step=0.25, **wide),
        generations=slider("generations", 100, 10, 300, step=10, **wide),
    )


def controls_diagram() -> Figure:
    """The loop data → fit → sample → next training set, with where each control acts."""
    fig, ax = plots.new_figure(figsize=(10, 4.2), layout="none")
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.9)
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 4.2)
    ax.axis("off")
    boxes = {"train": (0.2, 1.6, "training set\nof generation t"),
             "fit": (3.0, 1.6, "fit\nmodel t"),
             "sample": (5.6, 1.6, "sample\nsynthetic data"),
             "filter": (8.0, 1.6, "filter\nsynthetic data")}
    for x, y, text in boxes.values():
        ax.add_patch(FancyBboxPatch((x, y), 1.8, 1.0, boxstyle="round,pad=0.05",
                                    facecolor="0.93", edgecolor="black"))
        ax.text(x + 0.9, y + 0.5, text, ha="center", va="center", fontsize=9.5)
    for start, end in ((2.0, 3.0), (4.8, 5.6), (7.4, 8.0)):
        ax.annotate("", xy=(end, 2.1), xytext=(start, 2.1),
                    arrowprops=dict(arrowstyle="-|>", color="black"))
    ax.annotate("", xy=(1.1, 1.55), xytext=(8.9, 1.55),
                arrowprops=dict(arrowstyle="-|>", color="black",
                                connectionstyle="arc3,rad=-0.25"))
    ax.text(5.0, 0.35, "build the next training set (generation t + 1)", ha="center",
            fontsize=9.5, style="italic")
    notes = [(1.1, 3.05, "real-data reservoir · fresh real data\naccumulation",
              plots.OKABE_ITO["blue"]),
             (6.5, 3.05, "sampling choices:\ntemperature, truncation",
              plots.OKABE_ITO["vermillion"]),
             (8.9, 3.05, "verification gate\nprovenance filter\n(typicality filter: the trap)",
              plots.OKABE_ITO["bluish_green"])]
    for x, y, text, colour in notes:
        ax.text(x, y, text, ha="center", va="bottom", fontsize=9, color=colour,
                fontweight="bold")
    ax.set_title("Where each control acts in the loop", fontsize=11)
    return fig
