"""Helpers for the *Model Collapse, hands-on* course.

The modules follow the flow of one generation of recursive training::

    data -> models (fit / sample) -> loop (iterate_loop) with policies (the data policy)
         -> metrics -> plots

plus ``chains`` (fast many-chain simulators), ``theory`` (closed forms), ``detection`` and
``monitoring`` (noise bands and monitored pipelines), ``mitigations`` and ``verification``
(lesson 04), ``governance`` (lesson 05), ``demonstrator`` and ``report`` (lesson 06),
``checks`` (exercise self-checks), ``views`` and ``explorers`` (interactive widgets).
"""

__version__ = "0.1.0"
