"""Checks of notebook 05 have teeth: solutions pass, known wrong answers get their hint."""

from __future__ import annotations

import numpy as np
import pytest
from checktools import assert_hint, assert_not_attempted, assert_passes
from scipy.stats import norm

from helpers import theory
from helpers.checks import m05

# ---------------------------------------------------------------- 05.1 SQL


def share_sql(expression="CASE WHEN depth >= 1 THEN 1.0 ELSE 0.0 END", column="collected",
              order="ORDER BY month", scale=1.0):
    def answer(ledger):
        rows = ledger.query(f"SELECT substr({column}, 1, 7) AS month, avg({expression}) "
                            f"FROM records WHERE {column} IS NOT NULL GROUP BY month {order}")
        return [(m, scale * s) for m, s in rows]
    return answer


def test_sql_solution_passes():
    assert_passes(m05.synthetic_share_by_month, share_sql())


def test_sql_in_python_passes():
    def python(ledger):
        months = {}
        for r in ledger.records():
            months.setdefault(r.collected[:7], []).append(r.synthetic)
        return [(m, sum(v) / len(v)) for m, v in sorted(months.items())]
    assert_passes(m05.synthetic_share_by_month, python)


def test_sql_stub_is_not_attempted():
    assert_not_attempted(m05.synthetic_share_by_month)


def test_fixture_answers_are_the_hand_counted_ones():
    # January 1 of 6, February 2 of 8, March 4 of 6 (unknown origin in every denominator)
    expected = [("2026-01", 1 / 6), ("2026-02", 2 / 8), ("2026-03", 4 / 6)]
    with m05.fixture_ledger() as ledger:
        got = share_sql()(ledger)
    assert [m for m, _ in got] == [m for m, _ in expected]
    assert [v for _, v in got] == pytest.approx([v for _, v in expected])


@pytest.mark.parametrize(("answer", "hint_id"), [
    (share_sql("CASE WHEN depth >= 1 THEN 1.0 WHEN depth = 0 THEN 0.0 END"), "unknown-excluded"),
    (share_sql("CASE WHEN depth = 0 THEN 0.0 ELSE 1.0 END"), "unknown-as-synthetic"),
    (share_sql("CASE WHEN depth > 1 THEN 1.0 ELSE 0.0 END"), "depth-two-only"),
    (share_sql(column="created"), "created-month"),
    (share_sql("CASE WHEN depth >= 1 THEN 1.0 ELSE 0.0 END) * count(*) / avg(1"),
     "counts-not-shares"),
    (share_sql(scale=100.0), "percent"),
    (lambda ledger: ledger.query(
        "SELECT substr(collected, 1, 7) AS month, sum(CASE WHEN depth >= 1 THEN 1 ELSE 0 END) "
        "/ count(*) FROM records WHERE collected IS NOT NULL GROUP BY month ORDER BY month"),
     "integer-division"),
    (lambda ledger: [(m, round(s, 3)) for m, s in share_sql()(ledger)], "rounded"),
    (lambda ledger: [(m, round(s, 1)) for m, s in share_sql()(ledger)], "rounded"),
    (share_sql(order="ORDER BY month DESC"), "wrong-order"),
    (share_sql(scale=1 + 1e-6), "wrong-value"),                # just outside the tolerance
    (lambda ledger: share_sql()(ledger)[:2], "wrong-months"),
    (lambda ledger: [(m.replace("-", "/"), s) for m, s in share_sql()(ledger)], "created-month"),
    (lambda ledger: {"2026-01": 0.1}, "wrong-type"),
])
def test_sql_known_wrong_answers_get_their_hint(answer, hint_id):
    assert_hint(m05.synthetic_share_by_month, answer, id=hint_id)


def test_sql_cannot_damage_the_fixture_for_the_next_check():
    def vandal(ledger):
        ledger.query("DELETE FROM records")
    assert_hint(m05.synthetic_share_by_month, vandal, "query refused", id="raised-exception")
    assert_passes(m05.synthetic_share_by_month, share_sql())


# ---------------------------------------------------------------- 05.2 a rule as a function


def generators(records, limit, denominator=None, keep=lambda share, limit: share > limit,
               sort=True, include_none=False):
    counts = {}
    for r in records:
        if r.generator is not None or include_none:
            counts[r.generator] = counts.get(r.generator, 0) + 1
    total = len(records) if denominator is None else denominator(records)
    pairs = [(g, c / total) for g, c in counts.items() if keep(c / total, limit)]
    return sorted(pairs, key=lambda p: str(p[0])) if sort else pairs[::-1]


def test_generators_solution_passes():
    assert_passes(m05.generators_over, generators)


def test_generators_stub_is_not_attempted():
    assert_not_attempted(m05.generators_over)


@pytest.mark.parametrize(("answer", "hint_id"), [
    (lambda rs, lim: generators(rs, lim, lambda rs: sum(r.generator is not None for r in rs)),
     "synthetic-denominator"),
    (lambda rs, lim: generators(rs, lim, keep=lambda s, lim: s >= lim), "limit-inclusive"),
    (lambda rs, lim: generators(rs, lim, include_none=True), "none-generator"),
    (lambda rs, lim: generators(rs, lim, keep=lambda s, lim: True), "all-generators"),
    (lambda rs, lim: generators(rs, lim, sort=False), "unsorted"),
    (lambda rs, lim: generators(rs, lim, keep=lambda s, lim: s > lim - 1e-9), "limit-inclusive"),
    (lambda rs, lim: [(g, s * (1 + 1e-6)) for g, s in generators(rs, lim)], "wrong-value"),
])
def test_generators_known_wrong_answers_get_their_hint(answer, hint_id):
    assert_hint(m05.generators_over, answer, id=hint_id)


