"""The data policies: how each generation's training set is built. One home for their rules.

A generation's training set is built in the same three steps by the general loop
(:func:`helpers.loop.iterate_loop`, on arrays of points) and by the vectorised Gaussian
chains (:mod:`helpers.chains`, on the sufficient statistics of thousands of chains):

1. **offer** the synthetic points of this generation (the loop applies the verification
   gate, :func:`verified`, to them first);
2. **mix in real points** (:data:`REAL_PARTS`): none, a uniform subset of the stored real
   sample redrawn every generation (``"sample"``: the *reservoir*), or new real data
   (``"fresh"``); the real-count arithmetic is :func:`real_split`;
3. **remember** (:data:`MEMORIES`): train on this generation's data only
   (``"replace"``), on everything kept so far (``"accumulate"``), or on a uniform
   subsample of it (``"subsample"``).

==========================  ======================================================
policy                      training set of generation g >= 1
==========================  ======================================================
``"replace"``               only the synthetic samples of generation g - 1
``"accumulate"``            the real data plus every synthetic set so far
``"accumulate_subsample"``  accumulate, then a uniform subsample (without
                            replacement) of ``train_size`` points (the whole
                            pool while it is smaller)
``"reservoir"``             ``round(real_fraction * train_size)`` points drawn
                            uniformly (without replacement, redrawn every
                            generation) from the stored real data, the rest synthetic
``"fresh"``                 as ``"reservoir"``, but the real part is *new* real data
                            every generation (the loop's ``real_sampler(k, rng)``)
==========================  ======================================================

One name per concept: a **reservoir** is a stored set of real data that every training
set draws a share from (lesson 04's "real-data reservoir", the demonstrator's
``reservoir:RHO``, lesson 05's verified reservoir); **fresh** real data are new real
points every generation. ``"mix"`` is the old name of ``"reservoir"`` (deprecated:
:func:`resolve` still accepts it, with a ``DeprecationWarning``, for one release).

``train_size`` (default: the size of the real sample) is used by the last three
policies only, ``real_fraction`` by ``"reservoir"`` and ``"fresh"`` only; giving an
argument a policy does not use is an error (:data:`POLICY_TABLE` lists them).

Every consumer derives what it does from a policy's :class:`PolicySpec` (its real part,
memory, arguments and label), never from its name: the loop and the Gaussian chains
(through :func:`training_set`), the diagrams, lesson 02's explorer, the demonstrator's
command line (:func:`parse_choice`) and lesson 05's economics. So a new policy that
combines an existing real part and memory is one more entry in :data:`POLICY_TABLE`; a
new real part or memory is one more entry in :data:`REAL_PARTS` or :data:`MEMORIES`
plus the :class:`Source` methods it needs.

>>> plan = make_plan("reservoir", n_real_data=100, real_fraction=0.25)
>>> plan.n_real, plan.n_synthetic, plan.size
(25, 75, 100)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from helpers.validate import (
    MAX_SCALE,
    as_array,
    bounded_array,
    data_points,
    finite_array,
    fraction,
    function,
    integer,
    one_of,
    positive_int,
    real,
    rng_from,
    shown,
    warn_deprecated,
)

__all__ = [
    "POLICIES",
    "POLICY_TABLE",
    "POLICY_ALIASES",
    "REAL_PARTS",
    "MEMORIES",
    "PolicySpec",
    "Plan",
    "Choice",
    "Source",
    "resolve",
    "spec_of",
    "make_plan",
    "real_split",
    "check_arguments",
    "parse_choice",
    "command_line_policies",
    "gate_mask",
    "training_set",
    "verified",
    "MAX_REFILL_BATCHES",
    "typicality_gate",
    "provenance_keep",
    "provenance_counts",
]

MAX_REFILL_BATCHES = 100


@dataclass(frozen=True)
class PolicySpec:
    """What a policy is made of: its real part, its memory and the arguments it uses.

    ``uses``: the optional arguments the policy reads (any other one given is an
    error); ``needs``: those it cannot do without; ``label``: its display name
    (diagrams, explorers).
    """

    real_part: str | None
    memory: str
    uses: frozenset[str] = frozenset()
    needs: frozenset[str] = frozenset()
    label: str = ""


_MIXED = frozenset({"real_fraction", "train_size"})
POLICY_TABLE: dict[str, PolicySpec] = {
    "replace": PolicySpec(None, "replace", label="replace"),
    "accumulate": PolicySpec(None, "accumulate", label="accumulate"),
    "accumulate_subsample": PolicySpec(None, "subsample", frozenset({"train_size"}),
                                       label="accumulate-subsample"),
    "reservoir": PolicySpec("sample", "replace", _MIXED, frozenset({"real_fraction"}),
                            label="fixed real fraction (reservoir)"),
    "fresh": PolicySpec("fresh", "replace", _MIXED | {"real_sampler"},
                        frozenset({"real_fraction", "real_sampler"}), label="fresh real data"),
}
POLICIES = tuple(POLICY_TABLE)
#: Old policy names, accepted with a DeprecationWarning for one release: old -> new.
POLICY_ALIASES: dict[str, str] = {"mix": "reservoir"}
_DESCRIPTIONS = {"real_fraction": "a number in [0, 1]",
                 "real_sampler": "a callable real_sampler(k, rng)",
                 "train_size": "a positive integer"}


def resolve(policy: Any, name: str = "policy") -> str:
    """The table name of ``policy`` (an old alias warns and maps to its new name).

    >>> resolve("accumulate")
    'accumulate'
    """
    if isinstance(policy, str) and policy in POLICY_ALIASES and policy not in POLICY_TABLE:
        new = POLICY_ALIASES[policy]
        warn_deprecated(f"{name}={policy!r} is deprecated; use {name}={new!r}")
        policy = new
    return one_of(policy, name, tuple(POLICY_TABLE))


def spec_of(policy: str) -> PolicySpec:
    """The :class:`PolicySpec` of a policy name (aliases accepted, see :func:`resolve`).

    >>> spec_of("reservoir").real_part
    'sample'
    """
    return POLICY_TABLE[resolve(policy)]


@dataclass(frozen=True)
class Plan:
    """A policy with its sizes worked out, as :func:`training_set` needs them.

    ``size``: the training-set size (``train_size``, default the real data's size);
    ``n_real`` / ``n_synthetic``: the real and synthetic points in each generation's new
    data (``n_synthetic=None``: every synthetic point offered).
    """

    policy: str
    real_part: str | None
    memory: str
    size: int
    n_real: int = 0
    n_synthetic: int | None = None


def real_split(real_fraction: float, size: int) -> tuple[int, int]:
    """``(n_real, n_synthetic)``: ``round(real_fraction * size)`` real points (half to even).

    >>> real_split(0.25, 10)
    (2, 8)
    """
    real_fraction = fraction(real_fraction, "real_fraction")
    size = integer(size, "size", minimum=0)
    n_real = round(real_fraction * size)
    return n_real, size - n_real


def check_arguments(policy: str, given: Mapping[str, Any]) -> None:
    """Refuse arguments the policy does not use and missing ones it needs.

    ``given`` maps the caller's optional policy arguments to their values (``None`` =
    not given); an argument the caller does not offer at all is never required.

    >>> check_arguments("replace", {"real_fraction": 0.5})
    Traceback (most recent call last):
    ...
    ValueError: real_fraction is not used by policy='replace'; leave it as None
    """
    policy = resolve(policy)
    spec = POLICY_TABLE[policy]
    if not isinstance(given, Mapping):
        raise TypeError(f"given must be a dict of argument name -> value, got "
                        f"{type(given).__name__}")
    for name, value in given.items():
        if name not in _DESCRIPTIONS:
            raise ValueError(f"given holds {shown(name)}, which is no policy argument; "
                             f"the policies' optional arguments are {sorted(_DESCRIPTIONS)}")
        if value is not None and name not in spec.uses:
            raise ValueError(f"{name} is not used by policy={policy!r}; leave it as None")
    for name in sorted(spec.needs & set(given)):
        if given[name] is None:
            error = TypeError if name == "real_sampler" else ValueError
            raise error(f"{name} ({_DESCRIPTIONS[name]}) is required by policy={policy!r}")


def make_plan(policy: str, *, n_real_data: int, real_fraction: float | None = None,
              train_size: int | None = None, min_size: int = 1, **others: Any) -> Plan:
    """Check a policy's arguments and work out its sizes.

    ``n_real_data`` is the size of the real sample; ``min_size`` the smallest training
    set the caller's model can fit; ``others`` are further optional arguments of the
    caller (e.g. ``real_sampler``), checked for use only.

    >>> make_plan("accumulate_subsample", n_real_data=50, train_size=20).size
    20
    """
    n_real_data = positive_int(n_real_data, "n_real_data")
    min_size = positive_int(min_size, "min_size")
    policy = resolve(policy)
    check_arguments(policy, {"real_fraction": real_fraction, "train_size": train_size,
                             **others})
    spec = POLICY_TABLE[policy]
    size = n_real_data if train_size is None else integer(train_size, "train_size",
                                                          minimum=min_size)
    if spec.real_part is None:
        return Plan(policy, None, spec.memory, size)
    n_real, n_synthetic = real_split(fraction(real_fraction, "real_fraction"), size)
    if spec.real_part == "sample" and n_real > n_real_data:
        raise ValueError(f"real_fraction * train_size = {n_real} real points, but the real "
                         f"data hold only {n_real_data}; lower real_fraction or train_size")
    return Plan(policy, spec.real_part, spec.memory, size, n_real, n_synthetic)


@dataclass(frozen=True)
class Choice:
    """A policy as written on a command line (``replace``, ``reservoir:0.1``): the text as
    given (``name``), the table's policy and its ``real_fraction`` (``None`` if unused)."""

    name: str
    policy: str
    real_fraction: float | None = None


