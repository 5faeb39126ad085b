"""Diagrams of the course: pictures of a mechanism, drawn from the course's own rules.

* :func:`feedback_loop_diagram`: the fit -> sample -> refit loop (lesson 01; no external image);
* :func:`composition` and :func:`policy_diagram`: what each data policy of lesson 02 trains on.

Generation 1 is the model fitted on the real sample; generation t >= 2 is fitted on the
training set the policy builds (the convention of :func:`helpers.chains.gaussian_policy`).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

from helpers import plots, policies
from helpers.validate import fraction, integer, positive_int

__all__ = ["POLICY_LABELS", "policy_labels", "SOURCES", "feedback_loop_diagram", "composition",
           "policy_diagram", "controls_diagram"]


def policy_labels() -> dict[str, str]:
    """Display name of every policy of :data:`helpers.policies.POLICY_TABLE`, read now.

    >>> policy_labels()["accumulate_subsample"]
    'accumulate-subsample'
    """
    return {name: spec.label or name for name, spec in policies.POLICY_TABLE.items()}


#: Display names of the data policies, as the table had them at import (see policy_labels).
POLICY_LABELS = policy_labels()

#: Where the points of a training set come from, with their fill style in the diagram.
SOURCES = {
    "original real data": dict(color=plots.OKABE_ITO["blue"], hatch=""),
    "fresh real data": dict(color=plots.OKABE_ITO["bluish_green"], hatch=".."),
    "synthetic, newest": dict(color=plots.OKABE_ITO["vermillion"], hatch="//"),
    "synthetic, older": dict(color=plots.OKABE_ITO["orange"], hatch="xx"),
}

def feedback_loop_diagram() -> Figure:
    """The recursive training loop as a diagram: real data -> fit -> sample -> fit again.

    >>> fig = feedback_loop_diagram()
    >>> len(fig.axes)
    1
    """
    fig, ax = plots.new_figure(figsize=(8.0, 3.6))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 4.6)
    ax.set_axis_off()
    palette = plots.OKABE_ITO
    boxes = {
        "real": (1.1, 3.4, "real data\n(only at the start)", palette["bluish_green"]),
        "fit": (5.0, 3.4, "fit a model\n(mean, variance, …)", palette["sky_blue"]),
        "sample": (8.6, 1.9, "sample n new points\nfrom the fitted model", palette["orange"]),
        "train": (5.0, 0.5, "next generation's\ntraining data", palette["reddish_purple"]),
    }
    for x, y, text, colour in boxes.values():
        ax.add_patch(FancyBboxPatch((x - 1.05, y - 0.42), 2.1, 0.84,
                                    boxstyle="round,pad=0.08", facecolor=colour, alpha=0.35,
                                    edgecolor="black", linewidth=1.2))
        ax.text(x, y, text, ha="center", va="center", fontsize=10)

    def arrow(start: tuple[float, float], end: tuple[float, float], text: str,
              where: tuple[float, float], style: str = "-", rad: float = 0.0) -> None:
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=16,
                                     linewidth=1.6, linestyle=style, color="black",
                                     connectionstyle=f"arc3,rad={rad}"))
        ax.text(*where, text, ha="center", va="center", fontsize=9, style="italic")

    arrow((2.25, 3.4), (3.85, 3.4), "generation 1", (3.05, 3.75), style="--")
    arrow((6.15, 3.4), (8.2, 2.4), "fitted model", (7.75, 3.25), rad=-0.15)
    arrow((8.2, 1.4), (6.15, 0.55), "synthetic\nsamples", (7.85, 0.6), rad=-0.15)
    arrow((3.85, 0.6), (4.3, 2.9), "refit: generation t + 1", (2.55, 1.75), rad=-0.5)
    ax.text(0.05, 0.55, "Where the loop happens:\n• models trained on synthetic data\n"
            "• a web increasingly written\n   by models, scraped again", ha="left",
            va="center", fontsize=9, color="0.25")
    ax.set_title("The recursive training loop: each model learns from the previous model's "
                 "output", fontsize=11)
    return fig


def composition(policy: str, t: int, n: int = 100, real_fraction: float = 0.2,
                train_size: int | None = None) -> dict[str, float]:
    """Expected number of points of each source in the training set of generation ``t``.

    ``t = 1`` is the real sample (``n`` points) for every policy. Keys are :data:`SOURCES`.
    For accumulate-subsample the counts are expectations (a uniform subsample of the pool).

    >>> composition("accumulate", 3, n=100)["synthetic, older"]
    100.0
    """
    spec = policies.spec_of(policy)
    t = positive_int(t, "t")
    n = positive_int(n, "n")
    f = fraction(real_fraction, "real_fraction")
    size = n if train_size is None else positive_int(train_size, "train_size")
    counts = dict.fromkeys(SOURCES, 0.0)
    counts["original real data"] = float(n)
    if t == 1:
        return counts
    # each generation's new data: the synthetic points offered, plus the real part
    n_real, n_synthetic = (0, n) if spec.real_part is None else policies.real_split(f, size)
    real_source = "fresh real data" if spec.real_part == "fresh" else "original real data"
    if spec.memory == "replace":
        counts["original real data"] = 0.0
        counts[real_source] += float(n_real)
        counts["synthetic, newest"] = float(n_synthetic)
        return counts
    # everything kept: the real sample plus the new data of generations 2..t
    counts[real_source] += float(n_real * (t - 1))
    counts["synthetic, newest"] = float(n_synthetic)
    counts["synthetic, older"] = float(n_synthetic * (t - 2))
    pool = sum(counts.values())
    scale = min(1.0, size / pool) if spec.memory == "subsample" else 1.0
    return {k: v * scale for k, v in counts.items()}


def policy_diagram(generations: int = 5, real_fraction: float = 0.2) -> Figure:
    """Stacked bars: the training set of generations 1..``generations`` under each policy.

    Heights are in units of n (the size of the real sample); colours *and* hatches mark
    the source of the points. The fixed-fraction and fresh policies use ``real_fraction``.

    >>> len(policy_diagram(generations=3).axes) == len(policy_labels())
    True
    """
    generations = integer(generations, "generations", minimum=2, maximum=12)
    real_fraction = fraction(real_fraction, "real_fraction")
    # one vertical scale for every row (accumulate's row is taller), so sizes compare
    labels = policy_labels()
    tops = [1.3 + max(sum(composition(p, t, 100, real_fraction).values()) / 100 - 1, 0)
            for p in labels for t in [generations]]
    fig, axes = plots.new_figure(len(labels), 1, sharex=True,
                                 figsize=(7.0, 1.6 + 0.55 * sum(tops)),
                                 gridspec_kw={"height_ratios": tops})
    gens = np.arange(1, generations + 1)
    for ax, top, (policy, label) in zip(axes, tops, labels.items(), strict=True):
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
