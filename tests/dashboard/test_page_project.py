"""The practical-project page, walked in both languages with AppTest.

Generators: the local model when it is registered, in-process fakes registered into the
registry, and the real hosted adapters pointed at local fake servers.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lienzo.dashboard.i18n import translate
from lienzo.dashboard.labs import generators as gen
from lienzo.dashboard.labs import png_metadata, prompts
from lienzo.dashboard.labs.gallery import Gallery
from lienzo.registry import default_registry
from tests.dashboard.conftest import LANGS, assert_clean, open_page, page_text
from tests.dashboard.fake_generators import (
    FailingGenerator,
    FakeGenerator,
    HostedFake,
    register,
    spec_for,
)

LOCAL_MODEL = "txt2img-shapes"
SECRET = "sk-test-PAGE-0123456789abcdefSECRET"


@pytest.fixture(autouse=True)
def clean_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No real key or budget reaches a test; the gallery lives in tmp_path."""
    for spec in gen.specs(default_registry()):
        for name in spec.secrets:
            monkeypatch.delenv(name, raising=False)
    for name in list(os.environ):
        if name.startswith("LIENZO_") and name not in ("LIENZO_I18N_STRICT",):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LIENZO_DATA_DIR", str(tmp_path / "data"))
    try:
        from lienzo.plugins.api import keys

        monkeypatch.setattr(keys, "_streamlit_secret", lambda name: None)
    except ImportError:
        pass
    yield tmp_path / "data"


def tr(lang: str, key: str, **values: object) -> str:
    return translate(lang, f"project.{key}", **values)


def generate(at: AppTest, variants: int | None = None) -> object:
    if variants is not None:
        at.number_input(key="project_variants").set_value(variants).run()
    at.button(key="project_generate").click().run()
    job = at.session_state["project_job"]
    assert job.wait(120)
    at.run()
    assert_clean(at)
    return job


def all_bytes(folder: Path) -> Iterator[bytes]:
    for path in folder.rglob("*"):
        if path.is_file():
            yield path.read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_with_no_key_it_runs_locally_or_says_a_generator_is_needed(lang: str) -> None:
    at = open_page("project", lang, timeout=180)
    assert_clean(at)
    headers = [h.value for h in at.header]
    assert [h.split(".")[0] for h in headers[:6]] == ["1", "2", "3", "4", "5", "6"]
    specs = gen.specs(default_registry())
    hosted = [s for s in specs if gen.is_hosted(s)]
    for spec in hosted:  # every adapter is listed, as needing a key
        choice = at.radio(key="project_generator")  # fresh: each run builds a new tree
        label = next(o for o in choice.options if o.startswith(spec.title[lang] + " · "))
        assert label.endswith(tr(lang, "gen_needs_key"))
        choice.set_value(spec.id).run()
        assert_clean(at)
        assert any(spec.secrets[0] in str(w.value) for w in at.warning)
        assert f"export {spec.secrets[0]}=" in page_text(at)  # how to add it
        assert at.text_input(key=f"project_key_{spec.id}").proto.type == 1  # password
        assert at.button(key="project_generate").disabled
    if LOCAL_MODEL in {s.id for s in specs}:
        at.radio(key="project_generator").set_value(LOCAL_MODEL).run()
        assert_clean(at)
        job = generate(at, variants=2)
        assert len(job.entry_ids) == 2, [o.error for o in job.outcomes]
        assert len(Gallery().entries()) == 2
    else:
        warnings = " ".join(str(w.value) for w in at.warning)
        assert tr(lang, "none_ready") in warnings or tr(lang, "no_generator") in warnings
        assert at.button(key="project_generate").disabled


@pytest.mark.parametrize("lang", LANGS)
def test_generate_keep_a_favourite_export_and_delete_with_confirmation(
    lang: str, monkeypatch: pytest.MonkeyPatch, clean_settings: Path
) -> None:
    register(monkeypatch, spec_for(FakeGenerator), only=True)
    at = open_page("project", lang)
    assert_clean(at)
    job = generate(at, variants=3)
    ids = job.entry_ids
    assert len(ids) == 3
    text = page_text(at)
    assert tr(lang, "variant_caption", seed=42, model="fake-model-1", size="24x24") in text
    assert tr(lang, "variant_caption", seed=44, model="fake-model-1", size="24x24") in text
    assert len(at.get("image")) >= 3

    at.checkbox(key=f"project_fav_{ids[0]}").check().run()
    at.text_input(key=f"project_note_{ids[0]}").input("para el cliente").run()
    gallery = Gallery()
    assert gallery.get(ids[0]).favourite and gallery.get(ids[0]).note == "para el cliente"

    at.button(key="project_export_button").click().run()  # favourites only (the default)
    name, data, count = at.session_state["project_export"]
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert count == 1 and name.endswith(".zip")
    document = json.loads(archive.read("parameters.json"))
    assert [row["id"] for row in document["images"]] == [ids[0]]
    assert f'<html lang="{lang}">' in archive.read("summary.html").decode()
    at.radio(key="project_export_scope").set_value("all").run()
    at.button(key="project_export_button").click().run()
    assert at.session_state["project_export"][2] == 3
    assert_clean(at)

    doomed = gallery.get(ids[1])
    at.button(key=f"project_delete_{ids[1]}").click().run()
    assert any(tr(lang, "delete_confirm", id=ids[1]) in str(w.value) for w in at.warning)
    assert len(gallery.entries()) == 3  # the first click deletes nothing
    at.button(key="project_delete_no").click().run()
    assert not any(tr(lang, "delete_confirm", id=ids[1]) in str(w.value) for w in at.warning)
    assert len(gallery.entries()) == 3
    at.button(key=f"project_delete_{ids[1]}").click().run()
    at.button(key="project_delete_yes").click().run()
    assert_clean(at)
    assert sorted(e.id for e in gallery.entries()) == [ids[0], ids[2]]
    assert not doomed.path.exists()


