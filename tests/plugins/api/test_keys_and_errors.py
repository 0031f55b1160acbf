"""Keys never show up anywhere; every project error speaks Spanish and English."""

from __future__ import annotations

import dataclasses
import json
import logging
import pickle
import sys
import types

import pytest

from lienzo.plugins.api import keys
from lienzo.plugins.api.budget import BudgetGuard
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
from lienzo.plugins.api.flux import FluxAdapter
from lienzo.plugins.api.http import Timeouts
from lienzo.plugins.api.keys import ApiKey, read_setting, resolve_key, scrub
from lienzo.plugins.api.openai_images import OpenAIImagesAdapter
from lienzo.plugins.api.stability import StabilityAdapter
from lienzo.registry.generation import GenerationRequest
from tests.plugins.api.conftest import KEY
from tests.plugins.api.fakes import Reply, tiny_png, tiny_png_b64

REAL_SECRET_READER = keys._streamlit_secret  # before the autouse fixture replaces it
PIECES = (KEY, KEY[:12], KEY[-10:], "0123456789abcdef")


def one_of_each() -> list[ApiError]:
    return [
        MissingKey("openai-images", ["OPENAI_API_KEY"]),
        InvalidKey("stability"),
        InvalidKey("stability", not_allowed=True),
        QuotaExhausted("flux"),
        RateLimited("openai-images", 12.0),
        RateLimited("openai-images"),
        Moderated("openai-images", "input"),
        Moderated("stability", "output"),
        InvalidParameter("flux", "size", allowed="WxH"),
        ModelShutDown("openai-images", "dall-e-3", "gpt-image-2", "2026-05-12"),
        Timeout("openai-images", 360),
        Timeout("flux", 300, may_have_cost=True),
        ProviderDown("stability", 503),
        MalformedResponse("flux", "no status"),
        ResultExpired("flux"),
        BudgetExceeded("flux", "day", 30, 0, 1),
    ]


def test_every_error_has_its_own_spanish_and_english_message() -> None:
    errors = one_of_each()
    assert {type(e) for e in errors} == set(ALL_ERRORS)
    for error in errors:
        es, en = error.message("es"), error.message("en")
        assert es and en and es != en, type(error).__name__
        assert "{" not in es + en
        assert error.message("fr") == es  # unknown language: the default, Spanish
        assert str(error) == en
    assert len({e.message("es") for e in errors}) == len(errors)


def test_api_key_never_prints_nor_pickles() -> None:
    key = ApiKey(KEY, keys.ENVIRONMENT, "OPENAI_API_KEY")
    for text in (repr(key), str(key), f"{key}", repr([key]), repr({"k": key})):
        assert KEY not in text
    with pytest.raises(TypeError):
        pickle.dumps(key)
    assert key.reveal() == KEY


def test_key_precedence_typed_then_environment_then_secrets(monkeypatch) -> None:
    secrets = {"OPENAI_API_KEY": "from-secrets"}
    monkeypatch.setattr(keys, "_streamlit_secret", secrets.get)
    assert resolve_key(["OPENAI_API_KEY"]).source == keys.SECRETS
    monkeypatch.setenv("OPENAI_API_KEY", "from-env")
    assert resolve_key(["OPENAI_API_KEY"]).reveal() == "from-env"
    typed = resolve_key(["OPENAI_API_KEY"], "  typed-by-learner ")
    assert typed.source == keys.SESSION and typed.reveal() == "typed-by-learner"
    assert resolve_key(["OPENAI_API_KEY"], "   ").source == keys.ENVIRONMENT


def test_streamlit_secrets_are_read_when_streamlit_is_there(monkeypatch) -> None:
    monkeypatch.setattr(keys, "_streamlit_secret", REAL_SECRET_READER)
    fake = types.SimpleNamespace(secrets={"LIENZO_BUDGET_PER_DAY": 30, "BFL_API_KEY": "bfl"})
    monkeypatch.setitem(sys.modules, "streamlit", fake)
    assert read_setting("LIENZO_BUDGET_PER_DAY") == "30"
    assert resolve_key(["BFL_API_KEY"]).source == keys.SECRETS


