"""JSON Schemas of the files CI jobs feed the governance command, and one safe reader.

:data:`MANIFEST`, :data:`RELEASES` and :data:`LEDGER_LINE` describe a training manifest,
the measurements per release and one line of a JSON Lines ledger export (the ledger's own
checks, :mod:`helpers.governance.ledger`, still decide whether a record is consistent).
:func:`read_file` refuses what is not a regular file (a FIFO would block forever) or is too
large, before reading; :func:`parse` reads JSON text and validates it against a schema, so
that deep nesting, numbers too large for a float and wrong shapes all give one
:class:`SchemaError` line (the command's exit code 2), never a ``RecursionError`` or an
``OverflowError``.

>>> parse('{"records": ["a"]}', MANIFEST, "run.json")
{'records': ['a']}
>>> parse('{"records": "a"}', MANIFEST, "run.json")
Traceback (most recent call last):
...
helpers.governance.schemas.SchemaError: run.json: 'records' must be a list of record ids (strings)
>>> parse('{"r1": {"variance": 1e400}}', RELEASES, "releases.json")
Traceback (most recent call last):
...
helpers.governance.schemas.SchemaError: releases.json: 'r1.variance' must be a finite number \
of at most 1e+15 in size, got inf
"""

from __future__ import annotations

import json
import math
import numbers
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers.validate import MAX_NESTING, check_nesting, integer, shown

__all__ = ["SchemaError", "ANY_JSON", "MANIFEST", "RELEASES", "LEDGER_LINE", "MAX_BYTES",
           "MAX_DEPTH", "MAX_NUMBER", "regular_file", "read_file", "parse", "check"]

MAX_BYTES = 64 * 2**20  # a policy, manifest or releases file larger than this is refused
MAX_DEPTH = MAX_NESTING  # nesting of objects and arrays; every schema here needs at most 3
MAX_NUMBER = 1e15  # larger magnitudes are not counts, shares or measurements


class SchemaError(ValueError):
    """A file that does not have the expected form; the message names file and place.

    ``path`` is the keys and indexes of the offending value, ``place`` the same pointing at
    an unknown field's own key, ``reason`` what is wrong, worded by the schema's
    ``x-message`` where it has one (then without the place: the wording names it).
    """

    def __init__(self, message: str, place: tuple = (), reason: str = "",
                 path: tuple | None = None) -> None:
        super().__init__(message)
        self.place, self.reason = place, reason or message
        self.path = place if path is None else path


_DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_TEXT = {"type": "string", "minLength": 1}

#: Any JSON value: only the limits of nesting (:data:`MAX_DEPTH`) and numbers apply.
ANY_JSON: dict[str, Any] = {}

#: A training manifest: the record ids a run trains on, its name and fresh-data date.
#: ``x-message`` (ignored by JSON Schema) words an error of a keyword for a reader:
#: ``{value}``, ``{extra}`` (an unknown field), ``{twice}`` (a repeated item) are filled in.
MANIFEST: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "x-message": {"type": "'name' must be text, got {value}"}},
        "records": {"type": "array", "minItems": 1, "uniqueItems": True,
                    "items": {"type": "string", "x-message": {
                        "type": "'records' must be a list of record ids (strings)"}},
                    "x-message": {
                        "type": "'records' must be a list of record ids (strings)",
                        "minItems": "'records' is empty; a manifest names at least one record",
                        "uniqueItems": "record {twice} is listed twice in 'records'"}},
        "fresh_since": {**_DATE, "format": "date", "x-message": {
            key: "'fresh_since' must be a date YYYY-MM-DD, got {value}"
            for key in ("type", "pattern", "format")}}},
    "required": ["records"],
    "additionalProperties": False,
    "x-message": {
        "type": "the manifest data must be a JSON object with 'records', got {value}",
        "required": "the manifest data has no 'records' (the ids of the records it trains on)",
        "additionalProperties": "unknown manifest field {extra} in the data; a manifest has "
                                "name, records, fresh_since"},
}

#: Measurements per release: ``{release: {measure: number or null}}``.
RELEASES: dict[str, Any] = {
    "type": "object",
    "additionalProperties": {"type": "object",
                             "additionalProperties": {"type": ["number", "null"]}},
}

