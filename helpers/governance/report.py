"""The one-page policy and the risk register, written as Markdown to a chosen folder.

The folder must lie inside this repository or the system temporary directory
(after resolving symbolic links); by default it is ``governance-output/`` at the
repository root, which git ignores. Only the two files named in :data:`FILES`
are written there.

>>> rows = [RiskRow("tails lost", "likely", "high", "reservoir 20%", "data lead",
...                 "variance", "< 0.88")]
>>> print(risk_register_markdown(rows).splitlines()[2])
| tails lost | likely | high | reservoir 20% | data lead | variance | < 0.88 |
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import astuple, dataclass, fields
from pathlib import Path

from helpers.governance.policy import RULES, Policy

__all__ = ["DEFAULT_FOLDER", "FILES", "RiskRow", "policy_markdown", "risk_register_markdown",
           "safe_folder", "write_reports"]

_REPO = Path(__file__).resolve().parents[2]
#: Where the notebook writes by default (git-ignored).
DEFAULT_FOLDER = _REPO / "governance-output"
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


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def risk_register_markdown(rows: Sequence[RiskRow]) -> str:
    """The register as a Markdown table, one row per :class:`RiskRow`."""
    if not rows or not all(isinstance(r, RiskRow) for r in rows):
        raise TypeError("rows must be a non-empty sequence of RiskRow")
    names = [f.name for f in fields(RiskRow)]
    lines = ["| " + " | ".join(n.capitalize() for n in names) + " |",
             "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(_cell(v) for v in astuple(r)) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def policy_markdown(policy: Policy, evidence: dict[str, str]) -> str:
    """A one-page Markdown policy: each rule with its limit and why, then the monitors.

    ``evidence`` maps a rule or monitor id to one sentence of measured support
    (written from the notebook's numbers).
    """
    if not isinstance(policy, Policy):
        raise TypeError(f"policy must be a Policy, got {type(policy).__name__}")
    out = [f"# {policy.name}", "",
           "Generated from a simulation (a toy model with stated assumptions); not legal advice.",
           "", "## Rules for every training manifest", ""]
    for rule in policy.rules.values():
        field, kind, meaning = RULES[rule.id]
        limit = (f"{rule.limit:.0%}" if kind == "fraction" else str(rule.limit).lower())
        line = f"- **{rule.id}** ({field} {limit}): {meaning}."
        if rule.why:
            line += f" Why: {rule.why}."
        if rule.id in evidence:
            line += f" Evidence: {evidence[rule.id]}"
        out.append(line)
    if policy.monitors:
        out += ["", "## Monitoring after every release", ""]
        for m in policy.monitors:
            side = "below" if m.direction == "lower" else "above"
            line = (f"- **{m.id}**: alert when {m.measure} is {side} {m.threshold:.4g} "
                    f"({m.eval_size} evaluation samples, false-alarm rate {m.false_alarm_rate:.0%}"
                    " per release).")
            if m.id in evidence:
                line += f" Evidence: {evidence[m.id]}"
            out.append(line)
    out += ["", "## Enforcement", "",
            "`python -m helpers.governance check --ledger LEDGER --manifest MANIFEST "
            "--policy POLICY` runs in CI before every training run; a non-zero exit code "
            "blocks the run."]
    return "\n".join(out) + "\n"


def safe_folder(folder: str | Path | None = None) -> Path:
    """Resolve ``folder`` (default :data:`DEFAULT_FOLDER`), refusing places outside the
    repository and the temporary directory."""
    if folder is None:
        folder = DEFAULT_FOLDER
    if not isinstance(folder, (str, Path)):
        raise TypeError(f"folder must be a str or Path, got {type(folder).__name__}")
    path = Path(folder).expanduser().resolve()
    allowed = [_REPO, Path(tempfile.gettempdir()).resolve()]
    if not any(path == root or root in path.parents for root in allowed):
        raise ValueError(f"folder must be inside the repository ({_REPO.name}/) or the "
                         f"temporary directory, got {folder}")
    return path


def write_reports(policy_text: str, register_text: str,
                  folder: str | Path | None = None) -> list[Path]:
    """Write :data:`FILES` into ``folder`` (created if needed); return their paths.

    Each file is written to a temporary name first and then renamed, so a
    reader never sees half a file.
    """
    for name, text in (("policy_text", policy_text), ("register_text", register_text)):
        if not isinstance(text, str):
            raise TypeError(f"{name} must be a str, got {type(text).__name__}")
    path = safe_folder(folder)
    path.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in zip(FILES, (policy_text, register_text), strict=True):
        target = path / name
        if target.is_symlink():
            raise ValueError(f"{target.name} in {path} is a symbolic link; refusing to follow it")
        handle, temporary = tempfile.mkstemp(dir=path, prefix=f".{name}.", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, target)
        written.append(target)
    return written
