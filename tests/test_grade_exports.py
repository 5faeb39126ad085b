"""The grading command's exports: LMS files with the columns Canvas and Moodle import, cells a
spreadsheet cannot run, the anonymisation key kept away from grades in clear, a rubric sheet that
is filled and merged on the next run, and a regrade of one learner that reuses the others'
stored results."""

from __future__ import annotations

import csv
import doctest
import json
import stat

import pytest

from tools import grade
from tools.grading import exports, gradebook
from tools.grading.exports import Identity, canvas_csv, clean_cell, moodle_csv, neutralise
from tools.grading.fixtures import START, notebook, put

MECHANISM = "01_mechanism"


def test_doctest_examples():
    assert doctest.testmod(exports).failed == 0


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1",
                                  '=HYPERLINK("http://evil","x")'])
def test_formula_cells_are_neutralised_and_read_back(cell):
    assert neutralise(cell) == "'" + cell
    assert clean_cell(neutralise(cell)) == cell


@pytest.mark.parametrize("cell", ["ada", "1.5", "'quoted", "a=b", " =x"])
def test_other_cells_are_left_alone(cell):
    assert neutralise(cell) == cell


def test_canvas_columns_points_possible_and_learners_without_an_id():
    identities = {"ada": Identity(name="Ada L", canvas_id="101", section="A"),
                  "cy": Identity(sis_login_id="cy@uni")}
    text, errors = canvas_csv([("ada", 81.25), ("bob", 3.0), ("cy", 0.0)], 100.0, identities,
                              "Model collapse", "4242")
    rows = list(csv.reader(text.splitlines()))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                       "Model collapse (4242)"]
    assert rows[1] == ["    Points Possible", "", "", "", "", "100"]
    assert rows[2:] == [["Ada L", "101", "", "", "A", "81.25"], ["cy", "", "", "cy@uni", "", "0"]]
    assert errors == ["canvas: bob has no id, sis_user_id or sis_login_id on the roster; "
                      "left out"]


def test_moodle_identifier_and_grade_columns():
    identities = {"ada": Identity(email="ada@x.org", idnumber="S1")}
    text, errors = moodle_csv([("ada", 12.5), ("bob", 1.0)], identities, "idnumber", "MC")
    assert text == "idnumber,MC\nS1,12.5\n"
    assert errors == ["moodle: bob has no idnumber on the roster; left out"]


def test_learner_ids_that_look_like_formulas_are_neutralised_in_every_table():
    from tools.grading.scores import Line, Score

    score = Score("=cmd", [Line("=cmd", "00", "00.1", "code", "pass", "", 1.0, 1.0)])
    assert gradebook.scores_csv([score]).splitlines()[1].startswith("'=cmd,1.00,")
    assert gradebook.points_csv([score]).splitlines()[1].startswith("'=cmd,00,00.1,code,pass")
    text, _ = moodle_csv([("=cmd", 1.0)], {"=cmd": Identity(email="@evil")}, "email", "MC")
    assert text.splitlines()[1] == "'@evil,1"


