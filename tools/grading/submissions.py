"""Finding, reading and taking apart submitted notebooks, without running anything.

Submissions are opened read-only (``open(path, "rb")``) and never written. Everything here is
static: which learner and lesson a file belongs to, which of the learner's cells an exercise
needs, the written answers, what the stored outputs claim, and code that deserves a look.
"""

from __future__ import annotations

import builtins
import csv
import hashlib
import io
import json
import os
import re
import stat
import symtable
import unicodedata
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
SURROGATE = re.compile("[\ud800-\udfff]")
MAX_BYTES = 20 * 2**20        # a submitted notebook larger than this is refused
MAX_DEPTH = 6                 # folder levels below SUBMISSIONS that are searched
MAX_ID = 80                   # characters of a learner id
# LMS bulk downloads (docs/instructor/grading.md): the learner is the name part.
CANVAS = re.compile(r"^(?P<name>[^_]+)_(?:LATE_)?(?P<user>\d+)_(?P<submission>\d+)_(?P<file>.+)$")
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<user>\d+)_assignsubmission_(?:file|onlinetext)_"
                    r"(?P<file>.*)$")


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


def text_of_name(name: str) -> str:
    """A file name as text: NFC-normalised; bytes that are not UTF-8 (an archive from another
    system) are shown as U+FFFD and the name gets a short hash of its bytes, so that two such
    names never become one learner.

    >>> text_of_name("Jose\\u0301") == "Jos\\u00e9"
    True
    >>> text_of_name(os.fsdecode(b"caf\\xe9.ipynb"))
    'caf\ufffd~5375a204.ipynb'
    """
    raw = os.fsencode(name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:  # the hash goes before the extension: a notebook stays one
        stem, dot, extension = raw.decode("utf-8", "replace").rpartition(".")
        tag = "~" + hashlib.sha256(raw).hexdigest()[:8]
        text = f"{stem}{tag}.{extension}" if dot and stem else f"{stem}{dot}{extension}{tag}"
    return unicodedata.normalize("NFC", text)


def safe_id(text: str) -> str:
    """A learner id usable as a folder name on any system: letters and digits of any script,
    ``.``, ``-``, ``_`` and ``@``; anything else becomes ``_``. Distinct names whose safe forms
    would coincide are told apart by :func:`unique_ids`.

    >>> [safe_id(n) for n in ("李雷", "José", "Josè", "a/../b", "..")]
    ['李雷', 'José', 'Josè', 'a_.._b', 'unnamed']
    """
    text = unicodedata.normalize("NFC", str(text)).strip()
    kept = "".join(c if (unicodedata.category(c)[0] in "LNM" or c in ".-_@") else "_"
                   for c in text if unicodedata.category(c) != "Cs")
    kept = re.sub(r"_+", "_", kept).strip("._-")
    return kept[:MAX_ID] or "unnamed"


def unique_ids(names: list[str]) -> dict[str, str]:
    """Safe ids for ``names`` (NFC text), one per distinct name: where two names have the same
    safe form, each gets ``~`` and 6 hex digits of its own hash.

    >>> unique_ids(["a b", "a_b", "c"])
    {'a b': 'a_b~c8687a', 'a_b': 'a_b~648fa9', 'c': 'c'}
    """
    by_safe: dict[str, list[str]] = {}
    for name in sorted(set(names)):
        by_safe.setdefault(safe_id(name), []).append(name)
    ids = {}
    for safe, group in by_safe.items():
        for name in group:
            ids[name] = safe if len(group) == 1 and safe != "unnamed" else \
                f"{safe}~{hashlib.sha256(name.encode('utf-8', 'replace')).hexdigest()[:6]}"
    return ids


def lms_name(name: str) -> tuple[str, str] | None:
    """(learner, file name) from a Canvas or Moodle bulk-download name, else None.

    >>> lms_name("doejane_LATE_1234_56789_01_mechanism.ipynb")
    ('doejane', '01_mechanism.ipynb')
    >>> lms_name("Jane Doe_12345_assignsubmission_file_01_mechanism.ipynb")
    ('Jane Doe', '01_mechanism.ipynb')
    """
    for scheme in (MOODLE, CANVAS):
        match = scheme.match(name)
        if match:
            return match["name"], match["file"]
    return None


def _stem(name: str) -> str:
    return COPY_SUFFIX.sub("", Path(name).stem).strip()


def _flat_learner(name: str, root_name: str) -> str:
    lms = lms_name(name)
    if lms:
        return lms[0]
    stem = _stem(name)
    rest = LESSON_IN_NAME.sub("", stem, count=1).strip(" _-.")
    return rest or root_name


def _kind(mode: int) -> str:
    return ("a symbolic link (not followed)" if stat.S_ISLNK(mode) else
            "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else
            "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else
            "a socket" if stat.S_ISSOCK(mode) else "not a regular file")


def discover(root: Path) -> tuple[list[Submission], list[str], list[tuple[str, str, str]]]:
    """Every ``*.ipynb`` under ``root`` with its learner id; notes on the layout; and what was
    refused (relative path, why, learner id): symbolic links (files and folders), FIFOs,
    devices, files over :data:`MAX_BYTES`, folders deeper than :data:`MAX_DEPTH`, learner
    folders without a notebook. Nothing is opened here (``lstat`` only) and links are never
    followed.

    Flat layout: the learner id is the file name without the lesson part and copy suffixes
    (``alice_01_mechanism (1).ipynb`` → ``alice``), or the name part of a Canvas or Moodle
    bulk-download name. One folder per learner: the first folder (also parsed as an LMS name).
    Hidden files and folders (``.ipynb_checkpoints``) are skipped and reported.
    """
    walk = _Walk(text_of_name(root.name))
    stack: list[tuple[Path, tuple[str, ...]]] = [(root, ())]
    while stack:
        stack.extend(walk.folder(*stack.pop()))
    walk.refuse_empty_learner_folders()
    return walk.result()


@dataclass
class _Walk:
    """What :func:`discover` collects while it walks SUBMISSIONS (``lstat`` only)."""

    root_name: str
    found: list[tuple[tuple[str, ...], str, Path]] = field(default_factory=list)  # parts, name
    notes: list[str] = field(default_factory=list)
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # shown, why, learner
    folders_with_notebooks: set[str] = field(default_factory=set)
    learner_folders: dict[str, str] = field(default_factory=dict)  # name -> shown

    def folder(self, folder: Path, parts: tuple[str, ...]) -> list[tuple[Path, tuple[str, ...]]]:
        """Examine the entries of ``folder``; the subfolders still to search, in order."""
        try:
            entries = sorted(os.scandir(folder), key=lambda e: os.fsencode(e.name))
        except OSError as error:
            self.refused.append(("/".join(parts), f"folder cannot be listed ({error.strerror})",
                                 ""))
            return []
        subfolders = (self.entry(entry, parts) for entry in entries)
        return [sub for sub in subfolders if sub is not None]

    def entry(self, entry: os.DirEntry, parts: tuple[str, ...]) -> tuple[Path, tuple] | None:
        """Record one entry; a folder to search comes back."""
        name = text_of_name(entry.name)
        relative = (*parts, name)
        shown = "/".join(relative)
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError as error:
            self.refused.append((shown, f"cannot be examined ({error.strerror})", ""))
            return None
        if name.startswith("."):
            self.notes.append(f"skipped hidden file or folder: {shown}")
            return None
        if stat.S_ISDIR(info.st_mode):
            return self.subfolder(Path(entry.path), relative)
        self.file(Path(entry.path), relative, info)
        return None

    def subfolder(self, path: Path, relative: tuple[str, ...]) -> tuple[Path, tuple] | None:
        """A folder: a learner folder at the top; searched unless nested too deep."""
        shown = "/".join(relative)
        if len(relative) == 1:
            self.learner_folders[relative[0]] = shown
        if len(relative) > MAX_DEPTH:
            self.refused.append((shown, f"folders nested more than {MAX_DEPTH} deep "
                                        "(not searched)", ""))
            return None
        return path, relative

    def file(self, path: Path, relative: tuple[str, ...], info: os.stat_result) -> None:
        """A notebook found, or refused (link, FIFO, device, too large); other files ignored."""
        name, shown = relative[-1], "/".join(relative)
        notebook = name.lower().endswith(".ipynb")
        if not notebook and not stat.S_ISLNK(info.st_mode):
            return
        learner = (lms_name(relative[0]) or (relative[0],))[0] if len(relative) > 1 \
            else _flat_learner(name, self.root_name)
        if not stat.S_ISREG(info.st_mode):
            if stat.S_ISLNK(info.st_mode) and len(relative) == 1 and not notebook:
                self.learner_folders[name] = shown  # a learner folder that is a link
                self.refused.append((shown, "a symbolic link to a folder (not followed)", name))
            else:
                self.refused.append((shown, _kind(info.st_mode), learner))
            return
        if info.st_size > MAX_BYTES:
            self.refused.append((shown, f"larger than {MAX_BYTES // 2**20} MB "
                                        f"({info.st_size} bytes)", learner))
            return
        if len(relative) > 1:
            self.folders_with_notebooks.add(relative[0])
        self.found.append((relative, learner, path))

    def refuse_empty_learner_folders(self) -> None:
        for name, shown in sorted(self.learner_folders.items()):
            if name not in self.folders_with_notebooks and \
                    not any(r[0] == shown for r in self.refused):
                learner = (lms_name(name) or (name,))[0]
                self.refused.append((shown, "a learner folder without any notebook", learner))

    def result(self) -> tuple[list[Submission], list[str], list[tuple[str, str, str]]]:
        """Submissions and refusals with their collision-free learner ids, and the notes."""
        ids = unique_ids([learner for _, learner, _ in self.found] +
                         [r[2] for r in self.refused if r[2]])
        submissions = []
        for relative, learner, path in sorted(self.found):
            submission = Submission(path, "/".join(relative), ids[learner])
            if len(relative) > 2:
                submission.notes.append(f"nested folder: {submission.relative}")
            submissions.append(submission)
        refused = sorted((shown, why, ids[learner] if learner else "")
                         for shown, why, learner in self.refused)
        return submissions, self.notes, refused


def _clean(value: object) -> object:
    """``value`` (parsed JSON) with lone surrogates (``\\ud800``) replaced by U+FFFD, without
    recursion (the parser's depth limit already holds)."""
    def fix(text: str) -> str:
        return SURROGATE.sub("\ufffd", text)

    if isinstance(value, str):
        return fix(value)
    stack = [value]
    while stack:
        item = stack.pop()
        pairs = item.items() if isinstance(item, dict) else enumerate(item) \
            if isinstance(item, list) else ()
        for key, child in list(pairs):
            if isinstance(child, str):
                item[key] = fix(child)
            elif isinstance(child, (dict, list)):
                stack.append(child)
        if isinstance(item, dict) and any(isinstance(k, str) and fix(k) != k for k in item):
            for key in [k for k in item if fix(k) != k]:
                item[fix(key)] = item.pop(key)
    return value


def read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing anything but a regular file of at most :data:`MAX_BYTES`
    (checked on the open descriptor: no link is followed, no FIFO waited on)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(_kind(info.st_mode))
        if info.st_size > MAX_BYTES:
            raise ValueError(f"larger than {MAX_BYTES // 2**20} MB")
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise ValueError(f"larger than {MAX_BYTES // 2**20} MB")
        return data
    finally:
        os.close(fd)


def read(submission: Submission, lessons: dict[str, Lesson]) -> None:
    """Read the notebook read-only and find its lesson; set ``problem`` if it cannot be used."""
    try:
        data = json.loads(read_bytes(submission.path).decode("utf-8"))
    except UnicodeDecodeError:
        submission.problem = "not UTF-8 text"
        return
    except RecursionError:
        submission.problem = "invalid JSON (nested too deeply)"
        return
    except ValueError as error:
        text = str(error).splitlines()[0] if str(error) else type(error).__name__
        submission.problem = (text if not isinstance(error, json.JSONDecodeError)
                              else f"invalid JSON ({text})")
        return
    except OSError as error:
        submission.problem = ("a symbolic link (not followed)" if error.errno == 40 else
                              f"cannot be read ({error.strerror})")
        return
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
        submission.problem = "not a notebook (no list of cells)"
        return
    submission.cells = _clean(cells)
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


def names(source: str) -> tuple[set[str], set[str]]:
    """(names a cell binds at the top level, global names it reads anywhere), from the
    compiler's own symbol tables (a name a function binds itself, a parameter say, is local
    to it and not counted).

    >>> cell = "import numpy as np\\ndef f(x):\\n    return np.mean(x) + k"
    >>> [sorted(found) for found in names(cell)]
    [['f', 'np'], ['k', 'np']]
    """
    table = symtable.symtable(source, "<cell>", "exec")
    defined = {s.get_name() for s in table.get_symbols()
               if s.is_assigned() or s.is_imported() or s.is_namespace()}
    used = {s.get_name() for s in table.get_symbols() if s.is_referenced()}
    stack = list(table.get_children())
    while stack:
        scope = stack.pop()
        used |= {s.get_name() for s in scope.get_symbols() if s.is_referenced() and s.is_global()}
        stack += scope.get_children()
    return defined, used


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
            defined, used = names(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            line = getattr(error, "lineno", None)
            what = error.args[0] if error.args else "too deeply nested"
            parsed.append(Cell(index, source, set(), set(),
                               f"{type(error).__name__} in cell {index}"
                               + (f", line {line}" if line else "") + f": {what}"))
            continue
        parsed.append(Cell(index, source, defined, used))
    return parsed


def setup_names(lesson: Lesson) -> set[str]:
    return names(lesson.setup)[0]


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


def integrity_notes(cells: list[Cell], released: set[str]) -> list[str]:
    """Code worth an instructor's look, in lines the learner wrote: lines that appear in the
    released exercise or solution notebook (``released``, stripped) never raise a note, so a
    lesson whose own code lists folders (06) flags nobody."""
    notes = set()
    for cell in cells:
        text = "\n".join(line for line in cell.source.splitlines()
                         if line.strip() and line.strip() not in released)
        for pattern, what in SUSPICIOUS.items():
            if re.search(pattern, text, re.MULTILINE):
                notes.add(f"cell {cell.index} {what}")
    return sorted(notes)


def roster_text(path: Path) -> tuple[str, str]:
    """A roster's text, and a note when it was not UTF-8 (then read as Latin-1, which never
    fails); :func:`read_bytes` refuses anything but a regular file of at most 20 MB."""
    data = read_bytes(path)
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        return data.decode("latin-1"), f"roster {path.name} is not UTF-8: read as Latin-1"


def read_roster(path: Path) -> tuple[list[str], str]:
    """Learner ids from a roster CSV (the ``learner`` column if there is one, else the first),
    made safe as :func:`safe_id` does; and a note when the file was not UTF-8 (then it is read
    as Latin-1, which never fails).
    """
    text, note = roster_text(path)
    rows = list(csv.reader(io.StringIO(text.replace("\0", ""))))
    if not rows:
        return [], note
    header = [h.strip().lower() for h in rows[0]]
    column = header.index("learner") if "learner" in header else 0
    ids = {safe_id(r[column]) for r in rows[1:] if len(r) > column and r[column].strip()}
    return sorted(ids), note
