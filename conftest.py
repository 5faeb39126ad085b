"""Suite-wide pytest set-up: reproducible property tests, and per-notebook validation times."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import settings

# The same examples on every run, so a CI result never depends on the luck of the draw.
# (`--hypothesis-seed` or a local profile can still explore further.)
settings.register_profile("course", derandomize=True, deadline=None, database=None)
settings.load_profile("course")

_NOTEBOOK_SECONDS: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        _NOTEBOOK_SECONDS[path] += report.duration


def pytest_terminal_summary(terminalreporter):
    if not _NOTEBOOK_SECONDS:
        return
    terminalreporter.section("notebook validation time (nbval, per notebook)")
    for path, seconds in sorted(_NOTEBOOK_SECONDS.items()):
        terminalreporter.write_line(f"{seconds:6.1f} s  {path}")
