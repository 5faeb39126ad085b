"""The points scheme of a class: how statuses, rubric levels and lateness become points.

Read from a TOML file (``--points FILE``; docs/instructor/grading-points.toml is the default
scheme, documented in docs/instructor/grading.md). Every key is validated against the course
before anything runs: an unknown exercise or hint id, a negative number or a wrong type is a
:class:`ConfigError` whose one-line message names the key.

Example::

    >>> config = parse_config({"points": {"check": 2}}, {"00.1": Rule(check=1.0)})
    >>> config.rules["00.1"].check
    2.0
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from tools import nbio

DEFAULT_FILE = nbio.ROOT / "docs" / "instructor" / "grading-points.toml"
MOODLE_IDS = ("email", "idnumber", "username")
TOP_KEYS = {"points", "partial", "late", "export"}
POINT_KEYS = {"check", "written", "capstone", "exercise"}
LATE_KEYS = {"deadline", "per_day", "flat", "cap", "grace_minutes", "lessons"}
EXPORT_KEYS = {"assignment", "canvas_assignment_id", "moodle_id"}


class ConfigError(ValueError):
    """A grading config that cannot be used; the message is one line naming the key."""


@dataclass(frozen=True)
class Rule:
    """Points of one exercise: for its check, and for its rubric-graded (written) part."""

    check: float = 0.0
    written: float = 0.0
    partial: dict[str, float] = field(default_factory=dict)  # hint id -> share of `check`


@dataclass(frozen=True)
class Late:
    """A late policy: ``per_day`` percent per started day after the deadline, or ``flat``
    percent once late, never more than ``cap`` percent; ``grace_minutes`` are forgiven."""

    deadline: dt.datetime
    per_day: float = 0.0
    flat: float = 0.0
    cap: float = 100.0
    grace_minutes: float = 0.0
    lessons: dict[str, dt.datetime] = field(default_factory=dict)

    def deadline_for(self, lesson: str) -> dt.datetime:
        return self.lessons.get(lesson, self.deadline)

    def penalty(self, lesson: str, submitted: dt.datetime | None) -> float:
        """Share of the points taken away (0 to cap/100) for work handed in at ``submitted``.

        >>> d = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
        >>> Late(d, per_day=10).penalty("01", d + dt.timedelta(hours=25))
        0.2
        """
        if submitted is None:
            return 0.0
        late = submitted - self.deadline_for(lesson) - dt.timedelta(minutes=self.grace_minutes)
        if late <= dt.timedelta(0):
            return 0.0
        days = math.ceil(late / dt.timedelta(days=1))
        percent = self.flat + self.per_day * days
        return min(percent, self.cap) / 100


@dataclass(frozen=True)
class Config:
    """The whole scheme: a rule per exercise, capstone points, late policy, export names."""

    rules: dict[str, Rule]
    capstone: float = 0.0
    late: Late | None = None
    assignment: str = "Model collapse, hands-on"
    canvas_assignment_id: str = ""
    moodle_id: str = "email"


def course_rules(lessons: dict, rubric_ids: set[str], check: float = 1.0,
                 written: float = 2.0) -> dict[str, Rule]:
    """The default rule of every exercise: ``check`` points for a checked exercise and
    ``written`` for one graded with a rubric (both for 01.3 and 06.6)."""
    return {e.id: Rule(check=check if e.check else 0.0,
                       written=written if e.id in rubric_ids else 0.0)
            for lesson in lessons.values() for e in lesson.exercises}


def _number(value: object, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{key}: expected a number, got {type(value).__name__} {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ConfigError(f"{key}: expected a finite number >= 0, got {value!r}")
    return float(value)


def _table(value: object, key: str, allowed: set[str] | None = None) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(f"{key}: expected a table, got {type(value).__name__} {value!r}")
    if allowed is not None:
        for name in value:
            if name not in allowed:
                raise ConfigError(f"{key}.{name}: unknown key (expected one of "
                                  f"{', '.join(sorted(allowed))})")
    return value


def _when(value: object, key: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ConfigError(f"{key}: expected a TOML date-time with a UTC offset such as "
                          f"2026-12-18T23:59:00Z, got {value!r}")
    if value.tzinfo is None:
        raise ConfigError(f"{key}: the date-time {value.isoformat()} has no UTC offset "
                          "(write 2026-12-18T23:59:00Z or …+01:00)")
    return value


def parse_config(data: dict, defaults: dict[str, Rule],
                 hint_ids: dict[str, tuple[str, ...]] | None = None) -> Config:
    """Validate a parsed TOML document against the course's exercises (``defaults``) and the
    checks' hint ids; raise :class:`ConfigError` on the first problem."""
    _table(data, "config", TOP_KEYS)
    points = _table(data.get("points", {}), "points", POINT_KEYS)
    rules = _point_rules(points, defaults)
    _partial_rules(_table(data.get("partial", {}), "partial"), rules, hint_ids or {})
    lessons = {i[:2] for i in defaults} | {"capstone"}
    late = _late(data["late"], lessons) if "late" in data else None
    export = _export(data.get("export", {}))
    return Config(rules=rules, capstone=_number(points.get("capstone", 35.0), "points.capstone"),
                  late=late, assignment=export.get("assignment", Config.assignment).strip(),
                  canvas_assignment_id=export["canvas_assignment_id"],
                  moodle_id=export.get("moodle_id", "email"))


