"""Checks for the exercises of notebook 05 (governance)."""

from __future__ import annotations

import itertools
import numbers

import numpy as np

from helpers.checks.core import Hint, as_float, call, close, diagnose, exercise, type_name
from helpers.governance import Ledger, check, economics, parse_manifest, parse_policy, sha256

__all__ = ["synthetic_share_by_month", "generators_over", "fix_manifest", "best_reservoir",
           "fixture_ledger"]


# ---------------------------------------------------------------- fixtures

def _row(rid: str, collected: str, depth: int | None, **fields) -> dict:
    kind = "human" if depth == 0 else "model_output" if depth else "web_crawl"
    row = dict(id=rid, content_hash=sha256(rid), source_kind=kind, depth=depth,
               collected=collected, provenance="unknown" if depth is None else "declared")
    row.update(fields)
    return row


_FIXTURE = [
    # January: 4 real, 1 synthetic (created in December), 1 unknown
    *[_row(f"jan-r{i}", "2026-01-0" + str(i + 1), 0) for i in range(4)],
    _row("jan-s1", "2026-01-08", 1, generator="gen-a", created="2025-12-30"),
    _row("jan-u1", "2026-01-09", None),
    # February: 3 real, 2 synthetic (one of depth 2), 3 unknown
    *[_row(f"feb-r{i}", "2026-02-1" + str(i), 0) for i in range(3)],
    _row("feb-s1", "2026-02-14", 1, generator="gen-a", created="2026-01-20"),
    _row("feb-s2", "2026-02-15", 2, generator="gen-b", created="2026-02-15",
         parents=["feb-s1"]),
    *[_row(f"feb-u{i}", "2026-02-2" + str(i), None) for i in range(3)],
    # March: 1 real, 4 synthetic, 1 unknown
    _row("mar-r0", "2026-03-01", 0),
    *[_row(f"mar-s{i}", "2026-03-0" + str(i + 2), 1 + (i == 3), generator="gen-c",
           created="2026-02-2" + str(i)) for i in range(4)],
    _row("mar-u0", "2026-03-09", None),
]


def fixture_ledger() -> Ledger:
    """A fresh in-memory copy of exercise 05.1's fixture ledger (20 records, 5 of unknown origin).

    >>> len(fixture_ledger())
    20
    """
    ledger = Ledger()
    ledger.add_many(_FIXTURE)
    return ledger


def _by_month(rows, key: str, synthetic, denominator) -> list[tuple[str, float]]:
    months = sorted({r[key][:7] for r in rows if r.get(key)})
    out = []
    for month in months:
        chosen = [r for r in rows if (r.get(key) or "")[:7] == month]
        base = [r for r in chosen if denominator(r)]
        out.append((month, sum(synthetic(r) for r in chosen) / len(base)))
    return out


def _is_syn(r) -> bool:
    return r["depth"] is not None and r["depth"] >= 1


_ALL = lambda r: True  # noqa: E731
_KNOWN = lambda r: r["depth"] is not None  # noqa: E731


def _pairs(value, what: str) -> list[tuple[str, float]]:
    """A list of (label, number) pairs from a learner's result, or a Hint."""
    if value is None:
        raise Hint(f"{what} returned None: did you forget the `return` statement?",
                   id="returned-none")
    if not isinstance(value, (list, tuple)) or not all(
            isinstance(p, (list, tuple)) and len(p) == 2 for p in value):
        raise Hint(f"{what} should return a list of (label, share) pairs, got "
                   f"{type_name(value)}. Build it with [(month, share) for ...] or "
                   "list(rows) from ledger.query.", id="wrong-type")
    pairs = []
    for label, number in value:
        if not isinstance(label, (str, type(None))):
            raise Hint(f"{what}: each pair starts with a text label, got {type_name(label)}.",
                       id="wrong-type")
        if isinstance(number, bool) or not isinstance(number, numbers.Real) or not np.isfinite(
                float(number)):
            raise Hint(f"{what}: each pair ends with a finite number, got {number!r}.",
                       id="not-finite" if isinstance(number, numbers.Real) else "wrong-type")
        pairs.append((label, float(number)))
    return pairs


