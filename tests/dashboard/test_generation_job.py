"""Generators as the workflow sees them, and variants generated and saved in a thread."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from lienzo.dashboard.labs import generators as gen
from lienzo.dashboard.labs import png_metadata
from lienzo.dashboard.labs.gallery import Gallery
from lienzo.dashboard.labs.generation_job import FINISHED, STOPPED, GenerationJob
from lienzo.registry import default_registry
from lienzo.registry.generation import GenerationRequest
from tests.dashboard.fake_generators import (
    EmptyGenerator,
    FailingGenerator,
    FakeGenerator,
    GarbageGenerator,
    ModeratedError,
    NoSeedJpegGenerator,
    spec_for,
)

SECRET = "sk-test-THIS-MUST-NEVER-BE-SAVED-0123456789"


def run_job(tmp_path: Path, generator, count: int = 3, **options) -> GenerationJob:  # noqa: ANN001
    request = gen.request_for(
        generator.supported_fields, "un faro, luz dorada", "texto", "16:9", seed=None
    )
    job = GenerationJob(
        generator=generator,
        requests=gen.variants(request, count, seed_base=100),
        gallery=Gallery(tmp_path),
        project="P",
        context={"sector": "design", "style": "neon"},
        **options,
    ).start()
    assert job.wait(30)
    return job


def test_variants_get_consecutive_seeds_and_are_saved_as_they_arrive(tmp_path: Path) -> None:
    generator = FakeGenerator()
    job = run_job(tmp_path, generator, count=4)
    assert job.status == FINISHED and job.fraction == 1.0
    assert [r.seed for r in generator.requests] == [100, 101, 102, 103]
    assert all(r.count == 1 for r in generator.requests)
    entries = [Gallery(tmp_path).get(i) for i in job.entry_ids]
    assert [e.seed for e in entries] == [100, 101, 102, 103]
    assert len({e.path.read_bytes() for e in entries}) == 4  # different seeds, different images
    assert entries[0].params["sector"] == "design" and entries[0].params["variant"] == 1
    # this generator has no aspect ratio: asked, not applied, and said so
    assert job.outcomes[0].not_applied == ["aspect_ratio"]
    assert entries[0].params["not_applied"] == ["aspect_ratio"]


def test_fields_a_generator_ignores_are_not_recorded_as_applied(tmp_path: Path) -> None:
    job = run_job(tmp_path, NoSeedJpegGenerator(), count=2)
    entry = Gallery(tmp_path).get(job.entry_ids[0])
    assert set(job.outcomes[0].not_applied) == {"negative_prompt", "seed"}
    assert entry.seed is None and entry.negative_prompt == ""  # honest metadata
    assert entry.params["asked_seed"] == 100 and entry.params["requested_size"] == "1536x864"
    texts = png_metadata.read_text(entry.path.read_bytes())
    assert texts["seed"] == "" and texts["negative_prompt"] == ""


@pytest.mark.parametrize(
    ("generator", "words"),
    [
        (FailingGenerator(), {"es": "rechazó la petición", "en": "refused the test request"}),
        (EmptyGenerator(), {"es": "sin devolver ninguna imagen", "en": "without returning"}),
        (GarbageGenerator(), {"es": "no es una imagen válida", "en": "not a valid image"}),
    ],
    ids=["moderated", "no-image", "garbage"],
)
def test_a_failed_variant_says_why_and_saves_nothing(
    tmp_path: Path,
    generator,
    words: dict[str, str],  # noqa: ANN001
) -> None:
    job = run_job(tmp_path, generator, count=2)
    assert job.status == FINISHED and job.entry_ids == []
    for outcome in job.outcomes:
        for lang, text in words.items():
            assert text in outcome.error[lang]
    gallery = Gallery(tmp_path)
    assert gallery.entries() == []
    assert not gallery.images_dir.exists() or list(gallery.images_dir.iterdir()) == []


def test_no_key_ever_reaches_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIENZO_TEST_KEY", SECRET)
    spec = spec_for(FakeGenerator, secrets=("LIENZO_TEST_KEY",))
    redact = gen.redactor(gen.known_secret_values([spec], {"x": "typed-key-abcdef123"}))
    generator = FakeGenerator()
    request = GenerationRequest(
        prompt=f"a poster, {SECRET}", negative_prompt="typed-key-abcdef123", seed=1
    )
    job = GenerationJob(
        generator=generator,
        requests=[request],
        gallery=Gallery(tmp_path),
        project="P",
        context={"note": SECRET},
        redact=redact,
    ).start()
    assert job.wait(30) and job.entry_ids
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert SECRET.encode() not in data and b"typed-key-abcdef123" not in data, path
    assert Gallery(tmp_path).get(job.entry_ids[0]).prompt == "a poster, ***"


def test_request_for_uses_aspect_ratio_or_an_equivalent_size() -> None:
    aspect = gen.request_for({"prompt", "aspect_ratio"}, "p", "", "3:2", 5)
    assert (aspect.aspect_ratio, aspect.size, aspect.seed) == ("3:2", None, 5)
    sized = gen.request_for({"prompt", "size"}, "p", "", "3:2", 5)
    assert (sized.aspect_ratio, sized.size) == (None, "1536x1024")
    neither = gen.request_for({"prompt"}, "p", "", "9:16", None)
    assert neither.aspect_ratio == "9:16"  # kept, so it is reported as not applied
    for size in gen.ASPECT_SIZES.values():
        width, height = (int(v) for v in size.split("x"))
        assert width % 16 == 0 and height % 16 == 0


def test_variants_are_capped_and_wrap_the_seed_range() -> None:
    request = GenerationRequest(prompt="p")
    assert len(gen.variants(request, 99, 0)) == gen.MAX_VARIANTS
    seeds = [r.seed for r in gen.variants(request, 2, gen.SEED_LIMIT)]
    assert seeds == [gen.SEED_LIMIT, 0]


def test_messages_for_any_error_are_bilingual() -> None:
    own = gen.messages_for(ModeratedError())
    assert own["en"] == "The safety system refused the test request."
    timeout = gen.messages_for(TimeoutError())
    assert "a tiempo" in timeout["es"] and "in time" in timeout["en"]
    other = gen.messages_for(RuntimeError("boom"))
    assert "RuntimeError: boom" in other["es"] and "RuntimeError: boom" in other["en"]


def test_hosted_adapters_without_a_key_are_listed_as_needing_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hosted = [spec for spec in gen.specs(default_registry()) if gen.is_hosted(spec)]
    if not hosted:
        pytest.skip("no hosted adapter plugin is installed")
    for spec in hosted:
        for name in spec.secrets:
            monkeypatch.delenv(name, raising=False)
        adapter = gen.build_hosted(spec, None, "test-session")
        status = gen.describe(spec, adapter)
        assert status.hosted and status.key_source is None and not status.ready, spec.id
        typed = gen.describe(spec, gen.build_hosted(spec, "typed-key-123456", "s"), "typed")
        assert typed.key_source == "session" and typed.ready, spec.id
        monkeypatch.setenv(spec.secrets[0], "env-key-123456")
        from_env = gen.describe(spec, gen.build_hosted(spec, None, "s"))
        assert from_env.key_source == "environment" and from_env.ready, spec.id


class SlowGenerator(FakeGenerator):
    def generate(self, request, progress=None):  # noqa: ANN001, ANN201
        time.sleep(0.3)
        return super().generate(request, progress)


def test_stop_ends_the_batch_after_the_variant_in_flight(tmp_path: Path) -> None:
    request = GenerationRequest(prompt="p", seed=0)
    job = GenerationJob(
        generator=SlowGenerator(),
        requests=gen.variants(request, 4, 0),
        gallery=Gallery(tmp_path),
        project="P",
        context={},
    ).start()
    time.sleep(0.1)
    job.stop()
    assert job.stopping
    assert job.wait(10)
    assert job.status == STOPPED and len(job.outcomes) == 1
    assert len(Gallery(tmp_path).entries()) == 1  # the finished variant was kept


def test_an_unwritable_gallery_is_named_as_the_problem(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the gallery folder should be")
    job = run_job(blocker, FakeGenerator(), count=1)
    error = job.outcomes[0].error
    assert str(blocker) in error["es"] and "galería" in error["es"]
    assert str(blocker) in error["en"] and "gallery" in error["en"]
