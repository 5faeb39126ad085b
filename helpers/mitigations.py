"""Vectorised Gaussian chains for the filters of lesson 04: typicality filter, sampling
temperature and provenance filtering.

Conventions of :mod:`helpers.chains`: arrays have shape (generations + 1, chains), row 0 is
the truth N(0, 1) and row t the model fitted (MLE, ddof=0) at generation t.

* :func:`gaussian_filtered`: each generation draws from the previous model (generation 0
  is the truth itself), optionally scaled by a sampling ``temperature`` (standard deviation
  times lambda), keeps only draws within ``k`` standard deviations of the model's mean
  (the "typicality" filter), refills until ``n`` draws are kept and refits. Closed forms:
  :func:`helpers.theory.typicality_var` and :func:`helpers.theory.sampling_bias_trace`.
* :func:`provenance_chains`: each generation's corpus holds ``corpus`` items, a share
  ``share`` synthetic (from the previous model) and the rest fresh real data; a detector
  drops flagged items (TPR on synthetic, FPR on real items) and the model is refitted on
  what is left. The flags do not depend on the values, so what is kept is a fresh-real
  training set (:func:`helpers.chains.gaussian_policy`, policy ``"fresh"``) with the
  kept counts set to their expectations.

>>> res, drawn = gaussian_filtered(100, 20, 500, k=2.0, seed=0)
>>> res.var.shape, drawn.shape
((21, 500), (21, 500))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from helpers import chains, policies, theory
from helpers.chains import GaussianChains, gaussian_policy
from helpers.validate import (
    MAX_GENERATIONS,
    fraction,
    integer,
    one_of,
    positive_int,
    real,
    rng_from,
    shown,
)

__all__ = ["gaussian_filtered", "provenance_chains", "CONTROLS", "CONTROL_TABLE", "Control",
           "CORPUS_SHARE", "Cost", "Setting", "setting", "control_of", "cost_of", "run_control"]

CORPUS_SHARE = 0.5  # synthetic share of the corpus the provenance filter sees

_MAX_DRAWS = 50_000_000  # numbers drawn per generation, to stay within memory


def _first(ok: np.ndarray, n: int) -> np.ndarray:
    """Mask of the first ``n`` accepted entries of each row of ``ok``."""
    return ok & (np.cumsum(ok, axis=1) <= n)


def gaussian_filtered(n: int, generations: int, chains: int, *, k: float | None = None,
                      temperature: float = 1.0, seed: int | np.random.Generator = 0
                      ) -> tuple[GaussianChains, np.ndarray]:
    """Gaussian chains under a typicality filter and/or a sampling temperature (module doc).

    Returns the fitted models and ``drawn`` (generations + 1, chains): how many draws
    each generation needed to keep ``n`` (row 0 is 0). ``k=None``: no filter.

    >>> res, drawn = gaussian_filtered(50, 3, 10, temperature=0.8, seed=1)
    >>> int(drawn[1:].min())
    50
    """
    n = integer(n, "n", minimum=2)
    generations = positive_int(generations, "generations")
    chains = positive_int(chains, "chains")
    if k is not None:
        k = real(k, "k", minimum=0.5, maximum=1e6)
    temperature = real(temperature, "temperature", minimum=0.0, strict_min=True, maximum=1e6)
    rng = rng_from(seed)
    accept = 1.0 if k is None else theory.truncation_acceptance(k)
    draws = int(np.ceil(n / accept * 1.2)) + 20  # enough with overwhelming probability
    if draws * chains > _MAX_DRAWS:
        raise ValueError(f"n * chains must be <= {_MAX_DRAWS // 2:,} to fit in memory "
                         f"(with k = {k}), got {n * chains:,}")
    typical = None if k is None else policies.typicality_gate(0.0, 1.0, k)
    mean, var = np.zeros((generations + 1, chains)), np.ones((generations + 1, chains))
    drawn = np.zeros((generations + 1, chains), dtype=int)
    for t in range(1, generations + 1):
        z = rng.standard_normal((chains, draws))
        if k is None:
            keep = np.zeros(z.shape, dtype=bool)
            keep[:, :n] = True
        else:  # draws are standardised: the model's mean is 0 and its sd 1 in z
            keep = _first(typical(z), n)
            while keep.sum(axis=1).min() < n:  # practically never: draw a further batch
                z = np.concatenate([z, rng.standard_normal((chains, draws))], axis=1)
                keep = _first(typical(z), n)
        drawn[t] = np.argmax(np.cumsum(keep, axis=1) >= n, axis=1) + 1
        z = temperature * np.where(keep, z, 0.0)
        z_mean = z.sum(axis=1) / n
        z_var = (np.where(keep, z - z_mean[:, None], 0.0) ** 2).sum(axis=1) / n
        mean[t] = mean[t - 1] + np.sqrt(var[t - 1]) * z_mean
        var[t] = var[t - 1] * z_var
    return GaussianChains(mean=mean, var=var, mu0=0.0, sigma0=1.0), drawn


def provenance_chains(corpus: int, generations: int, chains: int, *, share: float,
                      tpr: float, fpr: float, seed: int | np.random.Generator = 0
                      ) -> GaussianChains:
    """Gaussian chains trained each generation on a detector-filtered corpus (module doc).

    Row 1 is fitted on ``corpus`` real items; from generation 2 on, the training set is
    what the detector keeps of a corpus with synthetic share ``share``.

    >>> res = provenance_chains(200, 10, 100, share=0.5, tpr=0.9, fpr=0.05)
    >>> res.var.shape
    (11, 100)
    """
    corpus = positive_int(corpus, "corpus")  # named here, not as the chains' n_real_data
    n_real, n_synthetic = policies.provenance_counts(corpus, share, tpr, fpr)
    size = n_real + n_synthetic
    if size < 2:
        raise ValueError(f"the detector keeps {size} item(s) of corpus = {corpus}; at least 2 "
                         "are needed to fit a Gaussian: raise corpus or lower tpr/fpr")
    return gaussian_policy(corpus, generations, chains, policy="fresh",
                                  real_fraction=n_real / size, train_size=size, seed=seed)


# --- the controls of lesson 04's comparison and explorer ---------------------------------


@dataclass(frozen=True)
class Cost:
    """What a control costs per generation on the Gaussian loop with ``n`` points per fit."""

    real_per_generation: float  # new real points needed each generation (after generation 1)
    draws_per_kept: float  # synthetic samples generated per synthetic sample trained on
    train_size: int  # training-set size at the last generation
    relative_compute: float  # points fitted over all generations / (generations * n)


@dataclass(frozen=True)
class Setting:
    """The arguments of a control run, checked once when it is made (so a hand-built
    ``Setting`` is checked too); the controls of :data:`CONTROL_TABLE` take it."""

    n: int
    generations: int
    n_chains: int = 200
    real_fraction: float = 0.1
    tpr: float = 0.9
    fpr: float = 0.05
    k: float = 2.0
    seed: int = 0

    def __post_init__(self) -> None:
        checked = dict(
            n=integer(self.n, "n", minimum=2),
            generations=positive_int(self.generations, "generations", MAX_GENERATIONS),
            n_chains=positive_int(self.n_chains, "n_chains"),
            real_fraction=fraction(self.real_fraction, "real_fraction"),
            tpr=fraction(self.tpr, "tpr"), fpr=fraction(self.fpr, "fpr"),
            k=real(self.k, "k", minimum=0.5, maximum=1e6),
            seed=integer(self.seed, "seed", minimum=0))
        for name, value in checked.items():
            object.__setattr__(self, name, value)


def setting(*, n: int, generations: int, n_chains: int = 200, real_fraction: float = 0.1,
            tpr: float = 0.9, fpr: float = 0.05, k: float = 2.0, seed: int = 0) -> Setting:
    """Check a control run's arguments once (keywords only; see :class:`Setting`).

    >>> setting(n=100, generations=5).real_fraction
    0.1
    """
    return Setting(n, generations, n_chains, real_fraction, tpr, fpr, k, seed)


Run = tuple[GaussianChains, "np.ndarray | None"]


@dataclass(frozen=True)
class Control:
    """One control: how to simulate it, what it costs, and which arguments it reads.

    ``run(s)`` returns the chains and E[σ²_t] where a closed form exists (else None);
    ``cost(s)`` its :class:`Cost`; ``uses`` the arguments of :class:`Setting` beyond
    ``n``, ``generations``, ``n_chains`` and ``seed`` that change its result.
    """

    run: Callable[[Setting], Run]
    cost: Callable[[Setting], Cost]
    uses: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name in ("run", "cost"):
            if not callable(getattr(self, name)):
                raise TypeError(f"{name} must be callable, {name}(setting), got "
                                f"{type(getattr(self, name)).__name__}")
        optional = {"real_fraction", "tpr", "fpr", "k"}
        if not isinstance(self.uses, (set, frozenset)) or not self.uses <= optional:
            raise ValueError(f"uses must be a set of the Setting fields "
                             f"{sorted(optional)}, got {shown(self.uses)}")
        object.__setattr__(self, "uses", frozenset(self.uses))


def _policy_control(policy: str, expected: Callable[[np.ndarray, Setting], Any] | None = None
                    ) -> Control:
    """A control that is a data policy of :data:`helpers.policies.POLICY_TABLE`: its run and
    cost follow from the policy's real part and memory."""
    spec = policies.POLICY_TABLE[policy]
    uses = frozenset({"real_fraction"}) & spec.uses

    def plan(s: Setting) -> policies.Plan:
        return policies.make_plan(policy, n_real_data=s.n, min_size=2, **(
            {"real_fraction": s.real_fraction} if uses else {}))

    def run(s: Setting) -> Run:
        res = chains._policy_chains(plan(s), s.n, s.generations, s.n_chains, ddof=0,
                                    truth=(0.0, 1.0), seed=s.seed)
        return res, None if expected is None else expected(np.arange(s.generations + 1), s)

    def cost(s: Setting) -> Cost:
        p = plan(s)
        fresh = float(p.n_real) if p.real_part == "fresh" else 0.0
        grows = p.memory == "accumulate"
        sizes = p.size * (np.arange(1, s.generations + 1) if grows else
                          np.ones(s.generations))
        return Cost(fresh, 1.0, int(sizes[-1]), float(sizes.sum() / (s.generations * s.n)))

    return Control(run, cost, uses)