def test_secrets_that_cannot_be_read_count_as_unset(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(keys, "_streamlit_secret", REAL_SECRET_READER)

    class Broken:
        @property
        def secrets(self):
            raise FileNotFoundError("No secrets files found")

    monkeypatch.setitem(sys.modules, "streamlit", Broken())
    assert read_setting("BFL_API_KEY") is None
    monkeypatch.delitem(sys.modules, "streamlit")
    assert read_setting("BFL_API_KEY") is None  # Streamlit not imported at all


def test_real_streamlit_without_a_secrets_file(monkeypatch, tmp_path) -> None:
    import streamlit  # noqa: F401 - the real module, outside any running app

    monkeypatch.setattr(keys, "_streamlit_secret", REAL_SECRET_READER)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert read_setting("LIENZO_SURELY_UNSET_SETTING") is None


def test_scrub_removes_keys_and_key_shapes() -> None:
    text = f"Incorrect API key provided: {KEY[:8]}****{KEY[-6:]}; full {KEY}; other sk-abcdef123456"
    cleaned = scrub(text, KEY)
    for piece in (*PIECES, "sk-abcdef123456"):
        assert piece not in cleaned
    assert len(scrub("x" * 1000)) <= 300


def test_no_key_in_logs_errors_reprs_or_saved_files(
    server, other_host, fake_time, caplog, tmp_path
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "lienzo"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    echo = {"error": {"code": "invalid_api_key", "message": f"Incorrect API key provided: {KEY}"}}
    server.route(
        "POST",
        "/v1/images/generations",
        Reply(200, {"data": [{"b64_json": tiny_png_b64()}]}),
        Reply(401, echo),
        Reply(500, {"error": {"message": f"upstream rejected key {KEY}"}}),
    )
    server.route(
        "POST",
        "/v2beta/stable-image/generate/core",
        Reply(200, tiny_png(), {"content-type": "image/png", "finish-reason": "SUCCESS"}),
        Reply(403, {"name": "content_moderation", "errors": [f"key {KEY} flagged"]}),
    )
    server.route(
        "POST", "/v1/flux-2-pro", Reply(200, {"polling_url": other_host.url + "/poll?id=1"})
    )
    other_host.route(
        "GET",
        "/poll",
        Reply(200, {"status": "Ready", "result": {"sample": other_host.url + "/s.png?t=1"}}),
        Reply(200, {"status": "Error", "details": f"bad key {KEY}"}),
    )
    other_host.route("GET", "/s.png", Reply(200, tiny_png()))
    guard = BudgetGuard(per_day=100, path=tmp_path / "budget.sqlite3")
    common = {"api_key": KEY, "base_url": server.url, "budget": guard, **fake_time.options()}
    generators = [
        OpenAIImagesAdapter(**common, config=None, timeouts=Timeouts(read=5)),
        StabilityAdapter(**common),
        FluxAdapter(**common),
    ]
    results, errors = [], []
    for generator, tries in zip(generators, (3, 2, 2), strict=True):
        for _ in range(tries):
            try:
                results.append(generator.generate(GenerationRequest("a cat", seed=1)))
            except ApiError as error:
                errors.append(error)
    assert len(results) == 3 and len(errors) == 4
    assert [type(e) for e in errors] == [InvalidKey, ProviderDown, Moderated, ProviderDown]
    # the workflow would save the images and their parameters: nothing of the key in them
    saved = tmp_path / "saved"
    saved.mkdir()
    for index, result in enumerate(results):
        for image in result.images:
            (saved / f"{index}.{image.format}").write_bytes(image.data)
        summary = {k: v for k, v in dataclasses.asdict(result).items() if k != "images"}
        (saved / f"{index}.json").write_text(json.dumps(summary, default=str))
    texts = [caplog.text, *map(repr, generators), *map(repr, results)]
    for error in errors:
        texts += [str(error), repr(error), error.detail, *error.messages.values()]
    files = [p.read_bytes() for p in [*saved.iterdir(), guard.path]]
    assert caplog.text  # the adapters and httpx did log
    for piece in PIECES:
        assert all(piece not in text for text in texts), piece
        assert all(piece.encode() not in data for data in files), piece
