"""The three "images and convolution" pages in both languages, driven through their widgets.

AppTest cannot upload files; the upload path is covered through load_image in
test_image_loading.py, and here we check the uploader is offered with the right limits.
"""

from __future__ import annotations

import pytest

from lienzo.dashboard.labs.image_loading import ALLOWED_EXTENSIONS, MAX_UPLOAD_MB
from tests.dashboard.conftest import LANGS, assert_clean, open_page, page_text

WORKED_OUTPUT = "[[4, 3, 4], [2, 4, 3], [2, 3, 4]]"


def image_captions(at) -> str:
    return " ".join(
        " ".join(str(c) for c in element.captions)
        for element in at.main
        if type(element).__name__ == "Image"
    )


def assert_no_problem(at) -> None:
    assert_clean(at)
    assert not at.error, [e.value for e in at.error]


# ---- images are numbers ----------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_images_numbers_default_digit(lang: str) -> None:
    at = open_page("images_numbers", lang)
    assert_no_problem(at)
    text = page_text(at)
    assert {"es": "Las imágenes son números", "en": "Images are numbers"}[lang] in text
    assert {"es": "8 filas × 8 columnas", "en": "8 rows × 8 columns"}[lang] in text
    charts = [chart.proto.spec for chart in at.get("plotly_chart")]
    assert any('"z"' in spec for spec in charts)
    assert at.dataframe, "the patch is shown as a table too"


@pytest.mark.parametrize("lang", LANGS)
def test_images_numbers_colour_sample_patch_and_scale(lang: str) -> None:
    at = open_page("images_numbers", lang)
    at.selectbox(key="numbers_sample").set_value("astronaut").run()
    assert_no_problem(at)
    assert "512 × 512 × 3" in page_text(at)
    at.slider(key="numbers_size_512x512").set_value(16).run()
    at.slider(key="numbers_row_512x512").set_value(100).run()
    at.slider(key="numbers_col_512x512").set_value(496).run()  # the last possible column
    at.radio(key="numbers_scale").set_value("unit").run()
    assert_no_problem(at)
    text = page_text(at)
    assert {"es": "fila 100, columna 496", "en": "row 100, column 496"}[lang] in text
    assert len(at.tabs) == 4  # R, G, B and grey


@pytest.mark.parametrize("lang", LANGS)
def test_images_numbers_upload_choice_shows_limits_in_language(lang: str) -> None:
    at = open_page("images_numbers", lang)
    at.radio(key="numbers_source").set_value("upload").run()
    assert_no_problem(at)
    caption = " ".join(c.value for c in at.caption)
    assert f"{MAX_UPLOAD_MB} MB" in caption
    assert {"es": "24 megapíxeles", "en": "24 megapixels"}[lang] in caption
    uploader = at.get("file_uploader")[0].proto
    assert uploader.max_upload_size_mb == MAX_UPLOAD_MB
    assert {ext.lstrip(".") for ext in uploader.type} == set(ALLOWED_EXTENSIONS)
    assert at.info, "the learner is told to upload something"


# ---- convolution -----------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_convolution_worked_example_by_default(lang: str) -> None:
    at = open_page("convolution", lang)
    assert_no_problem(at)
    text = page_text(at)
    assert WORKED_OUTPUT in text.split("`")  # the whole output, computed
    assert "= **4**" in text  # the step-by-step sum for output (0, 0)
    assert {"es": "correlación cruzada", "en": "cross-correlation"}[lang] in text
    assert len(at.get("plotly_chart")) == 3  # input, kernel, output side by side


@pytest.mark.parametrize("lang", LANGS)
def test_convolution_preset_stride_padding(lang: str) -> None:
    at = open_page("convolution", lang)
    at.selectbox(key="conv_preset").set_value("identity").run()
    at.radio(key="conv_padding").set_value(1).run()
    assert_no_problem(at)
    assert "[[1, 1, 1, 0, 0], [0, 1, 1, 1, 0]" in page_text(at)  # identity gives the input back
    at.selectbox(key="conv_preset").set_value("shift").run()
    assert "[[0, 1, 1, 1, 0], [0, 0, 1, 1, 1]" in page_text(at)  # moved right by one
    at.radio(key="conv_stride").set_value(2).run()
    assert_no_problem(at)
    assert "**3**" in page_text(at)  # (5 + 2 - 3) / 2 + 1 = 3
    at.radio(key="conv_size").set_value(5).run()
    at.selectbox(key="conv_preset").set_value("edge").run()
    assert_no_problem(at)


@pytest.mark.parametrize("lang", LANGS)
def test_convolution_on_an_image(lang: str) -> None:
    at = open_page("convolution", lang)
    at.radio(key="conv_input").set_value("image").run()
    at.selectbox(key="conv_preset").set_value("edge").run()
    assert_no_problem(at)
    assert {"es": "Salida: 510 × 510", "en": "Output: 510 × 510"}[lang] in image_captions(at)
    at.radio(key="conv_display").set_value("rescale").run()
    at.selectbox(key="conv_sample").set_value("coffee").run()
    at.radio(key="conv_stride").set_value(2).run()
    assert_no_problem(at)
    # 400 x 600 reduced to 341 x 512 for speed (the learner is told), then stride 2.
    assert {"es": "Salida: 170 × 255", "en": "Output: 170 × 255"}[lang] in image_captions(at)
    assert any("341" in info.value for info in at.info)


def test_convolution_big_kernel_and_stride_on_a_tiny_image() -> None:
    at = open_page("convolution", "en")
    at.radio(key="conv_input").set_value("image").run()
    at.selectbox(key="conv_sample").set_value("digit_3").run()
    at.radio(key="conv_size").set_value(5).run()
    at.radio(key="conv_stride").set_value(3).run()
    assert_no_problem(at)  # 8 x 8 with a 5 x 5 kernel still fits
    assert "Output: 2 × 2" in image_captions(at)  # (8 - 5) // 3 + 1 = 2


# ---- pooling ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_pooling_worked_examples(lang: str) -> None:
    at = open_page("pooling", lang)
    assert_no_problem(at)
    assert "[[100, 184], [12, 45]]" in page_text(at)
    at.radio(key="pool_mode").set_value("avg").run()
    assert_no_problem(at)
    text = page_text(at)
    expected = {"es": "[[36,5; 80]; [12; 15]]", "en": "[[36.5, 80], [12, 15]]"}[lang]
    assert expected in text
    assert "36" in " ".join(i.value for i in at.info) and "37" in " ".join(i.value for i in at.info)


@pytest.mark.parametrize("lang", LANGS)
def test_pooling_window_stride_and_image(lang: str) -> None:
    at = open_page("pooling", lang)
    assert "512 × 512 → 256 × 256" in page_text(at)
    at.radio(key="pool_size").set_value(3).run()
    at.radio(key="pool_stride").set_value(1).run()
    assert_no_problem(at)
    assert "[[100, 184], [100, 100]]" in page_text(at)  # 3 x 3 windows, overlapping
    at.slider(key="pool_times").set_value(3).run()
    at.selectbox(key="pool_sample").set_value("astronaut").run()
    assert_no_problem(at)


def test_pooling_too_many_times_is_a_message_not_a_traceback() -> None:
    at = open_page("pooling", "es")
    at.selectbox(key="pool_sample").set_value("digit_3").run()
    at.radio(key="pool_size").set_value(3).run()
    at.radio(key="pool_stride").set_value(3).run()
    at.slider(key="pool_times").set_value(3).run()
    assert_clean(at)
    assert at.error and "no cabe" in at.error[0].value
