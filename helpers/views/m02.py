"""Figures and the explorer of notebook 02: replacement vs accumulation.

* :func:`composition` and :func:`policy_diagram`: what each data policy trains on;
* :func:`policy_view` and :func:`policy_explorer`: the five policies on the Gaussian loop,
  with the replace and accumulate curves as references.

Generation 1 is the model fitted on the real sample; generation t >= 2 is fitted on the
training set the policy builds (the convention of :func:`helpers.chains.gaussian_policy`).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from helpers import chains, metrics, plots
from helpers.explorers import explorer, slider
from helpers.validate import fraction, integer, one_of, positive_int

__all__ = [
    "POLICY_LABELS",
    "SOURCES",
    "composition",
    "policy_diagram",
    "policy_metric",
    "policy_view",
    "policy_explorer",
]

#: Display names of the five data policies (keys: the names used by helpers.loop).
POLICY_LABELS = {
    "replace": "replace",
    "accumulate": "accumulate",
    "accumulate_subsample": "accumulate-subsample",
    "mix": "fixed real fraction (mix)",
    "fresh": "fresh real data",
}

#: Where the points of a training set come from, with their fill style in the diagram.
SOURCES = {
    "original real data": dict(color=plots.OKABE_ITO["blue"], hatch=""),
    "fresh real data": dict(color=plots.OKABE_ITO["bluish_green"], hatch=".."),
    "synthetic, newest": dict(color=plots.OKABE_ITO["vermillion"], hatch="//"),
    "synthetic, older": dict(color=plots.OKABE_ITO["orange"], hatch="xx"),
}

METRICS = ("tail mass ratio", "variance")


def composition(policy: str, t: int, n: int = 100, real_fraction: float = 0.2,
                train_size: int | None = None) -> dict[str, float]:
    """Expected number of points of each source in the training set of generation ``t``.

    ``t = 1`` is the real sample (``n`` points) for every policy. Keys are :data:`SOURCES`.
    For accumulate-subsample the counts are expectations (a uniform subsample of the pool).

    >>> composition("accumulate", 3, n=100)["synthetic, older"]
    100.0
    """
    policy = one_of(policy, "policy", chains.LOOP_POLICIES)
    t = positive_int(t, "t")
    n = positive_int(n, "n")
    f = fraction(real_fraction, "real_fraction")
    size = n if train_size is None else positive_int(train_size, "train_size")
    counts = dict.fromkeys(SOURCES, 0.0)
    if t == 1:
        counts["original real data"] = float(n)
        return counts
    if policy == "replace":
        counts["synthetic, newest"] = float(n)
    elif policy in ("accumulate", "accumulate_subsample"):
        pool = {"original real data": n, "synthetic, newest": n, "synthetic, older": n * (t - 2)}
        scale = min(1.0, size / (n * t)) if policy == "accumulate_subsample" else 1.0
        counts.update({k: float(v * scale) for k, v in pool.items()})
    else:
        n_real = round(f * size)
        counts["original real data" if policy == "mix" else "fresh real data"] = float(n_real)
        counts["synthetic, newest"] = float(size - n_real)
    return counts


def policy_diagram(generations: int = 5, real_fraction: float = 0.2) -> Figure:
    """Stacked bars: the training set of generations 1..``generations`` under each policy.

    Heights are in units of n (the size of the real sample); colours *and* hatches mark
    the source of the points. The fixed-fraction and fresh policies use ``real_fraction``.
    """
    generations = integer(generations, "generations", minimum=2, maximum=12)
    real_fraction = fraction(real_fraction, "real_fraction")
    # one vertical scale for every row (accumulate's row is taller), so sizes compare
    tops = [generations + 0.3 if p == "accumulate" else 1.3 for p in POLICY_LABELS]
    fig, axes = plots.new_figure(len(POLICY_LABELS), 1, sharex=True,
                                 figsize=(7.0, 1.6 + 0.55 * sum(tops)),
                                 gridspec_kw={"height_ratios": tops})
    gens = np.arange(1, generations + 1)
    for ax, top, (policy, label) in zip(axes, tops, POLICY_LABELS.items(), strict=True):
        bottom = np.zeros(generations)
        for source, style in SOURCES.items():
            height = np.array([composition(policy, t, 100, real_fraction)[source] / 100
                               for t in gens])
            ax.bar(gens, height, bottom=bottom, width=0.7, color=style["color"],
                   hatch=style["hatch"], edgecolor="white", linewidth=0.5)
            bottom += height
        ax.set_title(label, loc="left", fontsize=10.5)
        ax.set_ylim(0, top)
        ax.set_yticks(np.arange(0, top, 1 if top < 6 else 2))
        ax.set_ylabel("× n")
        ax.grid(axis="x", visible=False)
    axes[-1].set_xlabel("generation (1 = fitted on the real data)")
    axes[-1].set_xticks(gens)
    handles = [Patch(facecolor=s["color"], hatch=s["hatch"], edgecolor="white", label=k)
               for k, s in SOURCES.items()]
    fig.legend(handles=handles, loc="outside upper center", ncols=2, fontsize=9)
    return fig


def policy_metric(result: chains.GaussianChains, metric: str = "tail mass ratio") -> np.ndarray:
    """The lesson's metric for every generation and chain, shape (generations + 1, chains).

    ``"tail mass ratio"``: the share of the fitted Gaussian beyond the truth's 1% and 99%
    quantiles, divided by 0.02 (:func:`helpers.metrics.gaussian_tail_mass_ratio`);
    ``"variance"``: the fitted variance divided by the true one.
    """
    metric = one_of(metric, "metric", METRICS)
    if metric == "variance":
        return result.var / result.sigma0**2
    return metrics.gaussian_tail_mass_ratio(result.mean, result.var, 0.01, mu0=result.mu0,
                                            sigma0=result.sigma0)


def _chains_for(policy: str, n: int, generations: int, chains_wanted: int) -> int:
    """Fewer chains when accumulate-subsample would keep too many points in memory."""
    if policy != "accumulate_subsample":
        return chains_wanted
    return int(max(20, min(chains_wanted, 4_000_000 // (n * generations))))


def policy_view(policy: str = "mix", real_fraction: float = 0.1, generations: int = 50,
                n: int = 100, metric: str = "tail mass ratio", chains_shown: int = 200,
                seed: int = 0) -> tuple[Figure, str]:
    """One data policy on the Gaussian loop (MLE, ddof=0), replace and accumulate as references.

    Each generation's training set has ``n`` points (accumulate: the real sample plus
    ``n`` per generation). Draws the median of ``metric`` over chains with its 25-75% band,
    and the medians under replace and accumulate (same seed) as black reference lines.

    >>> fig, summary = policy_view(generations=20)
    >>> summary.startswith("fixed real fraction (mix), real fraction 10%, n = 100")
    True
    """
    policy = one_of(policy, "policy", chains.LOOP_POLICIES)
    real_fraction = fraction(real_fraction, "real_fraction")
    generations = integer(generations, "generations", minimum=2)
    n = integer(n, "n", minimum=10)
    metric = one_of(metric, "metric", METRICS)
    chains_shown = positive_int(chains_shown, "chains_shown")
    mixes = policy in ("mix", "fresh")

    n_chains = _chains_for(policy, n, generations, chains_shown)
    kwargs = {"real_fraction": real_fraction} if mixes else {}
    chosen = chains.gaussian_policy(n, generations, n_chains, policy=policy, seed=seed, **kwargs)
    values = policy_metric(chosen, metric)[1:]
    refs = {name: np.median(policy_metric(chains.gaussian_policy(
        n, generations, chains_shown, policy=name, seed=seed), metric)[1:], axis=1)
        for name in ("replace", "accumulate")}

    gens = np.arange(1, generations + 1)
    # fixed margins instead of constrained layout: a third of the redraw time saved
    fig, ax = plots.new_figure(layout="none")
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.13, top=0.92)
    for (name, ref), style in zip(refs.items(), ("--", ":"), strict=True):
        ax.plot(gens, ref, color=plots.OKABE_ITO["black"], linestyle=style, linewidth=1.6,
                label=f"{name} (reference)")
    label = POLICY_LABELS[policy] + (f", {real_fraction:.0%} real" if mixes else "")
    plots.collapse_curve(values, ax=ax, x=gens, label=label, band=(25, 75),
                         ylabel=f"{metric} (1 = as the truth)")
    ax.axhline(1.0, color="0.5", linewidth=0.8)
    ax.set_xlabel("generation (1 = fitted on the real data)")
    ax.set_title(f"Gaussian loop, n = {n} per generation, {n_chains} chains")
    ax.set_ylim(0.0, max(1.6, 1.15 * float(np.percentile(values, 75, axis=1).max())))
    ax.legend(fontsize=8.5, loc="upper left", ncols=2)

    low, med, high = np.percentile(values[-1], [25, 50, 75])
    where = f"real fraction {real_fraction:.0%}" if mixes else "real fraction not used"
    summary = (f"{POLICY_LABELS[policy]}, {where}, n = {n}, generation {generations}: "
               f"median {metric} = {med:.3f} (middle half of {n_chains} chains: {low:.3f} to "
               f"{high:.3f}); replace {refs['replace'][-1]:.3f}, "
               f"accumulate {refs['accumulate'][-1]:.3f}.")
    return fig, summary


def policy_explorer() -> widgets.VBox:
    """Policy selector, real-fraction slider, generations, n and metric for :func:`policy_view`."""
    wide = {"style": {"description_width": "initial"}}
    return explorer(
        policy_view,
        title="Which data policy keeps the Gaussian loop healthy?",
        policy=widgets.Dropdown(options=[(v, k) for k, v in POLICY_LABELS.items()],
                                value="mix", description="policy"),
        real_fraction=slider("real fraction (mix, fresh)", 0.1, 0.0, 1.0, step=0.05,
                             readout_format=".0%", **wide),
        generations=slider("generations", 50, 10, 200, step=10, **wide),
        n=slider("n per generation", 100, 10, 500, step=10, **wide),
        metric=widgets.Dropdown(options=list(METRICS), value="tail mass ratio",
                                description="metric"),
    )
