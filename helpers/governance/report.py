"""The one-page policy and the risk register, written as Markdown to a chosen folder.

Output goes where the caller says, checked up front by the course's one rule for
output folders (:func:`helpers.output.check_folder`: no symbolic link, no system
folder, no directory where a file must go, a writable place); by default it is
``governance-output/`` in the current working folder (git ignores that name
everywhere in the repository). Only the two files named in :data:`FILES` are
written there, by the course's one atomic writer (:func:`helpers.output.write_files`).

>>> rows = [RiskRow("tails lost", "likely", "high", "reservoir 20%", "data lead",
...                 "variance", "< 0.88")]
>>> print(risk_register_markdown(rows).splitlines()[2])
| tails lost | likely | high | reservoir 20% | data lead | variance | < 0.88 |
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass, fields
from pathlib import Path

from helpers.governance.policy import RULES, Policy
from helpers.output import check_folder, write_files
from helpers.report import fill
from helpers.validate import shown

__all__ = ["DEFAULT_FOLDER", "FILES", "RiskRow", "policy_markdown", "risk_register_markdown",
           "safe_folder", "write_reports"]

#: Where the reports go by default, relative to the current working folder (git-ignored).
DEFAULT_FOLDER = Path("governance-output")
#: The files :func:`write_reports` writes, and nothing else.
FILES = ("policy.md", "risk_register.md")


@dataclass(frozen=True)
class RiskRow:
    """One row of a risk register."""

    risk: str
    likelihood: str
    impact: str
    control: str
    owner: str
    metric: str
    threshold: str


def risk_register_markdown(rows: Sequence[RiskRow]) -> str:
    """The register as a Markdown table, one row per :class:`RiskRow` (template
    ``helpers/templates/risk_register.md``)."""
    if not isinstance(rows, (list, tuple)) or not rows or not all(
            isinstance(r, RiskRow) for r in rows):  # a list or tuple: its length is true
        raise TypeError(f"rows must be a non-empty list or tuple of RiskRow, got {shown(rows)}")
    return fill("risk_register.md", names=[f.name for f in fields(RiskRow)],
                rows=[astuple(r) for r in rows])


def policy_markdown(policy: Policy, evidence: dict[str, str]) -> str:
    """A one-page Markdown policy: each rule with its limit and why, then the monitors
    (template ``helpers/templates/governance_policy.md``).

    ``evidence`` maps a rule or monitor id to one sentence of measured support
    (written from the notebook's numbers).
    """
    if not isinstance(policy, Policy):
        raise TypeError(f"policy must be a Policy, got {type(policy).__name__}")
    if not isinstance(evidence, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in evidence.items()):
        raise TypeError("evidence must map rule or monitor ids (str) to sentences (str)")
    rules = [dict(id=rule.id, field=RULES[rule.id].field, meaning=RULES[rule.id].meaning,
                  limit=(f"{rule.limit:.0%}" if RULES[rule.id].kind == "fraction"
                         else str(rule.limit).lower()),
                  why=rule.why, evidence=evidence.get(rule.id, ""))
             for rule in policy.rules.values()]
    monitors = [dict(id=m.id, measure=m.measure, threshold=m.threshold,
                     side="below" if m.direction == "lower" else "above",
                     eval_size=m.eval_size, false_alarm_rate=m.false_alarm_rate,
                     evidence=evidence.get(m.id, "")) for m in policy.monitors]
    return fill("governance_policy.md", policy={"name": policy.name}, rules=rules,
                monitors=monitors)


def safe_folder(folder: str | Path | None = None) -> Path:
    """``folder`` (default :data:`DEFAULT_FOLDER`), checked to take :data:`FILES`
    (:func:`helpers.output.check_folder`); nothing is created.

    >>> safe_folder().name
    'governance-output'
    """
    return check_folder(DEFAULT_FOLDER if folder is None else folder, FILES)


def write_reports(policy_text: str, register_text: str,
                  folder: str | Path | None = None) -> list[Path]:
    """Write :data:`FILES` into ``folder`` (created if needed); return their paths.

    Each file is written to a staging folder first and then moved in, so a
    reader never sees half a file; other files in the folder are kept.
    """
    for name, text in (("policy_text", policy_text), ("register_text", register_text)):
        if not isinstance(text, str):
            raise TypeError(f"{name} must be a str, got {type(text).__name__}")
    return write_files(safe_folder(folder), dict(zip(FILES, (policy_text, register_text),
                                                     strict=True)))
