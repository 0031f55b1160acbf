"""Home: what the course covers, the map of lessons, and what runs on this machine.

Renders without importing torch, diffusers or transformers (tests check it).
"""

from __future__ import annotations

import streamlit as st

from lienzo.dashboard.components.language import current_language, t
from lienzo.dashboard.lessons import LESSONS, available_lessons
from lienzo.registry import default_registry

st.title(t("home.title"))
st.markdown(t("home.intro"))

st.header(t("home.course_header"))
st.markdown(t("home.course_body"))

st.header(t("home.map_header"))
registry = default_registry()
ready = {lesson.key for lesson in available_lessons({spec.id for spec in registry.list()})}
for lesson in LESSONS:
    if lesson.key == "home" or lesson.key not in ready:
        continue
    st.page_link(
        str(lesson.path),
        label=f"{t('nav.' + lesson.key)} — {t('home.lesson_' + lesson.key)}",
        icon=lesson.icon,
    )
st.caption(t("home.map_note"))

st.header(t("home.local_header"))
st.markdown(t("home.local_body"))
models = registry.list()
if models:
    st.markdown(
        "\n".join(f"- **{spec.title[current_language()]}** (`{spec.id}`)" for spec in models)
    )
failed = [record for record in registry.plugins() if record.status == "failed"]
if failed:
    st.warning(t("home.failed_plugins", count=len(failed)))
