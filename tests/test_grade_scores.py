"""From statuses to points: the points scheme is validated key by key, the rubric levels come
from rubrics.md, a filled rubric sheet is read row by row (a bad row is one error, never a
crash), and totals, partial credit and the late policy give the numbers worked out by hand here."""

from __future__ import annotations

import datetime as dt
import doctest

import pytest

from helpers.checks.core import registry
from tools.grading import config as config_module
from tools.grading import rubric_sheet, scores
from tools.grading.config import ConfigError, Late, Rule, course_rules, load_config, parse_config
from tools.grading.course import RUBRICS, load_course
from tools.grading.results import ExerciseResult
from tools.grading.rubric_sheet import CAPSTONE, load_rubrics, read_sheet, sheet_csv
from tools.grading.scores import hand_in_times, read_manifest, score_class

LESSONS = load_course()
RUBRIC_TEXT = RUBRICS.read_text(encoding="utf-8")
RUBRICS_BY_ID = load_rubrics(RUBRIC_TEXT)
DEFAULTS = course_rules(LESSONS, set(RUBRICS_BY_ID) - {CAPSTONE})
HINTS = {i: tuple(c.hint_ids) for i, c in registry().items()}
UTC = dt.timezone.utc
DEADLINE = dt.datetime(2026, 12, 18, 23, 59, tzinfo=UTC)


def parse(data: dict):
    return parse_config(data, DEFAULTS, HINTS)


def test_doctest_examples():
    for module in (config_module, rubric_sheet, scores):
        assert doctest.testmod(module).failed == 0


# ------------------------------------------------------------------------ the points scheme


def test_the_default_scheme_adds_up_to_100_points_over_the_course():
    config = load_config(None, DEFAULTS, HINTS)
    checks = sum(r.check for r in config.rules.values())
    written = sum(r.written for r in config.rules.values())
    assert (checks, written, config.capstone) == (35.0, 30.0, 35.0)
    # the written part of 01.3 and the content of 06.6 have rubric points next to their check
    assert config.rules["01.3"] == Rule(check=1.0, written=2.0)
    assert config.rules["06.6"] == Rule(check=1.0, written=2.0)
    assert config.rules["00.2"] == Rule(check=0.0, written=2.0)


@pytest.mark.parametrize("data, key", [
    ({"points": {"exercise": {"09.1": {"check": 1}}}}, 'points.exercise."09.1"'),
    ({"points": {"check": -1}}, "points.check"),
    ({"points": {"check": -0.001}}, "points.check"),
    ({"points": {"written": "2"}}, "points.written"),
    ({"points": {"capstone": True}}, "points.capstone"),
    ({"points": {"capstone": float("nan")}}, "points.capstone"),
    ({"points": {"exercise": {"01.1": {"check": -2}}}}, 'points.exercise."01.1".check'),
    ({"points": {"exercise": {"01.1": {"written": 1}}}}, 'points.exercise."01.1".written'),
    ({"points": {"exercise": {"00.2": {"check": 1}}}}, 'points.exercise."00.2".check'),
    ({"points": {"exercise": {"01.1": 3}}}, 'points.exercise."01.1"'),
    ({"points": {"exercise": {"01.1": {"cheque": 3}}}}, 'points.exercise."01.1".cheque'),
    ({"points": {"bonus": 3}}, "points.bonus"),
    ({"grades": {}}, "config.grades"),
    ({"partial": {"01.2": {"no-such-hint": 0.5}}}, 'partial."01.2"."no-such-hint"'),
    ({"partial": {"01.2": {"ddof-swapped": 1.01}}}, 'partial."01.2"."ddof-swapped"'),
    ({"partial": {"01.2": {"ddof-swapped": "half"}}}, 'partial."01.2"."ddof-swapped"'),
    ({"partial": {"00.2": {"x": 0.5}}}, 'partial."00.2"'),
    ({"late": {"per_day": 10}}, "late.deadline"),
    ({"late": {"deadline": "2026-12-18"}}, "late.deadline"),
    ({"late": {"deadline": dt.datetime(2026, 12, 18)}}, "late.deadline"),
    ({"late": {"deadline": DEADLINE, "per_day": 101}}, "late.per_day"),
    ({"late": {"deadline": DEADLINE, "cap": -5}}, "late.cap"),
    ({"late": {"deadline": DEADLINE, "lessons": {"08": DEADLINE}}}, 'late.lessons."08"'),
    ({"export": {"moodle_id": "phone"}}, "export.moodle_id"),
    ({"export": {"canvas_assignment_id": "12a"}}, "export.canvas_assignment_id"),
    ({"export": {"assignment": ""}}, "export.assignment"),
])
def test_a_bad_key_is_one_line_naming_it(data, key):
    with pytest.raises(ConfigError) as error:
        parse(data)
    message = str(error.value)
    assert message.startswith(key + ":") and "\n" not in message, message


