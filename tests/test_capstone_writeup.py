"""The worked example's finished write-up (solution 06) speaks precisely and claims no more
than its run shows."""

import json
import re

from helpers.checks.m06 import FORBIDDEN
from tools import nbio

SOLUTION = nbio.SOLUTIONS / "06_capstone.ipynb"


def report_text() -> str:
    """The report as solution 06 printed it (the cell that prints ``markdown``)."""
    nb = json.loads(SOLUTION.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", ""))
            if "## What it shows" in text:
                return text
    raise AssertionError("solution 06 stores no printed report")


def test_the_write_up_is_filled_in_and_uses_the_course_vocabulary():
    text = report_text()
    assert "✍ Your words" not in text  # every learner part is written
    shows = text.split("## What it shows", 1)[1].split("##", 1)[0].lower()
    assert "replacement" in shows and "accumulation" in shows
    assert "tail" in shows


def test_the_write_up_makes_none_of_the_forbidden_claims():
    text = report_text()
    for pattern in FORBIDDEN + (re.compile(r"always collapses?", re.I),
                                re.compile(r"synthetic data (is|are) (bad|harmful)", re.I)):
        assert not pattern.search(text), pattern.pattern


def test_the_forbidden_patterns_catch_the_phrasings_they_guard():
    for claim in ("Synthetic data always collapses.", "Model collapse is inevitable.",
                  "Never train on synthetic data."):
        assert any(p.search(claim) for p in FORBIDDEN), claim
