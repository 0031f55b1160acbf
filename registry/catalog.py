"""The registry API the dashboard and CLI use: list, filter, get."""

from __future__ import annotations

import functools
from typing import Any

from lienzo.registry.discovery import Discovery, PluginRecord, discover
from lienzo.registry.spec import ModelSpec, PageSpec


class UnknownModelError(KeyError):
    """No loaded plugin registered this model id."""


class Registry:
    """Read-only view over what discovery found."""

    def __init__(self, found: Discovery):
        self._found = found

    def list(self, family: str | None = None, capability: str | None = None) -> list[ModelSpec]:
        """Model specs, optionally only one family and/or one capability, sorted by id."""
        specs = sorted(self._found.models.values(), key=lambda spec: spec.id)
        if family is not None:
            specs = [spec for spec in specs if spec.family == family]
        if capability is not None:
            specs = [spec for spec in specs if capability in spec.capabilities]
        return specs

    def spec(self, model_id: str) -> ModelSpec:
        try:
            return self._found.models[model_id]
        except KeyError:
            known = ", ".join(sorted(self._found.models)) or "none"
            raise UnknownModelError(f"unknown model {model_id!r}; loaded models: {known}") from None

    def get(self, model_id: str) -> Any:
        """A new model object built by the spec's factory (callers cache if they share it)."""
        return self.spec(model_id).factory()

    def plugins(self) -> list[PluginRecord]:
        return list(self._found.records)

    def pages(self) -> list[PageSpec]:
        return list(self._found.pages)


@functools.cache
def default_registry() -> Registry:
    """The process-wide registry, discovered once."""
    return Registry(discover())


def reload() -> Registry:
    """Forget the cached registry and discover plugins again."""
    default_registry.cache_clear()
    return default_registry()
