"""Stability adapter against a fake that, like the real API, takes multipart/form-data only."""

from __future__ import annotations

import base64

import pytest

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
from lienzo.plugins.api.stability import StabilityAdapter
from lienzo.registry.generation import GenerationRequest
from tests.plugins.api.conftest import KEY
from tests.plugins.api.fakes import Recorded, Reply, tiny_png

CORE = "/v2beta/stable-image/generate/core"
SD3 = "/v2beta/stable-image/generate/sd3"


def stability_like(recorded: Recorded) -> Reply:
    """Answer as Stability does: refuse non-multipart bodies, echo the seed, send bytes."""
    if not recorded.is_multipart():
        return Reply(
            400,
            {
                "id": "e1",
                "name": "bad_request",
                "errors": ["content-type: must be multipart/form-data"],
            },
        )
    form = recorded.form()
    seed = form.get("seed", "0") if form.get("seed", "0") != "0" else "1234"
    if recorded.headers.get("accept") == "application/json":
        body = {"image": base64.b64encode(tiny_png()).decode(), "finish_reason": "SUCCESS"}
        return Reply(200, body | {"seed": int(seed)})
    return Reply(
        200, tiny_png(), {"content-type": "image/png", "finish-reason": "SUCCESS", "seed": seed}
    )


def adapter(server, fake_time, **options) -> StabilityAdapter:
    options.setdefault("api_key", KEY)
    return StabilityAdapter(base_url=server.url, **fake_time.options(), **options)


def st_error(status: int, name: str, *errors: str) -> Reply:
    return Reply(status, {"id": "abc", "name": name, "errors": list(errors)})


def test_sends_multipart_and_gets_the_image_bytes(server, fake_time) -> None:
    server.route("POST", CORE, stability_like)
    request = GenerationRequest(
        "a lighthouse", negative_prompt="people", aspect_ratio="16:9", seed=42, style="anime"
    )
    result = adapter(server, fake_time).generate(request)
    sent = server.calls()[0]
    assert sent.is_multipart()
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.headers["accept"] == "image/*"
    assert sent.form() == {
        "prompt": "a lighthouse",
        "output_format": "png",
        "negative_prompt": "people",
        "aspect_ratio": "16:9",
        "seed": "42",
        "style_preset": "anime",
    }
    image = result.images[0]
    assert image.data == tiny_png() and image.format == "png" and image.seed == 42
    assert result.unsupported_fields == []
    assert result.cost_estimate_usd == pytest.approx(0.03)


def test_json_answers_work_too(server, fake_time) -> None:
    server.route("POST", CORE, stability_like)
    result = adapter(server, fake_time, accept="json").generate(GenerationRequest("a lighthouse"))
    assert server.calls()[0].headers["accept"] == "application/json"
    assert result.images[0].data == tiny_png() and result.images[0].seed == 1234


def test_count_is_one_request_per_image_with_consecutive_seeds(server, fake_time) -> None:
    server.route("POST", CORE, stability_like)
    seen: list[float] = []
    result = adapter(server, fake_time).generate(
        GenerationRequest("a fox", seed=10, count=3), lambda f, c: seen.append(f)
    )
    assert [c.form()["seed"] for c in server.calls()] == ["10", "11", "12"]
    assert [image.seed for image in result.images] == [10, 11, 12]
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert result.cost_estimate_usd == pytest.approx(0.09)


def test_size_is_reported_as_not_applied(server, fake_time) -> None:
    server.route("POST", CORE, stability_like)
    result = adapter(server, fake_time).generate(GenerationRequest("a fox", size="512x512"))
    assert result.unsupported_fields == ["size"]
    assert "size" not in server.calls()[0].form()


def test_sd35_models_go_to_the_sd3_endpoint(server, fake_time) -> None:
    server.route("POST", SD3, stability_like)
    generator = adapter(server, fake_time, model="sd3.5-large-turbo")
    request = GenerationRequest("a fox", negative_prompt="blur", extras={"cfg_scale": 1.5})
    result = generator.generate(request)
    form = server.calls()[0].form()
    assert form["model"] == "sd3.5-large-turbo" and form["cfg_scale"] == "1.5"
    assert "negative_prompt" not in form  # turbo ignores it: reported, not silently dropped
    assert result.unsupported_fields == ["negative_prompt"]


@pytest.mark.parametrize("accept", ["image", "json"])
def test_content_filtered_with_http_200_is_output_moderation(server, fake_time, accept) -> None:
    if accept == "image":
        reply = Reply(
            200, tiny_png(), {"content-type": "image/png", "finish-reason": "CONTENT_FILTERED"}
        )
    else:
        body = {"image": base64.b64encode(tiny_png()).decode(), "finish_reason": "CONTENT_FILTERED"}
        reply = Reply(200, body | {"seed": 3})
    server.route("POST", CORE, reply)
    with pytest.raises(Moderated) as caught:
        adapter(server, fake_time, accept=accept).generate(GenerationRequest("a fox"))
    assert caught.value.stage == "output" and not caught.value.partial
    assert "imagen generada" in caught.value.message("es")
    assert "provider's safety system" in caught.value.message("en")


