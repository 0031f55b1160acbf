"""Lab settings survive a trip to another page.

Streamlit forgets a widget's value at the end of any run that did not draw it, so a
learner who set 3,000 training steps, looked at another lesson and came back found
the default again (while the run they started kept the old value). Re-saving a key in
the entrypoint before the page runs detaches it from that clean-up (Streamlit's
"interrupt the widget clean-up" pattern).

Only plain values are kept: numbers, text and tuples of them (number inputs, sliders,
radios, select boxes). Booleans are left alone because buttons hold booleans and may
not be set through Session State; uploads, tables and chart selections are not values
a learner expects back.
"""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st


def _plain(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | str):
        return True
    return isinstance(value, tuple) and all(_plain(item) for item in value)


def keep_widget_values(skip: Iterable[str] = ()) -> None:
    """Call in the entrypoint before the page runs."""
    skipped = set(skip)
    for key in list(st.session_state.keys()):
        if key in skipped or key.startswith("$$"):
            continue
        value = st.session_state[key]
        if _plain(value):
            st.session_state[key] = value
