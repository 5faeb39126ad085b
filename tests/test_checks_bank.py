"""A bank of known-wrong answers, one class of mistake at a time, with the hint each must get.

Classes (issue 22): a right-looking law that skips the concept (resampling the data,
draws rescaled to exact moments), our random numbers with a wrong output, inputs at the
specification's edge (int / ceil / round, edges of a band), order-independent samplers,
slips to diagnose (never a hint naming another mistake), state shared with the learner,
types, patching during the learner's own call, escapes. Each entry is ✗; after each one
the right answer is run again and must still get ✓. The test prints, per check, the
number of known-wrong answers, how many got the hint id of their mistake, and how many
sit just outside a tolerance; at least 90 % must get their own hint id.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any, NamedTuple

import numpy as np
import test_checks_m00 as t00
import test_checks_m01 as t01
import test_checks_m02 as t02
import test_checks_m03 as t03
import test_checks_m04 as t04
import test_checks_m05 as t05
import test_checks_m06 as t06
from checktools import result_of
from scipy.stats import norm

from helpers.checks.core import registry

CHECKS = registry()

RIGHT = {
    "00.1": t00.solution, "01.1": t01.one_generation, "01.2": t01.run_chain,
    "01.3": t01.halving_generation, "01.4": t01.tail_share, "01.5": t01.expected_lost,
    "02.1": t02.accumulate_loop, "02.2": t02.linreg_errors, "02.3": t02.simulated_error,
    "02.4": t02.smallest_real_fraction, "02.5": t02.training_cost,
    "03.1": t03.distinct_solution, "03.2": t03.tail_solution, "03.3": t03.mmd_solution,
    "03.4": t03.detection_solution, "03.5": t03.samples_solution,
    "04.1": t04.training_set, "04.2": t04.a_star, "04.3": t04.smallest_rho,
    "04.4": t04.provenance, "04.5": t04.gate, "06.3": t06.replace_chain,
    "05.1": t05.share_sql(), "05.2": t05.generators, "05.3": t05.fix, "05.4": t05.reservoir,
    "06.1": t06.split_reference, "06.2": t06.IsotropicGaussian, "06.4": t06.first_alarms,
    "06.5": t06.vocabulary,
}


class Wrong(NamedTuple):
    exercise: str
    label: str
    answer: Any
    hint_id: str
    edge: bool = False  # just outside a tolerance


# ---------------------------------------------------------------- answers, by class


def rescaled(data, rng, scale=None):
    z = rng.standard_normal(len(data))
    return data.mean() + (data.std() if scale is None else scale) * (z - z.mean()) / z.std()


def patched_then(value):
    """Computes ``value``, then rebinds NumPy's comparisons before returning it (in its call)."""
    def answer(*args, **kwargs):
        out = value(*args, **kwargs)
        np.allclose = np.isclose = np.array_equal = lambda *a, **k: True
        np.all = np.any = lambda *a, **k: True
        math.isclose = lambda *a, **k: True
        return out
    return answer


def chain(n, generations, ddof, seed, *, stored=None, late=False, rescale=False):
    rng = np.random.default_rng(seed)
    mean, var, out = 0.0, 1.0, [1.0]
    for _ in range(generations):
        x = rng.normal(mean, np.sqrt(var), size=n)
        if rescale:
            z = (x - x.mean()) / x.std()
            x = mean + np.sqrt(var) * z
        previous, (mean, var) = var, (x.mean(), x.var(ddof=ddof))
        out.append(previous if late else x.var(ddof=ddof if stored is None else stored))
    return np.array(out)


def accumulate(real, generations, rng, *, late=False, rescale=False, normal=False):
    pool = [np.asarray(real, dtype=float)]
    mean, var = pool[0].mean(), pool[0].var()
    out = [var]
    for _ in range(2, generations + 1):
        z = rng.normal(mean, np.sqrt(var), size=len(real)) if normal else rng.standard_normal(
            len(real))
        pool.append(mean + np.sqrt(var) * ((z - z.mean()) / z.std() if rescale else z))
        data, previous = np.concatenate(pool), var
        mean, var = data.mean(), data.var()
        out.append(previous if late else var)
    return np.array(out)


