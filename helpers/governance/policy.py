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
and the line: its form is checked by one JSON Schema, :func:`policy_schema`, built from
:data:`RULES` and :data:`KINDS` and applied by the validator of every file CI jobs feed in
(:func:`helpers.governance.schemas.check`); manifests likewise by
:data:`helpers.governance.schemas.MANIFEST`.

>>> policy = parse_policy("schema_version = 1\\n[rules.min_real_fraction]\\nlimit = 0.5\\n")
>>> policy.rules["min_real_fraction"].limit
0.5
"""

from __future__ import annotations

import numbers
import re
import sys
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from helpers.governance import schemas
from helpers.governance.ledger import Ledger, Record
from helpers.validate import check_nesting, finite_array, real, shown

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, from PyPI
    import tomli as tomllib

__all__ = [
    "POLICY_SCHEMA_VERSION",
    "RULES",
    "RuleDef",
    "KINDS",
    "PolicyError",
    "Rule",
    "Monitor",
    "Policy",
    "Manifest",
    "Violation",
    "MonitorResult",
    "parse_policy",
    "policy_schema",
    "load_policy",
    "parse_manifest",
    "load_manifest",
    "check",
    "evaluate_monitors",
]

POLICY_SCHEMA_VERSION = 1

@dataclass(frozen=True)
class RuleDef:
    """A rule a policy may set: its field, the kind of value (a key of :data:`KINDS`), what
    it requires, its check (``check(manifest, rule, context) -> violations``; see
    :func:`check`) and, for a rule that bounds a share, which side of the limit is allowed
    (``"min"`` or ``"max"``). A new rule is one more entry of :data:`RULES`; a malformed
    entry is refused when it is made.
    """

    field: str
    kind: str
    meaning: str
    check: Callable[[Manifest, Rule, _Context], list[Violation]]
    bound: str = ""

    def __post_init__(self) -> None:
        for name in ("field", "meaning"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise TypeError(f"{name} must be a non-empty str, got {shown(value)}")
        if not isinstance(self.kind, str) or self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {shown(self.kind)}")
        if not callable(self.check):
            raise TypeError(f"check must be callable, check(manifest, rule, context), got "
                            f"{type(self.check).__name__}")
        if not isinstance(self.bound, str) or self.bound not in ("", "min", "max"):
            raise ValueError(f"bound must be '', 'min' or 'max', got {shown(self.bound)}")

    def broken_by(self, observed: Any, limit: float) -> Any:
        """True where ``observed`` breaks the rule's bound ``limit`` (elementwise for arrays).

        >>> RULES["min_real_fraction"].broken_by(0.5, 0.6)
        True
        """
        if self.bound not in ("min", "max"):
            raise ValueError(f"rule has no numeric bound (bound={self.bound!r})")
        limit = real(limit, "limit")
        if isinstance(observed, (numbers.Number, np.generic)):
            value = real(observed, "observed")
            return value < limit if self.bound == "min" else value > limit
        values = finite_array(observed, "observed")
        return values < limit if self.bound == "min" else values > limit


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
        """True when ``value`` is beyond the threshold on the monitored side.

        >>> Monitor("v", "variance", "lower", 0.9, 1000, 0.01).alerts(0.85)
        True
        """
        value = real(value, "value")
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

# Linear-time patterns (each character can be matched one way only): a header's name is
# stripped in Python, not by competing \s* around a lazy group (that took cubic time on a
# long line: 2,000 characters, 26 s).
_HEADER = re.compile(r"^[ \t]*(\[\[?)([^\]]*)\]\]?[ \t]*(?:#.*)?$")
_KEY = re.compile(r"^[ \t]*([A-Za-z0-9_\-\"'.]+)[ \t]*=")


def _locate(text: str) -> dict[tuple, int]:
    """Line numbers of table headers and keys: ("rules", "x") and ("rules", "x", "limit")."""
    where: dict[tuple, int] = {}
    table: tuple = ()
    arrays: Counter = Counter()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            path = tuple(p.strip().strip("\"'") for p in header.group(2).strip().split("."))
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


_HUGE = int(schemas.MAX_NUMBER)  # the files' one number limit (larger overflows SQLite, floats)
_FRACTION = "must be a fraction between 0 and 1, got {value}"
_DEPTH = f"must be an integer >= 0 up to {_HUGE:.0e}, got {{value}}"
_COUNT = f"must be a positive integer up to {_HUGE:.0e}, got {{value}}"
_RATE = "must be a rate strictly between 0 and 1, got {value}"


def _words(text: str, *keywords: str) -> dict[str, str]:
    return {key: text for key in keywords}


#: The kinds of value a policy file holds: kind -> (JSON Schema of the value, with its words
#: for an error, and the Python type the value is used as).
KINDS: dict[str, tuple[dict[str, Any], Callable[[Any], Any]]] = {
    "fraction": ({"type": "number", "minimum": 0, "maximum": 1, "x-message": {
        "type": "must be a number between 0 and 1, got {value}",
        **_words(_FRACTION, "minimum", "maximum")}}, float),
    "rate": ({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1,
              "x-message": _words(_RATE, "type", "exclusiveMinimum", "exclusiveMaximum")},
             float),
    "depth": ({"type": "integer", "minimum": 0, "maximum": _HUGE,
               "x-message": _words(_DEPTH, "type", "minimum", "maximum")}, int),
    "count": ({"type": "integer", "minimum": 1, "maximum": _HUGE,
               "x-message": _words(_COUNT, "type", "minimum", "maximum")}, int),
    "bool": ({"type": "boolean", "x-message": {"type": "must be true or false, got {value}"}},
             bool),
    "number": ({"type": "number", "x-message": {
        "type": "must be a finite number, got {value}"}}, float),
    "direction": ({"enum": ["lower", "higher"], "x-message": {
        "enum": "must be 'lower' or 'higher', got {value}"}}, str),
    "text": ({"type": "string", "pattern": r"\S", "x-message": _words(
        "must be non-empty text, got {value}", "type", "pattern")}, str),
}


def _table(fields: dict[str, str], required: list[str], takes: str, example: str
           ) -> dict[str, Any]:
    """The schema of a TOML table whose ``fields`` (name -> kind) are listed."""
    return {"type": "object", "additionalProperties": False, "required": required,
            "properties": {name: KINDS[kind][0] for name, kind in fields.items()},
            "x-message": {"type": f"must be a table, e.g. {example}",
                          "additionalProperties": "has an unknown field {extra}; it takes "
                                                  + takes,
                          "required": "is missing its field {missing}"}}


def policy_schema() -> dict[str, Any]:
    """The JSON Schema of a policy file, built from :data:`RULES`, :data:`KINDS` and the
    monitor fields (checked by :func:`helpers.governance.schemas.check`, the one validator
    of the files CI jobs feed in: nesting, number range, form).

    >>> sorted(policy_schema()["properties"]["rules"]["properties"])[:2]
    ['max_generator_share', 'max_synthetic_depth']
    """
    rules = {rule_id: _table({d.field: d.kind, "why": "text"}, [d.field],
                             f"{d.field!r} (and 'why')", f"[rules.{rule_id}] with {d.field} = ...")
             for rule_id, d in RULES.items()}
    monitor = _table(_MONITOR_KEYS, list(_MONITOR_KEYS), ", ".join(_MONITOR_KEYS),
                     "[[monitors]] with " + ", ".join(_MONITOR_KEYS))
    monitor["x-message"]["type"] = "must be a table ([[monitors]])"
    return {
        "type": "object", "additionalProperties": False, "required": ["schema_version"],
        "properties": {
            "schema_version": {"const": POLICY_SCHEMA_VERSION, "x-message": {
                "const": f"schema_version must be {POLICY_SCHEMA_VERSION}, got {{value}}"}},
            "name": {**KINDS["text"][0], "x-message": _words(
                "'name' must be non-empty text, got {value}", "type", "pattern")},
            "rules": {"type": "object", "additionalProperties": False, "properties": rules,
                      "x-message": {"type": "'rules' must be a table of rules",
                                    "additionalProperties": "unknown rule {extra}; known "
                                                            "rules: " + ", ".join(RULES)}},
            "monitors": {"type": "array", "items": monitor, "x-message": {
                "type": "monitors must be an array of tables, written [[monitors]]"}}},
        "x-message": {
            "type": "the policy text must be a TOML table",
            "additionalProperties": "unknown key {extra}; a policy has "
                                    + ", ".join(sorted(_TOP_KEYS)),
            "required": f"missing 'schema_version' in the policy text (this code reads "
                        f"version {POLICY_SCHEMA_VERSION})"},
    }


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    """Parse the TOML text of a policy file; raise :class:`PolicyError` naming rule and line.

    The form is checked by :func:`policy_schema` (one JSON Schema, built from the tables).

    >>> parse_policy("schema_version = 1\\n[rules.max_depth]\\nlimit = 1\\n")
    Traceback (most recent call last):
    ...
    helpers.governance.policy.PolicyError: <policy>, line 2: unknown rule 'max_depth'; \
