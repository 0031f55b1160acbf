"""Small array helpers for showing pictures as numbers (no streamlit here)."""

from __future__ import annotations

import numpy as np

CHANNELS = ("R", "G", "B")


def clamp_patch(height: int, width: int, row: int, col: int, size: int) -> tuple[int, int, int]:
    """(row, col, size) moved inside the picture: a patch never hangs over the edge."""
    size = max(1, min(size, height, width))
    row = min(max(0, row), height - size)
    col = min(max(0, col), width - size)
    return row, col, size


def outline(
    rgb: np.ndarray,
    top: int,
    left: int,
    height: int,
    width: int,
    colour: tuple[int, int, int] = (255, 196, 0),
    thickness: int = 1,
) -> np.ndarray:
    """A copy of ``rgb`` with a rectangle border drawn around the given region."""
    out = np.array(rgb, dtype=np.uint8, copy=True)
    h, w = out.shape[:2]
    bottom, right = min(h, top + height), min(w, left + width)
    for k in range(thickness):
        t_, b_ = max(0, top - 1 - k), min(h - 1, bottom + k)
        l_, r_ = max(0, left - 1 - k), min(w - 1, right + k)
        out[t_, l_ : r_ + 1] = colour
        out[b_, l_ : r_ + 1] = colour
        out[t_ : b_ + 1, l_] = colour
        out[t_ : b_ + 1, r_] = colour
    return out


def enlarge(rgb: np.ndarray, min_side: int = 256) -> tuple[np.ndarray, int]:
    """Nearest-neighbour enlargement of a tiny picture (an 8 x 8 digit), so each pixel
    stays a sharp square instead of being blurred by the browser. Returns (array, factor)."""
    side = min(rgb.shape[:2])
    factor = max(1, int(np.ceil(min_side / side))) if side < min_side else 1
    if factor == 1:
        return np.asarray(rgb), 1
    return np.repeat(np.repeat(rgb, factor, axis=0), factor, axis=1), factor


def to_display_uint8(values: np.ndarray, how: str = "clip") -> np.ndarray:
    """A float map shown as a picture: ``clip`` to 0..255, ``rescale`` min..max to 0..255, or
    ``strength``: |value| with the top 5 % saturated, so a few very strong responses do not
    leave the rest of a feature map black."""
    values = np.asarray(values, dtype=np.float64)
    if how == "strength":
        values = np.abs(values)
        high = float(np.percentile(values, 95)) or float(values.max())
        values = values / high * 255.0 if high > 0 else np.zeros_like(values)
    elif how == "rescale":
        low, high = float(values.min()), float(values.max())
        values = (values - low) / (high - low) * 255.0 if high > low else np.zeros_like(values)
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)
