"""The GAN lesson: generate, walk, train live with stop, judge, export, in both languages."""

from __future__ import annotations

import time

import pytest

from tests.dashboard.conftest import LANGS, assert_clean, open_page, page_text

WORDS = {
    "generated": {"es": "Preentrenado (Lienzo)", "en": "Pretrained (Lienzo)"},
    "fid": {"es": "la idea del FID", "en": "the FID idea"},
    "stopped": {"es": "Parado por ti", "en": "Stopped by you"},
    "same": {"es": "Las mismas imágenes", "en": "The same images"},
}


def wait_for(condition, seconds: float = 90.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.parametrize("lang", LANGS)
def test_gan_page_generates_and_walks(lang: str) -> None:
    at = open_page("gan", lang, timeout=120)
    assert_clean(at)
    text = page_text(at)
    assert WORDS["fid"][lang] in text
    charts = {chart.proto.id for chart in at.get("plotly_chart")}
    assert len(charts) >= 2  # the generated digits and the latent walk
    at.number_input(key="gan_generate_seed").set_value(42).run()
    assert_clean(at)
    at.slider(key="gan_walk_steps").set_value(5).run()
    at.toggle(key="gan_walk_spherical").set_value(True).run()
    assert_clean(at)
    # Without a run of their own, only the pretrained generator is offered.
    assert at.radio(key="gan_walk_model").options == [WORDS["generated"][lang]]


@pytest.mark.parametrize(
    ("lang", "key", "value", "field"),
    [
        ("es", "gan_lr_d", 5.0, "lr_d"),
        ("en", "gan_lr_g", 0.0, "lr_g"),
        ("es", "gan_batch", 0, "batch_size"),
        ("en", "gan_latent", 0, "latent_dim"),
        ("en", "gan_d_steps", 0, "d_steps"),
    ],
)
def test_bad_settings_get_a_clear_message(lang: str, key: str, value: float, field: str) -> None:
    at = open_page("gan", lang, timeout=120)
    at.number_input(key=key).set_value(value).run()
    at.button(key="gan_start").click().run()
    assert_clean(at)
    assert "gan_job" not in at.session_state
    errors = [str(e.value) for e in at.error]
    assert any(field in e for e in errors), errors
    assert any({"es": "debe estar entre", "en": "must be between"}[lang] in e for e in errors)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_train_live_then_stop_shows_curves_grid_judge_and_own_model(lang: str) -> None:
    at = open_page("gan", lang, timeout=120)
    at.number_input(key="gan_steps").set_value(5000).run()
    at.button(key="gan_start").click().run()
    assert_clean(at)
    job = at.session_state["gan_job"]
    assert job.running
    assert wait_for(lambda: any(p.judged for p in job.history))  # the first grid (100 steps)
    at.button(key="gan_stop").click().run()
    assert job.wait(60) and job.status == "stopped"
    at.run()
    assert_clean(at)
    assert WORDS["stopped"][lang] in page_text(at)
    keys = {chart.proto.id for chart in at.get("plotly_chart")}
    assert len(keys) >= 8  # generated x2, walk, losses, D outputs, grid, histogram, judge x2
    assert job.history[-1].epoch < 5000
    # The learner's generator is now offered beside the pretrained one.
    at.radio(key="gan_walk_model").set_value("own").run()
    assert_clean(at)


def test_a_diverged_run_is_reported_as_diverged() -> None:
    at = open_page("gan", "en", timeout=120)
    at.number_input(key="gan_lr_g").set_value(0.9).run()
    at.number_input(key="gan_lr_d").set_value(0.9).run()
    at.button(key="gan_start").click().run()
    job = at.session_state["gan_job"]
    assert job.wait(60) and job.status == "diverged"
    at.run()
    assert_clean(at)
    assert any("diverged" in str(e.value) for e in at.error)
    # A diverged generator is not offered for generation.
    assert at.radio(key="gan_walk_model").options == ["Pretrained (Lienzo)"]


@pytest.mark.slow
def test_onnx_export_matches_pytorch_on_the_page() -> None:
    at = open_page("gan", "es", timeout=120)
    at.button(key="gan_export").click().run()
    assert_clean(at)
    check = at.session_state["gan_onnx"][1]
    assert check.report["passed"] and check.equal
    assert WORDS["same"]["es"] in page_text(at)
