"""API keys and settings: where they come from, and keeping them out of sight.

Order of precedence for a key: one the learner typed for this session (passed in,
held in memory only), then the environment, then ``st.secrets``. Settings such as
``LIENZO_BUDGET_PER_DAY`` come from the environment, then ``st.secrets``.

A key travels wrapped in :class:`ApiKey`, whose ``repr``/``str`` never show it; only
the request builder calls :meth:`ApiKey.reveal`. :func:`scrub` removes the key (and
anything that looks like a key) from provider texts before they reach an error.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from typing import Any

SESSION, ENVIRONMENT, SECRETS = "session", "environment", "secrets"


class ApiKey:
    """A secret string that does not print itself."""

    __slots__ = ("_value", "source", "setting")

    def __init__(self, value: str, source: str = SESSION, setting: str = ""):
        value = (value or "").strip()
        if not value:
            raise ValueError("an ApiKey needs a non-empty value")
        self._value = value
        self.source = source  # SESSION, ENVIRONMENT or SECRETS
        self.setting = setting  # the env/secrets name it came from, if any

    def reveal(self) -> str:
        """The key itself: only for the Authorization header of a request."""
        return self._value

    def __repr__(self) -> str:
        return f"ApiKey(source={self.source!r}, value='***')"

    __str__ = __repr__

    def __reduce__(self):  # pickling would write the key somewhere: refuse
        raise TypeError("API keys are not serialisable")

    def __copy__(self) -> ApiKey:
        return self

    def __deepcopy__(self, memo: dict) -> ApiKey:
        return self

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiKey) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("ApiKey", self._value))


def _streamlit_secret(name: str) -> Any:
    """``st.secrets[name]``, or None when Streamlit is not in use or has no secrets.

    Streamlit is consulted only when the process already imported it (the dashboard,
    AppTest): the CLI and plain tests stay fast and never read a stray secrets file.
    """
    st = sys.modules.get("streamlit")
    if st is None:
        return None
    try:
        secrets = st.secrets
        return secrets[name] if name in secrets else None
    except Exception:  # noqa: BLE001 - no secrets.toml, bad TOML, not running: all "unset"
        return None


def read_setting(name: str) -> str | None:
    """A setting from the environment, else from ``st.secrets``; None when unset or empty."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        secret = _streamlit_secret(name)
        value = None if secret is None else str(secret)
    if value is None or not value.strip():
        return None
    return value.strip()


def resolve_key(settings: Iterable[str], typed: str | ApiKey | None = None) -> ApiKey | None:
    """The key to use: the learner's typed one, else the first setting that is set."""
    if isinstance(typed, ApiKey):
        return typed
    if typed is not None and typed.strip():
        return ApiKey(typed, SESSION)
    for name in settings:
        value = os.environ.get(name)
        if value and value.strip():
            return ApiKey(value, ENVIRONMENT, name)
        secret = _streamlit_secret(name)
        if secret is not None and str(secret).strip():
            return ApiKey(str(secret), SECRETS, name)
    return None


# Long runs of key-like characters, and the familiar "sk-..." shapes, even partial
# ones a provider echoes back ("Incorrect API key provided: sk-abc***xyz").
_KEY_LIKE = re.compile(r"(?:sk|pk|key|rk)-[\w*\-.]{4,}|[A-Za-z0-9_\-]{32,}", re.IGNORECASE)


def scrub(text: str, *keys: ApiKey | str | None, limit: int = 300) -> str:
    """``text`` without any of ``keys`` nor key-shaped tokens, shortened to ``limit``."""
    text = str(text or "")
    for key in keys:
        value = key.reveal() if isinstance(key, ApiKey) else key
        if value:
            text = text.replace(value, "***")
            # a provider may quote only the start or the end of the key
            if len(value) >= 12:
                text = text.replace(value[:8], "***").replace(value[-6:], "***")
    text = _KEY_LIKE.sub("***", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
