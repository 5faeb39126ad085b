"""The solution -> exercise generator: stubs, model answers, headers and marker errors."""

from __future__ import annotations

import re

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

from tools import nbio
from tools.exercises import MARKDOWN_STUB, STUB_MESSAGE, MarkerError, make_exercise, strip_regions

SOLVED = """def f(x):
    \"\"\"Docstring stays.\"\"\"
    ### BEGIN SOLUTION
    y = x + 1
    return y
    ### END SOLUTION"""


def test_code_region_becomes_a_stub_at_the_markers_indentation():
    assert strip_regions(SOLVED, code=True, where="nb, cell 1") == (
        'def f(x):\n    """Docstring stays."""\n    ...\n'
        f'    raise NotImplementedError("{STUB_MESSAGE}")'
    )


def test_nested_function_keeps_its_deeper_indentation():
    source = "def f():\n    def g():\n        ### BEGIN SOLUTION\n        return 1\n" \
             "        ### END SOLUTION\n    return g"
    assert strip_regions(source, code=True, where="x").splitlines()[2:4] == [
        "        ...", f'        raise NotImplementedError("{STUB_MESSAGE}")']


def test_markdown_region_in_html_comments_becomes_your_answer_here():
    source = "Question?\n<!-- ### BEGIN SOLUTION -->\n**Model answer.** Yes.\n" \
             "<!-- ### END SOLUTION -->\nAfter."
    assert strip_regions(source, code=False, where="x") == f"Question?\n{MARKDOWN_STUB}\nAfter."


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("def f():\n    ### BEGIN SOLUTION\n    return 1", "line 2 is never closed"),
        ("def f():\n    return 1\n    ### END SOLUTION", "line 3 without a ### BEGIN"),
        ("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n    ### END SOLUTION",
         "nested ### BEGIN SOLUTION at line 3"),
        ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "not indented"),
    ],
)
def test_bad_markers_are_errors_naming_notebook_and_cell(source, message):
    with pytest.raises(MarkerError, match="02_demo.ipynb, cell 4") as info:
        strip_regions(source, code=True, where="02_demo.ipynb, cell 4")
    assert message in str(info.value)


def test_make_exercise_clears_outputs_drops_solution_only_and_adds_the_header():
    code = new_code_cell(SOLVED, execution_count=3,
                         outputs=[{"output_type": "stream", "name": "stdout", "text": "hi"}])
    nb = new_notebook(cells=[
        new_markdown_cell("# 02 · Demo — exercises"),
        new_markdown_cell("Solutions only.", metadata={"tags": ["solution-only"]}),
        code,
    ])
    exercise = make_exercise(nb, "02_demo.ipynb")
    assert [c.cell_type for c in exercise.cells] == ["markdown", "markdown", "code"]
    assert "solutions/02_demo.ipynb" in exercise.cells[1].source
    assert exercise.cells[2].outputs == [] and exercise.cells[2].execution_count is None
    assert "NotImplementedError" in exercise.cells[2].source
    assert nb.cells[2].outputs, "the solution notebook itself is left untouched"


def test_make_exercise_needs_a_title_cell():
    with pytest.raises(MarkerError, match="first cell"):
        make_exercise(new_notebook(cells=[new_code_cell("x = 1")]), "03_x.ipynb")



# --- markers are found the way nbgrader finds them: a line containing the marker, any case

LEAK_CASES = {
    "commented marker": "def f(x):\n    # ### BEGIN SOLUTION\n    return x + 41\n"
                        "    # ### END SOLUTION",
    "lower case": "def f(x):\n    ### begin solution\n    return x + 41\n    ### end solution",
    "mixed case": "def f(x):\n    ### Begin Solution\n    return x + 41\n    ### End Solution",
    "no hashes": "def f(x):\n    # BEGIN SOLUTION\n    return x + 41\n    # END SOLUTION",
    "trailing text": "def f(x):\n    ### BEGIN SOLUTION (model answer)\n    return x + 41\n"
                     "    ### END SOLUTION here",
    "CRLF": "def f(x):\r\n    ### BEGIN SOLUTION\r\n    return x + 41\r\n"
            "    ### END SOLUTION\r\n",
}


@pytest.mark.parametrize("source", LEAK_CASES.values(), ids=LEAK_CASES)
def test_no_spelling_of_the_markers_leaks_the_solution(source):
    out = strip_regions(source, code=True, where="x")
    assert "41" not in out and "solution" not in out.lower() and "\r" not in out
    assert out.split("\n")[:3] == ["def f(x):", "    ...",
                                   f'    raise NotImplementedError("{STUB_MESSAGE}")']


def test_crlf_markdown_leaves_no_stray_carriage_return():
    source = "Why?\r\n<!-- ### BEGIN SOLUTION -->\r\nBecause.\r\n<!-- ### END SOLUTION -->\r\nEnd."
    assert strip_regions(source, code=False, where="x") == f"Why?\n{MARKDOWN_STUB}\nEnd."


def _one_cell_solution(cell):
    return new_notebook(cells=[new_markdown_cell("# 09 · Demo — exercises"), cell])


def test_a_raw_cell_region_is_stripped_too():
    raw = new_raw_cell("Answer:\n### BEGIN SOLUTION\nThe secret answer.\n### END SOLUTION")
    exercise = make_exercise(_one_cell_solution(raw), "09_demo.ipynb")
    assert exercise.cells[-1].cell_type == "raw"
    assert exercise.cells[-1].source == f"Answer:\n{MARKDOWN_STUB}"


def test_a_mixed_case_markdown_region_is_stripped():
    md = new_markdown_cell("Q?\n<!-- ### Begin Solution -->\nThe secret answer.\n"
                           "<!-- ### end solution -->")
    exercise = make_exercise(_one_cell_solution(md), "09_demo.ipynb")
    assert "secret" not in exercise.cells[-1].source


def test_markers_in_a_solution_only_cell_are_still_checked():
    broken = new_markdown_cell("### BEGIN SOLUTION\nunterminated",
                               metadata={"tags": ["solution-only"]})
    with pytest.raises(MarkerError, match="09_demo.ipynb, cell 1"):
        make_exercise(_one_cell_solution(broken), "09_demo.ipynb")


# --- the stored exercise notebooks: nothing of the solutions in them

SOLUTIONS = sorted(nbio.SOLUTIONS.glob("*.ipynb"))


def _solution_only_text(nb) -> set[str]:
    """Lines inside solution regions or solution-only cells, and no line elsewhere in ``nb``.

    Written independently of the generator: a region is what lies between a line
    containing "begin solution" and one containing "end solution", in any case.
    """
    hidden, shown = set(), set()
    for cell in nb.cells:
        inside = "solution-only" in cell.metadata.get("tags", [])
        for line in cell.source.splitlines():
            lowered = line.lower()
            if "begin solution" in lowered or "end solution" in lowered:
                inside = "begin solution" in lowered or "solution-only" in cell.metadata.get(
                    "tags", [])
                continue
            (hidden if inside else shown).add(line.strip())
    return {line for line in hidden - shown if len(line) >= 8}


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.name for p in SOLUTIONS])
def test_no_exercise_file_contains_a_marker_or_solution_only_text(path):
    exercise = nbio.EXERCISES / path.name
    text = exercise.read_text(encoding="utf-8")
    assert re.search(r"(begin|end)\s+solution", text, re.IGNORECASE) is None
    lines = {line.strip() for c in nbio.read(exercise).cells for line in c.source.splitlines()}
    secret = _solution_only_text(nbio.read(path))
    assert secret, "the solution notebook has solution text to hide"
    assert sorted(secret & lines) == []
