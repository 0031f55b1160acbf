"""The quality judge tells real digits from noise, a repeated digit and blank images.

Measured values (committed cnn-lenet5 checkpoint) are in registry/judge.py's docstring;
the thresholds below leave room for a retrained classifier, not for a broken judge.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from lienzo.plugins.datasets.digits import load_digits_split
from lienzo.registry.judge import (
    DigitJudge,
    JudgeReport,
    class_entropy_bits,
    frechet_distance,
    present_threshold,
)


@pytest.fixture(scope="module")
def judge() -> DigitJudge:
    return DigitJudge.default()


@pytest.fixture(scope="module")
def split():
    return load_digits_split()


def real_sample(split, n: int = 256, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return split.x_train[rng.choice(len(split.x_train), n, replace=False)]


def test_default_is_cached_per_process(judge: DigitJudge) -> None:
    assert DigitJudge.default() is judge
    assert judge.reference_n == 450
    assert judge.reference_mean.shape == (84,) and judge.reference_cov.shape == (84, 84)


def test_real_digits_score_near_the_top(judge: DigitJudge, split) -> None:
    report = judge.score(real_sample(split))  # digits the reference never saw
    assert isinstance(report, JudgeReport) and report.n == 256
    assert report.confident_share >= 0.95
    assert report.classes_present == 10
    assert report.class_entropy_bits > 3.25
    assert report.frechet_distance < 10
    # The reference itself: distance 0 (clamped rounding), same figures.
    itself = judge.score(split.x_test)
    assert itself.frechet_distance == pytest.approx(0.0, abs=1e-3)
    assert itself.class_histogram.sum() == 450


def test_uniform_noise_scores_badly(judge: DigitJudge, split) -> None:
    noise = np.random.default_rng(0).uniform(0, 16, (256, 8, 8))
    report = judge.score(noise)
    real = judge.score(real_sample(split))
    assert report.confident_share < 0.7
    assert report.class_entropy_bits < real.class_entropy_bits - 0.5
    assert report.frechet_distance > 10 * real.frechet_distance
    assert report.frechet_distance > 50


def test_one_digit_repeated_is_mode_collapse(judge: DigitJudge, split) -> None:
    copies = np.repeat(split.x_test[:1], 64, axis=0)
    report = judge.score(copies)
    assert report.classes_present == 1
    assert report.class_entropy_bits == 0.0
    assert report.class_histogram.max() == 64
    assert report.frechet_distance > 100


def test_blank_images_score_badly(judge: DigitJudge) -> None:
    report = judge.score(np.zeros((64, 8, 8)))
    assert report.confident_share < 0.2
    assert report.classes_present <= 1
    assert report.frechet_distance > 100


def test_out_of_range_values_are_clipped_with_a_note(judge: DigitJudge, split) -> None:
    report = judge.score(split.x_test[:50] * 2 - 4)
    assert report.notes and "clipped" in report.notes[0]
    assert judge.score(split.x_test[:50]).notes == []


@pytest.mark.parametrize(
    "bad", [np.zeros((4, 8, 7)), np.zeros((0, 8, 8)), np.zeros(64), np.zeros((2, 3, 8, 8))]
)
def test_wrong_shapes_raise_a_clear_error(judge: DigitJudge, bad: np.ndarray) -> None:
    with pytest.raises(ValueError, match=r"\(N, 8, 8\)"):
        judge.score(bad)


def test_nan_samples_raise(judge: DigitJudge) -> None:
    samples = np.zeros((4, 8, 8))
    samples[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        judge.score(samples)


def test_accepts_one_digit_and_channel_axis(judge: DigitJudge, split) -> None:
    one = judge.score(split.x_test[0])
    assert one.n == 1 and one.classes_present == 1 and math.isfinite(one.frechet_distance)
    assert judge.score(split.x_test[:5, None]).n == 5


def test_to_dict_is_plain_json(judge: DigitJudge, split) -> None:
    import json

    data = judge.score(split.x_test[:20]).to_dict()
    assert json.loads(json.dumps(data))["class_histogram"] == data["class_histogram"]
    assert set(data) >= {
        "n",
        "confident_share",
        "class_histogram",
        "classes_present",
        "class_entropy_bits",
        "frechet_distance",
    }


def test_helpers() -> None:
    assert present_threshold(10) == 1 and present_threshold(256) == 6
    assert class_entropy_bits(np.full(10, 7)) == pytest.approx(math.log2(10))
    assert class_entropy_bits(np.zeros(10)) == 0.0
    eye = np.eye(3)
    assert frechet_distance(np.zeros(3), eye, np.zeros(3), eye) == pytest.approx(0.0, abs=1e-9)
    # 1-D Gaussians N(0, 1) and N(2, 4): (0-2)^2 + 1 + 4 - 2*sqrt(4) = 5
    assert frechet_distance(np.zeros(1), eye[:1, :1], np.full(1, 2.0), 4 * eye[:1, :1]) == (
        pytest.approx(5.0)
    )
    # Singular covariances (zero spread) stay finite.
    zero = np.zeros((3, 3))
    assert frechet_distance(np.zeros(3), zero, np.ones(3), zero) == pytest.approx(3.0)
