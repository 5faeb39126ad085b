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
helpers.governance.schemas.SchemaError: run.json: records: 'a' is not of type 'array'
"""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path
from typing import Any

import jsonschema

from helpers.validate import integer

__all__ = ["SchemaError", "MANIFEST", "RELEASES", "LEDGER_LINE", "MAX_BYTES", "MAX_DEPTH",
           "MAX_NUMBER", "read_file", "parse", "check"]

MAX_BYTES = 64 * 2**20  # a policy, manifest or releases file larger than this is refused
MAX_DEPTH = 32  # nesting of objects and arrays; every schema here needs at most 3
MAX_NUMBER = 1e15  # larger magnitudes are not counts, shares or measurements


class SchemaError(ValueError):
    """A file that does not have the expected form; the message names file and place."""


_DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_TEXT = {"type": "string", "minLength": 1}

#: A training manifest: the record ids a run trains on, its name and fresh-data date.
MANIFEST: dict[str, Any] = {
    "type": "object",
    "properties": {"name": {"type": "string"},
                   "records": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                   "fresh_since": _DATE},
    "required": ["records"],
    "additionalProperties": False,
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


def read_file(path: str | os.PathLike, what: str, max_bytes: int = MAX_BYTES) -> str:
    """The UTF-8 text of the regular file ``path``; anything else is a :class:`SchemaError`
    naming ``what`` (a FIFO, a device or a directory is refused without opening it)."""
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or Path, got {type(path).__name__}")
    if not isinstance(os.fspath(path), str) or not os.fspath(path).strip():
        raise SchemaError(f"path: an empty path names no {what}")
    max_bytes = integer(max_bytes, "max_bytes", minimum=0, maximum=MAX_BYTES)
    path = Path(path)
    try:
        info = os.stat(path)
    except (OSError, ValueError) as error:
        raise SchemaError(f"{path.name}: cannot read the {what} ({error})") from None
    if not stat.S_ISREG(info.st_mode):
        raise SchemaError(f"{path.name}: the {what} must be a regular file")
    if info.st_size > max_bytes:
        raise SchemaError(f"{path.name}: the {what} is larger than the limit of "
                          f"{max_bytes:,} bytes (max_bytes)")
    try:
        with open(path, "rb") as handle:  # a regular file: reading cannot block
            return handle.read(max_bytes + 1).decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SchemaError(f"{path.name}: cannot read the {what} ({error})") from None


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of a JSON value, without recursion (stops counting past ``limit``)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            if deepest > limit:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or abs(value) > MAX_NUMBER:
        raise ValueError(f"the number {text[:30]} is out of range (at most {MAX_NUMBER:.0e})")
    return value


def _int(text: str) -> int:
    if len(text.lstrip("-")) > 16 or abs(int(text)) > MAX_NUMBER:
        raise ValueError(f"the number {text[:30]}... is out of range (at most {MAX_NUMBER:.0e})")
    return int(text)


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
        raise SchemaError(f"{source}, line {error.lineno}: not valid JSON ({error.msg})") \
            from None
    except RecursionError:
        raise SchemaError(f"{source}: nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:
        raise SchemaError(f"{source}: {error}") from None
    check(data, schema, source)
    return data


def _check_schema(schema: Any) -> None:
    """Refuse a ``schema`` that is not a valid JSON Schema (this module's own are)."""
    if not isinstance(schema, dict):
        raise TypeError(f"schema must be a JSON Schema (dict), got {type(schema).__name__}")
    if any(schema is ours for ours in (MANIFEST, RELEASES, LEDGER_LINE)):
        return
    if _depth(schema, MAX_DEPTH) > MAX_DEPTH:
        raise ValueError(f"schema is nested deeper than {MAX_DEPTH} levels")
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.exceptions.SchemaError as error:
        raise ValueError(f"schema is not a valid JSON Schema: {error.message[:200]}") from None


def check(data: Any, schema: dict[str, Any], source: str) -> None:
    """Validate decoded ``data`` against ``schema``; :class:`SchemaError` on the first error."""
    _check_schema(schema)
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, got {type(source).__name__}")
    if _depth(data, MAX_DEPTH) > MAX_DEPTH:
        raise SchemaError(f"{source}: nested deeper than {MAX_DEPTH} levels")
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema).iter_errors(data))
    if error is not None:
        where = ".".join(str(p) for p in error.absolute_path)
        message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
        raise SchemaError(f"{source}: {where + ': ' if where else ''}{message}")
