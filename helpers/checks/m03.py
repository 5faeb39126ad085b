"""Checks for the exercises of notebook 03 (measurement)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from helpers import data, detection, metrics
from helpers.checks.core import Hint, RecordingGenerator, as_float, call, close, exercise, type_name
from helpers.checks.shared import share_beyond

__all__ = ["distinct_n", "tail_mass_ratio", "mmd2_unbiased", "detection_generation",
           "samples_needed"]


# ---------------------------------------------------------------- 03.1 distinct-n

_SENTENCES = [
    ["the", "cat", "sat", "on", "the", "mat"],
    ["the", "cat", "ran"],
    ["a", "dog", "sat", "on", "the", "mat"],
    ["the", "cat", "sat"],
]


def _flat_distinct(sentences, n: int) -> float:
    flat = [tok for s in sentences for tok in s]
    grams = [tuple(flat[i:i + n]) for i in range(len(flat) - n + 1)]
    return len(set(grams)) / len(grams)


def _short_window_distinct(sentences, n: int) -> float:
    grams = [tuple(s[i:i + n]) for s in sentences for i in range(len(s) - n)]
    return len(set(grams)) / len(grams)


def _per_token_distinct(sentences, n: int) -> float:
    grams = {tuple(s[i:i + n]) for s in sentences for i in range(len(s) - n + 1)}
    return len(grams) / sum(len(s) for s in sentences)


def _hapax_share(sentences, n: int) -> float:
    grams = [tuple(s[i:i + n]) for s in sentences for i in range(len(s) - n + 1)]
    counts: dict[tuple, int] = {}
    for g in grams:
        counts[g] = counts.get(g, 0) + 1
    return sum(c == 1 for c in counts.values()) / len(grams)


def _per_sentence_mean(sentences, n: int) -> float:
    shares = []
    for s in sentences:
        grams = [tuple(s[i:i + n]) for i in range(len(s) - n + 1)]
        if grams:
            shares.append(len(set(grams)) / len(grams))
    return float(np.mean(shares))


def _negative_counts(sentences, n: int) -> float:
    grams = {tuple(s[i:i + n]) for s in sentences for i in range(len(s) - n + 1)}
    total = sum(len(s) - n + 1 for s in sentences)
    return len(grams) / total if total else math.nan


_SHORT = [["a"], ["a", "b", "c", "d"], ["b", "c", "d", "a"]]  # a sentence shorter than n


@exercise("03.1", "distinct-n",
          hints=("unhashable-ngram", "count-not-share", "across-sentences", "window-off-by-one",
                 "per-token", "hapax", "averaged-per-sentence", "n-ignored",
                 "short-sentence-count"))
def distinct_n(fn) -> str:
    """Check ``fn(sentences, n)``: distinct n-grams / all n-grams, within sentences."""
    cases = [(_SENTENCES, 2), (_SENTENCES, 1), (_SENTENCES, 3), (_SHORT, 3)]
    corpus = data.zipf_corpus(40, 30, 8, seed=3)
    cases.append(([list(map(int, row)) for row in corpus], 2))
    for sentences, n in cases:
        what = f"distinct_n(sentences, n={n})"
        try:
            value = call(fn, [list(s) for s in sentences], n)
        except Hint as hint:
            if hint.id == "raised-exception" and "unhashable type" in hint.message:
                raise Hint(f"{what}: a list cannot go into a set (it can change); make each "
                           "n-gram a tuple, tuple(s[i:i + n]).", id="unhashable-ngram") from None
            raise
        got = as_float(value, what)
        expected = metrics.distinct_n(sentences, n)
        if close(got, expected):
            continue
        for hint_id, (output, hint) in _distinct_mistakes(sentences, n, expected).items():
            value = output()
            if value is not None and close(got, value):
                raise Hint(f"{what}{hint.format(got=got)}", id=hint_id)
        raise Hint(f"{what} returned {got:.4f}, expected {expected:.4f}: the number of "
                   "different n-grams divided by the number of all n-grams, taken inside each "
                   "sentence.", id="wrong-value")
    return (f"correct: for example distinct-2 of the four sentences is "
            f"{metrics.distinct_n(_SENTENCES, 2):.4f}.")


def _distinct_mistakes(sentences: list, n: int, expected: float) -> dict[str, tuple[Any, str]]:
    """hint id -> (what that mistake returns, computed when needed; its hint after `what`),
    in the order they are tried."""
    grams = sum(max(len(s) - n + 1, 0) for s in sentences)
    return {
        "short-sentence-count": (lambda: _negative_counts(sentences, n), (
            ": a sentence shorter than n has no n-grams, not L − n + 1 < 0 of them: count the "
            "n-grams you actually collected (len of the list).")),
        "averaged-per-sentence": (lambda: _per_sentence_mean(sentences, n), (
            ": you computed distinct-n for each sentence and averaged; pool the n-grams of "
            "all sentences first, then divide the number of different ones by the number of "
            "all of them.")),
        "n-ignored": (lambda: metrics.distinct_n(sentences, 2) if n != 2 else None, (
            ": you always used bigrams; take n-grams of the length `n` that the function is "
            "given.")),
        "count-not-share": (lambda: round(expected * grams), (
            " returned {got:g}, the number of distinct n-grams; distinct-n is a share: divide "
            f"by the total number of n-grams ({grams}).")),
        "across-sentences": (lambda: _flat_distinct(sentences, n), (
            ": your n-grams run across sentence boundaries (you joined the sentences first). "
            "Take the n-grams inside each sentence only.")),
        "window-off-by-one": (lambda: _short_window_distinct(sentences, n), (
            ": you miss the last n-gram of each sentence. A sentence of L tokens has "
            "L - n + 1 n-grams: use range(len(s) - n + 1).")),
        "per-token": (lambda: _per_token_distinct(sentences, n), (
            ": you divided by the number of tokens; divide by the number of n-grams (each "
            "sentence of L tokens has L - n + 1).")),
        "hapax": (lambda: _hapax_share(sentences, n), (
            ": you counted the n-grams that occur exactly once; count every different n-gram "
            "once, however often it occurs.")),
    }


# ---------------------------------------------------------------- 03.2 tail mass ratio

_REAL = np.random.default_rng(31).normal(size=2000)
_NARROW = 0.8 * np.random.default_rng(32).normal(size=1000)
_WIDE = 1.3 * np.random.default_rng(33).normal(size=1000)


def _tail_variants(samples: np.ndarray, q: float) -> dict[str, list[float]]:
    """Values of the likely mistakes of 03.2, by hint id (some mistakes have two forms)."""
    lo, hi = np.quantile(_REAL, [q, 1 - q])
    own_lo, own_hi = np.quantile(samples, [q, 1 - q])
    h_lo, h_hi = np.quantile(_REAL, [q / 2, 1 - q / 2])
    p_lo, p_hi = np.percentile(_REAL, [q, 1 - q])
    right = metrics.tail_mass_ratio(samples, _REAL, q)
    return {
        "share-not-ratio": [share_beyond(samples, lo, hi)],
        "own-quantiles": [share_beyond(samples, own_lo, own_hi) / share_beyond(_REAL, lo, hi)],
        "inverted-ratio": [1 / right],
        "swapped-arguments": [metrics.tail_mass_ratio(_REAL, samples, q)],
        "q-halved": [share_beyond(samples, h_lo, h_hi) / share_beyond(_REAL, h_lo, h_hi)],
        "one-tail": [float(np.mean(samples > hi)) / float(np.mean(_REAL > hi)),
                     float(np.mean(samples > hi)) / (2 * q)],
        "percentile-confusion": [share_beyond(samples, p_lo, p_hi)
                                 / share_beyond(_REAL, p_lo, p_hi)],
    }


_TAIL_HINTS = {
    "share-not-ratio": "you returned the share of samples in the tails; the ratio divides it by "
                       "the real data's own share beyond the same quantiles (about 2q).",
    "own-quantiles": "the tails are set by the *real* data's quantiles; with the samples' own "
                     "quantiles every sample has its 'own' tails and the ratio is always "
                     "about 1.",
    "inverted-ratio": "your ratio is upside down: divide the samples' share by the real data's "
                      "share (the result is below 1 when tails are lost).",
    "swapped-arguments": "you swapped the roles of `samples` and `real`: the quantiles come "
                         "from `real`, and the share of `samples` beyond them is compared with "
                         "the share of `real`.",
    "q-halved": "the tails are beyond the q- and (1 − q)-quantiles, q on each side, not q/2.",
    "one-tail": "count both tails, below the q-quantile and above the (1 - q)-quantile of the "
                "real data.",
    "percentile-confusion": "np.percentile takes percentages (0-100), so np.percentile(real, q) "
                            "is the q% point, not the 100·q% one. Use np.quantile(real, "
                            "[q, 1 - q]).",
}
_TAIL_CASES = ((_NARROW, 0.05), (_NARROW, 0.01), (_WIDE, 0.01))


@exercise("03.2", "tail mass ratio", hints=tuple(_TAIL_HINTS))
def tail_mass_ratio(fn) -> str:
    """Check ``fn(samples, real, q)`` against ``helpers.metrics.tail_mass_ratio``."""
    got = [as_float(call(fn, samples.copy(), _REAL.copy(), q),
                    f"tail_mass_ratio(samples, real, q={q})") for samples, q in _TAIL_CASES]
    expected = [metrics.tail_mass_ratio(samples, _REAL, q) for samples, q in _TAIL_CASES]
    wrong = [i for i in range(len(got)) if not close(got[i], expected[i], rel=1e-9,
                                                     abs_tol=1e-12)]
    if not wrong:
        return (f"correct: a sample with 0.8 times the real spread keeps "
                f"{metrics.tail_mass_ratio(_NARROW, _REAL, 0.01):.2f} of the real 1% tails.")
    variants = [_tail_variants(samples, q) for samples, q in _TAIL_CASES]
    # the mistake that explains every case, else the one that explains the first wrong case
    for scope in (range(len(got)), wrong[:1]):
        for hint_id, hint in _TAIL_HINTS.items():
            if all(any(close(got[i], v) for v in variants[i][hint_id]) for i in scope):
                q = _TAIL_CASES[scope[0]][1]
                raise Hint(f"tail_mass_ratio(samples, real, q={q}): {hint}", id=hint_id)
    i = wrong[0]
    raise Hint(f"tail_mass_ratio(samples, real, q={_TAIL_CASES[i][1]}) returned {got[i]:.4f}, "
               f"expected {expected[i]:.4f}: (share of samples beyond the real q and 1 - q "
               "quantiles) / (share of real data beyond them).", id="wrong-value")



# ---------------------------------------------------------------- 03.3 unbiased MMD²

_X = np.random.default_rng(41).normal(size=(60, 2))
_Y = 0.5 * np.random.default_rng(42).normal(size=(50, 2)) + np.array([0.3, 0.0])


def _sqdist(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=-1)


def _mmd_variants(x: np.ndarray, y: np.ndarray, h: float) -> dict[str, float]:
    """Values of the likely mistakes, by name."""
    m, n = len(x), len(y)

    def parts(kernel):
        kxx, kyy, kxy = kernel(_sqdist(x, x)), kernel(_sqdist(y, y)), kernel(_sqdist(x, y))
        return kxx, kyy, kxy

    kxx, kyy, kxy = parts(lambda d2: np.exp(-d2 / (2 * h**2)))
    off_x = (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
    off_y = (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
    variants = {
        "biased-estimate": kxx.mean() + kyy.mean() - 2 * kxy.mean(),
        "divided-by-m-squared": (kxx.sum() - m) / m**2 + (kyy.sum() - n) / n**2 - 2 * kxy.mean(),
        "cross-term-once": off_x + off_y - kxy.mean(),
        "square-root": math.sqrt(max(off_x + off_y - 2 * kxy.mean(), 0.0)),
    }
    for label, kernel in (("gamma-convention", lambda d2: np.exp(-d2 / h**2)),
                          ("distance-not-squared", lambda d2: np.exp(-np.sqrt(d2) / (2 * h**2))),
                          ("bandwidth-not-squared", lambda d2: np.exp(-d2 / (2 * h)))):
        a, b, c = parts(kernel)
        variants[label] = ((a.sum() - np.trace(a)) / (m * (m - 1))
                           + (b.sum() - np.trace(b)) / (n * (n - 1)) - 2 * c.mean())
    return {k: float(v) for k, v in variants.items()}


_MMD_HINTS = {
    "biased-estimate": "you kept the diagonal terms k(x_i, x_i) = 1: that is the biased "
                       "estimate, always pushed upwards. Leave out i = j and divide the "
                       "within-sample sums by m(m - 1) and n(n - 1).",
    "divided-by-m-squared": "you left out the diagonal but divided by m² (and n²); the unbiased "
                            "estimate averages over the m(m - 1) pairs i != j.",
    "cross-term-once": "the cross term counts twice: MMD² = mean k(x, x') + mean k(y, y') "
                       "- 2 mean k(x, y).",
    "square-root": "return the squared MMD (it can be slightly negative), not its square root.",
    "gamma-convention": "the RBF kernel here is exp(-||x - y||² / (2 bandwidth²)): you left "
                        "out the 2.",
    "distance-not-squared": "the kernel uses the squared distance ||x - y||², not the distance.",
    "bandwidth-not-squared": "divide by 2 bandwidth², not 2 bandwidth.",
}


@exercise("03.3", "unbiased MMD² with an RBF kernel",
          hints=("biased-estimate", "divided-by-m-squared", "cross-term-once", "square-root",
                 "gamma-convention", "distance-not-squared", "bandwidth-not-squared",
                 "bandwidth-ignored", "sanity-off"))
def mmd2_unbiased(fn) -> str:
    """Check ``fn(X, Y, bandwidth)`` against ``helpers.metrics.mmd2_rbf`` (fixed bandwidth)."""
    for h in (1.0, 0.4):
        what = f"mmd2_unbiased(X, Y, bandwidth={h})"
        got = as_float(call(fn, _X.copy(), _Y.copy(), h), what)
        expected = metrics.mmd2_rbf(_X, _Y, bandwidth=h)
        if close(got, expected, rel=1e-6, abs_tol=1e-10):
            continue
        if h != 1.0 and close(got, metrics.mmd2_rbf(_X, _Y, bandwidth=1.0), rel=1e-6):
            raise Hint(f"{what} returned {got:.5f}, the value for bandwidth 1: use the "
                       "`bandwidth` argument in the kernel.", id="bandwidth-ignored")
        for name, value in _mmd_variants(_X, _Y, h).items():
            if close(got, value, rel=1e-6, abs_tol=1e-10):
                raise Hint(f"{what} returned {got:.5f}, expected {expected:.5f}: "
                           + _MMD_HINTS[name], id=name)
        raise Hint(f"{what} returned {got:.5f}, expected {expected:.5f}. Build the three "
                   "kernel matrices from squared distances, drop the diagonals of the two "
                   "within-sample ones, and average.", id="wrong-value")
    return _mmd_sanity(fn)


def _mmd_sanity(fn) -> str:
    """Sanity values (REFERENCES.md section 8) computed with the learner's function."""
    def normal(seed: int, scale: float = 1.0) -> np.ndarray:
        return scale * np.random.default_rng(seed).normal(size=(200, 2))

    same = np.mean([as_float(call(fn, normal(60 + i), normal(70 + i), 1.0),
                             "mmd2_unbiased(X, Y, 1.0)") for i in range(5)])
    shrunk = as_float(call(fn, normal(80), normal(81, 0.5), 1.0), "mmd2_unbiased(X, Y, 1.0)")
    if abs(same) > 0.01 or not 0.07 < shrunk < 0.15:
        raise Hint(f"sanity values are off: same distribution {same:.4f} (should be about 0), "
                   f"N(0, I) vs N(0, 0.25 I) {shrunk:.4f} (should be about 0.10).", id="sanity-off")
    return (f"correct, and sane: two samples of N(0, I₂) give {same:+.4f} on average (about 0: "
            f"unbiased), N(0, I₂) vs N(0, 0.25 I₂) gives {shrunk:.3f} (about 0.10), "
            "200 points each, bandwidth 1.")


