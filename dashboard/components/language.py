"""The learner's language: chosen in the sidebar, kept in the session, shareable by URL."""

from __future__ import annotations

import streamlit as st

from lienzo.dashboard.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, translate

SESSION_KEY = "lang"


def current_language() -> str:
    lang = st.session_state.get(SESSION_KEY, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **values: object) -> str:
    """The text for ``key`` in the learner's language."""
    return translate(current_language(), key, **values)


def language_selector() -> str:
    """Sidebar switch; ``?lang=en`` chooses on arrival and the URL follows the choice."""
    if SESSION_KEY not in st.session_state:
        asked = st.query_params.get("lang", DEFAULT_LANGUAGE)
        st.session_state[SESSION_KEY] = asked if asked in LANGUAGES else DEFAULT_LANGUAGE
    st.sidebar.radio(
        "Idioma · Language",
        options=list(LANGUAGES),
        format_func=LANGUAGE_NAMES.__getitem__,
        key=SESSION_KEY,
        horizontal=True,
    )
    lang = current_language()
    st.query_params["lang"] = lang
    return lang
