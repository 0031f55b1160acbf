"""The convolution lab: the syllabus' worked example, the presets, and that torch computes it."""

from __future__ import annotations

import numpy as np
import pytest
import torch.nn.functional as F
from scipy import signal

from lienzo.dashboard.labs import convolution as conv
from lienzo.dashboard.labs.convolution import (
    KERNEL_ARITHMETIC,
    KERNEL_PRESETS,
    WORKED_IMAGE,
    WORKED_KERNEL,
    ConvolutionError,
    combine,
    convolve,
    embed,
    explain_position,
    feature_maps,
    output_size,
)

RNG = np.random.default_rng(7)
PICTURE = RNG.integers(0, 256, (9, 11)).astype(float)


def test_worked_example_exactly() -> None:
    result = convolve(WORKED_IMAGE, WORKED_KERNEL, stride=1, padding=0)
    assert result.tolist() == [[4, 3, 4], [2, 4, 3], [2, 3, 4]]
    assert np.array_equal(result, conv.WORKED_OUTPUT)


def test_the_six_syllabus_presets_and_the_arithmetic_one() -> None:
    assert list(KERNEL_PRESETS) == [
        "identity",
        "shift",
        "box_blur",
        "gaussian_blur",
        "sharpen",
        "edge",
        "sharpen_from_blur",
    ]
    k = {name: preset.kernel for name, preset in KERNEL_PRESETS.items()}
    assert k["identity"].tolist() == [[0, 0, 0], [0, 1, 0], [0, 0, 0]]
    assert k["shift"].tolist() == [[0, 0, 0], [1, 0, 0], [0, 0, 0]]
    assert np.allclose(k["box_blur"], np.ones((3, 3)) / 9)
    assert np.allclose(k["gaussian_blur"], np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16)
    assert k["sharpen"].tolist() == [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]
    assert k["edge"].tolist() == [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]
    assert np.allclose(k["sharpen_from_blur"], 2 * k["identity"] - k["box_blur"])
    assert all(not preset.kernel.flags.writeable for preset in KERNEL_PRESETS.values())


def test_identity_changes_nothing() -> None:
    assert np.array_equal(convolve(PICTURE, KERNEL_PRESETS["identity"].kernel, padding=1), PICTURE)


def test_shift_moves_the_image_right_by_one_pixel() -> None:
    out = convolve(PICTURE, KERNEL_PRESETS["shift"].kernel, padding=1)
    assert np.array_equal(out[:, 1:], PICTURE[:, :-1])
    assert (out[:, 0] == 0).all()  # the zero padding comes in from the left


def test_blurs_keep_flat_areas_and_average() -> None:
    flat = np.full((6, 6), 80.0)
    for name in ("box_blur", "gaussian_blur"):
        assert np.allclose(convolve(flat, KERNEL_PRESETS[name].kernel), 80.0)
        assert KERNEL_PRESETS[name].kernel.sum() == pytest.approx(1.0)
    assert convolve(PICTURE[:3, :3], KERNEL_PRESETS["box_blur"].kernel)[0, 0] == pytest.approx(
        PICTURE[:3, :3].mean()
    )


def test_edge_is_zero_on_flat_areas_and_sharpen_keeps_them() -> None:
    flat = np.full((6, 6), 80.0)
    assert np.allclose(convolve(flat, KERNEL_PRESETS["edge"].kernel), 0.0)
    assert np.allclose(convolve(flat, KERNEL_PRESETS["sharpen"].kernel), 80.0)
    step = np.zeros((5, 6))
    step[:, 3:] = 100.0
    edges = convolve(step, KERNEL_PRESETS["edge"].kernel)
    assert np.abs(edges[:, 1:3]).max() > 0 and np.allclose(edges[:, 0], 0)


def test_kernel_arithmetic_identities() -> None:
    assert set(KERNEL_ARITHMETIC) == {"sharpen_from_blur", "edge", "sharpen"}
    for result, terms in KERNEL_ARITHMETIC.items():
        assert np.allclose(combine(terms), KERNEL_PRESETS[result].kernel), result
    # Linearity: the output of the combined kernel is the combination of the outputs.
    blur = convolve(PICTURE, conv.BOX_BLUR, padding=1)
    sharpened = convolve(PICTURE, KERNEL_PRESETS["sharpen_from_blur"].kernel, padding=1)
    assert np.allclose(sharpened, 2 * PICTURE - blur)