# ---------------------------------------------------------------- 03.4 detection generation

def _gen0(seed: int, n: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=n)


def _trajectory(v0: float, offsets) -> np.ndarray:
    return v0 + np.asarray(offsets, dtype=float)


# Each case: (label, generation-0 sample, trajectory, n_boot, expected answer). The values
# sit well inside or well outside the band (more than 1.5 of its standard deviations from
# the edge), so any reasonable bootstrap gives the expected answer.
def _cases():
    wide = _gen0(51, 40)       # variance's bootstrap sd about 0.2: a wide band
    narrow = _gen0(52, 4000)   # bootstrap sd about 0.02: a narrow band
    mid = _gen0(53, 500)       # bootstrap sd about 0.06
    v = mid.var()
    return [
        ("mid", mid, _trajectory(v, [0, -0.03, 0.30, -0.04, -0.05, -0.40, -0.5, -0.6]), 199, 5),
        ("wide", wide, _trajectory(wide.var(), [0, -0.15, -0.25, -0.2, -0.9, -0.95]), 199, 4),
        ("narrow", narrow, _trajectory(narrow.var(), [0, 0.01, -0.09, -0.15, -0.2]), 199, 2),
        ("never", mid, _trajectory(v, [0, 0.02, -0.03, 0.05, -0.01]), 199, None),
        ("last", mid, _trajectory(v, [0, -0.02, 0.03, -0.05, 0.01, -0.5]), 149, 5),
        ("low start", mid, _trajectory(v, [-0.5, -0.03, 0.02, -0.45, -0.5]), 199, 3),
    ]


