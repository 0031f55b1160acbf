"""What a plugin declares: model specs, typed configs with bounds, and pages."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LANGUAGES = ("es", "en")

FAMILIES = ("cnn", "gan", "autoencoder", "transformer", "diffusion", "api")

CAPABILITIES = (
    "classify",
    "feature-maps",
    "generate",
    "reconstruct",
    "denoise",
    "text-to-image",
    "attention",
    "train",
    "onnx",
)


class ConfigError(ValueError):
    """A config value outside its declared bounds; carries messages in both languages."""

    def __init__(self, messages: Mapping[str, str]):
        super().__init__(messages["en"])
        self.messages = dict(messages)


def bounded(default: Any, low: float | None = None, high: float | None = None, **help_text: str):
    """A dataclass field with inclusive numeric bounds and optional es/en help.

    >>> @dataclass
    ... class TrainConfig:
    ...     epochs: int = bounded(10, 1, 200, es="Épocas", en="Epochs")
    """
    return field(default=default, metadata={"low": low, "high": high, "help": help_text})


def config_bounds(config_class: type) -> dict[str, tuple[float | None, float | None]]:
    """The (low, high) bounds of every field of a config dataclass."""
    return {
        f.name: (f.metadata.get("low"), f.metadata.get("high"))
        for f in dataclasses.fields(config_class)
    }


def validate_config(config: Any) -> Any:
    """Raise ConfigError when a numeric field is NaN or outside its bounds."""
    for f in dataclasses.fields(config):
        value = getattr(config, f.name)
        low, high = f.metadata.get("low"), f.metadata.get("high")
        if not isinstance(value, int | float) or isinstance(value, bool):
            continue
        bad_nan = isinstance(value, float) and not math.isfinite(value)
        if bad_nan or (low is not None and value < low) or (high is not None and value > high):
            names = f.metadata.get("help", {})
            raise ConfigError(
                {
                    "es": f"«{names.get('es', f.name)}» ({f.name} = {value}) debe estar "
                    f"entre {low} y {high}.",
                    "en": f"'{names.get('en', f.name)}' ({f.name} = {value}) must be "
                    f"between {low} and {high}.",
                }
            )
    return config


@dataclass(frozen=True)
class OnnxSupport:
    """Whether and how a model exports to ONNX."""

    exportable: bool
    graphs: tuple[str, ...] = ()  # names of the exported graphs, e.g. ("encoder", "decoder")
    note: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelSpec:
    """Everything the registry, CLI and dashboard need to know about one model."""

    id: str
    family: str
    title: Mapping[str, str]
    summary: Mapping[str, str]
    capabilities: frozenset[str]
    config_class: type
    factory: Callable[[], Any]  # builds the model object; imports torch lazily
    onnx: OnnxSupport = OnnxSupport(exportable=False)
    secrets: tuple[str, ...] = ()  # env/st.secrets names an API adapter needs

    def problems(self) -> list[str]:
        """What is wrong with this spec, as plain English sentences (empty when valid)."""
        found: list[str] = []
        if not isinstance(self.id, str) or not self.id or " " in self.id:
            found.append(f"id must be a non-empty string without spaces, got {self.id!r}")
        if self.family not in FAMILIES:
            found.append(f"family {self.family!r} is not one of {', '.join(FAMILIES)}")
        for name in ("title", "summary"):
            text = getattr(self, name)
            if not isinstance(text, Mapping) or any(not text.get(lang) for lang in LANGUAGES):
                found.append(f"{name} needs non-empty 'es' and 'en' texts")
        unknown = set(self.capabilities) - set(CAPABILITIES)
        if unknown:
            found.append(f"unknown capabilities: {', '.join(sorted(unknown))}")
        if not (
            isinstance(self.config_class, type) and dataclasses.is_dataclass(self.config_class)
        ):
            found.append("config_class must be a dataclass")
        else:
            try:
                validate_config(self.config_class())
            except ConfigError as error:
                found.append(f"config defaults are out of bounds: {error}")
            except TypeError as error:
                found.append(f"config_class needs defaults for every field: {error}")
        if not callable(self.factory):
            found.append("factory must be callable")
        if not isinstance(self.onnx, OnnxSupport):
            found.append("onnx must be an OnnxSupport")
        return found

    def default_config(self) -> Any:
        return self.config_class()


@dataclass(frozen=True)
class PageSpec:
    """A dashboard page a plugin brings."""

    path: Path
    title: Mapping[str, str]
    icon: str = ":material/extension:"

    def problems(self) -> list[str]:
        found = []
        if not Path(self.path).is_file():
            found.append(f"page file {self.path} does not exist")
        if not isinstance(self.title, Mapping) or any(not self.title.get(x) for x in LANGUAGES):
            found.append("title needs non-empty 'es' and 'en' texts")
        return found
