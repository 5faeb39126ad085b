"""Finding, reading and taking apart submitted notebooks, without running anything.

Submissions are opened read-only (``open(path, "rb")``) and never written. Everything here is
static: which learner and lesson a file belongs to, which of the learner's cells an exercise
needs, the written answers, what the stored outputs claim, and code that deserves a look.
"""

from __future__ import annotations

import ast
import builtins
import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from tools.grading.course import (
    ANSWER_PLACEHOLDER,
    CHECK_IMPORT,
    EXERCISE_HEADING,
    Exercise,
    Lesson,
    _sections,
    _source,
)

MIME_TYPE = "application/vnd.model-collapse.check+json"
STORED_LINE = re.compile(r"^\s*([✓✗…]) Exercise (\d\d\.\d+)\b", re.MULTILINE)
SYMBOL_STATUS = {"✓": "pass", "✗": "fail", "…": "not_attempted"}
COPY_SUFFIX = re.compile(r"(\s*\(\d+\)|\s*-\s*copy\d*|_copy\d*|\s+copy\d*)+$", re.IGNORECASE)
LESSON_IN_NAME = re.compile(r"(?<!\d)(\d\d)(?:_[a-z_]+)?(?!\d)", re.IGNORECASE)
MAGIC_LINE = re.compile(r"^(\s*)[%!].*$", re.MULTILINE)
SUSPICIOUS = {
    r"^\s*check\s*=(?!=)|^\s*check\.\w+\s*=(?!=)|setattr\(\s*check\b|^\s*def check\b":
        "rebinds the check name",
    r"helpers\.checks|helpers import checks": "touches the check modules",
    r"sys\.modules|\bgc\.|\binspect\b|_getframe|__code__|\bctypes\b|\bbuiltins\b":
        "inspects or patches the interpreter",
    r"/proc/|os\.write|os\.dup|fdopen|os\.fork|\bsubprocess\b|os\.system|os\.kill":
        "uses processes or file descriptors",
    r"print\([^)]*[✓✗]|[✓✗] Exercise": "prints a check line",
    r"\.ipynb|nbformat|os\.listdir|os\.walk|os\.scandir|\.iterdir\(|\bglob\b":
        "lists folders or reads notebooks",
}
BUILTIN_NAMES = set(dir(builtins)) | {"display", "get_ipython", "__name__"}


@dataclass
class Submission:
    """One submitted notebook."""

    path: Path
    relative: str
    learner: str
    lesson: str | None = None
    cells: list[dict] = field(default_factory=list)
    problem: str = ""             # why it could not be read, if it could not
    notes: list[str] = field(default_factory=list)


def safe_id(text: str) -> str:
    """A learner id usable as a folder name."""
    cleaned = re.sub(r"[^A-Za-z0-9._@-]+", "_", text.strip()).strip("._")
    return cleaned or "unnamed"


def _stem(name: str) -> str:
    return COPY_SUFFIX.sub("", Path(name).stem).strip()


def discover(root: Path) -> tuple[list[Submission], list[str]]:
    """Every ``*.ipynb`` under ``root`` with its learner id, and notes on the layout.

    Flat layout: the learner id is the file name without the lesson part and copy suffixes
    (``alice_01_mechanism (1).ipynb`` → ``alice``). One folder per learner: the first folder.
    Hidden folders (``.ipynb_checkpoints``) are skipped and reported.
    """
    found, notes = [], []
    for path in sorted(root.rglob("*.ipynb")):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            notes.append(f"skipped hidden file or folder: {relative.as_posix()}")
            continue
        if len(relative.parts) > 1:
            learner = relative.parts[0]
            submission = Submission(path, relative.as_posix(), safe_id(learner))
            if len(relative.parts) > 2:
                submission.notes.append(f"nested folder: {relative.as_posix()}")
        else:
            stem = _stem(path.name)
            rest = LESSON_IN_NAME.sub("", stem, count=1).strip(" _-.")
            submission = Submission(path, relative.as_posix(), safe_id(rest or root.name))
        found.append(submission)
    return found, notes