class _RecordedStatistic:
    """Wraps a statistic and records every value it returns (the learner's bootstrap values)."""

    def __init__(self, statistic) -> None:
        self.statistic, self.__name__ = statistic, statistic.__name__
        self.sizes: list[int] = []
        self.values: list[float] = []

    def __call__(self, x, *args, **kwargs):
        out = self.statistic(x, *args, **kwargs)
        self.sizes.append(int(np.size(x)))
        self.values.extend(np.ravel(out).astype(float).tolist())
        return out


def _first_below(values: np.ndarray, edge: float, start: int = 1, stop: int | None = None):
    for g in range(start, len(values) if stop is None else stop):
        if values[g] < edge:
            return g
    return None


def _detection_variants(traj: np.ndarray, null: np.ndarray, alpha: float) -> dict:
    """The answers of the likely mistakes, computed from the learner's own bootstrap values."""
    edge = np.quantile(null, alpha)
    lo, hi = np.quantile(null, [alpha / 2, 1 - alpha / 2])
    outside = [g for g in range(1, len(traj)) if not lo <= traj[g] <= hi]
    return {
        "upper-quantile": _first_below(traj, np.quantile(null, 1 - alpha)),
        "two-sided": outside[0] if outside else None,
        "generation-zero-included": _first_below(traj, edge, start=0),
        "last-generation-skipped": _first_below(traj, edge, stop=len(traj) - 1),
    }


