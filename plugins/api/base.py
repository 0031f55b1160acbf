"""What the three hosted adapters share: settings, key, budget, the generate() frame.

A provider module subclasses :class:`HostedAdapter`, fills in its constants (one
place per provider: endpoints, models, prices) and implements ``_check`` (local
validation, no network) and ``_generate`` (the HTTP exchange). ``generate`` adds
the rest in a fixed order: validate, find the key, take the budget, call, settle.

Progress callbacks get ``(fraction, code)`` with a code from :data:`PROGRESS_CODES`
(pages translate the codes; adapters never produce learner-facing text there).
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from lienzo.plugins.api.budget import BudgetGuard, BudgetStatus
from lienzo.plugins.api.errors import (
    ApiError,
    InvalidKey,
    InvalidParameter,
    MalformedResponse,
    MissingKey,
)
from lienzo.plugins.api.http import RetryPolicy, Sleep, Timeouts
from lienzo.plugins.api.keys import ApiKey, read_setting, resolve_key
from lienzo.registry.generation import (
    GeneratedImage,
    GenerationRequest,
    GenerationResult,
    ProgressCallback,
)
from lienzo.registry.spec import bounded

# (fraction, code) pairs sent to the progress callback
SENDING, QUEUED, GENERATING, DOWNLOADING, DONE = (
    "sending",
    "queued",
    "generating",
    "downloading",
    "done",
)
PROGRESS_CODES = (SENDING, QUEUED, GENERATING, DOWNLOADING, DONE)


@dataclass(frozen=True)
class ProviderModel:
    """One model a provider offers, as the workflow lists it."""

    id: str
    title: str
    price_usd: float | None = None  # per image at the default size; None: not per image
    price_note: Mapping[str, str] = field(default_factory=dict)  # es/en, how it is billed
    legacy: bool = False  # still callable, but an older generation


@dataclass
class HostedConfig:
    """Network settings of a hosted adapter (bounds checked like every model config)."""

    read_timeout_s: float = bounded(
        120.0, 5.0, 900.0, es="Espera máxima de lectura (s)", en="Read timeout (s)"
    )
    max_retries: int = bounded(4, 0, 8, es="Reintentos", en="Retries")


def sniff_format(data: bytes) -> str | None:
    """The image format from its first bytes: the provider's label is not trusted alone."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def image_from_bytes(
    provider: str,
    data: bytes,
    seed: int | None = None,
    revised_prompt: str | None = None,
    may_have_cost: bool = True,
) -> GeneratedImage:
    found = sniff_format(data)
    if found is None:
        raise MalformedResponse(
            provider, "not a PNG, JPEG or WebP image", may_have_cost=may_have_cost
        )
    return GeneratedImage(data=data, format=found, seed=seed, revised_prompt=revised_prompt)