# ---------------------------------------------------------------- 05.3 fix a manifest


def fix(manifest, policy, drop_extra=0, keep_unknown=False, add=None, keep_deep=False):
    keep = [r for r in manifest.records if r.depth is not None or keep_unknown]
    keep = [r for r in keep if keep_deep or not (
        r.synthetic and (r.depth > policy.rules["max_synthetic_depth"].limit
                         or r.verification != "verified"))]
    limit = policy.rules["max_generator_share"].limit
    while True:
        counts = {}
        for r in keep:
            if r.generator:
                counts[r.generator] = counts.get(r.generator, 0) + 1
        over = [g for g, c in counts.items() if c / len(keep) > limit]
        if not over:
            break
        keep.remove([r for r in keep if r.generator == over[0]][-1])
    ids = [r.id for r in keep]
    synthetic = [r.id for r in keep if r.synthetic]
    for rid in synthetic[:drop_extra]:
        ids.remove(rid)
    return ids + ([add] if add else [])


def test_fix_solution_passes():
    assert_passes(m05.fix_manifest, fix)


def test_fix_stub_is_not_attempted():
    assert_not_attempted(m05.fix_manifest)


@pytest.mark.parametrize(("answer", "hint_id", "fragment"), [
    (lambda m, p: fix(m, p, drop_extra=1), "dropped-too-much", "keeps 8 records, but 9"),
    (lambda m, p: [r.id for r in m.records if r.real], "dropped-too-much", ""),
    (lambda m, p: fix(m, p, keep_unknown=True), "still-violates", "min_provenance_coverage"),
    (lambda m, p: fix(m, p, keep_deep=True), "still-violates", "max_synthetic_depth"),
    (lambda m, p: list(m.entries), "still-violates", "records_in_ledger"),
    (lambda m, p: fix(m, p, add="new-doc"), "added-records", "'new-doc'"),
    (lambda m, p: fix(m, p) + fix(m, p)[:1], "duplicates", ""),
    (lambda m, p: [], "empty-manifest", ""),
    (lambda m, p: [r for r in m.records], "wrong-type", ""),
])
def test_fix_known_wrong_answers_get_their_hint(answer, hint_id, fragment):
    assert_hint(m05.fix_manifest, answer, fragment, id=hint_id)


# ---------------------------------------------------------------- 05.4 break-even reservoir


def kept_independently(real_share, n=100, q=0.01):
    """The value model written out from lesson 04's fixed point, without the helper."""
    a = np.array([theory.fresh_real_fixed_point(n, float(r)) for r in np.atleast_1d(real_share)])
    return norm.sf(norm.isf(q) / np.sqrt(a / ((n - 1) / n))) / q


def reservoir(s, value, price, grid=1001, real_share=None, pick=np.argmin, out="r"):
    r = np.linspace(0, 1, grid)
    share = r + (1 - r) * (1 - s) if real_share is None else real_share(r, s)
    with np.errstate(divide="ignore"):
        cost = value * (1 - kept_independently(share)) + price * r
    return float(cost.min()) if out == "cost" else float(r[pick(cost)])


def test_break_even_solution_passes():
    assert_passes(m05.best_reservoir, reservoir)


def test_break_even_with_a_continuous_optimiser_passes():
    from scipy.optimize import minimize_scalar

    def continuous(s, value, price):
        def cost(r):
            return value * (1 - kept_independently(r + (1 - r) * (1 - s))[0]) + price * r
        found = minimize_scalar(cost, bounds=(0, 1), method="bounded",
                                options={"xatol": 1e-6})
        return float(found.x) if cost(found.x) < cost(0.0) else 0.0
    assert_passes(m05.best_reservoir, continuous)


def test_break_even_stub_is_not_attempted():
    assert_not_attempted(m05.best_reservoir)


def test_break_even_reference_value():
    # The first case of the check, searched on a 10x finer grid.
    assert reservoir(0.9, 100.0, 20.0, grid=10_001) == pytest.approx(0.173, abs=0.001)


@pytest.mark.parametrize(("answer", "hint_id"), [
    (lambda s, v, p: reservoir(s, v, p, real_share=lambda r, s: r), "reservoir-only-real"),
    (lambda s, v, p: reservoir(s, v, p, real_share=lambda r, s: 1 - s + 0 * r),
     "cost-rises-with-r"),
    (lambda s, v, p: reservoir(s, v, p, real_share=lambda r, s: (1 - r) * (1 - s)),
     "cost-rises-with-r"),
    (lambda s, v, p: reservoir(s, v, p, real_share=lambda r, s: r + (1 - r) * s),
     "crawl-synthetic-as-real"),
    (lambda s, v, p: reservoir(s, v, p, out="cost"), "returned-cost"),
    (lambda s, v, p: 100 * reservoir(s, v, p), "percent"),
    (lambda s, v, p: reservoir(s, v, p, pick=np.argmax), "argmax"),
    (lambda s, v, p: reservoir(s, v, p, grid=101), "coarse-grid"),
    (lambda s, v, p: reservoir(s, v, p) + 0.002, "wrong-value"),     # just outside tolerance
    (lambda s, v, p: reservoir(s, v, p) + 0.0015, "wrong-value"),
])
def test_break_even_known_wrong_answers_get_their_hint(answer, hint_id):
    assert_hint(m05.best_reservoir, answer, id=hint_id)


def test_break_even_just_inside_tolerance_passes():
    assert_passes(m05.best_reservoir, lambda s, v, p: reservoir(s, v, p) + 0.001)
