"""The grading command, on a class of fixture submissions built here from exercises/, solutions/
and known wrong or hostile answers: each is graded as intended, flagged where it cheats, costs
only its own exercise, and leaves the submitted files byte for byte unchanged."""

from __future__ import annotations

import csv
import hashlib
import os
from pathlib import Path

import pytest

from tools import grade
from tools.grading import client
from tools.grading.fixtures import START, build_class, notebook, put

TIME_LIMIT = "5"
MODE = client.modes()[0]
ISOLATION = MODE != "none"
HAS_MOUNTS = ISOLATION


def hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def grades(out: Path) -> dict[tuple, dict]:
    """Rows by (learner, exercise) (the code part where there is one) and by
    (learner, exercise, part)."""
    rows: dict[tuple, dict] = {}
    with open(out / "grades.csv", encoding="utf-8") as handle:
        for r in csv.DictReader(handle):
            rows[(r["learner"], r["exercise"], r["kind"])] = r
            if r["kind"] == "code" or (r["learner"], r["exercise"]) not in rows:
                rows[(r["learner"], r["exercise"])] = r
    return rows


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("submissions")
    build_class(root, vandal=HAS_MOUNTS)
    os.utime(root / "mixed" / f"{START} (1).ipynb", (2_000_000_000, 2_000_000_000))
    put(root, f"mixed/{START}.ipynb", notebook(START))  # an older duplicate
    os.utime(root / "mixed" / f"{START}.ipynb", (1_000_000_000, 1_000_000_000))
    before = hashes(root)
    out = tmp_path_factory.mktemp("out")
    code = grade.main([str(root), "-o", str(out), "--time-limit", TIME_LIMIT, "--quiet",
                       "--compare-stored", "--anonymise"])
    return code, root, out, before


def test_grading_finishes_with_exit_code_0(graded):
    assert graded[0] == 0


def test_submissions_are_byte_for_byte_unchanged(graded):
    _, root, _, before = graded
    assert hashes(root) == before


def test_solutions_pass_and_stubs_are_not_attempted(graded):
    rows = grades(graded[2])
    code = [r for k, r in rows.items() if len(k) == 3 and r["kind"] == "code"]
    correct = [r for r in code if r["learner"] == "correct"]
    stubs = [r for r in code if r["learner"] == "stubs"]
    assert len(correct) == len(stubs) == 6
    assert {r["status"] for r in correct} == {"pass"}, [r["message"] for r in correct]
    assert {r["status"] for r in stubs} == {"not_attempted"}
    assert {r["hint_id"] for r in stubs} == {"not-attempted"}
    assert rows[("correct", "00.2")]["status"] == "answered"
    assert rows[("stubs", "00.2")]["status"] == "not_attempted"


def test_known_wrong_answers_get_their_hint(graded):
    rows = grades(graded[2])
    assert (rows[("mixed", "00.1")]["status"], rows[("mixed", "00.1")]["hint_id"]) == (
        "fail", "variance-as-scale")
    assert (rows[("mixed", "01.1")]["status"], rows[("mixed", "01.1")]["hint_id"]) == (
        "fail", "ddof-swapped")


def test_raising_and_exiting_functions_fail_with_a_hint(graded):
    rows = grades(graded[2])
    assert rows[("raises", "00.1")]["hint_id"] == "raised-exception"
    assert "ValueError" in rows[("raises", "00.1")]["message"]
    assert rows[("exits", "00.1")]["status"] == "fail"
    assert rows[("exits", "00.1")]["hint_id"] == "exited"


def test_os_exit_and_a_top_level_loop_cost_only_their_exercise(graded):
    rows = grades(graded[2])
    assert rows[("kills", "01.1")]["status"] == "crashed"
    assert rows[("loops", "01.2")]["status"] == "timeout"
    for learner in ("kills", "loops"):  # the rest of the notebook is still graded
        assert rows[(learner, "01.5")]["status"] == "pass", rows[(learner, "01.5")]
        assert rows[(learner, "01.3")]["status"] == "not_attempted"


def test_a_slow_function_times_out(graded):
    assert grades(graded[2])[("slow", "00.1")]["status"] == "timeout"


def test_a_huge_allocation_fails_only_that_exercise(graded):
    row = grades(graded[2])[("hog", "00.1")]
    assert (row["status"], row["hint_id"]) == ("fail", "raised-exception"), row
    assert "MemoryError" in row["message"]


def test_forged_stored_check_is_not_trusted_and_is_flagged(graded):
    row = grades(graded[2])[("forges", "00.1")]
    assert row["status"] == "not_attempted"
    assert "stored output says ✓" in row["flags"]


def test_rebound_check_name_is_graded_by_the_real_check_and_flagged(graded):
    out = graded[2]
    assert grades(out)[("rebinds", "00.1")]["status"] == "not_attempted"
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "rebinds the check name" in summary.split("## Integrity flags")[1]


@pytest.mark.skipif(not ISOLATION, reason="no network namespace on this machine")
def test_network_is_cut(graded):
    row = grades(graded[2])[("network", "00.1")]
    assert row["status"] == "fail" and "OSError" in row["message"], row


@pytest.mark.skipif(not HAS_MOUNTS, reason="no mount namespace on this machine")
def test_learner_code_cannot_write_to_the_submissions(graded):
    row = grades(graded[2])[("vandal", "00.1")]
    assert row["status"] == "fail" and ("No such file" in row["message"]
                                        or "Read-only" in row["message"]), row


