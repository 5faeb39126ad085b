"""Packaging files agree with each other, and the code is lint-clean."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata

from packaging.requirements import Requirement

from tools.nbio import ROOT


def declared() -> list[Requirement]:
    """The requirements pyproject.toml declares, as installed (core and extras)."""
    return [Requirement(r) for r in metadata.requires("model-collapse-course")]


def pyproject_dependencies() -> dict[str, str]:
    return {r.name: str(r.specifier) for r in declared() if r.marker is None}


def conda_dependencies() -> dict[str, str]:
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    block = text.split("dependencies:", 1)[1]
    names = re.findall(r"^  - ([A-Za-z0-9_.-]+)([<>=!~][^\s#]*)?\s*$", block, re.MULTILINE)
    return {name: spec for name, spec in names if name not in ("python", "pip")}


def test_environment_yml_lists_the_same_packages_as_pyproject():
    assert conda_dependencies() == pyproject_dependencies()


def test_environment_yml_installs_the_local_package():
    assert "- -e .[test]" in (ROOT / "environment.yml").read_text(encoding="utf-8")


def test_lock_pins_every_dependency_exactly():
    lock = (ROOT / "requirements" / "lock.txt").read_text(encoding="utf-8")
    pinned = {line.split("==")[0].lower() for line in lock.splitlines() if "==" in line}
    missing = [r.name for r in declared() if r.name.lower() not in pinned]
    assert missing == []


def test_ruff_finds_nothing():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "helpers", "tools", "tests", "conftest.py",
         "notebooks", "solutions"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
