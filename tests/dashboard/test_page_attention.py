"""The attention lesson: calculator, MiniLM explorer and the digit ViT, in both languages."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
from streamlit.delta_generator import DeltaGenerator

from tests.dashboard.conftest import LANGS, assert_clean, open_page, page_text


def heatmaps(chart) -> int:
    """How many heatmap traces a plotly chart element draws."""
    return sum(trace.get("type") == "heatmap" for trace in json.loads(chart.proto.spec)["data"])


def open_part(part: str, lang: str):
    at = open_page("attention", lang, timeout=180)
    if part != "calculator":
        at.radio(key="attention_part").set_value(part).run()
    return at


# -- the calculator (the part shown first) ---------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_calculator_shows_every_step_with_the_right_numbers(lang: str) -> None:
    at = open_page("attention", lang)
    assert_clean(at)
    text = page_text(at)
    for word in {
        "es": ("Paso 1", "Paso 4", "Dónde se usan", "Límites", "Hacia dónde van"),
        "en": ("Step 1", "Step 4", "Where transformers", "Limits", "heading"),
    }[lang]:
        assert word in text, word
    # The default example: token 1's softmax row is 0.050, 0.102, 0.848 (checked by hand).
    table = at.dataframe[3].value  # after the Q, K and V editors
    assert np.allclose(table.iloc[:, -1].to_numpy(), [0.0501, 0.1017, 0.8482], atol=1e-4)
    assert table.iloc[:, -1].sum() == pytest.approx(1.0, abs=1e-3)
    assert {"es": "[4,291; 4,343]", "en": "[4.291, 4.343]"}[lang] in text
    assert len(at.get("plotly_chart")) == 4


def test_calculator_follows_another_row_and_size() -> None:
    at = open_page("attention", "en")
    at.selectbox(key="attention_calc_row_3").set_value(2).run()
    assert_clean(at)
    assert "Row of **token 3**" in page_text(at)
    at.number_input(key="attention_calc_n").set_value(5).run()
    at.number_input(key="attention_calc_d").set_value(4).run()
    assert_clean(at)
    assert at.dataframe[0].value.shape[0] == 5


@pytest.mark.parametrize(
    ("lang", "words"), [("es", "fila 2, columna 1"), ("en", "row 2, column 1")]
)
def test_an_emptied_cell_gets_a_message_not_a_traceback(monkeypatch, lang, words) -> None:
    # AppTest cannot type into st.data_editor; this stands in for a learner who
    # deletes the number in K's second row, first column.
    original = DeltaGenerator.data_editor

    def emptied(self, data, *args, **kwargs):
        edited = original(self, data, *args, **kwargs)
        if str(kwargs.get("key", "")).startswith("attention_calc_K"):
            edited = edited.copy()
            edited.iloc[1, 0] = None
        return edited

    monkeypatch.setattr(DeltaGenerator, "data_editor", emptied)
    at = open_page("attention", lang)
    assert_clean(at)
    assert len(at.error) == 1 and words in at.error[0].value
    assert len(at.get("plotly_chart")) == 0  # no step drawn from a broken table


# -- MiniLM reads a sentence -------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_minilm_explorer_shows_tokens_maps_and_split_words(lang: str) -> None:
    at = open_part("text", lang)
    assert_clean(at)
    text = page_text(at)
    assert "[CLS]" in text and "[SEP]" in text
    if lang == "es":  # the Spanish default sentence: "gato" becomes ga + ##to
        assert "**gato** → `ga` · `##to`" in text
        assert "palabras** no estaban enteras" in text
    else:  # the English one: every word is whole
        assert "no token starts with ##" in text
    # The grid, the zoomed head, the token's bars and the layers map.
    assert len(at.get("plotly_chart")) == 4
    assert heatmaps(at.get("plotly_chart")[0]) == 72  # 6 layers x 12 heads


@pytest.mark.slow
def test_examples_head_choice_truncation_and_empty_text() -> None:
    at = open_part("text", "en")
    at.selectbox(key="attention_example").set_value("es_3").run()
    assert at.text_area(key="attention_text").value.startswith("El círculo rojo")
    assert "**círculo** → `ci` · `##rc` · `##ulo`" in page_text(at)
    at.slider(key="attention_layer").set_value(3).run()
    at.slider(key="attention_head").set_value(7).run()
    at.radio(key="attention_follow_how").set_value("head").run()
    assert_clean(at)
    assert "In layer 3, '" in page_text(at)

    at.text_area(key="attention_text").input(" ".join(["word"] * 80)).run()
    at.slider(key="attention_max_tokens").set_value(8).run()
    assert_clean(at)
    assert any("82 tokens" in str(w.value) for w in at.warning)

    at.text_area(key="attention_text").input("   ").run()
    assert_clean(at)
    assert "Type a sentence" in page_text(at)
    assert len(at.get("plotly_chart")) == 0


# -- images as tokens ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_vit_part_shows_patches_attention_and_the_cnn_beside_it(lang: str) -> None:
    at = open_part("images", lang)
    assert_clean(at)
    text = page_text(at)
    assert {"es": "17 tokens", "en": "17 tokens"}[lang] in text
    assert {"es": "El transformer dice", "en": "The transformer says"}[lang] in text
    values = [m.value for m in at.metric]
    assert values[:2] == (["97,1 %", "98,2 %"] if lang == "es" else ["97.1%", "98.2%"])
    # The digit and [CLS]'s attention over it, for 2 layers x 4 heads.
    assert heatmaps(at.get("plotly_chart")[2]) == 2 * 2 * 4
    at.slider(key="attention_vit_index").set_value(7).run()
    assert_clean(at)


def test_absurd_learning_rate_gets_a_clear_message() -> None:
    at = open_part("images", "es")
    at.number_input(key="attention_train_lr").set_value(5.0).run()
    at.button(key="attention_train_start").click().run()
    assert_clean(at)
    assert any("learning_rate" in str(e.value) for e in at.error)
    assert "attention_vit_job" not in at.session_state


@pytest.mark.slow
def test_train_your_own_vit_then_look_through_it() -> None:
    from lienzo.dashboard.components.model_cache import shared_pretrained

    shared = shared_pretrained("vit-digits")
    before = shared.state_dict()
    at = open_part("images", "en")
    at.selectbox(key="attention_train_patch").set_value(4).run()
    at.number_input(key="attention_train_epochs").set_value(3).run()
    at.button(key="attention_train_start").click().run()
    assert_clean(at)
    job = at.session_state["attention_vit_job"]
    assert job.wait(120)
    at.run()
    assert_clean(at)
    assert job.status == "finished" and len(job.history) == 3
    assert at.metric[-1].label == "Your transformer, versus the pretrained one"
    assert float(at.metric[-1].value.rstrip("%")) > 20  # 3 epochs of 4x4 patches; chance is 10
    at.radio(key="attention_vit_which").set_value("own").run()
    assert_clean(at)
    assert "The 4 patches plus [CLS] make **5 tokens**" in page_text(at)
    after = shared_pretrained("vit-digits").state_dict()
    assert job.model is not shared and all((before[k] == after[k]).all() for k in before)


@pytest.mark.slow
def test_stop_button_stops_a_long_run() -> None:
    at = open_part("images", "es")
    at.number_input(key="attention_train_epochs").set_value(100).run()
    at.button(key="attention_train_start").click().run()
    time.sleep(1.0)
    at.button(key="attention_train_stop").click().run()
    job = at.session_state["attention_vit_job"]
    assert job.wait(60)
    assert job.status == "stopped" and len(job.history) < 100


@pytest.mark.slow
def test_onnx_export_is_validated_on_the_page() -> None:
    # One language: the export is the slow part and the texts are checked by test_i18n.
    lang = "es"
    at = open_part("images", lang)
    at.button(key="attention_onnx").click().run()
    assert_clean(at)
    assert len(at.success) == 1, page_text(at)
    message = at.success[0].value
    assert "1, 4, 7" in message and "450" in message
    assert {"es": "450 de 450", "en": "450 of 450"}[lang] in message
