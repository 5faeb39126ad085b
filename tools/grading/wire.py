"""What crosses from a learner's sandbox to the judge: plain data in a restricted format.

The judge never unpickles anything a sandbox sends. A reply is one *frame* (a 4-byte big-endian
length, then UTF-8 JSON); values inside it are JSON with tagged objects for what JSON lacks:

``{"$": "nd", "npy": base64}``  a NumPy array (``np.save`` bytes, read back with
                                  ``np.load(allow_pickle=False)``; object arrays are never sent)
``{"$": "sc", "npy": base64}``  a NumPy scalar (a 0-d array, read back as its scalar)
``{"$": "f", "v": "nan"}``       a float JSON cannot hold (``nan``, ``inf``, ``-inf``)
``{"$": "c", "re": …, "im": …}`` a complex number
``{"$": "t", "v": [...]}``      a tuple
``{"$": "d", "k": [...], "v": [...]}``  a dict with int keys (or a key "$")
``{"$": "ref", "id": n, "type": name, "callable": bool}``  an object that stays in the sandbox

Limits (checked while decoding): frames of at most :data:`MAX_FRAME` bytes, nesting at most
:data:`MAX_DEPTH` levels. Anything else is a :class:`WireError`.

>>> decode(encode({"a": (1.5, float("nan")), "b": np.arange(3)}))["b"]
array([0, 1, 2])
"""

from __future__ import annotations

import base64
import io
import json
import math
import numbers
import os
import re
import select
import struct
import time
from collections.abc import Callable
from typing import Any

import numpy as np

MAX_FRAME = 256 * 2**20       # bytes of one reply
MAX_DEPTH = 40                # nesting levels of a reply
MAX_ITEMS = 2_000_000         # list/tuple/dict entries in one reply
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}\Z")


class WireError(Exception):
    """A frame that is not a well-formed reply (too large, too deep, not our format)."""


class Ref:
    """An object that lives in the sandbox: ``id`` in the sandbox's table, its type's name."""

    def __init__(self, id: int, type_name: str, is_callable: bool) -> None:  # noqa: A002
        self.id, self.type_name, self.is_callable = id, type_name, is_callable


# ------------------------------------------------------------------ encoding (sandbox side)


