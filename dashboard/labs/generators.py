"""The generators the workflow can use, and the requests it sends them.

Every generator comes from the registry (capability ``text-to-image``) and is driven
through :mod:`lienzo.registry.generation` only. A generator whose spec declares
``secrets`` is hosted: it needs a key (environment, ``st.secrets``, or typed by the
learner for this session), and may have a budget of paid generations. The hosted
adapters' own helpers (``with_options``, ``has_key``, ``budget_status``) are used when
the object offers them; anything else is treated as a plain ImageGenerator.
No streamlit here.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lienzo.dashboard.labs.errors import bilingual
from lienzo.registry.generation import GenerationRequest, ImageGenerator
from lienzo.registry.spec import ModelSpec

CAPABILITY = "text-to-image"
MAX_VARIANTS = 4
SEED_LIMIT = 4_294_967_294  # Stability's largest seed; the others accept less or ignore it

# Sizes for generators that take "WxH" but not an aspect ratio (multiples of 16, about
# one megapixel: what the current hosted models accept and bill as one image).
ASPECT_SIZES = {
    "1:1": "1024x1024",
    "3:2": "1536x1024",
    "2:3": "1024x1536",
    "16:9": "1536x864",
    "9:16": "864x1536",
}


@dataclass(frozen=True)
class GeneratorStatus:
    """What the page shows about one generator before anything is generated."""

    id: str
    title: Mapping[str, str]
    hosted: bool
    secrets: tuple[str, ...]  # env / st.secrets names of the key (hosted only)
    key_source: str | None  # "session", "environment", "secrets" or None
    model: str
    supported_fields: frozenset[str]
    budget_left: int | None = None  # None: no limit configured (or not hosted)
    budget_limited: bool = False
    price_usd: float | None = None  # per image, where the provider publishes one
    problem: Mapping[str, str] | None = None  # could not be built or asked (es/en)

    @property
    def ready(self) -> bool:
        return self.problem is None and (not self.hosted or self.key_source is not None)


def specs(registry: Any) -> list[ModelSpec]:
    """Text-to-image generators, local ones first (they need no key), then by id."""
    found = registry.list(capability=CAPABILITY)
    return sorted(found, key=lambda spec: (bool(spec.secrets), spec.id))


def is_hosted(spec: ModelSpec) -> bool:
    return bool(spec.secrets)


def build_hosted(spec: ModelSpec, typed_key: str | None, session_id: str) -> Any:
    """A hosted adapter for this session: the learner's typed key lives in it, in memory."""
    adapter = spec.factory()
    if hasattr(adapter, "with_options"):
        adapter = adapter.with_options(api_key=typed_key or None, session_id=session_id)
    return adapter


def _key_source(spec: ModelSpec, generator: Any, typed_key: str | None) -> str | None:
    if hasattr(generator, "key_source"):
        return generator.key_source
    # A third-party adapter without the helpers: the key is typed, or in the environment.
    if typed_key:
        return "session"
    return "environment" if any(os.environ.get(name) for name in spec.secrets) else None


def describe(spec: ModelSpec, generator: Any, typed_key: str | None = None) -> GeneratorStatus:
    """Everything the page says about a generator, asked without any network call."""
    hosted = is_hosted(spec)
    status = GeneratorStatus(
        id=spec.id,
        title=spec.title,
        hosted=hosted,
        secrets=tuple(spec.secrets),
        key_source=_key_source(spec, generator, typed_key) if hosted else None,
        # a local model's "model" attribute may be its network, not a name
        model=name if isinstance(name := getattr(generator, "model", None), str) else spec.id,
        supported_fields=frozenset(getattr(generator, "supported_fields", {"prompt"})),
    )
    if not hosted:
        return status
    changes: dict[str, Any] = {}
    try:
        if hasattr(generator, "budget_status"):
            budget = generator.budget_status()
            changes.update(budget_left=budget.left, budget_limited=bool(budget.limited))
        if hasattr(generator, "price_per_image"):
            changes["price_usd"] = generator.price_per_image()
    except Exception as error:  # noqa: BLE001 - a bad budget setting must not hide the page
        changes["problem"] = messages_for(error)
    return dataclasses.replace(status, **changes)


