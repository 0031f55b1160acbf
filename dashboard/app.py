"""Lienzo's dashboard entry point: language, navigation, and nothing heavy.

Run with ``lienzo dashboard`` (or ``make run``). Pages are files so each one can be
opened by its URL and driven by ``streamlit.testing.v1.AppTest``.
"""

from __future__ import annotations

import streamlit as st

from lienzo.dashboard.components.language import current_language, language_selector, t
from lienzo.dashboard.components.widget_memory import keep_widget_values
from lienzo.dashboard.lessons import available_lessons
from lienzo.registry import default_registry

st.set_page_config(page_title="Lienzo", page_icon="🎨", layout="wide")
keep_widget_values()  # first: before any widget of this run exists
language_selector()

registry = default_registry()
sections: dict[str, list] = {}
for lesson in available_lessons({spec.id for spec in registry.list()}):
    page = st.Page(
        str(lesson.path),
        title=t(f"nav.{lesson.key}"),
        icon=lesson.icon,
        url_path=lesson.url_path,
        default=lesson.key == "home",
    )
    sections.setdefault(t(f"nav.{lesson.section}"), []).append(page)

# Pages third-party plugins bring, through the same hook as everything else.
for plugin_page in registry.pages():
    sections.setdefault(t("nav.section_plugins"), []).append(
        st.Page(
            str(plugin_page.path),
            title=plugin_page.title[current_language()],
            icon=plugin_page.icon,
        )
    )

st.navigation(sections).run()