def command_line_policies(real_sampler: bool = False) -> tuple[str, ...]:
    """The policies a command line can run: those needing nothing but ``real_fraction``
    (written ``name:RHO``); those that also need a ``real_sampler`` (``"fresh"``) only
    when ``real_sampler`` is true (the data offer new real points every generation).

    >>> command_line_policies()
    ('replace', 'accumulate', 'accumulate_subsample', 'reservoir')
    >>> command_line_policies(real_sampler=True)[-1]
    'fresh'
    """
    if not isinstance(real_sampler, bool):
        raise TypeError(f"real_sampler must be True or False, got {type(real_sampler).__name__}")
    allowed = {"real_fraction", "real_sampler"} if real_sampler else {"real_fraction"}
    return tuple(name for name, spec in POLICY_TABLE.items() if spec.needs <= allowed)


def _usage(real_sampler: bool) -> str:
    return ", ".join(f"{name}:RHO" if "real_fraction" in POLICY_TABLE[name].needs else name
                     for name in command_line_policies(real_sampler)) + (
        " (RHO a real fraction in [0, 1])")


def parse_choice(policy: str, real_sampler: bool = False) -> Choice:
    """Read a command-line policy: a name of :func:`command_line_policies` (``real_sampler``
    as there), followed by ``:RHO`` (its real fraction) exactly when the policy needs one.

    >>> parse_choice("reservoir:0.1")
    Choice(name='reservoir:0.1', policy='reservoir', real_fraction=0.1)
    """
    if not isinstance(policy, str):
        raise TypeError(f"policy must be a str, got {type(policy).__name__}")
    name, colon, arg = policy.strip().partition(":")
    given = shown(policy)  # a 5,000-character argument is shown in short
    if name not in command_line_policies(real_sampler):  # checks real_sampler
        raise ValueError(f"policy {given}: use one of {_usage(real_sampler)}")
    if "real_fraction" not in POLICY_TABLE[name].needs:
        if colon:
            raise ValueError(f"policy {given}: {name} takes no ':' argument")
        return Choice(name, name)
    try:
        rho = fraction(float(arg), "RHO")
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"policy {given}: {name} needs a real fraction in [0, 1], e.g. "
                         f"{name}:0.1") from None
    return Choice(f"{name}:{arg}", name, rho)


