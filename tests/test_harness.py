"""The validation harness can fail: each acceptance property of the suite is proved here."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from notebook_outputs import exercise_problems

from tools import exercises, nbio
from tools.execute import run

LESSON = nbio.LESSONS / "00_start_here.ipynb"


def nbval(paths, cwd) -> tuple[subprocess.CompletedProcess, dict[str, set[str]]]:
    """Run strict nbval on notebooks in one session, isolated from this project's pytest
    configuration; return the process and each notebook's outcomes (PASSED, FAILED, ...)."""
    (cwd / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    result = subprocess.run(
        # One argument "--nbval-sanitize-with=PATH": given as two, pytest took PATH into account
        # when choosing its rootdir and configuration, and so used this repository's.
        [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", "--nbval",
         "--nbval-current-env",
         f"--nbval-sanitize-with={nbio.ROOT / 'tests' / 'nbval_sanitize.cfg'}", *map(str, paths)],
        cwd=cwd, capture_output=True, text=True, timeout=300,
    )
    outcomes: dict[str, set[str]] = {}
    for outcome, name in re.findall(r"^([A-Z]+) (\S+\.ipynb)::", result.stdout, re.MULTILINE):
        outcomes.setdefault(name, set()).add(outcome)
    return result, outcomes


def edit_first_printed_number(nb) -> str:
    """Change one digit of the first printed number in a stdout stream; return the new text."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and re.search(r"\d", output.text):
                output.text = re.sub(r"\d", lambda m: str((int(m[0]) + 1) % 10),
                                     output.text, count=1)
                return output.text
    raise AssertionError("no printed number to edit")


def test_editing_one_stored_number_in_a_lesson_fails_validation(tmp_path):
    intact, edited = tmp_path / "intact.ipynb", tmp_path / "edited.ipynb"
    shutil.copy(LESSON, intact)
    nb = nbio.read(LESSON)
    edit_first_printed_number(nb)
    nbio.write(nb, edited)
    # One session validates both (each notebook in its own kernel): one pytest start-up, not two.
    result, outcomes = nbval([intact, edited], tmp_path)
    assert outcomes.get("intact.ipynb") == {"PASSED"}, "control: the stored notebook validates"
    assert "FAILED" in outcomes.get("edited.ipynb", set())
    assert result.returncode != 0
    assert "mismatch" in result.stdout.lower()


def test_editing_a_solution_without_regenerating_its_exercise_is_detected(tmp_path):
    solutions, exercise_dir = tmp_path / "solutions", tmp_path / "exercises"
    shutil.copytree(nbio.SOLUTIONS, solutions)
    shutil.copytree(nbio.EXERCISES, exercise_dir)
    assert exercises.drifted(solutions, exercise_dir) == []

    path = next(solutions.glob("*.ipynb"))
    nb = nbio.read(path)
    nb.cells[0].source += "\nOne more sentence."
    nbio.write(nb, path)
    assert exercises.drifted(solutions, exercise_dir) == [path.name]


def _exercise_with_check(body: str):
    solution = new_notebook(cells=[
        new_markdown_cell("# 99 · Demo — exercises"),
        new_code_cell("from helpers.checks import Hint, as_float, call, exercise\n\n"
                      "@exercise('99.1', 'double')\n"
                      f"def check_double(fn):\n{body}"),
        new_code_cell("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n"
                      "    ### END SOLUTION"),
        new_code_cell("check_double(double)"),
    ])
    nb = exercises.make_exercise(solution, "99_demo.ipynb")
    run(nb, nbio.ROOT)
    return nb


def test_a_check_that_passes_for_the_stub_is_caught():
    toothless = _exercise_with_check("    return 'looks fine'\n")
    problems = exercise_problems(toothless, expected_checks=1)
    assert problems and "said 'pass' for the stub" in problems[0]

    with_teeth = _exercise_with_check(
        "    if as_float(call(fn, 2), 'double(2)') == 4:\n        return 'correct'\n"
        "    raise Hint('double(2) should be 4')\n")
    assert exercise_problems(with_teeth, expected_checks=1) == []
