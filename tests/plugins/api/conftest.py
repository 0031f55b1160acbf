"""Fixtures for the hosted-adapter tests: a clean environment, fake servers, fake time."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lienzo.plugins.api import keys
from tests.plugins.api.fakes import FakeServer, FakeTime

# A recognisable key: tests grep logs, errors and files for it (and for its pieces).
KEY = "sk-test-LIENZO-0123456789abcdefSECRET"

SETTINGS = (
    "OPENAI_API_KEY",
    "STABILITY_API_KEY",
    "BFL_API_KEY",
    "LIENZO_OPENAI_BASE_URL",
    "LIENZO_OPENAI_MODEL",
    "LIENZO_STABILITY_BASE_URL",
    "LIENZO_STABILITY_MODEL",
    "LIENZO_FLUX_BASE_URL",
    "LIENZO_FLUX_MODEL",
    "LIENZO_BUDGET_PER_SESSION",
    "LIENZO_BUDGET_PER_DAY",
)


@pytest.fixture(autouse=True)
def clean_settings(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """No real key, setting or secrets file leaks into a test; data goes to tmp_path."""
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LIENZO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(keys, "_streamlit_secret", lambda name: None)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as running:
        yield running


@pytest.fixture
def other_host() -> Iterator[FakeServer]:
    """A second server: the provider's polling / delivery host (Flux)."""
    with FakeServer() as running:
        yield running