def test_problems_are_reported_in_the_summary_not_raised(graded):
    out = graded[2]
    rows = grades(out)
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert rows[("renamed", "00.1")]["status"] == "missing"
    assert rows[("no-check-cells", "00.1")]["status"] == "pass"   # graded by the released mapping
    assert "`broken/01_mechanism.ipynb`: invalid JSON" in summary
    assert rows[("broken", "01.1")]["status"] == "unreadable"
    assert "nested folder: nested/week1/01_mechanism.ipynb" in summary
    assert f"graded mixed/{START} (1).ipynb, ignored mixed/{START}.ipynb" in summary
    assert rows[("nested", "01.3")]["status"] == "not_attempted"


def test_every_output_is_written(graded):
    out = graded[2]
    for name in ("grades.csv", "grades_wide.csv", "summary.md", "summary.html",
                 f"feedback/mixed/{START}.md", "written/00.2.md", "written/01.6.md"):
        assert (out / name).is_file(), name
    wide = list(csv.DictReader(open(out / "grades_wide.csv", encoding="utf-8")))
    correct = next(r for r in wide if r["learner"] == "correct")
    assert correct["passed"] == "6" and correct["percent"] == "100"
    feedback = (out / f"feedback/mixed/{START}.md").read_text(encoding="utf-8")
    assert "variance-as-scale" in feedback and f"solutions/{START}.ipynb" in feedback
    written = (out / "written/00.2.md").read_text(encoding="utf-8")
    assert "## Model answer" in written and "learner-" in written and "correct" not in written


def test_summary_rates_and_hints(graded):
    summary = (graded[2] / "summary.md").read_text(encoding="utf-8")
    assert "## Pass rate below 50%" in summary
    assert "- 00.1 (One generation of the loop)" in summary
    assert "| 00.1 | `exited` | 1 |" in summary


# ------------------------------------------------------------------------ small, fast checks


def test_two_runs_give_byte_identical_csvs(tmp_path):
    root = tmp_path / "in"
    put(root, f"amy_{START}.ipynb", notebook(START, solved=True))
    put(root, f"ben_{START} (2).ipynb", notebook(START))
    put(root, "cy_00_start_here.ipynb", "not json")
    roster = tmp_path / "roster.csv"
    roster.write_text("name,learner\nAmy,amy\nBen,ben\nCy,cy\nDee,dee\n", encoding="utf-8")
    outputs = []
    for run in ("a", "b"):
        out = tmp_path / run
        assert grade.main([str(root), "-o", str(out), "--quiet", "--time-limit", TIME_LIMIT,
                           "--workers", "1", "--roster", str(roster)]) == 0
        outputs.append([(out / n).read_bytes() for n in ("grades.csv", "grades_wide.csv",
                                                         "summary.md")])
    assert outputs[0] == outputs[1]
    rows = grades(tmp_path / "a")
    assert rows[("amy", "00.1")]["status"] == "pass"   # flat layout: learner from the file name
    assert rows[("ben", "00.1")]["status"] == "not_attempted"
    assert rows[("cy", "00.1")]["status"] == "unreadable"
    assert rows[("dee", "00.1")]["status"] == "no_submission"   # on the roster, nothing handed in


def test_usage_errors_exit_2(tmp_path, capsys):
    assert grade.main([str(tmp_path / "nowhere"), "-o", str(tmp_path / "out")]) == 2
    assert grade.main([str(tmp_path), "-o", str(tmp_path / "inside")]) == 2
    assert grade.main([str(tmp_path), "-o", str(tmp_path.parent / "o"), "--roster", "x.csv"]) == 2
    with pytest.raises(SystemExit) as exit_info:
        grade.main([str(tmp_path)])
    assert exit_info.value.code == 2
    assert "usage" in capsys.readouterr().err


def test_honest_submissions_raise_no_integrity_flags(graded):
    rows = grades(graded[2])
    for learner in ("stubs", "mixed"):
        assert all(not r["flags"] for r in rows.values() if r["learner"] == learner), learner
    summary = (graded[2] / "summary.md").read_text(encoding="utf-8")
    flags = summary.split("## Integrity")[1].split("\n## ")[0]
    assert "stubs ·" not in flags and "mixed ·" not in flags and "correct ·" in flags


def test_the_worked_solution_handed_in_is_flagged_with_a_score_not_failed(graded):
    rows = grades(graded[2])
    row = rows[("correct", "01.2")]
    assert row["status"] == "pass"
    assert "matches the public worked solution (similarity 1.00)" in row["flags"]


def test_learner_ids_and_written_answers_are_read_without_running_anything(tmp_path):
    from tools.grading import submissions
    from tools.grading.course import load_course

    lessons = load_course()
    nb = notebook("01_mechanism")
    shared = next(c for c in nb["cells"] if "Exercise 01.7" in "".join(c["source"]))
    text = "".join(shared["source"])
    head, tail = text.split("## Exercise 01.7", 1)
    shared["source"] = (head.replace("*Your answer here.*", "A zero count stays zero.")
                        + "## Exercise 01.7" + tail)
    for name in ("01_mechanism - Copy (2).ipynb", "dana_01_mechanism (1).ipynb"):
        put(tmp_path, name, nb)
    found, _, _ = submissions.discover(tmp_path)
    assert sorted(s.learner for s in found) == ["dana", tmp_path.name]
    submission = found[0]
    submissions.read(submission, lessons)
    exercises = {e.id: e for e in lessons["01"].exercises}
    assert submission.lesson == "01"
    assert submissions.written_answer(submission.cells, exercises["01.6"]) == \
        "A zero count stays zero."
    assert submissions.written_answer(submission.cells, exercises["01.7"]) == ""


def test_the_html_summary_escapes_what_learners_wrote():
    from tools.grading.report import summary_html

    page = summary_html("| learner | message |\n|---|---|\n| a | <script>alert(1)</script> |")
    assert "<script>" not in page and "&lt;script&gt;" in page and "<table>" in page
