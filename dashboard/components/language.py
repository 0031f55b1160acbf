"""The learner's language: chosen in the sidebar, kept in the session, shareable by URL."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from lienzo.dashboard.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, translate

SESSION_KEY = "lang"
WIDGET_KEY = "lang_choice"


def current_language() -> str:
    lang = st.session_state.get(SESSION_KEY, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **values: object) -> str:
    """The text for ``key`` in the learner's language."""
    return translate(current_language(), key, **values)


def option_labels(prefix: str) -> Callable[[object], str]:
    """A ``format_func`` for choice widgets: option ``x`` shows the text ``prefix + x``.

    The language is fixed when the widget is drawn; Streamlit may call the function
    later, outside the script run, where the session is not reachable.
    """
    lang = current_language()
    return lambda option: translate(lang, f"{prefix}{option}")


def _remember_choice() -> None:
    st.session_state[SESSION_KEY] = st.session_state[WIDGET_KEY]


def language_selector() -> str:
    """Sidebar switch; ``?lang=en`` chooses on arrival and the URL follows the choice.

    The choice lives under its own key, not the widget's: Streamlit forgets a widget's
    state when a page change skips it, and the language must survive page changes.
    """
    if SESSION_KEY not in st.session_state:
        asked = st.query_params.get("lang", DEFAULT_LANGUAGE)
        st.session_state[SESSION_KEY] = asked if asked in LANGUAGES else DEFAULT_LANGUAGE
    st.session_state[WIDGET_KEY] = current_language()
    st.sidebar.radio(
        "Idioma · Language",
        options=list(LANGUAGES),
        format_func=LANGUAGE_NAMES.__getitem__,
        key=WIDGET_KEY,
        on_change=_remember_choice,
        horizontal=True,
    )
    lang = current_language()
    st.query_params["lang"] = lang
    return lang
