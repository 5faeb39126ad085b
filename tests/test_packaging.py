"""Packaging files agree with each other, and the code is lint-clean."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import venv
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from tools.nbio import ROOT


def declared() -> list[Requirement]:
    """The requirements pyproject.toml declares, as installed (core and extras)."""
    return [Requirement(r) for r in metadata.requires("model-collapse-course")]


def pyproject_dependencies() -> dict[str, str]:
    return {r.name: str(r.specifier) for r in declared() if r.marker is None}


def extra_dependencies(extra: str) -> dict[str, str]:
    marker = {"extra": extra}
    return {r.name: str(r.specifier) for r in declared()
            if r.marker is not None and r.marker.evaluate(marker)}


def conda_dependencies(path: str = "environment.yml") -> dict[str, str]:
    """Package name -> version spec of a conda environment file (python and pip included)."""
    text = (ROOT / path).read_text(encoding="utf-8")
    block = text.split("dependencies:", 1)[1]
    names = re.findall(r"^  - ([A-Za-z0-9_.-]+)([<>=!~][^\s#]*)?\s*$", block, re.MULTILINE)
    return dict(names)


def course_packages(path: str) -> dict[str, str]:
    return {name: spec for name, spec in conda_dependencies(path).items()
            if name not in ("python", "pip")}


def test_environment_yml_lists_the_course_packages_and_nbval_as_pyproject():
    expected = pyproject_dependencies() | {"nbval": extra_dependencies("test")["nbval"]}
    assert course_packages("environment.yml") == expected


def pins(path: Path) -> dict[str, str]:
    """Package name (normalised) -> exact version of a requirements file written by uv."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].split(";", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"{path.name}: {line!r} is not an exact pin"
            found[canonical(name)] = version
    return found


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


LOCKS = ROOT / "requirements"


def supported_pythons() -> list[str]:
    """The Python versions pyproject.toml's classifiers name, e.g. ['3.10', ..., '3.13']."""
    from book.colab import pyproject

    project = pyproject()["project"]
    found = [c.rsplit(" :: ", 1)[1] for c in project["classifiers"]
             if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)]
    return sorted(found, key=lambda v: int(v.split(".")[1]))


def test_one_lock_per_supported_python_and_they_agree_everywhere():
    """Classifiers, requires-python, the locks, make test-compat's set-ups and the README
    name the same range of Python versions."""
    from tools import compat

    versions = supported_pythons()
    assert versions[0] == "3.10" and len(versions) >= 2
    locks = sorted((p.name for p in LOCKS.glob("lock-py3.*.txt")),
                   key=lambda n: int(n.split(".")[1]))
    assert locks == [f"lock-py{v}.txt" for v in versions]
    assert metadata.metadata("model-collapse-course")["Requires-Python"] == f">={versions[0]}"
    assert compat.SETUPS["oldest"].python == versions[0]
    assert compat.SETUPS["newest"].python == versions[-1]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"Python {versions[0]} to {versions[-1]}" in readme
    assert f"LOCK_PYTHONS := {' '.join(versions)}" in (ROOT / "Makefile").read_text()


def test_every_lock_pins_every_dependency_within_its_declared_range():
    for version in supported_pythons():
        pinned = pins(LOCKS / f"lock-py{version}.txt")
        environment = {"python_version": version, "sys_platform": "linux",
                       "platform_system": "Linux"}
        for requirement in declared():
            for extra in ("", "test", "site"):
                marker = requirement.marker
                if marker is None and extra or marker is not None and not marker.evaluate(
                        {**environment, "extra": extra}):
                    continue
                name = canonical(requirement.name)
                assert name in pinned, f"lock-py{version}.txt does not pin {name}"
                assert requirement.specifier.contains(pinned[name], prereleases=True), (
                    f"lock-py{version}.txt pins {name}=={pinned[name]}, outside {requirement}")


def test_binder_installs_exactly_the_python_311_lock():
    """Binder runs the Python of the stored outputs with the lock's versions of the course's
    packages (`make lock` writes binder/requirements.txt from the lock)."""
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    binder, lock = pins(ROOT / "binder" / "requirements.txt"), pins(LOCKS / "lock-py3.11.txt")
    assert {name: lock.get(name) for name in binder} == binder
    assert {canonical(r.name) for r in declared() if r.marker is None} <= set(binder)
    assert not set(binder) & {canonical(name) for name in extra_dependencies("test")}
    assert not (ROOT / "binder" / "environment.yml").exists()  # it would win over the pins


def test_colab_stack_passes_the_colab_environment_check():
    """Colab's versions (requirements/colab.txt, what make test-compat installs) satisfy
    what the environment check accepts there, so lesson 00 says ✓ on Colab."""
    from helpers.environment import COLAB_ACCEPTS

    colab = pins(LOCKS / "colab.txt")
    for requirement in declared():
        if requirement.marker is not None or canonical(requirement.name) not in colab:
            continue
        accepted = COLAB_ACCEPTS.get(requirement.name, str(requirement.specifier))
        assert Requirement(requirement.name + accepted).specifier.contains(
            colab[canonical(requirement.name)]), requirement


def test_a_normal_install_works_outside_the_repository(tmp_path):
    """Non-editable install into a fresh venv (reusing this environment's packages, no network):
    the package imports from site-packages and renders the course map from the repository
    folder passed explicitly; without it, it says what to pass."""
    env = tmp_path / "venv"
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = subprocess.run([python, "-c", purelib], capture_output=True, text=True,
                          check=True).stdout.strip()
    # This environment's packages, but not its editable install of the course (a .pth line
    # adds a folder to sys.path without running the .pth files in it).
    (Path(site) / "outer.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--disable-pip-version-check", "--no-index",
                    "--target", site, str(ROOT)], check=True, capture_output=True,
                   cwd=tmp_path)
    script = (
        "import helpers, helpers.course as c, sys\n"
        "print(helpers.__file__)\n"
        "print(len(c.course_map(sys.argv[1]).rows))\n"
        "try:\n    c.course_map()\nexcept FileNotFoundError as e:\n    print(e)\n"
    )
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # not this checkout
    result = subprocess.run([python, "-c", script, str(ROOT)], capture_output=True, text=True,
                            cwd=tmp_path, check=True, env=clean)
    location, rows, message = result.stdout.splitlines()
    assert Path(location).is_relative_to(site)
    assert int(rows) == len(list((ROOT / "notebooks").glob("*.ipynb"))) > 0
    assert "course_map('path/to/model-collapse-course')" in message


def test_environment_yml_installs_the_local_package():
    assert "- -e .[test]" in (ROOT / "environment.yml").read_text(encoding="utf-8")


def test_ruff_finds_nothing():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "helpers", "tools", "tests", "book", "conftest.py",
         "notebooks", "solutions"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_explorers_import_only_what_every_lesson_needs():
    """Every lesson imports helpers.explorers in its first cells; what only lessons 05, 06 and 07
    use (the governance package with jsonschema's format checkers, the demonstrator, the
    language model) is imported when their explorer is made. Measured: importing the explorers
    took 3.3 s with them, 1.9 s without."""
    late = ("jsonschema", "helpers.governance", "helpers.demonstrator", "helpers.lm")
    code = f"import sys, helpers.explorers; print(*[m for m in {late!r} if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=ROOT)
    assert result.stdout.strip() == "", f"imported with the explorers: {result.stdout}"