def failed_status(spec: ModelSpec, error: BaseException) -> GeneratorStatus:
    """A generator whose object could not be built (missing weights, broken plugin)."""
    return GeneratorStatus(
        id=spec.id,
        title=spec.title,
        hosted=is_hosted(spec),
        secrets=tuple(spec.secrets),
        key_source=None,
        model=spec.id,
        supported_fields=frozenset(),
        problem=messages_for(error),
    )


def request_for(
    supported: Iterable[str],
    prompt: str,
    negative_prompt: str,
    aspect_ratio: str,
    seed: int | None,
) -> GenerationRequest:
    """One request in the form this generator understands best.

    The aspect ratio goes as ``aspect_ratio`` where supported, else as a ``size``; a
    generator with neither still gets the aspect ratio, so it is reported as not applied.
    """
    fields = set(supported)
    size, aspect = None, aspect_ratio
    if "aspect_ratio" not in fields and "size" in fields:
        size, aspect = ASPECT_SIZES.get(aspect_ratio, "1024x1024"), None
    return GenerationRequest(
        prompt=prompt,
        negative_prompt=negative_prompt,
        size=size,
        aspect_ratio=aspect,
        seed=seed,
    )


def variants(request: GenerationRequest, count: int, seed_base: int) -> list[GenerationRequest]:
    """``count`` one-image requests with seeds ``seed_base + i`` (reproducible variants)."""
    count = max(1, min(MAX_VARIANTS, count))
    return [
        dataclasses.replace(request, seed=(seed_base + i) % (SEED_LIMIT + 1), count=1)
        for i in range(count)
    ]


def not_applied(generator: ImageGenerator, request: GenerationRequest) -> list[str]:
    """Fields of ``request`` this generator will ignore, known before generating."""
    if hasattr(generator, "unsupported"):
        return list(generator.unsupported(request))
    return sorted(request.used_fields() - set(generator.supported_fields) - {"count"})


def messages_for(error: BaseException) -> dict[str, str]:
    """The learner's message for any failure: the error's own es/en text when it has one
    (adapter errors, ConfigError, LabError), else one of ours."""
    own = getattr(error, "messages", None)
    if isinstance(own, Mapping) and own.get("es") and own.get("en"):
        return {"es": str(own["es"]), "en": str(own["en"])}
    if isinstance(error, TimeoutError):
        return bilingual("project.error_timeout")
    if isinstance(error, ImportError | ModuleNotFoundError):
        return bilingual("project.error_missing_dependency", detail=str(error))
    return bilingual("project.error_generator_failed", detail=f"{type(error).__name__}: {error}")


def redactor(secrets: Iterable[str]) -> Callable[[str], str]:
    """A function that blanks every known key value out of a text before it is saved.

    Keys never reach the gallery by design (no field holds one); this also covers a
    learner who pastes a key into a prompt by mistake.
    """
    values = sorted({s for s in secrets if s and len(s) >= 8}, key=len, reverse=True)

    def redact(text: str) -> str:
        for value in values:
            text = text.replace(value, "***")
        return text

    return redact


def known_secret_values(specs_: Iterable[ModelSpec], typed: Mapping[str, str]) -> list[str]:
    """Every key value this process could use: typed ones and the configured settings."""
    try:  # the hosted adapters' reader also looks in st.secrets
        from lienzo.plugins.api.keys import read_setting
    except ImportError:

        def read_setting(name: str) -> str | None:
            return os.environ.get(name)

    found = [v for v in typed.values() if v]
    for spec in specs_:
        found += [value for name in spec.secrets if (value := read_setting(name))]
    return found