def _provenance_run(s: Setting) -> Run:
    return provenance_chains(s.n, s.generations, s.n_chains, share=CORPUS_SHARE, tpr=s.tpr,
                             fpr=s.fpr, seed=s.seed), None


def _provenance_cost(s: Setting) -> Cost:
    n_real, n_synthetic = policies.provenance_counts(s.n, CORPUS_SHARE, s.tpr, s.fpr)
    total = n_real + n_synthetic
    offered = round(CORPUS_SHARE * s.n)
    per_kept = offered / n_synthetic if n_synthetic else float("inf")
    return Cost(float(s.n - offered), per_kept, total,
                (s.n + (s.generations - 1) * total) / (s.generations * s.n))


def _typicality_run(s: Setting) -> Run:
    res, _ = gaussian_filtered(s.n, s.generations, s.n_chains, k=s.k, seed=s.seed)
    return res, theory.typicality_var(np.arange(s.generations + 1), s.n, s.k)


def _typicality_cost(s: Setting) -> Cost:
    return Cost(0.0, 1.0 / theory.truncation_acceptance(s.k), s.n, 1.0)


#: Every control of lesson 04, by display name (``"replace"``: no control, the reference).
CONTROL_TABLE: dict[str, Control] = {
    "replace": _policy_control("replace", lambda t, s: theory.gaussian_var(t, s.n)),
    "fresh real data": _policy_control(
        "fresh", lambda t, s: theory.fresh_real_var(t, s.n, s.real_fraction)),
    "real-data reservoir": _policy_control("reservoir"),
    "accumulate": _policy_control(
        "accumulate", lambda t, s: theory.gaussian_accumulate_var(t, s.n)),
    "provenance filter": Control(_provenance_run, _provenance_cost,
                                 frozenset({"tpr", "fpr"})),
    "typicality filter (the trap)": Control(_typicality_run, _typicality_cost,
                                            frozenset({"k"})),
}
#: The controls compared in lesson 04 (display names; every entry but the reference).
CONTROLS = tuple(name for name in CONTROL_TABLE if name != "replace")


