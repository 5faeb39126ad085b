"""The worked example's finished write-up (solution 06) speaks precisely, claims no more than its
run shows, and holds on a fresh run of that example here; the 06.6 check catches the overclaims
a write-up can make.

nbval reproduces solution 06 as a whole, the printed report included, so the stored report is
what a fresh run writes. The tests marked ``lock`` compare a fresh run with that stored text:
they hold for the versions the stored outputs were made with (requirements/lock-py3.11.txt), and
``make test-compat``, which runs other versions, leaves them out (scikit-learn's EM moves the
digits run's numbers between releases)."""

import json
import re

import pytest

from helpers import demonstrator
from helpers.checks import m06
from helpers.checks.m06 import FORBIDDEN, WRITE_UP_RESULTS, overclaim
from helpers.report import mislabelled, unmeasured
from tests.checktools import assert_hint, assert_passes
from tools import nbio

SOLUTION = nbio.SOLUTIONS / "06_capstone.ipynb"


def _cells() -> list[dict]:
    return json.loads(SOLUTION.read_text(encoding="utf-8"))["cells"]


def report_text() -> str:
    """The report as solution 06 printed it (the cell that prints ``markdown``)."""
    for cell in _cells():
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", ""))
            if "## What it shows" in text:
                return text
    raise AssertionError("solution 06 stores no printed report")


def _solution_cell(start: str) -> str:
    return next("".join(c["source"]) for c in _cells()
                if c["cell_type"] == "code" and "".join(c["source"]).startswith(start))


def _solution_write_up():
    namespace: dict = {}
    exec(_solution_cell("def write_up"), namespace)  # noqa: S102 - our own solution notebook
    return namespace["write_up"]


@pytest.fixture(scope="module")
def worked() -> demonstrator.Demo:
    """The worked run of solution 06, regenerated with the settings its cell states."""
    setup = _solution_cell("QUESTION = ")
    generations, seeds = map(int, re.search(r"GENERATIONS, SEEDS = (\d+), (\d+)", setup).groups())
    # one process (jobs=1): the test workers already fill both cores
    return demonstrator.run(data="digits", model="gmm", generations=generations, seeds=seeds,
                            jobs=1)


def test_the_worked_write_up_passes_the_06_6_check():
    assert_passes(m06.write_up, _solution_write_up())


@pytest.mark.lock
def test_the_worked_write_up_quotes_its_own_run_without_overclaiming(worked):
    demo = worked
    for key, text in _solution_write_up()(demo.results).items():
        assert overclaim(text, demo.results) is None, key
        assert mislabelled(text, demo.results) == [], key
        assert unmeasured(text, demo.results) == [], key


@pytest.mark.lock
def test_detection_separates_replacement_from_a_control_in_the_worked_run(worked):
    """Measured: the default worked run tells the uncontrolled loop from at least one control on
    at least one measure, by first alarms (every replacement chain before any chain of the
    control) or, where those do not, by where every chain ends; the write-up says which."""
    demo = worked
    separation = demo.results["detection"]["separation"]
    by_alarm = [(m, p) for m, per in separation.items() for p, s in per.items() if s["separated"]]
    by_end = [(m, p) for m, per in separation.items() for p, s in per.items() if s["ends_apart"]]
    assert by_alarm or by_end
    for m, p in by_alarm:
        direction = demo.results["measures"][m]["direction"]
        first = [demonstrator.detection.first_detection(
            row, demo.null[m], alpha=demonstrator.ALPHA_SIDE, direction=direction)
            for row in demo.values[p][m]]
        base = [demonstrator.detection.first_detection(
            row, demo.null[m], alpha=demonstrator.ALPHA_SIDE, direction=direction)
            for row in demo.values["replace"][m]]
        assert None not in base and all(f is None or f > max(base) for f in first)
    for m, p in by_end:
        ends = {q: demo.values[q][m][:, -1] for q in ("replace", p)}
        if demo.results["measures"][m]["direction"] == "lower":
            assert ends["replace"].max() < ends[p].min()
        else:
            assert ends["replace"].min() > ends[p].max()
    shows = report_text().split("## What it shows", 1)[1].split("##", 1)[0]
    if not any(p == "accumulate" for _, p in by_alarm):
        assert "did not tell replacement and accumulation apart" in shows
    if ("tail", "accumulate") in by_end:
        assert "no longer overlap" in shows


@pytest.mark.lock
def test_generation_0_of_the_worked_run_sits_inside_its_healthy_retrain_band(worked):
    """The digits have no source of new images: the band is the bias-corrected bootstrap. Before
    the correction, generation 0's distance lay below 48 of 49 such refits (a band shifted to the
    collapse side); now generation 0 is a typical healthy retrain."""
    demo = worked
    rank = demo.results["detection"]["start_rank"]
    assert all(0.1 <= rank[m] <= 0.9 for m in rank), rank
    assert "well inside the band on both measures" in " ".join(report_text().split())


def test_the_write_up_confronts_the_hypothesis_and_says_what_no_control_achieved():
    text = report_text()
    shows = text.split("## What it shows", 1)[1].split("##", 1)[0]
    assert "hypothesis" in shows.lower() and "refuted" in shows  # the run refutes it
    not_shows = text.split("## What it does not show", 1)[1].split("##", 1)[0]
    assert not_shows.strip().startswith("No control kept the tails")


