"""The digits split and the drawing/upload -> 8x8 digit conversion."""

from __future__ import annotations

import numpy as np
import pytest

from lienzo.plugins.datasets.digits import (
    _resize_area,
    drawing_to_digit,
    image_to_digit,
    load_digits_split,
)

CANVAS = 280


def stroke_canvas(color=(255, 255, 255), opaque_background: bool = False) -> np.ndarray:
    """A drawn "1": a vertical bar, as streamlit-drawable-canvas returns it (RGBA uint8)."""
    rgba = np.zeros((CANVAS, CANVAS, 4), np.uint8)
    if opaque_background:
        rgba[..., 3] = 255  # black, opaque
    rgba[40:240, 125:155, :3] = color
    rgba[40:240, 125:155, 3] = 255
    return rgba


def test_split_is_fixed_stratified_and_shaped_like_the_dataset() -> None:
    split = load_digits_split()
    assert split.x_train.shape == (1347, 8, 8) and split.x_test.shape == (450, 8, 8)
    assert split.x_train.dtype == np.float32 and split.y_train.dtype == np.int64
    assert split.x_train.min() == 0 and split.x_train.max() == 16
    # Stratified: every class is ~25% held out.
    per_class = np.bincount(split.y_test) / (np.bincount(split.y_test) + np.bincount(split.y_train))
    assert np.allclose(per_class, 0.25, atol=0.02)
    again = load_digits_split()
    assert np.array_equal(again.x_test, split.x_test) and np.array_equal(again.y_test, split.y_test)
    with pytest.raises(ValueError):  # cached and shared, so read-only
        split.x_train[0, 0, 0] = 1


def test_area_resize_averages_blocks_and_keeps_constants() -> None:
    image = np.arange(64, dtype=float).reshape(8, 8)
    blocks = image.reshape(2, 4, 2, 4).mean(axis=(1, 3))
    assert np.allclose(_resize_area(image, 2, 2), blocks)
    assert np.allclose(_resize_area(np.full((7, 13), 0.3), 5, 3), 0.3)


def test_drawn_stroke_becomes_a_centred_full_height_digit() -> None:
    digit = drawing_to_digit(stroke_canvas())
    assert digit is not None and digit.shape == (8, 8) and digit.dtype == np.float32
    assert digit.min() >= 0 and digit.max() <= 16
    assert np.all(digit[[0, -1]].max(axis=1) > 4)  # height fills the box, as in the dataset
    columns = np.flatnonzero(digit.max(axis=0) > 1)
    assert set(columns) <= {3, 4}  # a thin bar stays thin and central


def test_colour_and_background_do_not_matter() -> None:
    white_on_transparent = drawing_to_digit(stroke_canvas())
    blue_on_transparent = drawing_to_digit(stroke_canvas(color=(20, 40, 120)))
    white_on_black = drawing_to_digit(stroke_canvas(opaque_background=True))
    assert np.allclose(white_on_transparent, blue_on_transparent)
    assert np.allclose(white_on_transparent, white_on_black, atol=0.01)


def test_upload_polarity_is_detected() -> None:
    light_on_dark = np.zeros((100, 60))
    light_on_dark[10:90, 25:35] = 1.0
    dark_on_light = 1.0 - light_on_dark
    expected = image_to_digit(light_on_dark, ink_is_dark=False)
    assert np.allclose(image_to_digit(dark_on_light), expected)
    assert np.allclose(image_to_digit(light_on_dark), expected)
    assert np.allclose(image_to_digit(dark_on_light, ink_is_dark=True), expected)


def test_empty_drawings_give_none() -> None:
    assert drawing_to_digit(np.zeros((CANVAS, CANVAS, 4), np.uint8)) is None
    opaque_black = np.zeros((50, 50, 4), np.uint8)
    opaque_black[..., 3] = 255
    assert drawing_to_digit(opaque_black) is None
    assert image_to_digit(np.full((20, 20), 0.7)) is None


def test_bad_inputs_get_clear_errors() -> None:
    with pytest.raises(ValueError, match="RGBA"):
        drawing_to_digit(np.zeros((10, 10, 3), np.uint8))
    with pytest.raises(ValueError, match="2-D"):
        image_to_digit(np.zeros((10, 10, 3)))
    with pytest.raises(ValueError, match="NaN"):
        image_to_digit(np.full((5, 5), np.nan))
