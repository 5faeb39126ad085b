"""The course's figure style and its standard figures.

One colour-blind-safe style: the Okabe-Ito palette, and every data series
told apart by line style and marker as well as colour (never by colour
alone). Black dashed lines are reserved for theory and reference curves.

Every plotting function returns the matplotlib ``Figure``; none prints or
calls ``plt.show()``. In a notebook::

    fig = collapse_curve(sigma2, ylabel="variance", theory=expected)
    plt.show()

Pass ``ax=`` to draw several curves on one axes; each new series on an axes
takes the next course style.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from helpers.validate import finite_array, integer, positive_int, real, shown

__all__ = [
    "OKABE_ITO",
    "SERIES_STYLES",
    "THEORY_STYLE",
    "COURSE_RC",
    "apply_style",
    "course_style",
    "new_figure",
    "series_style",
    "collapse_curve",
    "snapshots",
    "rank_frequency",
    "image_grid",
]

#: The 8 Okabe-Ito colours (Okabe & Ito 2008), safe for the common colour-vision deficiencies.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Styles of successive data series: colour, line style and marker all differ.
#: Black is left out (it marks theory / reference lines); yellow, the
#: lowest-contrast colour on white, comes last.
SERIES_STYLES: tuple[dict[str, Any], ...] = tuple(
    {"color": OKABE_ITO[colour], "linestyle": linestyle, "marker": marker}
    for colour, linestyle, marker in [
        ("blue", "-", "o"),
        ("vermillion", "-.", "s"),
        ("bluish_green", ":", "^"),
        ("reddish_purple", (0, (3, 1, 1, 1, 1, 1)), "D"),
        ("orange", (0, (8, 2, 1, 2)), "v"),
        ("sky_blue", (0, (1, 3)), "P"),
        ("yellow", (0, (12, 3)), "X"),
    ]
)

#: Theory overlays and reference curves: black, dashed, no marker.
THEORY_STYLE: dict[str, Any] = {"color": OKABE_ITO["black"], "linestyle": "--", "linewidth": 1.8}

#: Matplotlib settings of the course style (PNG-friendly: 7 x 4 in at 100 dpi).
COURSE_RC: dict[str, Any] = {
    "figure.figsize": (7.0, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.constrained_layout.use": True,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 9.5,
    "lines.linewidth": 2.0,
    "lines.markersize": 5.0,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(
        color=[s["color"] for s in SERIES_STYLES],
        linestyle=[s["linestyle"] for s in SERIES_STYLES],
    ),
}

_MARKS = 10  # about this many markers per series line
_MAX_PANELS = 100  # rows or columns of axes in one figure
_MAX_INCHES = 100.0  # width or height of a figure (at 100 dpi: 10,000 pixels)
_MAX_BINS = 10_000  # histogram bins of one snapshot


def apply_style() -> None:
    """Switch the course style on for the rest of the session (e.g. in a notebook's setup cell).

    >>> apply_style()
    """
    plt.rcParams.update(COURSE_RC)


@contextmanager
def course_style() -> Iterator[None]:
    """Context manager: the course style inside the ``with`` block only.

    >>> with course_style():
    ...     fig, ax = plt.subplots()
    >>> plt.close(fig)
    """
    with plt.rc_context(COURSE_RC):
        yield


def new_figure(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] | None = None,
               **subplots_kw: Any) -> tuple[Figure, Any]:
    """Create a figure in the course style; returns ``(fig, axes)`` like ``plt.subplots``.

    >>> fig, ax = new_figure()
    >>> plt.close(fig)
    """
    nrows = positive_int(nrows, "nrows", maximum=_MAX_PANELS)
    ncols = positive_int(ncols, "ncols", maximum=_MAX_PANELS)
    if figsize is not None:
        if isinstance(figsize, (str, bytes)) or not isinstance(figsize, (tuple, list)) \
                or len(figsize) != 2:
            raise TypeError(f"figsize must be a (width, height) pair in inches or None, got "
                            f"{type(figsize).__name__}")
        figsize = tuple(real(v, "figsize", minimum=0.0, maximum=_MAX_INCHES, strict_min=True)
                        for v in figsize)
    with course_style():
        return plt.subplots(nrows, ncols, figsize=figsize, **subplots_kw)


def _axes(ax: Axes | None) -> Axes:
    """The axes to draw on: ``ax`` itself, or a new course-style figure's axes."""
    if ax is None:
        return new_figure()[1]
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    return ax


_SERIES_GID = "course-series"


def series_style(index: int) -> dict[str, Any]:
    """The course style of the ``index``-th data series (cycles after 7).

    >>> series_style(0)["color"] == OKABE_ITO["blue"]
    True
    """
    return dict(SERIES_STYLES[integer(index, "index", minimum=0) % len(SERIES_STYLES)])


def _next_style(ax: Axes) -> dict[str, Any]:
    """Style for a new series on ``ax``: the next one after those already drawn."""
    drawn = sum(a.get_gid() == _SERIES_GID for a in (*ax.lines, *ax.patches))
    return series_style(drawn)


def _by_generation(data: Any, name: str) -> list[tuple[int, np.ndarray]]:
    """Check a ``{generation: 1-D array}`` mapping; return its items sorted by generation."""
    if not isinstance(data, Mapping):
        raise TypeError(f"{name} must be a dict {{generation: array}}, got {type(data).__name__}")
    if not 1 <= len(data) <= len(SERIES_STYLES):
        raise ValueError(
            f"{name} must hold 1 to {len(SERIES_STYLES)} generations (more are unreadable on "
            f"one axes; pick e.g. 0, 1, 5, 20), got {len(data)}"
        )
    items = []
    for gen, values in data.items():
        gen = integer(gen, f"{name} key", minimum=0)
        items.append((gen, finite_array(values, f"{name}[{gen}]", ndim=1)))
    return sorted(items, key=lambda item: item[0])


def _legend(ax: Axes) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend()


def collapse_curve(values: Any, *, ax: Axes | None = None, x: Any = None,
                   label: str = "median over chains", theory: Any = None,
                   theory_label: str = "theory", band: tuple[float, float] | None = (10, 90),
                   spaghetti: int = 0, spaghetti_label: str | None = None,
                   ylabel: str = "value", title: str | None = None,
                   logy: bool = False) -> Figure:
    """A metric across generations: median over chains, a percentile band, optional theory.

    values: ``(generations + 1, chains)`` -- row t is the metric at
    generation t in each independent chain (a 1-D array is one chain).
    Draws the median over chains (line with markers), the ``band``
    percentiles (shaded; ``None`` or a single chain: no band), the first
    ``spaghetti`` chains as thin lines (one legend entry, ``spaghetti_label``,
    default "N single chains"), and ``theory`` (an array with one
    value per generation) as a black dashed line. x: the generation numbers
    (default ``0, 1, ..., generations``). Call again with the same ``ax`` to
    add curves (e.g. replace vs accumulate); each takes the next style.

    >>> v = np.exp(-np.arange(6)[:, None] / 10) * np.ones((6, 3))
    >>> fig = collapse_curve(v, ylabel="variance", theory=np.exp(-np.arange(6) / 10))
    >>> len(fig.axes[0].lines)
    2
    >>> plt.close(fig)
    >>> fig = collapse_curve(v, spaghetti=2)
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()][-1]
    '2 single chains'
    >>> plt.close(fig)
    """
    vals, gens = _chains_by_generation(values, x)
    spaghetti = integer(spaghetti, "spaghetti", minimum=0, maximum=vals.shape[1])
    percentiles = None if band is None else _band(band)
    curve_theory = None if theory is None else _per_generation(theory, "theory", gens)
    if not isinstance(logy, bool):
        raise TypeError(f"logy must be True or False, got {type(logy).__name__}")
    for text, name in ((label, "label"), (theory_label, "theory_label"), (ylabel, "ylabel"),
                       (title, "title"), (spaghetti_label, "spaghetti_label")):
        _text(text, name)
    if label is None:
        raise TypeError("label must be a string")
    if logy and (np.any(vals <= 0) or (curve_theory is not None and np.any(curve_theory <= 0))):
        raise ValueError("values (and theory) must be positive with logy=True")

    ax = _axes(ax)
    style = _next_style(ax)
    ax.plot(gens, np.median(vals, axis=1), label=label, gid=_SERIES_GID, zorder=3,
            markevery=max(1, len(gens) // _MARKS), **style)
    if percentiles is not None and vals.shape[1] > 1:
        _draw_band(ax, gens, vals, percentiles, style["color"], label)
    if spaghetti_label is None:
        spaghetti_label = f"{spaghetti} single chain" + ("s" if spaghetti > 1 else "")
    for chain in range(spaghetti):
        ax.plot(gens, vals[:, chain], color=style["color"], linestyle="-", linewidth=0.7,
                alpha=0.5, zorder=2, label=spaghetti_label if chain == 0 else None)
    if curve_theory is not None:
        ax.plot(gens, curve_theory, label=theory_label, zorder=4, **THEORY_STYLE)
    _label_generations(ax, ylabel, title, logy)
    return ax.figure


def _label_generations(ax: Axes, ylabel: str, title: str | None, logy: bool) -> None:
    """Axis labels (generation on x), optional title and log y scale, and the legend."""
    if logy:
        _log_scale(ax, "y")
    ax.set_xlabel("generation")
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    _legend(ax)


def _chains_by_generation(values: Any, x: Any) -> tuple[np.ndarray, np.ndarray]:
    """``values`` as ``(generations + 1, chains)`` and the generation numbers ``x``."""
    vals = finite_array(values, "values", ndim=(1, 2))
    if vals.ndim == 1:
        vals = vals[:, None]
    if vals.shape[1] == 0:
        raise ValueError("values must have at least one chain (column), got shape (G, 0)")
    gens = np.arange(vals.shape[0]) if x is None else finite_array(x, "x", ndim=1)
    if gens.shape[0] != vals.shape[0]:
        raise ValueError(
            f"x must have one entry per row of values ({vals.shape[0]}), got {gens.shape[0]}"
        )
    return vals, gens


def _per_generation(curve: Any, name: str, gens: np.ndarray) -> np.ndarray:
    """``curve`` as a finite array with one value per generation."""
    values = finite_array(curve, name, ndim=1)
    if values.shape != gens.shape:
        raise ValueError(f"{name} must have one value per generation ({gens.shape[0]}), "
                         f"got {values.shape[0]}")
    return values


def _draw_band(ax: Axes, gens: np.ndarray, vals: np.ndarray, percentiles: tuple[float, float],
               colour: Any, label: str) -> None:
    """The shaded band between two percentiles over chains."""
    band_lo, band_hi = percentiles
    lo, hi = np.percentile(vals, [band_lo, band_hi], axis=1)
    share = f"{band_lo:g}–{band_hi:g}% of chains"
    # "median of 500 chains" already says how many: do not repeat it in the band's label
    ax.fill_between(gens, lo, hi, color=colour, alpha=0.2, linewidth=0,
                    label=share if "chains" in label else f"{label}: {share} ({vals.shape[1]})")


def _log_scale(ax: Axes, which: str) -> None:
    """Log scale with labelled decades and no minor ticks.

    Minor ticks over many decades clutter the axis, and they and mathtext
    labels triple the time a figure takes to draw, which matters for
    explorers (<= 100 ms an update).
    """
    getattr(ax, f"set_{which}scale")("log")
    axis = getattr(ax, f"{which}axis")
    axis.set_major_locator(LogLocator(base=10, numticks=8))
    axis.set_minor_locator(NullLocator())
    axis.set_major_formatter(FuncFormatter(_decade_label))


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _decade_label(value: float, _pos: Any = None) -> str:
    """``10⁻³`` for 0.001, in plain Unicode (mathtext labels are slow to lay out)."""
    exponent = round(np.log10(value)) if value > 0 else 0
    return "1" if exponent == 0 else "10" + str(exponent).translate(_SUPERSCRIPTS)


def _band(band: Any) -> tuple[float, float]:
    """Check a ``(low, high)`` percentile pair with 0 <= low < high <= 100."""
    try:
        lo, hi = band
    except Exception:  # noqa: BLE001 -- not a pair, or an object whose iteration fails
        raise TypeError("band must be a (low, high) pair of percentiles or None") from None
    ok = all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in (lo, hi))
    if not ok or not 0 <= lo < hi <= 100:
        raise ValueError(f"band must satisfy 0 <= low < high <= 100, got {shown(band)}")
    return float(lo), float(hi)


def snapshots(samples_by_generation: Mapping[int, Any], *, ax: Axes | None = None,
              bins: int = 40, xlabel: str = "x", title: str | None = None) -> Figure:
    """Distribution snapshots of 1-D samples across generations (density histograms).

    samples_by_generation: ``{generation: samples (n,)}``, 1 to 7
    generations. All generations share the same bins (``bins`` equal-width
    bins over the pooled range), drawn as step outlines with distinct
    colours and line styles, so narrowing or spreading is easy to compare.

    >>> rng = np.random.default_rng(0)
    >>> fig = snapshots({0: rng.normal(size=200), 10: 0.5 * rng.normal(size=200)})
    >>> len(fig.axes[0].patches)
    2
    >>> plt.close(fig)
    """
    items = _by_generation(samples_by_generation, "samples_by_generation")
    bins = positive_int(bins, "bins", maximum=_MAX_BINS)
    _text(xlabel, "xlabel")
    _text(title, "title")
    edges = np.histogram_bin_edges(np.concatenate([v for _, v in items]), bins=bins)
    ax = _axes(ax)
    for gen, values in items:
        style = _next_style(ax)
        density, _ = np.histogram(values, bins=edges, density=True)
        ax.stairs(density, edges, label=f"generation {gen}", color=style["color"],
                  linestyle=style["linestyle"], linewidth=1.8, gid=_SERIES_GID)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("density")
    if title is not None:
        ax.set_title(title)
    _legend(ax)
    return ax.figure


def rank_frequency(counts_by_generation: Mapping[int, Any], *, ax: Axes | None = None,
                   reference: Any = None, reference_label: str = "true distribution",
                   title: str | None = None) -> Figure:
    """Token rank / frequency plot (log-log) across generations.

    counts_by_generation: ``{generation: counts (K,)}``, 1 to 7 generations.
    Each generation's non-zero counts are sorted in decreasing order and
    drawn as relative frequency against rank; the legend gives the support
    (number of categories left). ``reference`` (probabilities or counts,
    ``(K,)``) is drawn the same way as a black dashed line. A Zipf law is a
    straight line; collapse cuts the tail on the right.

    >>> fig = rank_frequency({0: [50, 30, 15, 5], 10: [80, 20, 0, 0]})
    >>> len(fig.axes[0].lines)
    2
    >>> plt.close(fig)
    """
    items = _by_generation(counts_by_generation, "counts_by_generation")
    _text(reference_label, "reference_label")
    _text(title, "title")
    freqs = [(gen, _sorted_frequencies(c, f"counts_by_generation[{gen}]")) for gen, c in items]
    ref = None if reference is None else _sorted_frequencies(reference, "reference")
    ax = _axes(ax)
    for gen, freq in freqs:
        ax.plot(np.arange(1, freq.size + 1), freq, gid=_SERIES_GID, markevery=0.1,
                label=f"generation {gen} (support {freq.size})", **_next_style(ax))
    if ref is not None:
        ax.plot(np.arange(1, ref.size + 1), ref, label=reference_label, **THEORY_STYLE)
    _log_scale(ax, "x")
    _log_scale(ax, "y")
    ax.set_xlabel("rank (1 = most frequent)")
    ax.set_ylabel("relative frequency")
    if title is not None:
        ax.set_title(title)
    _legend(ax)
    return ax.figure


def _sorted_frequencies(counts: Any, name: str) -> np.ndarray:
    """Non-zero relative frequencies in decreasing order."""
    arr = finite_array(counts, name, ndim=1)
    if np.any(arr < 0):
        raise ValueError(f"{name} must not contain negative counts")
    if arr.sum() <= 0:
        raise ValueError(f"{name} must have a positive total")
    arr = np.sort(arr[arr > 0])[::-1]
    return arr / arr.sum()


def image_grid(images: Any, *, nrows: int = 1, titles: Any = None, row_labels: Any = None,
               suptitle: str | None = None, vmin: float = 0.0, vmax: float = 16.0,
               cmap: str = "gray_r") -> Figure:
    """A grid of small grey-scale images, e.g. handwritten digits across generations.

    images: ``(n, h, w)``, or ``(n, p)`` with p a square number (``(n, 64)``
    digits become 8 x 8). Filled row by row into ``nrows`` rows; unused
    cells are blank. ``titles``: one per image; ``row_labels``: one per row
    (e.g. "generation 5"). ``vmin``/``vmax`` fix the grey scale for every
    image (0-16 is the pixel range of ``sklearn.datasets.load_digits``), so
    generations are comparable; ``gray_r`` draws ink dark on white.

    >>> fig = image_grid(np.zeros((6, 64)), nrows=2, row_labels=["real", "generation 5"])
    >>> len(fig.axes), sum(len(a.images) for a in fig.axes)
    (6, 6)
    >>> plt.close(fig)
    """
    imgs = _square_images(images)
    vmin = real(vmin, "vmin")
    _text(suptitle, "suptitle")
    if not isinstance(cmap, str) or cmap not in matplotlib.colormaps:
        raise ValueError(f"cmap must name a matplotlib colour map (e.g. 'gray_r'), got "
                         f"{shown(cmap)}")
    if real(vmax, "vmax") <= vmin:
        raise ValueError(f"vmax must be greater than vmin={vmin}, got {vmax}")
    n = imgs.shape[0]
    nrows = integer(nrows, "nrows", minimum=1, maximum=n)
    ncols = -(-n // nrows)
    titles = _text_list(titles, "titles", n)
    row_labels = _text_list(row_labels, "row_labels", nrows)
    fig, axes = new_figure(nrows, ncols, figsize=(1.1 * ncols + 0.6, 1.2 * nrows + 0.4),
                           squeeze=False)
    for i, ax in enumerate(axes.flat):
        _image_cell(ax, imgs[i] if i < n else None, cmap=cmap, vmin=vmin, vmax=vmax,
                    title=None if titles is None or i >= n else titles[i])
    if row_labels is not None:
        for row, text in enumerate(row_labels):
            axes[row, 0].set_ylabel(text, fontsize=9)
    if suptitle is not None:
        fig.suptitle(suptitle)
    return fig


def _square_images(images: Any) -> np.ndarray:
    """``images`` as ``(n, h, w)``: ``(n, p)`` rows with p a square number are reshaped."""
    imgs = finite_array(images, "images", ndim=(2, 3))
    if imgs.ndim == 2:
        side = int(round(np.sqrt(imgs.shape[1])))
        if side * side != imgs.shape[1] or side == 0:
            raise ValueError(
                f"images of shape (n, p) need p to be a square number (e.g. 64 = 8 x 8), "
                f"got p={imgs.shape[1]}"
            )
        imgs = imgs.reshape(-1, side, side)
    if min(imgs.shape[1:]) == 0:
        raise ValueError(f"images must not be empty, got shape {imgs.shape}")
    return imgs


def _image_cell(ax: Axes, image: np.ndarray | None, *, cmap: str, vmin: float, vmax: float,
                title: str | None) -> None:
    """One framed cell of an image grid, without ticks (blank when ``image`` is None)."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set(visible=True, color="0.6", linewidth=0.6)
    if image is None:
        ax.set_axis_off()
        return
    ax.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    if title is not None:
        ax.set_title(title, fontsize=9)


def _text(value: Any, name: str) -> str | None:
    """``value`` if it is a string or None (a title, a label, a colour map's name)."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a string or None, got {type(value).__name__}")
    return value


def _text_list(values: Any, name: str, length: int) -> list[str] | None:
    """``None``, or a list of exactly ``length`` labels (converted to text)."""
    if values is None:
        return None
    if not isinstance(values, (list, tuple)):
        raise TypeError(f"{name} must be a list of {length} labels or None, got "
                        f"{type(values).__name__}")
    if not all(isinstance(v, (str, numbers.Number)) for v in values):
        raise TypeError(f"{name} must hold labels (str or numbers)")
    if len(values) != length:
        raise ValueError(f"{name} must have {length} entries, got {len(values)}")
    return [str(v) for v in values]
