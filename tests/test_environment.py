"""helpers.environment: where the course runs, what it needs there, and that explorers draw."""

from __future__ import annotations

from importlib import metadata

import pytest

from helpers import environment, explorers


@pytest.fixture
def nowhere(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No Colab or Binder marker, whatever the machine running the tests has."""
    for name in ("COLAB_RELEASE_TAG", "BINDER_LAUNCH_HOST", "BINDER_REQUEST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delitem(__import__("sys").modules, "google.colab", raising=False)
    return monkeypatch


def test_where_tells_colab_binder_and_local_apart(nowhere) -> None:
    assert environment.where() == "local"
    nowhere.setenv("BINDER_LAUNCH_HOST", "https://mybinder.org/")
    assert environment.where() == "Binder"
    nowhere.setenv("COLAB_RELEASE_TAG", "release-colab_20260801")
    assert environment.where() == "Colab"


def at_minimums(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every declared requirement installed at its declared minimum (whatever this machine
    has: make test-compat runs these tests on Colab's stack too)."""
    minimums = {r.name: next(s.version for s in r.specifier if s.operator == ">=")
                for r in environment._core_requirements()}
    fake_versions(monkeypatch, **minimums)


def test_locally_everything_is_ready_and_says_how_explorers_draw(nowhere) -> None:
    at_minimums(nowhere)
    report = environment.check_environment()
    assert report.ok and report.place == "local"
    assert str(report).startswith("✓ Running on this computer.")
    assert "explorer draws its figure" in str(report) and "jupyterlab" in report.met


def fake_versions(monkeypatch: pytest.MonkeyPatch, **versions: str) -> None:
    real = metadata.version
    monkeypatch.setattr(environment.metadata, "version",
                        lambda name: versions.get(name) or real(name))


def test_colab_accepts_its_ipywidgets_7_and_needs_no_jupyterlab(nowhere) -> None:
    nowhere.setenv("COLAB_RELEASE_TAG", "release-colab_20260801")
    at_minimums(nowhere)
    fake_versions(nowhere, ipywidgets="7.7.1")
    report = environment.check_environment()
    assert report.ok, str(report)
    assert "jupyterlab" not in report.met and "ipywidgets" in report.met
    assert "Google Colab" in str(report) and "Drive" in str(report)


def test_colab_still_refuses_an_older_ipywidgets_and_says_what_to_do_there(nowhere) -> None:
    nowhere.setenv("COLAB_RELEASE_TAG", "release-colab_20260801")
    fake_versions(nowhere, ipywidgets="7.6.5")
    report = environment.check_environment()
    assert not report.ok
    assert "ipywidgets 7.6.5 is too old (needs ipywidgets>=7.7)" in str(report)
    assert "Colab set-up cell" in str(report) and "make lab" not in str(report)


def test_locally_ipywidgets_7_is_too_old(nowhere) -> None:
    at_minimums(nowhere)
    fake_versions(nowhere, ipywidgets="7.7.1")
    report = environment.check_environment()
    assert not report.ok and "ipywidgets 7.7.1 is too old (needs ipywidgets>=8.1)" in str(report)
    assert "make lab" in str(report)


def test_binder_problems_point_to_binder_not_make(nowhere) -> None:
    nowhere.setenv("BINDER_REQUEST", "v2/gh/org/course/main")
    fake_versions(nowhere, numpy="1.20.0")
    text = str(environment.check_environment())
    assert text.startswith("✗ Running on Binder") and "binder/environment.yml" in text


def test_no_tick_when_the_explorers_cannot_draw(nowhere) -> None:
    """The check draws an explorer: a renderer that fails is a ✗ naming the error."""
    def broken(fig):
        raise AttributeError("'Text' object has no attribute 'get_fontfeatures'")

    nowhere.setattr(explorers, "figure_png", broken)
    report = environment.check_environment()
    assert not report.ok
    assert "an explorer drew no figure" in str(report)
    assert "get_fontfeatures" in str(report)


def test_versions_names_the_place_and_the_drawing_path(nowhere) -> None:
    found = environment.versions()
    assert found["where"] == "local" and found["explorer drawing"] in ("text runs", "standard")
