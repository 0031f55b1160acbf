"""The autoencoders lesson in both languages: variants, map, interpolation, algebra,
denoising, VAE sampling, live training with stop, bad settings, comparison table."""

from __future__ import annotations

import time

import pytest

from tests.dashboard.conftest import LANGS, assert_clean, open_page, page_text

PAGE = "autoencoders"
TEXTS = {
    "es": {"title": "Autoencoders", "compare": "El tuyo frente al preentrenado"},
    "en": {"title": "Autoencoders", "compare": "Yours against the pretrained one"},
}


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_page_opens_with_every_section(lang: str) -> None:
    at = open_page(PAGE, lang, timeout=180)
    assert_clean(at)
    assert TEXTS[lang]["title"] in at.title[0].value
    # reconstructions, map + decoded point, interpolation, algebra, denoising
    assert len(at.get("plotly_chart")) >= 6
    table = at.dataframe[0].value
    assert len(table.columns) == 1 + 4  # the figure's name, then the four pretrained variants
    assert {"es": "proyección", "en": "projection"}[lang] in page_text(at)


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "variant"), [("en", "conv"), ("es", "denoising")])
def test_switching_variant_redraws(lang: str, variant: str) -> None:
    at = open_page(PAGE, lang, timeout=180)
    at.radio(key="ae_variant").set_value(variant).run()
    assert_clean(at)
    assert {"es": "quitarruido", "en": "denoising"}[lang] in page_text(at).lower()


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_vae_samples_interpolates_spherically_and_moves_the_map(lang: str) -> None:
    at = open_page(PAGE, lang, timeout=180)
    at.radio(key="ae_variant").set_value("vae").run()
    assert_clean(at)
    text = page_text(at)
    assert {"es": "reparametrización", "en": "reparameterisation"}[lang] in text
    assert len(at.metric) >= 4 + 4  # recon (2) + denoise (3) + judge (4)
    at.selectbox(key="ae_interp_a_digit").set_value(3)
    at.slider(key="ae_interp_n").set_value(5)
    at.radio(key="ae_interp_path_ae-vae").set_value("spherical").run()
    assert_clean(at)
    at.slider(key="ae_map_x_ae-vae_pretrained").set_value(0.5).run()
    assert_clean(at)
    at.number_input(key="ae_seed").set_value(7).run()
    assert_clean(at)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_algebra_and_denoising_controls(lang: str) -> None:
    at = open_page(PAGE, lang, timeout=180)
    at.selectbox(key="ae_algebra_a").set_value(9)
    at.toggle(key="ae_algebra_mean").set_value(False).run()
    assert_clean(at)
    assert {"es": "lee el resultado como", "en": "reads the result as"}[lang] in page_text(at)
    at.slider(key="ae_noise").set_value(0.6).run()
    assert_clean(at)
    labels = [m.label for m in at.metric]
    assert {"es": "PSNR después", "en": "PSNR after"}[lang] in labels


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_train_a_vae_live_then_compare(lang: str) -> None:
    at = open_page(PAGE, lang, timeout=180)
    at.radio(key="ae_variant").set_value("vae").run()
    at.number_input(key="ae_epochs").set_value(3)
    at.slider(key="ae_beta").set_value(1.5)
    at.button(key="ae_start").click().run()
    assert_clean(at)
    job = at.session_state["ae_jobs"]["ae-vae"]
    assert job.config.beta == 1.5 and job.config.judge_samples > 0
    assert job.wait(120) and job.status == "finished"
    at.run()
    assert_clean(at)
    assert TEXTS[lang]["compare"] in page_text(at)
    assert {"reconstruction", "kl", "judge_confident_share"} <= set(job.history[-1].extra)
    assert len(at.dataframe[0].value.columns) == 1 + 5  # four pretrained models and yours
    at.radio(key="ae_which_ae-vae").set_value("own").run()  # explore with your own model
    assert_clean(at)
    if lang == "en":  # export your own model: both graphs pass, the table shows their size
        at.button(key="ae_export_button").click().run()
        assert_clean(at)
        assert len(at.success) == 2 and "encoder" in at.success[0].value
        own_column = at.dataframe[0].value.iloc[:, -1]
        assert own_column.iloc[-1] != "—"  # the ONNX size row


@pytest.mark.slow
def test_stop_button_stops_a_long_run() -> None:
    at = open_page(PAGE, "en", timeout=180)
    at.number_input(key="ae_epochs").set_value(1000).run()
    at.button(key="ae_start").click().run()
    time.sleep(1.0)
    at.button(key="ae_stop").click().run()
    job = at.session_state["ae_jobs"]["ae-dense"]
    assert job.wait(30) and job.status == "stopped"
    assert len(job.history) < 1000
    at.run()
    assert_clean(at)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("lang", "key", "value", "field"),
    [("en", "ae_lr", 5.0, "learning_rate"), ("es", "ae_epochs", 0, "epochs")],
)
def test_bad_settings_get_a_clear_message(lang: str, key: str, value, field: str) -> None:
    at = open_page(PAGE, lang, timeout=180)
    at.number_input(key=key).set_value(value).run()
    at.button(key="ae_start").click().run()
    assert_clean(at)
    assert "ae-dense" not in at.session_state["ae_jobs"]
    assert any(field in str(e.value) for e in at.error)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_a_diverged_run_is_reported_as_diverged(lang: str, monkeypatch) -> None:
    from lienzo.plugins.autoencoder import training

    real = training.objective

    def exploding(*args, **kwargs):  # the loss of a run whose weights blew up
        loss, parts = real(*args, **kwargs)
        return loss * float("inf"), parts

    monkeypatch.setattr(training, "objective", exploding)
    at = open_page(PAGE, lang, timeout=180)
    at.number_input(key="ae_epochs").set_value(3)
    at.button(key="ae_start").click().run()
    job = at.session_state["ae_jobs"]["ae-dense"]
    assert job.wait(60) and job.status == "diverged"
    at.run()
    assert_clean(at)
    assert any({"es": "divergido", "en": "diverged"}[lang] in str(e.value) for e in at.error)
    assert len(at.dataframe[0].value.columns) == 1 + 4  # a diverged run is not compared
