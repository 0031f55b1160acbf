"""The CNN lesson: prediction, feature maps, live training with stop, comparison."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.dashboard.conftest import LANGS, assert_clean, open_page, page_text


@pytest.mark.parametrize("lang", LANGS)
def test_cnn_page_predicts_a_test_digit_and_shows_every_layer(lang: str) -> None:
    at = open_page("cnn", lang, timeout=120)
    assert_clean(at)
    text = page_text(at)
    assert {"es": "La red dice", "en": "The network says"}[lang] in text
    # One chart for the input, one for the probabilities, one per layer shown.
    assert len(at.get("plotly_chart")) >= 8


def test_another_sample_changes_the_input() -> None:
    at = open_page("cnn", "en", timeout=120)
    at.slider(key="cnn_index").set_value(5).run()
    assert_clean(at)
    assert "True label" in page_text(at)


def test_drawing_mode_without_a_drawing_says_so() -> None:
    at = open_page("cnn", "es", timeout=120)
    at.radio(key="cnn_source").set_value("draw").run()
    assert_clean(at)
    assert "Todavía no hay nada dibujado" in page_text(at)


@pytest.mark.slow
def test_train_your_own_runs_stops_and_compares() -> None:
    from lienzo.dashboard.components.model_cache import shared_pretrained

    shared = shared_pretrained("cnn-lenet5")
    before = {name: tensor.clone() for name, tensor in shared.state_dict().items()}
    at = open_page("cnn", "en", timeout=120)
    at.number_input(key="cnn_epochs").set_value(3).run()
    at.button(key="cnn_start").click().run()
    assert_clean(at)
    job = at.session_state["cnn_job"]
    assert job.wait(120)
    at.run()
    assert_clean(at)
    text = page_text(at)
    assert "Your network versus the pretrained one" in text
    assert job.history[-1].val_accuracy > 0.5
    # The learner's model can now answer instead of the pretrained one.
    at.radio(key="cnn_which_model").set_value("own").run()
    assert_clean(at)
    # The model shared by every session was not touched by this session's training.
    assert job.model is not shared
    after = shared_pretrained("cnn-lenet5").state_dict()
    assert all((before[name] == after[name]).all() for name in before)


@pytest.mark.slow
def test_stop_button_stops_a_long_run_and_keeps_the_model() -> None:
    at = open_page("cnn", "es", timeout=120)
    at.number_input(key="cnn_epochs").set_value(60).run()
    at.button(key="cnn_start").click().run()
    time.sleep(1.0)
    at.button(key="cnn_stop").click().run()
    job = at.session_state["cnn_job"]
    assert job.wait(30)
    assert job.status == "stopped"
    assert len(job.history) < 60


def test_absurd_learning_rate_gets_a_clear_message() -> None:
    at = open_page("cnn", "en", timeout=120)
    at.number_input(key="cnn_lr").set_value(0.0).run()
    at.button(key="cnn_start").click().run()
    assert_clean(at)
    assert any("Learning rate" in str(e.value) and "between" in str(e.value) for e in at.error)


@pytest.mark.slow
def test_exploding_run_is_reported_as_diverged_not_finished() -> None:
    at = open_page("cnn", "es", timeout=120)
    at.number_input(key="cnn_lr").set_value(1.0).run()
    at.number_input(key="cnn_epochs").set_value(3).run()
    at.button(key="cnn_start").click().run()
    job = at.session_state["cnn_job"]
    assert job.wait(120)
    at.run()
    assert_clean(at)
    assert job.status == "diverged"
    assert any("tasa de aprendizaje" in str(e.value) for e in at.error)


def test_upload_mode_waits_for_a_file_in_both_languages() -> None:
    for lang, limits in (("es", "Límites: 16 MB"), ("en", "Limits: 16 MB")):
        at = open_page("cnn", lang, timeout=120)
        at.radio(key="cnn_source").set_value("upload").run()
        assert_clean(at)
        assert limits in page_text(at)


CASES = Path(__file__).parent.parent / "cases" / "images"


@pytest.mark.parametrize(
    "name",
    [
        "rgba_alpha_gradient_64x64.png",
        "gray_L_64x64.png",
        "gray_alpha_LA_64x64.png",
        "cmyk_300x200_patches.jpg",
    ],
)
def test_uploaded_cases_reach_the_cnn_with_the_shape_it_expects(name: str) -> None:
    from lienzo.dashboard.labs.image_loading import load_image
    from lienzo.plugins.datasets.digits import image_to_digit
    from lienzo.registry import get

    loaded = load_image((CASES / name).read_bytes(), name)
    digit = image_to_digit(loaded.gray)
    if digit is None:  # a flat image has no stroke: the page says so
        return
    assert digit.shape == (8, 8) and 0 <= digit.min() and digit.max() <= 16
    prediction = get("cnn-lenet5").pretrained().predict(digit)
    assert prediction.probabilities.shape == (1, 10)
