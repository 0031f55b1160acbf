"""Black Forest Labs (Flux) as a Lienzo generator: submit a task, then poll it.

``POST {base}/v1/{model}`` with the key in ``x-key`` answers ``{id, polling_url}``.
``GET polling_url`` (used exactly as given: it may be on another host of the
provider) until a terminal status; ``Ready`` carries ``result.sample``, a signed URL
valid for minutes that is downloaded at once (without the key: it is not the API's
host). The poll loop is bounded in time and reports progress.

Safety of retries: the submit is billed once accepted, so after a 5xx or a read
timeout it is never resent; a 429 (too many active tasks) is, and polls are GETs.
Settings: ``BFL_API_KEY``, ``LIENZO_FLUX_BASE_URL``, ``LIENZO_FLUX_MODEL``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from lienzo.plugins.api.base import (
    DOWNLOADING,
    GENERATING,
    QUEUED,
    SENDING,
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
    ResultExpired,
    Timeout,
)
from lienzo.plugins.api.http import retry_hint, send
from lienzo.plugins.api.keys import ApiKey, scrub
from lienzo.registry.generation import GeneratedImage, GenerationRequest, ProgressCallback
from lienzo.registry.hookspecs import hookimpl
from lienzo.registry.spec import ModelSpec, bounded

GENERATOR_ID = "flux"
DEFAULT_BASE_URL = "https://api.bfl.ai"
DEFAULT_MODEL = "flux-2-pro"
DEFAULT_SIZE = (1024, 1024)
MEGAPIXEL = 1024 * 1024
FLUX2_MAX_PIXELS = 4 * MEGAPIXEL
ULTRA_MODELS = frozenset({"flux-pro-1.1-ultra"})  # take aspect_ratio, not width/height
FLEX_MODELS = frozenset({"flux-2-flex"})  # take steps and guidance
ULTRA_RATIOS = ("21:9", "16:9", "3:2", "4:3", "1:1", "3:4", "2:3", "9:16", "9:21")
OUTPUT_FORMATS = ("jpeg", "png")
PENDING, READY = "Pending", "Ready"
REQUEST_MODERATED, CONTENT_MODERATED = "Request Moderated", "Content Moderated"
ERROR, TASK_NOT_FOUND = "Error", "Task not found"


def _per_mp_note(first: float, extra: float) -> dict[str, str]:
    first_es, extra_es = (f"{v * 100:g}".replace(".", ",") for v in (first, extra))
    return {
        "es": f"Por megapíxel: {first_es} céntimos el primero y {extra_es} cada "
        "megapíxel más (1024x1024 = 1 MP).",
        "en": f"Per megapixel: {first * 100:g} cents for the first and {extra * 100:g} for each "
        "further megapixel (1024x1024 = 1 MP).",
    }


_UNPUBLISHED = {
    "es": "Precio no publicado en las notas de Lienzo.",
    "en": "Price not published in Lienzo's notes.",
}

MODELS = (
    ProviderModel("flux-2-pro", "FLUX.2 [pro]", 0.03, _per_mp_note(0.03, 0.015)),
    ProviderModel("flux-2-max", "FLUX.2 [max]", None, _UNPUBLISHED),
    ProviderModel("flux-2-flex", "FLUX.2 [flex]", None, _UNPUBLISHED),
    ProviderModel("flux-2-klein-4b", "FLUX.2 [klein] 4B", None, _UNPUBLISHED),
    ProviderModel("flux-2-klein-9b", "FLUX.2 [klein] 9B", None, _UNPUBLISHED),
    ProviderModel("flux-pro-1.1", "FLUX1.1 [pro]", 0.04,
                  {"es": "0,04 $ por imagen.", "en": "$0.04 per image."}, legacy=True),
    ProviderModel("flux-pro-1.1-ultra", "FLUX1.1 [pro] Ultra", None, _UNPUBLISHED, legacy=True),
    ProviderModel("flux-dev", "FLUX.1 [dev]", None, _UNPUBLISHED, legacy=True),
)  # fmt: skip


@dataclass
class FluxConfig(HostedConfig):
    read_timeout_s: float = bounded(60.0, 5.0, 900.0, es="Espera máxima de lectura (s)",
                                    en="Read timeout (s)")  # fmt: skip
    poll_timeout_s: float = bounded(300.0, 10.0, 1800.0, es="Espera máxima de la tarea (s)",
                                    en="Task time limit (s)")  # fmt: skip
    poll_interval_s: float = bounded(0.5, 0.1, 10.0, es="Intervalo de consulta (s)",
                                     en="Poll interval (s)")  # fmt: skip


def _is_flux2(model: str) -> bool:
    return model.startswith("flux-2")


def _ratio_size(ratio: str) -> tuple[int, int]:
    """About one megapixel at ``ratio`` ("16:9"), both sides multiples of 16."""
    w, h = (float(part) for part in ratio.split(":"))
    scale = math.sqrt(MEGAPIXEL / (w * h))
    return int(round(w * scale / 16) * 16), int(round(h * scale / 16) * 16)


def _json(response: Any) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _detail(response: Any, key: ApiKey) -> str:
    """Text of a BFL error body: ``{"detail": "..."}`` or a 422 list of field problems."""
    body = _json(response) or {}
    detail = body.get("detail", "")
    if isinstance(detail, list):
        detail = "; ".join(
            f"{'.'.join(str(p) for p in item.get('loc', [])[1:])}: {item.get('msg', '')}"
            if isinstance(item, dict) else str(item)
            for item in detail
        )  # fmt: skip
    return scrub(str(detail), key)


class FluxAdapter(HostedAdapter):
    """Submit, poll ``polling_url`` until a terminal status, download ``result.sample``."""

    generator_id = GENERATOR_ID
    secret_names = ("BFL_API_KEY",)
    base_url_setting = "LIENZO_FLUX_BASE_URL"
    model_setting = "LIENZO_FLUX_MODEL"
    default_base_url = DEFAULT_BASE_URL
    default_model = DEFAULT_MODEL
    models = MODELS
    provider_fields = frozenset({"prompt", "seed", "size", "aspect_ratio", "count", "extras"})
    allowed_extras = frozenset({"output_format", "safety_tolerance", "steps", "guidance"})
    config_class = FluxConfig

    def unsupported(self, request: GenerationRequest) -> list[str]:
        missing = super().unsupported(request)
        if self.model not in FLEX_MODELS:
            missing += [f"extras.{n}" for n in ("steps", "guidance") if n in request.extras]
        if request.size and request.aspect_ratio:
            missing.append("aspect_ratio")  # the size wins
        if self.model in ULTRA_MODELS and request.size:
            missing.append("size")  # ultra takes an aspect ratio only
        return sorted(set(missing))

    def _size(self, request: GenerationRequest) -> tuple[int, int]:
        if request.size:
            w, _, h = request.size.lower().partition("x")
            return int(w), int(h)
        if request.aspect_ratio:
            return _ratio_size(request.aspect_ratio)
        return DEFAULT_SIZE

    def price_per_image(self, request: GenerationRequest | None = None) -> float | None:
        info = self.model_info()
        if info is None or info.price_usd is None:
            return None
        if self.model == "flux-2-pro" and request is not None:
            w, h = self._size(request)
            extra = max(0, math.ceil(w * h / MEGAPIXEL) - 1)
            return round(0.03 + 0.015 * extra, 4)
        return info.price_usd

    def _check(self, request: GenerationRequest) -> None:
        provider = self.generator_id
        if request.aspect_ratio is not None:
            parts = request.aspect_ratio.split(":")
            if len(parts) != 2 or not all(p.isdigit() and int(p) > 0 for p in parts):
                raise InvalidParameter(provider, "aspect_ratio", allowed=", ".join(ULTRA_RATIOS))
        if request.size:
            w, sep, h = request.size.lower().partition("x")
            if not (sep and w.isdigit() and h.isdigit()):
                raise InvalidParameter(provider, "size", allowed="WxH, e.g. 1024x768")
        if self.model in ULTRA_MODELS:
            if request.aspect_ratio and request.aspect_ratio not in ULTRA_RATIOS:
                raise InvalidParameter(provider, "aspect_ratio", allowed=", ".join(ULTRA_RATIOS))
        elif request.size:
            w, h = self._size(request)
            if _is_flux2(self.model):
                if w % 16 or h % 16 or w < 64 or h < 64 or w * h > FLUX2_MAX_PIXELS:
                    raise InvalidParameter(
                        provider, "size", allowed="multiples of 16, 64 px or more, up to 4 MP"
                    )
            elif not (256 <= w <= 1440 and 256 <= h <= 1440 and w % 32 == 0 and h % 32 == 0):
                raise InvalidParameter(provider, "size", allowed="256-1440, multiples of 32")
        if request.seed is not None and request.seed < 0:
            raise InvalidParameter(provider, "seed", allowed=">= 0")
        fmt = request.extras.get("output_format")
        if fmt is not None and fmt not in OUTPUT_FORMATS:
            raise InvalidParameter(provider, "output_format", allowed=", ".join(OUTPUT_FORMATS))

    def _body(self, request: GenerationRequest, seed: int | None) -> dict[str, Any]:
        body: dict[str, Any] = {"prompt": request.prompt, "output_format": "png"}
        if self.model in ULTRA_MODELS:
            if request.aspect_ratio:
                body["aspect_ratio"] = request.aspect_ratio
        else:
            body["width"], body["height"] = self._size(request)
        if seed is not None:
            body["seed"] = seed
        allowed = set(self.allowed_extras) - (set() if self.model in FLEX_MODELS else
                                              {"steps", "guidance"})  # fmt: skip
        body.update({k: v for k, v in request.extras.items() if k in allowed})
        return body  # the API's schema is strict: only fields it knows

    # -- the exchange ---------------------------------------------------------------------
    def _generate(
        self,
        request: GenerationRequest,
        key: ApiKey,
        progress: ProgressCallback,
        timings: dict[str, float],
    ) -> list[GeneratedImage]:
        import httpx

        images: list[GeneratedImage] = []
        with httpx.Client(timeout=self.timeouts().httpx()) as client:
            for index in range(request.count):
                seed = None if request.seed is None else request.seed + index

                def step(fraction: float, code: str, index: int = index) -> None:
                    progress((index + fraction) / request.count, code)

                try:
                    images.append(self._one(client, request, seed, key, step, timings, index))
                except ApiError as error:
                    error.partial = list(images)
                    raise
        return images

    def _one(self, client, request, seed, key, step, timings, index) -> GeneratedImage:
        suffix = f"_{index + 1}" if request.count > 1 else ""
        step(0.02, SENDING)
        started = self.clock()
        polling_url = self._submit(client, request, seed, key)
        timings["submit" + suffix] = self.clock() - started
        started = self.clock()
        sample_url, seed_used = self._poll(client, polling_url, key, step)
        timings["poll" + suffix] = self.clock() - started
        step(0.92, DOWNLOADING)
        started = self.clock()
        data = self._download(client, sample_url)
        timings["download" + suffix] = self.clock() - started
        if seed_used is None:
            seed_used = seed
        return image_from_bytes(self.generator_id, data, seed=seed_used)

    def _submit(self, client: Any, request: GenerationRequest, seed: int | None, key: ApiKey):
        provider = self.generator_id
        response = send(
            client,
            "POST",
            f"{self.base_url}/v1/{self.model}",
            provider=provider,
            retry_on=lambda r: r.status_code == 429,  # too many active tasks: not billed
            idempotent=False,  # after a 5xx or a read timeout it may be billed: never resent
            policy=self.retry_policy(),
            sleep=self.sleep,
            jitter=self.jitter,
            json=self._body(request, seed),
            headers={"x-key": key.reveal(), "accept": "application/json"},
        )
        status = response.status_code
        if status == 200:
            body = _json(response)
            url = body.get("polling_url") if body else None
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                raise MalformedResponse(provider, "submit answer without 'polling_url'", True)
            return url
        raise self._submit_error(response, key)

    def _submit_error(self, response: Any, key: ApiKey) -> ApiError:
        provider, status = self.generator_id, response.status_code
        detail = _detail(response, key)
        if status in (401, 403):
            return InvalidKey(provider, not_allowed=status == 403, detail=detail)
        if status == 402:
            return QuotaExhausted(provider, detail=detail)
        if status == 404 and self.model != DEFAULT_MODEL:
            return ModelShutDown(provider, self.model, DEFAULT_MODEL, detail=detail)
        if status == 404:  # the default model's endpoint is missing: a wrong base URL
            return MalformedResponse(provider, f"HTTP 404 at {self.base_url}/v1/{self.model}")
        if status in (400, 422):
            return InvalidParameter(provider, detail=detail)
        if status == 429:
            return RateLimited(provider, retry_hint(response.headers), detail=detail)
        # a 5xx after the POST arrived: it may have been billed, and it is not resent
        return ProviderDown(provider, status, detail=detail, may_have_cost=True)

    def _poll(self, client: Any, polling_url: str, key: ApiKey, step) -> tuple[str, int | None]:
        """Poll until Ready (returns the sample URL and seed) or a terminal failure."""
        provider = self.generator_id
        config = self.config
        deadline = self.clock() + float(config.poll_timeout_s)
        interval = float(config.poll_interval_s)
        while True:
            response = send(
                client,
                "GET",
                polling_url,  # exactly as given, never rebuilt from the id
                provider=provider,
                retry_on=lambda r: r.status_code == 429 or r.status_code >= 500,
                idempotent=True,
                policy=self.retry_policy(),
                sleep=self.sleep,
                jitter=self.jitter,
                headers={"x-key": key.reveal(), "accept": "application/json"},
            )
            if response.status_code in (401, 403):
                raise InvalidKey(provider, not_allowed=response.status_code == 403)
            if response.status_code == 404:
                raise ResultExpired(provider)
            if response.status_code != 200:
                raise ProviderDown(provider, response.status_code, may_have_cost=True)
            body = _json(response)
            if body is None or "status" not in body:
                raise MalformedResponse(provider, "poll answer without 'status'", True)
            status = str(body["status"])
            if status == READY:
                return self._sample(body)
            if status == REQUEST_MODERATED:
                raise Moderated(provider, "input", may_have_cost=True)
            if status == CONTENT_MODERATED:
                raise Moderated(provider, "output", may_have_cost=True)
            if status == ERROR:
                details = scrub(str(body.get("details") or ""))
                raise ProviderDown(provider, detail=details, may_have_cost=True)
            if status == TASK_NOT_FOUND:
                raise ResultExpired(provider)
            if status != PENDING:
                shown = scrub(status, limit=40)
                raise MalformedResponse(provider, f"unknown task status '{shown}'", True)
            code = QUEUED if body.get("progress") is None else GENERATING
            step(0.1 + 0.8 * self._fraction(body), code)
            if self.clock() + interval > deadline:
                raise Timeout(provider, float(config.poll_timeout_s), may_have_cost=True)
            self.sleep(interval)
            interval = min(interval * 1.5, 2.0)  # gentle: many learners poll at once

    @staticmethod
    def _fraction(body: dict[str, Any]) -> float:
        value = body.get("progress")
        if not isinstance(value, int | float) or isinstance(value, bool):
            return 0.0
        value = value / 100 if value > 1 else value  # some answers count in percent
        return min(max(float(value), 0.0), 1.0)

    def _sample(self, body: dict[str, Any]) -> tuple[str, int | None]:
        result = body.get("result")
        sample = result.get("sample") if isinstance(result, dict) else None
        if not isinstance(sample, str) or not sample.startswith(("http://", "https://")):
            raise MalformedResponse(self.generator_id, "Ready without 'result.sample'", True)
        seed = result.get("seed")
        return sample, seed if isinstance(seed, int) and not isinstance(seed, bool) else None

    def _download(self, client: Any, url: str) -> bytes:
        """Fetch the signed sample URL at once; it is on a delivery host: no key sent."""
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


SPEC = ModelSpec(
    id=GENERATOR_ID,
    family="api",
    title={"es": "Flux (Black Forest Labs)", "en": "Flux (Black Forest Labs)"},
    summary={
        "es": "Los modelos FLUX.2 de Black Forest Labs por API: se envía la tarea y se consulta "
        "hasta que la imagen está lista. Admite semilla y tamaño; no tiene prompt negativo. "
        "Necesita BFL_API_KEY y se paga por megapíxel.",
        "en": "Black Forest Labs' FLUX.2 models through the API: the task is submitted and "
        "polled until the image is ready. Takes a seed and a size; no negative prompt. "
        "Needs BFL_API_KEY and is paid per megapixel.",
    },
    capabilities=frozenset({"text-to-image"}),
    config_class=FluxConfig,
    factory=FluxAdapter,
    secrets=FluxAdapter.secret_names,
)


@hookimpl
def lienzo_register_models(register) -> None:
    register(SPEC)