def test_the_write_up_is_filled_in_and_uses_the_course_vocabulary():
    text = report_text()
    assert "✍ Your words" not in text  # every learner part is written
    shows = text.split("## What it shows", 1)[1].split("##", 1)[0].lower()
    assert "replacement" in shows and "accumulation" in shows
    assert "tail" in shows
    assert "10%–90%" not in text and "10-90" not in text  # 3 seeds: no percentile band


def test_the_write_up_makes_none_of_the_forbidden_claims():
    text = report_text()
    for pattern in FORBIDDEN + (re.compile(r"always collapses?", re.I),
                                re.compile(r"synthetic data (is|are) (bad|harmful)", re.I)):
        for found in pattern.finditer(text):  # only inside a denial ("does not show that ...")
            before = text[max(0, found.start() - 60):found.start()]
            assert "not show" in before, found.group(0)


def test_the_forbidden_patterns_catch_the_phrasings_they_guard():
    for claim in ("Synthetic data always collapses.", "Model collapse is inevitable.",
                  "Never train on synthetic data."):
        assert any(p.search(claim) for p in FORBIDDEN), claim


# ---------------------------------------------------------------- the 06.6 check's overclaims

def _edited(**changes):
    base = _solution_write_up()

    def fn(results):
        return base(results) | changes
    return fn


TAIL = ("Under replacement the tail fell to 0.011 and under accumulation to 0.061. ")


@pytest.mark.parametrize("section, text, fragment", [
    # optimistic overclaims
    ("recommendation", "Accumulation prevents model collapse. Use it everywhere.",
     "Accumulation prevents model collapse."),
    ("recommendation", "Keep a reservoir. A reservoir stops collapse in any pipeline.",
     "A reservoir stops collapse in any pipeline."),
    ("recommendation", "Verify every sample. Verification avoids collapse for good.",
     "Verification avoids collapse for good."),
    ("not_shows", "Mixed with real data, synthetic data is safe. Nothing else is needed here.",
     "synthetic data is safe"),
    ("shows", TAIL + "This proves that accumulation works.", "proves"),
    ("recommendation", "Keep the real data. It prevents model collapse.",
     "It prevents model collapse."),
    ("recommendation", "Keep the real data. This policy stopped the collapse.",
     "This policy stopped the collapse."),
    # pessimistic overclaims
    ("not_shows", "Collapse cannot be avoided by any team. It comes for everyone.",
     "Collapse cannot be avoided by any team."),
    ("not_shows", "Degradation is unavoidable under any policy. Plan for it.", "unavoidable"),
    # borderline, just outside the rule: "in this run" without the generations and size
    ("shows", TAIL + "In this run, accumulation prevented the collapse of the distance.",
     "In this run, accumulation prevented the collapse of the distance."),
    # borderline: the numbers without saying it is this run
    ("shows", TAIL + "Accumulation prevented collapse over 10 generations with 3 seeds.",
     "over 10 generations with 3 seeds"),
])
def test_overclaims_are_caught_and_the_hint_quotes_the_sentence(section, text, fragment):
    assert_hint(m06.write_up, _edited(**{section: text}), fragment, section, id="overclaim")


@pytest.mark.parametrize("section, text", [
    # a bounded claim: this run, its generations and its seeds or sample size
    ("shows", TAIL + "In this run of 10 generations with 3 seeds, accumulation prevented the "
              "collapse of the distance."),
    ("shows", TAIL + "Here, over 10 generations with n = 1258 training digits, accumulation "
              "prevented the collapse of the distance."),
    # denials are not claims
    ("not_shows", "It does not show that collapse is inevitable. Nor does it show that "
                  "accumulation prevents collapse elsewhere."),
    ("recommendation", "Accumulation did not prevent the loss of tails here. Gate releases on "
                       "a tail measure."),
    # advice is not a claim that it worked
    ("recommendation", "To prevent collapse, keep the real data. Gate releases on a tail "
                       "measure."),
    ("recommendation", "No control prevented the collapse of the tails. Gate releases on a "
                       "tail measure."),
])
def test_bounded_claims_and_denials_pass(section, text):
    assert_passes(m06.write_up, _edited(**{section: text}))


def test_a_number_next_to_the_wrong_policy_is_caught_quoting_the_sentence():
    acc_end = WRITE_UP_RESULTS["policies"]["accumulate"]["tail"]["end"]["median"]
    text = (f"Under replacement the tail ratio fell to {acc_end:.3f}. Accumulation and "
            "the reservoir did no better.")
    assert_hint(m06.write_up, _edited(shows=text), f"{acc_end:.3f}",
                f"Under replacement the tail ratio fell to {acc_end:.3f}.",
                id="number-wrong-policy")
    # the same number next to its own policy passes
    fixed = (f"Under accumulation the tail ratio fell to {acc_end:.3f}. Replacement did "
             "worse.")
    assert_passes(m06.write_up, _edited(shows=fixed))


def test_a_number_that_is_no_result_at_all_is_still_caught():
    assert_hint(m06.write_up, _edited(shows="Under replacement the tail fell to 0.012. "
                                      "Accumulation did better."), "0.012",
                id="number-not-measured")
