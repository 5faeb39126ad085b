"""Random bad arguments for the property tests of the public functions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

JUNK = st.one_of(
    st.none(), st.booleans(), st.text(max_size=3),
    st.integers(min_value=-10**6, max_value=30),  # large sizes would only make tests slow
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.floats(allow_nan=True), max_size=3),
    st.lists(st.lists(st.integers(-3, 3), max_size=2), max_size=2),
)


def call_with_one_bad_argument(function: Callable[..., Any], kwargs: dict[str, Any],
                               data: st.DataObject, junk: Any) -> Any:
    """Call ``function(**kwargs)`` with one argument (drawn by ``data``) replaced by ``junk``.

    Returns the result, or ``None`` when the function rejected the input with
    ``ValueError`` or ``TypeError`` (the only exceptions a public function may raise).
    """
    kwargs = dict(kwargs, **{data.draw(st.sampled_from(sorted(kwargs))): junk})
    try:
        return function(**kwargs)
    except (ValueError, TypeError):
        return None
