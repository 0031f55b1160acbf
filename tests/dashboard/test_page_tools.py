"""The tools page: eight tools compared, filters, and links to the workflow for callable ones."""

from __future__ import annotations

import pytest

from lienzo.dashboard.i18n import translate
from lienzo.dashboard.labs import generators as gen
from lienzo.dashboard.labs.tools_catalog import API, OPEN_WEIGHTS, checked, tools
from lienzo.registry import default_registry
from tests.dashboard.conftest import LANGS, assert_clean, open_page, page_text

SYLLABUS_TOOLS = {
    "DALL·E 3",
    "Stable Diffusion",
    "Midjourney",
    "Adobe Firefly",
    "Ideogram",
    "Leonardo",
    "Flux",
    "Krea",
}


def test_tools_data_is_complete_dated_and_bilingual() -> None:
    found = tools()
    assert {tool.name for tool in found} == SYLLABUS_TOOLS
    assert checked().startswith("2026")
    for tool in found:
        assert tool.open_weights in OPEN_WEIGHTS and tool.api in API, tool.id
        assert tool.url.startswith("https://"), tool.id
        for text in (tool.access, tool.strengths, tool.licence):
            assert text["es"].strip() and text["en"].strip(), tool.id
    # the adapters the workflow can use, and only those, are marked as callable
    assert {tool.lienzo for tool in found if tool.lienzo} == {"openai-images", "stability", "flux"}
    assert {t.name for t in found if t.lienzo == ""} >= {"Midjourney", "Adobe Firefly"}


@pytest.fixture(autouse=True)
def no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for spec in gen.specs(default_registry()):
        for name in spec.secrets:
            monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("lang", LANGS)
def test_tools_page_compares_all_eight_and_links_the_callable_ones(lang: str) -> None:
    at = open_page("tools", lang)
    assert_clean(at)
    table = at.dataframe[0].value
    assert set(table.iloc[:, 0]) == SYLLABUS_TOOLS
    text = page_text(at)
    assert translate(lang, "tools.checked", date=checked()) in text
    loaded = {s.id for s in gen.specs(default_registry()) if gen.is_hosted(s)}
    links = at.get("page_link")
    linked = {
        a
        for a in ("openai-images", "stability", "flux")
        if any(a in str(x.proto.label) for x in links)
    }
    assert linked == loaded & {"openai-images", "stability", "flux"}
    # each link resolves to the workflow page registered in the navigation
    assert all(x.proto.page == "project" and x.proto.page_script_hash for x in links)
    column = table.iloc[:, 5].tolist()
    needs = translate(lang, "tools.lienzo_needs_key")
    assert column.count(needs) == len(loaded & {"openai-images", "stability", "flux"})


def test_filters_narrow_the_table() -> None:
    at = open_page("tools", "en")
    at.toggle(key="tools_only_open").set_value(True).run()
    assert set(at.dataframe[0].value.iloc[:, 0]) == {"Stable Diffusion", "Flux", "Krea"}
    at.toggle(key="tools_only_lienzo").set_value(True).run()
    assert set(at.dataframe[0].value.iloc[:, 0]) == {"Stable Diffusion", "Flux"}
    at.toggle(key="tools_only_api").set_value(True).run()
    at.toggle(key="tools_only_open").set_value(False).run()
    assert set(at.dataframe[0].value.iloc[:, 0]) == {"Stable Diffusion", "Flux"}
    assert_clean(at)
