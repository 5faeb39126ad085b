"""The grading command, on a class of fixture submissions built here from exercises/, solutions/
and known wrong or hostile answers: each is graded as intended, flagged where it cheats, costs
only its own exercise, and leaves the submitted files byte for byte unchanged."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tools import grade, nbio
from tools.grading import client, judge, report, similarity
from tools.grading import submissions as subs
from tools.grading.fixtures import (
    CHANNEL_MESSAGES,
    DAEMON_NAME,
    START,
    build_class,
    build_hostile,
    notebook,
    put,
)
from tools.grading.sandbox import uid_base

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


def malformed(root: Path) -> None:
    """Files that are not what they claim: each must be one row in the summary."""
    nb = notebook(START)
    written = next(c for c in nb["cells"] if "Exercise 00.2" in "".join(c["source"]))
    written["source"] = "".join(written["source"]).replace("*Your answer here.*", "SURROGATE")
    text = json.dumps(nb).replace("SURROGATE", "broken \\ud800 answer")
    put(root, f"surrogate/{START}.ipynb", text)
    nb = notebook(START)
    nb["cells"][-1]["source"] = None
    put(root, f"nullsource/{START}.ipynb", nb)
    os.makedirs(root / "fifo")
    os.mkfifo(root / "fifo" / f"{START}.ipynb")
    os.makedirs(root / "zero")
    os.symlink("/dev/zero", root / "zero" / f"{START}.ipynb")
    os.makedirs(root / "linker")
    os.symlink(nbio.SOLUTIONS / f"{START}.ipynb", root / "linker" / f"{START}.ipynb")
    os.symlink(root / "correct", root / "linkfolder")
    os.makedirs(root / "huge")
    with open(root / "huge" / f"{START}.ipynb", "wb") as handle:
        handle.truncate(subs.MAX_BYTES + 1)
    os.makedirs(root / "empty")
    odd = os.path.join(os.fsencode(root), b"caf\xe9")
    os.makedirs(odd)
    with open(os.path.join(odd, f"{START}.ipynb".encode()), "w", encoding="utf-8") as handle:
        json.dump(notebook(START), handle)
    for name in ("李雷", "王芳", "José", "Josè"):
        put(root, f"{name}/{START}.ipynb", notebook(START))
    put(root, f"doejane_LATE_1234_56789_{START}.ipynb", notebook(START))
    put(root, f"Jane Doe_12345_assignsubmission_file_/{START}.ipynb", notebook(START))


def job_processes() -> list[str]:
    """Processes of any job uid, or with the daemon attack's name, still alive."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            uid = entry.stat().st_uid
            name = (entry / "comm").read_text().strip()
        except OSError:
            continue
        base = uid_base(os.getpid())  # this run's job uids (grade.main runs in this process)
        if base <= uid < base + 64 * 100_000 or name == DAEMON_NAME:
            alive.append(f"{entry.name} {uid} {name}")
    return alive


