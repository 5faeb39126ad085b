"""Every relative link a learner can click (README, CONTRIBUTING, notebooks) leads to a file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools import nbio

LINK = re.compile(r"\]\(([^)\s]+)\)")


def documents() -> list[tuple[Path, str]]:
    found = [(nbio.ROOT / name, (nbio.ROOT / name).read_text(encoding="utf-8"))
             for name in ("README.md", "CONTRIBUTING.md")]
    for folder in (nbio.LESSONS, nbio.SOLUTIONS, nbio.EXERCISES):
        for path in sorted(folder.glob("*.ipynb")):
            found.append((path, "\n".join(c.source for c in nbio.read(path).cells
                                          if c.cell_type == "markdown")))
    return found


def relative_links(text: str) -> list[str]:
    return [target.split("#")[0] for target in LINK.findall(text)
            if not re.match(r"[a-z]+:", target) and not target.startswith("#")]


def test_the_link_pattern_finds_relative_links_only():
    text = "[a](../x.ipynb) [b](https://example.org) [c](#top) [d](y.md#part)"
    assert relative_links(text) == ["../x.ipynb", "y.md"]


@pytest.mark.parametrize(("path", "text"), documents(),
                         ids=[str(p.relative_to(nbio.ROOT)) for p, _ in documents()])
def test_relative_links_resolve(path, text):
    broken = [t for t in relative_links(text) if not (path.parent / t).exists()]
    assert broken == []
