"""Reading check results and problems out of notebook outputs."""

from __future__ import annotations

from nbformat import NotebookNode

from helpers.checks import MIME_TYPE


def check_results(nb: NotebookNode) -> list[dict]:
    """Every self-check result displayed in ``nb``, in order."""
    return [output["data"][MIME_TYPE]
            for cell in nb.cells if cell.cell_type == "code"
            for output in cell.outputs if MIME_TYPE in output.get("data", {})]


def stderr_or_errors(nb: NotebookNode) -> list[str]:
    """Text of every stderr stream and error output in ``nb`` (should be none)."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                found.append(f"cell {index}: {output.ename}: {output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr":
                found.append(f"cell {index}: stderr: {output.text.strip()[:200]}")
    return found


def exercise_problems(nb: NotebookNode, expected_checks: int) -> list[str]:
    """What is wrong with an executed, untouched exercise notebook (empty list if nothing)."""
    results = check_results(nb)
    problems = stderr_or_errors(nb)
    if len(results) != expected_checks:
        problems.append(f"expected {expected_checks} check results, found {len(results)}")
    problems += [f"check {r['exercise']} said {r['status']!r} for the stub: {r['message']}"
                 for r in results if r["status"] != "not_attempted"]
    return problems
