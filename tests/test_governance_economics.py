"""Lesson 05's toy model: drifting corpus, training-set shares, value and cost, simulated corpus."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from helpers import metrics, theory
from helpers.governance import economics as econ
from helpers.governance.simulate import simulated_corpus


def test_crawl_share_is_a_logistic_with_the_stated_parameters():
    m = np.arange(0, 61)
    s = econ.crawl_share(m, ceiling=0.8, midpoint=20, rate=0.3)
    assert s[20] == pytest.approx(0.4)
    assert np.all(np.diff(s) > 0) and s[-1] < 0.8
    assert s[20 + 7] + s[20 - 7] == pytest.approx(0.8)            # symmetric about the midpoint
    assert econ.crawl_share(5, rate=0.0) == pytest.approx(0.45)   # no growth: half the ceiling


def test_training_shares_agree_with_simulated_documents():
    rng = np.random.default_rng(0)
    crawl = np.array([0.1, 0.3, 0.5, 0.7])
    tpr, fpr, rho, docs = 0.8, 0.1, 0.25, 200_000
    kept_syn, kept_all = [], []
    for s in crawl:
        synthetic = rng.random(docs) < s
        flagged = np.where(synthetic, rng.random(docs) < tpr, rng.random(docs) < fpr)
        kept_syn.append(np.sum(synthetic & ~flagged))
        kept_all.append(np.sum(~flagged))
    latest = np.array(kept_syn) / np.array(kept_all)
    pooled = np.cumsum(kept_syn) / np.cumsum(kept_all)
    np.testing.assert_allclose(econ.training_share(crawl, "replace", tpr=tpr, fpr=fpr), latest,
                               atol=0.005)
    np.testing.assert_allclose(econ.training_share(crawl, "accumulate", tpr=tpr, fpr=fpr),
                               pooled, atol=0.005)
    np.testing.assert_allclose(
        econ.training_share(crawl, "reservoir", tpr=tpr, fpr=fpr, reservoir=rho),
        (1 - rho) * latest, atol=0.005)


def test_value_retained_is_the_tail_ratio_at_the_fixed_point():
    rng = np.random.default_rng(1)
    real = rng.standard_normal(2_000_000)
    for r in (0.05, 0.2):
        scale = np.sqrt(theory.fresh_real_fixed_point(100, r) / (99 / 100))
        sample = scale * rng.standard_normal(2_000_000)
        assert float(econ.value_retained(r)) == pytest.approx(
            metrics.tail_mass_ratio(sample, real, q=0.01), abs=0.02)
    values = econ.value_retained(np.linspace(0, 1, 11))
    assert values[0] == 0 and values[-1] == pytest.approx(1) and np.all(np.diff(values) > 0)


def brute_force_best(s, value, price, n=100):
    grid = np.linspace(0, 1, 10_001)
    healthy = (n - 1) / n
    z = 2.3263478740408408                                # the 99% point of N(0, 1)
    a = np.array([theory.fresh_real_fixed_point(n, rho + (1 - rho) * (1 - s)) / healthy
                  for rho in grid])
    kept = stats.norm.sf(z / np.sqrt(a)) / 0.01
    return grid[int(np.argmin(value * (1 - kept) + price * grid))]


@pytest.mark.parametrize(("s", "value", "price"), [(0.9, 100, 5), (0.9, 100, 20), (0.95, 500, 40),
                                                   (0.3, 100, 20)])
def test_best_reservoir_matches_a_brute_force_search(s, value, price):
    got = econ.best_reservoir(crawl_synthetic=s, value=value, price=price)
    assert got == pytest.approx(brute_force_best(s, value, price), abs=0.0011)


def test_best_reservoir_falls_as_the_reservoir_gets_dearer():
    got = [econ.best_reservoir(crawl_synthetic=0.9, value=100, price=p) for p in (2, 5, 20, 80)]
    assert got == sorted(got, reverse=True) and got[0] > got[-1]


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: econ.crawl_share([1, np.nan]), ValueError, "months"),
    (lambda: econ.crawl_share("x"), TypeError, "months"),
    (lambda: econ.crawl_share(1, ceiling=1.5), ValueError, "ceiling"),
    (lambda: econ.crawl_share(1, rate=-1), ValueError, "rate"),
    (lambda: econ.training_share([0.2, 1.2], "replace"), ValueError, "crawl"),
    (lambda: econ.training_share([[0.2]], "replace"), ValueError, "crawl"),
    (lambda: econ.training_share([0.2], "bogus"), ValueError, "policy"),
    (lambda: econ.training_share([0.2], "replace", reservoir=0.1), ValueError, "reservoir"),
    (lambda: econ.training_share([0.2], "replace", tpr=1.0, fpr=1.0), ValueError, "tpr"),
    (lambda: econ.value_retained(-0.1), ValueError, "real_share"),
    (lambda: econ.value_retained(0.5, n=1), ValueError, "n"),
    (lambda: econ.total_cost(2.0, crawl_synthetic=0.5, value=1, price=1), ValueError,
     "reservoir"),
    (lambda: econ.best_reservoir(crawl_synthetic=0.5, value=-1, price=1), ValueError, "value"),
    (lambda: econ.best_reservoir(crawl_synthetic=0.5, value=1, price=float("inf")), ValueError,
     "price"),
])
def test_bad_arguments_are_refused_by_name(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_simulated_corpus_follows_its_assumptions():
    ledger, truth = simulated_corpus(months=24, per_month=300, seed=3)
    assert len(ledger) == len(truth) == 25 * 300 and ledger.problems() == []
    months = sorted({r.collected[:7] for r in ledger})
    assert len(months) == 25
    expected = econ.crawl_share(np.arange(25))
    for m in (0, 12, 24):
        ids = [r.id for r in ledger if r.collected[:7] == months[m]]
        true_share = np.mean([truth[i] >= 1 for i in ids])
        assert true_share == pytest.approx(expected[m], abs=0.08)
    unknown = np.mean([r.provenance == "unknown" for r in ledger if r.collected[:7] != months[0]])
    assert unknown == pytest.approx(0.15, abs=0.02)
    deep = [r for r in ledger if r.depth == 2]
    assert deep and min(r.collected[:7] for r in deep) >= months[12]
    assert all(r.generator for r in ledger if r.synthetic)
    with pytest.raises(ValueError, match="per_month"):
        simulated_corpus(per_month=0)
