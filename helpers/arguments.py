"""Command-line arguments: the one parser of every command, whose errors are one line.

:class:`Parser` is ``argparse.ArgumentParser`` whose error is one line on stderr,
``error: ... (see PROG --help)``, and exit code 2, written safely even when an argument
cannot be encoded (a lone surrogate from a command line that is not UTF-8, ``"\\udcff"``, is
shown as ``\\udcff`` instead of crashing the error print; :func:`printable`).
:func:`whole` and :func:`output_folder` are argument types that refuse a bad value with
its accepted range (:class:`ArgumentError`: argparse shows its message).

>>> whole(1, 5)("3")
3
>>> whole(1, 5)("9")
Traceback (most recent call last):
...
helpers.arguments.ArgumentError: a whole number from 1 to 5; got '9'
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from helpers.output import check_folder
from helpers.validate import integer

__all__ = ["ArgumentError", "Parser", "printable", "whole", "output_folder"]


#: Characters of an error message shown at most (the line stays readable in a terminal).
_MAX_MESSAGE = 300


class ArgumentError(argparse.ArgumentTypeError, ValueError):
    """A bad command-line value: argparse shows its message (a ``ValueError`` elsewhere)."""


def printable(text: str) -> str:
    """``text`` with characters UTF-8 cannot encode (lone surrogates) written as escapes.

    >>> printable("caf\\udcff")
    'caf\\\\udcff'
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose error is one line, ``error: ... (see PROG --help)``, exit 2."""

    def error(self, message: str) -> NoReturn:
        text = " ".join(printable(str(message)).split())
        if len(text) > _MAX_MESSAGE:  # a quoted path or value can be any length: keep both ends
            half = _MAX_MESSAGE // 2
            text = f"{text[:half]}…{text[-half:]}"
        print(f"error: {text} (see {printable(self.prog)} --help)", file=sys.stderr)
        sys.exit(2)


def whole(low: int, high: int) -> Callable[[str], int]:
    """An argument type: a whole number (decimal digits) from ``low`` to ``high``."""
    low, high = integer(low, "low"), integer(high, "high")
    if high < low:
        raise ValueError(f"low must be <= high, got low={low} and high={high}")

    def parse(text: str) -> int:
        digits = text.strip() if isinstance(text, str) else ""
        if not (digits.isascii() and digits.isdecimal() and len(digits) <= 18
                and low <= int(digits) <= high):
            raise ArgumentError(f"a whole number from {low} to {high}; got "
                                f"{printable(str(text)[:40])!r}")
        return int(digits)
    return parse


def output_folder(folder: str) -> Path:
    """An argument type: a folder output may go to (:func:`helpers.output.check_folder`: not
    empty, no link, no system folder, no file in its place, writable); nothing is created."""
    try:
        return check_folder(folder)
    except (TypeError, ValueError) as error:
        raise ArgumentError(printable(str(error))) from None
