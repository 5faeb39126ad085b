"""The command-line parser of the authoring and teaching tools: every bad argument is one line.

:class:`Parser` is ``argparse.ArgumentParser`` whose errors are one line on stderr and exit
code 2, written safely even when the argument cannot be encoded (a lone surrogate from a
command line that is not UTF-8, ``"\\udcff"``, is shown as ``\\udcff`` instead of crashing
the error print). :func:`whole` and :func:`folder` are argument types with their ranges.

>>> whole(1, 5)("3")
3
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from helpers.output import check_folder

__all__ = ["Parser", "printable", "whole", "folder"]


def printable(text: str) -> str:
    """``text`` with characters UTF-8 cannot encode (lone surrogates) written as escapes.

    >>> printable("caf\\udcff")
    'caf\\\\udcff'
    """
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose error is one line, ``error: ... (see PROG --help)``, exit 2."""

    def error(self, message: str) -> NoReturn:
        print(f"error: {printable(message)} (see {printable(self.prog)} --help)",
              file=sys.stderr)
        sys.exit(2)


def whole(low: int, high: int) -> Callable[[str], int]:
    """An argument type: a whole number from ``low`` to ``high``."""

    def parse(text: str) -> int:
        digits = text.strip()
        if not (digits.isascii() and digits.isdecimal() and len(digits) <= 18
                and low <= int(digits) <= high):
            raise argparse.ArgumentTypeError(f"a whole number from {low} to {high}; got "
                                             f"{printable(text[:40])!r}")
        return int(digits)
    return parse


def folder(text: str) -> Path:
    """An argument type: an output folder the course may write in
    (:func:`helpers.output.check_folder`: not empty, no link, no system folder, writable)."""
    try:
        return check_folder(text)
    except (TypeError, ValueError) as error:
        raise argparse.ArgumentTypeError(printable(str(error))) from None