class Source(Protocol):
    """What the steps need from a data representation (arrays, or Gaussian statistics)."""

    def synthetic(self, k: int | None) -> Any:
        """``k`` of this generation's synthetic points (``None``: all that are offered)."""

    def real_sample(self, k: int) -> Any:
        """A uniform ``k``-subset of the real sample, redrawn at every call."""

    def fresh_real(self, k: int) -> Any:
        """``k`` new real points."""

    def union(self, *parts: Any) -> Any:
        """The union of data parts, in the given order."""

    def keep(self, part: Any) -> Any:
        """Add ``part`` to everything kept so far (which starts as the real sample); return it."""

    def subsample(self, data: Any, k: int) -> Any:
        """A uniform ``k``-subset, without replacement, of ``data``."""

    def size(self, data: Any) -> int:
        """Number of points in ``data``."""


# ---------------------------------------------------------------- the steps

def _no_real(source: Source, plan: Plan) -> Any:
    return source.synthetic(plan.n_synthetic)


def _with(draw_real: Callable[[Source, int], Any]) -> Callable[[Source, Plan], Any]:
    def step(source: Source, plan: Plan) -> Any:
        synthetic = source.synthetic(plan.n_synthetic)
        return source.union(synthetic, draw_real(source, plan.n_real)) if plan.n_real else synthetic
    return step