def _same(got: list[tuple[str, float]], expected: list[tuple[str, float]],
          rel: float = 1e-9) -> bool:
    return len(got) == len(expected) and all(
        g[0] == e[0] and close(g[1], e[1], rel=rel) for g, e in zip(got, expected, strict=True))


def _close(ledger: Ledger) -> None:
    """Close a ledger the learner was handed (a database cannot be copied; it may be broken)."""
    try:
        ledger.close()
    except Exception:  # noqa: BLE001 (the learner emptied or replaced its attributes)
        pass


# ---------------------------------------------------------------- 05.1 SQL over the ledger

@exercise("05.1", "synthetic share by month, in SQL",
          hints=("unknown-excluded", "unknown-as-synthetic", "depth-two-only", "created-month",
                 "counts-not-shares", "percent", "wrong-months", "wrong-order",
                 "integer-division", "rounded"))
def synthetic_share_by_month(fn) -> str:
    """Check ``fn(ledger)``: [(month, share of depth >= 1 among all that month's records)]."""
    what = "synthetic_share_by_month(ledger)"
    ledger = fixture_ledger()
    try:
        got = _pairs(call(fn, ledger), what)
    finally:
        _close(ledger)
    expected = _by_month(_FIXTURE, "collected", _is_syn, _ALL)
    if _same(got, expected):
        return ("correct: on the fixture ledger the synthetic share is "
                + ", ".join(f"{s:.3f} in {m}" for m, s in expected)
                + "; the unknown-origin records stay in the denominator.")
    if sorted(got) == expected:
        raise Hint(f"{what}: right numbers, wrong order; sort the months (ORDER BY month).",
                   id="wrong-order")
    if [m for m, _ in got] != [m for m, _ in expected]:
        if _same(got, _by_month(_FIXTURE, "created", _is_syn, _ALL)) or any(
                m not in dict(expected) for m, _ in got):
            raise Hint(f"{what}: you grouped by the month the text was *created*; the crawl "
                       "month is the *collected* date (created is unknown for most records).",
                       id="created-month")
        raise Hint(f"{what} returned the months {[m for m, _ in got]}; expected one pair per "
                   "month in which records were collected, as 'YYYY-MM' "
                   "(substr(collected, 1, 7)), in order.", id="wrong-months")
    wrong = {
        "unknown-excluded": (_by_month(_FIXTURE, "collected", _is_syn, _KNOWN),
                             "you divided by the records of known origin only; a record of "
                             "unknown origin is still in the corpus, so it belongs in the "
                             "denominator (count(*), not count(depth))"),
        "unknown-as-synthetic": (
            _by_month(_FIXTURE, "collected", lambda r: r["depth"] != 0, _ALL),
            "you counted the records of unknown origin as synthetic; 'synthetic' here means "
            "known to be model-made, depth >= 1 (unknown origin is its own category)"),
        "depth-two-only": (
            _by_month(_FIXTURE, "collected", lambda r: (r["depth"] or 0) > 1, _ALL),
            "you counted only depth > 1; a record made by a model trained on real data has "
            "depth 1 and is synthetic too (depth >= 1)"),
        "counts-not-shares": (
            [(m, s * sum((r["collected"][:7] == m) for r in _FIXTURE)) for m, s in expected],
            "you returned counts; divide by the number of records collected that month"),
        "percent": ([(m, 100 * s) for m, s in expected],
                    "you returned percentages; return shares between 0 and 1"),
    }
    wrong |= {
        "integer-division": ([(m, float(s >= 1)) for m, s in expected],
                             "your shares are whole numbers: integer division (// or SQL's "
                             "integer /) cuts the fraction off. Divide as floats, e.g. "
                             "1.0 * sum(...) / count(*)"),
        "rounded": (lambda: next((r for k in (1, 2, 3, 4)
                                  if _same(got, r := [(m, round(s, k)) for m, s in expected])),
                                 None),
                    "your shares are rounded; return them unrounded (round only when printing)"),
    }
    diagnose(got, expected, {hint_id: (f"{what}: {message}.", values)
                             for hint_id, (values, message) in wrong.items()}, same=_same)
    shown = ", ".join(f"{m}: {s:.6g}" for m, s in got)
    raise Hint(f"{what} returned {shown}. For each month, divide the number of records with "
               "depth >= 1 by the number of all records collected that month.", id="wrong-value")


