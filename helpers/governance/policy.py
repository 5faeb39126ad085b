"""Policy as code: a TOML policy file checked against a training manifest.

A policy file has a format version, a name, one table per rule and any number
of monitoring rules::

    schema_version = 1
    name = "Training data policy"

    [rules.min_real_fraction]
    limit = 0.6
    why = "keep a real anchor in every training set"

    [[monitors]]
    id = "variance-drop"
    measure = "variance"
    direction = "lower"      # alert when the value falls below the threshold
    threshold = 0.88
    eval_size = 1000
    false_alarm_rate = 0.01

:data:`RULES` lists the rules a policy may use. :func:`check` returns every
violation (rule id, observed value, limit, offending record ids);
:func:`evaluate_monitors` applies the monitoring rules to a sequence of releases.
A policy file that cannot be trusted (syntax error, unknown rule, wrong type,
missing field, value out of range) raises :class:`PolicyError` naming the rule
and the line.

>>> policy = parse_policy("schema_version = 1\\n[rules.min_real_fraction]\\nlimit = 0.5\\n")
>>> policy.rules["min_real_fraction"].limit
0.5
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import numbers
import re
import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.governance.ledger import Ledger, Record

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, from PyPI
    import tomli as tomllib

__all__ = [
    "POLICY_SCHEMA_VERSION",
    "RULES",
    "PolicyError",
    "Rule",
    "Monitor",
    "Policy",
    "Manifest",
    "Violation",
    "MonitorResult",
    "parse_policy",
    "load_policy",
    "parse_manifest",
    "load_manifest",
    "check",
    "evaluate_monitors",
]

POLICY_SCHEMA_VERSION = 1

#: The rules a policy may set: id -> (field, kind of value, what the rule requires).
RULES: dict[str, tuple[str, str, str]] = {
    "min_real_fraction": (
        "limit", "fraction", "share of manifest records known to be real (depth 0) >= limit"),
    "max_synthetic_depth": (
        "limit", "depth", "no record deeper than limit generations of synthesis"),
    "min_provenance_coverage": (
        "limit", "fraction", "share of manifest records with known origin >= limit"),
    "synthetic_requires_verification": (
        "required", "bool", "every synthetic record is verified (when required = true)"),
    "max_generator_share": (
        "limit", "fraction", "share of manifest records from any single generator <= limit"),
    "min_fresh_real_fraction": (
        "limit", "fraction",
        "share of manifest records that are real and collected on or after the manifest's "
        "fresh_since date >= limit"),
}
_RULE_KEYS = {"why"}          # optional free text allowed in every rule table
_MONITOR_KEYS = {"id": "text", "measure": "text", "direction": "direction",
                 "threshold": "number", "eval_size": "count", "false_alarm_rate": "rate"}
_TOP_KEYS = {"schema_version", "name", "rules", "monitors"}


class PolicyError(ValueError):
    """A policy or manifest file that cannot be used; the message names the rule and line."""


@dataclass(frozen=True)
class Rule:
    """One rule of a policy: its id, limit (or ``required`` flag) and where it was set."""

    id: str
    limit: float | int | bool
    line: int | None = None
    why: str = ""


@dataclass(frozen=True)
class Monitor:
    """A monitoring rule: alert when ``measure`` crosses ``threshold`` in ``direction``."""

    id: str
    measure: str
    direction: str
    threshold: float
    eval_size: int
    false_alarm_rate: float
    line: int | None = None

    def alerts(self, value: float) -> bool:
        """True when ``value`` is beyond the threshold on the monitored side."""
        return value < self.threshold if self.direction == "lower" else value > self.threshold


@dataclass(frozen=True)
class Policy:
    """A parsed policy file."""

    name: str
    rules: dict[str, Rule]
    monitors: tuple[Monitor, ...] = ()
    source: str = "<policy>"


@dataclass(frozen=True)
class Manifest:
    """A training manifest resolved against a ledger.

    ``entries`` are the ids the manifest names, ``records`` the ledger records
    among them, ``missing`` the ids the ledger does not have.
    """

    name: str
    entries: tuple[str, ...]
    records: tuple[Record, ...]
    missing: tuple[str, ...] = ()
    fresh_since: str | None = None


@dataclass(frozen=True)
class Violation:
    """One broken rule: observed value against the limit, and the records responsible."""

    rule: str
    observed: float | int | None
    limit: float | int | bool | None
    record_ids: tuple[str, ...]
    detail: str = ""

    def __str__(self) -> str:
        ids = ", ".join(self.record_ids[:5])
        more = f" and {len(self.record_ids) - 5} more" if len(self.record_ids) > 5 else ""
        shown = "n/a" if self.observed is None else _fmt(self.observed)
        limit = "n/a" if self.limit is None else _fmt(self.limit)
        detail = f" ({self.detail})" if self.detail else ""
        return (f"{self.rule}{detail}: observed {shown}, limit {limit}; "
                f"{len(self.record_ids)} record(s): {ids}{more}")


@dataclass(frozen=True)
class MonitorResult:
    """A monitoring rule evaluated on one release (``value`` None: measurement missing)."""

    release: str
    monitor: str
    value: float | None
    threshold: float
    alert: bool


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    return f"{value:.4g}"


# --------------------------------------------------------------------------- parsing

_HEADER = re.compile(r"^\s*(\[\[?)([^\]]+)\]\]?\s*(#.*)?$")  # linear: no overlapping \s*
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'.]+)\s*=")


def _locate(text: str) -> dict[tuple, int]:
    """Line numbers of table headers and keys: ("rules", "x") and ("rules", "x", "limit")."""
    where: dict[tuple, int] = {}
    table: tuple = ()
    arrays: Counter = Counter()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            path = tuple(p.strip().strip("\"'") for p in header.group(2).split("."))
            if header.group(1) == "[[":
                table = path + (arrays[path],)
                arrays[path] += 1
            else:
                table = path
            where.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            path = table + tuple(p.strip().strip("\"'") for p in key.group(1).split("."))
            for i in range(len(table) + 1, len(path) + 1):
                where.setdefault(path[:i], number)
    return where


class _Reader:
    """Helpers that name the source file and line in every error."""

    def __init__(self, text: str, source: str) -> None:
        self.lines = _locate(text)
        self.source = source

    def at(self, *path: Any) -> str:
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return f"{self.source}, line {self.lines[path[:end]]}"
        return self.source

    def line(self, *path: Any) -> int | None:
        return self.lines.get(path)


def _value(kind: str, value: Any, what: str, at: str) -> Any:
    def fail(accepted: str) -> PolicyError:
        return PolicyError(f"{what} ({at}): must be {accepted}, got {value!r}")

    is_number = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if kind == "fraction":
        if not is_number:
            raise fail("a number between 0 and 1")
        if not 0 <= value <= 1:
            raise fail("a fraction between 0 and 1")
        return float(value)
    if kind == "rate":
        if not is_number or not 0 < value < 1:
            raise fail("a rate strictly between 0 and 1")
        return float(value)
    if kind in ("depth", "count"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise fail("an integer")
        if value < (0 if kind == "depth" else 1):
            raise fail("an integer >= 0" if kind == "depth" else "a positive integer")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise fail("true or false")
        return value
    if kind == "number":
        if not is_number or not math.isfinite(value):
            raise fail("a finite number")
        return float(value)
    if kind == "direction":
        if value not in ("lower", "higher"):
            raise fail("'lower' or 'higher'")
        return value
    if not isinstance(value, str) or not value.strip():
        raise fail("non-empty text")
    return value


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    """Parse the TOML text of a policy file; raise :class:`PolicyError` naming rule and line.

    >>> parse_policy("schema_version = 1\\n[rules.max_depth]\\nlimit = 1\\n")
    Traceback (most recent call last):
    ...
    helpers.governance.policy.PolicyError: <policy>, line 2: unknown rule 'max_depth'; \
