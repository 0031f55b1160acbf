"""The small set of errors every hosted generator maps its failures to.

Each error carries a message in Spanish and English (``messages``, like
``ConfigError.messages``) that a learner understands. Messages name settings
(``OPENAI_API_KEY``) but never contain a key: provider texts are passed through
:func:`lienzo.plugins.api.keys.scrub` before they are quoted.

``may_have_cost`` says whether the provider may already have billed the request
(a read timeout after the POST was sent, a Flux task that was accepted): the budget
guard keeps those generations counted and gives the others back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

PROVIDER_NAMES = {
    "openai-images": "OpenAI Images",
    "stability": "Stability AI",
    "flux": "Black Forest Labs (Flux)",
}


def provider_name(provider: str) -> str:
    return PROVIDER_NAMES.get(provider, provider)


def _with_detail(messages: dict[str, str], detail: str) -> dict[str, str]:
    if not detail:
        return messages
    return {
        "es": f"{messages['es']} Respuesta del proveedor: «{detail}».",
        "en": f"{messages['en']} The provider said: \u201c{detail}\u201d.",
    }


class ApiError(Exception):
    """Base of every hosted-generator failure; ``messages`` holds es/en texts."""

    kind = "api-error"

    def __init__(
        self,
        provider: str,
        messages: Mapping[str, str],
        *,
        detail: str = "",
        may_have_cost: bool = False,
    ):
        self.provider = provider
        self.detail = detail
        self.messages = _with_detail(dict(messages), detail)
        self.may_have_cost = may_have_cost
        # images already made by earlier requests of the same generate() call (Stability
        # and Flux make one image per request): the page may still show them
        self.partial: list = []
        super().__init__(self.messages["en"])

    def message(self, lang: str = "es") -> str:
        """The learner-facing text in ``lang`` (Spanish when the language is unknown)."""
        return self.messages.get(lang, self.messages["es"])

    def __repr__(self) -> str:
        return f"{type(self).__name__}(provider={self.provider!r}, kind={self.kind!r})"


class MissingKey(ApiError):
    kind = "missing-key"

    def __init__(self, provider: str, settings: Sequence[str]):
        self.settings = tuple(settings)
        names = " / ".join(self.settings)
        who = provider_name(provider)
        super().__init__(
            provider,
            {
                "es": f"Falta la clave de API de {who}. Escríbela en la página (solo se usa "
                f"durante esta sesión) o pide a quien administra Lienzo que defina {names} "
                "como variable de entorno o en .streamlit/secrets.toml.",
                "en": f"The {who} API key is missing. Type it on the page (it is used for "
                f"this session only) or ask whoever runs Lienzo to set {names} as an "
                "environment variable or in .streamlit/secrets.toml.",
            },
        )


class InvalidKey(ApiError):
    """401 (wrong or revoked key) or 403 (the key may not use this model)."""

    kind = "invalid-key"

    def __init__(self, provider: str, *, not_allowed: bool = False, detail: str = ""):
        self.not_allowed = not_allowed
        who = provider_name(provider)
        if not_allowed:
            messages = {
                "es": f"{who} reconoce la clave, pero no le permite usar este modelo "
                "(por ejemplo, la organización aún no está verificada). Revisa los permisos "
                "de la cuenta o elige otro modelo.",
                "en": f"{who} accepts the key but does not let it use this model (for "
                "example, the organisation is not verified yet). Check the account's "
                "permissions or choose another model.",
            }
        else:
            messages = {
                "es": f"{who} rechazó la clave de API: es incorrecta, está revocada o es de "
                "otro proveedor. Cópiala de nuevo desde tu cuenta.",
                "en": f"{who} rejected the API key: it is wrong, revoked or belongs to "
                "another provider. Copy it again from your account.",
            }
        super().__init__(provider, messages, detail=detail)


class QuotaExhausted(ApiError):
    """No credits or a billing limit reached: waiting does not help, so never retried."""

    kind = "quota-exhausted"

    def __init__(self, provider: str, detail: str = ""):
        who = provider_name(provider)
        super().__init__(
            provider,
            {
                "es": f"La cuenta de {who} no tiene saldo o créditos suficientes, o alcanzó "
                "su límite de gasto. Esperar no lo arregla: hay que recargar la cuenta.",
                "en": f"The {who} account has run out of credits or reached its spending "
                "limit. Waiting will not fix it: the account needs topping up.",
            },
            detail=detail,
        )


class RateLimited(ApiError):
    """Too many requests, still refused after the retries; ``wait`` in seconds if known."""

    kind = "rate-limited"

    def __init__(self, provider: str, wait: float | None = None, detail: str = ""):
        self.wait = wait
        who = provider_name(provider)
        if wait is not None and wait > 0:
            seconds = max(1, round(wait))
            messages = {
                "es": f"{who} está recibiendo demasiadas peticiones. Vuelve a intentarlo "
                f"dentro de {seconds} s.",
                "en": f"{who} is receiving too many requests. Try again in {seconds} s.",
            }
        else:
            messages = {
                "es": f"{who} está recibiendo demasiadas peticiones. Espera un momento y "
                "vuelve a intentarlo.",
                "en": f"{who} is receiving too many requests. Wait a moment and try again.",
            }
        super().__init__(provider, messages, detail=detail)


class Moderated(ApiError):
    """The provider's safety system refused the prompt (input) or the image (output)."""

    kind = "moderated"

    def __init__(self, provider: str, stage: str, detail: str = "", may_have_cost: bool = False):
        if stage not in ("input", "output"):
            raise ValueError(f"stage must be 'input' or 'output', got {stage!r}")
        self.stage = stage
        who = provider_name(provider)
        if stage == "input":
            messages = {
                "es": f"El sistema de seguridad del proveedor ({who}) rechazó la petición: "
                "el texto pedido no está permitido. Reformula el prompt.",
                "en": f"The request was refused by the provider's safety system ({who}): "
                "the prompt is not allowed. Rephrase it.",
            }
        else:
            messages = {
                "es": f"El sistema de seguridad del proveedor ({who}) rechazó la imagen "
                "generada y no la entregó. Prueba con otro prompt o con otra semilla.",
                "en": f"The generated image was refused by the provider's safety system "
                f"({who}) and not delivered. Try another prompt or another seed.",
            }
        super().__init__(provider, messages, detail=detail, may_have_cost=may_have_cost)