known rules: min_real_fraction, max_synthetic_depth, min_provenance_coverage, \
synthetic_requires_verification, max_generator_share, min_fresh_real_fraction
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, got {type(source).__name__}")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{source}: the policy text is not valid TOML: {error}") from None
    except RecursionError:
        raise PolicyError(f"{source}: the policy text is nested too deeply") from None
    read = _Reader(text, source)
    try:
        schemas.check(data, policy_schema(), source)
    except schemas.SchemaError as error:
        raise PolicyError(_message(error, data, read)) from None
    monitors = [Monitor(**{key: KINDS[kind][1](entry[key]) for key, kind in _MONITOR_KEYS.items()},
                        line=read.line("monitors", index))
                for index, entry in enumerate(data.get("monitors", []))]
    ids = [m.id for m in monitors]
    for index, monitor in enumerate(monitors):
        if monitor.id in ids[:index]:
            raise PolicyError(f"{read.at('monitors', index)}: monitor {shown(monitor.id)} is "
                              "defined twice")
    rules = {rule_id: Rule(rule_id, KINDS[RULES[rule_id].kind][1](table[RULES[rule_id].field]),
                           read.line("rules", rule_id), table.get("why", ""))
             for rule_id, table in data.get("rules", {}).items()}
    return Policy(data.get("name", "unnamed policy"), rules, tuple(monitors), source)


