"""Environment check for the start-here notebook.

The minimum versions are read from this package's own declared dependencies
(``pyproject.toml``), so they are stated once. The report says in plain words
whether everything is ready; it never prints the installed version numbers,
so its output is the same on every correctly set-up machine.

>>> report = check_environment()
>>> report.ok
True
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from importlib import import_module, metadata

from packaging.requirements import Requirement
from threadpoolctl import ThreadpoolController

__all__ = ["EnvironmentReport", "check_environment", "versions", "single_thread"]

_THREADS = ThreadpoolController()  # inspects the loaded BLAS/OpenMP libraries once


def single_thread() -> AbstractContextManager:
    """Context manager: BLAS and OpenMP run on one thread inside ``with single_thread():``.

    The course's matrices are small (a few thousand rows, a few dozen columns):
    starting threads costs more than it saves and makes timings erratic. The one
    threadpoolctl API of the package (a controller created once).

    >>> import numpy as np
    >>> with single_thread():
    ...     float(np.ones((3, 3)).sum())
    9.0
    """
    return _THREADS.limit(limits=1)

DISTRIBUTION = "model-collapse-course"


@dataclass(frozen=True)
class EnvironmentReport:
    """Which requirements are met and which are not, in words."""

    met: tuple[str, ...]
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        if self.ok:
            return (f"✓ All {len(self.met)} required packages are installed at supported "
                    f"versions ({', '.join(self.met)}), and `helpers` imports. You are ready.")
        return "✗ Your environment needs attention:\n" + "\n".join(
            f"  - {problem}" for problem in self.problems
        ) + "\nRun `make lab` from the repository root (see README.md), then restart the kernel."

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(str(self))


def _core_requirements() -> list[Requirement]:
    requirements = [Requirement(text) for text in metadata.requires(DISTRIBUTION) or []]
    return [r for r in requirements if r.marker is None]


def check_environment() -> EnvironmentReport:
    """Check every required package against the minimum versions this course declares."""
    met, problems = [], []
    for requirement in _core_requirements():
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            problems.append(f"{requirement.name} is not installed (needs {requirement}).")
            continue
        if requirement.specifier.contains(installed, prereleases=True):
            met.append(requirement.name)
        else:
            problems.append(f"{requirement.name} {installed} is too old (needs {requirement}).")
    try:
        import_module("helpers")
    except ImportError as error:  # pragma: no cover - only on a broken install
        problems.append(f"`helpers` does not import: {error}")
    return EnvironmentReport(tuple(met), tuple(problems))


def versions() -> dict[str, str]:
    """Python, platform and installed package versions, for a problem report."""
    import platform

    found = {"python": platform.python_version(), "platform": platform.platform()}
    for requirement in _core_requirements():
        try:
            found[requirement.name] = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            found[requirement.name] = "not installed"
    return found


if __name__ == "__main__":  # `python -m helpers.environment`: paste this into a problem report
    print(check_environment())
    for name, version in versions().items():
        print(f"{name}: {version}")
