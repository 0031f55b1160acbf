"""Lienzo's plugin registry.

Third-party plugins write ``from lienzo.registry import hookimpl``. Nothing here
imports torch: ONNX export and checkpoints live in their own modules.
"""

from __future__ import annotations

from typing import Any

from lienzo.registry.catalog import Registry, UnknownModelError, default_registry, reload
from lienzo.registry.hookspecs import hookimpl, hookspec
from lienzo.registry.spec import (
    CAPABILITIES,
    FAMILIES,
    ConfigError,
    ModelSpec,
    OnnxSupport,
    PageSpec,
    bounded,
    validate_config,
)

__all__ = [
    "CAPABILITIES",
    "FAMILIES",
    "ConfigError",
    "ModelSpec",
    "OnnxSupport",
    "PageSpec",
    "Registry",
    "UnknownModelError",
    "bounded",
    "default_registry",
    "export_onnx",
    "get",
    "hookimpl",
    "hookspec",
    "list_models",
    "reload",
    "validate_config",
]


def list_models(family: str | None = None, capability: str | None = None) -> list[ModelSpec]:
    return default_registry().list(family=family, capability=capability)


def get(model_id: str) -> Any:
    return default_registry().get(model_id)


def export_onnx(model: Any, out_dir: Any, **options: Any) -> Any:
    """Export every ONNX graph of a local model and validate it (see registry.onnx_export)."""
    from lienzo.registry.onnx_export import export_onnx as _export

    return _export(model, out_dir, **options)
