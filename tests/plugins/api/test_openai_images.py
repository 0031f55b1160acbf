"""OpenAI Images adapter against a local fake of ``POST /v1/images/generations``."""

from __future__ import annotations

import base64
import json
import socket
from pathlib import Path

import pytest

from lienzo.plugins.api.errors import (
    InvalidKey,
    InvalidParameter,
    MalformedResponse,
    MissingKey,
    ModelShutDown,
    Moderated,
    ProviderDown,
    QuotaExhausted,
    RateLimited,
    Timeout,
)
from lienzo.plugins.api.http import Timeouts
from lienzo.plugins.api.openai_images import CURRENT_MODEL, OpenAIImagesAdapter
from lienzo.registry.generation import GenerationRequest
from tests.plugins.api.conftest import KEY
from tests.plugins.api.fakes import Reply, tiny_png, tiny_png_b64

CASES = Path(__file__).parents[2] / "cases" / "api"
PATH = "/v1/images/generations"


def ok(n: int = 1, **extra) -> Reply:
    item = {"b64_json": tiny_png_b64(), **extra}
    return Reply(200, {"created": 1, "data": [dict(item) for _ in range(n)], "size": "1024x1024"})


def oa_error(status: int, code: str, message: str = "x", kind="invalid_request_error", param=None):
    body = {"error": {"code": code, "message": message, "type": kind, "param": param}}
    return Reply(status, body)


def adapter(server, fake_time, **options) -> OpenAIImagesAdapter:
    options.setdefault("api_key", KEY)
    return OpenAIImagesAdapter(base_url=server.url, **fake_time.options(), **options)


def test_generates_and_reports_unsupported_fields(server, fake_time) -> None:
    server.route("POST", PATH, ok(2, revised_prompt="a red square, flat"))
    seen: list[tuple[float, str]] = []
    request = GenerationRequest(
        "a red square", negative_prompt="blur", seed=7, count=2, aspect_ratio="3:2", style="neon"
    )
    result = adapter(server, fake_time).generate(request, lambda f, c: seen.append((f, c)))
    assert [image.data for image in result.images] == [tiny_png()] * 2
    assert result.images[0].format == "png" and result.images[0].revised_prompt
    assert result.provider == "openai-images" and result.model == CURRENT_MODEL
    assert result.unsupported_fields == ["negative_prompt", "seed", "style"]
    sent = server.calls("POST", PATH)[0]
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    body = sent.json()
    assert body == {"model": CURRENT_MODEL, "prompt": "a red square", "n": 2, "size": "1536x1024"}
    assert "response_format" not in body  # GPT image models answer 400 unknown_parameter
    assert seen[-1] == (1.0, "done") and fake_time.sleeps == []


def test_case_http_429_sequence_waits_as_told_and_ends_with_the_image(server, fake_time) -> None:
    steps = json.loads((CASES / "http_429_sequence.json").read_text("utf-8"))
    replies = []
    for step in steps:
        body = json.loads(json.dumps(step["body"]).replace("<tiny png>", tiny_png_b64()))
        replies.append(Reply(step["status"], body, step["headers"]))
    server.route("POST", PATH, *replies)
    result = adapter(server, fake_time).generate(GenerationRequest("a cat"))
    assert result.images[0].data == tiny_png()
    assert len(server.calls("POST", PATH)) == 4
    # no header: backoff 0.5 s; "retry-after: 2": 2 s; a date in the past: now
    assert fake_time.sleeps == [0.5, 2.0, 0.0]


def test_case_content_policy_is_moderation_in_both_languages_and_not_retried(
    server, fake_time
) -> None:
    case = json.loads((CASES / "openai_images_400_content_policy.json").read_text("utf-8"))
    server.route("POST", PATH, Reply(case["status"], case["body"]))
    generator = adapter(server, fake_time, budget=None)
    with pytest.raises(Moderated) as caught:
        generator.generate(GenerationRequest("something not allowed"))
    error = caught.value
    assert error.stage == "input" and not error.partial
    assert "refused by the provider's safety system" in error.message("en")
    assert "sistema de seguridad del proveedor" in error.message("es")
    assert "rechazó" in error.message("es")
    assert len(server.calls()) == 1 and fake_time.sleeps == []


def test_backoff_grows_and_gives_up_with_rate_limited(server, fake_time) -> None:
    server.route("POST", PATH, oa_error(429, "rate_limit_exceeded", kind="requests"))
    with pytest.raises(RateLimited) as caught:
        adapter(server, fake_time).generate(GenerationRequest("a cat"))
    assert fake_time.sleeps == [0.5, 1.0, 2.0, 4.0]  # 4 retries, then the error
    assert len(server.calls()) == 5
    assert "demasiadas peticiones" in caught.value.message("es")


