"""The quality judge: how good are generated digits, in numbers a learner can follow.

Every generative lab (GAN, autoencoders, diffusion) shows these figures, computed by
Lienzo's own digit classifier (the committed ``cnn-lenet5`` checkpoint, trained on the
digits' training split only; 98.2% on the held-out split):

- **confident share**: the fraction of samples the classifier puts in one class with
  probability >= 0.9. Blobs and noise rarely get there; clear digits do.
- **class coverage**: ``classes_present`` counts the digits that appear among the
  predicted classes, a class counting when it holds at least ``max(1, 2% of N)``
  samples (so with 256 samples a class needs 6, with 50 samples 1: one stray sample in
  a large batch is not "coverage"); ``class_entropy_bits`` is the entropy of the
  predicted-class histogram, log2(10) = 3.32 bits when all ten digits are equally
  common and 0 when every sample is the same digit. Mode collapse shows here.
- **Fréchet distance** (FD): the FID idea on our own feature extractor. Fit a Gaussian
  to the classifier's penultimate-layer features (the 84 units after ``fc2`` and its
  ReLU, i.e. what the final layer reads) of the 450 real held-out digits, another to the
  samples' features, and measure ``|mu_r - mu_s|^2 + Tr(S_r + S_s - 2 (S_r S_s)^(1/2))``.
  0 means the same statistics; larger is worse. Not comparable with published FIDs
  (those use Inception-v3 features of natural images).

Measured on this machine with the committed classifier (see tests/registry/test_judge.py):

======================================  =========  =======  =======  =====
samples                                 confident  classes  entropy  FD
======================================  =========  =======  =======  =====
450 real held-out digits (reference)       0.97       10     3.32      0.0
1347 real training digits                  1.00       10     3.32      0.9
256 real training digits (seeded pick)     1.00       10     3.31      2.4
256 images of uniform noise 0..16          0.48        9     2.48    115
64 copies of one held-out digit (a 2)      1.00        1     0.00    697
64 blank images                            0.00        1     0.00    799
======================================  =========  =======  =======  =====

Read them together: the classifier is over-confident on noise (half of it gets a
confident label, spread over many classes), so noise is caught by the FD, not by the
confident share alone; a repeated digit is confident but has one class and a large FD.
"""

from __future__ import annotations

import functools
import math
import threading
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

CONFIDENT = 0.9  # max class probability that counts as "one clear digit"
PRESENT_SHARE = 0.02  # a class is present with at least max(1, 2% of N) samples
FEATURE_LAYER = "relu4"  # the 84-unit penultimate layer, after its ReLU
MAX_VALUE = 16.0
MAX_ENTROPY_BITS = math.log2(10)


@dataclass
class JudgeReport:
    """The judge's figures for one batch of samples (plain numbers, no torch)."""

    n: int
    confident_share: float  # fraction with max class probability >= 0.9
    class_histogram: np.ndarray  # (10,) int64: how many samples each class was predicted
    classes_present: int  # classes with >= max(1, 2% of n) samples
    class_entropy_bits: float  # entropy of the histogram, 0..log2(10)=3.32
    frechet_distance: float  # FD to the real held-out digits' features; 0 = same statistics
    notes: list[str] = field(default_factory=list)  # e.g. values clipped into 0..16

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["class_histogram"] = [int(c) for c in self.class_histogram]
        return data


def present_threshold(n: int) -> int:
    """How many samples a class needs to count as present: max(1, ceil(2% of n))."""
    return max(1, math.ceil(PRESENT_SHARE * n))


def class_entropy_bits(histogram: np.ndarray) -> float:
    counts = np.asarray(histogram, dtype=np.float64)
    total = counts.sum()
    if total <= 0:
        return 0.0
    p = counts[counts > 0] / total
    return float(max(0.0, -(p * np.log2(p)).sum()))


