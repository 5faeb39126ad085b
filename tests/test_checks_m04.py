"""Checks of notebook 04 have teeth: the solution passes, known wrong answers get their hint."""

from __future__ import annotations

import math

import numpy as np
import pytest
from checktools import assert_not_attempted, assert_passes

from helpers.checks import m04

# ---------------------------------------------------------------- 04.1 training set


def training_set(mu, sigma, n, rho, rng, reservoir=None, *, k_of=None, scale=None,
                 real_from_model=False, with_replacement=False, first_k=False, extra=0,
                 own_rng=None):
    """The solution (defaults) and its likely mistakes (keywords)."""
    rng = np.random.default_rng(0) if own_rng == "fixed" else (
        np.random.default_rng() if own_rng == "global" else rng)
    k = round(rho * n) if k_of is None else k_of(rho, n)
    if reservoir is None:
        real = (rng.normal(mu, sigma, size=k) if real_from_model
                else rng.normal(0.0, 1.0, size=k))
    elif first_k:
        real = np.asarray(reservoir)[:k]
    else:
        real = rng.choice(reservoir, size=k, replace=with_replacement)
    synthetic = rng.normal(mu, sigma if scale is None else scale(sigma), size=n - k + extra)
    return np.concatenate([real, synthetic[:n - k]])


def test_training_set_solution_passes():
    assert_passes(m04.training_set, training_set)


def test_training_set_other_valid_order_passes():
    def other(mu, sigma, n, rho, rng, reservoir=None):
        k = round(rho * n)
        synthetic = mu + sigma * rng.standard_normal(n - k)
        real = (rng.standard_normal(k) if reservoir is None
                else rng.permutation(reservoir)[:k])
        return np.concatenate([synthetic, real])

    assert_passes(m04.training_set, other)


def test_training_set_stub_is_not_attempted():
    assert_not_attempted(m04.training_set)


@pytest.mark.parametrize(("mistake", "hint_id"), [
    (dict(k_of=lambda rho, n: round((1 - rho) * n)), "rho-on-synthetic"),
    (dict(k_of=lambda rho, n: round(rho * n) + 1), "wrong-real-count"),  # just outside
    (dict(k_of=lambda rho, n: int(rho * n)), "int-not-round"),
    (dict(k_of=lambda rho, n: math.ceil(rho * n)), "ceil-not-round"),
    (dict(real_from_model=True), "wrong-real-count"),
    (dict(own_rng="fixed"), "rng-fixed-seed"),
    (dict(own_rng="global"), "rng-not-used"),
    (dict(extra=1), "wrong-draw-size"),  # one draw too many
    (dict(with_replacement=True), "with-replacement"),
    (dict(first_k=True), "reservoir-not-random"),
    (dict(scale=lambda s: s**2), "scale-is-variance"),
    (dict(scale=lambda s: s * 1.1), "synthetic-wrong-law"),  # 10% too wide
])
def test_training_set_mistakes_get_their_hint(mistake, hint_id):
    result = m04.training_set.evaluate(lambda *a, **kw: training_set(*a, **kw, **mistake))
    assert result.status == "fail" and result.hint_id == hint_id, result.line


def test_training_set_fresh_draws_in_a_reservoir_run_are_caught():
    def fresh_always(mu, sigma, n, rho, rng, reservoir=None):
        return training_set(mu, sigma, n, rho, rng)

    result = m04.training_set.evaluate(fresh_always)
    assert result.hint_id in ("wrong-draw-size", "reservoir-not-used"), result.line


def test_training_set_real_part_from_a_shifted_truth_is_caught():
    def shifted(mu, sigma, n, rho, rng, reservoir=None):
        out = training_set(mu, sigma, n, rho, rng, reservoir)
        k = round(rho * n)
        if reservoir is None:
            out[:k] += 0.1  # real points from N(0.1, 1)
        return out

    result = m04.training_set.evaluate(shifted)
    assert result.hint_id == "real-wrong-law", result.line


# ---------------------------------------------------------------- 04.2 stationary variance


def a_star(n, rho):
    d = n * rho * (2 - rho)
    return (d - rho) / (d + 1 - rho)


def test_stationary_variance_solution_passes():
    assert_passes(m04.stationary_variance, a_star)


def test_stationary_variance_by_iterating_to_convergence_passes():
    def iterate(n, rho):
        a, b = 1.0, 0.0
        for _ in range(100_000):
            a, b = ((n - 1) / n * (rho + (1 - rho) * a) + rho * (1 - rho) * b,
                    (1 - rho) ** 2 * b + (rho + (1 - rho) * a) / n)
        return a

    assert_passes(m04.stationary_variance, iterate)


def test_stationary_variance_stub_is_not_attempted():
    assert_not_attempted(m04.stationary_variance)


@pytest.mark.parametrize(("answer", "hint_id"), [
    (lambda n, rho: a_star(n, 1 - rho), "rho-swapped"),
    (lambda n, rho: n * rho * (2 - rho) / (n * rho * (2 - rho) + 1 - rho), "missing-term"),
    (lambda n, rho: 1 - a_star(n, rho), "mean-part"),
    (lambda n, rho: (n * rho * (2 - rho) + rho) / (n * rho * (2 - rho) + 1 - rho), "sign-slip"),
    (lambda n, rho: (n * rho * (2 - rho) - rho) / (n * rho * (2 - rho) + 1 + rho), "sign-slip"),
    (lambda n, rho: ((n - 1) / n) ** 200, "no-real-data"),
    (lambda n, rho: a_star(n, rho) * (1 + 2e-6), "not-exact"),  # just outside 1e-6
    (lambda n, rho: 0.5, "wrong-value"),
])
def test_stationary_variance_mistakes(answer, hint_id):
    result = m04.stationary_variance.evaluate(answer)
    assert result.status == "fail" and result.hint_id == hint_id, result.line


