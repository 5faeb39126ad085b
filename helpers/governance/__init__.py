"""Governance toolkit (lesson 05): provenance ledger, policy as code, monitoring, reports.

* :mod:`~helpers.governance.ledger`: the provenance ledger in SQLite (:class:`Ledger`);
* :mod:`~helpers.governance.policy`: TOML policies checked against training manifests
  (:func:`check`) and monitoring rules over releases (:func:`evaluate_monitors`);
* :mod:`~helpers.governance.cli`: ``python -m helpers.governance check ...`` for CI.
"""

from helpers.governance.ledger import SCHEMA, SCHEMA_VERSION, Ledger, LedgerError, Record, sha256
from helpers.governance.policy import (
    RULES,
    Manifest,
    Monitor,
    MonitorResult,
    Policy,
    PolicyError,
    Rule,
    Violation,
    check,
    evaluate_monitors,
    load_manifest,
    load_policy,
    parse_manifest,
    parse_policy,
)

__all__ = [
    "SCHEMA", "SCHEMA_VERSION", "Ledger", "LedgerError", "Record", "sha256",
    "RULES", "Manifest", "Monitor", "MonitorResult", "Policy", "PolicyError", "Rule",
    "Violation", "check", "evaluate_monitors", "load_manifest", "load_policy",
    "parse_manifest", "parse_policy",
]