_DETECTION_HINTS = {
    "upper-quantile": "your edge is the (1 − alpha)-quantile of the bootstrap values, the top "
                      "of the band; the lower edge is np.quantile(null, alpha).",
    "two-sided": "for a diversity measure only a drop below the band's lower edge is an alarm; "
                 "you also raised it for a value above the band (or used alpha/2 on each "
                 "side).",
    "generation-zero-included": "the search starts at generation 1: generation 0 is the "
                                "reference the band is built from, so loop over "
                                "range(1, len(trajectory)).",
    "last-generation-skipped": "your search stops one generation early: the last generation, "
                               "len(trajectory) − 1, must be checked too.",
}


@exercise("03.4", "detection generation with a bootstrap band",
          hints=("none-expected", "none-returned", "off-by-one", *_DETECTION_HINTS,
                 "raw-comparison", "fixed-margin-wide", "fixed-margin-narrow", "no-bootstrap",
                 "statistic-not-used", "no-replacement", "resample-size", "n-boot-ignored",
                 "minimum-not-quantile"))
def detection_generation(fn) -> str:
    """Check ``fn(trajectory, gen0_sample, statistic, rng, n_boot, alpha)``."""
    runs = []
    for label, sample, traj, n_boot, expected in _cases():
        what = f"detection_generation(<{label} case>, ...)"
        statistic, rng = _RecordedStatistic(np.var), RecordingGenerator(7)
        got = call(fn, traj.copy(), sample.copy(), statistic, rng, n_boot, 0.01)
        if got is not None and (isinstance(got, bool) or not isinstance(got, (int, np.integer))):
            raise Hint(f"{what} should return a generation number (an int) or None, "
                       f"got {type_name(got)}.", id="wrong-type")
        runs.append((label, sample, traj, n_boot, expected, statistic, rng,
                     None if got is None else int(got)))
    if all(not statistic.values and not rng.draws for *_, statistic, rng, _ in runs):
        _name_the_shortcut(runs)
    for label, sample, _, n_boot, _, statistic, rng, _ in runs:
        _require_bootstrap(label, len(sample), n_boot, statistic, rng)
    wrong = [run for run in runs if run[-1] != run[4]]
    if not wrong:
        _edge_between_minimum_and_quantile(fn)
        return ("correct: the band's width follows the generation-0 sample size, and only "
                "drops below it raise the alarm.")
    _name_the_wrong_generation(*wrong[0])


