"""The website's build pieces and the Colab set-up cell (the browser test is tests/browser)."""

from __future__ import annotations

import json

import pytest

from book import build, colab
from tools import nbio

LESSONS = sorted(nbio.LESSONS.glob("*.ipynb"))


def test_every_lesson_has_the_colab_cell_second():
    assert LESSONS and colab.problems() == []


def test_a_missing_or_edited_colab_cell_is_reported_and_restored(tmp_path):
    notebook = nbio.read(LESSONS[0])
    del notebook.cells[colab.POSITION]
    nbio.write(notebook, tmp_path / LESSONS[0].name)
    assert colab.problems(tmp_path) == [f"{LESSONS[0].name}: the second cell is not the "
                                        "Colab set-up cell (run `python -m book.colab`)"]
    assert colab.updated(notebook, colab.source()) and not colab.updated(notebook, colab.source())
    assert notebook.cells[colab.POSITION].source == colab.source()


def test_the_colab_cell_does_nothing_off_colab():
    namespace: dict = {}
    exec(colab.source("https://github.com/org/course"), namespace)  # noqa: S102
    assert "COURSE" not in namespace  # the Colab branch did not run


def test_the_colab_cell_installs_without_dependencies_from_the_configured_address():
    code = colab.source("https://github.com/org/course", "main")
    assert '"https://github.com/org/course"' in code and '"--no-deps"' in code


def test_launch_links_need_a_github_address():
    assert build.launch_links("", "main", "notebooks/00.ipynb") == {}
    links = build.launch_links("https://github.com/org/course", "dev", "notebooks/00.ipynb")
    assert links["Binder"] == ("https://mybinder.org/v2/gh/org/course/dev"
                               "?urlpath=lab/tree/notebooks/00.ipynb")


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    return build.stage("https://github.com/org/course", "main", tmp_path_factory.mktemp("b"))


def test_the_table_of_contents_has_every_notebook(staged):
    toc = build.table_of_contents(staged)
    files = {c["file"] for c in toc["parts"][0]["chapters"]} | {
        s["file"] for c in toc["parts"][0]["chapters"] for s in c.get("sections", [])}
    expected = {f"{folder}/{p.stem}" for folder in build.FOLDERS
                for p in (nbio.ROOT / folder).glob("*.ipynb")}
    assert files == expected


def test_every_staged_figure_has_a_text_alternative_from_its_printed_numbers(staged):
    figures = 0
    for path in (staged / "notebooks").glob("*.ipynb"):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
                figures += 1
                alt = cell["metadata"]["mystnb"]["image"]["alt"]
                assert alt.startswith("Figure in '") and len(alt) < 300
    assert figures > 0


def test_solution_pages_have_their_own_title(staged):
    for path in (staged / "solutions").glob("*.ipynb"):
        first = json.loads(path.read_text(encoding="utf-8"))["cells"][0]["source"]
        assert first.splitlines()[0].endswith("— worked solutions")


def test_the_landing_page_maps_every_lesson(staged):
    index = (staged / "index.md").read_text(encoding="utf-8")
    assert "<!--" not in index
    for path in LESSONS:
        assert f"(notebooks/{path.name})" in index
