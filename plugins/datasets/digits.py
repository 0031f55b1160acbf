"""scikit-learn's handwritten digits (8x8, 0..16): one fixed split, and drawings turned into digits.

The data ships inside scikit-learn (no download). Every model in Lienzo uses the same
stratified held-out split, so their accuracies can be compared.

How the original data was made (UCI "optdigits"): a digit was scanned into a 32x32
black-and-white bitmap, size-normalised, and each 4x4 block was replaced by the count
of its "on" pixels, which gives an 8x8 image of integers 0..16. Measured on the 1797
images: every digit touches the top and bottom rows and is 5-7 columns wide, i.e. the
height fills the box and the width keeps the aspect ratio. :func:`image_to_digit`
repeats that recipe on a learner's drawing or upload.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

TEST_FRACTION = 0.25
SPLIT_SEED = 0
DESCRIPTION = "sklearn digits (1797 images, 8x8, 0..16), stratified 75/25 split seed 0"

BITMAP = 32  # side of the original bitmaps
BLOCK = 4  # 32 / 4 = 8 cells per side
SIDE_MARGIN = 2  # bitmap pixels kept free left and right when a digit is very wide
INK_THRESHOLD = 0.1  # ink below this (after contrast stretch) is background for cropping
MIN_CONTRAST = 0.05  # less contrast than this between ink and background is an empty drawing


@dataclass
class DigitsSplit:
    """Train and held-out digits. x: float32 (N, 8, 8) in 0..16; y: int64 (N,) labels 0..9."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


@functools.cache
def _split(test_fraction: float, seed: int) -> DigitsSplit:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = digits.images.astype(np.float32)
    y = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_fraction, random_state=seed, stratify=y
    )
    for array in (x_train, y_train, x_test, y_test):
        array.setflags(write=False)  # cached and shared: nobody may change it in place
    return DigitsSplit(x_train, y_train, x_test, y_test)


def load_digits_split(test_fraction: float = TEST_FRACTION, seed: int = SPLIT_SEED) -> DigitsSplit:
    """The digits split stratified by label (defaults: 1347 train, 450 held out).

    The arrays are cached and read-only; copy them before changing them.
    """
    return _split(float(test_fraction), int(seed))


# ----------------------------------------------------------------------------
# drawings and uploads -> 8x8 digits


PIXEL_MAX = 16.0  # the dataset's ink scale: 0 = background, 16 = a fully inked 4x4 block