def _name_the_wrong_generation(label: str, sample: np.ndarray, traj: np.ndarray, n_boot: int,
                               expected: int | None, statistic: Any, rng: Any,
                               got: int | None) -> None:
    """The first case the answer got wrong: name the variant it matches, or what is off."""
    what = f"detection_generation(<{label} case>, ...)"
    null = np.array(statistic.values[:n_boot])
    for hint_id, answer in _detection_variants(traj, null, 0.01).items():
        if answer != expected and got == answer:
            raise Hint(f"{what} returned {got}: {_DETECTION_HINTS[hint_id]}", id=hint_id)
    if expected is None:
        raise Hint(f"{what} returned {got!r} for a trajectory that never leaves the band; "
                   "return None when no generation is beyond it.", id="none-expected")
    if got is None:
        raise Hint(f"{what} returned None, but generation {expected} is far below the band. "
                   "Is your lower edge the alpha-quantile of the bootstrap values "
                   "(np.quantile(null, alpha))?", id="none-returned")
    if got == expected - 1:
        raise Hint(f"{what} returned {got}, one less than the generation at which the "
                   "trajectory leaves the band: trajectory[g] belongs to generation g "
                   "(if you looped over trajectory[1:], add 1).", id="off-by-one")
    raise Hint(f"{what} returned {got}, expected {expected}.", id="wrong-value")


