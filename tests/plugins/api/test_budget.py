"""Budget guard: limits checked before any network call, counters that survive restarts."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from lienzo.plugins.api.budget import BudgetGuard
from lienzo.plugins.api.errors import BudgetExceeded, Moderated, Timeout
from lienzo.plugins.api.http import Timeouts
from lienzo.plugins.api.openai_images import OpenAIImagesAdapter
from lienzo.registry.generation import GenerationRequest
from lienzo.registry.spec import ConfigError
from tests.plugins.api.conftest import KEY
from tests.plugins.api.fakes import Reply, tiny_png_b64

PATH = "/v1/images/generations"


def ok(n: int = 1) -> Reply:
    return Reply(200, {"data": [{"b64_json": tiny_png_b64()} for _ in range(n)]})


def test_over_budget_is_refused_before_any_request(server, fake_time, tmp_path) -> None:
    server.route("POST", PATH, ok())
    guard = BudgetGuard(per_session=2, path=tmp_path / "b.sqlite3")
    generator = OpenAIImagesAdapter(
        api_key=KEY, base_url=server.url, session_id="ana", budget=guard, **fake_time.options()
    )
    generator.generate(GenerationRequest("a cat"))
    assert generator.budget_status().left == 1
    with pytest.raises(BudgetExceeded) as caught:
        generator.generate(GenerationRequest("a cat", count=2))
    error = caught.value
    assert (error.scope, error.limit, error.left, error.asked) == ("session", 2, 1, 2)
    assert "quedan 1 de 2" in error.message("es") and "1 of 2 left" in error.message("en")
    assert len(server.calls()) == 1  # the refused request never left the machine
    generator.generate(GenerationRequest("a cat"))
    assert generator.budget_status().left == 0


def test_per_day_limit_is_shared_by_sessions_and_resets_next_day(tmp_path) -> None:
    today = [dt.date(2026, 12, 3)]
    guard = BudgetGuard(per_day=3, path=tmp_path / "b.sqlite3", today=lambda: today[0])
    guard.reserve("ana", 2)
    guard.reserve("ben", 1)
    with pytest.raises(BudgetExceeded) as caught:
        guard.reserve("carla", 1)
    assert caught.value.scope == "day" and "hoy" in caught.value.message("es")
    status = guard.status("carla")
    assert (status.used_day, status.day_left, status.left) == (3, 0, 0)
    today[0] = dt.date(2026, 12, 4)
    guard.reserve("carla", 3)


def test_counters_survive_a_restart(tmp_path) -> None:
    path = tmp_path / "budget.sqlite3"
    BudgetGuard(per_session=5, per_day=10, path=path).reserve("ana", 4)
    reopened = BudgetGuard(per_session=5, per_day=10, path=path)  # a new process, same file
    status = reopened.status("ana")
    assert (status.used_session, status.session_left, status.day_left, status.left) == (4, 1, 6, 1)


def test_settings_configure_the_guard_and_bad_values_are_explained(monkeypatch) -> None:
    monkeypatch.setenv("LIENZO_BUDGET_PER_SESSION", "5")
    monkeypatch.setenv("LIENZO_BUDGET_PER_DAY", " 40 ")
    guard = BudgetGuard.from_settings()
    assert (guard.per_session, guard.per_day) == (5, 40)
    assert guard.path.name == "budget.sqlite3" and "data" in guard.path.parts
    monkeypatch.setenv("LIENZO_BUDGET_PER_DAY", "lots")
    with pytest.raises(ConfigError) as caught:
        BudgetGuard.from_settings()
    assert "LIENZO_BUDGET_PER_DAY" in caught.value.messages["es"]
    assert "lots" in caught.value.messages["en"]


def test_no_limits_means_no_counting_and_no_file(tmp_path) -> None:
    guard = BudgetGuard(path=tmp_path / "never.sqlite3")
    guard.reserve("ana", 10)
    assert guard.status("ana").left is None and not guard.limited
    assert not (tmp_path / "never.sqlite3").exists()


def test_zero_means_no_paid_generations(tmp_path) -> None:
    with pytest.raises(BudgetExceeded):
        BudgetGuard(per_day=0, path=tmp_path / "b.sqlite3").reserve("ana", 1)


def test_concurrent_sessions_never_overspend(tmp_path) -> None:
    path = tmp_path / "b.sqlite3"
    taken: list[str] = []
    refused: list[str] = []
    start = threading.Barrier(16)

    def learner(name: str) -> None:
        guard = BudgetGuard(per_day=7, path=path)  # each session its own guard object
        start.wait()
        try:
            guard.reserve(name, 1)
            taken.append(name)
        except BudgetExceeded:
            refused.append(name)

    threads = [threading.Thread(target=learner, args=(f"s{i}",)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(taken) == 7 and len(refused) == 9
    assert BudgetGuard(per_day=7, path=path).status("x").used_day == 7


def test_unbilled_failures_give_the_generation_back(server, fake_time, tmp_path) -> None:
    body = {"error": {"code": "moderation_blocked", "message": "blocked", "type": "x"}}
    server.route("POST", PATH, Reply(400, body))
    guard = BudgetGuard(per_session=1, path=tmp_path / "b.sqlite3")
    generator = OpenAIImagesAdapter(
        api_key=KEY, base_url=server.url, budget=guard, **fake_time.options()
    )
    with pytest.raises(Moderated):
        generator.generate(GenerationRequest("nope"))
    assert generator.budget_status().left == 1  # a refused prompt is not billed


def test_possibly_billed_failures_stay_counted(server, fake_time, tmp_path) -> None:
    server.route("POST", PATH, Reply(200, {"data": []}, delay=1.5))
    guard = BudgetGuard(per_session=3, path=tmp_path / "b.sqlite3")
    generator = OpenAIImagesAdapter(
        api_key=KEY,
        base_url=server.url,
        budget=guard,
        timeouts=Timeouts(read=0.3),
        **fake_time.options(),
    )
    with pytest.raises(Timeout):
        generator.generate(GenerationRequest("slow", count=2))
    assert generator.budget_status().left == 1


def test_fewer_images_than_asked_are_settled(server, fake_time, tmp_path) -> None:
    server.route("POST", PATH, ok(1))  # asked for 3, the provider sent 1
    guard = BudgetGuard(per_session=3, path=tmp_path / "b.sqlite3")
    generator = OpenAIImagesAdapter(
        api_key=KEY, base_url=server.url, budget=guard, **fake_time.options()
    )
    generator.generate(GenerationRequest("a cat", count=3))
    assert generator.budget_status().left == 2


def test_the_default_guard_reads_the_settings(server, fake_time, monkeypatch) -> None:
    monkeypatch.setenv("LIENZO_BUDGET_PER_SESSION", "0")
    server.route("POST", PATH, ok())
    generator = OpenAIImagesAdapter(api_key=KEY, base_url=server.url, **fake_time.options())
    assert generator.budget_status().left == 0
    with pytest.raises(BudgetExceeded):
        generator.generate(GenerationRequest("a cat"))
    assert server.requests == []