known rules: min_real_fraction, max_synthetic_depth, min_provenance_coverage, \
synthetic_requires_verification, max_generator_share, min_fresh_real_fraction
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{source}: not valid TOML: {error}") from None
    read = _Reader(text, source)
    for key in data:
        if key not in _TOP_KEYS:
            raise PolicyError(f"{read.at(key)}: unknown key {key!r}; a policy has "
                              f"{', '.join(sorted(_TOP_KEYS))}")
    if "schema_version" not in data:
        raise PolicyError(f"{source}: missing 'schema_version' (this code reads version "
                          f"{POLICY_SCHEMA_VERSION})")
    if data["schema_version"] != POLICY_SCHEMA_VERSION or isinstance(
            data["schema_version"], bool):
        raise PolicyError(f"{read.at('schema_version')}: schema_version must be "
                          f"{POLICY_SCHEMA_VERSION}, got {data['schema_version']!r}")
    name = _value("text", data.get("name", "unnamed policy"), "name", read.at("name"))

    tables = data.get("rules", {})
    if not isinstance(tables, dict):
        raise PolicyError(f"{read.at('rules')}: 'rules' must be a table of rules")
    rules: dict[str, Rule] = {}
    for rule_id, table in tables.items():
        at = read.at("rules", rule_id)
        if rule_id not in RULES:
            raise PolicyError(f"{at}: unknown rule {rule_id!r}; known rules: "
                              f"{', '.join(RULES)}")
        if not isinstance(table, dict):
            raise PolicyError(f"{at}: rule {rule_id!r} must be a table, e.g. "
                              f"[rules.{rule_id}] with {RULES[rule_id][0]} = ...")
        key, kind, _ = RULES[rule_id]
        extra = sorted(set(table) - {key} - _RULE_KEYS)
        if extra:
            raise PolicyError(f"{read.at('rules', rule_id, extra[0])}: rule {rule_id!r} has "
                              f"an unknown field {extra[0]!r}; it takes {key!r} (and 'why')")
        if key not in table:
            raise PolicyError(f"{at}: rule {rule_id!r} is missing its field {key!r}")
        limit = _value(kind, table[key], f"rule {rule_id!r}: {key}",
                       read.at("rules", rule_id, key))
        why = _value("text", table.get("why", "-"), f"rule {rule_id!r}: why",
                     read.at("rules", rule_id, "why"))
        rules[rule_id] = Rule(rule_id, limit, read.line("rules", rule_id),
                              "" if why == "-" else why)

    entries = data.get("monitors", [])
    if not isinstance(entries, list):
        raise PolicyError(f"{read.at('monitors')}: monitors must be an array of tables, "
                          "written [[monitors]]")
    monitors = []
    for index, entry in enumerate(entries):
        at = read.at("monitors", index)
        if not isinstance(entry, dict):
            raise PolicyError(f"{at}: each monitor must be a table ([[monitors]])")
        label = f"monitor {entry.get('id', index + 1)!r}"
        extra = sorted(set(entry) - set(_MONITOR_KEYS))
        if extra:
            raise PolicyError(f"{read.at('monitors', index, extra[0])}: {label} has an unknown "
                              f"field {extra[0]!r}; it takes {', '.join(_MONITOR_KEYS)}")
        values = {}
        for key, kind in _MONITOR_KEYS.items():
            if key not in entry:
                raise PolicyError(f"{at}: {label} is missing its field {key!r}")
            values[key] = _value(kind, entry[key], f"{label}: {key}",
                                 read.at("monitors", index, key))
        if any(m.id == values["id"] for m in monitors):
            raise PolicyError(f"{at}: {label} is defined twice")
        monitors.append(Monitor(**values, line=read.line("monitors", index)))
    return Policy(name, rules, tuple(monitors), source)


