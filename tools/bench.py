"""Benchmarks of the course's performance targets (run as ``python tools/bench.py``).

Each benchmark is a small function registered with ``@benchmark(title)`` in the list
``BENCHMARKS``; it returns the human-readable lines to print. ``main()`` runs them all
in order. To add a section, write another registered function.
"""

from __future__ import annotations

import functools
import io
import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmark this checkout's helpers
    sys.path.insert(0, str(ROOT))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from helpers import chains, data, models  # noqa: E402
from helpers.explorers import render  # noqa: E402


@dataclass(frozen=True)
class Benchmark:
    title: str
    run: Callable[[], list[str]]


BENCHMARKS: list[Benchmark] = []


def benchmark(title: str) -> Callable[[Callable[[], list[str]]], Callable[[], list[str]]]:
    """Register the decorated function in ``BENCHMARKS`` under ``title``."""
    def register(run: Callable[[], list[str]]) -> Callable[[], list[str]]:
        BENCHMARKS.append(Benchmark(title, run))
        return run
    return register


def best_time(work: Callable[[], object], repeats: int) -> float:
    """Best wall-clock time of ``repeats`` runs of ``work``, in seconds (time.perf_counter)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def seconds(value: float) -> str:
    return f"{value * 1e3:8.1f} ms" if value < 1 else f"{value:8.2f} s "


def line(label: str, value: str, note: str = "") -> str:
    return f"{label:<58}{value}  {note}".rstrip()


def verdict(ratio: float, target: float, at_most: bool = False) -> str:
    """``(target >= 20x: met)``, or with ``at_most`` ``(target <= 2x: met)``."""
    met = ratio <= target if at_most else ratio >= target
    return f"(target {'<=' if at_most else '>='} {target:g}x: {'met' if met else 'NOT met'})"


# --- Gaussian chains ----------------------------------------------------------------------

CHAINS, GENERATIONS, N = 10_000, 1_000, 100
SUBSET = 50  # chains actually timed for the per-chain Python loops
REPEATS = 3


@functools.cache
def vectorised_seconds() -> float:
    """Best-of-3 time of helpers.chains.gaussian on the full work (cached for all sections)."""
    return best_time(lambda: chains.gaussian(N, GENERATIONS, CHAINS, seed=0), REPEATS)


def numpy_sample_loop(n_chains: int, rng: np.random.Generator) -> None:
    """The straightforward version: draw all n samples of every chain, refit with mean/var."""
    mean, var = np.zeros(n_chains), np.ones(n_chains)
    for _ in range(GENERATIONS):
        x = mean[:, None] + np.sqrt(var)[:, None] * rng.standard_normal((n_chains, N))
        mean, var = x.mean(axis=1), x.var(axis=1)


def numpy_per_chain_loop(n_chains: int, rng: np.random.Generator) -> None:
    """A Python loop over chains and generations, NumPy for each sample of n points."""
    for _ in range(n_chains):
        mean, var = 0.0, 1.0
        for _ in range(GENERATIONS):
            x = rng.normal(mean, math.sqrt(var), N)
            mean, var = x.mean(), x.var()


def pure_python_loop(n_chains: int, rng: random.Random) -> None:
    """Plain Python only (random.gauss, sums): loops over chains, generations and samples."""
    for _ in range(n_chains):
        mean, var = 0.0, 1.0
        for _ in range(GENERATIONS):
            sd = math.sqrt(var)
            x = [rng.gauss(mean, sd) for _ in range(N)]
            mean = sum(x) / N
            var = sum((v - mean) ** 2 for v in x) / N


def random_floor(rng: np.random.Generator) -> None:
    """Only the random numbers the exact simulator needs: per chain and generation one
    standard normal (the sample mean) and one gamma variate (the sum of squares), in bulk."""
    rng.standard_normal((GENERATIONS, CHAINS))
    rng.standard_gamma((N - 1) / 2, size=(GENERATIONS, CHAINS))


@functools.cache
def floor_seconds() -> float:
    """Best-of-3 time of :func:`random_floor` (cached for all sections)."""
    return best_time(lambda: random_floor(np.random.default_rng(0)), REPEATS)


@benchmark(f"(a) Gaussian chains: {CHAINS:,} chains x {GENERATIONS:,} generations, n = {N}")
def gaussian_vs_numpy_loop() -> list[str]:
    fast = vectorised_seconds()
    floor = floor_seconds()
    slow = best_time(lambda: numpy_sample_loop(CHAINS, np.random.default_rng(0)), 1)
    return [
        line("helpers.chains.gaussian (exact sufficient statistics)", seconds(fast),
             f"best of {REPEATS}"),
        line("random-number floor (its normal and gamma draws alone)", seconds(floor),
             f"best of {REPEATS}"),
        line("  chains / floor", f"{fast / floor:8.2f}x  ", verdict(fast / floor, 2, at_most=True)),
        line("NumPy loop over generations, all n samples drawn", seconds(slow), "1 run"),
        line("  speed-up", f"{slow / fast:8.0f}x  ", verdict(slow / fast, 20)),
    ]


@benchmark(f"(b) Gaussian chains vs Python loops over chains (same work; {SUBSET} chains "
           f"timed, extrapolated x{CHAINS // SUBSET})")
def gaussian_vs_python_loops() -> list[str]:
    fast = vectorised_seconds()
    scale = CHAINS / SUBSET
    per_chain = scale * best_time(
        lambda: numpy_per_chain_loop(SUBSET, np.random.default_rng(0)), 1)
    plain = scale * best_time(lambda: pure_python_loop(SUBSET, random.Random(0)), 1)
    floor = floor_seconds()
    # No target here (the targets are those of (a)): a simulator at the random-number floor
    # is as fast as these loops can be beaten, so the bound is printed beside each speed-up.
    return [
        line("helpers.chains.gaussian", seconds(fast), f"best of {REPEATS}"),
        line("Python loop over chains, NumPy per step (extrapolated)", seconds(per_chain)),
        line("  speed-up", f"{per_chain / fast:8.0f}x  ",
             f"(at most {per_chain / floor:.0f}x: the loop's time over the random-number floor)"),
        line("Pure Python: random.gauss and sums (extrapolated)", seconds(plain)),
        line("  speed-up", f"{plain / fast:8.0f}x  ", f"(at most {plain / floor:.0f}x)"),
    ]


# --- Digits generator and explorers ------------------------------------------------------

@benchmark("(c) One generation of the digits generator (fit on the 1,797 real digits, sample "
           "1,797)")
def digits_generation() -> list[str]:
    images, _ = data.load_digits()
    lines = []
    for density in ("gmm", "kde"):
        def one_generation(density: str = density) -> None:
            models.DigitsGenerator(density=density).fit(images).sample(len(images), 0)
        times = [best_time(one_generation, 1) for _ in range(7)]
        lines.append(line(f"DigitsGenerator(density={density!r})",
                          seconds(statistics.median(times)), "median of 7"))
    return lines


def lesson_06_demo() -> Any:
    """The finished run lesson 06's explorer reads (the lesson's own settings)."""
    from helpers import demonstrator

    return demonstrator.run(data="mixture", model="gaussian",
                            policies=("replace", "accumulate", "reservoir:0.1"),
                            generations=50, seeds=5)


def lesson_07_runs() -> Any:
    """The runs lesson 07's explorer reads (the lesson's own settings)."""
    from helpers import lm

    return lm.loop_runs(lm.load_char_corpus(), generations=5, seeds=(0, 1, 2))


def lesson_explorers() -> list[tuple[str, Any]]:
    """Every lesson's explorer (``*_explorer`` in :mod:`helpers.explorers`), in course order,
    named by its view; lessons 06 and 07's read their lesson's finished runs."""
    from helpers import explorers

    found = []
    for name in explorers.__all__:
        if name.endswith("_explorer"):
            factory = getattr(explorers, name)
            runs = {"demo_explorer": lesson_06_demo, "decoding_explorer": lesson_07_runs}
            box = factory(runs[name]()) if name in runs else factory()
            view = getattr(box.view, "func", box.view)  # demo_explorer's is a partial
            found.append((f"{view.__module__.rsplit('.', 1)[-1]}.{view.__name__}", box))
    return sorted(found, key=lambda item: item[0])


def one_line_figure() -> bytes:
    """The reference: a default matplotlib figure with one line, drawn to PNG."""
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def control_values(control: Any, count: int) -> list[Any]:
    """``count`` settings of one explorer control spread over its range (a learner's moves)."""
    options = getattr(control, "options", None)
    if options:
        values = [o[1] if isinstance(o, tuple) else o for o in options]
        return [values[i % len(values)] for i in range(count)]
    low, high, step = control.min, control.max, control.step
    spread = [low + (high - low) * ((7 * i) % count) / (count - 1) for i in range(count)]
    return [type(control.value)(low + round((v - low) / step) * step) for v in spread]


UPDATES = 20


def timed_updates(box: Any, moves: bool) -> tuple[float, float]:
    """Median seconds of UPDATES explorer updates and of the one-line figure, interleaved
    (both see the same machine load). ``moves``: each update moves one control, in turn,
    to a new place in its range; otherwise every update is at the default settings."""
    names = list(box.controls)
    params = {name: control.value for name, control in box.controls.items()}
    plan = {name: control_values(box.controls[name], UPDATES) for name in names}
    render(box.view, params)  # warm-up: imports, caches, fonts
    pairs = []
    for i in range(UPDATES):
        if moves:
            name = names[i % len(names)]
            params[name] = plan[name][i]
        pairs.append((best_time(one_line_figure, 1),
                      best_time(lambda: render(box.view, dict(params)), 1)))
    return (statistics.median(p[1] for p in pairs), statistics.median(p[0] for p in pairs))


@benchmark(f"(d) One explorer update (compute + PNG), median of {UPDATES}, each next to a "
           "one-line figure drawn to PNG: at the default settings (targets <= 100 ms and <= "
           "1.5x the one-line figure), then moving the controls across their ranges")
def explorer_updates() -> list[str]:
    one_line_figure()
    lines = []
    for name, box in lesson_explorers():
        for moves in (False, True):
            median, reference = timed_updates(box, moves)
            if moves:
                lines.append(line("  moving its controls: update", seconds(median),
                                  f"({median / reference:.2f}x the one-line figure, "
                                  f"{reference * 1e3:.1f} ms)"))
                continue
            status = "met" if median <= 0.1 else "NOT met"
            lines.append(line(name, seconds(median), f"({status})"))
            lines.append(line("  one-line figure to PNG", seconds(reference)))
            lines.append(line("  update / one-line figure", f"{median / reference:8.2f}x  ",
                              verdict(median / reference, 1.5, at_most=True)))
    return lines


def main() -> None:
    start = time.perf_counter()
    print(f"Benchmarks (NumPy {np.__version__}, Python {sys.version.split()[0]})")
    for bench in BENCHMARKS:
        print()
        print(bench.title)
        for text in bench.run():
            print("  " + text)
    print()
    print(f"Total benchmark time: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
