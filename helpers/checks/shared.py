"""Inputs, reference computations and hints shared by the checks of several lessons."""

from __future__ import annotations

import numpy as np

__all__ = ["DATA", "SEED", "draw", "share_beyond", "FROM_THE_TRUTH", "RNG_NOT_USED"]

# Fixed input and seed of the one-generation exercises (00.1, 01.1).
DATA = np.array([1.3, -0.4, 2.2, 0.7, -1.1, 0.9, 1.6, 0.2])
SEED = 7

FROM_THE_TRUTH = ("you sampled from N(0, 1), the true distribution. The loop samples from the "
                  "model fitted to `data`: use its mean and standard deviation.")
RNG_NOT_USED = ("two calls with the same seed gave different samples: draw every random number "
                "from the `rng` argument (rng.normal(...)), not from np.random.")


def draw(mean: float, scale: float, n: int = DATA.size, seed: int = SEED) -> np.ndarray:
    """The samples ``rng.normal(mean, scale, size=n)`` gives with ``rng = default_rng(seed)``."""
    return np.random.default_rng(seed).normal(mean, scale, size=n)


def share_beyond(samples: np.ndarray, lo: float, hi: float, sides: str = "both") -> float:
    """Share of ``samples`` below ``lo`` and/or above ``hi`` (``sides``: both, low, high).

    >>> share_beyond(np.array([-2.0, 0.0, 0.5, 3.0]), -1.0, 1.0)
    0.5
    """
    below, above = np.mean(samples < lo), np.mean(samples > hi)
    return float({"both": below + above, "low": below, "high": above}[sides])