class InvalidParameter(ApiError):
    kind = "invalid-parameter"

    def __init__(self, provider: str, param: str = "", detail: str = "", allowed: str = ""):
        self.param = param
        self.allowed = allowed
        who = provider_name(provider)
        name_es = f" «{param}»" if param else ""
        name_en = f" '{param}'" if param else ""
        extra_es = f" Valores válidos: {allowed}." if allowed else ""
        extra_en = f" Valid values: {allowed}." if allowed else ""
        super().__init__(
            provider,
            {
                "es": f"{who} no acepta el valor del parámetro{name_es}.{extra_es}",
                "en": f"{who} does not accept the value of the parameter{name_en}.{extra_en}",
            },
            detail=detail,
        )


class ModelShutDown(ApiError):
    kind = "model-shut-down"

    def __init__(
        self, provider: str, model: str, suggestion: str, since: str = "", detail: str = ""
    ):
        self.model = model
        self.suggestion = suggestion
        self.since = since
        who = provider_name(provider)
        when_es = f" el {since}" if since else ""
        when_en = f" on {since}" if since else ""
        super().__init__(
            provider,
            {
                "es": f"{who} ya no ofrece el modelo «{model}» (se retiró{when_es} o no "
                f"existe). Usa el modelo actual: «{suggestion}».",
                "en": f"{who} no longer offers the model '{model}' (shut down{when_en} or "
                f"unknown). Use the current model: '{suggestion}'.",
            },
            detail=detail,
        )