def gaussian_fit(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean (D,) and covariance (D, D) of (N, D) features; a single sample has zero spread."""
    features = np.asarray(features, dtype=np.float64)
    mean = features.mean(axis=0)
    if len(features) < 2:
        return mean, np.zeros((features.shape[1], features.shape[1]))
    return mean, np.cov(features, rowvar=False)


def frechet_distance(
    mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray, eps: float = 1e-6
) -> float:
    """Fréchet distance between two Gaussians, robust to singular covariances.

    Covariances of a few hundred samples in 84 dimensions (many ReLU units always 0)
    are singular; ``sqrtm`` of their product can come back with non-finite entries or
    small imaginary parts from rounding. As in pytorch-fid: on non-finite results
    retry with ``eps`` added to both diagonals, and keep the real part (the true
    square root of a product of PSD matrices has real eigenvalues). The result is
    clamped at 0 (rounding can make it slightly negative for identical inputs).
    """
    from scipy import linalg

    mu1, mu2 = np.atleast_1d(mu1), np.atleast_1d(mu2)
    sigma1, sigma2 = np.atleast_2d(sigma1), np.atleast_2d(sigma2)
    diff = mu1 - mu2
    with warnings.catch_warnings():
        # "Matrix is singular": expected here, and handled below.
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        covmean = linalg.sqrtm(sigma1 @ sigma2)
        if not np.all(np.isfinite(covmean)):
            offset = np.eye(len(sigma1)) * eps
            covmean = linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
    covmean = np.real(covmean)
    value = float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(covmean))
    return max(0.0, value) if math.isfinite(value) else float("inf")


def _as_samples(samples: Any) -> tuple[np.ndarray, list[str]]:
    array = np.asarray(samples, dtype=np.float32)
    if array.ndim == 2 and array.shape == (8, 8):
        array = array[None]
    elif array.ndim == 4 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 3 or array.shape[1:] != (8, 8) or len(array) == 0:
        raise ValueError(
            f"the judge takes digits shaped (N, 8, 8) with N >= 1 (values 0..16), "
            f"got shape {np.shape(samples)}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError("the samples contain NaN or infinite values; the judge cannot score them")
    notes = []
    low, high = float(array.min()), float(array.max())
    if low < 0.0 or high > MAX_VALUE:
        notes.append(f"values {low:.3g}..{high:.3g} were clipped into 0..16")
        array = np.clip(array, 0.0, MAX_VALUE)
    return array, notes


class DigitJudge:
    """Scores batches of 8x8 digits with a digit classifier; see the module docstring."""

    def __init__(self, classifier: Any, reference: np.ndarray):
        """``classifier``: a DigitCNN; ``reference``: real digits (N, 8, 8) the FD compares to."""
        self.classifier = classifier
        self._lock = threading.Lock()  # one forward pass at a time on the shared network
        self.reference_n = len(reference)
        self.reference_mean, self.reference_cov = gaussian_fit(self.features(reference))

    @classmethod
    def default(cls) -> DigitJudge:
        """The committed cnn-lenet5 checkpoint against the 450 held-out digits (one per process)."""
        return _default_judge()

    def _forward(self, digits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(N, 8, 8) 0..16 -> class probabilities (N, 10) and penultimate features (N, 84)."""
        import torch

        x = torch.tensor(np.asarray(digits, dtype=np.float32)).unsqueeze(1)  # (N, 1, 8, 8)
        # One torch thread (per calling thread, restored after): for a net this small a
        # second thread only adds waiting, badly so on a busy 2-core machine.
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            with self._lock, torch.no_grad():
                network = self.classifier.network.eval()
                layers = {name: t for name, _, t in network.forward_with_activations(x)}
        finally:
            torch.set_num_threads(threads)
        probabilities = torch.softmax(layers["fc3"], dim=1).numpy()
        return probabilities, layers[FEATURE_LAYER].numpy()

    def features(self, digits: np.ndarray) -> np.ndarray:
        """Penultimate-layer features (N, 84) of (N, 8, 8) digits in 0..16."""
        array, _ = _as_samples(digits)
        return self._forward(array)[1]

    def score(self, samples: Any) -> JudgeReport:
        """Judge (N, 8, 8) samples in 0..16 (out-of-range values are clipped, with a note).

        Raises ValueError for other shapes, an empty batch, or NaN/inf values.
        """
        array, notes = _as_samples(samples)
        probabilities, feats = self._forward(array)
        labels = probabilities.argmax(axis=1)
        histogram = np.bincount(labels, minlength=10).astype(np.int64)
        mean, cov = gaussian_fit(feats)
        if len(array) < 2:
            notes.append("one sample: its spread is taken as zero for the Fréchet distance")
        return JudgeReport(
            n=len(array),
            confident_share=float((probabilities.max(axis=1) >= CONFIDENT).mean()),
            class_histogram=histogram,
            classes_present=int((histogram >= present_threshold(len(array))).sum()),
            class_entropy_bits=class_entropy_bits(histogram),
            frechet_distance=frechet_distance(self.reference_mean, self.reference_cov, mean, cov),
            notes=notes,
        )


@functools.cache
def _default_judge() -> DigitJudge:
    from lienzo.plugins.cnn.model import DigitCNN
    from lienzo.plugins.datasets.digits import load_digits_split

    return DigitJudge(DigitCNN.pretrained(), load_digits_split().x_test)
