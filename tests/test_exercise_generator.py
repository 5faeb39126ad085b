"""The solution -> exercise generator: stubs, model answers, headers and marker errors."""

from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

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

