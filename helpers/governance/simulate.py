"""A simulated corpus for lesson 05: monthly crawls recorded in a provenance ledger.

Month 0 is a curated set of human-written documents (provenance declared). Each
later month adds a crawl whose true synthetic share follows
:func:`helpers.governance.economics.crawl_share`. A share ``unknown`` of every
crawl arrives without provenance (depth unknown, whatever it truly is); the rest
is labelled: real pages as inferred depth 0, model outputs as declared (marked at
generation time) with their generator, depth 1, or depth 2 once models trained on
contaminated crawls are in use (from ``second_wave`` months on). A share
``verified`` of the labelled model outputs has been verified.

>>> ledger, truth = simulated_corpus(months=3, per_month=10, seed=0)
>>> len(ledger), len(truth)
(40, 40)
"""

from __future__ import annotations

import datetime as _dt

import numpy as np

from helpers.governance.economics import crawl_share
from helpers.governance.ledger import Ledger, sha256
from helpers.validate import fraction, integer, rng_from

__all__ = ["GENERATORS", "simulated_corpus"]

#: Generators of the simulated model outputs, with their shares among them.
GENERATORS = {"writer-a": 0.5, "writer-b": 0.3, "writer-c": 0.2}
_START = _dt.date(2025, 1, 1)


def _month(m: int) -> str:
    year, month = divmod(_START.month - 1 + m, 12)
    return f"{_START.year + year:04d}-{month + 1:02d}"


def simulated_corpus(months: int = 24, per_month: int = 200, *, unknown: float = 0.15,
                     verified: float = 0.3, second_wave: int = 12, seed: int = 0,
                     **growth: float) -> tuple[Ledger, dict[str, int]]:
    """An in-memory ledger of ``months`` monthly crawls plus month 0, and the true depths.

    ``growth`` (ceiling, midpoint, rate) goes to
    :func:`~helpers.governance.economics.crawl_share`. Returns ``(ledger, truth)``:
    ``truth`` maps every record id to its true depth, including the records whose
    depth the ledger does not know.
    """
    months = integer(months, "months", minimum=1, maximum=240)
    per_month = integer(per_month, "per_month", minimum=1, maximum=10_000)
    unknown, verified = fraction(unknown, "unknown"), fraction(verified, "verified")
    second_wave = integer(second_wave, "second_wave", minimum=0)
    rng = rng_from(seed)
    share = crawl_share(np.arange(months + 1), **growth)
    names, weights = list(GENERATORS), np.array(list(GENERATORS.values()))
    rows, truth = [], {}
    for m in range(months + 1):
        day = rng.integers(1, 29, size=per_month)
        synthetic = rng.random(per_month) < (0.0 if m == 0 else share[m])
        hidden = rng.random(per_month) < (0.0 if m == 0 else unknown)
        deep = rng.random(per_month) < (0.5 if m >= second_wave else 0.0)
        checked = rng.random(per_month) < verified
        generator = rng.choice(len(names), size=per_month, p=weights)
        score = np.where(synthetic, rng.beta(5, 2, per_month), rng.beta(2, 5, per_month))
        for i in range(per_month):
            rid = f"m{m:02d}-{i:04d}"
            depth = int(synthetic[i]) * (2 if deep[i] else 1)
            truth[rid] = depth
            row = dict(id=rid, content_hash=sha256(f"simulated document {rid}"),
                       collected=f"{_month(m)}-{day[i]:02d}", detector_score=float(score[i]))
            if m == 0:
                row.update(source_kind="human", depth=0, provenance="declared",
                           licence="CC-BY-4.0")
            elif hidden[i]:
                row.update(source_kind="web_crawl", provenance="unknown")
            elif depth == 0:
                row.update(source_kind="web_crawl", depth=0, provenance="inferred")
            else:
                row.update(source_kind="model_output", depth=depth, provenance="declared",
                           generator=names[generator[i]], generator_version="1.0",
                           created=row["collected"])
                if checked[i]:
                    row.update(verification="verified", verifier="fact-check-v1")
            rows.append(row)
    ledger = Ledger()
    ledger.add_many(rows)
    return ledger, truth
