"""Build the course website (Jupyter Book 1) from the stored notebooks: ``make site``.

The book is built from a staged copy under ``_build/site-src/``, so nothing in
the repository changes: the lessons, exercises and solutions as stored (no
cell is executed), the landing page ``book/index.md`` with the start links and
the course map filled in, and a table of contents generated from the notebook
folders, so a new lesson appears without editing anything. While staging, each
figure gets a text alternative made from the numbers its cell prints under it,
the Colab set-up cell is hidden, a self-check result keeps only its one-line
text, solution pages get their own title, an explorer cell shows the
explorer's figure at its default settings and says how to make it move, and
arXiv ids and DOIs become links. Every page's footer names the course version
and commit, the licences (code MIT, text and figures CC BY 4.0, the corpus's
PSF licence) and, when pyproject.toml gives the repository's address, links
to it and to its issues; the landing page offers the whole course as one zip.
The site goes to ``_build/site/html/``; it needs no network, MathJax included.

    python -m book.build                 # build, print the time and where the site is
    python -m book.build --repository URL  # build with launch links for that public address
"""

from __future__ import annotations

import argparse
import html as html_text
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import yaml

from book import colab
from helpers.course import lessons

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
FOLDERS = ("notebooks", "exercises", "solutions")
BUILD = ROOT / "_build"  # git-ignored; the site is BUILD/site/_build/html/index.html
CHECK_MIME = "application/vnd.model-collapse.check+json"  # shown by its one-line text/plain
ALT_MAX = 200  # characters of printed summary kept in a figure's text alternative

#: MathJax 3 files the pages load (the loader, lazily loaded TeX extensions, CHTML fonts,
#: menu and accessibility components), taken from the ``sphinx-mathjax-offline`` package.
#: The landing page's download: every notebook and what running them needs (tracked files).
ZIP_NAME = "model-collapse-course.zip"

MATHJAX_PARTS = ("tex-chtml.js", "input", "output/chtml", "output/chtml.js", "ui", "a11y", "sre")


def github(repository: str) -> tuple[str, str] | None:
    """``(owner, name)`` of a GitHub address, or None (no launch links without one).

    >>> github("https://github.com/org/course.git"), github("")
    (('org', 'course'), None)
    """
    url = urlparse(repository)
    parts = url.path.strip("/").removesuffix(".git").split("/")
    if url.netloc != "github.com" or len(parts) != 2 or not all(parts):
        return None
    return parts[0], parts[1]


def launch_links(repository: str, branch: str, path: str) -> dict[str, str]:
    """Binder and Colab addresses that open ``path`` (a notebook in the repository).

    >>> launch_links("https://github.com/org/course", "main", "notebooks/00.ipynb")["Colab"]
    'https://colab.research.google.com/github/org/course/blob/main/notebooks/00.ipynb'
    """
    found = github(repository)
    if found is None:
        return {}
    owner, name = found
    return {
        "Binder": f"https://mybinder.org/v2/gh/{owner}/{name}/{branch}?urlpath=lab/tree/{path}",
        "Colab": f"https://colab.research.google.com/github/{owner}/{name}/blob/{branch}/{path}",
    }


def course_version() -> str:
    """The course's version (pyproject.toml) and the commit the site is built from.

    >>> course_version().startswith("version ")
    True
    """
    version = colab.pyproject()["project"]["version"]
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):  # not a git clone (e.g. a zip)
        return f"version {version}"
    return f"version {version}, commit {commit}{' with local changes' if dirty else ''}"


def home_links(repository: str, branch: str) -> dict[str, str]:
    """The repository's page, its issues and its licence files, when there is an address.

    >>> home_links("https://github.com/org/course.git", "main")["issues"]
    'https://github.com/org/course/issues'
    >>> home_links("", "main")
    {}
    """
    url = urlparse(repository)
    if url.scheme not in ("http", "https") or not url.netloc:
        return {}
    base = repository.removesuffix(".git").rstrip("/")
    links = {"repository": base}
    if github(repository):
        links |= {"issues": f"{base}/issues",
                  "LICENSE": f"{base}/blob/{branch}/LICENSE",
                  "LICENSE-CONTENT.md": f"{base}/blob/{branch}/LICENSE-CONTENT.md"}
    return links


def footer(repository: str, branch: str) -> str:
    """The HTML footer of every page: version and commit, licences, links home."""
    links = home_links(repository, branch)
    parts = [f"Model Collapse, hands-on, {html_text.escape(course_version())}."]
    if links:
        home = f'<a href="{html_text.escape(links["repository"])}">source repository</a>'
        if "issues" in links:
            home += (f' · <a href="{html_text.escape(links["issues"])}">report a problem '
                     "or ask a question</a>")
        parts.append(home + ".")
    licence = ("MIT licence" if "LICENSE" not in links else
               f'<a href="{html_text.escape(links["LICENSE"])}">MIT licence</a>')
    parts.append(f"Code: {licence}; text and figures: "
                 '<a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>; the '
                 "bundled Python documentation corpus: PSF License 2 (see Licences).")
    return " ".join(parts)


