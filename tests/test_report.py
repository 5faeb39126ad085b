"""helpers.report: slots are filled from the results or refused; files are written safely."""

import inspect
import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from helpers import output  # noqa: E402
from helpers import report as report_module  # noqa: E402
from helpers.governance import report as governance_report  # noqa: E402
from helpers.report import (  # noqa: E402
    REPORT_FILES,
    mislabelled,
    numbers_in,
    render,
    write_report,
)


@pytest.fixture
def figure():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    yield fig
    plt.close(fig)


def test_slots_are_filled_with_formats_and_dotted_paths():
    text = render('{{ a.b | fmt(".2f") }} and {{ c | fmt(".1%") }} over {{ g }} runs',
                  {"a": {"b": 0.125}, "c": 0.5, "g": 3})
    assert text == "0.12 and 50.0% over 3 runs"


def test_loops_fill_one_row_per_policy():
    template = ("{% for name, p in policies.items() %}"
                "| {{ name }} | {{ p.v | fmt('.2f') }} |\n{% endfor %}")
    text = render(template, {"policies": {"replace": {"v": 0.25}, "accumulate": {"v": 0.75}}})
    assert text == "| replace | 0.25 |\n| accumulate | 0.75 |\n"


@pytest.mark.parametrize("template, message", [
    ("{{ nope }}", "unfilled slot: 'nope' is undefined"),
    ("{{ a.b }}", "unfilled slot"),
    ("{{ g | fmt('.2q') }}", "cannot be filled"),
    ("{{ x | fmt('.2f') }}", "cannot be filled: a result is nan"),
    ("{{ x }}", "a result is nan"),
    ("{% for %}", "template line 1"),
])
def test_unfilled_or_unfit_slots_are_refused(template, message):
    with pytest.raises(ValueError) as info:
        render(template, {"a": [1, 2], "g": 3, "x": float("nan")})
    assert message in str(info.value)


@pytest.mark.parametrize("template", [
    "the variance is 0.51",          # typed by hand, not a result
    "{{ v | fmt('.2f') }} then 0.40",  # one filled, one typed
    "{{ v | fmt('.2f') }} (12%)",      # a percentage that is not 0.12 in the results
])
def test_numbers_not_in_the_results_are_refused(template):
    with pytest.raises(ValueError, match="no slot read from the results"):
        render(template, {"v": 0.5})


def test_numbers_filled_by_slots_are_accepted_typed_ones_refused_even_if_equal_to_a_result():
    results = {"v": 0.5, "n": 1250, "s": 0.1255}
    assert render("{{ v | fmt('.2f') }} and {{ v | fmt('.0%') }} and {{ n | fmt(',') }} and "
                  "{{ s | fmt('.3f') }}", results) == "0.50 and 50% and 1,250 and 0.126"
    # The review's case: "90% ... 20 seeds" typed into a template whose results happen to hold
    # 0.9 and 20 (as other quantities) passed the old check; nothing typed passes now.
    unrelated = {"quantile": 0.9, "generations": 20, "seeds": 3}
    with pytest.raises(ValueError, match="90%, 20"):
        render("the 90% band over 20 seeds, {{ seeds }} chains", unrelated)
    assert render("over {{ seeds }} seeds", unrelated) == "over 3 seeds"


def test_a_number_computed_in_the_template_is_not_a_result():
    with pytest.raises(ValueError, match="1.5"):
        render("{{ v * 3 }}", {"v": 0.5})
    with pytest.raises(ValueError, match="1.50"):
        render("{{ (v * 3) | fmt('.2f') }}", {"v": 0.5})


def test_names_and_labels_from_the_results_may_hold_digits():
    results = {"policies": {"reservoir:0.1": {"v": 0.25}}, "label": "share beyond the 90% radius"}
    text = render("{% for k, p in policies.items() %}{{ k }} {{ p.v }}{% endfor %}; {{ label }}",
                  results)
    assert text == "reservoir:0.1 0.25; share beyond the 90% radius"