def read(submission: Submission, lessons: dict[str, Lesson]) -> None:
    """Read the notebook read-only and find its lesson; set ``problem`` if it cannot be used."""
    try:
        with open(submission.path, "rb") as handle:
            data = json.loads(handle.read().decode("utf-8"))
    except UnicodeDecodeError:
        submission.problem = "not UTF-8 text"
        return
    except ValueError as error:
        submission.problem = f"invalid JSON ({str(error).splitlines()[0]})"
        return
    except OSError as error:
        submission.problem = f"cannot be read ({error.strerror})"
        return
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
        submission.problem = "not a notebook (no list of cells)"
        return
    submission.cells = cells
    submission.lesson = _lesson_of(submission, lessons)
    if submission.lesson is None:
        submission.problem = "no lesson recognised (neither the title cell nor the file name)"


def _lesson_of(submission: Submission, lessons: dict[str, Lesson]) -> str | None:
    for cell in submission.cells[:3]:
        if cell.get("cell_type") == "markdown":
            match = re.search(r"^# (\d\d) · ", _source(cell), re.MULTILINE)
            if match and match[1] in lessons:
                return match[1]
    for cell in submission.cells:
        match = CHECK_IMPORT.search(_source(cell)) if cell.get("cell_type") == "code" else None
        if match and match[1][1:] in lessons:
            return match[1][1:]
    for match in LESSON_IN_NAME.finditer(_stem(submission.path.name)):
        if match[1] in lessons:
            return match[1]
    return None


# ------------------------------------------------------------------ the cells an exercise needs


def python_source(source: str) -> str:
    """Cell source with IPython magics and shell escapes (``%…``, ``!…``) turned into ``pass``."""
    if source.lstrip().startswith("%%"):
        source = source.lstrip().split("\n", 1)[1] if "\n" in source.lstrip() else ""
    return MAGIC_LINE.sub(lambda m: f"{m[1]}pass", source)


class _Names(ast.NodeVisitor):
    """Names a cell binds at the top level, and the global names it reads anywhere (a name a
    function binds itself, such as a parameter, is local to it and not counted)."""

    def __init__(self) -> None:
        self.defined: set[str] = set()
        self.used: set[str] = set()
        self.scopes: list[set[str]] = []

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            if not any(node.id in scope for scope in self.scopes):
                self.used.add(node.id)
        elif not self.scopes:
            self.defined.add(node.id)

    def _scope(self, node: ast.AST) -> None:
        if not self.scopes and hasattr(node, "name"):
            self.defined.add(node.name)
        for decorator in getattr(node, "decorator_list", []):
            self.visit(decorator)
        local = set()
        arguments = getattr(node, "args", None)
        if isinstance(arguments, ast.arguments):
            for default in arguments.defaults + [d for d in arguments.kw_defaults if d]:
                self.visit(default)
            local |= {a.arg for a in arguments.posonlyargs + arguments.args
                      + arguments.kwonlyargs + [arguments.vararg, arguments.kwarg] if a}
        body = node.body if isinstance(node.body, list) else [node.body]
        for statement in body:
            for child in ast.walk(statement):
                if isinstance(child, ast.Name) and not isinstance(child.ctx, ast.Load):
                    local.add(child.id)
                elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    local.add(child.name)
                elif isinstance(child, (ast.Import, ast.ImportFrom)):
                    local |= {(a.asname or a.name).split(".")[0] for a in child.names}
        self.scopes.append(local)
        for statement in body:
            self.visit(statement)
        self.scopes.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = _scope

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        if not self.scopes:
            for alias in node.names:
                self.defined.add((alias.asname or alias.name).split(".")[0])

    visit_ImportFrom = visit_Import


@dataclass
class Cell:
    index: int
    source: str
    defined: set[str]
    used: set[str]
    error: str = ""


def code_cells(cells: list[dict]) -> list[Cell]:
    """The learner's code cells, parsed (a cell that does not parse keeps its error)."""
    parsed = []
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        source = python_source(_source(cell))
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError) as error:
            line = getattr(error, "lineno", None)
            parsed.append(Cell(index, source, set(), set(),
                               f"{type(error).__name__} in cell {index}"
                               + (f", line {line}" if line else "") + f": {error.args[0]}"))
            continue
        names = _Names()
        names.visit(tree)
        parsed.append(Cell(index, source, names.defined, names.used))
    return parsed


