"""The conventions of CONTRIBUTING ("Conventions of helpers/") hold across the package."""

import importlib
import inspect
import pkgutil
import re

import numpy as np
import pytest

import helpers
from helpers import models

MODULES = [importlib.import_module(info.name)
           for info in pkgutil.walk_packages(helpers.__path__, "helpers.")]
RANDOM_LIKE = re.compile(r"seed|rng|random|generator|prng|^rs$|^key$", re.IGNORECASE)


def _public_callables():
    """(qualified name, callable) for every public function, class and public method."""
    seen = set()
    for module in MODULES:
        names = getattr(module, "__all__", None)
        if names is None:
            names = [n for n in vars(module) if not n.startswith("_")]
        for name in names:
            obj = getattr(module, name)
            if getattr(obj, "__module__", "").split(".")[0] != "helpers" or id(obj) in seen:
                continue
            seen.add(id(obj))
            if inspect.isfunction(obj):
                yield f"{obj.__module__}.{name}", obj
            elif inspect.isclass(obj):
                yield f"{obj.__module__}.{name}", obj.__init__
                for attr, member in vars(obj).items():
                    if inspect.isfunction(member) and not attr.startswith("_"):
                        # NumPy's own Generator methods, wrapped to record draws
                        # (RecordingGenerator), are NumPy's API, not ours (and NumPy < 2
                        # gives them no signature to inspect).
                        if not inspect.isfunction(getattr(member, "__wrapped__", member)):
                            continue
                        yield f"{obj.__module__}.{name}.{attr}", member


CALLABLES = sorted(_public_callables(), key=lambda pair: pair[0])
# Where the engine hands its Generator on: the model protocol's sample(n, rng).
RNG_ALLOWED = re.compile(r"\.sample$")
# run_loop takes the seeds of its runs; the demonstrator (and its --seeds option) how many.
SEEDS_ALLOWED = {"helpers.loop.run_loop", "helpers.loop.History", "helpers.demonstrator.run",
                 "helpers.lm.loop_runs", "helpers.lm.LoopRuns"}  # lm: passed on to run_loop


def test_the_enumeration_finds_the_public_api():
    names = {name for name, _ in CALLABLES}
    assert {"helpers.chains.gaussian", "helpers.loop.run_loop", "helpers.loop.iterate_loop",
            "helpers.metrics.distance.density_coverage", "helpers.models.Gaussian.sample",
            "helpers.policies.make_plan"} <= names
    assert len(names) > 100


# Names that look random but are not a stream: a ledger record's generating model (and its version).
NOT_A_STREAM = {("helpers.governance.ledger.Record", "generator"),
                ("helpers.governance.ledger.Record", "generator_version")}


@pytest.mark.parametrize(("name", "function"), CALLABLES, ids=[n for n, _ in CALLABLES])
def test_random_streams_are_called_seed(name, function):
    for param in inspect.signature(function).parameters:
        if not RANDOM_LIKE.search(param) or (name, param) in NOT_A_STREAM:
            continue
        if param == "seed":
            continue
        if param == "seeds" and name in SEEDS_ALLOWED:
            continue
        if param == "rng" and RNG_ALLOWED.search(name):
            continue
        pytest.fail(f"{name}({param}=...): a random stream is called `seed` (one stream) or "
                    f"`seeds` (many runs); `rng` only in sample(n, rng)")


def test_functions_that_take_a_seed_also_take_a_generator():
    from helpers import chains, data

    generator_result = chains.gaussian(5, 3, 4, seed=np.random.default_rng(7)).var
    assert np.array_equal(generator_result, chains.gaussian(5, 3, 4, seed=7).var)
    assert np.array_equal(data.zipf_tokens(20, 5, seed=np.random.default_rng(1)),
                          data.zipf_tokens(20, 5, seed=1))


@pytest.mark.parametrize(("name", "function"), CALLABLES, ids=[n for n, _ in CALLABLES])
def test_ddof_accepts_0_and_1_and_defaults_to_0_or_nothing(name, function):
    params = inspect.signature(function).parameters
    if "ddof" not in params:
        return
    default = params["ddof"].default
    assert default in (0, inspect.Parameter.empty), f"{name}: ddof defaults to {default}"


def test_gaussian_model_has_no_default_ddof_and_the_same_range():
    with pytest.raises(TypeError, match="ddof"):
        models.Gaussian()
    for bad in (2, -1):
        with pytest.raises(ValueError, match="ddof"):
            models.Gaussian(ddof=bad)


def test_models_have_a_readable_repr():
    assert repr(models.Gaussian(ddof=1)) == "Gaussian(ddof=1)"
    assert repr(models.Gaussian(ddof=0, scale=0.5)) == "Gaussian(ddof=0, scale=0.5)"
    assert repr(models.Categorical(4, smoothing=0.5)) == (
        "Categorical(n_categories=4, smoothing=0.5)")
    assert repr(models.DigitsGenerator(density="kde")) == "DigitsGenerator(density='kde')"
    for model in (models.BigramLM(3), models.GaussianMixtureModel(), models.KDE()):
        assert " at 0x" not in repr(model)


def test_one_scale_cap():
    from helpers import validate

    for module in MODULES:
        source = inspect.getsource(module)
        if module.__name__ != "helpers.validate":
            assert "1e100" not in source, f"{module.__name__} defines its own 1e100 cap"
    assert validate.MAX_SCALE == 1e100


def test_one_threadpoolctl_api():
    for module in MODULES:
        source = inspect.getsource(module)
        if module.__name__ != "helpers.environment":
            assert "threadpoolctl" not in source, f"{module.__name__} imports threadpoolctl"
