"""Checks of notebook 02 have teeth: the solution passes, known wrong answers get their hint."""

from __future__ import annotations

import math

import numpy as np
import pytest
from checktools import assert_hint, assert_not_attempted, assert_passes

from helpers import chains
from helpers.checks import m02

# ---------------------------------------------------------------- 02.1 accumulate loop


def accumulate_loop(real, generations, rng, *, keep_real=True, keep_old=True, ddof=0,
                    scale=np.sqrt, truth=False, extra=0, refit=True, pool_size=False,
                    returned=None, first=None):
    """The solution (defaults) and its likely mistakes (keywords)."""
    real = np.asarray(real, dtype=float)
    kept = [real] if keep_real else []
    data = real
    fit = data.mean(), data.var(ddof=ddof)
    variances = []
    for t in range(1, generations + extra + 1):
        if t >= 2:
            size = sum(map(len, kept)) if pool_size else len(real)
            draw = (rng.normal(0.0, 1.0, size=size) if truth
                    else rng.normal(fit[0], scale(fit[1]), size=size))
            kept = kept + [draw] if keep_old else ([real, draw] if keep_real else [draw])
            data = np.concatenate(kept)
            if refit:
                fit = data.mean(), data.var(ddof=ddof)
        variances.append(data.var(ddof=ddof))
    if first is not None:
        variances[0] = first(real)
    out = np.array(variances[extra:])
    return out if returned is None else returned(out)


def test_accumulate_solution_passes():
    assert_passes(m02.accumulate_loop, accumulate_loop)


def test_accumulate_with_another_sampling_order_passes():
    def other(real, generations, rng):
        pool = list(real)
        out = [np.var(pool)]
        for _ in range(generations - 1):
            mean, sd = np.mean(pool), np.std(pool)
            pool.extend(sd * rng.standard_normal(len(real) + 1)[1:] + mean)  # other draws
            out.append(np.var(pool))
        return out

    assert_passes(m02.accumulate_loop, other)


def test_accumulate_stub_is_not_attempted():
    assert_not_attempted(m02.accumulate_loop)


@pytest.mark.parametrize(("mistake", "fragment", "hint_id"), [
    (dict(keep_real=False, keep_old=False), "replace policy", "replace-policy"),
    (dict(keep_old=False), "only the newest synthetic set", "newest-synthetic-only"),
    (dict(keep_real=False), "leaves out the real data", "real-data-dropped"),
    (dict(ddof=1), "ddof=1", "ddof-one"),
    (dict(scale=lambda v: v), "standard deviation", "variance-as-scale"),
    (dict(truth=True), "true N(0, 1)", "sampled-from-truth"),
    (dict(extra=1), "starts one generation later", "starts-one-late"),
    (dict(refit=False), "fit to the real data", "no-refit"),
    (dict(pool_size=True), "doubles", "pool-doubles"),
    (dict(returned=np.sqrt), "standard deviations", "returned-std"),
    (dict(first=lambda real: np.var(real, ddof=1)), "MLE fit to the real data",
     "wrong-first-generation"),
])
def test_accumulate_mistakes_get_their_hint(mistake, fragment, hint_id):
    assert_hint(m02.accumulate_loop,
                lambda real, generations, rng: accumulate_loop(real, generations, rng, **mistake),
                fragment, id=hint_id)


def test_accumulate_own_generator_gets_the_rng_hint():
    assert_hint(m02.accumulate_loop, lambda real, generations, rng: accumulate_loop(
        real, generations, np.random.default_rng(0)), "makes its own", id="rng-fixed-seed")


def test_accumulate_wrong_length_and_global_random_state_get_hints():
    assert_hint(m02.accumulate_loop,
                lambda real, generations, rng: accumulate_loop(real, generations + 1, rng),
                "without the truth", id="extra-generation")
    global_rng = np.random.default_rng(5)
    assert_hint(m02.accumulate_loop,
                lambda real, generations, rng: accumulate_loop(real, generations, global_rng),
                "never drew", id="rng-not-used")


def other_order(real, generations, rng, spread=1.0):
    """Accumulate with other draws than the reference; ``spread`` != 1 is wrong."""
    pool = list(real)
    out = [np.var(pool)]
    for _ in range(generations - 1):
        mean, sd = np.mean(pool), np.std(pool)
        pool.extend(spread * sd * rng.standard_normal(len(real) + 1)[1:] + mean)
        out.append(np.var(pool))
    return out


def test_accumulate_law_check_has_teeth_just_outside_its_tolerance():
    # a 2% too wide draw gives z about 6.5 over the 1,500 runs (tolerance 4 standard errors)
    assert_hint(m02.accumulate_loop, lambda real, generations, rng: other_order(
        real, generations, rng, spread=1.02), "accumulate gives", id="off-theory")