def _message(error: schemas.SchemaError, data: dict, read: _Reader) -> str:
    """``line N: rule 'x' is missing ...`` for a table, ``rule 'x': limit (line N): must
    be ...`` for a value: the rule or monitor, its field and the line, in every error."""
    label = _label(error.path, data)
    if len(error.path) > 2:
        return f"{label} ({read.at(*error.place)}): {error.reason}"
    return f"{read.at(*error.place)}: {label}{' ' if label else ''}{error.reason}"


def _label(place: tuple, data: dict) -> str:
    """What an error's place is called: ``rule 'x'``, ``monitor 'v': threshold`` (or '')."""
    if len(place) < 2 or place[0] not in ("rules", "monitors"):
        return ""
    if place[0] == "rules":
        label = f"rule {shown(place[1])}"
    else:
        entry = data["monitors"][place[1]]
        name = entry.get("id", place[1] + 1) if isinstance(entry, dict) else place[1] + 1
        label = f"monitor {shown(name)}"
    return label + (f": {place[2]}" if len(place) > 2 else "")


def load_policy(path: str | Path) -> Policy:
    """Read and parse a policy file (see :func:`parse_policy`); a FIFO, a device, a folder
    or a file over :data:`helpers.governance.schemas.MAX_BYTES` is refused unread."""
    try:
        text = schemas.read_file(path, "policy file")
    except schemas.SchemaError as error:
        raise PolicyError(str(error)) from None
    return parse_policy(text, Path(path).name)


def parse_manifest(data: Any, ledger: Ledger, source: str = "<manifest>") -> Manifest:
    """Resolve a manifest (``{"name", "records": [ids], "fresh_since"?}``) against a ledger.

    Its form is checked by the one schema of manifests,
    :data:`helpers.governance.schemas.MANIFEST`; ids the ledger does not hold are kept in
    ``missing`` (the check reports them).

    >>> parse_manifest({"records": ["a", "a"]}, Ledger(), "run.json")
    Traceback (most recent call last):
    ...
    helpers.governance.policy.PolicyError: run.json: record 'a' is listed twice in 'records'
    """
    if not isinstance(ledger, Ledger):
        raise TypeError(f"ledger must be a Ledger, got {type(ledger).__name__}")
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, got {type(source).__name__}")
    if not isinstance(data, Mapping):
        raise PolicyError(f"{source}: data (a manifest) must be a JSON object with 'records', "
                          f"got {type(data).__name__}")
    try:
        check_nesting(data, "data")
        schemas.check(dict(data), schemas.MANIFEST, source)
    except schemas.SchemaError as error:
        raise PolicyError(str(error)) from None
    except ValueError as error:
        raise PolicyError(f"{source}: {error}") from None
    ids = data["records"]
    records = ledger.records(ids)
    found = {r.id for r in records}
    return Manifest(data.get("name", "unnamed manifest"), tuple(ids), tuple(records),
                    tuple(i for i in ids if i not in found), data.get("fresh_since"))


def load_manifest(path: str | Path, ledger: Ledger) -> Manifest:
    """Read a JSON manifest file and resolve it against ``ledger`` (its form is checked
    against :data:`helpers.governance.schemas.MANIFEST`)."""
    try:
        data = schemas.parse(schemas.read_file(path, "manifest"), schemas.ANY_JSON,
                             Path(path).name)
    except schemas.SchemaError as error:
        raise PolicyError(str(error)) from None
    return parse_manifest(data, ledger, Path(path).name)


# --------------------------------------------------------------------------- checking

@dataclass(frozen=True)
class _Context:
    """What every rule's check needs besides the manifest: its size and unknown-origin ids."""

    total: int
    unknown: tuple[str, ...]


