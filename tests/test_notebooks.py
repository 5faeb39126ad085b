"""Exercise, solution and lesson notebooks: generated, runnable, checked, mapped.

Strict output validation of lessons and solutions is nbval's job (``make test``
runs it on notebooks/ and solutions/); these tests cover what nbval cannot.
"""

from __future__ import annotations

import re

import pytest
from notebook_outputs import check_results, exercise_problems, stderr_or_errors

from tools import coursemap, exercises, nbio
from tools.execute import run

SOLUTIONS = sorted(nbio.SOLUTIONS.glob("*.ipynb"))
LESSONS = sorted(nbio.LESSONS.glob("*.ipynb"))
EXERCISE_HEADING = re.compile(r"^## Exercise (\d\d\.\d+)\b", re.MULTILINE)


def ids(paths):
    return [p.name for p in paths]


def test_every_lesson_has_solutions_and_exercises_with_the_same_name():
    solution_names = {p.name for p in SOLUTIONS}
    assert solution_names <= {p.name for p in LESSONS}
    assert {p.name for p in nbio.EXERCISES.glob("*.ipynb")} == solution_names


def test_exercises_are_generated_from_the_solutions():
    assert exercises.drifted() == [], "run `make exercises`"


# The capstone's demonstrator run at full size (3 policies x 3 seeds x 10 generations of a
# digits GMM, about 15 s of CPU) is the solution's too, where nbval checks its outputs. The
# exercise runs it on 2 seeds x 2 generations: the same data, model, policies, chart and report.
SMALLER_RUNS = {"06_capstone.ipynb": ("GENERATIONS, SEEDS = 10, 3", "GENERATIONS, SEEDS = 2, 2")}


def smaller_runs(nb, name):
    """Replace the full-size run settings of exercise ``name`` (one must match) with small ones."""
    if name in SMALLER_RUNS:
        full, small = SMALLER_RUNS[name]
        cells = [c for c in nb.cells if c.cell_type == "code" and full in c.source]
        assert len(cells) == 1, f"{name}: expected one cell setting {full!r}"
        cells[0].source = cells[0].source.replace(full, small)
    return nb


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids(SOLUTIONS))
def test_exercise_notebook_runs_and_every_check_is_not_attempted(path):
    solution = nbio.read(path)
    nb = smaller_runs(nbio.read(nbio.EXERCISES / path.name), path.name)
    run(nb, nbio.EXERCISES)
    assert exercise_problems(nb, expected_checks=len(check_results(solution))) == []


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids(SOLUTIONS))
def test_every_check_in_a_solution_notebook_passes(path):
    # nbval proves these stored outputs are reproduced; here we require they are all ✓.
    results = check_results(nbio.read(path))
    assert results, "a solution notebook without any check"
    assert [r for r in results if r["status"] != "pass"] == []


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=ids(LESSONS + SOLUTIONS))
def test_stored_notebooks_have_no_errors_or_warnings(path):
    assert stderr_or_errors(nbio.read(path)) == []


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_each_objective_is_assessed_by_an_existing_exercise(path):
    objectives = coursemap.front_matter(nbio.read(path), path.name)["objectives"]
    solution = nbio.SOLUTIONS / path.name
    headings = set(EXERCISE_HEADING.findall(
        "\n".join(c.source for c in nbio.read(solution).cells if c.cell_type == "markdown")))
    for objective in objectives:
        named = coursemap.objective_exercises(objective)
        assert named, f"objective names no exercise: {objective!r}"
        assert set(named) <= headings, f"{objective!r} names a missing exercise"


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_lesson_structure(path):
    nb = nbio.read(path)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert len(re.findall(r"^# ", markdown, re.MULTILINE)) == 1, "exactly one H1"
    for part in ("## Learning objectives", "**Estimated time:**", "**Prerequisites:**",
                 "<summary><b>Think!</b>", "## Summary", "## Further reading"):
        assert part in markdown, f"missing {part!r}"
    tagged = [c for c in nb.cells if "nbval-ignore-output" in c.metadata.get("tags", [])]
    assert tagged, "a lesson needs at least one explorer cell (tagged nbval-ignore-output)"


def test_course_map_and_metadata_are_current():
    assert coursemap.main(["--check"]) == 0