def test_retry_after_ms_wins_and_long_hints_fall_back_to_backoff(server, fake_time) -> None:
    server.route(
        "POST",
        PATH,
        Reply(429, {}, {"retry-after-ms": "1500", "retry-after": "9"}),
        Reply(429, {}, {"retry-after": "600"}),  # over 120 s: backoff instead
        Reply(429, {}, {"retry-after": "soon"}),  # unreadable: backoff
        ok(),
    )
    adapter(server, fake_time).generate(GenerationRequest("a cat"))
    assert fake_time.sleeps == [1.5, 1.0, 2.0]


def test_jittered_backoff_stays_within_a_quarter(server, fake_time) -> None:
    server.route("POST", PATH, Reply(503, {}), ok())
    options = fake_time.options() | {"jitter": lambda: 0.999}
    OpenAIImagesAdapter(api_key=KEY, base_url=server.url, **options).generate(
        GenerationRequest("a cat")
    )
    assert 0.375 <= fake_time.sleeps[0] <= 0.5


def test_5xx_is_retried_then_reported_as_provider_down(server, fake_time) -> None:
    server.route("POST", PATH, oa_error(500, "server_error", kind="server_error"))
    with pytest.raises(ProviderDown) as caught:
        adapter(server, fake_time).generate(GenerationRequest("a cat"))
    assert caught.value.status == 500 and len(server.calls()) == 5
    assert "HTTP 500" in caught.value.message("es")


def test_insufficient_quota_is_not_retried(server, fake_time) -> None:
    server.route("POST", PATH, oa_error(429, "insufficient_quota", kind="insufficient_quota"))
    with pytest.raises(QuotaExhausted) as caught:
        adapter(server, fake_time).generate(GenerationRequest("a cat"))
    assert len(server.calls()) == 1 and fake_time.sleeps == []
    assert "recargar" in caught.value.message("es") and "topping up" in caught.value.message("en")


def test_billing_hard_limit_is_quota(server, fake_time) -> None:
    server.route("POST", PATH, oa_error(400, "billing_hard_limit_reached"))
    with pytest.raises(QuotaExhausted):
        adapter(server, fake_time).generate(GenerationRequest("a cat"))


def test_invalid_key_message_never_quotes_the_key(server, fake_time) -> None:
    echo = f"Incorrect API key provided: {KEY[:8]}***{KEY[-4:]}. You can find your key..."
    server.route("POST", PATH, oa_error(401, "invalid_api_key", echo))
    with pytest.raises(InvalidKey) as caught:
        adapter(server, fake_time).generate(GenerationRequest("a cat"))
    error = caught.value
    assert not error.not_allowed and "rechazó la clave" in error.message("es")
    for text in (*error.messages.values(), str(error), repr(error)):
        assert KEY[:8] not in text and KEY[-4:] not in text


def test_unverified_organisation_is_a_permission_problem(server, fake_time) -> None:
    server.route("POST", PATH, oa_error(403, "", "Your organization must be verified"))
    with pytest.raises(InvalidKey) as caught:
        adapter(server, fake_time).generate(GenerationRequest("a cat"))
    assert caught.value.not_allowed and "verific" in caught.value.message("es")


def test_shut_down_model_names_the_current_one(server, fake_time) -> None:
    message = "The model `dall-e-3` does not exist or you do not have access to it."
    server.route("POST", PATH, oa_error(404, "model_not_found", message))
    with pytest.raises(ModelShutDown) as caught:
        adapter(server, fake_time, model="dall-e-3").generate(GenerationRequest("a cat"))
    error = caught.value
    assert error.model == "dall-e-3" and error.suggestion == CURRENT_MODEL
    assert "2026-05-12" in error.message("es") and "gpt-image-2" in error.message("en")
    # DALL·E models (on a gateway that still serves them) are asked for base64
    assert server.calls()[0].json()["response_format"] == "b64_json"


def test_invalid_size_is_an_invalid_parameter(server, fake_time) -> None:
    server.route(
        "POST", PATH, oa_error(400, "invalid_size", "Invalid size '1000x1000'.", "x", "size")
    )
    with pytest.raises(InvalidParameter) as caught:
        adapter(server, fake_time).generate(GenerationRequest("a cat", size="1000x1000"))
    assert caught.value.param == "size" and "1000x1000" in caught.value.message("en")


def test_local_checks_refuse_before_any_request(server, fake_time) -> None:
    generator = adapter(server, fake_time)
    for bad in (
        GenerationRequest(""),
        GenerationRequest("a cat", count=11),
        GenerationRequest("a cat", size="big"),
        GenerationRequest("a cat", aspect_ratio="16:9"),
    ):
        with pytest.raises(InvalidParameter):
            generator.generate(bad)
    assert server.requests == []


def test_missing_key_is_reported_before_any_request(server, fake_time) -> None:
    with pytest.raises(MissingKey) as caught:
        OpenAIImagesAdapter(base_url=server.url).generate(GenerationRequest("a cat"))
    assert "OPENAI_API_KEY" in caught.value.message("es") and server.requests == []