def book_config(repository: str, branch: str) -> dict:
    """``book/_config.yml`` plus the footer, and the repository's links and launch buttons
    when there is an address."""
    config = yaml.safe_load((BOOK / "_config.yml").read_text(encoding="utf-8"))
    config["html"]["extra_footer"] = footer(repository, branch)
    links = home_links(repository, branch)
    if links:
        config["repository"] = {"url": links["repository"], "branch": branch,
                                "path_to_book": ""}
        config["html"]["use_repository_button"] = True
        config["html"]["use_issues_button"] = "issues" in links
    if github(repository):
        config["launch_buttons"] = {"binderhub_url": "https://mybinder.org",
                                    "colab_url": "https://colab.research.google.com",
                                    "notebook_interface": "jupyterlab"}
    return config


def table_of_contents(source: Path) -> dict:
    """One chapter per lesson, with its exercises and worked solutions as sections."""
    chapters = []
    for lesson in sorted((source / "notebooks").glob("*.ipynb")):
        sections = [{"file": f"{folder}/{lesson.stem}", "title": title}
                    for folder, title in (("exercises", "Exercises"),
                                          ("solutions", "Worked solutions"))
                    if (source / folder / lesson.name).exists()]
        chapters.append({"file": f"notebooks/{lesson.stem}", **({"sections": sections}
                                                              if sections else {})})
    parts = [{"caption": "Lessons", "chapters": chapters}]
    pages = sorted((source / "docs").glob("*.md"), key=lambda p: (p.stem == "license", p.stem))
    reference = [{"file": f"docs/{page.stem}"} for page in pages]
    if reference:
        parts.append({"caption": "Reference", "chapters": reference})
    guide = sorted((source / "docs" / "instructor").glob("*.md"))
    if guide:
        parts.append({"caption": "For instructors", "chapters": [
            {"file": f"docs/instructor/{page.stem}"}
            for page in sorted(guide, key=lambda p: (p.stem != "README", p.stem))]})
    return {"format": "jb-book", "root": "index", "parts": parts}


def _text(value: str | list[str]) -> str:
    return "".join(value) if isinstance(value, list) else value


def figure_alt(heading: str, printed: str) -> str:
    """A figure's text alternative: its section and the first line its cell prints under it.

    >>> figure_alt("1 · The loop", "mean = 0.5\\nmore")
    "Figure in '1 · The loop'; its numbers, printed below it: mean = 0.5"
    """
    line = next((s.strip() for s in printed.splitlines() if s.strip()), "")
    if len(line) > ALT_MAX:
        line = line[:ALT_MAX].rsplit(" ", 1)[0] + " …"
    where = f"Figure in '{heading}'" if heading else "Figure"
    return f"{where}; its numbers, printed below it: {line}" if line else where


_HEADING = re.compile(r"^#{1,6} +(.+?)\s*$", re.MULTILINE)
# An arXiv id or a DOI that is not already inside a link or code.
_ARXIV = re.compile(r"(?<![\[/`])arXiv:(\d{4}\.\d{4,5})(v\d+)?\b(?![^\[]*\]\()")
_DOI = re.compile(r"(?<![\[/`])(?:doi:|DOI:? )(10\.\d{4,9}/[^\s)\]]*[^\s)\].,;:])")
#: Under an explorer cell on the site: what its figure is (when the build drew it), how to
#: make it move.
EXPLORER_NOTE = (
    "*On this page the explorer cannot move: a web page has no Python kernel. {figure}To move "
    "its controls, open this lesson with the launch button at the top of the page (Binder or "
    "Colab, nothing to install) or on your own computer (`make lab`, see the README).*")
EXPLORER_FIGURE = "The figure above is the explorer at its default settings. "


def link_references(text: str) -> str:
    """arXiv ids and DOIs in Markdown ``text`` as links.

    >>> link_references("Shumailov et al., arXiv:2305.17493.")
    'Shumailov et al., [arXiv:2305.17493](https://arxiv.org/abs/2305.17493).'
    >>> link_references("doi:10.1038/s41586-024-07566-y; [arXiv:1](x)")
    '[doi:10.1038/s41586-024-07566-y](https://doi.org/10.1038/s41586-024-07566-y); [arXiv:1](x)'
    """
    text = _ARXIV.sub(lambda m: f"[arXiv:{m[1]}{m[2] or ''}](https://arxiv.org/abs/{m[1]}"
                                f"{m[2] or ''})", text)
    return _DOI.sub(lambda m: f"[doi:{m[1]}](https://doi.org/{m[1]})", text)