class HostedAdapter:
    """Base of the OpenAI Images, Stability and Flux adapters (an ImageGenerator)."""

    generator_id: ClassVar[str]
    secret_names: ClassVar[tuple[str, ...]]
    base_url_setting: ClassVar[str]
    model_setting: ClassVar[str]
    default_base_url: ClassVar[str]
    default_model: ClassVar[str]
    models: ClassVar[tuple[ProviderModel, ...]]
    # fields of GenerationRequest this provider applies (count included: looped if needed)
    provider_fields: ClassVar[frozenset[str]]
    allowed_extras: ClassVar[frozenset[str]] = frozenset()
    config_class: ClassVar[type[HostedConfig]] = HostedConfig
    # Stability and Flux make one image per request (count is a loop); OpenAI makes all n
    one_image_per_request: ClassVar[bool] = True

    def __init__(
        self,
        *,
        api_key: str | ApiKey | None = None,
        base_url: str | None = None,
        model: str | None = None,
        session_id: str = "default",
        budget: BudgetGuard | None = None,
        config: HostedConfig | None = None,
        timeouts: Timeouts | None = None,
        sleep: Sleep = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ):
        # a typed key stays in this object only (memory); never written anywhere
        self._typed_key = (
            ApiKey(api_key)
            if isinstance(api_key, str) and api_key.strip()
            else (api_key if isinstance(api_key, ApiKey) else None)
        )
        self.base_url = (
            base_url or read_setting(self.base_url_setting) or self.default_base_url
        ).rstrip("/")
        self.model = model or read_setting(self.model_setting) or self.default_model
        self.session_id = session_id
        self._budget = budget
        self.config = config or self.config_class()
        self._timeouts = timeouts  # None: from config (read timeout) and the defaults
        self.sleep, self.clock, self.jitter = sleep, clock, jitter

    # -- description --------------------------------------------------------------------
    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(model={self.model!r}, base_url={self.base_url!r}, "
            f"key={self.key_source or 'missing'})"
        )

    def with_options(self, **changes: Any) -> HostedAdapter:
        """A copy with some constructor arguments changed (e.g. a typed key, a model)."""
        current: dict[str, Any] = {
            "api_key": self._typed_key,
            "base_url": self.base_url,
            "model": self.model,
            "session_id": self.session_id,
            "budget": self._budget,
            "config": self.config,
            "timeouts": self._timeouts,
            "sleep": self.sleep,
            "clock": self.clock,
            "jitter": self.jitter,
        }
        current.update(changes)
        return type(self)(**current)

    @property
    def supported_fields(self) -> frozenset[str]:
        return self.fields_for(self.model)

    def fields_for(self, model: str) -> frozenset[str]:
        """Fields a given model applies (a provider may differ per model)."""
        return self.provider_fields

    def model_info(self, model: str | None = None) -> ProviderModel | None:
        wanted = model or self.model
        return next((m for m in self.models if m.id == wanted), None)

    def price_per_image(self, request: GenerationRequest | None = None) -> float | None:
        info = self.model_info()
        return info.price_usd if info else None

    def unsupported(self, request: GenerationRequest) -> list[str]:
        """The request's fields this adapter will not apply, for the learner to see."""
        fields = self.supported_fields
        missing = sorted(name for name in request.used_fields() - {"extras"} if name not in fields)
        for name in sorted(request.extras):
            if "extras" not in fields or name not in self.allowed_extras:
                missing.append(f"extras.{name}")
        return missing

    # -- key and budget -----------------------------------------------------------------
    def _key(self) -> ApiKey | None:
        return resolve_key(self.secret_names, self._typed_key)

    @property
    def has_key(self) -> bool:
        return self._key() is not None

    @property
    def key_source(self) -> str | None:
        """ "session", "environment", "secrets", or None when no key is available."""
        key = self._key()
        return key.source if key else None

    @property
    def budget(self) -> BudgetGuard:
        return self._budget if self._budget is not None else BudgetGuard.from_settings()

    def budget_status(self) -> BudgetStatus:
        return self.budget.status(self.session_id)

    # -- timing helpers -----------------------------------------------------------------
    def timeouts(self) -> Timeouts:
        return self._timeouts or Timeouts(read=float(self.config.read_timeout_s))

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(max_retries=int(self.config.max_retries))

    # -- the generation frame -----------------------------------------------------------
    def generate(
        self, request: GenerationRequest, progress: ProgressCallback | None = None
    ) -> GenerationResult:
        report = progress or (lambda fraction, code: None)
        self._check_common(request)
        self._check(request)
        key = self._key()
        if key is None:
            raise MissingKey(self.generator_id, self.secret_names)
        value = key.reveal()
        if not value.isascii() or not value.isprintable() or any(c.isspace() for c in value):
            # a pasted key with a smart quote or a line break: no provider issues those,
            # and it would not even fit in an HTTP header
            raise InvalidKey(self.generator_id)
        unsupported = self.unsupported(request)
        count = max(1, request.count)
        reservation = self.budget.reserve(self.session_id, count, self.generator_id)
        started = self.clock()
        timings: dict[str, float] = {}
        try:
            images = self._generate(request, key, report, timings)
        except ApiError as error:
            # keep counted what was (or may have been) billed, give back the rest
            done = len(error.partial)
            in_flight = 1 if self.one_image_per_request else count
            reservation.settle(min(count, done + in_flight) if error.may_have_cost else done)
            raise
        reservation.settle(len(images))
        report(1.0, DONE)
        price = self.price_per_image(request)
        return GenerationResult(
            images=images,
            provider=self.generator_id,
            model=self.model,
            unsupported_fields=unsupported,
            cost_estimate_usd=None if price is None else round(price * len(images), 4),
            seconds=self.clock() - started,
            timings=timings,
        )

    def _check_common(self, request: GenerationRequest) -> None:
        if not request.prompt or not request.prompt.strip():
            raise InvalidParameter(
                self.generator_id, "prompt", allowed="texto no vacío / non-empty text"
            )
        if request.count < 1 or request.count > 10:
            raise InvalidParameter(self.generator_id, "count", allowed="1-10")
        if not self.base_url.startswith(("http://", "https://")):
            raise InvalidParameter(
                self.generator_id, self.base_url_setting, allowed="http(s)://host[:port]"
            )

    # -- provider hooks -----------------------------------------------------------------
    def _check(self, request: GenerationRequest) -> None:
        """Validate what can be checked without the network (raise InvalidParameter)."""

    def _generate(
        self,
        request: GenerationRequest,
        key: ApiKey,
        progress: ProgressCallback,
        timings: dict[str, float],
    ) -> list[GeneratedImage]:
        raise NotImplementedError


def replace_config(config: HostedConfig, **changes: Any) -> HostedConfig:
    return dataclasses.replace(config, **changes)
