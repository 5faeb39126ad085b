"""The pure view functions behind each lesson's explorers, one module per lesson.

A view takes the control values as keyword arguments and returns
``(figure, summary)``: a matplotlib Figure and a small frozen summary object
whose attributes are the numbers shown and whose ``str()`` is the one-line
summary a notebook prints. :func:`helpers.explorers.explorer` turns a view
into a widget; the computations behind the views live in the engine modules
(:mod:`helpers.chains`, :mod:`helpers.monitoring`, :mod:`helpers.diagrams`, ...).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any


def moved(module: str, names: Mapping[str, str], name: str) -> Any:
    """Module ``__getattr__`` body: ``name`` now lives in the module ``names[name]``.

    Lesson cells written as ``views.policy_metric(...)`` keep working after a
    name moved out of a view module.

    >>> moved("helpers.views.m02", {"composition": "helpers.diagrams"}, "composition").__name__
    'composition'
    """
    if name not in names:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    return getattr(importlib.import_module(names[name]), name)
