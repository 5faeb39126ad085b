"""The browser tests' shared fixture: one headless Chromium per test module."""

from __future__ import annotations

from collections.abc import Iterator

import labdriver
import pytest


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    with labdriver.chromium(tmp_path_factory.mktemp("chromium")) as context:
        yield context