@pytest.mark.parametrize("text, results, expected", [
    # a number quoted next to the wrong policy (both quoted numbers exist in the results)
    ("Accumulation kept a tail of 0.011.", "two", [("0.011", "Accumulation kept a tail of "
                                                   "0.011.")]),
    ("Replacement kept 0.011; accumulation kept 0.061.", "two", []),
    ("Replacement kept 0.061.", "two", [("0.061", "Replacement kept 0.061.")]),
    # numbers of the whole run (seeds, generations) go anywhere; unmeasured ones are not its job
    ("Accumulation ran 10 generations with 3 seeds.", "two", []),
    ("Accumulation kept 0.5.", "two", []),
    # a reservoir's aliases
    ("The reservoir ended at 0.017.", "two", []),
    # a number every policy holds (generation 0) belongs to the run
    ("Generation 0 had a tail of 0.262.", "two", []),
    ("Generation 0 had a tail of 0.263.", "two", []),  # not measured: unmeasured's job
])
def test_mislabelled_ties_each_quoted_number_to_its_policy(text, results, expected):
    res = {"setting": {"generations": 10, "seeds": 3},
           "policies": {"replace": {"policy": "replace", "start": 0.262, "end": 0.011},
                        "accumulate": {"policy": "accumulate", "start": 0.262, "end": 0.061},
                        "reservoir:0.1": {"policy": "mix", "start": 0.262, "end": 0.017}}}
    assert mislabelled(text, res) == expected


def test_learner_slots_are_marked_or_filled_and_unknown_names_refused():
    template = "Result {{ v }}. [[ shows: What does the chart show? ]]"
    assert render(template, {"v": 1}).endswith("*✍ Your words (shows): What does the chart show?*")
    assert render(template, {"v": 1}, {"shows": "It narrows: 7 of 9."}).endswith("7 of 9.")
    with pytest.raises(ValueError, match="does not have"):
        render(template, {"v": 1}, {"limits": "x"})


def test_numbers_in_reads_separators_percent_and_ignores_names():
    assert numbers_in("W1 at t=20 is 1,024.5 (3.5%) and -2e-3") == ["20", "1,024.5", "3.5%",
                                                                   "-2e-3"]


def test_write_report_writes_all_files_and_the_json_numbers(tmp_path, figure):
    out = write_report(tmp_path / "r", markdown="# R\n", results={"v": 0.5}, figure=figure)
    assert sorted(os.listdir(out)) == sorted(REPORT_FILES)
    assert json.loads((out / "results.json").read_text()) == {"v": 0.5}
    assert (out / "figure.png").read_bytes()[:4] == b"\x89PNG"
    assert b"<svg" in (out / "figure.svg").read_bytes()


def test_write_report_is_reproducible_byte_for_byte(tmp_path, figure):
    a = write_report(tmp_path / "a", markdown="x", results={}, figure=figure)
    b = write_report(tmp_path / "b", markdown="x", results={}, figure=figure)
    for name in REPORT_FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_a_previous_report_is_replaced_but_other_folders_are_not(tmp_path, figure):
    out = tmp_path / "r"
    write_report(out, markdown="one", results={}, figure=figure)
    write_report(out, markdown="two", results={}, figure=figure)
    assert (out / "report.md").read_text() == "two"
    (out / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="other files"):
        write_report(out, markdown="three", results={}, figure=figure)
    assert (out / "report.md").read_text() == "two"
    write_report(out, markdown="three", results={}, figure=figure, overwrite=True)
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "report.md").read_text() == "three"
    assert sorted(os.listdir(tmp_path)) == ["r"]  # no staging folder left behind


def test_a_failed_write_leaves_nothing_half_written(tmp_path):
    class Broken:
        def savefig(self, *args, **kwargs):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_report(tmp_path / "r", markdown="x", results={}, figure=Broken())
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("kwargs, error, name", [
    ({"markdown": 3}, TypeError, "markdown"),
    ({"figure": "fig.png"}, TypeError, "figure"),
    ({"results": {"v": float("inf")}}, ValueError, "results.v"),
    ({"results": {"v": object()}}, TypeError, "results.v"),
    ({"markdown": "{{ v }}"}, ValueError, "unfilled"),
    ({"markdown": "{% if x %}"}, ValueError, "unfilled"),
])
def test_write_report_rejects_bad_arguments_by_name(tmp_path, figure, kwargs, error, name):
    args = {"markdown": "x", "results": {}, "figure": figure} | kwargs
    with pytest.raises(error, match=name.replace(".", r"\.")):
        write_report(tmp_path / "r", **args)
    assert not (tmp_path / "r").exists()


# --- one rule for where output may go, shared by every writer ------------------------------