def test_slow_answer_is_a_timeout_and_not_resent(server, fake_time) -> None:
    server.route("POST", PATH, Reply(200, {"data": []}, delay=1.5))
    slow = adapter(server, fake_time, timeouts=Timeouts(read=0.3))
    with pytest.raises(Timeout) as caught:
        slow.generate(GenerationRequest("a cat"))
    assert caught.value.may_have_cost and len(server.calls()) == 1
    assert "0.3 s" in caught.value.message("en")


def test_unreachable_provider_is_down_after_connection_retries(fake_time) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    generator = OpenAIImagesAdapter(
        api_key=KEY, base_url=f"http://127.0.0.1:{port}", **fake_time.options()
    )
    with pytest.raises(ProviderDown):
        generator.generate(GenerationRequest("a cat"))
    assert fake_time.sleeps == [0.5, 1.0, 2.0, 4.0]


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, "<html>gateway</html>"),
        Reply(200, {"created": 1}),
        Reply(200, {"data": [{"b64_json": "%%% not base64"}]}),
        Reply(200, {"data": [{"b64_json": base64.b64encode(b"not an image").decode()}]}),
        Reply(200, {"data": [{"revised_prompt": "no image at all"}]}),
    ],
)
def test_malformed_answers(server, fake_time, reply) -> None:
    server.route("POST", PATH, reply)
    with pytest.raises(MalformedResponse) as caught:
        adapter(server, fake_time).generate(GenerationRequest("a cat"))
    assert caught.value.message("es") and caught.value.may_have_cost


def test_url_results_are_downloaded_without_the_key(server, fake_time) -> None:
    server.route("GET", "/files/img.png", Reply(200, tiny_png(), {"content-type": "image/png"}))
    server.route("POST", PATH, Reply(200, {"data": [{"url": server.url + "/files/img.png?sig=1"}]}))
    result = adapter(server, fake_time).generate(GenerationRequest("a cat"))
    assert result.images[0].data == tiny_png()
    assert "authorization" not in server.calls("GET")[0].headers


def test_base_url_and_model_come_from_settings(server, fake_time, monkeypatch) -> None:
    monkeypatch.setenv("LIENZO_OPENAI_BASE_URL", server.url + "/v1/")
    monkeypatch.setenv("LIENZO_OPENAI_MODEL", "gpt-image-2.5-preview")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    server.route("POST", PATH, ok())
    generator = OpenAIImagesAdapter(**fake_time.options())
    assert generator.key_source == "environment"
    result = generator.generate(GenerationRequest("a cat"))
    assert result.model == "gpt-image-2.5-preview"
    assert server.calls()[0].json()["model"] == "gpt-image-2.5-preview"
    assert result.cost_estimate_usd is None  # billed per token: no per-image price


def test_extras_pass_through_and_unknown_ones_are_reported(server, fake_time) -> None:
    server.route("POST", PATH, ok())
    request = GenerationRequest("a cat", extras={"quality": "high", "cfg_scale": 7})
    result = adapter(server, fake_time).generate(request)
    assert server.calls()[0].json()["quality"] == "high"
    assert "cfg_scale" not in server.calls()[0].json()
    assert result.unsupported_fields == ["extras.cfg_scale"]


def test_x_should_retry_header_is_honoured(server, fake_time) -> None:
    server.route("POST", PATH, Reply(500, {}, {"x-should-retry": "false"}))
    with pytest.raises(ProviderDown):
        adapter(server, fake_time).generate(GenerationRequest("a cat"))
    assert len(server.calls()) == 1


def test_shut_down_model_said_only_in_words(server, fake_time) -> None:
    message = "The model 'gpt-image-1' has been shut down; use gpt-image-2."
    server.route("POST", PATH, oa_error(400, "", message))
    with pytest.raises(ModelShutDown) as caught:
        adapter(server, fake_time, model="gpt-image-1").generate(GenerationRequest("a cat"))
    assert "2026-10-23" in caught.value.message("en")


@pytest.mark.parametrize("pasted", ["sk-abc\u2019def", "sk-abc\ndef", "sk abc"])
def test_a_mangled_pasted_key_is_refused_before_sending(server, fake_time, pasted) -> None:
    with pytest.raises(InvalidKey):
        adapter(server, fake_time, api_key=pasted).generate(GenerationRequest("a cat"))
    assert server.requests == []


def test_a_base_url_without_scheme_is_explained(fake_time) -> None:
    generator = OpenAIImagesAdapter(api_key=KEY, base_url="api.openai.com", **fake_time.options())
    with pytest.raises(InvalidParameter) as caught:
        generator.generate(GenerationRequest("a cat"))
    assert "LIENZO_OPENAI_BASE_URL" in caught.value.message("es")