#: One record of a JSON Lines ledger export (the fields of
#: :class:`helpers.governance.ledger.Record`).
LEDGER_LINE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "minLength": 1, "maxLength": 200},
        "content_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "source_kind": {"enum": ["human", "web_crawl", "model_output"]},
        "generator": {"type": ["string", "null"]},
        "generator_version": {"type": ["string", "null"]},
        "depth": {"type": ["integer", "null"], "minimum": 0, "maximum": 2**62},
        "created": {"anyOf": [_DATE, {"type": "null"}]},
        "collected": _DATE,
        "licence": {"type": ["string", "null"]},
        "verification": {"enum": ["unverified", "verified", "rejected", None]},
        "verifier": {"type": ["string", "null"]},
        "detector_score": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
        "provenance": {"enum": ["declared", "inferred", "unknown"]},
        "parents": {"type": ["array", "null"], "items": _TEXT},
    },
    "required": ["id", "content_hash", "source_kind", "collected", "provenance"],
    "additionalProperties": False,
}


def regular_file(path: str | os.PathLike, what: str, *, label: str | None = None,
                 max_bytes: int | None = MAX_BYTES) -> Path:
    """``path`` if it names a regular file (a link to one is fine) of at most ``max_bytes``
    (None: any size); anything else is a :class:`SchemaError` naming ``label`` (default:
    the file's name) and ``what``. Nothing is opened: a FIFO would block forever.

    >>> regular_file("/proc/self", "policy file", label="--policy")
    Traceback (most recent call last):
    ...
    helpers.governance.schemas.SchemaError: --policy: the policy file '/proc/self' is not a \
regular file (a FIFO, a folder or a device is never opened)
    """
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or Path, got {type(path).__name__}")
    text = os.fspath(path)
    if not isinstance(text, str) or not text.strip():
        raise SchemaError(f"{label or 'path'}: an empty path names no {what}")
    if label is not None and not isinstance(label, str):
        raise TypeError(f"label must be a str or None, got {type(label).__name__}")
    if max_bytes is not None:
        max_bytes = integer(max_bytes, "max_bytes", minimum=0, maximum=2**50)
    path = Path(text)
    label = path.name if label is None else label
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise SchemaError(f"{label}: no such {what} {shown(text)}") from None
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or error
        raise SchemaError(f"{label}: cannot read the {what} at the path {shown(text)} "
                          f"({reason})") from None
    if not stat.S_ISREG(info.st_mode):
        raise SchemaError(f"{label}: the {what} {shown(text)} is not a regular file (a FIFO, "
                          "a folder or a device is never opened)")
    if max_bytes is not None and info.st_size > max_bytes:
        raise SchemaError(f"{label}: the {what} is larger than the limit of {max_bytes:,} "
                          "bytes (max_bytes)")
    return path


def read_file(path: str | os.PathLike, what: str, max_bytes: int = MAX_BYTES) -> str:
    """The UTF-8 text of the regular file ``path`` (:func:`regular_file`); anything else is
    a :class:`SchemaError` naming ``what``."""
    max_bytes = integer(max_bytes, "max_bytes", minimum=0, maximum=MAX_BYTES)
    path = regular_file(path, what, max_bytes=max_bytes)
    try:
        with open(path, "rb") as handle:  # a regular file: reading cannot block
            return handle.read(max_bytes + 1).decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SchemaError(f"{path.name}: cannot read the {what} ({error})") from None


def _float(text: str) -> float:
    return float(text)  # 1e400 is inf: refused with its place by check()


def _int(text: str) -> int:
    if len(text.lstrip("-")) > 4000:  # Python refuses int() of more than 4300 digits
        raise ValueError(f"the number {text[:30]}... has more than 4000 digits")
    return int(text)  # out of range: refused with its place by check()


def _constant(text: str) -> float:
    raise ValueError(f"{text} is not a JSON number")