def priced(s, value, price, paid):
    r = np.linspace(0, 1, 1001)
    cost = value * (1 - t05.kept_independently(r + (1 - r) * (1 - s))) + price * paid(r)
    return float(r[np.argmin(cost)])


def kept_not_lost(s, value, price):
    r = np.linspace(0, 1, 1001)
    cost = value * t05.kept_independently(r + (1 - r) * (1 - s)) + price * r
    return float(r[np.argmin(cost)])


def biased_mmd(X, Y, h):
    def k(a, b):
        return np.exp(-((a[:, None, :] - b[None, :, :]) ** 2).sum(-1) / (2 * h**2))
    return k(X, X).mean() + k(Y, Y).mean() - 2 * k(X, Y).mean()


def rescaled_synthetic(mu, sigma, n, rho, rng, reservoir=None):
    k = round(rho * n)
    real = rng.normal(0.0, 1.0, size=k) if reservoir is None else rng.choice(
        reservoir, size=k, replace=False)
    z = rng.standard_normal(n - k)
    if n - k > 1:
        z = (z - z.mean()) / z.std()
    return np.concatenate([real, mu + sigma * z])


def boot_chain(n, generations, ddof, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1.0, size=n)
    out = [1.0, x.var(ddof=ddof)]
    for _ in range(generations - 1):
        x = rng.choice(x, size=n)
        out.append(x.var(ddof=ddof))
    return np.array(out)


def boot_pool(real, generations, rng):
    pool = [np.asarray(real, dtype=float)]
    out = [pool[0].var()]
    for _ in range(2, generations + 1):
        pool.append(rng.choice(np.concatenate(pool), size=len(real)))
        out.append(np.concatenate(pool).var())
    return np.array(out)


def boot_replace(real, generations, measure, rng):
    train, values = real, []
    for _ in range(generations + 1):
        train = rng.choice(train, size=len(real))
        values.append(measure(train))
    return np.array(values)


def mutates_records(records, limit):
    answer = t05.generators(records, limit)
    for r in records:
        object.__setattr__(r, "generator", "gen-c")
    return answer


def clears_rules(manifest, policy):
    answer = t05.fix(manifest, policy)
    policy.rules.clear()
    return answer


def ceil_split(X, fraction, rng):
    order = rng.permutation(len(X))
    k = math.ceil(fraction * len(X))
    return X[order[k:]], X[order[:k]]


def int_split(X, fraction, rng):
    order = rng.permutation(len(X))
    k = int(fraction * len(X))
    return X[order[k:]], X[order[:k]]


class ExitsOnAttribute:
    def __getattribute__(self, name):
        raise SystemExit(0)


def alarms_as(convert):
    return lambda values, low, high: [None if g is None else convert(g)
                                      for g in t06.first_alarms(values, low, high)]


def missing_term():
    answers = t06.vocabulary()
    answers.pop("false-alarm rate")
    return answers


