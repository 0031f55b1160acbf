"""Hosted image generators (OpenAI Images, Stability AI, Flux) as Lienzo plugins.

Each provider module registers one ``ModelSpec`` (family "api", capability
"text-to-image") whose factory builds an adapter implementing
``lienzo.registry.generation.ImageGenerator``. Shared pieces:

- :mod:`.errors`: the small set of project errors, each with es/en messages;
- :mod:`.keys`: keys from a learner's typed value, the environment or ``st.secrets``,
  wrapped so they never print; settings reader; ``scrub`` for provider texts;
- :mod:`.http`: timeouts and retries (Retry-After, backoff, injectable sleep);
- :mod:`.budget`: per-session and per-day limits on paid generations (SQLite);
- :mod:`.base`: the adapter frame every provider shares.

Nothing here imports httpx or streamlit at import time: the home page lists these
plugins without paying for them.
"""

from lienzo.plugins.api.base import PROGRESS_CODES, HostedAdapter, ProviderModel
from lienzo.plugins.api.budget import BudgetGuard, BudgetStatus
from lienzo.plugins.api.errors import (
    ALL_ERRORS,
    ApiError,
    BudgetExceeded,
    InvalidKey,
    InvalidParameter,
    MalformedResponse,
    MissingKey,
    ModelShutDown,
    Moderated,
    ProviderDown,
    QuotaExhausted,
    RateLimited,
    ResultExpired,
    Timeout,
)
from lienzo.plugins.api.keys import ApiKey, read_setting, resolve_key

__all__ = [
    "ALL_ERRORS",
    "PROGRESS_CODES",
    "ApiError",
    "ApiKey",
    "BudgetExceeded",
    "BudgetGuard",
    "BudgetStatus",
    "HostedAdapter",
    "InvalidKey",
    "InvalidParameter",
    "MalformedResponse",
    "MissingKey",
    "ModelShutDown",
    "Moderated",
    "ProviderDown",
    "ProviderModel",
    "QuotaExhausted",
    "RateLimited",
    "ResultExpired",
    "Timeout",
    "read_setting",
    "resolve_key",
]