# ---------------------------------------------------------------- 05.2 a rule as a function

_RULE_IDS = ["jan-r0", "jan-r1", "feb-r0", "jan-s1", "feb-s1", "feb-s2", "mar-s0", "mar-s1",
             "mar-s2", "mar-s3"]


def _rule_records():
    with fixture_ledger() as ledger:
        return ledger.records(_RULE_IDS)


def _shares(records, denominator: int) -> list[tuple[str, float]]:
    counts: dict = {}
    for r in records:
        counts[r.generator] = counts.get(r.generator, 0) + 1
    return sorted(((g, c / denominator) for g, c in counts.items() if g is not None))


@exercise("05.2", "max generator share, as a function",
          hints=("synthetic-denominator", "limit-inclusive", "none-generator", "all-generators",
                 "unsorted"))
def generators_over(fn) -> str:
    """Check ``fn(records, limit)``: sorted [(generator, share)] with share > limit."""
    records = _rule_records()
    for limit in (0.2, 0.1, 0.45):
        what = f"generators_over(records, limit={limit})"
        got = _pairs(call(fn, list(records), limit), what)
        everything = _shares(records, len(records))
        expected = [(g, s) for g, s in everything if s > limit]
        if _same(got, expected):
            continue
        if any(g is None for g, _ in got):
            raise Hint(f"{what}: a pair for generator None came back; real records have no "
                       "generator and must not count as one.", id="none-generator")
        if sorted(got) == expected:
            raise Hint(f"{what}: sort the pairs by generator name.", id="unsorted")
        synthetic = [r for r in records if r.generator is not None]
        if _same(got, [(g, s) for g, s in _shares(records, len(synthetic)) if s > limit]):
            raise Hint(f"{what}: you divided by the number of synthetic records; the rule "
                       f"limits the share of the whole manifest ({len(records)} records).",
                       id="synthetic-denominator")
        if _same(got, [(g, s) for g, s in everything if s >= limit]):
            raise Hint(f"{what}: a share exactly at the limit is allowed ('at most'); "
                       "report only shares strictly above it.", id="limit-inclusive")
        if _same(got, everything):
            raise Hint(f"{what}: return only the generators over the limit, not all of them.",
                       id="all-generators")
        raise Hint(f"{what} returned {got}; expected {expected}. Count each generator's "
                   "records and divide by len(records).", id="wrong-value")
    return "correct: on the test manifest gen-c holds 0.4 of the records and gen-a 0.2."


# ---------------------------------------------------------------- 05.3 fix a manifest

_FIX_POLICY = parse_policy("""schema_version = 1
name = "exercise 05.3"
[rules.min_real_fraction]
limit = 0.5
[rules.max_synthetic_depth]
limit = 1
[rules.min_provenance_coverage]
limit = 1.0
[rules.synthetic_requires_verification]
required = true
[rules.max_generator_share]
limit = 0.25
""")


def _fix_cases(ledger: Ledger):
    verified = dict(verification="verified", verifier="reviewer")
    ledger.add_many([
        *[_row(f"r{i}", "2026-04-0" + str(i + 1), 0) for i in range(6)],
        *[_row(f"a{i}", "2026-04-1" + str(i), 1, generator="gen-a", **verified)
          for i in range(4)],
        _row("b0", "2026-04-20", 1, generator="gen-b", **verified),
        _row("b1", "2026-04-21", 1, generator="gen-b"),                   # not verified
        _row("c0", "2026-04-22", 2, generator="gen-c", **verified),       # too deep
        _row("u0", "2026-04-23", None),                                   # unknown origin
    ])
    first = ["r0", "r1", "r2", "r3", "r4", "r5", "a0", "a1", "a2", "a3", "b0", "b1", "c0",
             "u0", "ghost"]
    second = ["r0", "r1", "r2", "a0", "a1", "a2", "b0", "u0"]
    return [parse_manifest({"name": "case 1", "records": first}, ledger),
            parse_manifest({"name": "case 2", "records": second}, ledger)]