REAL_PARTS: dict[str | None, Callable[[Source, Plan], Any]] = {
    None: _no_real,
    "sample": _with(lambda source, k: source.real_sample(k)),
    "fresh": _with(lambda source, k: source.fresh_real(k)),
}


def _accumulate(source: Source, plan: Plan, new: Any) -> Any:
    return source.keep(new)


def _subsample(source: Source, plan: Plan, new: Any) -> Any:
    pool = source.keep(new)
    return source.subsample(pool, plan.size) if source.size(pool) > plan.size else pool


MEMORIES: dict[str, Callable[[Source, Plan, Any], Any]] = {
    "replace": lambda source, plan, new: new,
    "accumulate": _accumulate,
    "subsample": _subsample,
}


def training_set(source: Source, plan: Plan) -> Any:
    """The next generation's training set: this generation's new data, then the memory.

    >>> from helpers.loop import ArraySource
    >>> src = ArraySource(np.zeros(4), seed=0)
    >>> src.offer(np.ones(6))
    >>> X, is_real = training_set(src, make_plan("accumulate", n_real_data=4))
    >>> len(X), int(is_real.sum())
    (10, 4)
    """
    return MEMORIES[plan.memory](source, plan, REAL_PARTS[plan.real_part](source, plan))


# ---------------------------------------------------------------- verification gate

_GATE = "gate(samples) -> boolean mask"


def gate_mask(gate: Callable[[np.ndarray], Any], samples: np.ndarray) -> np.ndarray:
    """``gate(samples)`` checked to be a boolean mask with one entry per sample.

    >>> gate_mask(lambda s: s > 1, np.arange(3.0)).tolist()
    [False, False, True]
    """
    return _mask(function(gate, "gate", _GATE), data_points(samples, "samples"))


def _mask(gate: Callable[[np.ndarray], Any], samples: np.ndarray) -> np.ndarray:
    mask = gate(samples)
    if not isinstance(mask, (np.ndarray, list, tuple)):
        raise TypeError(f"gate must return a boolean array (one entry per sample), got "
                        f"{type(mask).__name__}")
    mask = as_array(mask, "gate's result", "a boolean array (one entry per sample)")
    if mask.dtype != bool:
        raise TypeError(f"gate must return a boolean array, got dtype {mask.dtype}")
    if mask.shape != (len(samples),):
        raise ValueError(f"gate must return a mask of shape ({len(samples)},) for "
                         f"{len(samples)} samples, got shape {mask.shape}")
    return mask


def verified(samples: np.ndarray, gate: Callable[[np.ndarray], Any], *,
             draw: Callable[[], np.ndarray] | None = None, needed: int = 0,
             generation: int = 0) -> tuple[np.ndarray, float]:
    """The verification gate: ``(accepted samples, share of samples accepted)``.

    Rejected samples are dropped. With ``draw`` (refill), further batches ``draw()``
    are gated until ``needed`` samples are accepted (at most
    ``MAX_REFILL_BATCHES``, else ``RuntimeError``); the share is that of ``samples``.
    ``generation`` only labels that error.

    >>> ok, share = verified(np.arange(4.0), lambda s: s > 1)
    >>> ok.tolist(), share
    ([2.0, 3.0], 0.5)
    """
    samples = data_points(samples, "samples")
    gate = function(gate, "gate", _GATE)
    if draw is not None:
        draw = function(draw, "draw", "draw() -> samples")
    most = len(samples) * (MAX_REFILL_BATCHES + 1)
    needed = integer(needed, "needed", minimum=0, maximum=most)
    generation = integer(generation, "generation", minimum=0)
    mask = _mask(gate, samples)
    accepted, share = samples[mask], float(mask.mean())
    if draw is None:
        return accepted, share
    parts, total, batch = [accepted], len(accepted), len(samples)
    for _ in range(MAX_REFILL_BATCHES):
        if total >= needed:
            break
        more = draw()
        parts.append(more[_mask(gate, more)])
        total += len(parts[-1])
    if total < needed:
        raise RuntimeError(
            f"generation {generation}: the gate accepted only {total} of "
            f"{batch * (MAX_REFILL_BATCHES + 1)} draws, fewer than the {needed} needed; "
            "loosen the gate or use refill=False"
        )
    return np.concatenate(parts)[:needed], share


