"""OpenAI Images (the DALL·E line, now GPT image models) as a Lienzo generator.

Everything that changes when OpenAI changes the API lives in the constants below.
``POST {base}/v1/images/generations`` with JSON and a Bearer key; GPT image models
always answer base64 (``response_format`` is sent only to DALL·E models, which a
self-hosted gateway may still serve). No seed and no negative prompt: asked for,
they are listed as not applied. Settings: ``OPENAI_API_KEY``,
``LIENZO_OPENAI_BASE_URL`` (with or without the trailing ``/v1``),
``LIENZO_OPENAI_MODEL``.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from lienzo.plugins.api.base import (
    DOWNLOADING,
    SENDING,
    HostedAdapter,
    HostedConfig,
    ProviderModel,
    image_from_bytes,
)
from lienzo.plugins.api.errors import (
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
from lienzo.registry.spec import ModelSpec, bounded

GENERATOR_ID = "openai-images"
DEFAULT_BASE_URL = "https://api.openai.com"
PATH = "/v1/images/generations"
CURRENT_MODEL = "gpt-image-2"
MAX_PROMPT = 32000
SIZES = ("auto", "1024x1024", "1536x1024", "1024x1536")  # gpt-image-2: any WxH, multiples of 16
ASPECT_SIZES = {"1:1": "1024x1024", "3:2": "1536x1024", "2:3": "1024x1536"}
EXTRAS = frozenset({"quality", "output_format", "output_compression", "background", "moderation"})
# Models OpenAI has shut down, with the date (taught as history on the lesson page).
SHUT_DOWN = {
    "dall-e-2": "2026-05-12",
    "dall-e-3": "2026-05-12",
    "gpt-image-1": "2026-10-23",
    "gpt-image-1-mini": "2026-12-01",
    "gpt-image-1.5": "2026-12-01",
    "chatgpt-image-latest": "2026-12-01",
}
MODERATION_CODES = {"content_policy_violation", "moderation_blocked"}
QUOTA_CODES = {"insufficient_quota", "billing_hard_limit_reached", "billing_not_active"}
RETRY_STATUSES = {408, 409, 429}

MODELS = (
    ProviderModel(
        CURRENT_MODEL,
        "GPT Image 2",
        price_usd=None,
        price_note={
            "es": "Se cobra por tokens (texto de entrada e imagen de salida); la calidad y "
            "el tamaño cambian el precio. Como referencia, gpt-image-1 costaba 0,011 / "
            "0,042 / 0,167 $ por imagen de 1024x1024 en calidad baja / media / alta.",
            "en": "Billed per token (input text and output image); quality and size change "
            "the price. For reference, gpt-image-1 cost $0.011 / $0.042 / $0.167 per "
            "1024x1024 image at low / medium / high quality.",
        },
    ),
)


@dataclass
class OpenAIImagesConfig(HostedConfig):
    # high quality images can take over two minutes: a generous read timeout
    read_timeout_s: float = bounded(
        360.0, 5.0, 900.0, es="Espera máxima de lectura (s)", en="Read timeout (s)"
    )


def _error_fields(response: Any) -> tuple[str, str, str, str]:
    """(code, type, param, message) of an OpenAI error body; empty strings if absent."""
    try:
        body = response.json()
    except ValueError:
        return "", "", "", ""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return "", "", "", ""
    return tuple(str(error.get(name) or "") for name in ("code", "type", "param", "message"))


def _should_retry(response: Any) -> bool:
    # the server may say so itself, as the official client honours
    should = response.headers.get("x-should-retry", "").lower()
    if should in ("true", "false"):
        return should == "true"
    status = response.status_code
    if status == 429:
        code, kind, _, _ = _error_fields(response)
        return code not in QUOTA_CODES and kind not in QUOTA_CODES  # no credits: waiting won't help
    return status in RETRY_STATUSES or status >= 500


class OpenAIImagesAdapter(HostedAdapter):
    """``POST /v1/images/generations``; n images per request; base64 or URL results."""

    generator_id = GENERATOR_ID
    secret_names = ("OPENAI_API_KEY",)
    base_url_setting = "LIENZO_OPENAI_BASE_URL"
    model_setting = "LIENZO_OPENAI_MODEL"
    default_base_url = DEFAULT_BASE_URL
    default_model = CURRENT_MODEL
    models = MODELS
    provider_fields = frozenset({"prompt", "size", "aspect_ratio", "count", "extras"})
    allowed_extras = EXTRAS
    config_class: ClassVar[type[HostedConfig]] = OpenAIImagesConfig
    one_image_per_request = False  # n images in one request

    @property
    def endpoint(self) -> str:
        base = self.base_url[: -len("/v1")] if self.base_url.endswith("/v1") else self.base_url
        return base + PATH

    def unsupported(self, request: GenerationRequest) -> list[str]:
        missing = super().unsupported(request)
        if request.size and request.aspect_ratio:  # the size wins; say so
            missing.append("aspect_ratio")
        return sorted(set(missing))

    def _size(self, request: GenerationRequest) -> str | None:
        if request.size:
            return request.size
        if request.aspect_ratio:
            return ASPECT_SIZES[request.aspect_ratio]
        return None

    def _check(self, request: GenerationRequest) -> None:
        if len(request.prompt) > MAX_PROMPT:
            raise InvalidParameter(self.generator_id, "prompt", allowed=f"<= {MAX_PROMPT}")
        if (
            request.size
            and request.size != "auto"
            and not re.fullmatch(r"\d{2,5}x\d{2,5}", request.size)
        ):
            raise InvalidParameter(self.generator_id, "size", allowed=", ".join(SIZES))
        if not request.size and request.aspect_ratio and request.aspect_ratio not in ASPECT_SIZES:
            raise InvalidParameter(
                self.generator_id, "aspect_ratio", allowed=", ".join(ASPECT_SIZES)
            )

    def _body(self, request: GenerationRequest) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "prompt": request.prompt, "n": request.count}
        size = self._size(request)
        if size:
            body["size"] = size
        body.update({k: v for k, v in request.extras.items() if k in EXTRAS})
        if self.model.startswith("dall-e"):
            body["response_format"] = "b64_json"  # GPT image models reject this field
        return body

    def _generate(
        self,
        request: GenerationRequest,
        key: ApiKey,
        progress: ProgressCallback,
        timings: dict[str, float],
    ) -> list[GeneratedImage]:
        import httpx

        progress(0.05, SENDING)  # one synchronous request: the wait is the generation
        started = self.clock()
        with httpx.Client(timeout=self.timeouts().httpx()) as client:
            response = send(
                client,
                "POST",
                self.endpoint,
                provider=self.generator_id,
                retry_on=_should_retry,
                idempotent=False,
                policy=self.retry_policy(),
                sleep=self.sleep,
                jitter=self.jitter,
                json=self._body(request),
                headers={"Authorization": f"Bearer {key.reveal()}"},
            )
            timings["request"] = self.clock() - started
            if response.status_code != 200:
                raise self._map_error(response, key)
            images = self._images(response, client, key, progress)
            timings["total"] = self.clock() - started
        return images

    def _images(self, response: Any, client: Any, key: ApiKey, progress: ProgressCallback):
        try:
            body = response.json()
        except ValueError:
            raise MalformedResponse(self.generator_id, "body is not JSON", True) from None
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list) or not data:
            raise MalformedResponse(self.generator_id, "no 'data' list", True)
        images: list[GeneratedImage] = []
        for item in data:
            if not isinstance(item, dict):
                raise MalformedResponse(
                    self.generator_id, "an item of 'data' is not an object", True
                )
            revised = item.get("revised_prompt") or None
            if item.get("b64_json"):
                try:
                    raw = base64.b64decode(item["b64_json"], validate=True)
                except (binascii.Error, ValueError, TypeError):
                    raise MalformedResponse(
                        self.generator_id, "b64_json is not base64", True
                    ) from None
            elif item.get("url"):
                progress(0.9, DOWNLOADING)
                raw = self._download(client, str(item["url"]))
            else:
                raise MalformedResponse(
                    self.generator_id, "an image has neither b64_json nor url", True
                )
            images.append(image_from_bytes(self.generator_id, raw, revised_prompt=revised))
        return images

    def _download(self, client: Any, url: str) -> bytes:
        """A DALL·E-style result URL (expires after about an hour): fetched at once, no key."""
        from lienzo.plugins.api.errors import ResultExpired

        response = send(
            client,
            "GET",
            url,
            provider=self.generator_id,
            retry_on=lambda r: r.status_code == 429 or r.status_code >= 500,
            idempotent=True,
            policy=self.retry_policy(),
            sleep=self.sleep,
            jitter=self.jitter,
        )
        if response.status_code in (403, 404, 410):
            raise ResultExpired(self.generator_id)
        if response.status_code != 200:
            raise ProviderDown(self.generator_id, response.status_code, may_have_cost=True)
        return response.content

    def _map_error(self, response: Any, key: ApiKey) -> Exception:
        status = response.status_code
        code, kind, param, message = _error_fields(response)
        detail = scrub(message, key)
        provider = self.generator_id
        gone_words = re.search(r"not exist|not found|shut ?down|deprecat|retired", message, re.I)
        model_gone = code == "model_not_found" or bool(
            gone_words and (param == "model" or self.model in message)
        )
        if code in MODERATION_CODES:
            return Moderated(provider, "input", detail=detail)
        if code in QUOTA_CODES or kind in QUOTA_CODES:
            return QuotaExhausted(provider, detail=detail)
        if model_gone or (status == 404 and "model" in message.lower()):
            return ModelShutDown(
                provider, self.model, CURRENT_MODEL, SHUT_DOWN.get(self.model, ""), detail=detail
            )
        if status == 401:
            return InvalidKey(provider)  # OpenAI quotes part of the key here: not passed on
        if status == 403:
            return InvalidKey(provider, not_allowed=True, detail=detail)
        if status == 429:
            return RateLimited(provider, retry_hint(response.headers), detail=detail)
        if status in (400, 413, 422):
            return InvalidParameter(provider, param, detail=detail)
        if status == 404:
            return MalformedResponse(provider, f"HTTP 404 at {self.endpoint}")
        return ProviderDown(provider, status, detail=detail)


SPEC = ModelSpec(
    id=GENERATOR_ID,
    family="api",
    title={"es": "OpenAI Images (GPT Image)", "en": "OpenAI Images (GPT Image)"},
    summary={
        "es": "Generador de imágenes de OpenAI por API (modelo actual gpt-image-2; DALL·E 3 "
        "se retiró en 2026 y se estudia como historia). Necesita OPENAI_API_KEY y cuesta "
        "dinero en cada imagen.",
        "en": "OpenAI's image generator through its API (current model gpt-image-2; DALL·E 3 "
        "was shut down in 2026 and is taught as history). Needs OPENAI_API_KEY and costs "
        "money per image.",
    },
    capabilities=frozenset({"text-to-image"}),
    config_class=OpenAIImagesConfig,
    factory=OpenAIImagesAdapter,
    secrets=OpenAIImagesAdapter.secret_names,
)


@hookimpl
def lienzo_register_models(register) -> None:
    register(SPEC)
