"""Helpers for the *Model Collapse, hands-on* course.

The modules follow the flow of one generation of recursive training::

    data -> models (fit / sample) -> loop (data policy) -> metrics -> plots

plus ``chains`` (fast many-chain simulators), ``theory`` (closed forms),
``checks`` (exercise self-checks) and ``explorers`` (interactive widgets).
"""

__version__ = "0.1.0"
