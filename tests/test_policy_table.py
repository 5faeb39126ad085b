"""Every entry of helpers.policies.POLICY_TABLE through every consumer, and a new entry
added to a temporary copy of the table picked up by all of them.

Consumers: the loop (helpers.loop), the Gaussian chains (helpers.chains), the diagram
(helpers.diagrams), lesson 02's explorer view (helpers.views.m02), the demonstrator's
command line (helpers.demonstrator) and lesson 05's economics (helpers.governance.economics).
The expected counts below are worked out from the policy's definition (its real part and
memory), not read from the code under test.
"""

from __future__ import annotations

import dataclasses
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import chains, demonstrator, diagrams, loop, policies, theory  # noqa: E402
from helpers.governance import economics  # noqa: E402
from helpers.models import Gaussian  # noqa: E402
from helpers.views import m02  # noqa: E402

N, RHO, G = 20, 0.3, 4
CRAWL = np.array([0.1, 0.3, 0.5, 0.7])


def _kwargs(spec: policies.PolicySpec, *, sampler: bool) -> dict:
    kwargs = {"real_fraction": RHO} if "real_fraction" in spec.uses else {}
    if sampler and "real_sampler" in spec.needs:
        kwargs["real_sampler"] = lambda k, rng: rng.normal(size=k)
    return kwargs


def _expected_sizes(spec: policies.PolicySpec) -> tuple[list[int], list[int]]:
    """Training-set size and real count of generations 0..G, from the definition: each
    generation's new data are n points (round(rho n) of them real when there is a real
    part); replace keeps the new data, accumulate adds them to everything so far."""
    n_real = round(RHO * N) if spec.real_part else 0
    if spec.memory == "replace":
        return [N] + [N] * G, [N] + [n_real] * G
    if spec.memory == "accumulate":
        return ([N * (t + 1) for t in range(G + 1)],
                [N + n_real * t for t in range(G + 1)])
    return [N] * (G + 1), None  # a uniform subsample: the size only is fixed


def _every_consumer(name: str) -> None:
    spec = policies.POLICY_TABLE[name]
    real = np.random.default_rng(0).normal(size=N)

    # the loop: sizes and real counts as the definition says
    steps = list(loop.iterate_loop(Gaussian(ddof=0), real, generations=G, policy=name, seed=1,
                                   **_kwargs(spec, sampler=True)))
    sizes, reals = _expected_sizes(spec)
    assert [len(g.train) for g in steps] == sizes
    if reals is not None:
        assert [g.real_count for g in steps] == reals

    # the diagram: its composition adds up to the loop's training-set size
    for t in range(1, G + 2):
        counts = diagrams.composition(name, t, N, RHO)
        assert sum(counts.values()) == pytest.approx(sizes[t - 1])
        if reals is not None:
            real_count = counts["original real data"] + counts["fresh real data"]
            assert real_count == pytest.approx(reals[t - 1])
    assert diagrams.policy_labels()[name] == spec.label

    # the Gaussian chains (the loop's generation g is row g + 1)
    res = chains.gaussian_policy(N, G + 1, 30, policy=name, seed=2, **_kwargs(spec,
                                                                             sampler=False))
    assert res.var.shape == (G + 2, 30) and np.all(np.isfinite(res.var)) and np.all(res.var > 0)

    # lesson 02's explorer view
    fig, summary = m02.policy_view(policy=name, generations=3, n=20, chains_shown=20,
                                   real_fraction=RHO)
    plt.close(fig)
    assert str(summary).startswith(spec.label)
    assert (summary.real_fraction is not None) == ("real_fraction" in spec.uses)

    # the demonstrator's command line: every policy that needs nothing but a real fraction
    text = f"{name}:{RHO}" if "real_fraction" in spec.needs else name
    if spec.needs <= {"real_fraction"}:
        assert name in policies.command_line_policies()
        choice = demonstrator.parse_policy(text)
        assert (choice.policy, choice.real_fraction) == (
            name, RHO if "real_fraction" in spec.needs else None)
        assert demonstrator._parser().parse_args(["--policies", text]).policies == [choice]
    else:
        with pytest.raises(ValueError, match="use one of"):
            demonstrator.parse_policy(text)

    # lesson 05's economics: a real part puts a share `reservoir` of verified real data in
    # each training set; the rest is what the memory keeps of the filtered crawls
    reservoir = {"reservoir": 0.2} if spec.real_part else {}
    share = economics.training_share(CRAWL, name, tpr=0.5, fpr=0.05, **reservoir)
    base = economics.training_share(CRAWL, "accumulate" if spec.memory != "replace"
                                    else "replace", tpr=0.5, fpr=0.05)
    np.testing.assert_allclose(share, (0.8 if spec.real_part else 1.0) * base, rtol=1e-12)


