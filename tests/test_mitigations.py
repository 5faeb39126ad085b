"""Lesson 04's simulators (helpers.mitigations, helpers.verification) and policy steps, against
closed forms and direct simulations at parameters other than the lesson's (4 standard errors)."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import chains, mitigations, policies, theory, verification


def within_4se(samples: np.ndarray, expected, axis: int = 0) -> bool:
    se = samples.std(axis=axis, ddof=1) / np.sqrt(samples.shape[axis])
    return bool(np.all(np.abs(samples.mean(axis=axis) - expected) < 4 * se))


def test_typicality_chains_match_the_closed_form():
    n, k, G = 40, 1.7, 6
    res, drawn = mitigations.gaussian_filtered(n, G, 4000, k=k, seed=21)
    t = np.arange(1, G + 1)
    assert within_4se(res.var[1:], theory.typicality_var(t, n, k), axis=1)
    assert within_4se(drawn[1:].ravel().astype(float), n / theory.truncation_acceptance(k))


def test_temperature_chains_match_the_closed_form():
    n, lam, G = 30, 0.9, 5
    res, drawn = mitigations.gaussian_filtered(n, G, 4000, temperature=lam, seed=22)
    t = np.arange(1, G + 1)
    expected = theory.sampling_bias_trace(t, n, lam, lam**2 * (n - 1) / n)
    assert within_4se(res.var[1:], expected, axis=1)
    assert np.all(drawn[1:] == n)  # no filter: every draw is used


def test_no_filter_is_the_replace_loop():
    res, _ = mitigations.gaussian_filtered(25, 8, 4000, seed=23)
    assert within_4se(res.var[1:], theory.gaussian_var(np.arange(1, 9), 25), axis=1)
    assert within_4se(res.mean[1:] ** 2, theory.gaussian_mean_sq(np.arange(1, 9), 25), axis=1)


def test_provenance_chains_settle_at_the_fresh_fixed_point():
    corpus, share, tpr, fpr = 60, 0.7, 0.8, 0.1
    n_real, n_synthetic = policies.provenance_counts(corpus, share, tpr, fpr)
    assert (n_real, n_synthetic) == (16, 8)  # 18 real * 0.9, 42 synthetic * 0.2, rounded
    res = mitigations.provenance_chains(corpus, 150, 4000, share=share, tpr=tpr, fpr=fpr,
                                        seed=24)
    level = theory.fresh_real_fixed_point(n_real + n_synthetic, n_real / (n_real + n_synthetic))
    assert within_4se(res.var[150], level)


def test_provenance_keep_rates():
    rng = np.random.default_rng(25)
    is_real = rng.random(400_000) < 0.4
    keep = policies.provenance_keep(is_real, 0.7, 0.15, rng)
    assert within_4se(keep[is_real].astype(float), 0.85)
    assert within_4se(keep[~is_real].astype(float), 0.3)
    assert within_4se((~is_real[keep]).astype(float), theory.filtered_share(0.6, 0.7, 0.15))


def test_typicality_gate_broadcasts_over_chains():
    gate = policies.typicality_gate(np.array([[0.0], [10.0]]), np.array([[1.0], [2.0]]), 1.5)
    mask = gate(np.array([[1.0, 2.0], [12.0, 14.0]]))
    assert mask.tolist() == [[True, False], [True, False]]


def test_classification_error_is_the_misclassification_rate():
    rng = np.random.default_rng(26)
    w_star, w = np.array([1.0, 0.0, 0.0]), np.array([1.0, 0.7, -0.2])
    X = rng.standard_normal((400_000, 3))
    wrong = (np.sign(X @ w) != np.sign(X @ w_star)).astype(float)
    assert within_4se(wrong, verification.classification_error(w, w_star))


def test_verification_beats_no_verification_and_real_data_stay_flat():
    real = verification.classification_loop(8, 100, d=10, n=100, data="real", seed=27)
    none = verification.classification_loop(8, 100, d=10, n=100, seed=27)
    gated = verification.classification_loop(8, 100, d=10, n=100, seed=27,
                                             gate=verification.agrees_with_verifier)
    assert none.error[8].mean() > gated.error[8].mean() + 0.05
    assert abs(real.error[8].mean() - real.error[0].mean()) < 0.03
    assert np.all(gated.train_size[1:] <= 100) and gated.train_size[1:].mean() < 95
    assert np.all(none.train_size == 100) and np.all(none.drawn[1:] == 100)


def test_a_gate_that_keeps_everything_is_no_verification():
    keep_all = verification.classification_loop(
        4, 30, seed=28, gate=lambda X, y, is_real, v: np.ones(len(y), dtype=bool))
    none = verification.classification_loop(4, 30, seed=28)
    assert np.allclose(keep_all.error, none.error)


@pytest.mark.parametrize("argument", range(4))
def test_a_gate_cannot_edit_the_examples_it_judges(argument):
    """A gate that writes into X, y, is_real or the verifier would change what the other
    gates (or later chains) see: numpy refuses the write inside the gate."""
    def editing_gate(*arrays):
        arrays[argument][...] = 0
        return np.ones(len(arrays[1]), dtype=bool)

    with pytest.raises(ValueError, match="read-only"):
        verification.classification_loops(2, 3, {"editing": editing_gate, "none": None})


@pytest.mark.parametrize("setting", [
    {"seed": 29, "flip": 0.2, "verifier_size": 11},
    {"seed": 30, "flip": 0.0, "d": 5, "n": 40},
    {"seed": 31, "data": "real"},
])
def test_several_gates_in_one_pass_equal_each_gate_run_alone(setting):
    """classification_loops draws once for all gates: each run is exactly its solo run."""
    gates = {"verified": verification.agrees_with_verifier, "none": None,
             "half": lambda X, y, is_real, v: np.arange(len(y)) % 2 == 0}
    if setting.get("data") == "real":
        gates = {"first": None, "second": None}
    together = verification.classification_loops(6, 12, gates, **setting)
    assert list(together) == list(gates)
    for name, gate in gates.items():
        alone = verification.classification_loop(6, 12, gate=gate, **setting)
        for field in ("error", "train_size", "drawn", "verifier_error"):
            assert np.array_equal(getattr(together[name], field), getattr(alone, field)), \
                (name, field)
    if setting.get("data") != "real":  # the gates did make a difference
        assert not np.array_equal(together["verified"].error, together["none"].error)


@pytest.mark.parametrize(("call", "error", "name"), [
    (lambda: verification.classification_loops(3, 10, {}), TypeError, "gates"),
    (lambda: verification.classification_loops(3, 10, [None]), TypeError, "gates"),
    (lambda: verification.classification_loops(3, 10, {"a": 3}), TypeError, "gate"),
    (lambda: verification.classification_loops(3, 10, {"a": verification.agrees_with_verifier},
                                               data="real"), ValueError, "gate"),
    (lambda: mitigations.gaussian_filtered(1, 3, 10), ValueError, "n"),
    (lambda: mitigations.gaussian_filtered(10, 3, 10, k=0.1), ValueError, "k"),
    (lambda: mitigations.gaussian_filtered(10, 3, 10, temperature=0.0), ValueError,
     "temperature"),
    (lambda: mitigations.gaussian_filtered(10**6, 3, 10**3), ValueError, "n"),
    (lambda: mitigations.provenance_chains(10, 3, 10, share=0.5, tpr=1.0, fpr=1.0), ValueError,
     "the detector"),
    (lambda: policies.provenance_counts(0, 0.5, 0.9, 0.1), ValueError, "corpus"),
    (lambda: policies.provenance_keep(np.array([True]), 1.2, 0.1, np.random.default_rng(0)),
     ValueError, "tpr"),
    (lambda: verification.classification_loop(3, 10, data="fake"), ValueError, "data"),
    (lambda: verification.classification_loop(3, 10, gate=3), TypeError, "gate"),
    (lambda: verification.classification_loop(3, 10, data="real",
                                              gate=verification.agrees_with_verifier),
     ValueError, "gate"),
    (lambda: verification.classification_loop(3, 10**4, n=10**4), ValueError, "chains"),
    (lambda: verification.classification_loop(3, 10, gate=lambda X, y, r, v: y),
     TypeError, "gate"),
])
def test_bad_arguments_raise_naming_the_argument(call, error, name):
    with pytest.raises(error, match=rf"^{name} "):
        call()


def test_fresh_real_fraction_chains_match_the_closed_form():
    """helpers.chains' fresh policy (the lesson's fresh real data) against theory.fresh_real_var."""
    n, rho, G = 30, 0.2, 40
    res = chains.gaussian_policy(n, G, 4000, policy="fresh", real_fraction=rho, seed=29)
    t = np.arange(1, G + 1, 3)
    assert within_4se(res.var[t], theory.fresh_real_var(t, n, rho), axis=1)
    assert within_4se(res.var[t] + res.mean[t] ** 2, 1.0, axis=1)


# --- the controls table: each control is what its name says ------------------------------


def test_the_reservoir_control_reuses_the_stored_real_sample_not_fresh_data():
    # a reservoir of the whole real sample (real fraction 1): every generation trains on the
    # same n real points, so each chain's fitted variance never moves after generation 1;
    # fresh real data would redraw them (mutation caught: reservoir run as "fresh")
    res, expected = mitigations.run_control("real-data reservoir", n=30, generations=6,
                                            n_chains=50, real_fraction=1.0, seed=4)
    assert expected is None
    assert np.array_equal(res.var[1:], np.broadcast_to(res.var[1], (6, 50)))
    fresh, _ = mitigations.run_control("fresh real data", n=30, generations=6, n_chains=50,
                                       real_fraction=1.0, seed=4)
    assert not np.array_equal(fresh.var[2], fresh.var[1])
    assert np.all(np.abs(np.diff(fresh.var[1:], axis=0)) > 0)


@pytest.mark.parametrize(("control", "policy"), [("replace", "replace"),
                                                 ("accumulate", "accumulate"),
                                                 ("fresh real data", "fresh"),
                                                 ("real-data reservoir", "reservoir")])
def test_policy_controls_run_their_policy(control, policy):
    res, _ = mitigations.run_control(control, n=20, generations=4, n_chains=30,
                                     real_fraction=0.25, seed=7)
    extra = {"real_fraction": 0.25} if policy in ("fresh", "reservoir") else {}
    direct = chains.gaussian_policy(20, 4, 30, policy=policy, seed=7, **extra)
    np.testing.assert_array_equal(res.var, direct.var)


def test_costs_follow_from_what_each_control_draws():
    # hand-worked: n = 40, 5 generations, real fraction 0.25 -> 10 real points per set
    cost = mitigations.cost_of
    assert cost("fresh real data", n=40, generations=5, real_fraction=0.25) == \
        mitigations.Cost(10.0, 1.0, 40, 1.0)
    assert cost("real-data reservoir", n=40, generations=5, real_fraction=0.25) == \
        mitigations.Cost(0.0, 1.0, 40, 1.0)
    # accumulate fits 40, 80, ..., 200 points: 600 in all, 600 / (5 * 40) = 3
    assert cost("accumulate", n=40, generations=5) == mitigations.Cost(0.0, 1.0, 200, 3.0)
    assert cost("replace", n=40, generations=5) == mitigations.Cost(0.0, 1.0, 40, 1.0)


def test_a_value_from_the_m04_view_is_checked_once_on_its_way_down(monkeypatch):
    # the view checks its arguments; the controls take the checked Setting, so `n` is not
    # re-validated by every function it passes through (it was 8 times)
    from helpers import validate
    from helpers.views import m04

    calls = []
    original = validate.integer

    def counting(value, name, *args, **kwargs):
        calls.append(name)
        return original(value, name, *args, **kwargs)

    for module in (validate, mitigations, m04, chains, policies, theory):
        if hasattr(module, "integer"):
            monkeypatch.setattr(module, "integer", counting)
    monkeypatch.setattr(validate, "integer", counting)
    import matplotlib.pyplot as plt

    fig, _ = m04.mitigation_view(control="real-data reservoir", generations=5, n=20)
    plt.close(fig)
    # the view, the Setting, and the closed form of the reference curve (it was 5 here)
    assert calls.count("n") <= 3, " ".join(calls)


# --- the verification gate's refill: exactly as many batches as needed ---------------------


@pytest.mark.parametrize(("needed", "batches"), [(2, 0), (3, 1), (4, 1), (5, 2), (10, 4)])
def test_refill_draws_exactly_the_batches_it_needs(needed, batches):
    # each batch of 4 has exactly 2 accepted points (the gate keeps x > 1): after the first
    # batch, ceil((needed - 2) / 2) more batches are the fewest that reach `needed`
    drawn = []

    def draw():
        drawn.append(1)
        return np.arange(4.0)

    accepted, share = policies.verified(np.arange(4.0), lambda s: s > 1, draw=draw,
                                        needed=needed)
    assert len(drawn) == batches  # mutation caught: a refill that stops one batch late
    assert len(accepted) == needed and share == 0.5


def test_the_verifier_gate_runs_on_one_chain_or_a_batch_of_chains():
    X = np.array([[[1.0], [-1.0]], [[2.0], [2.0]]])
    y, verifier = np.array([[1.0, 1.0], [1.0, -1.0]]), np.array([[1.0], [-1.0]])
    is_real = np.zeros((2, 2), bool)
    batch = verification.agrees_with_verifier(X, y, is_real, verifier)
    assert batch.tolist() == [[True, False], [False, True]]  # signs (+, -) and (-, -)
    assert verification.agrees_with_verifier(X[1], y[1], is_real[1], verifier[1]).tolist() == \
        [False, True]
    assert verification.agrees_with_verifier(X[1], y[1], ~is_real[1], verifier[1]).all()


class _BrokenArray:
    def __array__(self, *args, **kwargs):
        raise RuntimeError("broken __array__")


@pytest.mark.parametrize(("call", "message"), [
    (lambda: verification.centroid(np.ones((4, 2)), np.zeros(4)), r"y must hold labels -1 or \+1"),
    (lambda: verification.centroid(np.ones((4, 2)), np.ones(3)),
     r"y must hold one label per example of X: shape \(4,\), got \(3,\)"),
    (lambda: verification.centroid(np.ones((4, 0)), np.ones(4)), r"X must hold at least one"),
    (lambda: verification.centroid(_BrokenArray(), np.ones(4)), r"X must be an array of real"),
    (lambda: verification.classification_error(np.ones(3), np.ones(2)), r"w and w_star must"),
    (lambda: verification.classification_error(np.array([np.inf, 1.0]), np.ones(2)),
     r"^w must contain only finite numbers"),
    (lambda: verification.classification_error(np.array([1e200, 1.0]), np.ones(2)),
     r"^w has values beyond"),
    (lambda: verification.agrees_with_verifier(np.ones((2, 2)), np.ones(2), np.zeros(2, bool),
                                               np.ones(3)), r"verifier must be a weight vector"),
    (lambda: verification.agrees_with_verifier(np.ones((2, 2)), np.ones(2), np.zeros(2),
                                               np.ones(2)), r"is_real must be a boolean array"),
    (lambda: policies.typicality_gate(0.0, 0.0, 2.0), r"sd must be > 0"),
    (lambda: policies.typicality_gate(np.zeros(3), np.ones(2), 2.0),
     r"mean \(shape \(3,\)\) and sd \(shape \(2,\)\) must broadcast"),
    (lambda: policies.typicality_gate(np.zeros(3), 1.0, 2.0)(np.zeros(4)),
     r"samples of shape \(4,\) do not match mean \(shape \(3,\)\)"),
    (lambda: policies.typicality_gate(0.0, 1.0, 10**400), r"^k must be a finite number"),
    (lambda: policies.typicality_gate(None, 1.0, 2.0), r"^mean must be an array of real"),
])
def test_verification_and_gates_refuse_bad_arguments_by_name(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