BANK = [
    # right law, wrong concept
    Wrong("00.1", "bootstrap of the data", lambda d, rng: rng.choice(d, size=len(d)),
          "resampled-data"),
    Wrong("00.1", "draws rescaled to exact moments", rescaled, "no-sampling-error"),
    Wrong("00.1", "another stream, spread 7 % wide", lambda d, rng: t00.halves(d, rng, 1.07),
          "spread-off", True),
    Wrong("00.1", "another stream, mean 0.08 off", lambda d, rng: t00.halves(d, rng, shift=0.08),
          "mean-off", True),
    Wrong("01.1", "bootstrap of the data", lambda d, ddof, rng: rng.choice(d, size=len(d)),
          "resampled-data"),
    Wrong("01.1", "draws rescaled to exact moments",
          lambda d, ddof, rng: rescaled(d, rng, d.std(ddof=ddof)), "no-sampling-error"),
    Wrong("01.1", "another stream, variance 9 % high",
          lambda d, ddof, rng: t01.halves(d, ddof, rng, np.sqrt(1.09)), "spread-off", True),
    Wrong("01.1", "another stream, ddof swapped",
          lambda d, ddof, rng: t01.halves(d, 1 - ddof, rng), "ddof-swapped"),
    Wrong("01.2", "bootstrap chain (rng.choice of the previous generation)",
          lambda n, g, ddof, seed: boot_chain(n, g, ddof, seed), "resampled-data"),
    Wrong("02.1", "synthetic sets resampled from the pool", lambda real, g, rng: boot_pool(
        real, g, rng), "resampled-data"),
    Wrong("06.3", "each generation resampled from the last", lambda model, real, g, measure,
          rng: boot_replace(real, g, measure, rng), "resampled-data"),
    Wrong("06.2", "bootstrap rows", t06.variant(
        sample=lambda self, n, rng: t06._X2_ROWS[rng.integers(0, len(t06._X2_ROWS), n)]),
        "resampled-data"),
    # right stream, wrong output
    Wrong("00.1", "our draws, spread scaled 1 %", lambda d, rng: (
        d.mean() + 1.01 * d.std() * rng.standard_normal(len(d))), "spread-off", True),
    Wrong("01.2", "refit with ddof, store the MLE variance",
          lambda n, g, ddof, seed: chain(n, g, ddof, seed, stored=0), "stored-wrong-ddof"),
    Wrong("01.2", "variance recorded one generation late",
          lambda n, g, ddof, seed: chain(n, g, ddof, seed, late=True), "stored-one-late"),
    Wrong("01.2", "each generation rescaled to exact moments",
          lambda n, g, ddof, seed: chain(n, g, ddof, seed, rescale=True), "no-sampling-error"),
    Wrong("02.1", "each synthetic set rescaled to exact moments",
          lambda real, g, rng: accumulate(real, g, rng, rescale=True), "no-sampling-error"),
    Wrong("02.1", "rng.normal draws rescaled to exact moments",
          lambda real, g, rng: accumulate(real, g, rng, rescale=True, normal=True),
          "no-sampling-error"),
    Wrong("02.1", "variance recorded one generation late",
          lambda real, g, rng: accumulate(real, g, rng, late=True), "recorded-late"),
    Wrong("00.1", "our draws, then squared", lambda d, rng: rng.normal(
        d.mean(), d.std(), size=len(d)) ** 2, "draws-changed"),
    Wrong("01.1", "our draws, then sorted and cumulated", lambda d, ddof, rng: np.cumsum(
        np.sort(rng.normal(d.mean(), d.std(ddof=ddof), size=len(d)))), "draws-changed"),
    Wrong("01.2", "our draws, each fitted variance plus 0.001",
          lambda n, g, ddof, seed: chain(n, g, ddof, seed) + np.r_[0.0, np.full(g, 1e-3)],
          "stored-wrong-value", True),
    Wrong("01.2", "generation 0 stored as 1.001",
          lambda n, g, ddof, seed: chain(n, g, ddof, seed) + np.r_[1e-3, np.zeros(g)],
          "wrong-generation-zero", True),
    Wrong("02.1", "our draws, later variances 0.1 % high",
          lambda real, g, rng: accumulate(real, g, rng) * np.r_[1.0, np.full(g - 1, 1.001)],
          "recorded-wrong-value", True),
    Wrong("02.1", "generation 1 fitted with ddof=1, later ones right",
          lambda real, g, rng: np.r_[np.var(real, ddof=1), accumulate(real, g, rng)[1:]],
          "wrong-first-generation"),
    # inputs at the specification's edge
    Wrong("04.1", "synthetic part rescaled to exactly mu and sigma", lambda *a, **k: (
        rescaled_synthetic(*a, **k)), "no-sampling-error"),
    Wrong("04.1", "int(rho * n) real points",
          lambda *a, **k: t04.training_set(*a, k_of=lambda rho, n: int(rho * n), **k),
          "int-not-round"),
    Wrong("04.1", "ceil(rho * n) real points",
          lambda *a, **k: t04.training_set(*a, k_of=lambda rho, n: math.ceil(rho * n), **k),
          "ceil-not-round"),
    Wrong("06.1", "math.ceil rows held out", ceil_split, "ceil-not-round"),
    Wrong("06.1", "int() rows held out", int_split, "int-not-round"),
    Wrong("06.4", "upper edge counted as outside", t06.alarm_variant(high_edge=True),
          "high-edge-counted"),
    Wrong("06.4", "both edges counted as outside", t06.alarm_variant(edge=True, high_edge=True),
          "edge-counted"),
    # order-independent samplers: a wrong scale drawn column by column
    Wrong("06.2", "forgot the scale, column by column", t06.by_column(sd=1.0), "scale-missing"),
    Wrong("06.2", "spread 7 % wide, column by column", t06.by_column(scale=1.07), "spread-off",
          True),
    Wrong("06.2", "each column's own spread", t06.variant(
        sample=lambda self, n, rng: np.column_stack([rng.normal(m, s, size=n) for m, s in zip(
            self.mean_, t06._X2_ROWS.std(axis=0), strict=True)])), "per-column-spread"),
    # diagnose, don't guess
    Wrong("04.2", "sign slip in the numerator", lambda n, rho: (
        (n * rho * (2 - rho) + rho) / (n * rho * (2 - rho) + 1 - rho)), "sign-slip"),
    Wrong("04.2", "sign slip in the denominator", lambda n, rho: (
        (n * rho * (2 - rho) - rho) / (n * rho * (2 - rho) + 1 + rho)), "sign-slip"),
    Wrong("04.2", "just outside the 1e-6 tolerance", lambda n, rho: t04.a_star(n, rho)
          * (1 + 2e-6), "not-exact", True),
    Wrong("05.1", "shares rounded to 3 decimals",
          lambda ledger: [(m, round(s, 3)) for m, s in t05.share_sql()(ledger)], "rounded"),
    Wrong("05.1", "integer division", lambda ledger: ledger.query(
        "SELECT substr(collected, 1, 7) AS month, sum(CASE WHEN depth >= 1 THEN 1 ELSE 0 END) "
        "/ count(*) FROM records WHERE collected IS NOT NULL GROUP BY month ORDER BY month"),
        "integer-division"),
    Wrong("05.4", "reservoir not counted as real", lambda s, v, p: t05.reservoir(
        s, v, p, real_share=lambda r, s: (1 - r) * (1 - s)), "cost-rises-with-r"),
    Wrong("05.4", "value kept instead of value lost", lambda s, v, p: kept_not_lost(s, v, p),
          "cost-rises-with-r"),
    Wrong("05.4", "value retained of the synthetic share", lambda s, v, p: t05.reservoir(
        s, v, p, real_share=lambda r, s: 1 - (r + (1 - r) * (1 - s))), "cost-rises-with-r"),
    Wrong("05.4", "the crawl's synthetic share taken as real", lambda s, v, p: t05.reservoir(
        s, v, p, real_share=lambda r, s: r + (1 - r) * s), "crawl-synthetic-as-real"),
    Wrong("05.4", "price paid on the crawl", lambda s, v, p: priced(s, v, p, lambda r: 1 - r),
          "price-on-crawl"),
    Wrong("05.4", "price left out", lambda s, v, p: priced(s, v, p, lambda r: 0 * r),
          "price-missing"),
    Wrong("05.4", "two grid steps off", lambda s, v, p: t05.reservoir(s, v, p) + 0.002,
          "wrong-value", True),
    # state shared with the learner
    Wrong("05.2", "mutates the records it was handed", mutates_records, "mutated-input"),
    Wrong("05.3", "clears policy.rules", clears_rules, "mutated-input"),
    # types
    Wrong("06.4", "floats such as 3.7", lambda v, lo, hi: [3.7, 1.2, 3.9, None, 3.0],
          "wrong-type"),
    Wrong("06.4", "strings", alarms_as(str), "wrong-type"),
    Wrong("06.4", "bools", alarms_as(bool), "wrong-type"),
    Wrong("06.4", "integral floats", alarms_as(float), "wrong-type"),
    Wrong("06.1", "a pair of numbers", lambda X, fraction, rng: (0.0, 0.0), "not-a-pair"),
    Wrong("06.5", "a term left out", missing_term, "missing-terms"),
    # patching during the learner's own call
    Wrong("00.1", "patches np.allclose, returns other draws", patched_then(
        lambda d, rng: rng.normal(0.0, 5.0, size=len(d))), "mean-off"),
    Wrong("01.2", "patches np.allclose, stores ddof=0", patched_then(
        lambda n, g, ddof, seed: chain(n, g, ddof, seed, stored=0)), "stored-wrong-ddof"),
    Wrong("02.1", "patches np.allclose, records late", patched_then(
        lambda real, g, rng: accumulate(real, g, rng, late=True)), "recorded-late"),
    Wrong("04.2", "patches np.isclose, returns 0.5", patched_then(lambda n, rho: 0.5),
          "wrong-value"),
    Wrong("01.3", "patches np.argmax, one generation late", patched_then(
        lambda v: t01.halving_generation(v) + 1), "off-by-one"),
    Wrong("01.4", "patches np.isclose, returns a percentage", patched_then(
        lambda s, r: 100 * t01.tail_share(s, r)), "percentage"),
    Wrong("01.5", "patches np.isclose, p to the m", patched_then(
        lambda p, m: float(np.sum(np.asarray(p) ** m))), "p-to-the-m"),
    Wrong("02.2", "patches np.allclose, swaps the first two", patched_then(
        lambda k, d, T, s2: np.asarray(t02.linreg_errors(k, d, T, s2))[[1, 0, 2]]),
        "swapped-order"),
    Wrong("02.4", "patches np.all, looks at the last generation only", patched_then(
        lambda c, t: t02.smallest_real_fraction(c, t, last_only=True)),
        "last-generation-only"),
    Wrong("02.5", "patches np.isclose, swaps the two numbers", patched_then(
        lambda policy, g, n: t02.training_cost(policy, g, n, swapped=True)), "swapped-order"),
    Wrong("03.1", "patches np.isclose, returns the count", patched_then(
        lambda sentences, n: len({tuple(s[i:i + n]) for s in sentences
                                  for i in range(len(s) - n + 1)})), "count-not-share"),
    Wrong("03.5", "patches math.isclose, does not round up", patched_then(
        lambda p, r, c=0.95: norm.ppf(0.5 + c / 2) ** 2 * (1 - p) / (p * r**2)),
        "not-rounded-up"),
    Wrong("02.3", "row k - 1 of the errors", lambda k, policy, seed: t02.simulated_error(
        k, policy, seed, row=lambda k: k - 1), "row-off-by-one"),
    Wrong("03.2", "patches np.isclose, the share without the ratio", patched_then(
        lambda samples, real, q: np.mean((samples < np.quantile(real, q))
                                         | (samples > np.quantile(real, 1 - q)))),
        "share-not-ratio"),
    Wrong("03.3", "the biased estimate (diagonals kept)", lambda X, Y, h: biased_mmd(X, Y, h),
          "biased-estimate"),
    Wrong("03.4", "the smallest bootstrap value as the edge", lambda *a, **k: (
        t03.detection_variant(*a, minimum=True, **k)), "minimum-not-quantile"),
    Wrong("04.3", "patches np.isclose, returns 1 - rho", patched_then(
        lambda n, target: 1 - t04.smallest_rho(n, target)), "rho-swapped"),
    Wrong("04.4", "patches np.isclose, TPR and FPR swapped", patched_then(
        lambda s, tpr, fpr: t04.provenance(s, fpr, tpr)), "tpr-fpr-swapped"),
    Wrong("04.5", "patches np.array_equal, gates the real data too", patched_then(
        lambda X, y, r, v: np.sign(X @ v) == y), "gates-real-data"),
    Wrong("06.3", "patches np.allclose, ignores its model", patched_then(
        lambda model, real, g, measure, rng: t06.replace_chain(
            type(model)(ddof=1), real, g, measure, rng)), "own-model"),
    # edges of the remaining tolerances
    Wrong("01.5", "relative error 1e-5 (tolerance 1e-6)", lambda p, m: t01.expected_lost(p, m)
          * (1 + 1e-5), "wrong-value", True),
    Wrong("02.2", "relative error 1e-5 (tolerance 1e-6)", lambda k, d, T, s2: np.asarray(
        t02.linreg_errors(k, d, T, s2)) * (1 + 1e-5), "wrong-value", True),
    Wrong("03.5", "one sample more than needed", lambda p, r, c=0.95: t03.samples_solution(
        p, r, c) + 1, "wrong-value", True),
    Wrong("04.3", "2e-4 above the smallest rho (tolerance 1e-4)", lambda n, target: (
        t04.smallest_rho(n, target) + 2e-4), "too-coarse", True),
    Wrong("04.3", "2e-4 below the smallest rho", lambda n, target: (
        t04.smallest_rho(n, target) - 2e-4), "below-target", True),
    Wrong("06.3", "another stream, the last value 30 % high", lambda *a: t06.spawned_chain(
        *a, factor=1.3), "off-theory", True),
    # escapes
    Wrong("06.2", "SystemExit on attribute access", ExitsOnAttribute, "exited"),
]


