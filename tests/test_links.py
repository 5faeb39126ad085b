"""What a learner reads points only at things that exist: every relative link (README,
CONTRIBUTING, docs, notebooks) leads to a file, and to a heading where it names one; every file
name a notebook or the README mentions is in the repository; collapsible answers show no raw
Markdown; and no learner-facing file cites the team's internal notes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools import nbio

LINK = re.compile(r"\]\(([^)\s]+)\)")
# A file name: a path of word characters, dots, slashes and hyphens ending in a known extension.
FILE_NAME = re.compile(r"(?<![\w/.-])((?:\.\.?/)?[\w./-]*\w\.(?:ipynb|md|py|txt|toml|yml|yaml|cfg|"
                       r"json|csv|npz|png))(?![\w/-])")
DOCS = nbio.ROOT / "docs"
INTERNAL = re.compile(r"REFERENCES\.md|COURSE_DESIGN|\bshared/|\.\./shared")


def _notebooks() -> list[Path]:
    return [path for folder in (nbio.LESSONS, nbio.SOLUTIONS, nbio.EXERCISES)
            for path in sorted(folder.glob("*.ipynb"))]


def documents(*, code: bool = False) -> list[tuple[Path, str]]:
    """(path, text) of README, CONTRIBUTING, the docs pages and every notebook (markdown cells;
    with ``code=True`` also code cells)."""
    found = [(path, path.read_text(encoding="utf-8"))
             for path in [nbio.ROOT / "README.md", nbio.ROOT / "CONTRIBUTING.md",
                          *sorted(DOCS.glob("*.md"))]]
    kinds = ("markdown", "code") if code else ("markdown",)
    for path in _notebooks():
        found.append((path, "\n".join(c.source for c in nbio.read(path).cells
                                      if c.cell_type in kinds)))
    return found


def _ids(docs: list[tuple[Path, str]]) -> list[str]:
    return [str(path.relative_to(nbio.ROOT)) for path, _ in docs]


def relative_links(text: str) -> list[str]:
    return [target for target in LINK.findall(text)
            if not re.match(r"[a-z]+:", target) and not target.startswith("#")]


def slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces to -."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(markdown_file: Path) -> set[str]:
    text = markdown_file.read_text(encoding="utf-8")
    return {slug(m) for m in re.findall(r"^#{1,6}\s+(.+)$", text, flags=re.M)}


def mentioned_files(text: str) -> list[str]:
    """File names in ``text``, leaving out URLs and patterns such as ``notebooks/NN_name.ipynb``."""
    text = re.sub(r"https?://\S+", "", text)
    return sorted(name for name in set(FILE_NAME.findall(text)) if "NN" not in name)


# Files the course *writes* when it runs (a report folder, the grader's outputs, a lesson's
# temporary example file): documents name them, but a fresh clone does not hold them.
WRITTEN = {"report.md", "figure.png", "figure.svg", "results.json", "grades.csv",
           "grades_wide.csv", "summary.md", "summary.html", "timings.json", "measurements.csv",
           "policy.md", "risk_register.md", "draft.json", "fixed.json"}
# Git-ignored folders the course writes into: what is there says nothing about a fresh clone.
OUTPUT_FOLDERS = {".venv", "exports", "governance-output", "_build"}


def exists(name: str, folder: Path) -> bool:
    """A mentioned file exists relative to the document, to the repository root, or (a bare
    file name) somewhere in the repository; or it is one the course writes (``WRITTEN``)."""
    if Path(name).name in WRITTEN:
        return True
    if (folder / name).exists() or (nbio.ROOT / name).exists():
        return True
    if "/" not in name:
        return any(p for p in nbio.ROOT.rglob(name) if not OUTPUT_FOLDERS & set(p.parts))
    return False


def test_the_link_pattern_finds_relative_links_only():
    text = "[a](../x.ipynb) [b](https://example.org) [c](#top) [d](y.md#part)"
    assert relative_links(text) == ["../x.ipynb", "y.md#part"]


def test_slugs_follow_github():
    assert slug("Jensen's inequality") == "jensens-inequality"
    assert slug("The Gaussian loop (lessons 00, 01)") == "the-gaussian-loop-lessons-00-01"


def test_file_names_are_found_and_a_missing_one_is_caught(tmp_path: Path):
    text = ("see `REFERENCES.md` §5, [x](../exercises/00_start_here.ipynb), helpers.views.m03, "
            "exercises/NN_name.ipynb")
    assert mentioned_files(text) == ["../exercises/00_start_here.ipynb", "REFERENCES.md"]
    assert not exists("REFERENCES.md", nbio.LESSONS)
    assert exists("../exercises/00_start_here.ipynb", nbio.LESSONS)


@pytest.mark.parametrize(("path", "text"), documents(), ids=_ids(documents()))
def test_relative_links_resolve(path, text):
    broken = []
    for target in relative_links(text):
        file, _, anchor = target.partition("#")
        resolved = path.parent / file
        if not resolved.exists():
            broken.append(target)
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{target} (no such heading)")
    assert broken == []


@pytest.mark.parametrize(("path", "text"), documents(code=True), ids=_ids(documents(code=True)))
def test_every_file_a_document_mentions_exists(path, text):
    if path.name == "CONTRIBUTING.md":
        pytest.skip("the developer guide may name the team's notes, which are not shipped")
    missing = [name for name in mentioned_files(text) if not exists(name, path.parent)]
    assert missing == []


@pytest.mark.parametrize(("path", "text"), documents(code=True), ids=_ids(documents(code=True)))
def test_learner_facing_files_cite_papers_not_internal_notes(path, text):
    if path.name == "CONTRIBUTING.md":
        pytest.skip("the developer guide may point authors at the team's notes")
    assert INTERNAL.findall(text) == []


@pytest.mark.parametrize("path", _notebooks(), ids=[str(p.relative_to(nbio.ROOT))
                                                      for p in _notebooks()])
def test_collapsible_answers_use_html_not_markdown_in_their_summary(path):
    """Markdown is not rendered inside <summary>: backticks and asterisks would show literally."""
    raw = [s for c in nbio.read(path).cells if c.cell_type == "markdown"
           for s in re.findall(r"<summary>(.*?)</summary>", c.source, flags=re.S)
           if re.search(r"`|\*", s)]
    assert raw == []


def test_every_glossary_entry_is_linked_from_a_lesson():
    """The lessons link each glossary term at its first use; an entry no lesson links to is
    either a term the lessons never introduce or a link that was forgotten."""
    glossary = DOCS / "glossary.md"
    text = glossary.read_text(encoding="utf-8")
    entries = {slug(m) for m in re.findall(r"^###\s+(.+)$", text, flags=re.M)}
    linked = {target.partition("#")[2]
              for path in sorted(nbio.LESSONS.glob("*.ipynb"))
              for c in nbio.read(path).cells if c.cell_type == "markdown"
              for target in relative_links(c.source) if target.startswith("../docs/glossary.md#")}
    assert sorted(entries - linked) == []


def test_readme_starts_jupyterlab_exactly_as_make_lab_does():
    """`make lab` (which the browser test runs) and the README's commands without make and with
    conda must start JupyterLab the same way: serve the repository root, open the start page."""
    makefile = (nbio.ROOT / "Makefile").read_text(encoding="utf-8")
    lab_args = re.search(r"^LAB_ARGS\s*:=\s*(.+)$", makefile, flags=re.M).group(1).split()
    recipe = re.search(r"^lab:.*\n\t(.+)$", makefile, flags=re.M).group(1).split()
    assert recipe == ["$(BIN)/jupyter", "lab", "$(ROOT_FLAG)", "$(LAB_ARGS)"]
    assert "--notebook-dir=." in lab_args and lab_args[-1] == "notebooks/00_start_here.ipynb"
    readme = (nbio.ROOT / "README.md").read_text(encoding="utf-8")
    commands = [line.split("#")[0].split() for line in re.findall(r"^jupyter lab.*$", readme,
                                                                    flags=re.M)]
    assert len(commands) == 2  # without make, and with conda
    assert all(command == ["jupyter", "lab", *lab_args] for command in commands)