def test_filtered_second_image_keeps_the_first_as_partial(server, fake_time) -> None:
    filtered = Reply(
        200, tiny_png(), {"content-type": "image/png", "finish-reason": "CONTENT_FILTERED"}
    )
    server.route("POST", CORE, stability_like, filtered)
    with pytest.raises(Moderated) as caught:
        adapter(server, fake_time).generate(GenerationRequest("a fox", count=2))
    assert [image.data for image in caught.value.partial] == [tiny_png()]


@pytest.mark.parametrize(
    ("reply", "error_type", "words"),
    [
        (st_error(403, "content_moderation", "flagged"), Moderated, "rechazó la petición"),
        (st_error(401, "unauthorized", "bad key"), InvalidKey, "rechazó la clave"),
        (st_error(402, "payment_required", "no credits"), QuotaExhausted, "créditos"),
        (st_error(400, "bad_request", "aspect_ratio: invalid"), InvalidParameter, "aspect_ratio"),
        (st_error(413, "payload_too_large", "too big"), InvalidParameter, "body"),
        (st_error(404, "not_found", "no such page"), MalformedResponse, "HTTP 404"),
        (st_error(500, "internal_error", "boom"), ProviderDown, "HTTP 500"),
    ],
)
def test_errors_are_mapped(server, fake_time, reply, error_type, words) -> None:
    server.route("POST", CORE, reply)
    with pytest.raises(error_type) as caught:
        adapter(server, fake_time).generate(GenerationRequest("a fox"))
    assert words in caught.value.message("es")
    assert caught.value.message("en") != caught.value.message("es")
    assert len(server.calls()) == 1  # none of these is retried (a 5xx POST is never resent)


def test_429_is_retried_with_its_retry_after(server, fake_time) -> None:
    busy = Reply(429, {"id": "r", "name": "rate_limit_exceeded", "errors": ["150 per 10 s"]})
    server.route("POST", CORE, Reply(429, {}, {"retry-after": "3"}), busy, stability_like)
    result = adapter(server, fake_time).generate(GenerationRequest("a fox"))
    assert result.images and fake_time.sleeps == [3.0, 1.0]


def test_429_forever_becomes_rate_limited_with_the_wait(server, fake_time) -> None:
    server.route("POST", CORE, Reply(429, {}, {"retry-after": "10"}))
    with pytest.raises(RateLimited) as caught:
        adapter(server, fake_time).generate(GenerationRequest("a fox"))
    assert caught.value.wait == 10.0 and "10 s" in caught.value.message("es")


def test_missing_headers_and_odd_answers(server, fake_time) -> None:
    server.route(
        "POST",
        CORE,
        Reply(200, tiny_png(), {"content-type": "image/png"}),  # no finish-reason, no seed
        Reply(200, b"<html>proxy error</html>", {"content-type": "text/html"}),
    )
    generator = adapter(server, fake_time)
    assert generator.generate(GenerationRequest("a fox")).images[0].seed is None
    with pytest.raises(MalformedResponse):
        generator.generate(GenerationRequest("a fox"))


def test_the_fake_refuses_json_bodies_like_the_real_api(server) -> None:
    import httpx

    server.route("POST", CORE, stability_like)
    answer = httpx.post(server.url + CORE, json={"prompt": "x"})
    assert answer.status_code == 400 and "multipart" in answer.text


def test_local_checks(server, fake_time) -> None:
    generator = adapter(server, fake_time)
    for bad in (
        GenerationRequest("a fox", aspect_ratio="7:3"),
        GenerationRequest("a fox", style="watercolour-ish"),
        GenerationRequest("a fox", seed=4294967294, count=2),
        GenerationRequest("a fox", extras={"output_format": "gif"}),
        GenerationRequest("x" * 10001),
    ):
        with pytest.raises(InvalidParameter) as caught:
            generator.generate(bad)
        assert caught.value.param
    assert server.requests == []


def test_a_retired_model_suggests_the_current_default(server, fake_time) -> None:
    server.route("POST", SD3, st_error(404, "not_found", "model sd3-large-turbo was removed"))
    with pytest.raises(ModelShutDown) as caught:
        adapter(server, fake_time, model="sd3-large-turbo").generate(GenerationRequest("a fox"))
    assert "«core»" in caught.value.message("es") and "sd3-large-turbo" in caught.value.message(
        "en"
    )
