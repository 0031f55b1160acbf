"""Finding plugins through entry points, each one isolated from the others.

pluggy alone lets one broken plugin stop every other: an import error or an
exception inside a hook propagates to the caller. Here each entry point is loaded,
and each hook implementation called, inside its own guard; a failure is recorded
on that plugin's :class:`PluginRecord` and everything else keeps working.

Environment:
- ``LIENZO_PLUGINS``: comma-separated entry-point names to load (others are
  recorded as disabled). Unset or empty loads all.
- ``LIENZO_STRICT_PLUGINS=1``: re-raise the first plugin failure (for plugin authors).
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import pluggy

from lienzo.registry.hookspecs import ENTRY_POINT_GROUP, PROJECT_NAME, LienzoHookSpecs
from lienzo.registry.spec import ModelSpec, PageSpec

LOADED, FAILED, DISABLED = "loaded", "failed", "disabled"


@dataclass
class PluginRecord:
    """One entry point and what became of it."""

    name: str
    package: str
    version: str
    status: str = LOADED
    error: str = ""
    stage: str = ""  # "import", "lienzo_register_models", ...
    hooks: list[str] = field(default_factory=list)
    model_ids: list[str] = field(default_factory=list)
    page_titles: list[str] = field(default_factory=list)

    def fail(self, stage: str, error: str) -> None:
        self.status, self.stage, self.error = FAILED, stage, error


@dataclass
class Discovery:
    """The outcome of loading every plugin."""

    records: list[PluginRecord]
    models: dict[str, ModelSpec]
    pages: list[PageSpec]


def _strict() -> bool:
    return os.environ.get("LIENZO_STRICT_PLUGINS", "") not in ("", "0", "false")


def _allowed() -> set[str] | None:
    raw = os.environ.get("LIENZO_PLUGINS", "").strip()
    return {name.strip() for name in raw.split(",") if name.strip()} if raw else None


def _describe(error: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(error), error)).strip()


def _collect(
    record: PluginRecord,
    hook_name: str,
    function: Any,
    kind: type,
    taken: set[str],
) -> list[Any]:
    """Call one hook implementation; return what it registered, or [] if it failed."""
    collected: list[Any] = []
    try:
        function(register=collected.append)
        for item in collected:
            if not isinstance(item, kind):
                raise TypeError(f"registered {type(item).__name__}, expected {kind.__name__}")
            problems = item.problems()
            if problems:
                label = getattr(item, "id", getattr(item, "path", "?"))
                raise ValueError(f"invalid {kind.__name__} {label!r}: " + "; ".join(problems))
            if kind is ModelSpec and item.id in taken:
                raise ValueError(f"model id {item.id!r} is already registered by another plugin")
    except Exception as error:  # noqa: BLE001 - isolation is the point
        if _strict():
            raise
        record.fail(hook_name, _describe(error))
        return []
    return collected


def discover(entry_points: list[metadata.EntryPoint] | None = None) -> Discovery:
    """Load every plugin in the ``lienzo`` entry-point group, isolating failures."""
    manager = pluggy.PluginManager(PROJECT_NAME)
    manager.add_hookspecs(LienzoHookSpecs)
    allowed = _allowed()
    records: list[PluginRecord] = []
    models: dict[str, ModelSpec] = {}
    pages: list[PageSpec] = []
    if entry_points is None:
        entry_points = sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name)

    for entry_point in entry_points:
        dist = entry_point.dist
        record = PluginRecord(
            name=entry_point.name,
            package=dist.name if dist else "?",
            version=dist.version if dist else "?",
        )
        records.append(record)
        if allowed is not None and entry_point.name not in allowed:
            record.status = DISABLED
            continue
        try:
            plugin = entry_point.load()
            manager.register(plugin, name=entry_point.name)
        except Exception as error:  # noqa: BLE001
            if _strict():
                raise
            record.fail("import", _describe(error))
            continue

        for impl in manager.get_hookcallers(plugin) or []:
            record.hooks.append(impl.name)
        for impl_hook, kind in (
            ("lienzo_register_models", ModelSpec),
            ("lienzo_register_pages", PageSpec),
        ):
            if record.status == FAILED:
                break
            for impl in getattr(manager.hook, impl_hook).get_hookimpls():
                if impl.plugin is not plugin:
                    continue
                items = _collect(record, impl_hook, impl.function, kind, set(models))
                if kind is ModelSpec:
                    record.model_ids += [spec.id for spec in items]
                    models.update({spec.id: spec for spec in items})
                else:
                    record.page_titles += [page.title["en"] for page in items]
                    pages += items
        if record.status == FAILED:
            # A failed plugin contributes nothing, not half of what it meant to.
            for model_id in record.model_ids:
                models.pop(model_id, None)
            pages = [page for page in pages if page.title["en"] not in record.page_titles]
            record.model_ids, record.page_titles = [], []
    return Discovery(records=records, models=models, pages=pages)