def test_accumulate_replace_in_another_order_is_caught_by_the_law_check():
    def replace(real, generations, rng):
        data = np.asarray(real, dtype=float)
        out = [data.var()]
        for _ in range(generations - 1):
            data = data.mean() + data.std() * rng.standard_normal(len(real) + 1)[1:]
            out.append(data.var())
        return np.array(out)

    assert_hint(m02.accumulate_loop, replace, "falls like the replace policy", id="replace-in-law")


# ---------------------------------------------------------------- 02.2 closed forms


def linreg_errors(k, d, T, noise_var, *, denom=1, power=2, offset=0, bound_e=True,
                  noise=True):
    e = (noise_var if noise else 1.0) * d / (T - d - denom)
    accumulate = e * sum(1 / i**power for i in range(1, k + offset + 1))
    return (k + offset) * e, accumulate, math.pi**2 / 6 * (e if bound_e else 1.0)


def test_linreg_solution_passes():
    assert_passes(m02.linreg_errors, linreg_errors)


def test_linreg_stub_is_not_attempted():
    assert_not_attempted(m02.linreg_errors)


@pytest.mark.parametrize(("mistake", "fragment", "hint_id"), [
    (dict(denom=0), "T − d − 1", "denominator-t-minus-d"),
    (dict(power=1), "squares", "harmonic-not-squares"),
    (dict(offset=-1), "off by one", "iteration-off-by-one"),
    (dict(bound_e=False), "not π²/6 on its own", "bound-without-e"),
    (dict(noise=False), "multiply by noise_var", "noise-var-missing"),
])
def test_linreg_mistakes_get_their_hint(mistake, fragment, hint_id):
    assert_hint(m02.linreg_errors, lambda k, d, T, s2: linreg_errors(k, d, T, s2, **mistake),
                fragment, id=hint_id)


def test_linreg_swapped_order_gets_a_hint():
    def swapped(k, d, T, s2):
        replace, accumulate, bound = linreg_errors(k, d, T, s2)
        return accumulate, replace, bound

    assert_hint(m02.linreg_errors, swapped, "swapped", id="swapped-order")


def test_linreg_wrong_shape_gets_a_hint():
    assert_hint(m02.linreg_errors, lambda k, d, T, s2: linreg_errors(k, d, T, s2)[:2],
                "three numbers", id="wrong-shape")


# ---------------------------------------------------------------- 02.3 simulation


def simulated_error(k, policy, seed, *, row=None, centre=np.mean, root=True, se=None,
                    swap_policy=False):
    if swap_policy:
        policy = {"replace": "accumulate", "accumulate": "replace"}[policy]
    errors = chains.linear_regression(10, 100, 1.0, generations=k, chains=300, policy=policy,
                                      seed=seed)[k if row is None else row(k)]
    sd = errors.std(ddof=1)
    if se is not None:
        return centre(errors), se(errors)
    return centre(errors), sd / (np.sqrt(errors.size) if root else errors.size)


def test_simulated_error_solution_passes():
    assert_passes(m02.simulated_error, simulated_error)


def test_simulated_error_with_ddof0_standard_error_passes():
    def ddof0(k, policy, seed):
        errors = chains.linear_regression(10, 100, 1.0, 20, 300, policy=policy, seed=seed)[k]
        return errors.mean(), errors.std() / np.sqrt(300)

    assert_passes(m02.simulated_error, ddof0)


def test_simulated_error_stub_is_not_attempted():
    assert_not_attempted(m02.simulated_error)


@pytest.mark.parametrize(("mistake", "fragment", "hint_id"), [
    (dict(row=lambda k: k - 1), "off by one", "row-off-by-one"),
    (dict(centre=np.median), "not the median", "median-not-mean"),
    (dict(root=False), "square root of the number of chains", "se-not-root"),
    (dict(se=lambda errors: errors.std(ddof=1)), "your mean is right", "se-wrong"),
    (dict(swap_policy=True), "pass the `policy` argument on", "policy-ignored"),
])
def test_simulated_error_mistakes_get_their_hint(mistake, fragment, hint_id):
    assert_hint(m02.simulated_error,
                lambda k, policy, seed: simulated_error(k, policy, seed, **mistake), fragment,
                id=hint_id)


def test_simulated_error_ignoring_the_seed_gets_a_hint():
    assert_hint(m02.simulated_error,
                lambda k, policy, seed: simulated_error(k, policy, 123), "another seed",
                id="rng-fixed-seed")


