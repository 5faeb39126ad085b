"""A provenance ledger for a training corpus, in SQLite.

One row per document or shard in ``records``; derived-from links (W3C PROV's
``wasDerivedFrom``) in ``derived_from``. The schema below is the documentation:
its constraints refuse bad records inside the database, whatever program writes
to it. Every statement is parameterised; no SQL is ever built from data.

Fields of a record (``None`` where not known):

==================  ===============================================================
id                  text, 1-200 characters, unique
content_hash        SHA-256 of the content, 64 lowercase hex digits
source_kind         ``human`` | ``web_crawl`` | ``model_output``
generator           the generating model's name (model outputs)
generator_version   its version
depth               generation depth: 0 = real; k = produced by a model whose
                    training data had maximum depth exactly k - 1; ``None`` = unknown
created, collected  ISO dates ``YYYY-MM-DD`` (collected is required)
licence             free text
verification        ``unverified`` | ``verified`` | ``rejected``
verifier            who or what verified (required unless unverified)
detector_score      a synthetic-text detector's score in [0, 1]
provenance          ``declared`` | ``inferred`` | ``unknown`` (unknown iff depth is None)
parents             ids of the records this one was derived from
==================  ===============================================================

>>> ledger = Ledger()
>>> ledger.add(dict(id="doc-1", content_hash=sha256("hello"), source_kind="human", depth=0,
...                 collected="2026-01-05", provenance="declared"))
>>> ledger.query("SELECT id, depth FROM records WHERE id = ?", ("doc-1",))
[('doc-1', 0)]
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import re
import sqlite3
import tempfile
import time
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from helpers.governance import schemas

__all__ = ["SCHEMA_VERSION", "SCHEMA", "LedgerError", "Record", "Ledger", "sha256"]

#: Version of :data:`SCHEMA`, stored in the database as ``PRAGMA user_version``.
SCHEMA_VERSION = 1

# date(x, '+0 days') normalises impossible days (2026-02-30 becomes 2026-03-02), so
# "IS x" accepts real calendar dates written as YYYY-MM-DD only.
SCHEMA = """
CREATE TABLE records (
    id                TEXT PRIMARY KEY NOT NULL
                      CONSTRAINT id_length CHECK (length(id) BETWEEN 1 AND 200),
    content_hash      TEXT NOT NULL
                      CONSTRAINT content_hash_sha256
                      CHECK (length(content_hash) = 64 AND content_hash NOT GLOB '*[^0-9a-f]*'),
    source_kind       TEXT NOT NULL
                      CONSTRAINT source_kind_known
                      CHECK (source_kind IN ('human', 'web_crawl', 'model_output')),
    generator         TEXT,
    generator_version TEXT,
    depth             INTEGER
                      CONSTRAINT depth_nonnegative
                      CHECK (depth IS NULL OR (typeof(depth) = 'integer' AND depth >= 0)),
    created           TEXT
                      CONSTRAINT created_date
                      CHECK (created IS NULL OR date(created, '+0 days') IS created),
    collected         TEXT NOT NULL
                      CONSTRAINT collected_date CHECK (date(collected, '+0 days') IS collected),
    licence           TEXT,
    verification      TEXT NOT NULL DEFAULT 'unverified'
                      CONSTRAINT verification_known
                      CHECK (verification IN ('unverified', 'verified', 'rejected')),
    verifier          TEXT,
    detector_score    REAL
                      CONSTRAINT detector_score_range
                      CHECK (detector_score IS NULL OR (detector_score BETWEEN 0 AND 1)),
    provenance        TEXT NOT NULL
                      CONSTRAINT provenance_known
                      CHECK (provenance IN ('declared', 'inferred', 'unknown')),
    CONSTRAINT depth_unknown_iff_provenance_unknown
        CHECK ((depth IS NULL) = (provenance = 'unknown')),
    CONSTRAINT human_depth_zero CHECK (source_kind != 'human' OR depth IS 0),
    CONSTRAINT model_output_depth_positive
        CHECK (source_kind != 'model_output' OR (depth IS NOT NULL AND depth >= 1)),
    CONSTRAINT verifier_named CHECK (verification = 'unverified' OR verifier IS NOT NULL)
) STRICT;