def _edge_between_minimum_and_quantile(fn) -> None:
    """A value between the smallest bootstrap value and the alpha-quantile: the quantile alarms.

    Built from the answer's own bootstrap values (its resamples depend only on the sample
    and the seed, so a second call sees the same band); with n_boot = 199 and alpha = 0.01
    every quantile convention lies at or above the second-smallest value.
    """
    sample = _gen0(53, 500)
    v = float(sample.var())
    what = "detection_generation(<edge case>, ...)"

    def run(trajectory: np.ndarray) -> tuple[int | None, list[float]]:
        statistic = _RecordedStatistic(np.var)
        got = call(fn, trajectory, sample.copy(), statistic, RecordingGenerator(7), 199, 0.01)
        return (None if got is None else int(got)), statistic.values

    _, null = run(np.full(4, v))
    lowest = np.sort(np.asarray(null, dtype=float))
    if len(lowest) < 2 or not lowest[0] < lowest[1]:
        return
    between = (lowest[0] + lowest[1]) / 2
    got, again = run(np.array([v, v, between, v, v]))
    if again != null:  # another band on the second call: nothing to conclude here
        return
    if got is None:
        raise Hint(f"{what} returned None for a value ({between:.4f}) below the "
                   "alpha-quantile of your own bootstrap values but above their minimum: the "
                   "lower edge is np.quantile(null, alpha), not the smallest bootstrap value "
                   "(the task fixes alpha = 0.01).", id="minimum-not-quantile")
    if got != 2:
        raise Hint(f"{what} returned {got}; generation 2 is the only value below the lower edge "
                   "np.quantile(null, alpha) of your own bootstrap values.", id="wrong-value")


