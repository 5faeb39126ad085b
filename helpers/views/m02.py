"""The view of notebook 02: one data policy on the Gaussian loop, replace and accumulate beside it.

Generation 1 is the model fitted on the real sample; generation t >= 2 is fitted on the
training set the policy builds (the convention of :func:`helpers.chains.gaussian_policy`).
The policy diagram and composition are in :mod:`helpers.diagrams`, the metric in
:func:`helpers.monitoring.policy_metric`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from matplotlib.figure import Figure

from helpers import chains, plots, policies
from helpers.diagrams import policy_labels
from helpers.monitoring import POLICY_METRICS, policy_metric
from helpers.validate import fraction, integer, one_of
from helpers.views import fixed_axes

__all__ = ["MAX_N", "MAX_GENERATIONS", "MAX_CHAINS", "PolicySummary", "policy_view"]

MAX_N, MAX_GENERATIONS, MAX_CHAINS = 1_000, 500, 1_000  # the sliders stop at 500, 200, 200


@dataclass(frozen=True)
class PolicySummary:
    """The numbers of :func:`policy_view` at the last generation."""

    policy: str
    real_fraction: float | None  # None where the policy does not use it
    n: int
    generations: int
    metric: str
    chains: int
    median: float  # of the metric over the policy's chains
    low: float  # 25th percentile
    high: float  # 75th percentile
    replace: float  # median under the replace policy (reference)
    accumulate: float  # median under the accumulate policy (reference)

    def __str__(self) -> str:
        where = ("real fraction not used" if self.real_fraction is None
                 else f"real fraction {self.real_fraction:.0%}")
        return (f"{policy_labels()[self.policy]}, {where}, n = {self.n}, generation "
                f"{self.generations}: median {self.metric} = {self.median:.3f} (middle half of "
                f"{self.chains} chains: {self.low:.3f} to {self.high:.3f}); replace "
                f"{self.replace:.3f}, accumulate {self.accumulate:.3f}.")


def _chains_for(policy: str, n: int, generations: int, chains_wanted: int) -> int:
    """Fewer chains when a subsampling memory would keep too many points in memory."""
    if policies.POLICY_TABLE[policy].memory not in chains.SUBSAMPLING_MEMORIES:
        return chains_wanted
    return int(max(20, min(chains_wanted, 4_000_000 // (n * generations))))


@lru_cache(maxsize=8)
def _references(n: int, generations: int, chains_shown: int, seed: int,
                metric: str) -> tuple[np.ndarray, np.ndarray]:
    """Median ``metric`` per generation under replace and under accumulate (read-only).

    Kept for the last few settings: moving the policy or real-fraction control does not
    change them."""
    medians = []
    for name in ("replace", "accumulate"):
        run = chains.gaussian_policy(n, generations, chains_shown, policy=name, seed=seed)
        median = np.median(policy_metric(run, metric)[1:], axis=1)
        median.flags.writeable = False
        medians.append(median)
    return medians[0], medians[1]


def policy_view(policy: str = "reservoir", real_fraction: float = 0.1, generations: int = 50,
                n: int = 100, metric: str = "tail mass ratio", chains_shown: int = 200,
                seed: int = 0) -> tuple[Figure, PolicySummary]:
    """One data policy on the Gaussian loop (MLE, ddof=0), replace and accumulate as references.

    Each generation's training set has ``n`` points (accumulate: the real sample plus
    ``n`` per generation). Draws the median of ``metric`` over chains with its 25-75% band,
    and the medians under replace and accumulate (same seed) as black reference lines.

    >>> fig, summary = policy_view(generations=20)
    >>> str(summary).startswith("fixed real fraction (reservoir), real fraction 10%, n = 100")
    True
    >>> summary.chains, summary.real_fraction
    (200, 0.1)
    """
    policy = policies.resolve(policy)
    real_fraction = fraction(real_fraction, "real_fraction")
    generations = integer(generations, "generations", minimum=2, maximum=MAX_GENERATIONS)
    n = integer(n, "n", minimum=10, maximum=MAX_N)
    metric = one_of(metric, "metric", POLICY_METRICS)
    chains_shown = integer(chains_shown, "chains_shown", minimum=1, maximum=MAX_CHAINS)
    seed = integer(seed, "seed", minimum=0)
    mixes = "real_fraction" in policies.POLICY_TABLE[policy].uses

    n_chains = _chains_for(policy, n, generations, chains_shown)
    kwargs = {"real_fraction": real_fraction} if mixes else {}
    chosen = chains.gaussian_policy(n, generations, n_chains, policy=policy, seed=seed, **kwargs)
    values = policy_metric(chosen, metric)[1:]
    refs = dict(zip(("replace", "accumulate"),
                    _references(n, generations, chains_shown, seed, metric), strict=True))

    gens = np.arange(1, generations + 1)
    ax = fixed_axes(left=0.1, right=0.98, bottom=0.13, top=0.92)
    fig = ax.figure
    for (name, ref), style in zip(refs.items(), ("--", ":"), strict=True):
        ax.plot(gens, ref, color=plots.OKABE_ITO["black"], linestyle=style, linewidth=1.6,
                label=f"{name} (reference)")
    label = policy_labels()[policy] + (f", {real_fraction:.0%} real" if mixes else "")
    plots.collapse_curve(values, ax=ax, x=gens, label=label, band=(25, 75),
                         ylabel=f"{metric} (1 = as the truth)")
    ax.axhline(1.0, color="0.5", linewidth=0.8)
    ax.set_xlabel("generation (1 = fitted on the real data)")
    ax.set_title(f"Gaussian loop, n = {n} per generation, {n_chains} chains")
    ax.set_ylim(0.0, max(1.6, 1.15 * float(np.percentile(values, 75, axis=1).max())))
    ax.legend(fontsize=8.5, loc="upper left", ncols=2)

    low, med, high = np.percentile(values[-1], [25, 50, 75])
    return fig, PolicySummary(policy, real_fraction if mixes else None, n, generations, metric,
                              n_chains, float(med), float(low), float(high),
                              float(refs["replace"][-1]), float(refs["accumulate"][-1]))
