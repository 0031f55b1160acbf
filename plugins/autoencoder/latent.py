"""Latent-space geometry in numpy: straight and spherical paths, a 2-D map by PCA."""

from __future__ import annotations

import numpy as np

from lienzo.plugins.autoencoder.results import LatentMap


def lerp(a: np.ndarray, b: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(D,), (D,), (n,) -> (n, D): the straight line from a to b."""
    w = weights[:, None]
    return (1.0 - w) * a[None] + w * b[None]


def slerp(a: np.ndarray, b: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(D,), (D,), (n,) -> (n, D): the great-circle path from a to b (Shoemake's slerp).

    Under a N(0, I) prior most of the probability sits near a sphere, and a straight
    line between two codes cuts through the low-norm middle, where the decoder saw few
    codes; the spherical path keeps the norm between |a| and |b|. Nearly parallel codes
    fall back to the straight line.
    """
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    norms = np.linalg.norm(a64) * np.linalg.norm(b64)
    if norms < 1e-12:
        return lerp(a64, b64, weights)
    omega = np.arccos(np.clip(a64 @ b64 / norms, -1.0, 1.0))
    if np.sin(omega) < 1e-6:
        return lerp(a64, b64, weights)
    w = weights[:, None]
    return (np.sin((1.0 - w) * omega) * a64 + np.sin(w * omega) * b64) / np.sin(omega)


def latent_map(codes: np.ndarray) -> LatentMap:
    """(N, D) codes -> their 2-D map: the codes themselves when D == 2, else PCA.

    Each principal axis's sign is fixed (largest loading positive) so the map does
    not flip between runs.
    """
    codes = np.asarray(codes, dtype=np.float64)
    mean = codes.mean(axis=0)
    if codes.shape[1] == 2:
        variance = codes.var(axis=0)
        shares = variance / variance.sum() if variance.sum() > 0 else np.zeros(2)
        exact = (float(shares[0]), float(shares[1]))
        return LatentMap(codes.astype(np.float32), "exact", np.zeros(2), np.eye(2), exact)
    _, singular, axes = np.linalg.svd(codes - mean, full_matrices=False)
    components = axes[:2]  # (2, D)
    signs = np.sign(components[np.arange(2), np.abs(components).argmax(axis=1)])
    components = components * signs[:, None]
    variance = singular**2
    explained = variance[:2] / variance.sum() if variance.sum() > 0 else np.zeros(2)
    coords = (codes - mean) @ components.T  # (N, 2)
    return LatentMap(
        coords.astype(np.float32),
        "pca",
        mean,
        components,
        (float(explained[0]), float(explained[1])),
    )