def _name_the_shortcut(runs) -> None:
    """No case resampled anything: say which shortcut the answers agree with."""
    if all(got == _first_below(traj, traj[0]) for _, _, traj, *_, got in runs):
        raise Hint("detection_generation: you compared each value with generation 0's value "
                   "itself. Compare with the lower edge of the bootstrap band, which allows for "
                   "sampling noise.", id="raw-comparison")
    for label, sample, _, _, expected, _, _, got in runs:
        what = f"detection_generation(<{label} case>, ...) returned {got}"
        if label == "wide" and got is not None and expected is not None and got < expected:
            raise Hint(f"{what}: with only {len(sample)} points in the generation-0 sample, the "
                       "band is wide and that drop is within noise. Build the band from "
                       "bootstrap resamples of gen0_sample, not from a fixed margin.",
                       id="fixed-margin-wide")
        if label == "narrow" and (got is None or (expected is not None and got > expected)):
            raise Hint(f"{what}: with {len(sample)} points the band is narrow and generation "
                       f"{expected} is already below it. Build the band from bootstrap "
                       "resamples of gen0_sample, not from a fixed margin.",
                       id="fixed-margin-narrow")
    raise Hint("detection_generation never resampled gen0_sample: build the band from n_boot "
               "bootstrap resamples (rng.integers(0, n, size=n) as row indices) and apply "
               "`statistic` to each.", id="no-bootstrap")


def _require_bootstrap(label: str, n: int, n_boot: int, statistic: _RecordedStatistic,
                       rng: RecordingGenerator) -> None:
    """The band must come from n_boot resamples of gen0_sample, with replacement, via rng."""
    what = f"detection_generation(<{label} case>, ...)"
    if not statistic.values:
        raise Hint(f"{what} never called `statistic`: apply the function it is given (here "
                   "np.var, but it could be any measure) to each resample, not a measure of "
                   "your choice.", id="statistic-not-used")
    if not rng.draws:
        raise Hint(f"{what} never drew from the `rng` it was given: resample with it, e.g. "
                   "rng.integers(0, n, size=n), not with np.random or a generator of your own.",
                   id="rng-not-used")
    if any(d.method in ("permutation", "shuffle", "permuted") or (
            d.method == "choice" and d.kwargs.get("replace", d.args[2] if len(d.args) > 2
                                                  else True) is False) for d in rng.draws):
        raise Hint(f"{what} resamples without replacement: a permutation of gen0_sample has "
                   "the same statistic every time, so the band has no width. Draw n indices "
                   "with replacement, rng.integers(0, n, size=n).", id="no-replacement")
    if len(statistic.values) not in (n_boot, n_boot + 1):
        raise Hint(f"{what} computed {len(statistic.values)} bootstrap values; use the "
                   f"`n_boot` argument ({n_boot} here) as the number of resamples.",
                   id="n-boot-ignored")
    if sum(statistic.sizes) not in (n_boot * n, (n_boot + 1) * n):
        raise Hint(f"{what}: `statistic` saw {sum(statistic.sizes)} values in all; each of the "
                   f"n_boot = {n_boot} resamples has the size of gen0_sample ({n}).",
                   id="resample-size")