def test_inspire_me_and_a_sector_template_fill_the_prompt() -> None:
    at = open_page("project", "es")
    at.button(key="project_inspire").click().run()
    idea = prompts.inspire(1, "marketing", "es")
    assert at.text_area(key="project_subject").value == idea.subject
    assert at.selectbox(key="project_style").value == idea.style
    assert at.selectbox(key="project_lighting").value == idea.lighting
    assert any(idea.subject in str(c.value) for c in at.code)
    at.button(key="project_inspire").click().run()
    assert at.session_state["project_inspiration"] == 2

    at.selectbox(key="project_sector").set_value("design").run()
    at.radio(key="project_case_design").set_value("logo").run()
    at.text_input(key="project_field_design_logo_brand").input("Olea").run()
    at.button(key="project_use_template").click().run()
    assert_clean(at)
    assert "logotipo de Olea" in at.text_area(key="project_subject").value
    logo = prompts.sector("design").use_case("logo")
    assert logo.negative["es"] in at.text_area(key="project_negative").value

    at.text_area(key="project_subject").input("   ").run()
    assert_clean(at)
    assert tr("es", "error_empty_subject") in [str(e.value) for e in at.error]


@pytest.mark.parametrize("lang", LANGS)
def test_a_generator_error_is_shown_and_nothing_is_saved(
    lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(monkeypatch, spec_for(FailingGenerator), only=True)
    at = open_page("project", lang)
    job = generate(at, variants=2)
    errors = [str(e.value) for e in at.error]
    said = {"es": "rechazó la petición de prueba", "en": "refused the test request"}[lang]
    assert len([e for e in errors if said in e]) == 2
    assert job.entry_ids == [] and Gallery().entries() == []
    assert tr(lang, "gallery_empty") in page_text(at)


def test_a_hosted_generator_without_a_key_asks_for_one_and_a_typed_key_works(
    monkeypatch: pytest.MonkeyPatch, clean_settings: Path
) -> None:
    register(monkeypatch, spec_for(HostedFake, secrets=("LIENZO_TEST_KEY",)), only=True)
    at = open_page("project", "en")
    assert_clean(at)
    assert any("LIENZO_TEST_KEY" in str(w.value) for w in at.warning)
    assert "export LIENZO_TEST_KEY=" in page_text(at)
    assert at.button(key="project_generate").disabled
    at.text_input(key="project_key_test-hosted").input(SECRET).run()
    assert tr("en", "key_from_session") in [str(s.value) for s in at.success]
    assert not at.button(key="project_generate").disabled
    at.text_area(key="project_subject").input(f"poster {SECRET}").run()
    job = generate(at, variants=1)
    assert len(job.entry_ids) == 1
    for data in all_bytes(clean_settings):
        assert SECRET.encode() not in data
    assert at.button(key="project_export_button").disabled  # no favourite yet
    at.radio(key="project_export_scope").set_value("all").run()
    at.button(key="project_export_button").click().run()
    assert SECRET.encode() not in at.session_state["project_export"][1]


def test_metadata_switch_leaves_the_parameters_out_of_the_png(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    register(monkeypatch, spec_for(FakeGenerator), only=True)
    at = open_page("project", "es")
    at.toggle(key="project_embed_metadata").set_value(False).run()
    job = generate(at, variants=1)
    entry = Gallery().get(job.entry_ids[0])
    assert png_metadata.read_text(entry.path.read_bytes()) == {}
    assert not entry.metadata_embedded
    at.toggle(key="project_embed_metadata").set_value(True).run()
    job = generate(at, variants=1)
    texts = png_metadata.read_text(Gallery().get(job.entry_ids[0]).path.read_bytes())
    assert texts["seed"] == "42" and texts["provider"] == "test-fake"


def hosted_ids() -> set[str]:
    return {s.id for s in gen.specs(default_registry()) if gen.is_hosted(s)}


def stability_reply(recorded):  # noqa: ANN001, ANN201 - a Recorded in, a Reply out
    from tests.plugins.api.fakes import Reply, tiny_png

    if not recorded.is_multipart():
        return Reply(400, {"id": "e", "name": "bad_request", "errors": ["multipart only"]})
    seed = recorded.form().get("seed", "0")
    headers = {"content-type": "image/png", "finish-reason": "SUCCESS", "seed": seed}
    return Reply(200, tiny_png(), headers)


@pytest.mark.slow
def test_stability_through_a_fake_server_generates_stores_reopens_exports_and_budgets(
    monkeypatch: pytest.MonkeyPatch, clean_settings: Path
) -> None:
    if "stability" not in hosted_ids():
        pytest.skip("the Stability adapter plugin is not installed")
    from tests.plugins.api.fakes import FakeServer, Reply

    with FakeServer() as server:
        server.route("POST", "/v2beta/stable-image/generate/core", stability_reply)
        monkeypatch.setenv("STABILITY_API_KEY", SECRET)
        monkeypatch.setenv("LIENZO_STABILITY_BASE_URL", server.url)
        monkeypatch.setenv("LIENZO_BUDGET_PER_SESSION", "3")
        at = open_page("project", "es")
        at.radio(key="project_generator").set_value("stability").run()
        assert_clean(at)
        assert tr("es", "key_from_environment") in [str(s.value) for s in at.success]
        assert at.metric[0].value == "3"  # generations left before any request
        job = generate(at, variants=2)
        assert len(job.entry_ids) == 2, [o.error for o in job.outcomes]
        sent = [call.form() for call in server.calls("POST")]
        assert [form["seed"] for form in sent] == ["42", "43"]
        assert sent[0]["negative_prompt"] and sent[0]["aspect_ratio"] == "1:1"
        assert at.metric[0].value == "1"

        # re-opened from disk by a fresh gallery object, with the seed the provider used
        entries = Gallery().entries()
        assert {(e.provider, e.seed) for e in entries} == {("stability", 42), ("stability", 43)}
        texts = png_metadata.read_text(entries[0].path.read_bytes())
        assert texts["provider"] == "stability" and texts["seed"] in ("42", "43")

        # over budget: one variant goes through, the rest are refused before any request
        at.number_input(key="project_variants").set_value(3).run()
        assert tr("es", "budget_short", left=1, asked=3) in [str(w.value) for w in at.warning]
        job = generate(at)
        assert len(job.entry_ids) == 1 and len(server.calls("POST")) == 3
        assert sum("presupuesto" in str(e.value) for e in at.error) == 2

        # the provider's moderation: shown, nothing saved
        monkeypatch.setenv("LIENZO_BUDGET_PER_SESSION", "")
        server.route(
            "POST",
            "/v2beta/stable-image/generate/core",
            Reply(403, {"id": "m", "name": "content_moderation", "errors": ["flagged"]}),
        )
        at.number_input(key="project_variants").set_value(1).run()
        job = generate(at)
        assert job.entry_ids == [] and len(Gallery().entries()) == 3
        assert any("seguridad" in str(e.value) for e in at.error)

        at.radio(key="project_export_scope").set_value("all").run()
        at.button(key="project_export_button").click().run()
        data = at.session_state["project_export"][1]
        assert len(zipfile.ZipFile(io.BytesIO(data)).namelist()) == 3 + 3
        for blob in [data, *all_bytes(clean_settings)]:
            assert SECRET.encode() not in blob


@pytest.mark.slow
def test_openai_images_through_a_fake_server_reports_the_seed_as_not_applied(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if "openai-images" not in hosted_ids():
        pytest.skip("the OpenAI Images adapter plugin is not installed")
    from tests.plugins.api.fakes import FakeServer, Reply, tiny_png_b64

    with FakeServer() as server:
        body = {"created": 1, "data": [{"b64_json": tiny_png_b64(), "revised_prompt": "a cat"}]}
        server.route("POST", "/v1/images/generations", Reply(200, body))
        monkeypatch.setenv("OPENAI_API_KEY", SECRET)
        monkeypatch.setenv("LIENZO_OPENAI_BASE_URL", server.url)
        at = open_page("project", "en")
        at.radio(key="project_generator").set_value("openai-images").run()
        assert_clean(at)
        job = generate(at, variants=1)
        assert len(job.entry_ids) == 1, [o.error for o in job.outcomes]
        sent = server.calls("POST")[0].json()
        assert "seed" not in sent and sent["size"] == "1024x1024"
        labels = tr("en", "field_seed")
        assert any(labels in str(i.value) for i in at.info)  # said before and after
        entry = Gallery().get(job.entry_ids[0])
        assert entry.seed is None and entry.params["revised_prompt"] == "a cat"
        assert tr("en", "revised_prompt", text="a cat") in page_text(at)