def _point_rules(points: dict, defaults: dict[str, Rule]) -> dict[str, Rule]:
    """The course's rules with the ``[points]`` defaults and per-exercise overrides applied."""
    check = _number(points.get("check", 1.0), "points.check")
    written = _number(points.get("written", 2.0), "points.written")
    rules = {i: replace(r, check=check if r.check else 0.0, written=written if r.written else 0.0)
             for i, r in defaults.items()}
    for exercise_id, value in _table(points.get("exercise", {}), "points.exercise").items():
        key = f'points.exercise."{exercise_id}"'
        if exercise_id not in rules:
            raise ConfigError(f"{key}: unknown exercise id (the course has "
                              f"{min(rules)}–{max(rules)})")
        rules[exercise_id] = _exercise_rule(exercise_id, rules[exercise_id], defaults[exercise_id],
                                            _table(value, key, {"check", "written"}))
    return rules


def _exercise_rule(exercise_id: str, rule: Rule, default: Rule, value: dict) -> Rule:
    """``rule`` with the parts ``value`` sets (a part the exercise lacks may only be 0)."""
    key = f'points.exercise."{exercise_id}"'
    for part in ("check", "written"):
        if part in value:
            if getattr(default, part) == 0 and value[part] != 0:
                what = "no check" if part == "check" else "no rubric in rubrics.md"
                raise ConfigError(f"{key}.{part}: exercise {exercise_id} has {what}")
            rule = replace(rule, **{part: _number(value[part], f"{key}.{part}")})
    return rule


def _partial_rules(partial: dict, rules: dict[str, Rule],
                   hint_ids: dict[str, tuple[str, ...]]) -> None:
    """Set the ``[partial]`` shares per hint id on ``rules`` (checked exercises only)."""
    for exercise_id, shares in partial.items():
        key = f'partial."{exercise_id}"'
        if exercise_id not in rules or not rules[exercise_id].check:
            raise ConfigError(f"{key}: not a checked exercise of the course")
        known = hint_ids.get(exercise_id)
        parsed = {}
        for hint, share in _table(shares, key).items():
            if known is not None and hint not in known:
                raise ConfigError(f'{key}."{hint}": the check of {exercise_id} has no such hint '
                                  f"id (it has {', '.join(known)})")
            share = _number(share, f'{key}."{hint}"')
            if share > 1:
                raise ConfigError(f'{key}."{hint}": a share of the points, 0 to 1, got {share:g}')
            parsed[hint] = share
        rules[exercise_id] = replace(rules[exercise_id], partial=parsed)


def _export(value: object) -> dict:
    """The validated ``[export]`` table, ``canvas_assignment_id`` always present as a string."""
    export = _table(value, "export", EXPORT_KEYS)
    for name in ("assignment", "moodle_id"):
        if name in export and not (isinstance(export[name], str) and export[name].strip()):
            raise ConfigError(f"export.{name}: expected a non-empty string, got "
                              f"{export[name]!r}")
    if export.get("moodle_id", "email") not in MOODLE_IDS:
        raise ConfigError(f"export.moodle_id: expected one of {', '.join(MOODLE_IDS)}, got "
                          f"{export['moodle_id']!r}")
    canvas_id = export.get("canvas_assignment_id", "")
    if isinstance(canvas_id, bool) or not isinstance(canvas_id, (int, str)) or \
            not re.fullmatch(r"\d*", str(canvas_id)):
        raise ConfigError(f"export.canvas_assignment_id: expected digits, got {canvas_id!r}")
    return {**export, "canvas_assignment_id": str(canvas_id)}


def _late(value: object, known: set[str]) -> Late:
    late = _table(value, "late", LATE_KEYS)
    if "deadline" not in late:
        raise ConfigError("late.deadline: missing (a TOML date-time such as 2026-12-18T23:59:00Z)")
    numbers = {k: _number(late[k], f"late.{k}") for k in ("per_day", "flat", "cap",
                                                          "grace_minutes") if k in late}
    for name in ("per_day", "flat", "cap"):
        if numbers.get(name, 0) > 100:
            raise ConfigError(f"late.{name}: a percentage, 0 to 100, got {numbers[name]:g}")
    lessons = {}
    for lesson, when in _table(late.get("lessons", {}), "late.lessons").items():
        if lesson not in known:
            raise ConfigError(f'late.lessons."{lesson}": unknown lesson (expected one of '
                              f"{', '.join(sorted(known))})")
        lessons[lesson] = _when(when, f'late.lessons."{lesson}"')
    return Late(deadline=_when(late["deadline"], "late.deadline"), lessons=lessons, **numbers)


def load_config(path: Path | None, defaults: dict[str, Rule],
                hint_ids: dict[str, tuple[str, ...]] | None = None) -> Config:
    """Read and validate ``path`` (the default scheme when None)."""
    path = DEFAULT_FILE if path is None else path
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"--points {path}: cannot be read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"--points {path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"--points {path}: invalid TOML ({error})") from None
    return parse_config(data, defaults, hint_ids)