def _regular_file(path: Any) -> Path:
    """``path`` as a Path; a FIFO, a folder or a device is refused before it is read (a FIFO
    would block the reader forever)."""
    if isinstance(path, bool) or not isinstance(path, (str, Path)) or not str(path):
        raise TypeError(f"path must be a file path (str or Path), got {type(path).__name__}")
    path = Path(path)
    try:
        if "\0" in str(path) or (path.exists() and not path.is_file()):
            raise PolicyError(f"path: {path.name[:80]} is not a regular file")
    except OSError as error:  # a name too long for the file system
        raise PolicyError(f"path: cannot use {path.name[:80]!r} ({error.strerror})") from None
    return path


def load_policy(path: str | Path) -> Policy:
    """Read and parse a policy file (see :func:`parse_policy`)."""
    path = _regular_file(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyError(f"{path.name}: cannot read the policy file ({error})") from None
    return parse_policy(text, path.name)


def parse_manifest(data: Any, ledger: Ledger, source: str = "<manifest>") -> Manifest:
    """Resolve a manifest (``{"name", "records": [ids], "fresh_since"?}``) against a ledger.

    Ids the ledger does not hold are kept in ``missing`` (the check reports them).
    """
    if not isinstance(ledger, Ledger):
        raise TypeError(f"ledger must be a Ledger, got {type(ledger).__name__}")
    if not isinstance(data, Mapping):
        raise PolicyError(f"{source}: a manifest must be a JSON object with 'records'")
    unknown = sorted(set(data) - {"name", "records", "fresh_since"})
    if unknown:
        raise PolicyError(f"{source}: unknown manifest field {unknown[0]!r}; a manifest has "
                          "name, records, fresh_since")
    ids = data.get("records")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise PolicyError(f"{source}: 'records' must be a list of record ids (strings)")
    if not ids:
        raise PolicyError(f"{source}: 'records' is empty; a manifest names at least one record")
    doubled = [i for i, c in Counter(ids).items() if c > 1]
    if doubled:
        raise PolicyError(f"{source}: record {doubled[0]!r} is listed twice")
    fresh = data.get("fresh_since")
    if fresh is not None:
        try:
            if not isinstance(fresh, str) or _dt.date.fromisoformat(fresh).isoformat() != fresh:
                raise ValueError
        except ValueError:
            raise PolicyError(f"{source}: 'fresh_since' must be a date YYYY-MM-DD, "
                              f"got {fresh!r}") from None
    name = data.get("name", "unnamed manifest")
    if not isinstance(name, str):
        raise PolicyError(f"{source}: 'name' must be text, got {name!r}")
    records = ledger.records(ids)
    found = {r.id for r in records}
    return Manifest(name, tuple(ids), tuple(records),
                    tuple(i for i in ids if i not in found), fresh)


def load_manifest(path: str | Path, ledger: Ledger) -> Manifest:
    """Read a JSON manifest file and resolve it against ``ledger``."""
    path = _regular_file(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except RecursionError:
        raise PolicyError(f"{path.name}: the manifest is nested too deeply") from None
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyError(f"{path.name}: cannot read the manifest ({error})") from None
    except json.JSONDecodeError as error:
        raise PolicyError(f"{path.name}, line {error.lineno}: not valid JSON "
                          f"({error.msg})") from None
    return parse_manifest(data, ledger, path.name)


# --------------------------------------------------------------------------- checking

def check(manifest: Manifest, policy: Policy) -> list[Violation]:
    """Every violation of ``policy`` by ``manifest``, in the order of :data:`RULES`.

    Ids the ledger does not hold are always a violation (rule ``records_in_ledger``)
    and count as records of unknown origin in every share.

    >>> from helpers.governance.ledger import sha256
    >>> ledger = Ledger()
    >>> ledger.add(dict(id="a", content_hash=sha256("a"), source_kind="human", depth=0,
    ...                 collected="2026-01-01", provenance="declared"))
    >>> manifest = parse_manifest({"records": ["a", "ghost"]}, ledger)
    >>> policy = parse_policy("schema_version = 1\\n[rules.min_real_fraction]\\nlimit = 0.8\\n")
    >>> [str(v) for v in check(manifest, policy)]  # doctest: +NORMALIZE_WHITESPACE
    ['records_in_ledger: observed 1, limit 0; 1 record(s): ghost',
     'min_real_fraction: observed 0.5, limit 0.8; 1 record(s): ghost']
    """
    if not isinstance(manifest, Manifest):
        raise TypeError(f"manifest must be a Manifest, got {type(manifest).__name__}")
    if not isinstance(policy, Policy):
        raise TypeError(f"policy must be a Policy, got {type(policy).__name__}")
    total = len(manifest.entries)
    if total == 0:  # a Manifest built by hand: parse_manifest refuses an empty one
        raise ValueError("manifest must name at least one record, got an empty one")
    records = manifest.records
    found: list[Violation] = []
    if manifest.missing:
        found.append(Violation("records_in_ledger", len(manifest.missing), 0, manifest.missing))
    unknown = tuple(r.id for r in records if r.depth is None) + manifest.missing

    for rule_id, rule in ((r, policy.rules[r]) for r in RULES if r in policy.rules):
        if rule_id == "min_real_fraction":
            observed = sum(r.real for r in records) / total
            if observed < rule.limit:
                found.append(Violation(rule_id, observed, rule.limit, tuple(
                    r.id for r in records if not r.real) + manifest.missing))
        elif rule_id == "max_synthetic_depth":
            deep = tuple(r.id for r in records if r.depth is not None and r.depth > rule.limit)
            if deep:
                found.append(Violation(rule_id, max(r.depth or 0 for r in records),
                                       rule.limit, deep))
        elif rule_id == "min_provenance_coverage":
            observed = 1 - len(unknown) / total
            if observed < rule.limit:
                found.append(Violation(rule_id, observed, rule.limit, unknown))
        elif rule_id == "synthetic_requires_verification":
            unverified = tuple(r.id for r in records
                               if r.synthetic and r.verification != "verified")
            if rule.limit and unverified:
                found.append(Violation(rule_id, len(unverified), 0, unverified,
                                       "synthetic records not verified"))
        elif rule_id == "max_generator_share":
            counts = Counter(r.generator for r in records if r.generator is not None)
            for generator, count in sorted(counts.items()):
                if count / total > rule.limit:
                    found.append(Violation(rule_id, count / total, rule.limit, tuple(
                        r.id for r in records if r.generator == generator), generator))
        elif rule_id == "min_fresh_real_fraction":
            if manifest.fresh_since is None:
                found.append(Violation(rule_id, None, rule.limit, (),
                                       "the manifest gives no fresh_since date"))
                continue
            stale = tuple(r.id for r in records
                          if not (r.real and r.collected >= manifest.fresh_since))
            observed = 1 - (len(stale) + len(manifest.missing)) / total
            if observed < rule.limit:
                found.append(Violation(rule_id, observed, rule.limit, stale + manifest.missing,
                                       f"real records collected since {manifest.fresh_since}"))
    return found


def evaluate_monitors(policy: Policy, releases: Mapping[str, Mapping[str, float]]
                      ) -> list[MonitorResult]:
    """Apply every monitor of ``policy`` to each release's measurements, in order.

    ``releases`` maps a release name to ``{measure: value}``. A missing
    measurement is an alert (``value`` None): an unmonitored release is not a safe one.

    >>> policy = parse_policy('''schema_version = 1
    ... [[monitors]]
    ... id = "var"
    ... measure = "variance"
    ... direction = "lower"
    ... threshold = 0.9
    ... eval_size = 1000
    ... false_alarm_rate = 0.01''')
    >>> [r.alert for r in evaluate_monitors(policy, {"r1": {"variance": 0.97},
    ...                                              "r2": {"variance": 0.85}})]
    [False, True]
    """
    if not isinstance(policy, Policy):
        raise TypeError(f"policy must be a Policy, got {type(policy).__name__}")
    if not isinstance(releases, Mapping):
        raise TypeError(f"releases must map release names to measurements, "
                        f"got {type(releases).__name__}")
    results = []
    for release, values in releases.items():
        if not isinstance(values, Mapping):
            raise TypeError(f"releases[{release!r}] must map measure names to numbers")
        for monitor in policy.monitors:
            value = values.get(monitor.measure)
            if value is None:
                results.append(MonitorResult(str(release), monitor.id, None,
                                             monitor.threshold, True))
                continue
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (
                    math.isfinite(value)):
                raise ValueError(f"releases[{release!r}][{monitor.measure!r}] must be a finite "
                                 f"number, got {value!r}")
            results.append(MonitorResult(str(release), monitor.id, float(value),
                                         monitor.threshold, monitor.alerts(float(value))))
    return results
