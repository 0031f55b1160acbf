"""Tools on the market: eight image generators compared, and which ones Lienzo can call.

The facts live in dashboard/data/tools.toml (dated); this page filters and draws them,
and links the tools Lienzo has an adapter for to the practical-project workflow.
"""

from __future__ import annotations

import streamlit as st

from lienzo.dashboard.components.language import current_language, t
from lienzo.dashboard.labs import generators as gen
from lienzo.dashboard.labs.tools_catalog import checked, tools
from lienzo.dashboard.lessons import LESSONS
from lienzo.registry import default_registry

lang = current_language()
registry = default_registry()
hosted = {spec.id: spec for spec in gen.specs(registry) if gen.is_hosted(spec)}
project_page = next(lesson.path for lesson in LESSONS if lesson.key == "project")

st.title(t("tools.title"))
st.markdown(t("tools.intro"))
st.caption(t("tools.checked", date=checked()))


def lienzo_status(adapter_id: str) -> str:
    """'ready', 'needs_key', 'missing' (no plugin loaded) or 'none' (no adapter exists)."""
    if not adapter_id:
        return "none"
    spec = hosted.get(adapter_id)
    if spec is None:
        return "missing"
    try:
        status = gen.describe(spec, gen.build_hosted(spec, None, "tools-page"))
    except Exception:  # noqa: BLE001 - a broken adapter reads as not available here
        return "missing"
    return "ready" if status.ready else "needs_key"


# --- Filters and the comparison table ---------------------------------------------------
cols = st.columns(3)
only_open = cols[0].toggle(t("tools.filter_open"), key="tools_only_open")
only_api = cols[1].toggle(t("tools.filter_api"), key="tools_only_api")
only_lienzo = cols[2].toggle(t("tools.filter_lienzo"), key="tools_only_lienzo")

shown = [
    tool
    for tool in tools()
    if (not only_open or tool.open_weights in ("yes", "some"))
    and (not only_api or tool.api == "yes")
    and (not only_lienzo or tool.lienzo)
]
statuses = {tool.id: lienzo_status(tool.lienzo) for tool in tools()}
st.dataframe(
    [
        {
            t("tools.col_tool"): tool.name,
            t("tools.col_maker"): tool.maker,
            t("tools.col_since"): tool.since,
            t("tools.col_open_weights"): t(f"tools.open_{tool.open_weights}"),
            t("tools.col_api"): t(f"tools.api_{tool.api}"),
            t("tools.col_lienzo"): t(f"tools.lienzo_{statuses[tool.id]}"),
        }
        for tool in shown
    ],
    hide_index=True,
    width="stretch",
)
if not shown:
    st.info(t("tools.none_match"))
st.caption(t("tools.table_note"))

# --- One card per tool ------------------------------------------------------------------
st.header(t("tools.details_header"))
for tool in shown:
    with st.container(border=True):
        st.subheader(f"{tool.name} · {tool.maker} ({tool.since})")
        st.markdown(f"**{t('tools.access')}** {tool.access[lang]}")
        st.markdown(f"**{t('tools.strengths')}** {tool.strengths[lang]}")
        st.markdown(f"**{t('tools.licence')}** {tool.licence[lang]}")
        links = st.columns([1, 2])
        links[0].link_button(t("tools.website"), tool.url, icon=":material/open_in_new:")
        status = statuses[tool.id]
        if status in ("ready", "needs_key"):
            spec = hosted[tool.lienzo]
            links[1].page_link(
                str(project_page),
                label=t("tools.try_in_project", adapter=tool.lienzo),
                icon=":material/work:",
            )
            if status == "needs_key":
                st.caption(t("tools.needs_key", names=" / ".join(spec.secrets)))
        elif status == "missing":
            st.caption(t("tools.adapter_missing", adapter=tool.lienzo))
        else:
            st.caption(t("tools.no_adapter"))

# --- How to choose ----------------------------------------------------------------------
st.header(t("tools.choose_header"))
st.markdown(t("tools.choose_body"))
