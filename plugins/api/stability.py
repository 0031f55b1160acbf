"""Stability AI (Stable Image Ultra, Core, Stable Diffusion 3.5) as a Lienzo generator.

``POST {base}/v2beta/stable-image/generate/{ultra|core|sd3}`` with a Bearer key and a
**multipart/form-data** body (JSON gets 400). One image per request, so ``count``
is a loop (seed, seed+1, ... when a seed is given). ``Accept: image/*`` answers the
bytes with ``finish-reason`` and ``seed`` headers; ``Accept: application/json``
answers ``{image, finish_reason, seed}``. ``CONTENT_FILTERED`` arrives as HTTP 200
and is a moderation result, never a success. Only 429 is retried: a 5xx is not
resent. Settings: ``STABILITY_API_KEY``, ``LIENZO_STABILITY_BASE_URL``,
``LIENZO_STABILITY_MODEL``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from lienzo.plugins.api.base import (
    GENERATING,
    HostedAdapter,
    HostedConfig,
    ProviderModel,
    image_from_bytes,
)
from lienzo.plugins.api.errors import (
    ApiError,
    InvalidKey,
    InvalidParameter,
    MalformedResponse,
    ModelShutDown,
    Moderated,
    ProviderDown,
    QuotaExhausted,
    RateLimited,
)
from lienzo.plugins.api.http import retry_hint, send
from lienzo.plugins.api.keys import ApiKey, scrub
from lienzo.registry.generation import GeneratedImage, GenerationRequest, ProgressCallback
from lienzo.registry.hookspecs import hookimpl
from lienzo.registry.spec import ModelSpec

GENERATOR_ID = "stability"
DEFAULT_BASE_URL = "https://api.stability.ai"
PATH = "/v2beta/stable-image/generate/"
DEFAULT_MODEL = "core"
MAX_PROMPT = 10000
MAX_SEED = 4294967294
ASPECT_RATIOS = ("16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21")
STYLE_PRESETS = (
    "3d-model", "analog-film", "anime", "cinematic", "comic-book", "digital-art", "enhance",
    "fantasy-art", "isometric", "line-art", "low-poly", "modeling-compound", "neon-punk",
    "origami", "photographic", "pixel-art", "tile-texture",
)  # fmt: skip
OUTPUT_FORMATS = ("png", "jpeg", "webp")
SD3_MODELS = ("sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium")
# Turbo ignores the negative prompt (distilled without classifier-free guidance).
NO_NEGATIVE = frozenset({"sd3.5-large-turbo"})


def _credits(n: float) -> dict[str, str]:
    usd = n * 0.01
    return {
        "es": f"{n:g} créditos por imagen (1 crédito = 0,01 $): {usd:.3f} $".replace(".", ","),
        "en": f"{n:g} credits per image (1 credit = $0.01): ${usd:.3f}",
    }


MODELS = (
    ProviderModel("core", "Stable Image Core", 0.03, _credits(3)),
    ProviderModel("ultra", "Stable Image Ultra", 0.08, _credits(8)),
    ProviderModel("sd3.5-large", "Stable Diffusion 3.5 Large", 0.065, _credits(6.5)),
    ProviderModel("sd3.5-large-turbo", "Stable Diffusion 3.5 Large Turbo", 0.04, _credits(4)),
    ProviderModel("sd3.5-medium", "Stable Diffusion 3.5 Medium", 0.035, _credits(3.5)),
)


def _error_text(response: Any) -> tuple[str, str]:
    """(name, joined errors) of a Stability error body ``{id, name, errors: [..]}``."""
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    errors = body.get("errors")
    text = "; ".join(str(e) for e in errors) if isinstance(errors, list) else str(errors or "")
    return str(body.get("name") or ""), text


class StabilityAdapter(HostedAdapter):
    """One multipart POST per image; answers the image bytes or JSON."""

    generator_id = GENERATOR_ID
    secret_names = ("STABILITY_API_KEY",)
    base_url_setting = "LIENZO_STABILITY_BASE_URL"
    model_setting = "LIENZO_STABILITY_MODEL"
    default_base_url = DEFAULT_BASE_URL
    default_model = DEFAULT_MODEL
    models = MODELS
    provider_fields = frozenset(
        {"prompt", "negative_prompt", "aspect_ratio", "seed", "count", "style", "extras"}
    )
    allowed_extras = frozenset({"output_format", "cfg_scale"})

    def __init__(self, *, accept: str = "image", **options: Any):
        super().__init__(**options)
        if accept not in ("image", "json"):
            raise ValueError("accept must be 'image' or 'json'")
        self.accept = accept

    def with_options(self, **changes: Any) -> StabilityAdapter:
        changes.setdefault("accept", self.accept)
        return super().with_options(**changes)  # type: ignore[return-value]

    def fields_for(self, model: str) -> frozenset[str]:
        fields = self.provider_fields
        return fields - {"negative_prompt"} if model in NO_NEGATIVE else fields

    def unsupported(self, request: GenerationRequest) -> list[str]:
        missing = super().unsupported(request)
        if "cfg_scale" in request.extras and self.model not in SD3_MODELS:
            missing.append("extras.cfg_scale")  # only the sd3 endpoint takes it
        return sorted(set(missing))

    @property
    def endpoint(self) -> str:
        engine = "sd3" if self.model.startswith("sd3") else self.model
        return f"{self.base_url}{PATH}{engine}"

    def _check(self, request: GenerationRequest) -> None:
        provider = self.generator_id
        if len(request.prompt) > MAX_PROMPT:
            raise InvalidParameter(provider, "prompt", allowed=f"<= {MAX_PROMPT}")
        if request.aspect_ratio is not None and request.aspect_ratio not in ASPECT_RATIOS:
            raise InvalidParameter(provider, "aspect_ratio", allowed=", ".join(ASPECT_RATIOS))
        if request.style is not None and request.style not in STYLE_PRESETS:
            raise InvalidParameter(provider, "style", allowed=", ".join(STYLE_PRESETS))
        if request.seed is not None and not 0 <= request.seed + request.count - 1 <= MAX_SEED:
            raise InvalidParameter(provider, "seed", allowed=f"0-{MAX_SEED}")
        fmt = request.extras.get("output_format")
        if fmt is not None and fmt not in OUTPUT_FORMATS:
            raise InvalidParameter(provider, "output_format", allowed=", ".join(OUTPUT_FORMATS))

    def _fields(self, request: GenerationRequest, seed: int | None) -> dict[str, str]:
        fields = {"prompt": request.prompt, "output_format": "png"}
        if request.negative_prompt and "negative_prompt" in self.supported_fields:
            fields["negative_prompt"] = request.negative_prompt
        if request.aspect_ratio:
            fields["aspect_ratio"] = request.aspect_ratio
        if seed is not None:
            fields["seed"] = str(seed)
        if request.style:
            fields["style_preset"] = request.style
        if "output_format" in request.extras:
            fields["output_format"] = str(request.extras["output_format"])
        if self.model in SD3_MODELS:
            fields["model"] = self.model
            if "cfg_scale" in request.extras:
                fields["cfg_scale"] = str(request.extras["cfg_scale"])
        return fields

    def _generate(
        self,
        request: GenerationRequest,
        key: ApiKey,
        progress: ProgressCallback,
        timings: dict[str, float],
    ) -> list[GeneratedImage]:
        import httpx

        images: list[GeneratedImage] = []
        accept = "image/*" if self.accept == "image" else "application/json"
        headers = {"Authorization": f"Bearer {key.reveal()}", "Accept": accept}
        with httpx.Client(timeout=self.timeouts().httpx()) as client:
            for index in range(request.count):
                seed = None if request.seed is None else request.seed + index
                progress(index / request.count, GENERATING)
                started = self.clock()
                try:
                    # (None, value) parts: httpx builds multipart/form-data without files
                    parts = {k: (None, v) for k, v in self._fields(request, seed).items()}
                    response = send(
                        client,
                        "POST",
                        self.endpoint,
                        provider=self.generator_id,
                        retry_on=lambda r: r.status_code == 429,  # 5xx: never resent
                        idempotent=False,
                        policy=self.retry_policy(),
                        sleep=self.sleep,
                        jitter=self.jitter,
                        files=parts,
                        headers=headers,
                    )
                    if response.status_code != 200:
                        raise self._map_error(response, key)
                    images.append(self._image(response))
                except ApiError as error:
                    error.partial = list(images)
                    raise
                timings[f"image_{index + 1}"] = self.clock() - started
        return images

    def _image(self, response: Any) -> GeneratedImage:
        provider = self.generator_id
        if response.headers.get("content-type", "").startswith("application/json"):
            try:
                body = response.json()
                finish = str(body.get("finish_reason") or "SUCCESS")
                seed = body.get("seed")
                data = base64.b64decode(body["image"], validate=True) if body.get("image") else b""
            except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
                raise MalformedResponse(provider, "JSON without a base64 'image'", True) from None
        else:
            finish = response.headers.get("finish-reason", "SUCCESS")  # missing: trust the bytes
            seed = response.headers.get("seed")
            data = response.content
        finish = finish.strip().upper()
        if finish == "CONTENT_FILTERED":
            raise Moderated(provider, "output", may_have_cost=True)
        if finish != "SUCCESS":
            raise ProviderDown(provider, 200, detail=scrub(finish), may_have_cost=True)
        try:
            seed_used = int(seed) if seed is not None and str(seed).strip() else None
        except ValueError:
            seed_used = None
        return image_from_bytes(provider, data, seed=seed_used)

    def _map_error(self, response: Any, key: ApiKey) -> ApiError:
        status = response.status_code
        name, text = _error_text(response)
        detail = scrub(text, key)
        provider = self.generator_id
        if status == 400 or status == 413 or status == 422:
            return InvalidParameter(provider, "body" if status == 413 else "", detail=detail)
        if status == 401:
            return InvalidKey(provider)
        if status == 402:
            return QuotaExhausted(provider, detail=detail)
        if status == 403:
            if name == "content_moderation" or "moderat" in text.lower():
                return Moderated(provider, "input", detail=detail)
            return InvalidKey(provider, not_allowed=True, detail=detail)
        if status == 404 and self.model != DEFAULT_MODEL:
            return ModelShutDown(provider, self.model, DEFAULT_MODEL, detail=detail)
        if status == 404:  # the default model's endpoint is missing: a wrong base URL
            return MalformedResponse(provider, f"HTTP 404 at {self.endpoint}")
        if status == 429:
            return RateLimited(provider, retry_hint(response.headers), detail=detail)
        return ProviderDown(provider, status, detail=detail)


SPEC = ModelSpec(
    id=GENERATOR_ID,
    family="api",
    title={
        "es": "Stability AI (Stable Image y SD 3.5)",
        "en": "Stability AI (Stable Image and SD 3.5)",
    },
    summary={
        "es": "Los modelos de Stability AI por API: Stable Image Core y Ultra y Stable "
        "Diffusion 3.5. Admiten prompt negativo, semilla, proporción y estilos. Necesita "
        "STABILITY_API_KEY y se paga en créditos por imagen.",
        "en": "Stability AI's models through the API: Stable Image Core and Ultra and Stable "
        "Diffusion 3.5. They take a negative prompt, seed, aspect ratio and style presets. "
        "Needs STABILITY_API_KEY and is paid in credits per image.",
    },
    capabilities=frozenset({"text-to-image"}),
    config_class=HostedConfig,
    factory=StabilityAdapter,
    secrets=StabilityAdapter.secret_names,
)


@hookimpl
def lienzo_register_models(register) -> None:
    register(SPEC)
