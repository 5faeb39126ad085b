"""Environment check for the start-here notebook.

The minimum versions are read from this package's own declared dependencies
(``pyproject.toml``), so they are stated once. The report says in plain words
where the course runs (your computer, Binder or Google Colab), whether
everything is ready, and how explorer figures are drawn, after drawing one;
it never prints the installed version numbers, so its output is the same on
every correctly set-up machine of one kind.

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

__all__ = ["EnvironmentReport", "check_environment", "versions", "single_thread", "where",
           "COLAB_ACCEPTS"]

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
#: On Google Colab the course is installed without its dependencies, over Colab's own
#: packages: there JupyterLab is not needed (Colab is the front end), and Colab's widget
#: manager draws ipywidgets 7, which JupyterLab 4 cannot (`make test-compat` runs every
#: lesson with Colab's versions, requirements/colab.txt).
COLAB_ACCEPTS = {"jupyterlab": None, "ipywidgets": ">=7.7"}
#: What to do where, when something is missing.
ADVICE = {
    "local": "Run `make lab` from the repository root (see README.md), then restart the kernel.",
    "Binder": "Binder builds its environment from binder/environment.yml: relaunch the Binder "
              "link (a new build), or run the course on your computer (README.md).",
    "Colab": "Run this notebook's first code cell (the Colab set-up cell), then Runtime → "
             "Restart session, and run the notebook again.",
}
#: What differs where, told once everything works.
NOTES = {
    "local": "You are ready.",
    "Binder": ("You are ready, on Binder: nothing to install, but the session ends after some "
               "idle minutes and your changes with it: download what you want to keep (File → "
               "Download)."),
    "Colab": ("You are ready, on Google Colab: the set-up cell installed the course over "
              "Colab's own package versions, so a few printed numbers may differ slightly from "
              "the ones stored in the lessons (every self-check passed with Colab's versions "
              "when the course was tested). Save a copy to your Drive to keep your changes."),
}


def where() -> str:
    """Where this kernel runs: ``"Colab"``, ``"Binder"`` or ``"local"`` (anything else).

    Colab: its ``google.colab`` module is loaded or its ``COLAB_RELEASE_TAG`` is set;
    Binder: mybinder.org's ``BINDER_LAUNCH_HOST`` or ``BINDER_REQUEST`` is set.

    >>> where() in ("Colab", "Binder", "local")
    True
    """
    import os
    import sys

    if "google.colab" in sys.modules or os.environ.get("COLAB_RELEASE_TAG"):
        return "Colab"
    if os.environ.get("BINDER_LAUNCH_HOST") or os.environ.get("BINDER_REQUEST"):
        return "Binder"
    return "local"


@dataclass(frozen=True)
class EnvironmentReport:
    """Where the course runs, which requirements are met and which are not, in words."""

    met: tuple[str, ...]
    problems: tuple[str, ...]
    place: str = "local"
    drawing: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        place = {"local": "this computer", "Binder": "Binder",
                 "Colab": "Google Colab"}.get(self.place, self.place)
        if self.ok:
            return (f"✓ Running on {place}. All {len(self.met)} required packages are installed "
                    f"at supported versions ({', '.join(self.met)}), `helpers` imports and an "
                    f"explorer draws its figure ({self.drawing}). {NOTES[self.place]}")
        return (f"✗ Running on {place}: your environment needs attention:\n"
                + "\n".join(f"  - {problem}" for problem in self.problems)
                + "\n" + ADVICE[self.place])

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(str(self))


def _core_requirements() -> list[Requirement]:
    requirements = [Requirement(text) for text in metadata.requires(DISTRIBUTION) or []]
    return [r for r in requirements if r.marker is None]


def _explorer_draws() -> tuple[str, str | None]:
    """How explorer figures are drawn here, and what went wrong drawing lesson 00's explorer
    (None if it drew its figure)."""
    try:
        from helpers import explorers, rendering

        how = {"text runs": "fast renderer"}.get(rendering.PATH, "matplotlib's standard renderer")
        output = explorers.spread_explorer().children[-1].outputs
        if not any("image/png" in o.get("data", {}) for o in output):
            return how, "an explorer drew no figure: " + " ".join(
                str(o.get("text", "")).strip() for o in output)
        return how, None
    except Exception as error:  # noqa: BLE001 - reported to the learner in one line
        return "", f"an explorer could not be drawn ({type(error).__name__}: {error})"


def check_environment() -> EnvironmentReport:
    """Check every required package against the minimum versions this course declares
    (on Colab, :data:`COLAB_ACCEPTS`), that ``helpers`` imports and that an explorer draws."""
    place = where()
    met, problems = [], []
    for requirement in _core_requirements():
        if place == "Colab" and requirement.name in COLAB_ACCEPTS:
            accepted = COLAB_ACCEPTS[requirement.name]
            if accepted is None:
                continue
            requirement = Requirement(requirement.name + accepted)
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
        return EnvironmentReport(tuple(met), tuple(problems), place)
    drawing, failure = _explorer_draws()
    if failure:
        problems.append(failure)
    return EnvironmentReport(tuple(met), tuple(problems), place, drawing)


def versions() -> dict[str, str]:
    """Python, platform and installed package versions, for a problem report."""
    import platform

    from helpers import rendering

    found = {"python": platform.python_version(), "platform": platform.platform(),
             "where": where(), "explorer drawing": rendering.PATH}
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