def test_valid_overrides_and_partial_credit_are_read():
    config = parse({"points": {"check": 2, "exercise": {"01.3": {"written": 4}}},
                    "partial": {"01.2": {"ddof-swapped": 0.5}},
                    "late": {"deadline": DEADLINE, "per_day": 10, "cap": 30,
                             "lessons": {"06": DEADLINE + dt.timedelta(days=2)}},
                    "export": {"canvas_assignment_id": 123, "moodle_id": "idnumber"}})
    assert config.rules["01.3"] == Rule(check=2.0, written=4.0)
    assert config.rules["01.2"].partial == {"ddof-swapped": 0.5}
    assert config.late.deadline_for("06") == DEADLINE + dt.timedelta(days=2)
    assert (config.canvas_assignment_id, config.moodle_id) == ("123", "idnumber")


def test_a_file_that_is_not_toml_is_one_line_naming_the_file(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text("[points\ncheck = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^--points .*p\.toml: invalid TOML"):
        load_config(path, DEFAULTS, HINTS)
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path, DEFAULTS, HINTS)


# ------------------------------------------------------------------------ the late policy


@pytest.mark.parametrize("after, per_day, flat, cap, grace, share", [
    (dt.timedelta(0), 10, 0, 100, 0, 0.0),                      # on the deadline: on time
    (dt.timedelta(seconds=1), 10, 0, 100, 0, 0.1),              # one second late: one day
    (dt.timedelta(days=1), 10, 0, 100, 0, 0.1),
    (dt.timedelta(days=1, seconds=1), 10, 0, 100, 0, 0.2),
    (dt.timedelta(days=9), 10, 0, 50, 0, 0.5),                  # the cap
    (dt.timedelta(minutes=14), 10, 0, 100, 15, 0.0),            # inside the grace
    (dt.timedelta(minutes=16), 10, 0, 100, 15, 0.1),
    (dt.timedelta(days=3), 0, 20, 100, 0, 0.2),                 # flat
    (-dt.timedelta(days=3), 10, 20, 100, 0, 0.0),               # early
])
def test_late_penalty(after, per_day, flat, cap, grace, share):
    late = Late(DEADLINE, per_day=per_day, flat=flat, cap=cap, grace_minutes=grace)
    assert late.penalty("01", DEADLINE + after) == pytest.approx(share)
    assert late.penalty("01", None) == 0.0


def test_manifest_rows_that_cannot_be_used_are_one_error_each(tmp_path):
    path = tmp_path / "manifest.csv"
    path.write_text("learner,lesson,submitted_at\n"
                    "ada,01,2026-12-19T10:00:00Z\n"
                    "ada,,2026-12-17T10:00:00+01:00\n"
                    "zed,01,2026-12-19T10:00:00Z\n"
                    "ada,7,2026-12-19T10:00:00Z\n"
                    "ada,02,2026-12-19 10:00\n"
                    "ada,02,yesterday\n", encoding="utf-8")
    times, errors = read_manifest(path, {"ada"}, str.strip)
    assert times == {("ada", "01"): dt.datetime(2026, 12, 19, 10, tzinfo=UTC),
                     ("ada", "*"): dt.datetime(2026, 12, 17, 9, tzinfo=UTC)}
    assert [e.split(":")[0] for e in errors] == [f"manifest manifest.csv row {n}"
                                                  for n in (4, 5, 6, 7)]
    path.write_text('[{"learner": "ada", "submitted_at": "2026-12-19T10:00:00Z"}, 3]')
    times, errors = read_manifest(path.rename(tmp_path / "m.json"), {"ada"}, str.strip)
    assert times == {} and errors == ["manifest m.json: expected a JSON list of objects"]


