"""Checks for the exercises of notebook 03 (measurement)."""

from __future__ import annotations

import math

import numpy as np

from helpers import data, detection, metrics
from helpers.checks.core import Hint, as_float, call, close, exercise
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


@exercise("03.1", "distinct-n",
          hints=("count-not-share", "across-sentences", "window-off-by-one", "per-token", "hapax"))
def distinct_n(fn) -> str:
    """Check ``fn(sentences, n)``: distinct n-grams / all n-grams, within sentences."""
    cases = [(_SENTENCES, 2), (_SENTENCES, 1), (_SENTENCES, 3)]
    corpus = data.zipf_corpus(40, 30, 8, seed=3)
    cases.append(([list(map(int, row)) for row in corpus], 2))
    for sentences, n in cases:
        what = f"distinct_n(sentences, n={n})"
        got = as_float(call(fn, [list(s) for s in sentences], n), what)
        expected = metrics.distinct_n(sentences, n)
        if close(got, expected):
            continue
        grams = sum(max(len(s) - n + 1, 0) for s in sentences)
        distinct = round(expected * grams)
        if close(got, distinct):
            raise Hint(f"{what} returned {got:g}, the number of distinct n-grams; distinct-n "
                       f"is a share: divide by the total number of n-grams ({grams}).",
                       id="count-not-share")
        if close(got, _flat_distinct(sentences, n)):
            raise Hint(f"{what}: your n-grams run across sentence boundaries (you joined the "
                       "sentences first). Take the n-grams inside each sentence only.",
                       id="across-sentences")
        if close(got, _short_window_distinct(sentences, n)):
            raise Hint(f"{what}: you miss the last n-gram of each sentence. A sentence of L "
                       "tokens has L - n + 1 n-grams: use range(len(s) - n + 1).",
                       id="window-off-by-one")
        if close(got, _per_token_distinct(sentences, n)):
            raise Hint(f"{what}: you divided by the number of tokens; divide by the number "
                       "of n-grams (each sentence of L tokens has L - n + 1).", id="per-token")
        if close(got, _hapax_share(sentences, n)):
            raise Hint(f"{what}: you counted the n-grams that occur exactly once; count every "
                       "different n-gram once, however often it occurs.", id="hapax")
        raise Hint(f"{what} returned {got:.4f}, expected {expected:.4f}. Collect the n-grams "
                   "as tuples (tuple(s[i:i + n])) so that they can go into a set.",
                   id="wrong-value")
    return (f"correct: for example distinct-2 of the four sentences is "
            f"{metrics.distinct_n(_SENTENCES, 2):.4f}.")


# ---------------------------------------------------------------- 03.2 tail mass ratio

_REAL = np.random.default_rng(31).normal(size=2000)
_NARROW = 0.8 * np.random.default_rng(32).normal(size=1000)
_WIDE = 1.3 * np.random.default_rng(33).normal(size=1000)


@exercise("03.2", "tail mass ratio",
          hints=("share-not-ratio", "own-quantiles", "one-tail", "percentile-confusion"))
def tail_mass_ratio(fn) -> str:
    """Check ``fn(samples, real, q)`` against ``helpers.metrics.tail_mass_ratio``."""
    for samples, q in ((_NARROW, 0.05), (_NARROW, 0.01), (_WIDE, 0.01)):
        what = f"tail_mass_ratio(samples, real, q={q})"
        got = as_float(call(fn, samples.copy(), _REAL.copy(), q), what)
        expected = metrics.tail_mass_ratio(samples, _REAL, q)
        if close(got, expected, rel=1e-9, abs_tol=1e-12):
            continue
        lo, hi = np.quantile(_REAL, [q, 1 - q])
        share = share_beyond(samples, lo, hi)
        if close(got, share):
            raise Hint(f"{what} returned the share of samples in the tails ({share:.4f}); "
                       "the ratio divides it by the real data's own share beyond the same "
                       "quantiles (about 2q).", id="share-not-ratio")
        own_lo, own_hi = np.quantile(samples, [q, 1 - q])
        if close(got, share_beyond(samples, own_lo, own_hi) / share_beyond(_REAL, lo, hi)):
            raise Hint(f"{what}: the tails are set by the *real* data's quantiles; with the "
                       "samples' own quantiles every sample has its 'own' tails and the ratio "
                       "is always about 1.", id="own-quantiles")
        upper = float(np.mean(samples > hi)) / float(np.mean(_REAL > hi))
        if close(got, upper) or close(got, float(np.mean(samples > hi)) / (2 * q)):
            raise Hint(f"{what}: count both tails, below the q-quantile and above the "
                       "(1 - q)-quantile of the real data.", id="one-tail")
        p_lo, p_hi = np.percentile(_REAL, [q, 1 - q])
        if close(got, share_beyond(samples, p_lo, p_hi) / share_beyond(_REAL, p_lo, p_hi)):
            raise Hint(f"{what}: np.percentile takes percentages (0-100), so "
                       f"np.percentile(real, {q}) is the {q}% point, not the {q:.0%} one. "
                       "Use np.quantile(real, [q, 1 - q]).", id="percentile-confusion")
        raise Hint(f"{what} returned {got:.4f}, expected {expected:.4f}: (share of samples "
                   "beyond the real q and 1 - q quantiles) / (share of real data beyond them).",
                   id="wrong-value")
    return (f"correct: a sample with 0.8 times the real spread keeps "
            f"{metrics.tail_mass_ratio(_NARROW, _REAL, 0.01):.2f} of the real 1% tails.")


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
                 "sanity-off"))