def setup_names(lesson: Lesson) -> set[str]:
    names = _Names()
    names.visit(ast.parse(lesson.setup))
    return names.defined


def needed_cells(cells: list[Cell], function: str, provided: set[str]) -> list[Cell] | str:
    """The cells to run before calling ``function``: the last cell defining it and, transitively,
    the cells defining the names those cells read. A string says why there are none."""
    good = [c for c in cells if not c.error]
    defining = [c for c in good if function in c.defined]
    if not defining:
        broken = [c for c in cells if c.error and re.search(rf"\bdef {function}\b", c.source)]
        if broken:
            return broken[-1].error
        return ""
    chosen = {defining[-1].index: defining[-1]}
    todo = [defining[-1]]
    while todo:
        cell = todo.pop()
        for name in sorted(cell.used - provided - BUILTIN_NAMES):
            earlier = [c for c in good if name in c.defined and c.index < cell.index]
            anywhere = [c for c in good if name in c.defined and c.index != cell.index]
            source = (earlier or anywhere or [None])[-1]
            if source is not None and source.index not in chosen:
                chosen[source.index] = source
                todo.append(source)
    return [chosen[i] for i in sorted(chosen)]


# ------------------------------------------------------------------ written answers, stored results


def written_answer(cells: list[dict], exercise: Exercise) -> str | None:
    """The learner's own words for a written exercise: the markdown of its section minus the
    released prompt; ``None`` when the section is missing, ``""`` when nothing was written."""
    section = next((s for i, _, s in _sections(cells) if i == exercise.id), None)
    if section is None:
        return None
    prompt = {line.strip() for line in exercise.prompt.splitlines() if line.strip()}
    kept = []
    for cell in section:
        if cell.get("cell_type") != "markdown":
            continue
        text = EXERCISE_HEADING.sub("", _source(cell)).replace(ANSWER_PLACEHOLDER, "")
        text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
        kept += [line for line in text.splitlines() if line.strip() not in prompt]
    return "\n".join(kept).strip()


def stored_results(cells: list[dict]) -> dict[str, tuple[str, bool]]:
    """What the saved outputs claim per exercise: (status, came with a machine-readable bundle)."""
    claims: dict[str, tuple[str, bool]] = {}
    for cell in cells:
        outputs = cell.get("outputs") if cell.get("cell_type") == "code" else None
        for output in outputs if isinstance(outputs, list) else []:
            if not isinstance(output, dict):
                continue
            data = output.get("data") if isinstance(output.get("data"), dict) else {}
            bundle = data.get(MIME_TYPE)
            if isinstance(bundle, dict) and bundle.get("status") in SYMBOL_STATUS.values():
                claims[str(bundle.get("exercise"))] = (bundle["status"], True)
                continue
            text = output.get("text", data.get("text/plain", ""))
            text = "".join(text) if isinstance(text, list) else str(text)
            for symbol, exercise_id in STORED_LINE.findall(text):
                claims[exercise_id] = (SYMBOL_STATUS[symbol], False)
    return claims


def integrity_notes(cells: list[Cell], setup: str, provided: frozenset[str] = frozenset()
                    ) -> list[str]:
    """Code worth an instructor's look (the setup line itself, and cells exactly as the course
    provides them, e.g. the Colab set-up cell, excepted)."""
    notes = set()
    released = {python_source(source) for source in provided}
    for cell in cells:
        if cell.source in released:
            continue
        text = "\n".join(line for line in cell.source.splitlines()
                         if line.strip() not in {s.strip() for s in setup.splitlines()})
        for pattern, what in SUSPICIOUS.items():
            if re.search(pattern, text, re.MULTILINE):
                notes.add(f"cell {cell.index} {what}")
    return sorted(notes)


def read_roster(path: Path) -> list[str]:
    """Learner ids from a roster CSV: the ``learner`` column if there is one, else the first."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        return []
    header = [h.strip().lower() for h in rows[0]]
    column = header.index("learner") if "learner" in header else 0
    return sorted({safe_id(r[column]) for r in rows[1:] if len(r) > column and r[column].strip()})
