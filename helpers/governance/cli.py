"""The governance command, for a terminal or a CI job.

::

    python -m helpers.governance check --ledger corpus.jsonl --manifest run.json \\
        --policy policy.toml [--releases releases.json]

``--ledger`` is an SQLite ledger file (opened read-only) or a JSON Lines export.
``--releases`` (optional) is a JSON object ``{release: {measure: value}}``
evaluated with the policy's monitoring rules. Prints one line per violation or
alert. Exit code 0: the manifest satisfies the policy (and no monitor alerts);
1: at least one violation or alert; 2: the command could not run (wrong
arguments, or a file that cannot be read or trusted).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from helpers.arguments import Parser, printable
from helpers.governance import schemas
from helpers.governance.ledger import Ledger, LedgerError
from helpers.governance.policy import (
    PolicyError,
    check,
    evaluate_monitors,
    load_manifest,
    load_policy,
)

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="python -m helpers.governance",
        description="Check a training manifest against a data policy.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("check", help="check a manifest (and releases) against a policy",
                              description="Exit code 0: no violation; 1: violations or "
                                          "alerts; 2: the check could not run.")
    run.add_argument("--ledger", required=True, type=Path,
                     help="SQLite ledger file, or a JSON Lines export (.jsonl)")
    run.add_argument("--manifest", required=True, type=Path, help="training manifest (JSON)")
    run.add_argument("--policy", required=True, type=Path, help="policy file (TOML)")
    run.add_argument("--releases", type=Path,
                     help="measurements per release (JSON) for the monitoring rules")
    return parser


MAX_FILE_BYTES = 100 * 2**20  # larger inputs are refused before reading


def _regular_file(path: Path, option: str) -> Path:
    """``path`` if it names a regular file of at most MAX_FILE_BYTES (a link to one is fine);
    a FIFO, a folder, a device or a missing file is refused before anything reads it."""
    return schemas.regular_file(path, "input file", label=f"{option} {path.name}",
                                max_bytes=MAX_FILE_BYTES)


def _open_ledger(path: Path) -> Ledger:
    if path.suffix == ".jsonl":
        return Ledger.from_jsonl(path)
    return Ledger(path, readonly=True)


def _releases(path: Path) -> dict:
    # a regular file only (a FIFO would block), checked against schemas.RELEASES: deep
    # nesting and huge numbers are one-line errors
    try:
        return schemas.parse(schemas.read_file(path, "releases file"), schemas.RELEASES,
                             path.name)
    except schemas.SchemaError as error:
        raise PolicyError(f"{error} (expected an object {{release: {{measure: value}}}})") \
            from None


def _one_line(text: str, limit: int = 300) -> str:
    """``text`` on one line, at most ``limit`` characters (a huge value is cut)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with ``argv`` (default: the process arguments); return the exit code."""
    args = _parser().parse_args(argv)
    try:
        for option in ("ledger", "manifest", "policy", "releases"):
            if getattr(args, option) is not None:
                _regular_file(getattr(args, option), f"--{option}")
        policy = load_policy(args.policy)
        with _open_ledger(args.ledger) as ledger:
            manifest = load_manifest(args.manifest, ledger)
        violations = check(manifest, policy)
        alerts = []
        if args.releases is not None:
            alerts = [r for r in evaluate_monitors(policy, _releases(args.releases)) if r.alert]
    except (LedgerError, PolicyError, ValueError, TypeError) as error:
        print(f"error: {printable(_one_line(str(error)))}", file=sys.stderr)
        return 2
    print(f"policy {policy.name!r} ({len(policy.rules)} rules, {len(policy.monitors)} monitors)"
          f" against manifest {manifest.name!r} ({len(manifest.entries)} records)")
    for violation in violations:
        print(f"VIOLATION {violation}")
    for alert in alerts:
        shown = "missing" if alert.value is None else f"{alert.value:.4g}"
        print(f"ALERT {alert.monitor} in release {alert.release}: value {shown}, "
              f"threshold {alert.threshold:.4g}")
    if violations or alerts:
        print(f"FAIL: {len(violations)} violation(s), {len(alerts)} alert(s)")
        return 1
    print("PASS: no violation" + (", no alert" if args.releases is not None else ""))
    return 0
