"""Packaging files agree with each other, and the code is lint-clean."""

from __future__ import annotations

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


def test_binder_environment_has_the_course_packages_without_test_tools():
    assert course_packages("binder/environment.yml") == pyproject_dependencies()
    assert not set(course_packages("binder/environment.yml")) & set(extra_dependencies("test"))


def test_binder_pins_the_python_of_the_stored_outputs_exactly():
    # repo2docker understands only an exact python=X.Y; the lock was made with Python 3.11.
    assert conda_dependencies("binder/environment.yml")["python"] == "=3.11"
    assert "(Python 3.11," in (ROOT / "requirements" / "lock.txt").read_text(encoding="utf-8")
    assert "pip:" not in (ROOT / "binder" / "environment.yml").read_text(encoding="utf-8")


def test_binder_installs_the_course_package_after_the_environment():
    post_build = ROOT / "binder" / "postBuild"
    assert post_build.stat().st_mode & 0o111, "binder/postBuild must be executable"
    assert "pip install --no-deps" in post_build.read_text(encoding="utf-8")


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
    result = subprocess.run([python, "-c", script, str(ROOT)], capture_output=True, text=True,
                            cwd=tmp_path, check=True)
    location, rows, message = result.stdout.splitlines()
    assert Path(location).is_relative_to(site)
    assert int(rows) == len(list((ROOT / "notebooks").glob("*.ipynb"))) > 0
    assert "course_map('path/to/model-collapse-course')" in message


def test_environment_yml_installs_the_local_package():
    assert "- -e .[test]" in (ROOT / "environment.yml").read_text(encoding="utf-8")


def test_lock_pins_every_dependency_exactly():
    lock = (ROOT / "requirements" / "lock.txt").read_text(encoding="utf-8")
    pinned = {line.split("==")[0].lower() for line in lock.splitlines() if "==" in line}
    missing = [r.name for r in declared() if r.name.lower() not in pinned]
    assert missing == []


def test_ruff_finds_nothing():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "helpers", "tools", "tests", "book", "conftest.py",
         "notebooks", "solutions"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