def explorer_outputs(source: str) -> list[dict] | None:
    """The outputs of an explorer cell ``explorers.NAME()`` or ``NAME()`` (an explorer of
    ``helpers.explorers`` that takes no argument): its figure and summary at its default
    settings, as the live explorer first shows them. None for any other cell."""
    from helpers import explorers

    match = re.fullmatch(r"\s*(?:explorers\.)?(\w+_explorer)\(\)\s*", source)
    if not match or match[1] not in explorers.__all__:
        return None
    box = getattr(explorers, match[1])()
    return [dict(o) for o in box.children[-1].outputs]


def prepare(notebook: dict, folder: str) -> dict:
    """The staged version of one notebook (see the module docstring)."""
    heading = ""
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            found = _HEADING.findall(_text(cell["source"]))
            heading = found[-1] if found else heading
            continue
        if cell["cell_type"] != "code":
            continue
        if cell.get("id") == colab.CELL_ID:
            cell["metadata"].setdefault("tags", []).append("remove-cell")
            continue
        if "_explorer(" in _text(cell["source"]):
            drawn = explorer_outputs(_text(cell["source"]))
            cell["outputs"] = drawn or cell["outputs"]
            cell["metadata"]["site_note"] = EXPLORER_NOTE.format(
                figure=EXPLORER_FIGURE if drawn else "")
        outputs = cell.get("outputs", [])
        for output in outputs:
            output.get("data", {}).pop(CHECK_MIME, None)
        images = [i for i, o in enumerate(outputs) if "image/png" in o.get("data", {})]
        if images:
            printed = "".join(_text(o["text"]) for o in outputs[images[-1]:]
                              if o["output_type"] == "stream" and o["name"] == "stdout")
            cell["metadata"]["mystnb"] = {"image": {"alt": figure_alt(heading, printed)}}
    cells = []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = link_references(_text(cell["source"]))
        cells.append(cell)
        note = cell["metadata"].pop("site_note", None)
        if note:
            cells.append({"cell_type": "markdown", "id": f"{cell.get('id', 'x')}-site-note",
                          "metadata": {}, "source": note})
    notebook["cells"] = cells
    if folder == "solutions":
        first = notebook["cells"][0]
        first["source"] = re.sub(r"^(# .+?) — exercises\s*$", r"\1 — worked solutions",
                                 _text(first["source"]), count=1, flags=re.MULTILINE)
    return notebook


def course_map(source: Path) -> str:
    """The landing page's table of lessons, linking each to its three pages."""
    rows = ["| # | Lesson | Core question | Time |", "|---|---|---|---|"]
    for entry in lessons(source / "notebooks"):
        stem = entry["file"].removesuffix(".ipynb")
        links = [f"[{entry.get('title', stem)}](notebooks/{stem}.ipynb)"] + [
            f"[{label}]({folder}/{stem}.ipynb)"
            for folder, label in (("exercises", "exercises"), ("solutions", "solutions"))
            if (source / folder / entry["file"]).exists()]
        minutes = entry.get("estimated_minutes", "?")
        rows.append(f"| {entry.get('number', '?')} | {' · '.join(links)} | "
                    f"{entry.get('question', '')} | {minutes} min |")
    return "\n".join(rows)


def start_links(source: Path, repository: str, branch: str) -> str:
    """The landing page's 'Start' paragraph: one-click launch links when there is an address."""
    first = sorted((source / "notebooks").glob("*.ipynb"))[0]
    path = f"notebooks/{first.name}"
    entry = lessons(source / "notebooks")[0]
    title = f"{entry.get('number', '')} · {entry.get('title', first.stem)}"
    lines = [f"Read the first lesson here: [{title}]({path})."]
    links = launch_links(repository, branch, path)
    if links:
        lines.append("Run it in your browser, nothing to install: "
                     + " or ".join(f"[open it on {name}]({url})" for name, url in links.items())
                     + " (on Colab, run the lesson's first code cell first: it sets the "
                     "course up).")
    home = home_links(repository, branch).get("repository")
    where = f"[get the repository]({home})" if home else "get the repository"
    lines.append(f"Run it on your own computer (Python 3.10 to 3.13): {where} (or "
                 f"{{download}}`download the whole course as a zip <{ZIP_NAME}>`), then "
                 "`make lab` in its folder installs the pinned packages and opens JupyterLab.")
    return "\n\n".join(lines)


