"""Clear messages instead of tracebacks: every lab error goes through here."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import streamlit as st

from lienzo.dashboard.components.language import current_language, t

log = logging.getLogger("lienzo.dashboard")


def show_problem(message: Mapping[str, str] | str, *, icon: str = "⚠️") -> None:
    """Show a message given as {"es": ..., "en": ...} or as a catalogue key."""
    text = message.get(current_language()) if isinstance(message, Mapping) else t(message)
    st.error(text, icon=icon)


def show_unexpected(error: BaseException) -> None:
    """An error we did not foresee: a plain sentence for the learner, details in the log."""
    log.exception("unexpected error in a lab", exc_info=error)
    st.error(t("common.unexpected_error", detail=f"{type(error).__name__}: {error}"), icon="🛑")