def _largest_fix(manifest) -> int:
    """Size of the largest sub-manifest that passes (brute force over the synthetic records)."""
    keep = [r for r in manifest.records if r.depth is not None]
    real = [r.id for r in keep if r.real]
    optional = [r.id for r in keep if not r.real]
    for size in range(len(optional), -1, -1):
        for chosen in itertools.combinations(optional, size):
            ids = real + list(chosen)
            if ids and not check(_resolve(manifest, ids), _FIX_POLICY):
                return len(ids)
    return 0


def _resolve(manifest, ids):
    by_id = {r.id: r for r in manifest.records}
    return type(manifest)(manifest.name, tuple(ids), tuple(by_id[i] for i in ids if i in by_id),
                          tuple(i for i in ids if i not in by_id))


@exercise("05.3", "fix a manifest", hints=("added-records", "still-violates", "dropped-too-much",
                                           "duplicates", "empty-manifest"))
def fix_manifest(fn) -> str:
    """Check ``fn(manifest, policy)``: ids of a largest sub-manifest that satisfies the policy."""
    with Ledger() as ledger:
        cases = _fix_cases(ledger)
        for manifest in cases:
            what = f"fix_manifest(<{manifest.name}>, policy)"
            got = call(fn, manifest, _FIX_POLICY)
            if got is None:
                raise Hint(f"{what} returned None: did you forget the `return` statement?",
                           id="returned-none")
            if not isinstance(got, (list, tuple)) or not all(isinstance(i, str) for i in got):
                raise Hint(f"{what} should return a list of record ids (strings), got "
                           f"{type_name(got)}.", id="wrong-type")
            added = [i for i in got if i not in manifest.entries]
            if added:
                raise Hint(f"{what} added {added[0]!r}, which the manifest did not name; fix a "
                           "manifest by removing records, never by adding new ones.",
                           id="added-records")
            if len(set(got)) != len(got):
                raise Hint(f"{what} lists a record twice.", id="duplicates")
            if not got:
                raise Hint(f"{what} returned no record at all: an empty manifest trains "
                           "nothing. Remove only what breaks a rule.", id="empty-manifest")
            left = check(_resolve(manifest, list(got)), _FIX_POLICY)
            if left:
                raise Hint(f"{what} still breaks the policy: {left[0]}. Run check() on your "
                           "result and remove the records it names.", id="still-violates")
            best = _largest_fix(manifest)
            if len(got) < best:
                raise Hint(f"{what} keeps {len(got)} records, but {best} can satisfy the "
                           "policy: you removed more than needed (real records never need to "
                           "go; remove synthetic ones only where a rule asks).",
                           id="dropped-too-much")
    return ("correct: both manifests now pass, keeping as many records as the policy allows "
            f"({_largest_fix(cases[0])} of {len(cases[0].entries)} in case 1).")


# ---------------------------------------------------------------- 05.4 break-even reservoir

# (0.1, 100, 5): the right answer is 0, but taking the crawl's synthetic share for its real
# share gives 0.438, so that slip is told apart from the slips that always give 0
_COST_CASES = [(0.9, 100.0, 20.0), (0.9, 100.0, 5.0), (0.95, 500.0, 40.0), (0.3, 100.0, 20.0),
               (0.1, 100.0, 5.0)]
_GRID = np.linspace(0.0, 1.0, 1001)
_TOLERANCE = 0.0011           # one grid step (0.001) and rounding


def _best(costs: np.ndarray, grid: np.ndarray = _GRID) -> float:
    return float(grid[int(np.argmin(costs))])


def _cost(grid, s, value, price, real_share=None):
    if real_share is None:
        return economics.total_cost(grid, crawl_synthetic=s, value=value, price=price)
    return economics.degradation(real_share, value) + price * grid