def test_stationary_variance_just_inside_tolerance_passes():
    assert_passes(m04.stationary_variance, lambda n, rho: a_star(n, rho) * (1 + 5e-7))


# ---------------------------------------------------------------- 04.3 smallest rho


def smallest_rho(n, target):
    lo, hi = 0.0, 1.0
    while hi - lo > 1e-9:
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if a_star(n, mid) >= target else (mid, hi)
    return hi


def test_smallest_real_fraction_solution_passes():
    assert_passes(m04.smallest_real_fraction, smallest_rho)


def test_smallest_real_fraction_stub_is_not_attempted():
    assert_not_attempted(m04.smallest_real_fraction)


@pytest.mark.parametrize(("answer", "hint_id"), [
    (lambda n, t: 1 - smallest_rho(n, t), "rho-swapped"),
    (lambda n, t: smallest_rho(n, t) - 2e-4, "below-target"),  # just below the answer
    (lambda n, t: smallest_rho(n, t) + 2e-4, "too-coarse"),  # just outside 1e-4 above
    (lambda n, t: np.ceil(smallest_rho(n, t) * 100) / 100, "too-coarse"),  # a 1% grid
    (lambda n, t: t, "wrong-value"),
])
def test_smallest_real_fraction_mistakes(answer, hint_id):
    result = m04.smallest_real_fraction.evaluate(answer)
    assert result.status == "fail" and result.hint_id == hint_id, result.line


def test_smallest_real_fraction_just_inside_tolerance_passes():
    assert_passes(m04.smallest_real_fraction, lambda n, t: smallest_rho(n, t) + 0.9e-4)


# ---------------------------------------------------------------- 04.4 provenance filter


def provenance(s, tpr, fpr):
    kept_synthetic, kept_real = s * (1 - tpr), (1 - s) * (1 - fpr)
    return kept_synthetic / (kept_synthetic + kept_real), (1 - s) * fpr


def test_provenance_filter_solution_passes():
    assert_passes(m04.provenance_filter, provenance)


def test_provenance_filter_stub_is_not_attempted():
    assert_not_attempted(m04.provenance_filter)


@pytest.mark.parametrize(("answer", "hint_id"), [
    (lambda s, tpr, fpr: provenance(s, fpr, tpr), "tpr-fpr-swapped"),
    (lambda s, tpr, fpr: (s * (1 - tpr), (1 - s) * fpr), "not-renormalised"),
    (lambda s, tpr, fpr: (s * tpr / (s * tpr + (1 - s) * fpr), (1 - s) * fpr),
     "kept-the-flagged"),
    (lambda s, tpr, fpr: (provenance(s, tpr, fpr)[0] * (1 + 2e-6), (1 - s) * fpr),
     "wrong-share"),  # just outside
    (lambda s, tpr, fpr: (provenance(s, tpr, fpr)[0], fpr), "lost-not-scaled"),
    (lambda s, tpr, fpr: (provenance(s, tpr, fpr)[0], (1 - s) * (1 - fpr)), "lost-is-kept"),
    (lambda s, tpr, fpr: (provenance(s, tpr, fpr)[0], s * fpr), "lost-wrong-share"),
    (lambda s, tpr, fpr: provenance(s, tpr, fpr)[0], "wrong-type"),
])
def test_provenance_filter_mistakes(answer, hint_id):
    result = m04.provenance_filter.evaluate(answer)
    assert result.status == "fail" and result.hint_id == hint_id, result.line


# ---------------------------------------------------------------- 04.5 verification gate


def gate(X, y, is_real, verifier):
    return is_real | (np.sign(X @ verifier) == y)


def test_verification_gate_solution_passes():
    assert_passes(m04.verification_gate, gate)


def test_verification_gate_stub_is_not_attempted():
    assert_not_attempted(m04.verification_gate)


@pytest.mark.parametrize(("answer", "hint_id"), [
    (lambda X, y, r, v: np.sign(X @ v) == y, "gates-real-data"),
    (lambda X, y, r, v: r | (np.sign(X @ v) != y), "inverted"),
    (lambda X, y, r, v: r.copy(), "drops-all-synthetic"),
    (lambda X, y, r, v: ~r & (np.sign(X @ v) == y), "drops-real"),
    (lambda X, y, r, v: gate(X, y, r, v).astype(float), "not-a-mask"),
    (lambda X, y, r, v: np.flatnonzero(gate(X, y, r, v)), "not-a-mask"),
    (lambda X, y, r, v: gate(X, y, r, v)[:-1], "wrong-shape"),
    (lambda X, y, r, v: None, "returned-none"),
    (lambda X, y, r, v: r | (np.sign(X @ v) == -y) | (X[:, 0] > 0), "wrong-value"),
])
def test_verification_gate_mistakes(answer, hint_id):
    result = m04.verification_gate.evaluate(answer)
    assert result.status == "fail" and result.hint_id == hint_id, result.line
