"""The registry page: plugin statuses (broken ones too) and ONNX export with its report."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dashboard.conftest import LANGS, assert_clean, open_page, page_text
from tests.registry.conftest import third_party_plugins  # noqa: F401 - fixture


@pytest.mark.parametrize("lang", LANGS)
def test_registry_page_lists_plugins(lang: str) -> None:
    at = open_page("registry", lang)
    assert_clean(at)
    table = at.dataframe[0].value
    assert "cnn" in table.iloc[:, 0].tolist()
    assert {"es": "Exportar a ONNX", "en": "Export to ONNX"}[lang] in page_text(at)


def test_broken_plugin_is_shown_and_the_rest_work(third_party_plugins: Path) -> None:  # noqa: F811
    at = open_page("registry", "en")
    assert_clean(at)
    names = at.dataframe[0].value.iloc[:, 0].tolist()
    assert {"cnn", "demo-good", "demo-import-error", "demo-invalid-spec"} <= set(names)
    errors = " ".join(str(e.value) for e in at.error)
    assert "demo-import-error" in errors and "banana" in errors
    # The plugin's own page joins the navigation; the CNN lesson is still there.
    home = open_page(None, "en")
    assert_clean(home)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_export_shows_validation_report_and_latency(lang: str) -> None:
    at = open_page("registry", lang, timeout=180)
    at.selectbox(key="registry_model").set_value("cnn-lenet5").run()
    at.button(key="registry_export").click().run()
    assert_clean(at)
    assert len(at.success) == 1, page_text(at)  # one graph: the classifier
    assert at.metric[0].value == "18" or int(at.metric[0].value) >= 17
    latency = at.dataframe[1].value
    assert latency.shape[0] == 2
    assert "CPUExecutionProvider" in page_text(at)


@pytest.mark.slow
def test_a_model_with_two_graphs_reports_both() -> None:
    at = open_page("registry", "en", timeout=180)
    at.selectbox(key="registry_model").set_value("ae-vae").run()
    at.button(key="registry_export").click().run()
    assert_clean(at)
    assert len(at.success) == 2, page_text(at)  # encoder and decoder
