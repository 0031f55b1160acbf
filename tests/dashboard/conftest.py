"""AppTest helpers: open a page of the real app in a chosen language."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import lienzo.dashboard
from lienzo.dashboard.lessons import PAGES_DIR

APP = Path(lienzo.dashboard.__file__).parent / "app.py"
LANGS = ("es", "en")


@pytest.fixture(autouse=True)
def _strict_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    # A missing catalogue key raises instead of showing the raw key.
    monkeypatch.setenv("LIENZO_I18N_STRICT", "1")


def page_path(page: str) -> str:
    """A lesson's script path relative to app.py, as AppTest's switch_page wants it."""
    return f"{PAGES_DIR.name}/{page}.py"


def open_page(page: str | None, lang: str, timeout: float = 60) -> AppTest:
    """Run the app, switch to the lesson script ``<page>.py`` (None = home) in ``lang``."""
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at.query_params["lang"] = lang
    at.run()
    if page is not None:
        at.switch_page(page_path(page))
        at.run()
    return at


def page_text(at: AppTest) -> str:
    """All visible text of the page, to look for raw keys or expected words."""
    parts = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
    ):
        parts += [str(element.value) for element in getattr(at, kind)]
    return "\n".join(parts)


def assert_clean(at: AppTest) -> None:
    """No exception box and no error element on the page."""
    assert not at.exception, [e.value for e in at.exception]
