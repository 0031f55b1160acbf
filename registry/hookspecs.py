"""The hooks a Lienzo plugin can implement.

Every hook receives a ``register`` callback (the shape simonw/llm uses) instead of
returning values, so one plugin can register several things and a failure is
attributed to the plugin that caused it. Built-in plugins use exactly these hooks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

PROJECT_NAME = "lienzo"
ENTRY_POINT_GROUP = "lienzo"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


class LienzoHookSpecs:
    """Hook specifications; each docstring is the hook's documentation."""

    @hookspec
    def lienzo_register_models(self, register: Callable[[Any], None]) -> None:
        """Register model specs.

        Call ``register(spec)`` once per model, with a
        :class:`lienzo.registry.spec.ModelSpec`. The spec is validated on
        registration: an invalid spec marks the whole plugin as failed and none of
        the models it registered in this call are kept. Keep this hook cheap: build
        heavy objects (torch modules, weights) lazily inside ``spec.factory``.
        """

    @hookspec
    def lienzo_register_pages(self, register: Callable[[Any], None]) -> None:
        """Register extra dashboard pages.

        Call ``register(page)`` with a :class:`lienzo.registry.spec.PageSpec`: the
        absolute path of a Streamlit script, its es/en titles and an icon. The
        dashboard lists these pages in a "Plugins" section of its navigation.
        """


def hook_names() -> list[str]:
    """Names of every hook Lienzo defines."""
    return [name for name in vars(LienzoHookSpecs) if name.startswith("lienzo_")]
