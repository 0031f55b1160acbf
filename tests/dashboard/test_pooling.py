"""The pooling lab: the syllabus' worked examples, the rounding note, and that torch computes it."""

from __future__ import annotations

import numpy as np
import pytest
import torch.nn.functional as F

from lienzo.dashboard.labs.pooling import (
    AVG_EXAMPLE,
    AVG_EXAMPLE_OUTPUT,
    MAX_EXAMPLE,
    MAX_EXAMPLE_OUTPUT,
    PoolingError,
    output_size,
    pool,
    rounding_choices,
    windows,
)


def test_worked_max_pooling_exactly() -> None:
    assert pool(MAX_EXAMPLE, "max", 2, 2).tolist() == [[100, 184], [12, 45]]
    assert np.array_equal(MAX_EXAMPLE_OUTPUT, [[100, 184], [12, 45]])


def test_worked_average_pooling_exactly() -> None:
    assert pool(AVG_EXAMPLE, "avg", 2, 2).tolist() == [[36.5, 80], [12, 15]]
    assert np.array_equal(AVG_EXAMPLE_OUTPUT, [[36.5, 80], [12, 15]])


def test_the_two_inputs_differ_only_top_left() -> None:
    differ = np.argwhere(MAX_EXAMPLE != AVG_EXAMPLE).tolist()
    assert differ == [[0, 0]]
    assert (MAX_EXAMPLE[0, 0], AVG_EXAMPLE[0, 0]) == (29, 31)


def test_rounding_36_5_is_a_choice() -> None:
    assert rounding_choices(36.5) == {"half_to_even": 36, "down": 36, "half_up": 37}


def test_stride_defaults_to_the_window() -> None:
    assert np.array_equal(pool(MAX_EXAMPLE, "max", 2), pool(MAX_EXAMPLE, "max", 2, 2))


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_torch_computes_it(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    name = "max_pool2d" if mode == "max" else "avg_pool2d"
    calls = []
    real = getattr(F, name)
    monkeypatch.setattr(F, name, lambda *a, **k: calls.append(k) or real(*a, **k))
    pool(MAX_EXAMPLE, mode, 3, 1)
    assert calls == [{"kernel_size": 3, "stride": 1}]


@pytest.mark.parametrize("size", [1, 2, 3])
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_output_size_and_windows_agree(size: int, stride: int) -> None:
    x = np.arange(7 * 9, dtype=float).reshape(7, 9)
    for mode in ("max", "avg"):
        out = pool(x, mode, size, stride)
        assert out.shape == (output_size(7, size, stride), output_size(9, size, stride))
        for window in windows(x, mode, size, stride):
            expected = window.values.max() if mode == "max" else window.values.mean()
            assert window.result == pytest.approx(expected)
            assert out[window.row, window.col] == pytest.approx(expected)


def test_colour_is_pooled_per_channel() -> None:
    rng = np.random.default_rng(3)
    colour = rng.integers(0, 256, (8, 6, 3)).astype(float)
    out = pool(colour, "max", 2, 2)
    assert out.shape == (4, 3, 3)
    for channel in range(3):
        assert np.array_equal(out[..., channel], pool(colour[..., channel], "max", 2, 2))


def test_pooling_halves_an_image() -> None:
    assert pool(np.zeros((512, 512)), "avg", 2, 2).shape == (256, 256)


@pytest.mark.parametrize(
    ("x", "mode", "size", "stride", "words"),
    [
        (np.zeros((2, 2)), "max", 3, 1, "does not fit"),
        (np.zeros((4, 4)), "max", 0, 1, "window"),
        (np.zeros((4, 4)), "avg", 2, 0, "stride"),
        (np.zeros((4, 4)), "median", 2, 2, "median"),
        (np.zeros(4), "max", 2, 2, "height"),
    ],
)
def test_bad_settings_get_clear_bilingual_messages(x, mode, size, stride, words) -> None:
    with pytest.raises(PoolingError) as refused:
        pool(x, mode, size, stride)
    assert words in refused.value.messages["en"]
    assert (
        refused.value.messages["es"]
        and refused.value.messages["es"] != refused.value.messages["en"]
    )


def test_matrices_read_unambiguously_in_both_languages() -> None:
    from lienzo.dashboard.labs.errors import matrix_text

    assert matrix_text([[36.5, 80], [12, 15]], "en") == "[[36.5, 80], [12, 15]]"
    assert matrix_text([[36.5, 80], [12, 15]], "es") == "[[36,5; 80]; [12; 15]]"
    assert matrix_text([[4, 3], [2, 4]], "es") == "[[4, 3], [2, 4]]"