def test_the_key_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "key" / "key.csv"
    exports.write_key(path, {"ada": "learner-02", "=bob": "learner-01"})
    assert path.read_text(encoding="utf-8") == ("pseudonym,learner\nlearner-01,'=bob\n"
                                                "learner-02,ada\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# ------------------------------------------------------------------------ through the command


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """ada solved lessons 00 and 01, bob left lesson 00 as released; a roster with LMS
    identities (bob's name a formula); a points scheme with a late policy."""
    base = tmp_path_factory.mktemp("gradebook")
    root = base / "subs"
    put(root, f"ada/{START}.ipynb", notebook(START, solved=True))
    put(root, f"ada/{MECHANISM}.ipynb", notebook(MECHANISM, solved=True))
    put(root, f"bob/{START}.ipynb", notebook(START))
    (base / "roster.csv").write_text(
        "learner,name,id,email\nada,Ada L,101,ada@x.org\nbob,\"=HYPERLINK(\"\"x\"\")\",102,\n",
        encoding="utf-8")
    (base / "points.toml").write_text(
        "[points]\ncapstone = 20\n[late]\ndeadline = 2000-01-01T00:00:00Z\nper_day = 10\n"
        "cap = 30\n[export]\ncanvas_assignment_id = 77\n", encoding="utf-8")
    out = base / "out"
    code = grade.main([str(root), "-o", str(out), "--quiet", "--time-limit", "20",
                       "--roster", str(base / "roster.csv"), "--points",
                       str(base / "points.toml")])
    return code, base, root, out


def read(path):
    """Rows as a spreadsheet shows them (the apostrophe before a formula character hidden)."""
    with open(path, encoding="utf-8") as handle:
        return [{k: clean_cell(v) for k, v in row.items()} for row in csv.DictReader(handle)]


def test_first_run_writes_every_export(first_run):
    code, _, _, out = first_run
    assert code == 0
    for name in ("points.csv", "scores.csv", "canvas-gradebook.csv", "moodle-grades.csv",
                 "rubric-sheet.csv", "points-summary.md"):
        assert (out / name).is_file(), name
    canvas = list(csv.reader((out / "canvas-gradebook.csv").read_text(encoding="utf-8")
                             .splitlines()))
    assert canvas[0][-1] == "Model collapse, hands-on (77)"
    # the name from the roster cannot run as a formula
    assert canvas[2][:2] == ["Ada L", "101"] and canvas[3][:2] == ["'=HYPERLINK(\"x\")", "102"]


def test_the_written_part_of_01_3_is_in_the_csvs(first_run):
    out = first_run[3]
    ada = [r for r in read(out / "points.csv") if r["learner"] == "ada"
           and r["question"] == "01.3"]
    assert [(r["part"], r["status"], r["possible"]) for r in ada] == [
        ("code", "pass", "1.00"), ("written", "answered", "2.00")]
    sheet = [r for r in read(out / "rubric-sheet.csv") if r["learner"] == "ada"]
    assert [r["question"] for r in sheet] == ["00.2", "01.3", "01.6", "01.7"]
    assert sheet[1]["answer"].endswith(" words") and sheet[1]["levels"] == \
        "c1: 0/1/2; c2: 0/1/2; c3: 0/1/2"


def test_file_times_after_the_deadline_cost_the_capped_penalty(first_run):
    out = first_run[3]
    rows = read(out / "points.csv")
    late = {(r["learner"], r["lesson"]): r["late_penalty_percent"] for r in rows}
    # every notebook's file time is after 2000: capped at 30%; no notebook, no time
    assert late == {("ada", "00"): "30.00", ("ada", "01"): "30.00", ("bob", "00"): "30.00",
                    ("bob", "01"): "0.00"}
    ada = next(r for r in read(out / "scores.csv") if r["learner"] == "ada")
    # 6 checks pass, nothing marked yet: 6 points, 30% late
    assert (ada["checks"], ada["late_penalty"], ada["total"]) == ("4.20", "1.80", "4.20")


@pytest.fixture(scope="module")
def regraded(first_run):
    """The sheet filled (with mistakes), then ada regraded alone."""
    _, base, root, out = first_run
    rows = read(out / "rubric-sheet.csv")
    for row in rows:
        if row["learner"] == "ada" and row["question"] == "01.3":
            row.update(c1="2", c2="2", c3="2", comment="=good")
        if row["learner"] == "ada" and row["question"] == "00.2":
            row.update(c1="2", c2="9", c3="2", c4="2")          # 9 is not a level
    rows.append({**rows[0], "learner": "zed"})                  # nobody in the class
    with open(out / "rubric-sheet.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    records = {p.name: p.read_text(encoding="utf-8") for p in (out / "records").iterdir()}
    code = grade.main([str(root), "-o", str(out), "--quiet", "--time-limit", "20",
                       "--points", str(base / "points.toml"), "--regrade", "ada"])
    return code, out, records


def test_regrade_reuses_the_other_learners_stored_outcomes(regraded):
    code, out, before = regraded
    assert code == 0
    summary = (out / "points-summary.md").read_text(encoding="utf-8")
    # bob's one job (00.1) reused; ada's 6 jobs run again
    assert "Regrade: 1 stored outcomes reused, only ada re-run." in summary
    bob = gradebook.record_name("bob")
    assert json.loads((out / "records" / bob).read_text(encoding="utf-8")) == \
        json.loads(before[bob])


def test_regrading_somebody_not_in_the_class_is_a_usage_error(regraded, capsys):
    _, out, _ = regraded
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    root = out.parent / "subs"
    assert grade.main([str(root), "-o", str(out), "--quiet", "--regrade", "zed"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("usage error: --regrade zed: no such learner in SUBMISSIONS")
    assert error.count("\n") == 1
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_the_filled_sheet_is_merged_and_bad_rows_are_reported(regraded):
    _, out, _ = regraded
    summary = (out / "points-summary.md").read_text(encoding="utf-8")
    assert "rubric-sheet.csv row 2 (ada · 00.2): c2 (Direction and size): '9' is not a level " \
           "(0/1/2)" in summary
    assert "(zed · 00.2): unknown learner" in summary
    ada = next(r for r in read(out / "points.csv") if r["learner"] == "ada"
               and r["question"] == "01.3" and r["part"] == "written")
    assert (ada["points"], ada["points_after_late"]) == ("2.00", "1.40")
    sheet = {(r["learner"], r["question"]): r for r in read(out / "rubric-sheet.csv")}
    assert sheet[("ada", "01.3")]["comment"] == "=good"   # read back, kept, neutralised again
    assert "'=good" in (out / "rubric-sheet.csv").read_text(encoding="utf-8")
    assert sheet[("ada", "00.2")]["c2"] == "9"            # kept for the marker to correct


@pytest.mark.parametrize("extra, message", [
    (["--points", "missing.toml"], "--points missing.toml: cannot be read"),
    (["--regrade", "ada"], "--regrade needs the records of an earlier run"),
    (["--anonymise", "--anonymise-key", "{out}/key.csv"], "is inside OUT"),
    (["--dask-scheduler", "localhost"], "expected tcp://host:port"),
    (["--manifest", "nope.csv"], "--manifest nope.csv is not a file"),
])
def test_usage_errors_exit_2_before_anything_runs(tmp_path, capsys, extra, message):
    (tmp_path / "subs").mkdir()
    out = tmp_path / "out"
    extra = [e.replace("{out}", str(out)) for e in extra]
    assert grade.main([str(tmp_path / "subs"), "-o", str(out), "--quiet", *extra]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1
    assert not out.exists()


def test_a_bad_points_file_exits_2_naming_the_key(tmp_path, capsys):
    (tmp_path / "subs").mkdir()
    (tmp_path / "p.toml").write_text('[points.exercise]\n"09.1" = { check = 1 }\n')
    assert grade.main([str(tmp_path / "subs"), "-o", str(tmp_path / "out"),
                       "--points", str(tmp_path / "p.toml")]) == 2
    assert capsys.readouterr().err.startswith('usage error: points.exercise."09.1": unknown')


def test_anonymise_writes_the_key_outside_out_and_pseudonyms_on_the_sheet(tmp_path):
    root = tmp_path / "subs"
    put(root, f"ada/{START}.ipynb", notebook(START, solved=True))
    put(root, f"bob/{START}.ipynb", notebook(START))
    out = tmp_path / "graded"
    assert grade.main([str(root), "-o", str(out), "--quiet", "--anonymise",
                       "--time-limit", "20"]) == 0
    key = tmp_path / "graded-anonymisation-key.csv"
    names = {r["learner"]: r["pseudonym"] for r in read(key)}
    assert sorted(names) == ["ada", "bob"] and stat.S_IMODE(key.stat().st_mode) == 0o600
    sheet = read(out / "rubric-sheet.csv")
    assert {r["learner"] for r in sheet} == set(names.values())
    assert not any("anonymisation" in p.name for p in out.rglob("*"))
    # marks entered under a pseudonym count for the learner behind it
    rows = [dict(r, c1="2", c2="2", c3="2", c4="2") if r["learner"] == names["ada"] else r
            for r in sheet]
    with open(out / "rubric-sheet.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert grade.main([str(root), "-o", str(out), "--quiet", "--anonymise",
                       "--time-limit", "20", "--regrade", "bob"]) == 0
    ada = next(r for r in read(out / "scores.csv") if r["learner"] == "ada")
    assert ada["written"] == "2.00"