CREATE TABLE derived_from (
    child  TEXT NOT NULL REFERENCES records(id) DEFERRABLE INITIALLY DEFERRED,
    parent TEXT NOT NULL REFERENCES records(id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (child, parent),
    CONSTRAINT not_own_parent CHECK (child != parent)
) STRICT;

CREATE INDEX derived_from_parent ON derived_from(parent);
"""

# What each named constraint means, for error messages that name the field.
_CONSTRAINTS = {
    "id_length": ("id", "must be 1 to 200 characters"),
    "content_hash_sha256": ("content_hash", "must be a SHA-256 digest: 64 lowercase hex digits"),
    "source_kind_known": ("source_kind", "must be 'human', 'web_crawl' or 'model_output'"),
    "depth_nonnegative": ("depth", "must be an integer >= 0 (0 = real), or None if unknown"),
    "created_date": ("created", "must be an ISO date YYYY-MM-DD or None"),
    "collected_date": ("collected", "must be an ISO date YYYY-MM-DD"),
    "verification_known": ("verification", "must be 'unverified', 'verified' or 'rejected'"),
    "detector_score_range": ("detector_score", "must be in [0, 1] or None"),
    "provenance_known": ("provenance", "must be 'declared', 'inferred' or 'unknown'"),
    "depth_unknown_iff_provenance_unknown": (
        "depth", "must be None exactly when provenance is 'unknown'"),
    "human_depth_zero": ("depth", "must be 0 for source_kind 'human'"),
    "model_output_depth_positive": ("depth", "must be >= 1 for source_kind 'model_output'"),
    "verifier_named": ("verifier", "must name who verified unless verification is 'unverified'"),
    "not_own_parent": ("parents", "must not contain the record's own id"),
}

_TYPES: dict[str, type | tuple[type, ...]] = {
    "id": str, "content_hash": str, "source_kind": str, "generator": str,
    "generator_version": str, "depth": int, "created": str, "collected": str, "licence": str,
    "verification": str, "verifier": str, "detector_score": (int, float), "provenance": str,
}
_REQUIRED = ("id", "content_hash", "source_kind", "collected", "provenance")
_MAX_DEPTH = 2**62  # SQLite stores 64-bit integers; a deeper chain is not a real one
MAX_LINE = 1_000_000  # characters of one JSON Lines record
_MAX_IDS = 10**6  # ids asked for in one records() call
QUERY_SECONDS = 10.0  # a query running longer is interrupted (a runaway recursive query)


def _path(path: Any, name: str = "path") -> Path:
    """``path`` as a Path after checking its type and that it names something."""
    if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a file path (str or pathlib.Path), "
                        f"got {type(path).__name__}")
    text = os.fspath(path)
    if not isinstance(text, str) or not text or "\0" in text:
        raise ValueError(f"{name} must be a non-empty file path without NUL characters, "
                         f"got {text!r}")
    return Path(text)


def _readable_file(path: Any, name: str = "path") -> Path:
    """``path`` as a Path naming an existing regular file (symlinks to one are fine)."""
    try:
        return schemas.regular_file(_path(path, name), "ledger file", label=name,
                                    max_bytes=None)
    except schemas.SchemaError as error:
        raise LedgerError(str(error)) from None


def _new_file(path: Any, name: str = "path", *, replace: bool = True) -> Path:
    """``path`` as a Path where a new regular file may be written: its folder exists and is
    writable; whatever is there already is a regular file (if ``replace``), not a link."""
    path = _path(path, name)
    if _lstat(path, name) is not None and path.is_symlink():
        raise LedgerError(f"{name}: {str(path)[:200]!r} is a symbolic link; write to the "
                          "file itself")
    if _lstat(path, name) is not None:
        if not replace:
            raise LedgerError(f"{name}: {str(path)[:200]!r} exists already; choose a new file "
                              "name")
        if not path.is_file():
            raise LedgerError(f"{name}: {str(path)[:200]!r} exists and is not a regular file")
    folder = path.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise LedgerError(f"{name}: cannot write into the folder {str(folder)[:200]!r}")
    return path


def _lstat(path: Path, name: str) -> os.stat_result | None:
    """``os.lstat(path)``, or None if nothing is there; other failures name ``name``."""
    try:
        return path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:  # a name too long, a loop of links, no permission
        raise LedgerError(f"{name}: cannot use {str(path)[:80]!r} "
                          f"({error.strerror or error})") from None


def _write_atomically(path: Path, name: str, write: Any) -> None:
    """Call ``write(temporary_path)`` and move the result to ``path`` (all or nothing);
    file-system failures become a LedgerError naming ``name``."""
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name[:50]}.", dir=path.parent)
        os.close(handle)
        write(Path(temporary))
        os.replace(temporary, path)
        temporary = None
    except (OSError, sqlite3.Error) as error:
        raise LedgerError(f"{name}: cannot write {str(path)[:200]!r} ({error})") from None
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


class LedgerError(ValueError):
    """A record or ledger file the ledger refuses; the message names the field."""


def sha256(content: str | bytes) -> str:
    """The SHA-256 hex digest of ``content`` (text is encoded as UTF-8).

    >>> sha256("")[:12]
    'e3b0c44298fc'
    """
    if isinstance(content, str):
        content = content.encode("utf-8")
    if not isinstance(content, bytes):
        raise TypeError(f"content must be str or bytes, got {type(content).__name__}")
    return hashlib.sha256(content).hexdigest()


@dataclass(frozen=True)
class Record:
    """One row of the ledger (see the module docstring for the fields)."""

    id: str
    content_hash: str
    source_kind: str
    collected: str
    provenance: str
    depth: int | None = None
    generator: str | None = None
    generator_version: str | None = None
    created: str | None = None
    licence: str | None = None
    verification: str = "unverified"
    verifier: str | None = None
    detector_score: float | None = None
    parents: tuple[str, ...] = field(default=())

    @property
    def synthetic(self) -> bool:
        """True for a known model-made record (depth >= 1)."""
        return self.depth is not None and self.depth >= 1

    @property
    def real(self) -> bool:
        """True for a record known to be real (depth 0)."""
        return self.depth == 0


COLUMNS = tuple(f.name for f in fields(Record) if f.name != "parents")
# Built once from the constant column names; values always go in as parameters.
_INSERT = (f"INSERT INTO records ({', '.join(COLUMNS)}) "
           f"VALUES ({', '.join('?' * len(COLUMNS))})")


def _record(value: Any, where: str = "") -> Record:
    """Validate the Python types of a mapping (or Record) and return a Record."""
    if isinstance(value, Record):
        value = {f: getattr(value, f) for f in COLUMNS + ("parents",)}
    if not isinstance(value, Mapping):
        raise TypeError(f"a record must be a mapping or a Record{where}, "
                        f"got {type(value).__name__}")
    _check_fields(value, where)
    _check_types(value, where)
    depth = value.get("depth")
    if isinstance(depth, int) and not -_MAX_DEPTH <= depth <= _MAX_DEPTH:
        raise LedgerError(f"field 'depth'{where} must be an integer >= 0 (0 = real) of at most "
                          f"{_MAX_DEPTH}, got a number of {len(str(depth))} digits")
    data = dict(value)
    if value.get("detector_score") is not None:
        data["detector_score"] = _score(value["detector_score"], where)
    data["parents"] = _parents(value.get("parents"), where)
    if data.get("verification") is None:
        data["verification"] = "unverified"
    return Record(**data)


def _check_fields(value: Mapping, where: str) -> None:
    """No unknown field, every required one."""
    unknown = sorted(set(value) - set(COLUMNS) - {"parents"})
    if unknown:
        raise LedgerError(f"unknown field {unknown[0]!r}{where}; known fields: "
                          f"{', '.join(COLUMNS + ('parents',))}")
    for name in _REQUIRED:
        if value.get(name) is None:
            raise LedgerError(f"missing field {name!r}{where}")


def _check_types(value: Mapping, where: str) -> None:
    """Each field of :data:`_TYPES` has its type (or is None); text is valid Unicode."""
    for name, kind in _TYPES.items():
        item = value.get(name)
        if item is not None and (isinstance(item, bool) or not isinstance(item, kind)):
            raise LedgerError(f"field {name!r}{where} must be "
                              f"{'a number' if name == 'detector_score' else kind.__name__}"
                              f" or None, got {type(item).__name__}")
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise LedgerError(f"field {name!r}{where} holds characters that are not "
                                  "valid Unicode text (a lone surrogate)") from None


def _score(score: Any, where: str) -> float:
    """A detector score (already a number) as a float in [0, 1]."""
    try:
        value = float(score)
    except OverflowError:
        value = math.inf
    if not 0.0 <= value <= 1.0:  # NaN fails too
        raise LedgerError(f"field 'detector_score'{where} must be in [0, 1] or None, "
                          f"got {str(score)[:40]}")
    return value


def _parents(parents: Any, where: str) -> tuple[str, ...]:
    """The parent ids as a tuple (None: no parents)."""
    if parents is None:
        return ()
    if isinstance(parents, str) or not isinstance(parents, Sequence) or not all(
            isinstance(p, str) for p in parents):
        raise LedgerError(f"field 'parents'{where} must be a list of record ids")
    return tuple(parents)


class Ledger:
    """A provenance ledger in an SQLite database file (or in memory by default).

    Opening an existing file checks its schema version and columns; a new or
    empty file gets :data:`SCHEMA`. ``readonly=True`` opens an existing file
    without the right to change it. It is closed when the last reference to it goes; use it as
    a context manager to close it earlier.

    >>> with Ledger() as ledger:
    ...     len(ledger)
    0
    """

    def __init__(self, path: str | Path = ":memory:", *, readonly: bool = False) -> None:
        if not isinstance(readonly, bool):
            raise TypeError(f"readonly must be True or False, got {type(readonly).__name__}")
        memory = isinstance(path, str) and path == ":memory:" and not readonly
        if not memory:  # an existing regular file, or a new file in a writable folder
            path = (_readable_file(path) if readonly or _lstat(_path(path), "path")
                    else _new_file(path))
        self.path = str(path)
        try:
            if readonly:  # an existing file, opened so that nothing can change it
                uri = "file:" + urllib.parse.quote(Path(path).resolve().as_posix()) + "?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, isolation_level=None)
            else:
                self._db = sqlite3.connect(self.path, isolation_level=None)
        except sqlite3.Error as error:
            raise LedgerError(f"path: cannot open {self.path[:200]!r} ({error})") from None
        try:
            self._db.execute("PRAGMA foreign_keys = ON")
            self._open()
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise LedgerError(f"path: {self.path[:200]} is not a ledger database "
                              f"({error})") from None
        except BaseException:
            self._db.close()
            raise

    def _open(self) -> None:
        tables = {row[0] for row in self._db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            self._db.executescript(SCHEMA)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
            return
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            raise LedgerError(f"{self.path}: schema version {version}, this code reads version "
                              f"{SCHEMA_VERSION}")
        for table, wanted in (("records", COLUMNS), ("derived_from", ("child", "parent"))):
            if table not in tables:
                raise LedgerError(f"{self.path}: table {table!r} is missing")
            have = {row[1] for row in self._db.execute(
                "SELECT * FROM pragma_table_info(?)", (table,))}
            missing = [c for c in wanted if c not in have]
            if missing:
                raise LedgerError(f"{self.path}: table {table!r} has no column {missing[0]!r}")
        problems = self.problems()
        if problems:
            raise LedgerError(f"{self.path}: {problems[0]}")

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        # A ledger nobody closed (a learner's, a doctest's) closes its connection here, rather
        # than leave it to sqlite3, which warns about an unclosed database (Python 3.13+).
        db = getattr(self, "_db", None)
        if db is not None:
            try:
                db.close()
            except sqlite3.ProgrammingError:  # collected in another thread: sqlite3 closes it
                pass

    def __len__(self) -> int:
        return self._db.execute("SELECT count(*) FROM records").fetchone()[0]

    def __contains__(self, record_id: object) -> bool:
        return isinstance(record_id, str) and self._db.execute(
            "SELECT 1 FROM records WHERE id = ?", (record_id,)).fetchone() is not None

    # ------------------------------------------------------------------ writing
    def add(self, record: Mapping[str, Any] | Record) -> None:
        """Add one record (a mapping of the fields, or a :class:`Record`)."""
        self.add_many([record])

    def add_many(self, records: Iterable[Mapping[str, Any] | Record],
                 source: str | None = None) -> int:
        """Add records in one transaction: all of them, or none if one is refused.

        Parents may come later in the same batch. Returns the number added. An error
        names the refused record's position, "record 3" (counting from 1), and
        ``source`` when given ("record 3 of batch.json").

        >>> Ledger().add_many([])
        0
        """
        if source is not None and not isinstance(source, str):
            raise TypeError(f"source must be a str or None, got {type(source).__name__}")
        if isinstance(records, (str, bytes, Mapping, Record)):
            raise TypeError("records must be an iterable of records (mappings or Record), "
                            f"got one {type(records).__name__}")
        try:
            numbered = enumerate(iter(records), start=1)
        except Exception:  # noqa: BLE001 -- not iterable, or an object whose __iter__ fails
            raise TypeError("records must be an iterable of records (mappings or Record), "
                            f"got {type(records).__name__}") from None
        label = f" of {source}" if source else ""
        return self._add(((f" (record {n}{label})", value) for n, value in numbered))

    def _add(self, records: Iterable[tuple[str, Any]]) -> int:
        """Add ``(where, record)`` pairs in one transaction; ``where`` labels errors."""
        self._db.execute("BEGIN")
        count = 0
        try:
            for where, value in records:
                count += 1
                self._insert(_record(value, where), where)
            problems = self.problems()
            if problems:
                raise LedgerError(problems[0])
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return count

    def _insert(self, record: Record, where: str) -> None:
        try:
            self._db.execute(_INSERT, tuple(getattr(record, c) for c in COLUMNS))
            if record.parents:
                self._db.executemany("INSERT INTO derived_from (child, parent) VALUES (?, ?)",
                                     [(record.id, p) for p in record.parents])
        except sqlite3.IntegrityError as error:
            raise LedgerError(_explain(error, record.id, where)) from None
        except sqlite3.OperationalError as error:
            raise LedgerError(f"record {record.id!r}{where}: the ledger cannot be changed "
                              f"({error})") from None

    # ------------------------------------------------------------------ reading
    def query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[tuple]:
        """Run one read-only SQL statement with ``?`` (or ``:name``) parameters.

        Values always go in ``params``, never into the SQL text. Writing
        statements are refused (the connection is switched to query-only).

        >>> Ledger().query("SELECT count(*) FROM records WHERE source_kind = ?", ("human",))
        [(0,)]
        """
        if not isinstance(sql, str):
            raise TypeError(f"sql must be a str, got {type(sql).__name__}")
        if "\0" in sql:
            raise LedgerError("sql: the statement contains a NUL character")
        if not isinstance(params, (Sequence, Mapping)) or isinstance(params, (str, bytes)):
            raise TypeError("params must be a sequence or a mapping of values, "
                            f"got {type(params).__name__}")
        deadline = time.monotonic() + QUERY_SECONDS
        self._db.execute("PRAGMA query_only = ON")
        self._db.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.OperationalError as error:
            if str(error) == "interrupted":
                raise LedgerError(f"sql: query interrupted after {QUERY_SECONDS:g} s") from None
            raise LedgerError(f"sql: query refused: {error}") from None
        except sqlite3.ProgrammingError as error:
            raise LedgerError(f"params: query refused: {error}") from None
        except sqlite3.Error as error:
            raise LedgerError(f"sql: query refused: {error}") from None
        except OverflowError:
            raise LedgerError("params: a number too large for SQLite's 64-bit integers") from None
        except sqlite3.Warning as error:  # Python < 3.12 raises a Warning for "a; b"
            raise LedgerError(f"sql: query refused: {error}") from None
        finally:
            self._db.set_progress_handler(None, 0)
            self._db.execute("PRAGMA query_only = OFF")

    def get(self, record_id: str) -> Record | None:
        """The record with this id, or ``None``."""
        if not isinstance(record_id, str):
            raise TypeError(f"record_id must be a str, got {type(record_id).__name__}")
        found = self.records([record_id])
        return found[0] if found else None

    def records(self, ids: Iterable[str] | None = None) -> list[Record]:
        """All records (ordered by id), or those among ``ids`` that exist, in that order."""
        if ids is not None:
            if isinstance(ids, (str, bytes)) or not isinstance(ids, Iterable):
                raise TypeError(f"ids must be an iterable of record ids (str) or None, got "
                                f"{type(ids).__name__}")
            try:
                ids = list(itertools.islice(ids, _MAX_IDS + 1))
            except Exception:  # noqa: BLE001 -- an object whose iteration fails
                raise TypeError("ids must be an iterable of record ids (str) or None") from None
            if len(ids) > _MAX_IDS:
                raise ValueError(f"ids: more than {_MAX_IDS} ids asked for at once")
            if not all(isinstance(i, str) for i in ids):
                raise TypeError("ids must hold record ids (str) only")
        rows = self._db.execute(f"SELECT {', '.join(COLUMNS)} FROM records ORDER BY id")
        everything = {row[0]: dict(zip(COLUMNS, row, strict=True)) for row in rows}
        links: dict[str, list[str]] = {}
        for child, parent in self._db.execute(
                "SELECT child, parent FROM derived_from ORDER BY child, parent"):
            links.setdefault(child, []).append(parent)
        wanted = everything.keys() if ids is None else [
            i for i in ids if i in everything]
        return [Record(**everything[i], parents=tuple(links.get(i, ()))) for i in wanted]

    def __iter__(self) -> Iterator[Record]:
        return iter(self.records())

    def problems(self) -> list[str]:
        """Integrity problems the schema alone cannot state: dangling parents and cycles.

        >>> Ledger().problems()
        []
        """
        found = [f"record {child!r} names parent {parent!r}, which is not in the ledger"
                 for child, parent in self._db.execute(
                     "SELECT child, parent FROM derived_from "
                     "WHERE parent NOT IN (SELECT id FROM records) ORDER BY child")]
        on_cycles = _on_cycles(self._db.execute("SELECT child, parent FROM derived_from"))
        if on_cycles:
            found.append(f"record {min(on_cycles)!r} is derived from itself through its parents "
                         "(a cycle in the derived-from links)")
        return found

    def save(self, path: str | Path) -> None:
        """Copy the whole ledger into a new SQLite file (refuses to overwrite one).

        A path that exists, is a link, or lies in a folder that cannot be written is a
        LedgerError naming ``path``; the copy appears whole or not at all.
        """
        path = _new_file(path, replace=False)

        def write(temporary: Path) -> None:
            target = sqlite3.connect(temporary)
            try:
                self._db.backup(target)
            finally:
                target.close()

        _write_atomically(path, "path", write)

    # ------------------------------------------------------------------ JSON Lines
    def export_jsonl(self, path: str | Path) -> int:
        """Write every record as one JSON object per line; return the number written.

        ``path`` is a file path (not a file descriptor); an existing regular file there is
        replaced whole, at the end (a reader never sees half of it).
        """
        path = _new_file(path)
        records = self.records()

        def write(temporary: Path) -> None:
            with open(temporary, "w", encoding="utf-8") as out:
                for record in records:
                    row = asdict(record)
                    row["parents"] = list(row["parents"])
                    out.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")

        _write_atomically(path, "path", write)
        return len(records)

    def import_jsonl(self, path: str | Path) -> int:
        """Add the records of a JSON Lines file in one transaction; return how many.

        A malformed line is refused with its line number; nothing is added then. ``path``
        must name a regular file (not a FIFO, a folder or a device).
        """
        path = _readable_file(path)
        return self._add(_read_jsonl(path, path.name))

    @classmethod
    def from_jsonl(cls, path: str | Path) -> Ledger:
        """A new in-memory ledger holding the records of a JSON Lines file."""
        ledger = cls()
        try:
            ledger.import_jsonl(path)
        except BaseException:
            ledger.close()
            raise
        return ledger


def _read_jsonl(path: Path, name: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(where, record)`` for each non-blank line; ``where`` names the file and line."""
    try:
        with open(path, encoding="utf-8", newline="") as lines:
            number = 0
            while line := lines.readline(MAX_LINE + 1):
                number += 1
                if len(line) > MAX_LINE:
                    raise LedgerError(f"{name}, line {number}: longer than {MAX_LINE} "
                                      "characters")
                if line.strip():
                    yield f" ({name}, line {number})", _json_object(line, name, number)
    except UnicodeDecodeError as error:
        raise LedgerError(f"{name}: not UTF-8 text (byte {error.start} of a line "
                          f"after line {number})") from None
    except OSError as error:
        raise LedgerError(f"path: cannot read {name} ({error.strerror or error})") from None


def _json_object(line: str, name: str, number: int) -> dict[str, Any]:
    """One line of a JSON Lines export as a dict: JSON syntax, nesting and number ranges by
    :func:`helpers.governance.schemas.parse` (the one reader of the files CI jobs feed in);
    the fields are checked by the ledger itself (:func:`_record`), as for every record."""
    try:
        value = schemas.parse(line, schemas.ANY_JSON, f"{name}, line {number}")
    except schemas.SchemaError as error:
        raise LedgerError(str(error)) from None
    if not isinstance(value, dict):
        raise LedgerError(f"{name}, line {number}: expected a JSON object")
    return value


def _on_cycles(edges: Iterable[tuple[str, str]]) -> set[str]:
    """Nodes that lie on a cycle of the directed graph ``edges`` (child -> parent): the
    members of its strongly connected components of more than one node (scipy's, linear in
    nodes and edges; a recursive SQL closure is cubic on a long derivation chain).

    >>> sorted(_on_cycles([("a", "b"), ("b", "a"), ("c", "a")]))
    ['a', 'b']
    """
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components

    index: dict[str, int] = {}
    pairs = [(index.setdefault(child, len(index)), index.setdefault(parent, len(index)))
             for child, parent in edges]
    if not pairs:
        return set()
    rows, cols = zip(*pairs, strict=True)
    graph = coo_array((np.ones(len(pairs)), (rows, cols)), shape=(len(index), len(index))).tocsr()
    # 32-bit indices: SciPy 1.11's graph routines take no others (given 64-bit ones, they print
    # an ignored exception and return garbage labels)
    graph.indices, graph.indptr = graph.indices.astype(np.int32), graph.indptr.astype(np.int32)
    _, labels = connected_components(graph, directed=True, connection="strong")
    sizes = np.bincount(labels)
    return {node for node, i in index.items() if sizes[labels[i]] > 1}


_FAILED = re.compile(r"(CHECK|NOT NULL|UNIQUE|FOREIGN KEY) constraint failed(?:: (.*))?")


def _explain(error: sqlite3.IntegrityError, record_id: str, where: str) -> str:
    match = _FAILED.search(str(error))
    kind, detail = (match.group(1), match.group(2) or "") if match else ("", "")
    if kind == "CHECK" and detail in _CONSTRAINTS:
        column, rule = _CONSTRAINTS[detail]
        return f"record {record_id!r}{where}: field {column!r} {rule}"
    if kind == "UNIQUE" and detail.startswith("records.id"):
        return f"record {record_id!r}{where}: duplicate id, already in the ledger"
    if kind == "UNIQUE":
        return f"record {record_id!r}{where}: a parent is listed twice"
    if kind == "NOT NULL":
        return f"record {record_id!r}{where}: field {detail.split('.')[-1]!r} is required"
    return f"record {record_id!r}{where}: refused by the database ({error})"
