"""Pictures for the lab, as plain uint8 arrays (no streamlit, no torch): grids and strips.

Digits are 8x8, far too small to see; they are enlarged by repeating pixels (nearest
neighbour), never smoothed, so every pixel the model made stays visible.
"""

from __future__ import annotations

import math

import numpy as np

GAP = 3  # pixels of separator between tiles (light, so tiles on black stand apart)
GAP_VALUE = 235


def enlarge(image: np.ndarray, scale: int) -> np.ndarray:
    """Repeat each pixel ``scale`` x ``scale`` times: (H, W[, C]) -> (H*s, W*s[, C])."""
    return np.repeat(np.repeat(image, scale, axis=0), scale, axis=1)


def digits_to_uint8(digits: np.ndarray) -> np.ndarray:
    """(N, 8, 8) digits 0..16 -> uint8 0..255 (white ink on black, as the dataset is drawn)."""
    return (
        (np.clip(np.asarray(digits, dtype=np.float32), 0.0, 16.0) / 16.0 * 255.0)
        .round()
        .astype(np.uint8)
    )


def unit_to_uint8(images: np.ndarray) -> np.ndarray:
    """Images in 0..1 (clipped) -> uint8."""
    return (
        (np.clip(np.asarray(images, dtype=np.float32), 0.0, 1.0) * 255.0).round().astype(np.uint8)
    )


def grid(tiles: np.ndarray, columns: int, scale: int = 1) -> np.ndarray:
    """(N, H, W) or (N, H, W, 3) uint8 tiles -> one image with ``columns`` tiles per row."""
    tiles = np.asarray(tiles)
    if tiles.ndim not in (3, 4) or len(tiles) == 0:
        raise ValueError(f"grid takes (N, H, W[, 3]) tiles, got shape {tiles.shape}")
    tiles = np.stack([enlarge(tile, scale) for tile in tiles])
    n, h, w = tiles.shape[:3]
    columns = max(1, min(columns, n))
    rows = math.ceil(n / columns)
    shape = (rows * h + (rows - 1) * GAP, columns * w + (columns - 1) * GAP, *tiles.shape[3:])
    out = np.full(shape, GAP_VALUE, dtype=np.uint8)
    for index, tile in enumerate(tiles):
        r, c = divmod(index, columns)
        out[r * (h + GAP) : r * (h + GAP) + h, c * (w + GAP) : c * (w + GAP) + w] = tile
    return out


def digit_grid(digits: np.ndarray, columns: int = 8, scale: int = 8) -> np.ndarray:
    """(N, 8, 8) digits 0..16 -> an enlarged uint8 grid image."""
    return grid(digits_to_uint8(digits), columns, scale)


def display_scale(height: int, width: int, target: int = 192) -> int:
    """An integer enlargement that brings the longer side near ``target`` pixels (at least 1)."""
    return max(1, target // max(height, width, 1))