def _npy(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _int_to_plain(value: int) -> Any:
    return value if abs(value) < 10**300 else float(value) if abs(value) < 2**1023 else \
        {"$": "f", "v": "inf" if value > 0 else "-inf"}


def _float_to_plain(value: float) -> Any:
    return value if math.isfinite(value) else {"$": "f", "v": repr(value)}


def _complex_to_plain(value: complex) -> dict:
    return {"$": "c", "re": to_plain(value.real), "im": to_plain(value.imag)}


_NUMBER_TO_PLAIN: dict[type, Callable[[Any], Any]] = {
    int: _int_to_plain, float: _float_to_plain, complex: _complex_to_plain}


def _numpy_to_plain(value: Any) -> dict | None:
    """A NumPy scalar or array of plain data (never objects) as its tagged ``npy`` bytes."""
    kind = type(value)
    if isinstance(value, np.generic) and kind.__module__ == "numpy" and value.dtype.kind in \
            "biufcSU":
        return {"$": "sc", "npy": _npy(np.asarray(value))}
    if kind is np.ndarray and value.dtype.kind in "biufcSU" and not value.dtype.hasobject:
        return {"$": "nd", "npy": _npy(np.ascontiguousarray(value))}
    return None


def _is_container(value: Any) -> bool:
    """A list, a tuple, or a dict whose keys are all exactly str or int."""
    kind = type(value)
    return kind in (list, tuple) or kind is dict and all(type(k) in (str, int) for k in value)


def _container_to_plain(value: list | tuple | dict, register: Callable[[Any], Ref] | None,
                        depth: int) -> Any:
    items = [to_plain(v, register, depth + 1) for v in
             (value.values() if type(value) is dict else value)]
    if type(value) is list:
        return items
    if type(value) is tuple:
        return {"$": "t", "v": items}
    if all(type(k) is str for k in value) and "$" not in value:
        return dict(zip(value, items, strict=True))
    return {"$": "d", "k": list(value), "v": items}


def _real_to_plain(value: Any) -> float | dict | None:
    """Another number type as a float, or None when converting it fails."""
    try:
        return to_plain(float(value))
    except Exception:  # noqa: BLE001 - the learner's number type may raise anything
        return None


def to_plain(value: Any, register: Callable[[Any], Ref] | None = None, depth: int = 0) -> Any:
    """``value`` as JSON-ready data; objects that are not plain data go to ``register``
    (which keeps them and returns a :class:`Ref`), or become a ``ref`` with id -1."""
    kind = type(value)
    if value is None or kind in (bool, str):
        return value
    if kind in _NUMBER_TO_PLAIN:
        return _NUMBER_TO_PLAIN[kind](value)
    if (array := _numpy_to_plain(value)) is not None:
        return array
    if depth < MAX_DEPTH - 2 and _is_container(value):
        return _container_to_plain(value, register, depth)
    if isinstance(value, numbers.Real) and not isinstance(value, (np.ndarray, bool)) and \
            (number := _real_to_plain(value)) is not None:
        return number
    ref = register(value) if register else Ref(-1, type(value).__name__, callable(value))
    return {"$": "ref", "id": ref.id, "type": ref.type_name, "callable": ref.is_callable}


def encode(value: Any, register: Callable[[Any], Ref] | None = None) -> bytes:
    return json.dumps(to_plain(value, register), allow_nan=False).encode("utf-8")


# ------------------------------------------------------------------ decoding (judge side)


def _array(text: Any) -> np.ndarray:
    if not isinstance(text, str):
        raise WireError("array payload is not text")
    try:
        array = np.load(io.BytesIO(base64.b64decode(text, validate=True)), allow_pickle=False)
    except Exception as error:  # noqa: BLE001 - whatever a forged payload makes np.load raise
        raise WireError(f"bad array payload ({type(error).__name__})") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "biufcSU":
        raise WireError("array of an unexpected kind")
    return array


def from_plain(data: Any, make_ref: Callable[[Ref], Any] | None = None, depth: int = 0) -> Any:
    """Inverse of :func:`to_plain` for data that came from a sandbox (untrusted)."""
    if depth > MAX_DEPTH:
        raise WireError("nested too deeply")
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is list:
        return [from_plain(v, make_ref, depth + 1) for v in data]
    if type(data) is not dict:
        raise WireError(f"unexpected {type(data).__name__}")
    tag = data.get("$")
    if tag is None:
        return {k: from_plain(v, make_ref, depth + 1) for k, v in data.items()}
    decoder = _DECODERS.get(tag) if type(tag) is str else None  # a forged tag may be a list
    if decoder is None:
        raise _unknown(tag)
    return decoder(data, make_ref, depth)


def _unknown(tag: Any) -> WireError:
    return WireError(f"unknown tag {str(tag)[:20]!r}")


def _decode_scalar(data: dict, make_ref: Any, depth: int) -> Any:
    array = _array(data.get("npy"))
    if array.shape != ():
        raise WireError("scalar payload is not 0-d")
    return array[()]


def _decode_float(data: dict, make_ref: Any, depth: int) -> float:
    if data.get("v") not in ("nan", "inf", "-inf"):
        raise _unknown(data["$"])
    return float(data["v"])


def _decode_complex(data: dict, make_ref: Any, depth: int) -> complex:
    real, imag = from_plain(data.get("re"), None, depth + 1), from_plain(data.get("im"),
                                                                         None, depth + 1)
    if type(real) is not float and type(real) is not int or \
            type(imag) is not float and type(imag) is not int:
        raise WireError("complex parts are not numbers")
    return complex(real, imag)


def _decode_tuple(data: dict, make_ref: Callable[[Ref], Any] | None, depth: int) -> tuple:
    if type(data.get("v")) is not list:
        raise _unknown(data["$"])
    return tuple(from_plain(v, make_ref, depth + 1) for v in data["v"])


def _decode_dict(data: dict, make_ref: Callable[[Ref], Any] | None, depth: int) -> dict:
    if not (type(data.get("k")) is list and type(data.get("v")) is list
            and len(data["k"]) == len(data["v"])
            and all(type(k) in (str, int) for k in data["k"])):
        raise _unknown(data["$"])
    return dict(zip(data["k"], (from_plain(v, make_ref, depth + 1) for v in data["v"]),
                    strict=True))


def _decode_ref(data: dict, make_ref: Callable[[Ref], Any] | None, depth: int) -> Any:
    if not (type(data.get("id")) is int and type(data.get("type")) is str
            and type(data.get("callable")) is bool):
        raise _unknown(data["$"])
    name = data["type"] if _NAME.match(data["type"]) else "object"
    ref = Ref(data["id"], name, data["callable"])
    return make_ref(ref) if make_ref else ref


# One decoder per tag of the module docstring: (data, make_ref, depth) -> value, or WireError.
_DECODERS: dict[str, Callable[[dict, Any, int], Any]] = {
    "nd": lambda data, make_ref, depth: _array(data.get("npy")),
    "sc": _decode_scalar,
    "f": _decode_float,
    "c": _decode_complex,
    "t": _decode_tuple,
    "d": _decode_dict,
    "ref": _decode_ref,
}


def decode(payload: bytes, make_ref: Callable[[Ref], Any] | None = None) -> Any:
    """A value from a sandbox's bytes: JSON only, tags checked; :class:`WireError` otherwise."""
    if len(payload) > MAX_FRAME:
        raise WireError("reply too large")
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise WireError(f"not JSON ({type(error).__name__})") from None
    return from_plain(data, make_ref)


# ------------------------------------------------------------------ frames on a pipe


def write_frame(fd: int, payload: bytes) -> None:
    data = struct.pack(">I", len(payload)) + payload
    while data:
        data = data[os.write(fd, data):]


class Timeout(Exception):
    """No complete frame before the deadline."""


class Closed(Exception):
    """The other end closed the pipe (the process ended)."""


def read_frame(fd: int, deadline: float, limit: int = MAX_FRAME) -> bytes:
    """One frame from ``fd`` before ``time.monotonic()`` reaches ``deadline``."""
    header = _read_exactly(fd, 4, deadline)  # Closed when the pipe ends before a frame
    (size,) = struct.unpack(">I", header)
    if size > limit:
        raise WireError(f"frame of {size} bytes announced (limit {limit})")
    return _read_exactly(fd, size, deadline)


def _read_exactly(fd: int, size: int, deadline: float) -> bytes:
    chunks, got = [], 0
    while got < size:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Timeout
        ready, _, _ = select.select([fd], [], [], min(remaining, 1.0))
        if not ready:
            continue
        chunk = os.read(fd, min(size - got, 1 << 20))
        if not chunk:
            if chunks:
                raise WireError("a frame cut short")
            raise Closed
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)
