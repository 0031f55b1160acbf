"""One request type and one result type for every image generator, local or hosted.

The practical-project workflow talks to the local text-to-image model and to the
hosted adapters (OpenAI Images, Stability, Flux) through these types only. A
generator states which fields it supports; a request that uses others is answered
with a list of what was not applied, never silently trimmed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

# Fields a generator may support, by name; the workflow reports unsupported ones.
REQUEST_FIELDS = (
    "prompt",
    "negative_prompt",
    "size",
    "aspect_ratio",
    "seed",
    "count",
    "style",
    "extras",
)


@dataclass(frozen=True)
class GenerationRequest:
    prompt: str
    negative_prompt: str = ""
    size: str | None = None  # "1024x1024"
    aspect_ratio: str | None = None  # "1:1", "16:9"
    seed: int | None = None
    count: int = 1
    style: str | None = None  # a provider's own style preset name
    extras: Mapping[str, Any] = field(default_factory=dict)  # provider-specific fields

    def used_fields(self) -> set[str]:
        """The optional fields this request sets (prompt always counts)."""
        used = {"prompt"}
        if self.negative_prompt:
            used.add("negative_prompt")
        for name in ("size", "aspect_ratio", "seed", "style"):
            if getattr(self, name) is not None:
                used.add(name)
        if self.count != 1:
            used.add("count")
        if self.extras:
            used.add("extras")
        return used


@dataclass
class GeneratedImage:
    data: bytes  # encoded image file
    format: str  # "png", "jpeg", "webp"
    seed: int | None = None
    revised_prompt: str | None = None


@dataclass
class GenerationResult:
    images: list[GeneratedImage]
    provider: str  # plugin / generator id
    model: str
    unsupported_fields: list[str] = field(default_factory=list)  # asked for, not applied
    cost_estimate_usd: float | None = None
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # e.g. {"submit": .., "poll": ..}


ProgressCallback = Callable[[float, str], None]  # (fraction 0..1, short status)


@runtime_checkable
class ImageGenerator(Protocol):
    """What a generator object (spec.factory()) offers to the workflow."""

    generator_id: str
    supported_fields: frozenset[str]

    def generate(
        self, request: GenerationRequest, progress: ProgressCallback | None = None
    ) -> GenerationResult: ...