# ---------------------------------------------------------------- 03.5 samples needed

_SAMPLE_CASES = ((0.02, 0.2, 0.95), (0.10, 0.1, 0.95), (0.002, 0.5, 0.9), (0.05, 0.25, 0.99))


@exercise("03.5", "evaluation samples needed for a tail share",
          hints=("not-rounded-up", "z-not-squared", "dropped-one-minus-p", "fixed-z",
                 "one-sided-z", "wrong-z-formula", "absolute-error"))
def samples_needed(fn) -> str:
    """Check ``fn(share, rel_error, confidence)`` against the binomial sample-size formula."""
    from scipy.stats import norm

    for share, rel, conf in _SAMPLE_CASES:
        what = f"samples_needed({share}, {rel}, {conf})"
        got = as_float(call(fn, share, rel, conf), what)
        expected = detection.share_sample_size(share, rel, conf)
        z = norm.ppf(0.5 + conf / 2)
        exact = z**2 * (1 - share) / (share * rel**2)
        if got == expected:
            continue
        if close(got, exact, rel=1e-6) or got == math.floor(exact) or got == round(exact):
            raise Hint(f"{what} returned {got:g}; a number of samples is a whole number and "
                       f"must be at least the formula's value {exact:.2f}: round up "
                       "(math.ceil).", id="not-rounded-up")
        if abs(got - z * (1 - share) / (share * rel**2)) <= 1:
            raise Hint(f"{what}: the formula has z², not z (the standard error shrinks like "
                       "1/sqrt(m)).", id="z-not-squared")
        if abs(got - z**2 / (share * rel**2)) <= 1:
            raise Hint(f"{what}: close, but you dropped the factor (1 - p): the variance of a "
                       "share is p(1 - p)/m.", id="dropped-one-minus-p")
        if not close(conf, 0.95) and abs(got - 1.96**2 * (1 - share) / (share * rel**2)) <= 1:
            raise Hint(f"{what}: you used z = 1.96, the value for 95%; for confidence = {conf} "
                       f"z = {z:.3f}: compute it, z = norm.ppf(0.5 + confidence / 2).",
                       id="fixed-z")
        one_sided = norm.ppf(conf)
        if abs(got - one_sided**2 * (1 - share) / (share * rel**2)) <= 1:
            raise Hint(f"{what}: you used the one-sided quantile z = {one_sided:.3f}; a "
                       f"two-sided {conf:.0%} interval uses z = {z:.3f} "
                       "(norm.ppf(0.5 + confidence / 2)).", id="one-sided-z")
        if abs(got - z**2 * share * (1 - share) / rel**2) <= 1:
            raise Hint(f"{what}: the precision is *relative* (rel_error x p), so the formula "
                       "divides by p rel_error², not multiplies by p.", id="absolute-error")
        tail_z = norm.ppf(1 - conf / 2)
        if abs(got - math.ceil(tail_z**2 * (1 - share) / (share * rel**2))) <= 1:
            raise Hint(f"{what}: your z is {abs(tail_z):.3f}, norm.ppf(1 − confidence / 2); "
                       "the two-sided quantile is norm.ppf(0.5 + confidence / 2) "
                       f"= {z:.3f} (the upper (1 − confidence)/2 point).", id="wrong-z-formula")
        raise Hint(f"{what} returned {got:g}, expected {expected}: m = z²(1 - p) / (p r²), "
                   "rounded up.", id="wrong-value")
    return (f"correct: estimating the 1%/99% tail share (p = 0.02) to ±20% at 95% takes "
            f"{detection.share_sample_size(0.02, 0.2):,} evaluation samples.")
