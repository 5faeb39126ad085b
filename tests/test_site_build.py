"""The website's build pieces and the Colab set-up cell (the browser test is tests/browser)."""

from __future__ import annotations

import json
import re

import pytest

from book import build, colab
from tools import nbio

LESSONS = sorted(nbio.LESSONS.glob("*.ipynb"))


def test_every_notebook_with_a_colab_button_has_the_colab_cell_first():
    """The site puts a Colab button on lessons, exercises and solutions: each one's first code
    cell sets the course up there."""
    assert LESSONS and colab.problems() == []
    assert {folder.name for folder in colab.FOLDERS} == set(build.FOLDERS)


def test_a_missing_or_edited_colab_cell_is_reported_and_restored(tmp_path):
    notebook = nbio.read(LESSONS[0])
    del notebook.cells[colab.POSITION]
    nbio.write(notebook, tmp_path / LESSONS[0].name)
    assert colab.problems(tmp_path) == [f"{tmp_path.name}/{LESSONS[0].name}: the first code cell "
                                        "is not the Colab set-up cell (run `python -m book.colab`)"]
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


def test_the_footer_links_home_when_there_is_an_address():
    text = build.footer("https://github.com/org/course", "main")
    assert build.course_version() in text and "commit " in build.course_version()
    assert '<a href="https://github.com/org/course">source repository</a>' in text
    assert '<a href="https://github.com/org/course/issues">' in text
    assert "https://github.com/org/course/blob/main/LICENSE" in text
    assert "CC BY 4.0" in text and "PSF" in text


def test_without_an_address_the_footer_has_version_and_licences_but_no_links_home():
    text = build.footer("", "main")
    assert build.course_version() in text and "CC BY 4.0" in text
    assert "github" not in text and "source repository" not in text
    config = build.book_config("", "main")
    assert "repository" not in config and "launch_buttons" not in config
    assert not config["html"]["use_repository_button"]


def test_the_address_comes_from_pyproject(monkeypatch):
    """One place sets it: with an address in pyproject.toml's settings, the site links home."""
    monkeypatch.setattr(colab, "settings", lambda: {"repository": "https://github.com/o/c",
                                                    "branch": "dev"})
    repository, branch = build.address(None, None)
    config = build.book_config(repository, branch)
    assert config["repository"]["url"] == "https://github.com/o/c"
    assert config["html"]["use_repository_button"] and config["html"]["use_issues_button"]
    assert "https://github.com/o/c/issues" in config["html"]["extra_footer"]
    assert config["sphinx"]["config"]["html_last_updated_fmt"] is None  # no build date


def test_a_version_in_a_clone_names_its_commit():
    import subprocess

    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=nbio.ROOT, capture_output=True,
                          text=True).stdout.strip()
    if not head:
        pytest.skip("not a git clone")
    assert f"commit {head[:12]}" in build.course_version()


def test_references_become_links_and_none_stays_bare(staged):
    references = (staged / "docs" / "references.md").read_text(encoding="utf-8")
    assert "[arXiv:2305.17493](https://arxiv.org/abs/2305.17493)" in references
    unlinked = [line for line in references.splitlines()
                if "arXiv:" in line and "](https://arxiv.org/abs/" not in line]
    assert unlinked == []
    assert build.link_references("see arXiv:2404.01413v2, `arXiv:1`") == (
        "see [arXiv:2404.01413v2](https://arxiv.org/abs/2404.01413v2), `arXiv:1`")


def test_every_explorer_cell_shows_its_default_figure_and_says_how_to_move_it(staged):
    notes = 0
    for path in (staged / "notebooks").glob("*.ipynb"):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for cell, after in zip(cells, cells[1:], strict=False):
            if cell["cell_type"] != "code" or "_explorer(" not in "".join(cell["source"]):
                continue
            notes += 1
            assert after["source"].startswith("*On this page the explorer cannot move"), path
            assert "Binder or Colab" in after["source"] and "make lab" in after["source"]
            drawn = any("image/png" in o.get("data", {}) for o in cell["outputs"])
            assert drawn == ("at its default settings" in after["source"]), path.name
            if re.search(r"_explorer\(\s*\)", "".join(cell["source"])):  # no run to pass in
                assert drawn, f"{path.name}: the explorer's figure is missing"
    assert notes >= 8


def test_the_zip_has_every_notebook_and_what_running_them_needs(staged):
    import zipfile

    names = set(zipfile.ZipFile(staged / build.ZIP_NAME).namelist())
    top = build.ZIP_NAME.removesuffix(".zip")
    for folder in build.FOLDERS:
        for path in (nbio.ROOT / folder).glob("*.ipynb"):
            assert f"{top}/{folder}/{path.name}" in names
    for needed in ("Makefile", "pyproject.toml", "LICENSE", "LICENSE-CONTENT.md",
                   "requirements/lock-py3.11.txt", "helpers/__init__.py"):
        assert f"{top}/{needed}" in names, needed
    index = (staged / "index.md").read_text(encoding="utf-8")
    assert f"<{build.ZIP_NAME}>`" in index
    assert "[get the repository](https://github.com/org/course)" in index


def test_the_licences_are_stated_in_files_and_on_the_site(staged):
    root = nbio.ROOT
    assert (root / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    content = (root / "LICENSE-CONTENT.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in content and "Python Software Foundation License" in content
    page = (staged / "docs" / "license.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in page and "MIT License" in page and "LICENSE-PSF.txt" in page
    assert "](LICENSE)" not in page  # a link that would not resolve on the site
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "[MIT](LICENSE)" in readme and "CC BY 4.0" in readme