def test_hand_in_times_come_from_the_manifest_or_the_file(tmp_path):
    (tmp_path / "ada").mkdir()
    notebook = tmp_path / "ada" / "01.ipynb"
    notebook.write_text("{}")
    stamp = DEADLINE.timestamp() + 3600
    import os
    os.utime(notebook, (stamp, stamp))
    results = [result("ada", "01.1", "pass", notebook="ada/01.ipynb")]
    assert hand_in_times(results, tmp_path, None) == {
        ("ada", "01"): DEADLINE + dt.timedelta(hours=1)}
    manifest = {("ada", "*"): DEADLINE}
    assert hand_in_times(results, tmp_path, manifest) == {("ada", "01"): DEADLINE}


# ------------------------------------------------------------------------ rubrics and the sheet


def test_rubric_levels_are_read_from_rubrics_md():
    written = {e.id for lesson in LESSONS.values() for e in lesson.exercises if e.written}
    assert written | {"06.6", CAPSTONE} == set(RUBRICS_BY_ID)
    r013 = RUBRICS_BY_ID["01.3"]
    assert [c.name for c in r013.criteria] == ["Prediction", "Mechanism", "Verification"]
    assert {c.levels for c in r013.criteria} == {(0, 1, 2)} and r013.maximum == 6
    baseline = RUBRICS_BY_ID["03.6"].criteria[-1]   # "— (no 0 penalty; a bonus point for 2)"
    assert (baseline.name, baseline.levels, baseline.bonus) == ("Baseline", (2,), True)
    assert RUBRICS_BY_ID["03.6"].maximum == 8
    capstone = RUBRICS_BY_ID[CAPSTONE]
    assert len(capstone.criteria) == 8 and capstone.maximum == 32
    assert {c.levels for c in capstone.criteria} == {(0, 1, 2, 3, 4)}


