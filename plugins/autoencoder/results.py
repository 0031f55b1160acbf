"""What the autoencoders hand back: plain dataclasses of numpy arrays and numbers (no torch).

Images are (N, 8, 8) float32 in 0..16; errors are in the same units (MSE in squared
pixel levels) and PSNR in dB with a peak of 16.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lienzo.registry.contract import EpochProgress

PEAK = 16.0
PSNR_CAP_DB = 99.0  # an exact copy has infinite PSNR; cap it so tables stay finite


def mse_per_image(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(N, 8, 8), (N, 8, 8) -> (N,) mean squared error per image."""
    diff = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    return (diff**2).reshape(len(diff), -1).mean(axis=1)


def psnr(mse: np.ndarray | float) -> np.ndarray:
    """Peak signal-to-noise ratio in dB for pixels 0..16: 10 log10(16^2 / MSE)."""
    mse = np.maximum(np.asarray(mse, dtype=np.float64), PEAK**2 * 10 ** (-PSNR_CAP_DB / 10))
    return 10.0 * np.log10(PEAK**2 / mse)


@dataclass
class TrainResult:
    """One training run. ``history`` has one entry per epoch that ran (a stopped epoch too).

    Every entry's ``extra`` holds ``val_mse`` and ``val_psnr`` (held-out reconstruction);
    the VAE's also ``reconstruction`` and ``kl`` (training means per image), and judge
    figures ``judge_*`` when the config asks for them.
    """

    history: list[EpochProgress] = field(default_factory=list)
    stopped_early: bool = False  # the stop event was set before the last epoch ended
    diverged: bool = False  # the loss became NaN/inf; weights are the last finite ones
    seconds: float = 0.0

    @property
    def final(self) -> EpochProgress | None:
        return self.history[-1] if self.history else None


@dataclass
class Reconstruction:
    originals: np.ndarray  # (N, 8, 8)
    images: np.ndarray  # (N, 8, 8) decoded
    mse: np.ndarray  # (N,)
    psnr: np.ndarray  # (N,) dB

    @property
    def mean_mse(self) -> float:
        return float(self.mse.mean())

    @property
    def mean_psnr(self) -> float:
        return float(self.psnr.mean())


@dataclass
class Interpolation:
    images: np.ndarray  # (n, 8, 8); the first decodes a's code, the last b's
    weights: np.ndarray  # (n,) 0 -> a, 1 -> b
    latents: np.ndarray  # (n, D)
    spherical: bool


@dataclass
class LatentAlgebra:
    """result = decode(code(a) - code(b) + code(c)); each code is the mean over its images."""

    image: np.ndarray  # (8, 8)
    parts: np.ndarray  # (3, 8, 8): a, b, c decoded from their (mean) codes
    latent: np.ndarray  # (D,)


@dataclass
class Denoised:
    clean: np.ndarray  # (N, 8, 8) the targets
    noisy: np.ndarray  # (N, 8, 8) the inputs
    output: np.ndarray  # (N, 8, 8) the network's answer
    psnr_before: np.ndarray  # (N,) noisy vs clean
    psnr_after: np.ndarray  # (N,) output vs clean
    noise_level: float


@dataclass
class LatentMap:
    """2-D coordinates of codes, and the way back from a 2-D point to a code.

    method "exact": the codes are 2-D and the coordinates are the codes themselves.
    method "pca": the coordinates are the codes projected on their two principal
    axes; a point maps back to ``mean + coords @ components`` (the plane through the
    codes' mean spanned by those axes; the other directions stay at the mean).
    """

    coords: np.ndarray  # (N, 2)
    method: str  # "exact" or "pca"
    mean: np.ndarray  # (D,)
    components: np.ndarray  # (2, D) orthonormal rows
    explained: tuple[float, float] = (1.0, 0.0)  # share of the codes' variance per axis

    def to_latent(self, coords: np.ndarray) -> np.ndarray:
        """(M, 2) or (2,) map coordinates -> (M, D) codes."""
        coords = np.atleast_2d(np.asarray(coords, dtype=np.float64))
        return (self.mean + coords @ self.components).astype(np.float32)
