"""Retry waits: Retry-After in milliseconds, seconds and HTTP dates, and the backoff."""

from __future__ import annotations

import email.utils

import pytest

from lienzo.plugins.api.http import RetryPolicy, backoff, retry_hint, retry_wait

NOW = 1_800_000_000.0  # a fixed wall clock
POLICY = RetryPolicy()


def http_date(offset: float) -> str:
    return email.utils.formatdate(NOW + offset, usegmt=True)


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({}, 0.5),  # no header: backoff, never a crash
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "0"}, 0.0),  # "now"
        ({"retry-after": "-3"}, 0.0),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),  # a date in the past: now
        ({"retry-after": http_date(30)}, 30.0),  # a future date: the seconds until then
        ({"retry-after": http_date(3600)}, 0.5),  # over 120 s away: backoff instead
        ({"retry-after": "121"}, 0.5),
        ({"retry-after": "120"}, 120.0),
        ({"retry-after": "tomorrow-ish"}, 0.5),
        ({"retry-after": ""}, 0.5),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),  # milliseconds win
        ({"retry-after-ms": "soon", "retry-after": "9"}, 9.0),  # unreadable ms: seconds
    ],
)
def test_retry_wait(headers, wait) -> None:
    got = retry_wait(headers, 0, POLICY, jitter=lambda: 0.0, now=lambda: NOW)
    assert got == pytest.approx(wait, abs=1e-6)


def test_retry_hint_is_none_without_a_usable_header() -> None:
    assert retry_hint({}) is None and retry_hint({"retry-after": "x"}) is None


def test_backoff_doubles_up_to_the_cap_with_at_most_a_quarter_of_jitter() -> None:
    assert [backoff(n, POLICY, lambda: 0.0) for n in range(6)] == [0.5, 1, 2, 4, 8, 8]
    assert backoff(3, POLICY, lambda: 1.0) == pytest.approx(3.0)
