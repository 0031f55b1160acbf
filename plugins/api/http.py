"""HTTP with explicit timeouts and retries only where a provider makes them safe.

One function, :func:`send`, used by every adapter. What is retried is decided by
the caller per request:

- ``retry_on(response)``: which answers to retry (OpenAI: 408/409/429/5xx except
  ``insufficient_quota``; Stability and a Flux submit: 429 only; Flux polls: 429/5xx).
- ``idempotent``: a GET may be resent after a read timeout or a dropped connection;
  a POST that reached the provider may already be billed, so it never is.
- A connection that was never made (refused, connect timeout) is always retried:
  nothing was sent.

Waits follow the official OpenAI client: ``retry-after-ms``, then ``retry-after``
(seconds or an HTTP date) when the hint is within (0, 120] s, else exponential
backoff (0.5 s doubling to 8 s, minus up to 25 % jitter). A date in the past or a
hint of 0 means "retry now"; a missing or unreadable header means backoff. ``sleep``
and ``jitter`` are injectable so tests check the waits without waiting.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lienzo.plugins.api.errors import ProviderDown, Timeout

if TYPE_CHECKING:  # httpx is imported when a request is made, not with the plugin
    import httpx

log = logging.getLogger("lienzo.plugins.api")

Sleep = Callable[[float], None]


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 4  # the OpenAI client uses 2; 4 rides out a short burst of 429s
    initial_backoff: float = 0.5
    max_backoff: float = 8.0
    max_hint: float = 120.0  # a Retry-After above this is ignored in favour of backoff


@dataclass(frozen=True)
class Timeouts:
    """Seconds per phase; ``read`` is the one that matters for slow generations."""

    connect: float = 10.0
    read: float = 120.0
    write: float = 30.0
    pool: float = 10.0

    def httpx(self) -> httpx.Timeout:
        import httpx

        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)


def retry_hint(headers: Mapping[str, str], now: Callable[[], float] = time.time) -> float | None:
    """Seconds the server asks us to wait (may be <= 0 for "now"); None if it does not say."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return float(raw_ms) / 1000.0
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    return parsed.timestamp() - now()


def backoff(retries_done: int, policy: RetryPolicy, jitter: Callable[[], float]) -> float:
    base = min(policy.initial_backoff * 2**retries_done, policy.max_backoff)
    return base * (1 - 0.25 * jitter())


def retry_wait(
    headers: Mapping[str, str],
    retries_done: int,
    policy: RetryPolicy,
    jitter: Callable[[], float] = random.random,
    now: Callable[[], float] = time.time,
) -> float:
    """How long to wait before the next try."""
    hint = retry_hint(headers, now)
    if hint is not None:
        if hint <= 0:
            return 0.0  # a date in the past, or 0: retry now
        if hint <= policy.max_hint:
            return hint
    return backoff(retries_done, policy, jitter)


def _where(url: Any) -> str:
    """A URL without its query: signed result URLs carry tokens that stay out of logs."""
    return str(url).split("?", 1)[0]


def send(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    provider: str,
    retry_on: Callable[[httpx.Response], bool],
    idempotent: bool,
    policy: RetryPolicy,
    sleep: Sleep = time.sleep,
    jitter: Callable[[], float] = random.random,
    now: Callable[[], float] = time.time,
    **request: Any,
) -> httpx.Response:
    """Send one request, retrying as allowed; the last answer is returned, even an error.

    Raises Timeout when the provider does not answer in time and ProviderDown when
    it cannot be reached; HTTP errors are left to the adapter to map.
    """
    import httpx

    retries = 0
    while True:
        try:
            response = client.request(method, url, **request)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            # nothing reached the provider: safe to try again
            if retries < policy.max_retries:
                wait = backoff(retries, policy, jitter)
                log.debug(
                    "%s: %s %s could not connect; retry in %.2f s",
                    provider,
                    method,
                    _where(url),
                    wait,
                )
                sleep(wait)
                retries += 1
                continue
            raise ProviderDown(provider, detail=type(error).__name__) from None
        except httpx.TimeoutException:
            if idempotent and retries < policy.max_retries:
                wait = backoff(retries, policy, jitter)
                log.debug(
                    "%s: %s %s timed out; retry in %.2f s", provider, method, _where(url), wait
                )
                sleep(wait)
                retries += 1
                continue
            seconds = client.timeout.read or 0.0
            raise Timeout(provider, seconds, may_have_cost=not idempotent) from None
        except httpx.TransportError as error:
            # the connection broke after the request may have arrived
            if idempotent and retries < policy.max_retries:
                sleep(backoff(retries, policy, jitter))
                retries += 1
                continue
            raise ProviderDown(
                provider, detail=type(error).__name__, may_have_cost=not idempotent
            ) from None
        log.debug(
            "%s: %s %s -> HTTP %s (try %d)",
            provider,
            method,
            _where(url),
            response.status_code,
            retries + 1,
        )
        if retries < policy.max_retries and retry_on(response):
            wait = retry_wait(response.headers, retries, policy, jitter, now)
            log.debug("%s: retry after %.2f s", provider, wait)
            sleep(wait)
            retries += 1
            continue
        return response