def _reservoir_variants(s: float, value: float, price: float) -> dict[str, tuple[str, object]]:
    """What the likely slips return on these inputs (computed only when needed)."""
    costs = _cost(_GRID, s, value, price)
    coarse = np.linspace(0.0, 1.0, 101)
    kept = economics.value_retained
    return {
        "returned-cost": ("returned the lowest cost; return the reservoir fraction at which it "
                          "is reached", float(costs.min())),
        "percent": ("returned a percentage; return a fraction in [0, 1]",
                    lambda: 100 * _best(costs)),
        "reservoir-only-real": ("the real share of the training set is not just the reservoir "
                                "fraction r; the crawl part (1 - r) is real too, in share "
                                "1 - crawl_synthetic",
                                lambda: _best(_cost(_GRID, s, value, price, real_share=_GRID))),
        "crawl-synthetic-as-real": ("you took the crawl's synthetic share for its real share: "
                                    "the crawl part contributes (1 - r)(1 - crawl_synthetic) "
                                    "real data, not (1 - r) crawl_synthetic",
                                    lambda: _best(_cost(_GRID, s, value, price,
                                                        real_share=_GRID + (1 - _GRID) * s))),
        "argmax": ("returned where the cost is highest; take the argmin",
                   lambda: float(_GRID[int(np.argmax(costs))])),
        "coarse-grid": ("a grid step of 0.01 is too coarse here; use np.linspace(0, 1, 1001) "
                        "(steps of 0.001)", lambda: _best(_cost(coarse, s, value, price), coarse)),
        "price-on-crawl": ("the price is paid for the reservoir fraction: + price * r, not "
                           "price * (1 - r)",
                           lambda: _best(_cost(_GRID, s, value, price) - price * _GRID
                                         + price * (1 - _GRID))),
        "price-missing": ("without the price term more reservoir is always better; add "
                          "price * r to the cost",
                          lambda: _best(value * (1 - kept(_GRID + (1 - _GRID) * (1 - s))))),
    }


@exercise("05.4", "break-even reservoir fraction",
          hints=("reservoir-only-real", "cost-rises-with-r", "returned-cost", "percent", "argmax",
                 "coarse-grid", "crawl-synthetic-as-real", "price-on-crawl", "price-missing"))
def best_reservoir(fn) -> str:
    """Check ``fn(crawl_synthetic, value, price)`` against a grid search of the cost model."""
    got, expected = [], []
    for s, value, price in _COST_CASES:
        what = f"best_reservoir(crawl_synthetic={s}, value={value:g}, price={price:g})"
        got.append(as_float(call(fn, s, value, price), what))
        expected.append(_best(_cost(_GRID, s, value, price)))

    def same(a: list[float], b: list[float]) -> bool:
        return all(abs(x - y) <= _TOLERANCE or close(x, y, rel=1e-3)
                   for x, y in zip(a, b, strict=True))

    if same(got, expected):
        example = _best(_cost(_GRID, *_COST_CASES[0]))
        return (f"correct: with 90% synthetic crawls, value 100 and price 20, the cost is "
                f"lowest at a reservoir of {example:.3f}.")
    # a slip is named only when it gives the learner's answers in every case
    first = next(i for i in range(len(got)) if not same(got[i:i + 1], expected[i:i + 1]))
    s, value, price = _COST_CASES[first]
    what = f"best_reservoir(crawl_synthetic={s}, value={value:g}, price={price:g})"
    variants = [_reservoir_variants(*case) for case in _COST_CASES]
    diagnose(got, expected, {
        hint_id: (f"{what}: {message}.",
                  lambda k=hint_id: [v[k][1]() if callable(v[k][1]) else v[k][1]
                                     for v in variants])
        for hint_id, (message, _) in variants[first].items()}, same=same)
    if got[first] == 0.0:  # several slips give 0 on every input: say what 0 means, name none
        raise Hint(f"{what} returned 0: in your cost, each extra point of reservoir only "
                   "adds cost. Check the three places where that happens: the real share "
                   "must grow with r, r + (1 - r)(1 - crawl_synthetic); the lost value is "
                   "value * (1 - value_retained(real share)), with the real share (not the "
                   "synthetic one) as argument; and only price * r is paid.",
                   id="cost-rises-with-r")
    raise Hint(f"{what} returned {got[first]:.4f}; the cost model gives {expected[first]:.3f}. "
               "Compute value * (1 - value_retained(real share)) + price * r on a grid of r.",
               id="wrong-value")