def test_cross_correlation_not_flipped_convolution() -> None:
    kernel = RNG.normal(size=(3, 3))  # not symmetric
    ours = convolve(PICTURE, kernel)
    assert np.allclose(ours, signal.correlate2d(PICTURE, kernel, mode="valid"))
    assert not np.allclose(ours, signal.convolve2d(PICTURE, kernel, mode="valid"))
    assert np.allclose(
        convolve(PICTURE, np.flip(kernel)), signal.convolve2d(PICTURE, kernel, mode="valid")
    )


def test_torch_computes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = F.conv2d

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(F, "conv2d", spy)
    convolve(WORKED_IMAGE, WORKED_KERNEL, stride=2, padding=1)
    assert calls and calls[0]["stride"] == 2 and calls[0]["padding"] == 1


@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("padding", [0, 1, 2])
@pytest.mark.parametrize("size", [3, 5])
def test_output_size_formula_matches(stride: int, padding: int, size: int) -> None:
    kernel = embed(WORKED_KERNEL, size)
    out = convolve(PICTURE, kernel, stride, padding)
    assert out.shape == (
        output_size(PICTURE.shape[0], size, stride, padding),
        output_size(PICTURE.shape[1], size, stride, padding),
    )
    assert output_size(5, 3, 1, 0) == 3 and output_size(7, 3, 2, 1) == 4


def test_embed_centres_a_small_kernel() -> None:
    big = embed(KERNEL_PRESETS["shift"].kernel, 5)
    assert big.shape == (5, 5) and big[2, 1] == 1 and big.sum() == 1
    assert np.array_equal(
        convolve(PICTURE, big, padding=2),
        convolve(PICTURE, KERNEL_PRESETS["shift"].kernel, padding=1),
    )


def test_colour_images_are_filtered_per_channel() -> None:
    colour = np.dstack([PICTURE, PICTURE * 0.5, 255 - PICTURE])
    out = convolve(colour, KERNEL_PRESETS["gaussian_blur"].kernel, padding=1)
    assert out.shape == colour.shape
    for channel in range(3):
        alone = convolve(colour[..., channel], KERNEL_PRESETS["gaussian_blur"].kernel, padding=1)
        assert np.allclose(out[..., channel], alone)


def test_explain_position_matches_the_library() -> None:
    out = convolve(WORKED_IMAGE, WORKED_KERNEL)
    for row in range(3):
        for col in range(3):
            step = explain_position(WORKED_IMAGE, WORKED_KERNEL, 1, 0, row, col)
            assert step.total == out[row, col]
            assert np.array_equal(step.products, step.patch * WORKED_KERNEL)
    padded = explain_position(WORKED_IMAGE, WORKED_KERNEL, 2, 1, 1, 1)
    assert padded.total == convolve(WORKED_IMAGE, WORKED_KERNEL, 2, 1)[1, 1]
    with pytest.raises(ConvolutionError):
        explain_position(WORKED_IMAGE, WORKED_KERNEL, 1, 0, 3, 0)


def test_feature_maps_come_from_one_layer_call(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = F.conv2d
    monkeypatch.setattr(F, "conv2d", lambda *a, **k: calls.append(1) or real(*a, **k))
    maps = feature_maps(PICTURE, conv.FEATURE_BANK)
    assert len(calls) == 1
    assert set(maps) == set(conv.FEATURE_BANK)
    for name, values in maps.items():
        assert np.allclose(values, convolve(PICTURE, conv.FEATURE_BANK[name], padding=1))


@pytest.mark.parametrize(
    ("image", "kernel", "stride", "padding", "words"),
    [
        (np.zeros((2, 2)), np.ones((3, 3)), 1, 0, "larger"),
        (np.zeros((5, 5)), np.ones((3, 3)), 0, 0, "stride"),
        (np.zeros((5, 5)), np.ones((3, 3)), 1, -1, "padding"),
        (np.zeros((5, 5)), np.array([[1.0, np.nan], [0, 0]]), 1, 0, "finite"),
        (np.zeros((5, 5)), np.ones(3), 1, 0, "rows and columns"),
        (np.zeros(5), np.ones((3, 3)), 1, 0, "height"),
    ],
)
def test_bad_settings_get_clear_bilingual_messages(image, kernel, stride, padding, words) -> None:
    with pytest.raises(ConvolutionError) as refused:
        convolve(image, kernel, stride, padding)
    messages = refused.value.messages
    assert words in messages["en"]
    assert messages["es"] and messages["es"] != messages["en"]


def test_kernel_that_fits_only_with_padding_is_accepted() -> None:
    assert convolve(np.ones((2, 2)), np.ones((3, 3)), padding=1).shape == (2, 2)
