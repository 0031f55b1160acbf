"""Put the third-party test plugins on the path, with their entry-point metadata."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lienzo.registry import catalog

FIXTURE_PLUGINS = Path(__file__).parent.parent / "fixtures" / "plugins"


@pytest.fixture
def third_party_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Install the demo plugin packages (good and broken) into this interpreter."""
    monkeypatch.syspath_prepend(str(FIXTURE_PLUGINS))
    catalog.default_registry.cache_clear()
    yield FIXTURE_PLUGINS
    for name in [m for m in sys.modules if m.startswith("lienzo_demo_")]:
        del sys.modules[name]
    catalog.default_registry.cache_clear()
