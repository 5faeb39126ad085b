"""`make lab`'s set-up (tools/venv.sh, the Makefile): an unsupported Python is named, a failed
install prints the installer's reason and leaves no half-made .venv, and as root JupyterLab
gets the --allow-root it needs. Fake `python`, `uv` and `id` commands stand in for the real
ones, so nothing is downloaded."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools.nbio import ROOT

pytestmark = pytest.mark.skipif(shutil.which("bash") is None or shutil.which("make") is None,
                                reason="needs bash and make")


def fake(folder: Path, name: str, script: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def run_setup(tmp_path: Path, python: str, path: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "UV_VERSION": "0.13.9", "PATH": path or os.environ["PATH"]}
    return subprocess.run(["bash", "tools/venv.sh", python, str(tmp_path / ".venv"), "."],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_an_unsupported_python_is_named_and_a_half_made_venv_is_removed(tmp_path):
    half_made = tmp_path / ".venv" / "bin"
    half_made.mkdir(parents=True)  # an earlier try that failed: no stamp
    python = fake(tmp_path / "fake", "python3.9", 'echo "3.9"')
    result = run_setup(tmp_path, str(python))
    assert result.returncode == 1
    assert "Python 3.9 is not supported: the course is tested on Python 3.10 to 3.13" in (
        result.stdout + result.stderr)
    assert "make lab PYTHON=python3.12" in result.stdout
    assert not (tmp_path / ".venv").exists()


def test_a_failed_install_prints_the_reason_and_removes_the_venv(tmp_path):
    reason = "No solution found when resolving dependencies: numpy==2.4.6 has no wheel here"
    fake(tmp_path / "fake", "uv", f'echo "  x {reason}" >&2; exit 1')
    path = f"{tmp_path / 'fake'}{os.pathsep}{os.environ['PATH']}"
    result = run_setup(tmp_path, sys.executable, path)
    output = result.stdout + result.stderr
    assert result.returncode == 1 and reason in output
    assert "The installation failed (the installer's reason is above)" in output
    assert not (tmp_path / ".venv").exists()


@pytest.mark.parametrize(("uid", "flag"), [("0", True), ("1000", False)])
def test_make_lab_passes_allow_root_only_as_root(tmp_path, uid, flag):
    fake(tmp_path / "fake", "id", f'echo "{uid}"')
    env = {**os.environ, "PATH": f"{tmp_path / 'fake'}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(["make", "-n", "--no-print-directory", "lab"], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True)
    lab = [line for line in result.stdout.splitlines() if "jupyter lab" in line]
    assert len(lab) == 1 and ("--allow-root" in lab[0]) == flag, lab