class Timeout(ApiError):
    kind = "timeout"

    def __init__(self, provider: str, seconds: float, may_have_cost: bool = False):
        self.seconds = seconds
        who = provider_name(provider)
        billed_es = " Puede que se haya cobrado igualmente." if may_have_cost else ""
        billed_en = " It may have been billed anyway." if may_have_cost else ""
        super().__init__(
            provider,
            {
                "es": f"{who} no respondió a tiempo (más de {seconds:g} s). No se reenvía "
                f"automáticamente.{billed_es} Inténtalo más tarde o con menos calidad.",
                "en": f"{who} did not answer in time (over {seconds:g} s). It is not resent "
                f"automatically.{billed_en} Try later or at a lower quality.",
            },
            may_have_cost=may_have_cost,
        )


class ProviderDown(ApiError):
    """A 5xx, a refused connection, or a task the provider itself reports as failed."""

    kind = "provider-down"

    def __init__(
        self, provider: str, status: int | None = None, detail: str = "", may_have_cost=False
    ):
        self.status = status
        who = provider_name(provider)
        code = f" (HTTP {status})" if status else ""
        super().__init__(
            provider,
            {
                "es": f"{who} tiene un problema en este momento{code} o no se puede "
                "contactar. No es culpa de tu petición: inténtalo de nuevo más tarde.",
                "en": f"{who} has a problem right now{code} or cannot be reached. It is "
                "not your request's fault: try again later.",
            },
            detail=detail,
            may_have_cost=may_have_cost,
        )


class MalformedResponse(ApiError):
    kind = "malformed-response"

    def __init__(self, provider: str, what: str, may_have_cost: bool = False):
        self.what = what
        who = provider_name(provider)
        super().__init__(
            provider,
            {
                "es": f"La respuesta de {who} no tiene la forma esperada ({what}). Puede que "
                "la API haya cambiado o que la dirección base no sea la del proveedor.",
                "en": f"The answer from {who} does not have the expected shape ({what}). The "
                "API may have changed, or the base URL is not the provider's.",
            },
            may_have_cost=may_have_cost,
        )


class ResultExpired(ApiError):
    """A result URL that no longer works, or a task the provider no longer knows."""

    kind = "result-expired"

    def __init__(self, provider: str, detail: str = ""):
        who = provider_name(provider)
        super().__init__(
            provider,
            {
                "es": f"El resultado de {who} ya no está disponible (el enlace caducó o la "
                "tarea no existe). Genera la imagen de nuevo.",
                "en": f"The result from {who} is no longer available (the link expired or "
                "the task does not exist). Generate the image again.",
            },
            detail=detail,
            may_have_cost=True,
        )


class BudgetExceeded(ApiError):
    """Refused before any network call: the classroom's budget for paid generations."""

    kind = "budget-exceeded"

    def __init__(self, provider: str, scope: str, limit: int, left: int, asked: int):
        if scope not in ("session", "day"):
            raise ValueError(f"scope must be 'session' or 'day', got {scope!r}")
        self.scope, self.limit, self.left, self.asked = scope, limit, left, asked
        if scope == "session":
            where_es, where_en = "esta sesión", "this session"
        else:
            where_es, where_en = "hoy en este aula", "today in this classroom"
        super().__init__(
            provider,
            {
                "es": f"No queda presupuesto suficiente de generaciones de pago para "
                f"{where_es}: quedan {left} de {limit} y pediste {asked}. Pide menos "
                "imágenes, usa el modelo local o pide más al profesorado.",
                "en": f"Not enough of the budget of paid generations is left for {where_en}: "
                f"{left} of {limit} left and you asked for {asked}. Ask for fewer images, use "
                "the local model or ask the teacher for more.",
            },
        )


ALL_ERRORS = (
    MissingKey,
    InvalidKey,
    QuotaExhausted,
    RateLimited,
    Moderated,
    InvalidParameter,
    ModelShutDown,
    Timeout,
    ProviderDown,
    MalformedResponse,
    ResultExpired,
    BudgetExceeded,
)