@pytest.mark.parametrize("name", list(policies.POLICY_TABLE))
def test_every_policy_runs_through_every_consumer(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        _every_consumer(name)


def test_a_new_table_entry_is_picked_up_by_every_consumer(monkeypatch):
    # a policy the table does not have today: the reservoir's real part with accumulation
    new = policies.PolicySpec("sample", "accumulate", frozenset({"real_fraction"}),
                              frozenset({"real_fraction"}), label="accumulate with a reservoir")
    table = {**policies.POLICY_TABLE, "accumulate_reservoir": new}
    monkeypatch.setattr(policies, "POLICY_TABLE", table)
    _every_consumer("accumulate_reservoir")
    fig = diagrams.policy_diagram(generations=3)
    assert [ax.get_title(loc="left") for ax in fig.axes][-1] == "accumulate with a reservoir"
    plt.close(fig)


def test_a_new_entry_with_a_subsampling_memory_and_fresh_real_data_runs_in_the_chains(
        monkeypatch):
    # what the chains materialise is derived from the plan: this combination needs points
    # for the pool *and* fresh real points (it crashed when the chains decided by name)
    new = policies.PolicySpec("fresh", "subsample", frozenset({"real_fraction", "train_size"}),
                              frozenset({"real_fraction"}), label="fresh, subsampled")
    monkeypatch.setattr(policies, "POLICY_TABLE", {**policies.POLICY_TABLE, "fresh_sub": new})
    res = chains.gaussian_policy(20, 5, 40, policy="fresh_sub", real_fraction=1.0, seed=3)
    assert np.all(np.isfinite(res.var))
    # all real and fresh: every generation is a fit on 20 new real points, so the variance
    # keeps its law (mean (n-1)/n), unlike a collapsing loop
    assert abs(res.var[1:].mean() - 19 / 20) < 0.1


def test_the_old_name_mix_is_a_deprecated_alias_of_reservoir():
    with pytest.warns(DeprecationWarning, match="reservoir"):
        plan = policies.make_plan("mix", n_real_data=10, real_fraction=0.5)
    assert plan.policy == "reservoir"
    with pytest.warns(DeprecationWarning):
        old = chains.gaussian_policy(10, 3, 5, policy="mix", real_fraction=0.5, seed=1)
    new = chains.gaussian_policy(10, 3, 5, policy="reservoir", real_fraction=0.5, seed=1)
    np.testing.assert_array_equal(old.var, new.var)
    assert "mix" not in policies.POLICY_TABLE  # one name per concept in the table


def test_an_old_name_warns_at_the_line_that_wrote_it():
    # however deep in helpers the alias is resolved, the warning names the caller's line,
    # so a filter "error::DeprecationWarning:helpers" catches only our own use of old names
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chains.gaussian_policy(10, 3, 5, policy="mix", real_fraction=0.5, seed=1)
        policies.make_plan("mix", n_real_data=10, real_fraction=0.5)
        theory.reservoir_var(3, 10, 0.2)
    found = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    assert len(found) >= 3 and {w.filename for w in found} == {__file__}


def test_policy_specs_are_complete():
    for name, spec in policies.POLICY_TABLE.items():
        assert spec.real_part in policies.REAL_PARTS and spec.memory in policies.MEMORIES
        assert spec.needs <= spec.uses and spec.label, name
        assert dataclasses.is_dataclass(spec)


# --- bad input at the door of the engine's public functions (found by a sweep) -------------


class Lying:
    """An object whose conversions all fail."""

    def __len__(self):
        raise RuntimeError("len")

    def __iter__(self):
        raise RuntimeError("iter")

    def __array__(self, *args, **kwargs):
        raise RuntimeError("array")

    def __float__(self):
        raise RuntimeError("float")


@pytest.mark.parametrize(("call", "error", "name"), [
    (lambda: policies.provenance_keep(Lying(), 0.9, 0.05, 0), TypeError, "is_real"),
    (lambda: policies.provenance_keep([1, 0], 0.9, 0.05, 0), TypeError, "is_real"),
    (lambda: policies.verified(np.arange(4.0), lambda s: s > 1, draw=lambda: np.arange(4.0),
                               needed=10**12), ValueError, "needed"),
    (lambda: policies.verified(np.arange(4.0), lambda s: s > 1, draw=3, needed=2), TypeError,
     "draw"),
    (lambda: economics.crawl_share(Lying()), TypeError, "months"),
    (lambda: economics.total_cost(Lying(), crawl_synthetic=0.2, value=1, price=1), TypeError,
     "reservoir"),
    (lambda: economics.release_costs({"a": 1}, reservoir=0.2, value=1, price=1), TypeError,
     "table"),
    (lambda: economics.release_costs({p: [2.0] for p in economics.POLICIES}, reservoir=0.2,
                                     value=1, price=1), ValueError, "table"),
])
def test_bad_input_is_a_type_or_value_error_naming_the_argument(call, error, name):
    with pytest.raises(error, match=name):
        call()


def test_lesson_05_compares_policies_of_the_table_under_their_table_names():
    assert set(economics.POLICIES) <= set(policies.POLICY_TABLE)
    assert set(economics.release_table(2)) == {"month", "crawl", *economics.POLICIES}