def stage(repository: str, branch: str, workdir: Path = BUILD) -> Path:
    """Write the book's source tree to ``workdir/site-src/`` and return it."""
    source = workdir / "site-src"
    shutil.rmtree(source, ignore_errors=True)
    source.mkdir(parents=True)
    for folder in FOLDERS:
        (source / folder).mkdir()
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            notebook = prepare(json.loads(path.read_text(encoding="utf-8")), folder)
            (source / folder / path.name).write_text(json.dumps(notebook, indent=1),
                                                      encoding="utf-8")
    # The pages the lessons link to: references, glossary, the instructor guide. The guide
    # points at the README's course map; on the site that map is the landing page.
    shutil.copytree(ROOT / "docs", source / "docs")
    for page in (source / "docs").rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        page.write_text(link_references(text.replace("../../README.md#course-map",
                                                     "../../index.md")), encoding="utf-8")
    (source / "docs" / "license.md").write_text(licence_page(repository, branch),
                                                encoding="utf-8")
    course_zip(source / ZIP_NAME)
    shutil.copytree(BOOK / "_static", source / "_static")
    index = (BOOK / "index.md").read_text(encoding="utf-8")
    index = index.replace("<!-- start -->", start_links(source, repository, branch))
    index = index.replace("<!-- course-map -->", course_map(source))
    (source / "index.md").write_text(index, encoding="utf-8")
    for name, content in (("_config.yml", book_config(repository, branch)),
                          ("_toc.yml", table_of_contents(source))):
        (source / name).write_text(yaml.safe_dump(content, sort_keys=False, allow_unicode=True),
                                   encoding="utf-8")
    return source


def licence_page(repository: str, branch: str) -> str:
    """The site's page of licences: LICENSE-CONTENT.md with its links made to work on the
    site (to the repository's files when there is an address), then the MIT text."""
    links = home_links(repository, branch)
    text = (ROOT / "LICENSE-CONTENT.md").read_text(encoding="utf-8")

    def relink(match: re.Match) -> str:
        label, target = match[1], match[2]
        if target.startswith("http"):
            return match[0]
        return f"[{label}]({links['repository']}/blob/{branch}/{target})" if github(
            repository) else label
    text = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", relink, text)
    text = text.replace("# Licence of the course's text and figures", "# Licences", 1)
    mit = (ROOT / "LICENSE").read_text(encoding="utf-8")
    return f"{text}\n## The MIT licence of the code\n\n```text\n{mit}```\n"


def course_zip(path: Path) -> Path:
    """A zip of the course as a clone has it (git's tracked files; without git, the notebook
    folders and what running them needs), under one top folder."""
    try:
        files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                               check=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        files = [p.relative_to(ROOT).as_posix() for folder in (*FOLDERS, "helpers", "docs")
                 for p in (ROOT / folder).rglob("*") if p.is_file()]
    top = path.stem
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(f for f in files if f and (ROOT / f).is_file()):
            archive.write(ROOT / name, f"{top}/{name}")
    return path


def copy_mathjax(html: Path) -> None:
    """Copy the MathJax files the pages use into ``html/_static/mathjax/``."""
    package = importlib.metadata.distribution("sphinx-mathjax-offline")
    mathjax = Path(package.locate_file("sphinx-mathjax-offline/static/mathjax"))
    target = html / "_static" / "mathjax"
    shutil.rmtree(target, ignore_errors=True)
    for part in MATHJAX_PARTS:
        source = mathjax / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            target.joinpath(part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / part)


def address(repository: str | None, branch: str | None) -> tuple[str, str]:
    """``repository`` and ``branch``, each defaulting to pyproject.toml's setting."""
    config = colab.settings()
    return (config["repository"] if repository is None else repository,
            branch or config["branch"])


def build(repository: str | None = None, branch: str | None = None, workdir: Path = BUILD
          ) -> Path:
    """Stage and build the site in ``workdir`` with no warning allowed; return its HTML folder.

    ``repository`` and ``branch`` default to the settings in pyproject.toml.
    """
    repository, branch = address(repository, branch)
    source = stage(repository, branch, workdir)
    output = workdir / "site"
    shutil.rmtree(output, ignore_errors=True)
    command = [sys.executable, "-c", "from jupyter_book.cli.main import main; main()", "build",
               str(source), "--path-output", str(output), "-W", "-n", "--keep-going", "--all"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"jupyter-book build failed:\n{result.stdout[-4000:]}"
                           f"\n{result.stderr[-4000:]}")
    html = output / "_build" / "html"
    copy_mathjax(html)
    return html


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repository", help="public git address (default: pyproject.toml)")
    parser.add_argument("--branch", help="branch for the launch links (default: pyproject.toml)")
    args = parser.parse_args(argv)
    start = time.monotonic()
    html = build(args.repository, args.branch)
    print(f"site built in {time.monotonic() - start:.1f} s: {html / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
