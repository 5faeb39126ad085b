"""The views of notebook 04: one control on the Gaussian loop (MLE, ddof=0, truth N(0, 1)),
with the no-control (replace) curve as reference and the cost of the control; and the
classification loop with a verifier of chosen quality (:mod:`helpers.verification`).

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

from helpers import mitigations, plots, verification
from helpers.mitigations import CONTROLS, CORPUS_SHARE, Cost, Setting
from helpers.validate import fraction, integer, one_of, real
from helpers.views import fixed_axes

__all__ = ["CHAINS", "MitigationSummary", "mitigation_view", "VERIFY_CHAINS",
           "VerificationSummary", "verification_view"]

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
    unused: str = ""  # the sliders this control ignores, with their values

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
                f"{c.train_size:,} points, compute {c.relative_compute:.1f}× replace."
                + (f" Not used by this control: {self.unused}." if self.unused else ""))


#: What each argument a control may read looks like in a title and in the summary's
#: list of unused sliders: argument(s) -> (shown as, the control that reads them).
_SLIDERS = {
    ("real_fraction",): (lambda s: f"real fraction {s.real_fraction:.0%}", ""),
    ("tpr", "fpr"): (lambda s: f"TPR {s.tpr:.2f} and FPR {s.fpr:.2f}", "provenance filter"),
    ("k",): (lambda s: f"k = {s.k:g}", "typicality filter"),
}
_SETTINGS = {  # the title of a control that reads these arguments
    ("real_fraction",): lambda s: f"real fraction {s.real_fraction:.0%}",
    ("tpr", "fpr"): lambda s: (f"corpus {CORPUS_SHARE:.0%} synthetic, TPR {s.tpr:.2f}, "
                               f"FPR {s.fpr:.2f}"),
    ("k",): lambda s: f"keeps |x − μ| < {s.k:g}σ",
}


def _setting(control: str, s: Setting) -> str:
    uses = mitigations.control_of(control).uses
    shown = [show(s) for names, show in _SETTINGS.items() if uses & set(names)]
    return "; ".join(shown) or "keeps every synthetic set"


def _unused(control: str, s: Setting) -> str:
    """The sliders ``control`` ignores, so a learner who moves one sees why nothing redraws."""
    uses = mitigations.control_of(control).uses
    return "; ".join(show(s) + (f" ({who})" if who else "")
                     for names, (show, who) in _SLIDERS.items() if not uses & set(names))


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
    k = real(k, "k", minimum=0.5, maximum=10.0)
    generations = integer(generations, "generations", minimum=2, maximum=1000)
    n = integer(n, "n", minimum=10, maximum=10_000)
    # checked once here; the controls below take the checked Setting
    s = mitigations.setting(n=n, generations=generations, n_chains=CHAINS,
                            real_fraction=real_fraction, tpr=tpr, fpr=fpr, k=k, seed=seed)
    chosen = mitigations.control_of(control)
    res, expected = chosen.run(s)
    ref, _ = mitigations.control_of("replace").run(s)
    ref_median = np.median(ref.var, axis=1)
    gens = res.generations

    ax = fixed_axes(left=0.11, right=0.98, bottom=0.13, top=0.92)
    fig = ax.figure
    ax.plot(gens, ref_median, color=plots.OKABE_ITO["black"], linestyle="--", linewidth=1.6,
            label="no control (replace): median")
    plots.collapse_curve(res.var, ax=ax, x=gens, label=f"{control}: median of {CHAINS} chains",
                         band=(10, 90), theory=expected, theory_label="theory: E[σ²]",
                         ylabel="fitted variance σ² (truth: 1)")
    ax.set_ylim(0.0, 1.6)
    ax.set_xlabel("generation")
    ax.set_title(f"{control}: {_setting(control, s)}", fontsize=10)
    ax.legend(fontsize=8, loc="lower left")

    low, med, high = np.percentile(res.var[-1], [10, 50, 90])
    summary = MitigationSummary(
        control=control, setting=_setting(control, s), n=n, unused=_unused(control, s),
        generation=generations, median_var=float(med), low_var=float(low),
        high_var=float(high),
        expected_var=None if expected is None else float(expected[-1]),
        replace_median_var=float(ref_median[-1]),
        cost=chosen.cost(s))
    return fig, summary


VERIFY_CHAINS = 20


@dataclass(frozen=True)
class VerificationSummary:
    """The numbers behind the verification explorer; ``str()`` is the printed line."""

    verifier_size: int
    flip: float
    generation: int
    verifier_error: float  # mean over chains
    verified_error: float  # mean test error at the last generation, verified loop
    unverified_error: float  # the same without verification
    accepted: float  # share of synthetic examples the verifier admitted

    def __str__(self) -> str:
        return (f"verifier trained on {self.verifier_size:,} real examples (its error "
                f"{self.verifier_error:.3f}), {self.flip:.0%} of the generator's labels flipped, "
                f"generation {self.generation}: mean test error {self.verified_error:.3f} "
                f"verified, {self.unverified_error:.3f} without verification "
                f"({VERIFY_CHAINS} chains). Cost: "
                f"{1 / self.accepted:.2f} synthetic examples generated per example kept.")


def verification_view(verifier_size: int = 200, flip: float = 0.1, generations: int = 15,
                      seed: int = 0) -> tuple[Figure, VerificationSummary]:
    """The classification loop of :mod:`helpers.verification`: mean test error across
    generations with and without the verifier, over 20 chains, and the verifier's own error.

    >>> fig, summary = verification_view(generations=5)
    >>> str(summary).startswith("verifier trained on 200 real examples")
    True
    """
    verifier_size = integer(verifier_size, "verifier_size", minimum=1, maximum=100_000)
    flip = fraction(flip, "flip")
    generations = integer(generations, "generations", minimum=1, maximum=200)
    seed = integer(seed, "seed", minimum=0)
    runs = verification.classification_loops(
        generations, VERIFY_CHAINS,
        {"verified": verification.agrees_with_verifier, "no verification": None},
        flip=flip, verifier_size=verifier_size, seed=seed)
    ax = fixed_axes(left=0.11, right=0.98, bottom=0.13, top=0.92)
    fig = ax.figure
    t = np.arange(generations + 1)
    for i, (name, run) in enumerate(runs.items()):
        ax.plot(t, run.error.mean(axis=1), label=f"{name}: mean of {VERIFY_CHAINS} chains",
                markevery=max(1, generations // 8), **plots.series_style(i))
    verifier_error = float(runs["verified"].verifier_error.mean())
    ax.axhline(verifier_error, color="0.5", linestyle=":", label="the verifier's own error")
    ax.set(xlabel="generation (0 = fitted on real data)", ylabel="test error (angle / π)",
           ylim=(0.0, 0.55), title=f"Verifier trained on {verifier_size:,} real examples")
    ax.legend(fontsize=8, loc="upper left")
    verified = runs["verified"]
    summary = VerificationSummary(
        verifier_size=verifier_size, flip=flip, generation=generations,
        verifier_error=verifier_error, verified_error=float(verified.error[-1].mean()),
        unverified_error=float(runs["no verification"].error[-1].mean()),
        accepted=float(verified.train_size[1:].sum() / verified.drawn[1:].sum()))
    return fig, summary