def _untracked() -> list[str]:
    """Files in the course that git does not know (a file planted by learner code would be)."""
    status = subprocess.run(["git", "-C", str(nbio.ROOT), "status", "--porcelain",
                             "--untracked-files=all"], capture_output=True, text=True).stdout
    return sorted(line for line in status.splitlines() if line.startswith("??"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The fixture class, the hostile class and the malformed files, graded once."""
    root = tmp_path_factory.mktemp("submissions")
    out = tmp_path_factory.mktemp("out")
    planted = [nbio.ROOT / "helpers" / "planted_by_learner.py", out / "planted.md",
               root / "correct" / "planted.ipynb"]
    build_class(root, vandal=HAS_MOUNTS)
    build_hostile(root, planted)
    malformed(root)
    os.utime(root / "mixed" / f"{START} (1).ipynb", (2_000_000_000, 2_000_000_000))
    put(root, f"mixed/{START}.ipynb", notebook(START))  # an older duplicate
    os.utime(root / "mixed" / f"{START}.ipynb", (1_000_000_000, 1_000_000_000))
    before = hashes(root)
    course = _untracked()
    code = grade.main([str(root), "-o", str(out), "--time-limit", TIME_LIMIT, "--quiet",
                       "--compare-stored", "--anonymise"])
    after = _untracked()
    return code, root, out, before, {"planted": planted, "course": (course, after),
                                     "alive": job_processes()}


def test_grading_finishes_with_exit_code_0(graded):
    assert graded[0] == 0


def test_submissions_are_byte_for_byte_unchanged(graded):
    _, root, _, before, _ = graded
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
    # runs in other processes get other job uids: none may reach the outputs
    assert str(uid_base(os.getpid())).encode() not in outputs[0][2]
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


def test_a_notebook_whose_name_is_not_utf8_is_found_not_dropped(tmp_path):
    """An archive from another system can leave a name in another encoding (``café`` in
    Latin-1): the notebook is still found, flat and in a learner's folder, each a distinct id."""
    from tools.grading import submissions

    base = os.fsencode(tmp_path)
    text = json.dumps(notebook(START))
    for name in (b"caf\xe9_" + START.encode() + b".ipynb",
                 b"ren\xe9e/" + START.encode() + b".ipynb",
                 b"z\xe9ro.ipynb"):
        path = os.path.join(base, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    found, _, refused = submissions.discover(tmp_path)
    assert refused == []
    assert len(found) == 3 and len({s.learner for s in found}) == 3, found
    assert all(s.path.name.endswith(".ipynb") for s in found)


def test_the_html_summary_escapes_what_learners_wrote():
    from tools.grading.report import summary_html

    page = summary_html("| learner | message |\n|---|---|\n| a | <script>alert(1)</script> |")
    assert "<script>" not in page and "&lt;script&gt;" in page and "<table>" in page


def test_the_colab_set_up_cell_as_released_is_not_flagged_but_an_edited_one_is():
    """The course's own Colab cell uses subprocess and sys.modules; a learner's copy of it,
    unchanged, is the course's code (its lines are in the released notebook). A line the
    learner added is theirs and is looked at."""
    from book import colab
    from tools.grading.course import load_course

    released = colab.source()
    lesson = load_course()[START[:2]]
    assert all(line.strip() in lesson.released_lines
               for line in released.splitlines() if line.strip())
    cells = subs.code_cells([{"cell_type": "code", "source": released}])
    assert subs.integrity_notes(cells, lesson.released_lines) == []
    edited = subs.code_cells([{"cell_type": "code", "source": released + "\nimport ctypes"}])
    assert subs.integrity_notes(edited, lesson.released_lines) == [
        "cell 0 inspects or patches the interpreter"]


# ------------------------------------------------------------------------ the hostile class


@pytest.mark.parametrize("learner", ["forge-body", "forge-method"])
def test_patching_the_check_in_the_learner_process_passes_nothing(graded, learner):
    row = grades(graded[2])[(learner, "00.1")]
    assert (row["status"], row["hint_id"]) == ("not_attempted", "not-attempted"), row


@pytest.mark.parametrize("learner, problem", [
    ("chan-notoken", "a reply without the job token"),
    ("chan-wrongtoken", "a reply with a wrong token"),
    ("chan-double", "an unusable record"),  # right token and number, but not a whole reply
])
def test_forged_replies_on_the_result_channel_pass_nothing_and_are_flagged(graded, learner,
                                                                           problem):
    assert learner in CHANNEL_MESSAGES
    row = grades(graded[2])[(learner, "00.1")]
    assert row["status"] != "pass", row
    assert f"{judge.CHANNEL_FLAG}: {problem}" in row["flags"], row
    assert row["status"] == "crashed"


def test_reply_problem_names_each_fault():
    assert judge.reply_problem({"token": "t", "seq": 3}, "t", 3) is None
    assert judge.reply_problem({"seq": 3}, "t", 3) == "a reply without the job token"
    assert judge.reply_problem({"token": "u", "seq": 3}, "t", 3) == "a reply with a wrong token"
    assert judge.reply_problem({"token": "t", "seq": 2}, "t", 3) == \
        "a second reply to one request"
    assert judge.reply_problem([1], "t", 3) == "a reply that is not a message"


def test_killing_every_process_it_can_costs_only_the_attackers_exercise(graded):
    rows = grades(graded[2])
    assert rows[("killer", "00.1")]["status"] != "pass"
    assert rows[("correct", "00.1")]["status"] == "pass"
    assert rows[("mixed", "00.1")]["hint_id"] == "variance-as-scale"


@pytest.mark.skipif(not HAS_MOUNTS, reason="no sandbox on this machine (mode none)")
def test_no_file_outside_out_is_written_and_mounts_cannot_be_undone(graded):
    info = graded[4]
    assert not [p for p in info["planted"] if p.exists()]
    assert info["course"][0] == info["course"][1]
    row = grades(graded[2])[("remount", "00.1")]
    assert row["status"] == "fail" and "attack results:" in row["message"], row
    assert "remounted" not in row["message"] and "wrote" not in row["message"], row


@pytest.mark.skipif(not HAS_MOUNTS, reason="no sandbox on this machine (mode none)")
def test_no_learner_process_outlives_the_run(graded):
    assert graded[4]["alive"] == []
    assert grades(graded[2])[("daemon", "00.1")]["status"] == "fail"


@pytest.mark.skipif(MODE != "root" or not Path("/etc/shadow").exists(),
                    reason="needs the root mode (own uid per job) and /etc/shadow")
def test_files_only_root_can_read_stay_unreadable(graded):
    row = grades(graded[2])[("secret", "00.1")]
    assert row["status"] == "fail" and "PermissionError" in row["message"], row
    assert "root:" not in row["message"]


@pytest.mark.skipif(not HAS_MOUNTS, reason="no sandbox on this machine (mode none)")
def test_reading_a_classmates_notebook_at_grading_time_passes_nothing(graded):
    row = grades(graded[2])[("copier", "00.1")]
    assert row["status"] != "pass", row


def test_two_learners_with_the_same_code_are_flagged_as_a_pair(graded):
    rows = grades(graded[2])
    assert rows[("twin-a", "00.1")]["status"] == "pass"
    assert any(f.startswith("similar to twin-b's code (similarity ")
               for f in rows[("twin-a", "00.1")]["flags"].split("; ")), rows[("twin-a", "00.1")]
    assert not any("similar to" in rows[(learner, "00.1")]["flags"]
                   for learner in ("mixed", "stubs", "exits"))


def test_malformed_files_are_one_row_each(graded):
    out = graded[2]
    summary = (out / "summary.md").read_text(encoding="utf-8")
    refused = summary.split("## Unreadable")[1].split("\n## ")[0]
    for line in (f"`fifo/{START}.ipynb`: a named pipe (FIFO)",
                 f"`zero/{START}.ipynb`: a symbolic link (not followed)",
                 f"`linker/{START}.ipynb`: a symbolic link (not followed)",
                 "`linkfolder`: a symbolic link to a folder (not followed)",
                 f"`huge/{START}.ipynb`: larger than 20 MB",
                 "`empty`: a learner folder without any notebook"):
        assert line in refused, line
    rows = grades(out)
    assert rows[("linker", "00.1")]["status"] == "unreadable"
    assert rows[("empty", "00.1")]["status"] == "no_submission"
    assert rows[("surrogate", "00.2")]["status"] == "answered"
    assert "broken \ufffd answer" in (out / "written" / "00.2.md").read_text(encoding="utf-8")
    assert rows[("nullsource", "00.1")]["status"] == "not_attempted"


def test_unicode_and_lms_names_are_distinct_learners(graded):
    rows = grades(graded[2])
    for learner in ("李雷", "王芳", "José", "Josè", "doejane", "Jane_Doe"):
        assert rows[(learner, "00.1")]["status"] == "not_attempted", learner
    odd = {k[0] for k in rows if k[0].startswith("caf")}
    assert len(odd) == 1 and re.fullmatch("caf_[0-9a-f]{8}", odd.pop())
    assert (graded[2] / "feedback" / "李雷" / f"{START}.md").is_file()


# ------------------------------------------------------------------------ small, fast checks


def test_a_redefined_function_is_graded_from_its_last_definition():
    cells = [{"cell_type": "code", "source": source} for source in (
        "def helper(x):\n    return 1\n",
        "def one_generation(data, rng):\n    return helper(data)\n",
        "def helper(x):\n    return 2\n",
        "def one_generation(data, rng):\n    return helper(data) + scale\n",
        "scale = 3\n",
        "scale = 4\n",
    )]
    chosen = subs.needed_cells(subs.code_cells(cells), "one_generation", set())
    assert [c.index for c in chosen] == [2, 3, 5]


def test_pseudonyms_do_not_follow_the_alphabetical_order():
    learners = [f"learner{k:02d}" for k in range(12)]
    names = report.anonymous_names(learners)
    assert sorted(names.values()) == [f"learner-{k + 1:02d}" for k in range(12)]
    assert [names[k] for k in learners] != sorted(names.values())
    assert report.anonymous_names(list(reversed(learners))) == names


def test_lms_file_names_give_one_learner_each():
    assert subs.lms_name(f"doejane_12_34_{START}.ipynb") == ("doejane", f"{START}.ipynb")
    assert subs.lms_name(f"Ann Li_77_assignsubmission_file_{START} (1).ipynb") == (
        "Ann Li", f"{START} (1).ipynb")
    assert subs.lms_name(f"alice_{START}.ipynb") is None


def test_ids_are_unique_even_when_their_safe_forms_collide():
    ids = subs.unique_ids(["a b", "a_b", "李雷", "Jose\u0301".replace("e\u0301", "é"), "Josè"])
    assert len(set(ids.values())) == 5
    assert ids["李雷"] == "李雷" and ids["Josè"] == "Josè"


def test_folders_nested_thousands_deep_are_not_searched(tmp_path):
    top = tmp_path / "deep"
    top.mkdir()
    fd = os.open(top, os.O_RDONLY)
    try:
        for _ in range(1500):  # the walker never goes below 6 levels, whatever the depth
            os.mkdir("d", dir_fd=fd)
            inner = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
    finally:
        os.close(fd)
    found, _, refused = subs.discover(tmp_path)
    assert found == [] and any("nested more than" in why for _, why, _ in refused)
    _remove_deep(top)


def _remove_deep(top: Path) -> None:
    """Remove top/d/d/... one level per step, in constant time: move the grandchild up."""
    fd = os.open(top, os.O_RDONLY)
    try:
        while "d" in os.listdir(fd):
            if "d" in os.listdir(inner := os.open("d", os.O_RDONLY, dir_fd=fd)):
                os.rename("d/d", "up", src_dir_fd=fd, dst_dir_fd=fd)
                os.close(inner)
                os.rmdir("d", dir_fd=fd)
                os.rename("up", "d", src_dir_fd=fd, dst_dir_fd=fd)
            else:
                os.close(inner)
                os.rmdir("d", dir_fd=fd)
    finally:
        os.close(fd)
    top.rmdir()


@pytest.mark.parametrize("argv_tail, fragment", [
    (["--time-limit", "nan"], "--time-limit"),
    (["--time-limit", "inf"], "--time-limit"),
    (["--workers", "0"], "--workers"),
])
def test_bad_limits_are_one_line_usage_errors(tmp_path, capsys, argv_tail, fragment):
    assert grade.main([str(tmp_path), "-o", str(tmp_path.parent / "o"), *argv_tail]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fragment in err


def test_output_naming_an_existing_file_is_a_usage_error(tmp_path, capsys):
    existing = tmp_path.parent / f"{tmp_path.name}-file"
    existing.write_text("keep me", encoding="utf-8")
    assert grade.main([str(tmp_path), "-o", str(existing)]) == 2
    assert existing.read_text(encoding="utf-8") == "keep me"
    assert "existing file" in capsys.readouterr().err


def test_a_latin1_roster_is_read_with_a_note(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_bytes("learner\nJosé\nZoë\n".encode("latin-1"))
    ids, note = subs.read_roster(roster)
    assert ids == ["José", "Zoë"] and "Latin-1" in note


def test_similarity_ignores_names_and_comments_but_not_structure():
    a = "def f(x):\n    t = 0\n    for v in x:\n        t += v * v\n    return t\n"
    b = "def g(y):  # renamed\n    s = 0\n    for w in y:\n        s += w * w\n    return s\n"
    c = "def g(y):\n    return sorted(y)[len(y) // 2] if y else None\n"
    fa, fb, fc = (similarity.fingerprints(t) for t in (a, b, c))
    assert similarity.jaccard(fa, fb) == 1.0
    assert similarity.jaccard(fa, fc) < 0.2


def test_the_course_is_never_hidden_from_jobs(tmp_path, capsys):
    """Hiding the course (or a folder above it) would leave jobs without the checks' code."""
    for hidden in (nbio.ROOT, nbio.ROOT.parent):
        with pytest.raises(ValueError, match="hide must not contain the course"):
            client.start_judges([], 1, 10.0, 256, [str(hidden)], tmp_path)
    assert grade.main([str(nbio.ROOT), "-o", str(tmp_path / "o")]) == 2
    assert "holds the course" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:  # argparse's error: one line, status 2
        grade.main([str(tmp_path), "-o", ""])
    assert stop.value.code == 2 and "an empty path" in capsys.readouterr().err
