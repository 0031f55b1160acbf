"""Home page in both languages, and its promise not to import heavy libraries."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tests.dashboard.conftest import APP, LANGS, assert_clean, open_page, page_path, page_text


@pytest.mark.parametrize("lang", LANGS)
def test_home_renders_in_both_languages(lang: str) -> None:
    at = open_page(None, lang)
    assert_clean(at)
    expected = {"es": "Mapa de lecciones", "en": "Map of lessons"}[lang]
    assert expected in page_text(at)


def test_language_survives_page_changes() -> None:
    at = open_page(None, "en")
    at.switch_page(page_path("pooling")).run()
    at.switch_page(page_path("home")).run()
    assert at.session_state["lang"] == "en"
    assert "Map of lessons" in page_text(at)


def test_sidebar_switch_changes_language() -> None:
    at = open_page(None, "es")
    at.sidebar.radio(key="lang_choice").set_value("en").run()
    assert "Map of lessons" in page_text(at)
    assert at.session_state["lang"] == "en"


def test_home_does_not_import_heavy_libraries() -> None:
    # A fresh interpreter: this test process has torch loaded already.
    script = textwrap.dedent(
        f"""
        import sys
        from streamlit.testing.v1 import AppTest
        at = AppTest.from_file({str(APP)!r}, default_timeout=60)
        at.run()
        assert not at.exception, at.exception
        heavy = ("torch", "diffusers", "transformers", "onnxruntime")
        heavy = [name for name in heavy if name in sys.modules]
        print("HEAVY", heavy)
        sys.exit(1 if heavy else 0)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_lab_settings_survive_a_visit_to_another_page() -> None:
    at = open_page("gan", "es", timeout=120)
    at.number_input(key="gan_steps").set_value(3000).run()
    at.switch_page(page_path("pooling")).run()
    at.switch_page(page_path("gan")).run()
    assert_clean(at)
    assert at.number_input(key="gan_steps").value == 3000