def mmd2_unbiased(fn) -> str:
    """Check ``fn(X, Y, bandwidth)`` against ``helpers.metrics.mmd2_rbf`` (fixed bandwidth)."""
    for h in (1.0, 0.4):
        what = f"mmd2_unbiased(X, Y, bandwidth={h})"
        got = as_float(call(fn, _X.copy(), _Y.copy(), h), what)
        expected = metrics.mmd2_rbf(_X, _Y, bandwidth=h)
        if close(got, expected, rel=1e-6, abs_tol=1e-10):
            continue
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


# Each case: (generation-0 sample, trajectory offsets from its variance, expected answer).
# The offsets sit well inside or well outside the band (more than 1.5 of its standard
# deviations away from the edge), so any reasonable bootstrap gives the same answer.
def _cases():
    wide = _gen0(51, 40)       # variance's bootstrap sd about 0.2: a wide band
    narrow = _gen0(52, 4000)   # bootstrap sd about 0.02: a narrow band
    mid = _gen0(53, 500)       # bootstrap sd about 0.06
    return [
        ("mid", mid, _trajectory(mid.var(), [0, -0.03, 0.30, -0.04, -0.05, -0.40, -0.5, -0.6]),
         5),
        ("wide", wide, _trajectory(wide.var(), [0, -0.15, -0.25, -0.2, -0.9, -0.95]), 4),
        ("narrow", narrow, _trajectory(narrow.var(), [0, 0.01, -0.09, -0.15, -0.2]), 2),
        ("never", mid, _trajectory(mid.var(), [0, 0.02, -0.03, 0.05, -0.01]), None),
    ]


@exercise("03.4", "detection generation with a bootstrap band",
          hints=("none-expected", "none-returned", "off-by-one", "two-sided", "raw-comparison",
                 "fixed-margin-wide", "fixed-margin-narrow"))
def detection_generation(fn) -> str:
    """Check ``fn(trajectory, gen0_sample, statistic, rng, n_boot, alpha)``."""
    for label, sample, traj, expected in _cases():
        what = f"detection_generation(<{label} case>, ...)"
        got = call(fn, traj.copy(), sample.copy(), np.var, np.random.default_rng(7), 199, 0.01)
        if expected is None:
            if got is None:
                continue
            raise Hint(f"{what} returned {got!r} for a trajectory that never leaves the band; "
                       "return None when no generation is beyond it.", id="none-expected")
        if got is None:
            raise Hint(f"{what} returned None, but generation {expected} is far below the band. "
                       "Is your lower edge the alpha-quantile of the bootstrap values "
                       "(np.quantile(null, alpha))?", id="none-returned")
        if isinstance(got, bool) or not isinstance(got, (int, np.integer)):
            raise Hint(f"{what} should return a generation number (an int) or None, "
                       f"got {type(got).__name__}.", id="wrong-type")
        got = int(got)
        if got == expected:
            continue
        if got == expected - 1:
            raise Hint(f"{what} returned {got}, one less than the generation at which the "
                       "trajectory leaves the band: trajectory[g] belongs to generation g "
                       "(if you looped over trajectory[1:], add 1).", id="off-by-one")
        if label == "mid" and got == 2:
            raise Hint(f"{what} returned 2, where the value jumps *up*: for a diversity "
                       "measure only a drop below the band's lower edge is an alarm.",
                       id="two-sided")
        if label == "mid" and got == 1:
            raise Hint(f"{what} returned 1: you compared each value with generation 0's value "
                       "itself. Compare with the lower edge of the bootstrap band, which "
                       "allows for sampling noise.", id="raw-comparison")
        if label == "wide" and got < expected:
            raise Hint(f"{what} returned {got}: with only {len(sample)} points in the "
                       "generation-0 sample, the band is wide and that drop is within noise. "
                       "Build the band from bootstrap resamples of gen0_sample, not from a "
                       "fixed margin.", id="fixed-margin-wide")
        if label == "narrow" and got > expected:
            raise Hint(f"{what} returned {got}: with {len(sample)} points the band is narrow and "
                       "generation 2 is already below it. Build the band from bootstrap "
                       "resamples of gen0_sample, not from a fixed margin.",
                       id="fixed-margin-narrow")
        raise Hint(f"{what} returned {got}, expected {expected}.", id="wrong-value")
    return ("correct: the band's width follows the generation-0 sample size, and only drops "
            "below it raise the alarm.")


# ---------------------------------------------------------------- 03.5 samples needed

_SAMPLE_CASES = ((0.02, 0.2, 0.95), (0.10, 0.1, 0.95), (0.002, 0.5, 0.9), (0.05, 0.25, 0.99))


@exercise("03.5", "evaluation samples needed for a tail share",
          hints=("not-rounded-up", "z-not-squared", "dropped-one-minus-p", "one-sided-z",
                 "absolute-error"))
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
        one_sided = norm.ppf(conf)
        if abs(got - one_sided**2 * (1 - share) / (share * rel**2)) <= 1:
            raise Hint(f"{what}: you used the one-sided quantile z = {one_sided:.3f}; a "
                       f"two-sided {conf:.0%} interval uses z = {z:.3f} "
                       "(norm.ppf(0.5 + confidence / 2)).", id="one-sided-z")
        if abs(got - z**2 * share * (1 - share) / rel**2) <= 1:
            raise Hint(f"{what}: the precision is *relative* (rel_error x p), so the formula "
                       "divides by p rel_error², not multiplies by p.", id="absolute-error")
        raise Hint(f"{what} returned {got:g}, expected {expected}: m = z²(1 - p) / (p r²), "
                   "rounded up.", id="wrong-value")
    return (f"correct: estimating the 1%/99% tail share (p = 0.02) to ±20% at 95% takes "
            f"{detection.share_sample_size(0.02, 0.2):,} evaluation samples.")
