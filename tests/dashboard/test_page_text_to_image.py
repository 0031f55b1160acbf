"""The text-to-image lesson: prompt -> pipeline parts -> score; train more; a local SD folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from lienzo.plugins.text_to_image import CHECKPOINT
from tests.dashboard.conftest import LANGS, assert_clean, open_page, page_text

# The lesson is listed only when the trained checkpoint is in the package.
pytestmark = pytest.mark.skipif(not CHECKPOINT.is_file(), reason="no trained checkpoint yet")

PAGE = "text_to_image"
TIMEOUT = 240


def generate(at, prompt: str, steps: int = 4, count: int = 2) -> None:
    at.text_input(key="t2i_prompt").set_value(prompt)
    at.slider(key="t2i_steps").set_value(steps)
    at.slider(key="t2i_count").set_value(count)
    at.slider(key="t2i_snapshots").set_value(2)
    at.button(key="t2i_generate").click().run()


@pytest.mark.parametrize("lang", LANGS)
def test_page_opens_with_the_pipeline_and_the_checkpoints_figures(lang: str) -> None:
    at = open_page(PAGE, lang, timeout=TIMEOUT)
    assert_clean(at)
    text = page_text(at)
    title = {"es": "Texto a imagen", "en": "Text to image"}[lang]
    assert title in at.title[0].value
    assert {"es": "Todavía no has generado nada", "en": "Nothing generated yet"}[lang] in text
    assert len(at.get("graphviz_chart")) == 1
    labels = [metric.label for metric in at.metric]
    assert {"es": "Forma y color", "en": "Shape and colour"}[lang] in labels
    assert {"es": "está desactivado", "en": "switched off"}[lang] in text  # no local SD


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_generating_shows_tokens_steps_images_and_their_score(lang: str) -> None:
    at = open_page(PAGE, lang, timeout=TIMEOUT)
    prompt = {"es": "un círculo rojo arriba a la izquierda", "en": "a red circle at the top left"}
    generate(at, prompt[lang])
    assert_clean(at)
    text = page_text(at)
    assert "`[CLS]`" in text and "`[SEP]`" in text
    assert "2 × 32 × 384" in text  # the embedding shape the UNet receives
    assert len(at.get("image")) == 7  # 3 x_t + 2 predicted x_0 (snapshots), 2 images
    assert "✅" in text or "❌" in text  # a verdict per image
    score = next(
        m for m in at.metric if m.label.startswith({"es": "Imágenes", "en": "Images"}[lang])
    )
    assert score.value.endswith("/2")
    assert at.session_state["t2i_result"]["run"].images.shape == (2, 32, 32, 3)


@pytest.mark.slow
def test_a_prompt_outside_the_data_is_generated_and_explained() -> None:
    at = open_page(PAGE, "es", timeout=TIMEOUT)
    at.text_input(key="t2i_prompt").set_value("un gato astronauta en la luna").run()
    assert_clean(at)
    assert "«gato»" in page_text(at) and "no nombra ninguna forma" in page_text(at)
    generate(at, "un gato astronauta en la luna", count=1)
    assert_clean(at)
    assert "Este modelo solo conoce sus datos" in page_text(at)


def test_an_example_fills_the_prompt_and_an_empty_prompt_is_refused() -> None:
    at = open_page(PAGE, "en", timeout=TIMEOUT)
    at.selectbox(key="t2i_example").set_value("2").run()
    assert at.text_input(key="t2i_prompt").value == "a large blue square in the centre"
    at.text_input(key="t2i_prompt").set_value("   ")
    at.button(key="t2i_generate").click().run()
    assert_clean(at)
    assert any("Write a prompt" in str(e.value) for e in at.error)


@pytest.mark.slow
def test_train_more_runs_on_its_own_copy_and_is_compared() -> None:
    from lienzo.dashboard.components.model_cache import shared_pretrained

    shared = shared_pretrained("txt2img-shapes")
    before = shared.state_dict()
    at = open_page(PAGE, "en", timeout=TIMEOUT)
    at.number_input(key="t2i_train_steps").set_value(3).run()
    at.button(key="t2i_train_start").click().run()
    assert_clean(at)
    job = at.session_state["t2i_job"]
    assert job.model is not shared
    assert job.wait(600), "training did not end"
    assert job.status == "finished", job.error
    at.run()
    assert_clean(at)
    assert "Your model versus the pretrained one" in page_text(at)
    after = shared.state_dict()
    assert all((before[k] == after[k]).all() for k in before)
    at.radio(key="t2i_which").set_value("own")
    generate(at, "a green square", count=1)
    assert_clean(at)
    assert at.session_state["t2i_result"]["source"] == "own"


def test_absurd_learning_rate_gets_a_clear_message() -> None:
    at = open_page(PAGE, "es", timeout=TIMEOUT)
    at.number_input(key="t2i_lr").set_value(5.0).run()
    at.button(key="t2i_train_start").click().run()
    assert_clean(at)
    assert any("learning_rate" in str(e.value) for e in at.error)


@pytest.mark.slow
def test_scoring_the_prompt_set_draws_rates_and_the_grid() -> None:
    at = open_page(PAGE, "es", timeout=TIMEOUT)
    at.slider(key="t2i_steps").set_value(5)
    at.button(key="t2i_set_run").click().run()
    assert_clean(at)
    assert "Preentrenado (Lienzo): 5 pasos" in page_text(at)
    assert at.session_state["t2i_set"]["evaluation"].images.shape == (60, 32, 32, 3)


@pytest.mark.slow
def test_local_stable_diffusion_folder_when_the_teacher_allows_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tests.plugins.test_text_to_image import tiny_stable_diffusion

    monkeypatch.setenv("LIENZO_ALLOW_LOCAL_SD", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    at = open_page(PAGE, "en", timeout=TIMEOUT)
    at.text_input(key="t2i_sd_path").set_value(str(tmp_path / "missing"))
    at.button(key="t2i_sd_load").click().run()
    assert_clean(at)
    assert any("does not exist" in str(e.value) for e in at.error)
    folder = tiny_stable_diffusion(tmp_path)
    at.text_input(key="t2i_sd_path").set_value(str(folder))
    at.button(key="t2i_sd_load").click().run()
    assert_clean(at)
    assert "16×16 pixel images" in page_text(at)
    at.radio(key="t2i_which").set_value("sd")
    generate(at, "a red circle", steps=2, count=1)
    assert_clean(at)
    assert "not scored" in page_text(at)
    assert at.session_state["t2i_result"]["run"].images.shape == (1, 16, 16, 3)