def _bad_folders(tmp_path):
    """(folder, what the one-line error says) for every class of unusable output folder."""
    target = tmp_path / "real"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    holds_dirs = tmp_path / "holds"
    holds_dirs.mkdir()
    for name in set(REPORT_FILES) | set(governance_report.FILES):
        (holds_dirs / name).mkdir()
    holds_links = tmp_path / "links"
    holds_links.mkdir()
    for name in set(REPORT_FILES) | set(governance_report.FILES):
        (holds_links / name).symlink_to(tmp_path / "elsewhere")
    return [
        (link, "symbolic link"), (dangling, "dangling"), ("", "empty path"),
        ("/proc/self/out", "system folder"), ("/sys/out", "system folder"),
        (tmp_path / ("x" * 300), "longer than 255"), (a_file, "is a file"),
        (a_file / "below", "is a file"), (holds_dirs, "directory where a file must go"),
        (holds_links, "symbolic link"), (tmp_path / "a\x00b", "NUL"),
    ]


WRITERS = {
    "report.write_report": lambda folder, fig: write_report(folder, markdown="x", results={},
                                                            figure=fig),
    "governance.write_reports": lambda folder, fig: governance_report.write_reports(
        "x", "y", folder),
}


@pytest.mark.parametrize("writer", list(WRITERS))
def test_every_writer_refuses_every_unusable_folder_before_writing(tmp_path, figure, writer):
    for folder, says in _bad_folders(tmp_path):
        before = sorted(p.name for p in tmp_path.rglob("*"))
        with pytest.raises(ValueError, match=says) as info:
            WRITERS[writer](folder, figure)
        assert "\n" not in str(info.value)
        assert sorted(p.name for p in tmp_path.rglob("*")) == before, folder  # nothing written
    assert not (tmp_path / "elsewhere").exists()


def test_a_path_is_refused_as_a_type_error_when_it_is_no_path(figure):
    for folder in (None, 3, b"out", ["out"]):
        with pytest.raises(TypeError, match="folder"):
            write_report(folder, markdown="x", results={}, figure=figure)


def test_writing_into_out_never_touches_a_sibling_out_evil(tmp_path, figure):
    # a folder check by string prefix would take out-evil for out (mutation class)
    assert output.inside(tmp_path / "out" / "x", tmp_path / "out")
    assert not output.inside(tmp_path / "out-evil", tmp_path / "out")
    assert not output.inside(tmp_path / "out-evil" / "x", tmp_path / "out")
    evil = tmp_path / "out-evil"
    evil.mkdir()
    (evil / "report.md").write_text("theirs")
    write_report(tmp_path / "out", markdown="ours", results={}, figure=figure)
    assert (evil / "report.md").read_text() == "theirs"
    assert sorted(os.listdir(tmp_path)) == ["out", "out-evil"]


def test_the_writer_never_looks_up_the_repository():
    # an installed package must not write next to its own files (site-packages)
    for module in (output, governance_report):
        assert "__file__" not in inspect.getsource(module)


@pytest.mark.parametrize(("call", "error", "name"), [
    (lambda: output.check_folder("out", files=[3]), TypeError, "files"),
    (lambda: output.check_folder("out", files="report.md"), TypeError, "files"),
    (lambda: output.write_files("out", {}), TypeError, "contents"),
    (lambda: output.write_files("out", {"../x": "y"}), ValueError, "plain file name"),
    (lambda: output.write_files("out", {"x": 3}), TypeError, "contents"),
])
def test_the_writer_refuses_bad_file_lists(call, error, name):
    with pytest.raises(error, match=name):
        call()


def test_fill_names_its_templates():
    with pytest.raises(ValueError, match="must be one of"):
        report_module.fill("nothing.md")
    with pytest.raises(TypeError, match="name"):
        report_module.fill(None)
    with pytest.raises(ValueError, match="cannot be filled"):
        report_module.fill("risk_register.md", names=["a"])        # rows missing
    with pytest.raises(ValueError, match=r"\['names', 'rows'\], got \['names', 'rows', 'x'\]"):
        report_module.fill("risk_register.md", names=["a"], rows=[], x=1)  # one too many
    with pytest.raises(TypeError, match="rows must be plain data"):
        report_module.fill("risk_register.md", names=["a"], rows=[[object()]])