def _min_real_fraction(manifest: Manifest, rule: Rule, ctx: _Context) -> list[Violation]:
    observed = sum(r.real for r in manifest.records) / ctx.total
    if not RULES[rule.id].broken_by(observed, rule.limit):
        return []
    return [Violation(rule.id, observed, rule.limit, tuple(
        r.id for r in manifest.records if not r.real) + manifest.missing)]


def _max_synthetic_depth(manifest: Manifest, rule: Rule, ctx: _Context) -> list[Violation]:
    deep = tuple(r.id for r in manifest.records if r.depth is not None and r.depth > rule.limit)
    if not deep:
        return []
    return [Violation(rule.id, max(r.depth or 0 for r in manifest.records), rule.limit, deep)]


def _min_provenance_coverage(manifest: Manifest, rule: Rule, ctx: _Context) -> list[Violation]:
    observed = 1 - len(ctx.unknown) / ctx.total
    return [] if observed >= rule.limit else [Violation(rule.id, observed, rule.limit,
                                                        ctx.unknown)]


def _synthetic_requires_verification(manifest: Manifest, rule: Rule, ctx: _Context
                                     ) -> list[Violation]:
    unverified = tuple(r.id for r in manifest.records
                       if r.synthetic and r.verification != "verified")
    if not (rule.limit and unverified):
        return []
    return [Violation(rule.id, len(unverified), 0, unverified, "synthetic records not verified")]


def _max_generator_share(manifest: Manifest, rule: Rule, ctx: _Context) -> list[Violation]:
    counts = Counter(r.generator for r in manifest.records if r.generator is not None)
    return [Violation(rule.id, count / ctx.total, rule.limit, tuple(
        r.id for r in manifest.records if r.generator == generator), generator)
        for generator, count in sorted(counts.items()) if count / ctx.total > rule.limit]


def _min_fresh_real_fraction(manifest: Manifest, rule: Rule, ctx: _Context) -> list[Violation]:
    if manifest.fresh_since is None:
        return [Violation(rule.id, None, rule.limit, (), "the manifest gives no fresh_since date")]
    stale = tuple(r.id for r in manifest.records
                  if not (r.real and r.collected >= manifest.fresh_since))
    observed = 1 - (len(stale) + len(manifest.missing)) / ctx.total
    if observed >= rule.limit:
        return []
    return [Violation(rule.id, observed, rule.limit, stale + manifest.missing,
                      f"real records collected since {manifest.fresh_since}")]


#: The rules a policy may set, in the order :func:`check` reports them: id -> RuleDef.
RULES: dict[str, RuleDef] = {
    "min_real_fraction": RuleDef(
        "limit", "fraction", "share of manifest records known to be real (depth 0) >= limit",
        _min_real_fraction, "min"),
    "max_synthetic_depth": RuleDef(
        "limit", "depth", "no record deeper than limit generations of synthesis",
        _max_synthetic_depth),
    "min_provenance_coverage": RuleDef(
        "limit", "fraction", "share of manifest records with known origin >= limit",
        _min_provenance_coverage),
    "synthetic_requires_verification": RuleDef(
        "required", "bool", "every synthetic record is verified (when required = true)",
        _synthetic_requires_verification),
    "max_generator_share": RuleDef(
        "limit", "fraction", "share of manifest records from any single generator <= limit",
        _max_generator_share),
    "min_fresh_real_fraction": RuleDef(
        "limit", "fraction",
        "share of manifest records that are real and collected on or after the manifest's "
        "fresh_since date >= limit", _min_fresh_real_fraction),
}


def check(manifest: Manifest, policy: Policy) -> list[Violation]:
    """Every violation of ``policy`` by ``manifest``, in the order of :data:`RULES`.

    Ids the ledger does not hold are always a violation (rule ``records_in_ledger``)
    and count as records of unknown origin in every share. Each rule is checked by its
    own function in :data:`RULES`.

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
    if not manifest.entries:
        raise ValueError("manifest names no record; a manifest names at least one record")
    unknown = tuple(r.id for r in manifest.records if r.depth is None) + manifest.missing
    context = _Context(len(manifest.entries), unknown)
    found: list[Violation] = []
    if manifest.missing:
        found.append(Violation("records_in_ledger", len(manifest.missing), 0, manifest.missing))
    for rule_id, definition in RULES.items():
        if rule_id in policy.rules:
            found += definition.check(manifest, policy.rules[rule_id], context)
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
            try:
                value = real(value, "value")
            except (TypeError, ValueError):
                raise ValueError(f"releases[{shown(release)}][{monitor.measure!r}] must be a "
                                 f"finite number, got {shown(value)}") from None
            results.append(MonitorResult(str(release), monitor.id, value,
                                         monitor.threshold, monitor.alerts(value)))
    return results