def test_the_bank_covers_every_class_and_only_known_checks():
    assert {w.exercise for w in BANK} <= set(RIGHT) <= set(CHECKS)
    assert sum(w.edge for w in BANK) >= 5


def test_known_wrong_answers_fail_with_their_hint_and_leave_the_right_answer_right(capsys):
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    disagreements, passed = [], []
    for wrong in BANK:
        check = CHECKS[wrong.exercise]
        result = result_of(check, wrong.answer)
        if result.status != "fail":
            passed.append(f"{wrong.exercise} {wrong.label}: {result.line}")
        row = table[wrong.exercise]
        row[0] += 1
        row[1] += result.hint_id == wrong.hint_id
        row[2] += wrong.edge
        if result.hint_id != wrong.hint_id:
            disagreements.append(f"{wrong.exercise} {wrong.label}: expected {wrong.hint_id}, "
                                 f"got {result.hint_id}: {result.line}")
        again = result_of(check, RIGHT[wrong.exercise])  # no state left behind
        assert again.status == "pass", f"after {wrong.label!r}: {again.line}"
    total, agreed = len(BANK), sum(row[1] for row in table.values())
    with capsys.disabled():
        print("\ncheck  known-wrong  hint-id agreement  tolerance-edge")
        for exercise in sorted(table):
            n, ok, edge = table[exercise]
            print(f"{exercise}   {n:>11}  {ok:>8} ({ok / n:5.0%})  {edge:>14}")
        print(f"all    {total:>11}  {agreed:>8} ({agreed / total:5.0%})")
        for line in disagreements:
            print("  disagrees:", line)
    assert passed == []
    assert agreed / total >= 0.9, disagreements
