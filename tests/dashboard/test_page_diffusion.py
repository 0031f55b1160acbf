"""The diffusion lesson: forward process, reverse process, samplers, training, ONNX."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.dashboard.conftest import LANGS, assert_clean, open_page, page_text

TEXTS = {
    "es": {
        "title": "Modelos de difusión",
        "symbols": "la parte acumulada de la imagen original",
        "snr": "La relación señal-ruido (SNR)",
        "steps": "El número de pasos debe ser al menos 1",
        "float16": "float16 (media precisión) es un ahorro para GPU",
        "result": "Resultado: se pidió 7",
        "beta": "Hace falta 0 < beta_1 < beta_T < 1",
        "compare": "Calidad frente a tiempo",
    },
    "en": {
        "title": "Diffusion models",
        "symbols": "the cumulative share of the original image kept",
        "snr": "The signal-to-noise ratio (SNR)",
        "steps": "The number of steps must be at least 1",
        "float16": "float16 (half precision) is a GPU saving",
        "result": "Result: asked for 7",
        "beta": "beta_1 and beta_T need 0 < beta_1 < beta_T < 1",
        "compare": "Quality against time",
    },
}


def open_diffusion(lang: str):
    at = open_page("diffusion", lang, timeout=180)
    assert_clean(at)
    return at


@pytest.mark.parametrize("lang", LANGS)
def test_page_explains_the_symbols_and_noises_a_digit(lang: str) -> None:
    at = open_diffusion(lang)
    text = page_text(at)
    for key in ("title", "symbols", "snr", "compare"):
        assert TEXTS[lang][key] in text, key
    assert len(at.get("plotly_chart")) >= 2  # the schedule plots and the comparison
    assert at.slider(key="diffusion_t").value == 100


@pytest.mark.parametrize("lang", LANGS)
def test_steps_below_one_and_float16_get_messages(lang: str) -> None:
    at = open_diffusion(lang)
    at.number_input(key="diffusion_steps").set_value(0).run()
    assert_clean(at)
    assert any(TEXTS[lang]["steps"] in str(e.value) for e in at.error)
    at.number_input(key="diffusion_steps").set_value(-5).run()
    assert any(TEXTS[lang]["steps"] in str(e.value) for e in at.error)
    at.number_input(key="diffusion_steps").set_value(10).run()
    at.radio(key="diffusion_precision").set_value("float16").run()
    at.button(key="diffusion_generate").click().run()
    assert_clean(at)
    assert any(TEXTS[lang]["float16"] in str(e.value) for e in at.error)


@pytest.mark.parametrize("lang", LANGS)
def test_generate_draws_the_digit_and_the_same_seed_repeats(lang: str) -> None:
    at = open_diffusion(lang)
    at.selectbox(key="diffusion_class").set_value(7)
    at.number_input(key="diffusion_steps").set_value(10)
    at.button(key="diffusion_generate").click().run()
    assert_clean(at)
    assert TEXTS[lang]["result"] in page_text(at)
    first = at.session_state["diffusion_samples"]
    assert first.digits.shape == (8, 8, 8) and len(first.steps) == 6
    at.button(key="diffusion_generate").click().run()
    assert np.array_equal(first.digits, at.session_state["diffusion_samples"].digits)


def test_timesteps_of_every_spacing_are_listed() -> None:
    at = open_diffusion("en")
    at.number_input(key="diffusion_steps").set_value(10).run()
    listed = at.dataframe[0].value  # the first table is the timesteps one
    assert len(listed) == 3
    text = " ".join(str(v) for v in listed.iloc[:, -1])
    assert "900 800 700" in text  # leading
    assert "999 899 799" in text  # trailing
    assert "999 888 777" in text  # linspace


def test_schedule_controls_validate_and_t_follows_T() -> None:
    at = open_diffusion("en")
    at.slider(key="diffusion_t").set_value(900).run()
    at.number_input(key="diffusion_T").set_value(200).run()
    assert_clean(at)
    assert at.slider(key="diffusion_t").value == 199  # clamped to the new T - 1
    at.number_input(key="diffusion_beta1").set_value(0.5).run()
    assert any(TEXTS["en"]["beta"] in str(e.value) for e in at.error)
    at.selectbox(key="diffusion_schedule").set_value("squaredcos_cap_v2").run()
    assert_clean(at)
    assert not at.error  # the cosine schedule does not read beta_1


def test_a_sample_photo_can_be_noised() -> None:
    at = open_diffusion("es")
    at.radio(key="diffusion_source").set_value("image").run()
    assert_clean(at)
    assert TEXTS["es"]["snr"] in page_text(at)


@pytest.mark.slow
def test_train_your_own_then_draw_with_it() -> None:
    from lienzo.dashboard.components.model_cache import shared_pretrained

    shared = shared_pretrained("diffusion-digits")
    before = shared.state_dict()
    at = open_diffusion("en")
    at.number_input(key="diffusion_train_steps").set_value(20).run()
    at.button(key="diffusion_start").click().run()
    assert_clean(at)
    job = at.session_state["diffusion_job"]
    assert job.wait(300)
    at.run()
    assert_clean(at)
    assert "Your model against the pretrained one" in page_text(at)
    at.radio(key="diffusion_which").set_value("own").run()
    at.number_input(key="diffusion_steps").set_value(5)
    at.button(key="diffusion_generate").click().run()
    assert_clean(at)
    assert job.model is not shared
    after = shared.state_dict()
    assert all((before[name] == after[name]).all() for name in before)


@pytest.mark.slow
def test_stop_button_stops_training() -> None:
    import time

    at = open_diffusion("es")
    at.number_input(key="diffusion_train_steps").set_value(5000).run()
    at.button(key="diffusion_start").click().run()
    time.sleep(1.0)
    at.button(key="diffusion_stop").click().run()
    job = at.session_state["diffusion_job"]
    assert job.wait(120)
    assert job.status == "stopped" and job.result.steps < 5000


def test_absurd_learning_rate_gets_a_clear_message() -> None:
    at = open_diffusion("es")
    at.number_input(key="diffusion_lr").set_value(5.0).run()
    at.button(key="diffusion_start").click().run()
    assert_clean(at)
    assert any("learning_rate" in str(e.value) for e in at.error)


@pytest.mark.slow
def test_onnx_export_and_comparison() -> None:
    at = open_diffusion("es")
    at.button(key="diffusion_onnx_button").click().run(timeout=300)
    assert_clean(at)
    outcome = at.session_state["diffusion_onnx"]
    assert outcome["passed"] and outcome["max_diff"] < 0.05
    assert "Exportación validada con lotes de 1, 4, 7" in at.success[0].value


CASES = Path(__file__).parent.parent / "cases" / "images"


@pytest.mark.parametrize(
    "name",
    ["rgba_alpha_gradient_64x64.png", "gray_L_64x64.png", "gray_alpha_LA_64x64.png"],
)
def test_uploaded_cases_reach_the_forward_process(name: str) -> None:
    """The page noises grey images as (H, W) and colour ones as (H, W, 3)."""
    from lienzo.dashboard.labs.image_loading import downscale, load_image
    from lienzo.plugins.diffusion.schedules import (
        ScheduleConfig,
        gaussian_noise,
        noisy_sequence,
        to_model_range,
    )

    loaded = downscale(load_image((CASES / name).read_bytes(), name), 64)
    x0_unit = loaded.gray if loaded.is_grey else loaded.rgb / 255.0
    x0 = to_model_range(x0_unit)
    noisy = noisy_sequence(x0, [0, 500, 999], gaussian_noise(x0.shape, 0), ScheduleConfig())
    assert noisy.shape == (3, *x0.shape) and np.isfinite(noisy).all()
