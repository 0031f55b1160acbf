"""Tiny in-process image generators for the workflow tests, and a way to register them.

They implement the ImageGenerator protocol exactly like the real ones: a request in,
a GenerationResult with encoded image bytes out. The picture depends on the seed, so
tests can tell variants apart and check reproducibility.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass

import pytest
from PIL import Image

from lienzo.registry import default_registry
from lienzo.registry.generation import (
    GeneratedImage,
    GenerationRequest,
    GenerationResult,
    ProgressCallback,
)
from lienzo.registry.spec import ModelSpec


@dataclass
class NoConfig:
    pass


def png_for(seed: int | None, size: int = 24, fmt: str = "PNG", text: str = "") -> bytes:
    """A small image whose colour comes from the seed; optional tEXt chunk."""
    value = zlib.crc32(str(seed).encode())
    colour = (value & 255, (value >> 8) & 255, (value >> 16) & 255)
    image = Image.new("RGB", (size, size), colour)
    image.putpixel((0, 0), (255 - colour[0], 0, 0))
    buffer = io.BytesIO()
    if fmt == "PNG" and text:
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_text("Comment", text)
        image.save(buffer, format="PNG", pnginfo=info)
    else:
        image.save(buffer, format=fmt)
    return buffer.getvalue()


class FakeGenerator:
    """Local-style generator: prompt, negative prompt and seed supported."""

    generator_id = "test-fake"
    model = "fake-model-1"
    supported_fields = frozenset({"prompt", "negative_prompt", "seed", "count"})

    def __init__(self) -> None:
        self.requests: list[GenerationRequest] = []

    def generate(
        self, request: GenerationRequest, progress: ProgressCallback | None = None
    ) -> GenerationResult:
        self.requests.append(request)
        if progress is not None:
            progress(0.5, "generating")
        images = [
            GeneratedImage(data=png_for(request.seed), format="png", seed=request.seed)
            for _ in range(request.count)
        ]
        unsupported = sorted(request.used_fields() - self.supported_fields)
        return GenerationResult(
            images=images,
            provider=self.generator_id,
            model=self.model,
            unsupported_fields=unsupported,
            seconds=0.01,
        )


class NoSeedJpegGenerator(FakeGenerator):
    """Like a hosted model without seeds that answers JPEG (OpenAI/Flux style)."""

    generator_id = "test-jpeg"
    supported_fields = frozenset({"prompt", "size", "count"})

    def generate(self, request, progress=None):  # noqa: ANN001, ANN201
        result = super().generate(request, progress)
        for image in result.images:
            image.data, image.format, image.seed = png_for(request.seed, fmt="JPEG"), "jpeg", None
        return result


class ModeratedError(Exception):
    """Shaped like the adapters' errors: bilingual ``messages``."""

    def __init__(self) -> None:
        self.messages = {
            "es": "El sistema de seguridad rechazó la petición de prueba.",
            "en": "The safety system refused the test request.",
        }
        super().__init__(self.messages["en"])


class FailingGenerator(FakeGenerator):
    generator_id = "test-failing"

    def generate(self, request, progress=None):  # noqa: ANN001, ANN201
        raise ModeratedError()


class EmptyGenerator(FakeGenerator):
    generator_id = "test-empty"

    def generate(self, request, progress=None):  # noqa: ANN001, ANN201
        return GenerationResult(images=[], provider=self.generator_id, model=self.model)


class GarbageGenerator(FakeGenerator):
    generator_id = "test-garbage"

    def generate(self, request, progress=None):  # noqa: ANN001, ANN201
        result = super().generate(request, progress)
        result.images[0].data = b"\x89PNG\r\n\x1a\n-not really-"
        return result


def spec_for(cls: type, *, secrets: tuple[str, ...] = ()) -> ModelSpec:
    return ModelSpec(
        id=cls.generator_id,
        family="api" if secrets else "diffusion",
        title={"es": f"Prueba {cls.generator_id}", "en": f"Test {cls.generator_id}"},
        summary={"es": "Generador de prueba.", "en": "Test generator."},
        capabilities=frozenset({"text-to-image"}),
        config_class=NoConfig,
        factory=cls,
        secrets=secrets,
    )


def register(monkeypatch: pytest.MonkeyPatch, *specs: ModelSpec, only: bool = False) -> None:
    """Add specs to the process registry for one test (``only``: hide every other
    text-to-image generator, so the page's first choice is a fake)."""
    models = default_registry()._found.models  # noqa: SLF001 - test-only injection
    if only:
        for model_id, spec in list(models.items()):
            if "text-to-image" in spec.capabilities:
                monkeypatch.delitem(models, model_id)
    for spec in specs:
        monkeypatch.setitem(models, spec.id, spec)


class HostedFake(FakeGenerator):
    """A generator that declares a secret, as a third-party hosted adapter would."""

    generator_id = "test-hosted"
