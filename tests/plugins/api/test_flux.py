"""Flux adapter: submit, poll a polling_url on another host, download the signed sample."""

from __future__ import annotations

import pytest

from lienzo.plugins.api.errors import (
    InvalidKey,
    InvalidParameter,
    MalformedResponse,
    ModelShutDown,
    Moderated,
    ProviderDown,
    QuotaExhausted,
    ResultExpired,
    Timeout,
)
from lienzo.plugins.api.flux import FluxAdapter, FluxConfig
from lienzo.plugins.api.http import Timeouts
from lienzo.registry.generation import GenerationRequest
from tests.plugins.api.conftest import KEY
from tests.plugins.api.fakes import Recorded, Reply, tiny_png

SUBMIT = "/v1/flux-2-pro"
POLL = "/v1/get_result"
SAMPLE = "/delivery/task-1/sample.png"
FIELDS = {"prompt", "seed", "width", "height", "output_format", "safety_tolerance"}


def strict_submit(polling_host):
    """Like BFL's strict schema: an unknown field is a 422; else a task on another host."""

    def answer(recorded: Recorded) -> Reply:
        body = recorded.json()
        unknown = sorted(set(body) - FIELDS)
        if unknown:
            detail = [
                {"loc": ["body", name], "msg": "extra inputs are not permitted"} for name in unknown
            ]
            return Reply(422, {"detail": detail})
        url = f"{polling_host.url}{POLL}?id=task-1"
        return Reply(200, {"id": "task-1", "polling_url": url, "cost": 3.0})

    return answer


def pending(progress=None) -> Reply:
    return Reply(200, {"id": "task-1", "status": "Pending", "result": None, "progress": progress})


def ready(host, seed=99) -> Reply:
    sample = f"{host.url}{SAMPLE}?se=2026-12-03&sig=abc"
    return Reply(
        200, {"id": "task-1", "status": "Ready", "result": {"sample": sample, "seed": seed}}
    )


def status(name: str, **extra) -> Reply:
    return Reply(200, {"id": "task-1", "status": name, "result": None, **extra})


def adapter(server, fake_time, **options) -> FluxAdapter:
    options.setdefault("api_key", KEY)
    return FluxAdapter(base_url=server.url, **fake_time.options(), **options)


def setup_task(server, other, *polls: Reply) -> None:
    server.route("POST", SUBMIT, strict_submit(other))
    other.route("GET", POLL, *polls)
    other.route("GET", SAMPLE, Reply(200, tiny_png(), {"content-type": "image/png"}))


def test_submit_poll_download(server, other_host, fake_time) -> None:
    setup_task(server, other_host, pending(), pending(0.5), ready(other_host))
    seen: list[tuple[float, str]] = []
    request = GenerationRequest("a neon fox", seed=5, size="1024x768", negative_prompt="blur")
    result = adapter(server, fake_time).generate(request, lambda f, c: seen.append((f, c)))
    assert result.images[0].data == tiny_png() and result.images[0].seed == 99
    assert result.unsupported_fields == ["negative_prompt"]  # never silently dropped
    submit = server.calls("POST", SUBMIT)[0]
    assert submit.headers["x-key"] == KEY
    assert submit.json() == {
        "prompt": "a neon fox",
        "output_format": "png",
        "width": 1024,
        "height": 768,
        "seed": 5,
    }
    polls = other_host.calls("GET", POLL)
    assert [p.target for p in polls] == [f"{POLL}?id=task-1"] * 3  # used exactly as given
    assert all(p.headers["x-key"] == KEY for p in polls)
    download = other_host.calls("GET", SAMPLE)[0]
    assert "x-key" not in download.headers and "sig=abc" in download.target
    assert fake_time.sleeps == [0.5, 0.75]  # polls, gently slower
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and seen[-1] == (1.0, "done")
    assert {"queued", "generating", "downloading"} <= {code for _, code in seen}
    assert set(result.timings) == {"submit", "poll", "download"}
    assert result.cost_estimate_usd == pytest.approx(0.03)


@pytest.mark.parametrize(
    ("final", "error_type", "stage"),
    [
        ("Request Moderated", Moderated, "input"),
        ("Content Moderated", Moderated, "output"),
        ("Error", ProviderDown, None),
        ("Task not found", ResultExpired, None),
        ("Exploded", MalformedResponse, None),
    ],
)
def test_terminal_statuses(server, other_host, fake_time, final, error_type, stage) -> None:
    setup_task(server, other_host, pending(), status(final, details="gpu failure"))
    with pytest.raises(error_type) as caught:
        adapter(server, fake_time).generate(GenerationRequest("a fox"))
    error = caught.value
    if stage:
        assert error.stage == stage
        assert "safety system" in error.message("en")
    assert error.may_have_cost  # the task was accepted: it stays counted
    assert error.message("es") != error.message("en")
    assert len(other_host.calls("GET", POLL)) == 2 and not other_host.calls("GET", SAMPLE)


def test_poll_loop_is_bounded_in_time(server, other_host, fake_time) -> None:
    setup_task(server, other_host, pending())
    config = FluxConfig(poll_timeout_s=20.0)
    with pytest.raises(Timeout) as caught:
        adapter(server, fake_time, config=config).generate(GenerationRequest("a fox"))
    assert sum(fake_time.sleeps) <= 20.0 and len(other_host.calls()) < 20
    assert "20 s" in caught.value.message("en") and caught.value.may_have_cost