def control_of(control: str) -> Control:
    """The :class:`Control` named ``control`` (a key of :data:`CONTROL_TABLE`)."""
    return CONTROL_TABLE[one_of(control, "control", tuple(CONTROL_TABLE))]


def cost_of(control: str, *, n: int, generations: int, real_fraction: float = 0.1,
            tpr: float = 0.9, fpr: float = 0.05, k: float = 2.0) -> Cost:
    """The :class:`Cost` of ``control`` (a key of :data:`CONTROL_TABLE`).

    >>> cost_of("accumulate", n=100, generations=3).train_size
    300
    """
    chosen = control_of(control)
    return chosen.cost(setting(n=n, generations=generations, real_fraction=real_fraction,
                               tpr=tpr, fpr=fpr, k=k))


def run_control(control: str, *, n: int, generations: int, n_chains: int = 200,
                real_fraction: float = 0.1, tpr: float = 0.9, fpr: float = 0.05,
                k: float = 2.0, seed: int = 0) -> tuple[GaussianChains, np.ndarray | None]:
    """Simulate ``control`` on the Gaussian loop; returns the chains and E[σ²_t] if known.

    >>> res, expected = run_control("fresh real data", n=100, generations=5)
    >>> res.var.shape, round(float(expected[-1]), 4)
    ((6, 200), 0.9663)
    """
    chosen = control_of(control)
    return chosen.run(setting(n=n, generations=generations, n_chains=n_chains,
                              real_fraction=real_fraction, tpr=tpr, fpr=fpr, k=k, seed=seed))