def write_sheet(tmp_path, rows: list[str]):
    path = tmp_path / "sheet.csv"
    path.write_text("learner,question,c1,c2,c3,c4,c5,c6,c7,c8,comment\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    return path


def test_a_filled_sheet_is_read_and_every_bad_row_is_one_error(tmp_path):
    path = write_sheet(tmp_path, [
        "ada,01.3,2,1,2,,,,,,fine",             # 5 of 6
        "bob,01.3,,,,,,,,,",                    # not marked yet
        "ada,03.6,2,2,2,2,,,,,",                # baseline bonus left empty: fine
        "ada,capstone,4,3,2,1,0,4,2,1,",
        "zed,01.3,2,2,2,,,,,,",                 # unknown learner
        "ada,09.9,2,2,2,,,,,,",                 # unknown question
        "bob,01.6,3,2,2,,,,,,",                 # 3 is not a level of 0-2
        "bob,01.7,2,,2,2,,,,,",                 # a criterion left empty
        "bob,00.2,2,2,2,2,2,,,,",               # a fifth criterion 00.2 does not have
        "bob,02.6,two,2,2,,,,,,",               # not a number
        "bob,03.6,2,2,2,2,1,,,,",               # the bonus criterion has no level 1
        "ada,01.3,0,0,0,,,,,,",                 # a second row for ada · 01.3
    ])
    marks = read_sheet(path, RUBRICS_BY_ID, {"ada": "ada", "bob": "bob"})
    assert marks.levels == {("ada", "01.3"): (2, 1, 2), ("ada", "03.6"): (2, 2, 2, 2, 0),
                            ("ada", CAPSTONE): (4, 3, 2, 1, 0, 4, 2, 1)}
    assert [e.split(":")[0] for e in marks.errors] == [
        f"sheet.csv row {n} ({who})" for n, who in [
            (6, "zed · 01.3"), (7, "ada · 09.9"), (8, "bob · 01.6"), (9, "bob · 01.7"),
            (10, "bob · 00.2"), (11, "bob · 02.6"), (12, "bob · 03.6"), (13, "ada · 01.3")]]
    assert "'3' is not a level (0/1/2)" in marks.errors[2]
    assert marks.kept[("ada", "01.3")]["comment"] == "fine"


@pytest.mark.parametrize("content, problem", [
    (b"\xff\xfelearner", "not UTF-8"),
    (b"name,exercise\nada,01.3\n", "no column c1, learner, question"),
    (b"learner,question,c1\nada,01.3,\"" + b"x" * 200_000 + b"\"\n", "not a CSV file"),
])
def test_an_unusable_sheet_is_one_error(tmp_path, content, problem):
    path = tmp_path / "sheet.csv"
    path.write_bytes(content)
    marks = read_sheet(path, RUBRICS_BY_ID, {"ada": "ada"})
    assert marks.levels == {} and len(marks.errors) == 1 and problem in marks.errors[0]


def test_a_sheet_with_a_header_only_has_no_marks_and_no_errors(tmp_path):
    marks = read_sheet(write_sheet(tmp_path, []), RUBRICS_BY_ID, {"ada": "ada"})
    assert (marks.levels, marks.errors) == ({}, [])


def test_the_generated_sheet_round_trips_and_keeps_marks(tmp_path):
    kept = {("-ada", "01.3"): {"c1": "2", "c2": "2", "c3": "1", "comment": "=1+1"}}
    text = sheet_csv([("-ada", "01.3", "78 words"), ("-ada", CAPSTONE, "the report")],
                     RUBRICS_BY_ID, kept, {})
    lines = text.splitlines()
    assert lines[0] == ",".join(rubric_sheet.COLUMNS)
    assert lines[1].startswith("'-ada,01.3,") and lines[1].endswith(",2,2,1,,,,,,'=1+1")
    path = tmp_path / "sheet.csv"
    path.write_text(text, encoding="utf-8")
    marks = read_sheet(path, RUBRICS_BY_ID, {"-ada": "-ada"})
    assert marks.levels == {("-ada", "01.3"): (2, 2, 1)} and marks.errors == []
    assert marks.kept[("-ada", "01.3")]["comment"] == "=1+1"


# ------------------------------------------------------------------------ totals


def result(learner, exercise, status, part="code", hint_id="", notebook="", answer=None):
    return ExerciseResult(learner, exercise[:2], notebook, exercise, part, status, hint_id, "",
                          (), answer)


def test_totals_partial_credit_rubrics_capstone_and_lateness_by_hand():
    config = parse({"partial": {"01.2": {"ddof-swapped": 0.5}},
                    "late": {"deadline": DEADLINE, "per_day": 10, "cap": 50}})
    results = [result("ada", "01.1", "pass"), result("ada", "01.2", "fail", hint_id="ddof-swapped"),
               result("ada", "01.3", "pass"), result("ada", "01.3", "answered", "written"),
               result("ada", "06.1", "fail", hint_id="other"),
               result("bob", "01.1", "pass"), result("bob", "01.2", "fail", hint_id="ddof-ignored"),
               result("bob", "01.3", "no_submission"),
               result("bob", "01.3", "no_submission", "written"),
               result("bob", "06.1", "pass")]
    marks = {("ada", "01.3"): (2, 1, 2), ("ada", CAPSTONE): (4, 3, 2, 1, 1, 4, 3, 2)}
    submitted = {("ada", "01"): DEADLINE + dt.timedelta(hours=30)}   # 2 started days: 20%
    ada, bob = score_class(results, config, RUBRICS_BY_ID, marks, submitted)
    # ada, lesson 01: 1 + 0.5 + 1 (checks) + 2 × 5/6 (written) = 4.1666…, minus 20%
    lesson_01 = 1 + 0.5 + 1 + 2 * 5 / 6
    assert ada.total == pytest.approx(round(0.8 * lesson_01 + 35 * 20 / 32, 4))
    assert ada.late_points == pytest.approx(0.2 * lesson_01)
    assert ada.possible == 3 + 2 + 1 + 35
    assert (ada.unmarked, ada.capstone_pass) == (0, "yes")
    assert bob.total == 2.0 and bob.unmarked == 2 and bob.capstone_pass == ""
    # 06.6's content is a rubric question next to its check
    sixes = score_class([result("cy", "06.6", "pass")], config, RUBRICS_BY_ID,
                        {("cy", "06.6"): (2, 2, 2, 0)}, {})[0]
    assert [(line.part, line.points) for line in sixes.lines] == [
        ("code", 1.0), ("written", pytest.approx(2 * 6 / 8)), ("capstone", 0.0)]


def test_capstone_pass_needs_half_the_points_and_no_zero():
    config = parse({})
    results = [result("a", "06.1", "pass"), result("b", "06.1", "pass"),
               result("c", "06.1", "pass")]
    marks = {("a", CAPSTONE): (2,) * 8, ("b", CAPSTONE): (2,) * 7 + (1,),
             ("c", CAPSTONE): (4,) * 7 + (0,)}
    passes = [s.capstone_pass for s in score_class(results, config, RUBRICS_BY_ID, marks, {})]
    assert passes == ["yes", "no", "no"]


def test_no_capstone_points_before_lesson_06_is_graded():
    score = score_class([result("a", "01.1", "pass")], parse({}), RUBRICS_BY_ID, {}, {})[0]
    assert score.possible == 1.0 and score.total == 1.0