def test_submit_5xx_is_never_resent(server, other_host, fake_time) -> None:
    server.route("POST", SUBMIT, Reply(502, {"detail": "bad gateway"}))
    with pytest.raises(ProviderDown) as caught:
        adapter(server, fake_time).generate(GenerationRequest("a fox"))
    assert len(server.calls("POST")) == 1 and fake_time.sleeps == []
    assert caught.value.may_have_cost


def test_submit_read_timeout_is_never_resent(server, fake_time) -> None:
    server.route("POST", SUBMIT, Reply(200, {"id": "x"}, delay=1.5))
    slow = adapter(server, fake_time, timeouts=Timeouts(read=0.3))
    with pytest.raises(Timeout):
        slow.generate(GenerationRequest("a fox"))
    assert len(server.calls("POST")) == 1


def test_too_many_active_tasks_is_retried(server, other_host, fake_time) -> None:
    busy = Reply(429, {"detail": "too many active tasks"}, {"retry-after": "4"})
    server.route("POST", SUBMIT, busy, strict_submit(other_host))
    other_host.route("GET", POLL, ready(other_host))
    other_host.route("GET", SAMPLE, Reply(200, tiny_png()))
    assert adapter(server, fake_time).generate(GenerationRequest("a fox")).images
    assert fake_time.sleeps == [4.0] and len(server.calls("POST")) == 2


def test_polls_survive_a_hiccup(server, other_host, fake_time) -> None:
    setup_task(server, other_host, Reply(503, {}), Reply(429, {}), ready(other_host))
    assert adapter(server, fake_time).generate(GenerationRequest("a fox")).images
    assert fake_time.sleeps == [0.5, 1.0]  # backoffs of the retried GET, then Ready


@pytest.mark.parametrize(
    ("reply", "error_type"),
    [
        (Reply(401, {"detail": "Invalid key"}), InvalidKey),
        (Reply(402, {"detail": "Insufficient credits"}), QuotaExhausted),
        (Reply(404, {"detail": "Not Found"}), MalformedResponse),  # default model: wrong URL
        (Reply(200, {"id": "task-1"}), MalformedResponse),
    ],
)
def test_submit_errors(server, fake_time, reply, error_type) -> None:
    server.route("POST", SUBMIT, reply)
    with pytest.raises(error_type) as caught:
        adapter(server, fake_time).generate(GenerationRequest("a fox"))
    assert caught.value.message("es") and len(server.calls()) == 1


def test_strict_schema_errors_name_the_field(server, other_host, fake_time) -> None:
    server.route("POST", SUBMIT, strict_submit(other_host))
    request = GenerationRequest("a fox", extras={"steps": 20})  # only flux-2-flex takes steps
    generator = adapter(server, fake_time)
    assert generator.unsupported(request) == ["extras.steps"]
    other_host.route("GET", POLL, ready(other_host))
    other_host.route("GET", SAMPLE, Reply(200, tiny_png()))
    assert generator.generate(request).unsupported_fields == ["extras.steps"]
    assert "steps" not in server.calls("POST")[0].json()
    # a field the real schema refuses comes back as an invalid parameter with its name
    server.route("POST", SUBMIT, Reply(422, {"detail": [{"loc": ["body", "width"], "msg": "bad"}]}))
    with pytest.raises(InvalidParameter) as caught:
        generator.generate(GenerationRequest("a fox"))
    assert "width: bad" in caught.value.message("en")


def test_expired_sample_url(server, other_host, fake_time) -> None:
    setup_task(server, other_host, ready(other_host))
    other_host.route("GET", SAMPLE, Reply(403, "<Error>Request has expired</Error>"))
    with pytest.raises(ResultExpired) as caught:
        adapter(server, fake_time).generate(GenerationRequest("a fox"))
    assert "caducó" in caught.value.message("es")


def test_count_makes_one_task_per_image(server, other_host, fake_time) -> None:
    setup_task(server, other_host, ready(other_host))
    result = adapter(server, fake_time).generate(GenerationRequest("a fox", seed=1, count=2))
    assert [c.json()["seed"] for c in server.calls("POST")] == [1, 2]
    assert len(result.images) == 2 and "submit_2" in result.timings


def test_sizes_and_aspect_ratios(server, fake_time) -> None:
    generator = adapter(server, fake_time)
    assert generator._body(GenerationRequest("x", aspect_ratio="16:9"), None)["width"] == 1360
    assert generator._body(GenerationRequest("x", aspect_ratio="16:9"), None)["height"] == 768
    for bad in ("1000x1000", "4096x2048", "wide"):  # not multiples of 16 / over 4 MP / not WxH
        with pytest.raises(InvalidParameter):
            generator.generate(GenerationRequest("x", size=bad))
    legacy = adapter(server, fake_time, model="flux-pro-1.1")
    with pytest.raises(InvalidParameter):
        legacy.generate(GenerationRequest("x", size="2048x2048"))
    assert server.requests == []
    big = GenerationRequest("x", size="2048x2048")
    assert generator.price_per_image(big) == pytest.approx(0.03 + 3 * 0.015)


def test_a_retired_model_suggests_flux_2_pro(server, fake_time) -> None:
    server.route("POST", "/v1/flux-pro", Reply(404, {"detail": "Not Found"}))
    with pytest.raises(ModelShutDown) as caught:
        adapter(server, fake_time, model="flux-pro").generate(GenerationRequest("a fox"))
    assert "flux-2-pro" in caught.value.message("es")
