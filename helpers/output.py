"""Where the course may write files, and the one atomic writer every report uses.

Output goes where the caller says (never into a place found from this package's own
path: an installed package must not write into ``site-packages``). :func:`check_folder`
refuses, before any work starts, a folder that cannot take the files: an empty path,
a symbolic link (dangling or not), a path under ``/proc``, ``/sys`` or ``/dev``, a name
longer than the file system allows, a file where the folder must be, a directory or a
link where one of the files must go, or a place the process cannot write.
:func:`write_files` writes a set of files into a checked folder: everything is written
to a staging folder beside it first and moved into place at the end, so a failure
leaves nothing half-written and a reader never sees half a file.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     paths = write_files(Path(tmp) / "out", {"a.txt": "hello"})
...     [p.name for p in paths], paths[0].read_text()
(['a.txt'], 'hello')
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, KeysView, Mapping
from pathlib import Path
from typing import Any

__all__ = ["SYSTEM_FOLDERS", "MAX_NAME", "MAX_PATH", "check_folder", "inside", "write_files"]

#: Virtual file systems no report belongs in.
SYSTEM_FOLDERS = (Path("/proc"), Path("/sys"), Path("/dev"))
MAX_NAME = 255  # bytes per path component on common file systems
MAX_PATH = 4096  # bytes per path (Linux PATH_MAX)

Content = str | bytes | Callable[[Path], None]


def inside(path: str | os.PathLike, folder: str | os.PathLike) -> bool:
    """True when ``path`` is ``folder`` or lies below it, component by component (a sibling
    ``out-evil`` does not lie inside ``out``).

    >>> inside(Path("/a/out/x"), Path("/a/out")), inside(Path("/a/out-evil"), Path("/a/out"))
    (True, False)
    """
    path, folder = _path_of(path, "path"), _path_of(folder, "folder")
    return path == folder or folder in path.parents


def _path_of(value: Any, name: str) -> Path:
    if isinstance(value, bytes) or not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or pathlib.Path), got "
                        f"{type(value).__name__}")
    text = os.fspath(value)
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a text path, got {type(text).__name__}")
    return Path(text)


def _refuse(name: str, folder: object, why: str) -> ValueError:
    return ValueError(f"{name}: {why}, got {str(folder)!r}")


def check_folder(folder: str | os.PathLike, files: Iterable[str] = (), *,
                 name: str = "folder") -> Path:
    """``folder`` as a :class:`~pathlib.Path`, checked to be able to take ``files``.

    Raises ``TypeError`` for a non-path and ``ValueError`` naming ``name`` otherwise
    (see the module docstring). Nothing is created.

    >>> check_folder("")
    Traceback (most recent call last):
    ...
    ValueError: folder: an empty path names no folder, got ''
    """
    path = _as_path(folder, name)
    files = _names(files)
    if any(inside(Path(os.path.realpath(path)), system) for system in SYSTEM_FOLDERS):
        raise _refuse(name, folder, "output cannot go into a system folder (/proc, /sys, "
                      "/dev)")
    if path.is_symlink():
        raise _refuse(name, folder, "is a symbolic link" + (
            "" if path.exists() else " to nothing (dangling)") + "; give the real folder")
    if path.exists() and not path.is_dir():
        raise _refuse(name, folder, "is a file, not a folder")
    for file in files:
        _check_file(path, file, folder, name)
    _check_writable(path, folder, name)
    return path


def _names(files: Any) -> list[str]:
    """``files`` as a list of plain file names: a list, tuple, set or the keys of a dict (a
    str would be one name per character, an endless iterator would never end: refused)."""
    if not isinstance(files, (list, tuple, set, frozenset, Mapping, KeysView)):
        raise TypeError(f"files must be a list of file names, got {type(files).__name__}")
    names = list(files)
    if not all(isinstance(f, str) for f in names):
        raise TypeError("files must be a list of file names (str)")
    return names


def _as_path(folder: Any, name: str) -> Path:
    """``folder`` as a Path: a non-empty text path whose names fit the file system."""
    if isinstance(folder, bytes) or not isinstance(folder, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or pathlib.Path), got "
                        f"{type(folder).__name__}")
    text = os.fspath(folder)
    if not isinstance(text, str) or not text.strip():
        raise _refuse(name, folder, "an empty path names no folder")
    if "\x00" in text:
        raise _refuse(name, folder, "a path cannot hold a NUL character")
    path = Path(text).expanduser()
    if any(len(p.encode("utf-8", "surrogateescape")) > MAX_NAME for p in path.parts):
        raise _refuse(name, folder, f"a file or folder name is longer than {MAX_NAME} bytes")
    if len(os.fsencode(path.absolute())) > MAX_PATH:
        raise _refuse(name, folder, f"the path is longer than {MAX_PATH} bytes")
    return path


def _check_file(path: Path, file: str, folder: Any, name: str) -> None:
    if len(file.encode("utf-8", "surrogateescape")) > MAX_NAME:
        raise _refuse(name, folder, f"a file name is longer than {MAX_NAME} bytes")
    target = path / file
    if target.is_symlink():
        raise _refuse(name, folder, f"{file} in it is a symbolic link; refusing to follow it")
    if target.is_dir():
        raise _refuse(name, folder, f"{file} in it is a directory where a file must go")


def _check_writable(path: Path, folder: Any, name: str) -> None:
    """The nearest folder that exists must take new entries."""
    existing = path
    while not existing.exists():
        if existing.is_symlink():
            raise _refuse(name, folder, f"{existing} is a dangling symbolic link")
        existing = existing.parent
    if not existing.is_dir():
        raise _refuse(name, folder, f"{existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise _refuse(name, folder, f"this process cannot write in {existing}")


def _write(target: Path, content: Content) -> None:
    if callable(content):
        content(target)
    elif isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")


def write_files(folder: str | os.PathLike, contents: Mapping[str, Content]) -> list[Path]:
    """Write ``contents`` (file name -> text, bytes or ``writer(path)``) into ``folder``.

    The folder is checked (:func:`check_folder`) and created if needed; files are staged
    beside it and moved in at the end. Other files already in the folder are kept.
    Returns the written paths, in the order of ``contents``.
    """
    if not isinstance(contents, Mapping) or not contents:
        raise TypeError("contents must be a non-empty dict of file name -> content")
    for file, content in contents.items():
        if not isinstance(file, str) or Path(file).name != file or file in (".", ".."):
            raise ValueError(f"contents: {file!r} is not a plain file name")
        if not isinstance(content, (str, bytes)) and not callable(content):
            raise TypeError(f"contents[{file!r}] must be str, bytes or a writer(path), got "
                            f"{type(content).__name__}")
    path = check_folder(folder, contents)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        for file, content in contents.items():
            _write(staging / file, content)
        if not path.exists():
            os.replace(staging, path)
        else:
            for file in contents:
                os.replace(staging / file, path / file)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return [path / file for file in contents]