# ---------------------------------------------------------------- filters (lesson 04)

def typicality_gate(mean: Any, sd: Any, k: float) -> Callable[[np.ndarray], np.ndarray]:
    """The "quality" filter that keeps only samples typical under the model itself:
    ``|x - mean| < k sd``. It speeds collapse up (lesson 04). ``mean`` and ``sd`` (> 0)
    are numbers or arrays of up to 2 axes that broadcast to the samples' shape (one per
    chain: shape (chains, 1) for samples of shape (chains, draws)); ``k`` > 0.

    >>> typicality_gate(0.0, 1.0, 2.0)(np.array([-2.5, 0.3, 1.9])).tolist()
    [False, True, True]
    """
    mean = bounded_array(mean, "mean", ndim=(0, 1, 2))
    sd = bounded_array(sd, "sd", ndim=(0, 1, 2))
    if sd.min() <= 0:
        raise ValueError(f"sd must be > 0, got {shown(sd.min())}")
    try:
        band = np.broadcast_shapes(mean.shape, sd.shape)
    except ValueError:
        raise ValueError(f"mean (shape {mean.shape}) and sd (shape {sd.shape}) must "
                         "broadcast together (one of each per chain)") from None
    width = real(k, "k", minimum=0.0, strict_min=True, maximum=MAX_SCALE) * sd

    def gate(samples: np.ndarray) -> np.ndarray:
        samples = finite_array(samples, "samples")
        try:
            fits = np.broadcast_shapes(samples.shape, band) == samples.shape
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(f"samples of shape {samples.shape} do not match mean (shape "
                             f"{mean.shape}) and sd (shape {sd.shape}) of the typicality gate")
        return np.abs(samples - mean) < width

    return gate


def provenance_keep(is_real: np.ndarray, tpr: float, fpr: float,
                    seed: int | np.random.Generator) -> np.ndarray:
    """Provenance filtering with an imperfect detector: the mask of the items *kept*.

    The detector flags a synthetic item with probability ``tpr`` and a real one with
    probability ``fpr``; flagged items are dropped, real or not. ``seed``: an int or a
    Generator (the detector's coin flips are drawn from it).

    >>> provenance_keep(np.array([True, False]), 1.0, 0.0, np.random.default_rng(0)).tolist()
    [True, False]
    """
    is_real = as_array(is_real, "is_real", "a boolean array")
    if is_real.dtype != bool:
        raise TypeError(f"is_real must be a boolean array, got dtype {is_real.dtype}")
    flag_probability = np.where(is_real, fraction(fpr, "fpr"), fraction(tpr, "tpr"))
    return rng_from(seed, "seed").random(is_real.shape) >= flag_probability


def provenance_counts(corpus: int, share: float, tpr: float, fpr: float) -> tuple[int, int]:
    """``(real, synthetic)`` items the detector keeps of a corpus of ``corpus`` items with
    synthetic share ``share``, rounded to their expectations (for the Gaussian chains).

    >>> provenance_counts(200, 0.5, 0.9, 0.05)
    (95, 10)
    """
    corpus = integer(corpus, "corpus", minimum=1)
    share, tpr, fpr = fraction(share, "share"), fraction(tpr, "tpr"), fraction(fpr, "fpr")
    n_synthetic = round(share * corpus)
    return round((corpus - n_synthetic) * (1 - fpr)), round(n_synthetic * (1 - tpr))