def test_simulated_error_a_wrong_simulation_gets_the_recipe():
    assert_hint(m02.simulated_error, lambda k, policy, seed: (0.5 + seed, 0.01),
                "should give a mean error", id="wrong-value")


# ---------------------------------------------------------------- 02.4 smallest fraction


def smallest_real_fraction(curves, tolerance, *, last_only=False, averaged=False,
                           one_sided=False, strict=False, in_order=False, largest=False,
                           index=False, percent=False):
    keys = list(curves) if in_order else sorted(curves, reverse=largest)
    for position, f in enumerate(keys):
        curve = np.asarray(curves[f])
        if last_only:
            curve = curve[-1:]
        if averaged:
            curve = np.array([curve.mean()])
        ok = curve > 1 - tolerance if strict else curve >= 1 - tolerance
        if not one_sided:
            ok &= curve < 1 + tolerance if strict else curve <= 1 + tolerance
        if ok.all():
            return position if index else 100 * f if percent else f
    return None


def test_smallest_fraction_solution_passes():
    assert_passes(m02.smallest_real_fraction, smallest_real_fraction)


def test_smallest_fraction_with_abs_passes():
    def with_abs(curves, tolerance):
        good = [f for f, c in curves.items() if np.max(np.abs(np.asarray(c) - 1)) <= tolerance]
        return min(good) if good else None

    assert_passes(m02.smallest_real_fraction, with_abs)


def test_smallest_fraction_stub_is_not_attempted():
    assert_not_attempted(m02.smallest_real_fraction)


@pytest.mark.parametrize(("mistake", "fragment", "hint_id"), [
    (dict(last_only=True), "last generation only", "last-generation-only"),
    (dict(averaged=True), "averaged each curve", "averaged-over-generations"),
    (dict(one_sided=True), "both sides", "one-sided"),
    (dict(strict=True), "<=, not <", "strict-inequality"),
    (dict(in_order=True), "not sorted", "unsorted-keys"),
    (dict(largest=True), "not the largest", "largest-fraction"),
    (dict(index=True), "position", "returned-index"),
    (dict(percent=True), "percentage", "percentage"),
])
def test_smallest_fraction_mistakes_get_their_hint(mistake, fragment, hint_id):
    assert_hint(m02.smallest_real_fraction,
                lambda curves, tol: smallest_real_fraction(curves, tol, **mistake), fragment,
                id=hint_id)


def test_smallest_fraction_never_none_gets_a_hint():
    def never_none(curves, tolerance):
        found = smallest_real_fraction(curves, tolerance)
        return max(curves) if found is None else found

    assert_hint(m02.smallest_real_fraction, never_none, "should return None", id="none-expected")


def test_smallest_fraction_none_too_early_gets_a_hint():
    def gives_up(curves, tolerance):
        return None if len(curves) < 4 else smallest_real_fraction(curves, tolerance)

    assert_hint(m02.smallest_real_fraction, gives_up, "returned None", id="none-returned")


# ---------------------------------------------------------------- 02.7 cost


def training_cost(policy, generations, n, *, last_shift=0, total_shift=0, only_last=False,
                  all_grow=False, swapped=False):
    if policy == "accumulate" or all_grow:
        last = (generations + last_shift) * n
        total = n * (generations + total_shift) * (generations + total_shift + 1) // 2
    else:
        last, total = n, generations * n
    total = last if only_last else total
    return (total, last) if swapped else (last, total)


def test_training_cost_solution_passes():
    assert_passes(m02.training_cost, training_cost)


def test_training_cost_stub_is_not_attempted():
    assert_not_attempted(m02.training_cost)


@pytest.mark.parametrize(("mistake", "fragment", "hint_id"), [
    (dict(last_shift=-1), "generation 1 = the real data alone", "last-off-by-one"),
    (dict(last_shift=1), "generation 1 = the real data alone", "last-off-by-one"),
    (dict(total_shift=-1), "off by one in the total", "total-off-by-one"),
    (dict(only_last=True), "not only the last one", "total-is-last"),
    (dict(all_grow=True), "only accumulate grows", "fixed-budget-grows"),
    (dict(swapped=True), "swapped", "swapped-order"),
])
def test_training_cost_mistakes_get_their_hint(mistake, fragment, hint_id):
    assert_hint(m02.training_cost, lambda p, G, n: training_cost(p, G, n, **mistake), fragment,
                id=hint_id)


def test_training_cost_fixed_budget_total_of_one_fit_gets_a_hint():
    def one_fit(policy, generations, n):
        return training_cost(policy, generations, n) if policy == "accumulate" else (n, n)

    assert_hint(m02.training_cost, one_fit, "each on", id="total-is-n")