def as_digits(images: object) -> np.ndarray:
    """Every model's input check: one (8, 8) digit or a batch -> (N, 8, 8) float32 in 0..16.

    Raises ValueError with a message a learner can act on (shape, NaN, range).
    """
    array = np.asarray(images, dtype=np.float32)
    if array.ndim == 2:
        array = array[None]
    elif array.ndim == 4 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 3 or array.shape[1:] != (8, 8) or len(array) == 0:
        raise ValueError(
            f"expected one 8x8 digit (8, 8) or a batch (N, 8, 8), got shape {np.shape(images)}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError("the digits contain NaN or infinite values")
    if array.min() < -1e-3 or array.max() > PIXEL_MAX + 1e-3:
        raise ValueError(
            f"digit values must be in 0..16 like the dataset, "
            f"got {array.min():g}..{array.max():g}; "
            "convert drawings and photos with lienzo.plugins.datasets.digits.image_to_digit"
        )
    return np.clip(array, 0.0, PIXEL_MAX)


def _area_matrix(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) weights: output cell i is the mean of the input it covers (exact area)."""
    edges_in = np.arange(n_in + 1, dtype=np.float64)
    edges_out = np.linspace(0.0, n_in, n_out + 1)
    low = np.maximum(edges_out[:-1, None], edges_in[None, :-1])
    high = np.minimum(edges_out[1:, None], edges_in[None, 1:])
    overlap = np.clip(high - low, 0.0, None)
    return overlap / overlap.sum(axis=1, keepdims=True)


def _resize_area(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize a 2-D array by area averaging (up or down), like PIL's BOX filter."""
    rows = _area_matrix(image.shape[0], height)
    cols = _area_matrix(image.shape[1], width)
    return rows @ image @ cols.T


def _ink_to_digit(ink: np.ndarray) -> np.ndarray | None:
    """ink: 2-D float, 0 = background, larger = more ink. Returns (8, 8) float32 0..16 or None."""
    background = float(np.median(_border(ink)))
    contrast = float(ink.max()) - background
    if contrast < MIN_CONTRAST:
        return None
    # Contrast stretch: faint pencil or a dark-red stroke on black counts as full ink.
    ink = np.clip((ink - background) / contrast, 0.0, 1.0)
    rows = np.flatnonzero(ink.max(axis=1) > INK_THRESHOLD)
    cols = np.flatnonzero(ink.max(axis=0) > INK_THRESHOLD)
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]

    # Height fills the 32-pixel bitmap, the width keeps the aspect ratio (as in the data);
    # a very wide drawing is limited by the width instead, with a small side margin.
    h, w = crop.shape
    scale = min(BITMAP / h, (BITMAP - 2 * SIDE_MARGIN) / w)
    new_h = min(BITMAP, max(1, round(h * scale)))
    new_w = min(BITMAP - 2 * SIDE_MARGIN, max(1, round(w * scale)))
    bitmap = np.zeros((BITMAP, BITMAP))
    top, left = (BITMAP - new_h) // 2, (BITMAP - new_w) // 2
    bitmap[top : top + new_h, left : left + new_w] = _resize_area(crop, new_h, new_w)

    # Each 4x4 block's share of ink, times 16: the "count of on pixels" of the original.
    cells = bitmap.reshape(8, BLOCK, 8, BLOCK).mean(axis=(1, 3))
    return (np.clip(cells, 0.0, 1.0) * 16.0).astype(np.float32)


def _border(image: np.ndarray) -> np.ndarray:
    return np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])


def image_to_digit(gray: np.ndarray, ink_is_dark: bool | None = None) -> np.ndarray | None:
    """Turn a greyscale image (2-D, 0..1) into an (8, 8) float32 digit in 0..16.

    ``ink_is_dark``: True for dark ink on light paper, False for light ink on a dark
    background, None to decide from the border (the border is mostly background).
    Returns None when the image has no visible ink.
    """
    gray = np.asarray(gray, dtype=np.float64)
    if gray.ndim != 2 or min(gray.shape) < 1:
        raise ValueError(f"expected a 2-D greyscale image, got shape {gray.shape}")
    if not np.all(np.isfinite(gray)):
        raise ValueError("the image contains NaN or infinite values")
    if ink_is_dark is None:
        ink_is_dark = bool(np.median(_border(gray)) > 0.5)
    return _ink_to_digit(1.0 - gray if ink_is_dark else gray)


def drawing_to_digit(rgba: np.ndarray) -> np.ndarray | None:
    """Turn a canvas drawing (H, W, 4) uint8 RGBA into an (8, 8) float32 digit in 0..16.

    Strokes of any colour on a transparent background are read from the alpha channel.
    When alpha is 255 everywhere (an opaque canvas) the luminance is used and the
    polarity is read from the border, so white-on-black and black-on-white both work.
    Returns None for an empty drawing.
    """
    rgba = np.asarray(rgba)
    if rgba.ndim != 3 or rgba.shape[2] != 4:
        raise ValueError(f"expected an RGBA image of shape (H, W, 4), got {rgba.shape}")
    scale = 255.0 if rgba.dtype == np.uint8 or rgba.max() > 1.0 else 1.0
    rgba = rgba.astype(np.float64) / scale
    alpha = rgba[..., 3]
    if alpha.min() < 1.0:
        return _ink_to_digit(alpha)
    luminance = rgba[..., :3] @ np.array([0.299, 0.587, 0.114])
    return image_to_digit(luminance, ink_is_dark=None)