def parse(text: str, schema: dict[str, Any], source: str) -> Any:
    """JSON ``text`` checked against ``schema``; a :class:`SchemaError` naming ``source``
    and the place otherwise (bad JSON, nesting deeper than :data:`MAX_DEPTH`, numbers
    beyond :data:`MAX_NUMBER`, NaN or Infinity, or the wrong form)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    _check_schema(schema)
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, got {type(source).__name__}")
    try:
        data = json.loads(text, parse_float=_float, parse_int=_int, parse_constant=_constant)
    except json.JSONDecodeError as error:
        line = f", line {error.lineno}" if "\n" in text.rstrip() else ""  # one line: the source's
        raise SchemaError(f"{source}{line}: not valid JSON ({error.msg})") from None
    except RecursionError:
        raise SchemaError(f"{source}: nested too deeply (more than {MAX_DEPTH} levels)") \
            from None
    except ValueError as error:
        raise SchemaError(f"{source}: {error}") from None
    check(data, schema, source)
    return data


if TYPE_CHECKING:
    import jsonschema


def _check_schema(schema: Any) -> None:
    """Refuse a ``schema`` that is not a valid JSON Schema (this module's own are)."""
    import jsonschema  # on first use: importing it takes about a second (its format checkers)

    if not isinstance(schema, dict):
        raise TypeError(f"schema must be a JSON Schema (dict), got {type(schema).__name__}")
    if any(schema is ours for ours in (ANY_JSON, MANIFEST, RELEASES, LEDGER_LINE)):
        return
    check_nesting(schema, "schema", MAX_DEPTH)
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.exceptions.SchemaError as error:
        raise ValueError(f"schema is not a valid JSON Schema: {error.message[:200]}") from None


def check(data: Any, schema: dict[str, Any], source: str) -> None:
    """Validate decoded ``data`` against ``schema``; :class:`SchemaError` on the first error."""
    import jsonschema

    _check_schema(schema)
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, got {type(source).__name__}")
    try:
        check_nesting(data, "data", MAX_DEPTH)
    except ValueError:
        raise SchemaError(f"{source}: nested too deeply (more than {MAX_DEPTH} levels)") \
            from None
    error = None if schema is ANY_JSON else jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        ).iter_errors(data))
    if error is not None:
        place, reason, worded = _explain(error)
        where = "" if worded or not place else _place(place) + ": "
        raise SchemaError(f"{source}: {where}{reason}", place, reason,
                          tuple(error.absolute_path))
    huge = _out_of_range(data)  # after the schema: its bounds are the more specific words
    if huge is not None:
        place, value = huge
        reason = (f"must be a finite number of at most {MAX_NUMBER:.0e} in size, got "
                  f"{shown(value)}")
        raise SchemaError(f"{source}: {_place(place) + ' ' if place else ''}{reason}", place,
                          reason)


def _explain(error: jsonschema.exceptions.ValidationError) -> tuple[tuple, str, bool]:
    """``(place, reason, worded)`` for ``error``: the schema's own wording (``x-message``,
    filled with ``{value}``, ``{extra}``, ``{missing}``, ``{twice}``) where it has one."""
    place = tuple(error.absolute_path)
    instance = error.instance
    extra = sorted(k for k in instance if k not in error.schema.get("properties", {})) \
        if isinstance(instance, dict) and isinstance(error.schema, dict) else []
    if error.validator == "additionalProperties" and extra:
        place += (extra[0],)  # point at the unknown field itself
    words = error.schema.get("x-message", {}) if isinstance(error.schema, dict) else {}
    if error.validator not in words:
        message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
        return place, message, False
    seen: set = set()
    twice = [x for x in instance if isinstance(x, str) and (x in seen or seen.add(x))] \
        if isinstance(instance, list) else []
    missing = [k for k in error.validator_value if k not in instance] \
        if error.validator == "required" and isinstance(instance, dict) else []
    return place, words[error.validator].format(
        value=shown(instance), extra=shown(extra[0] if extra else None),
        missing=shown(missing[0] if missing else None),
        twice=shown(twice[0] if twice else None)), True


def _place(path: Any) -> str:
    """Where in a file a value sits, as ``'records.0'`` (empty at the top level)."""
    where = ".".join(str(p) for p in path)
    return shown(where) if where else ""


def _out_of_range(data: Any) -> tuple[tuple, Any] | None:
    """``(place, number)`` of the first number beyond :data:`MAX_NUMBER` (or not finite) in
    decoded JSON ``data``, walked without recursion; None when every number is in range."""
    stack: list[tuple[Any, tuple]] = [(data, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, dict):
            stack.extend((v, (*path, k)) for k, v in reversed(item.items()))
        elif isinstance(item, (list, tuple)):
            stack.extend((v, (*path, i)) for i, v in reversed(list(enumerate(item))))
        elif isinstance(item, numbers.Integral) and not isinstance(item, bool):
            if abs(int(item)) > MAX_NUMBER:
                return path, item
        elif isinstance(item, numbers.Real) and not isinstance(item, bool):
            if not math.isfinite(float(item)) or abs(float(item)) > MAX_NUMBER:
                return path, item
    return None
