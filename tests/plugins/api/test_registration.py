"""The three adapters register through the same hooks as the local models."""

from __future__ import annotations

import subprocess
import sys

import pytest

import lienzo.registry
from lienzo.plugins.api.base import HostedAdapter
from lienzo.registry.generation import REQUEST_FIELDS, GenerationRequest, ImageGenerator
from lienzo.registry.spec import validate_config

EXPECTED = {
    "openai-images": ("OPENAI_API_KEY", "gpt-image-2"),
    "stability": ("STABILITY_API_KEY", "core"),
    "flux": ("BFL_API_KEY", "flux-2-pro"),
}


@pytest.fixture(scope="module")
def registry():
    return lienzo.registry.reload()


@pytest.mark.parametrize("model_id", sorted(EXPECTED))
def test_registered_as_api_text_to_image(registry, model_id) -> None:
    spec = registry.spec(model_id)
    secret, default_model = EXPECTED[model_id]
    assert spec.family == "api" and spec.capabilities == frozenset({"text-to-image"})
    assert spec.secrets == (secret,) and not spec.problems()
    validate_config(spec.default_config())
    generator = registry.get(model_id)
    assert isinstance(generator, ImageGenerator) and isinstance(generator, HostedAdapter)
    assert generator.generator_id == model_id and generator.model == default_model
    assert generator.supported_fields <= set(REQUEST_FIELDS)
    assert not generator.has_key and generator.key_source is None
    assert any(m.id == default_model for m in generator.models)
    for model in generator.models:
        assert model.price_note.get("es") and model.price_note.get("en")


def test_supported_fields_per_provider(registry) -> None:
    request = GenerationRequest("x", negative_prompt="y", seed=1, style="anime")
    assert registry.get("openai-images").unsupported(request) == [
        "negative_prompt",
        "seed",
        "style",
    ]
    assert registry.get("stability").unsupported(request) == []
    assert registry.get("flux").unsupported(request) == ["negative_prompt", "style"]


def test_typed_key_copy_leaves_the_original_alone(registry) -> None:
    generator = registry.get("flux")
    mine = generator.with_options(api_key="typed", session_id="ana", model="flux-2-max")
    assert mine.key_source == "session" and mine.model == "flux-2-max"
    assert generator.key_source is None and generator.model == "flux-2-pro"


def test_registering_imports_neither_httpx_nor_streamlit() -> None:
    code = (
        "import sys, lienzo.registry as r; r.reload();"
        "[r.get(i) for i in ('openai-images', 'stability', 'flux')];"
        "print('httpx' in sys.modules, 'streamlit' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_secrets_example_lists_every_setting_the_adapters_read() -> None:
    import tomllib
    from pathlib import Path

    from lienzo.plugins.api import budget
    from lienzo.plugins.api.flux import FluxAdapter
    from lienzo.plugins.api.openai_images import OpenAIImagesAdapter
    from lienzo.plugins.api.stability import StabilityAdapter

    example = Path(__file__).parents[3] / ".streamlit" / "secrets.toml.example"
    listed = tomllib.loads(example.read_text("utf-8"))
    expected = {budget.PER_SESSION_SETTING, budget.PER_DAY_SETTING, budget.DATA_DIR_SETTING}
    for adapter in (OpenAIImagesAdapter, StabilityAdapter, FluxAdapter):
        expected |= {*adapter.secret_names, adapter.base_url_setting, adapter.model_setting}
    assert set(listed) == expected
    assert all(value == "" for value in listed.values())  # an example never holds a key
