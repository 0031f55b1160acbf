"""Pictures for the lab, as numpy arrays: enlarged images and framed grids (no streamlit)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

GOOD = (46, 160, 67)  # frame of an image that matches its prompt
BAD = (214, 39, 40)  # frame of one that does not
NEUTRAL = (200, 200, 200)


def enlarge(image: np.ndarray, scale: int) -> np.ndarray:
    """(H, W, 3) uint8 -> (H*scale, W*scale, 3): each pixel becomes a scale x scale block,
    so the learner sees the real 32x32 pixels instead of a blurred upscale."""
    if scale < 1:
        raise ValueError(f"scale must be at least 1, got {scale}")
    return np.repeat(np.repeat(np.asarray(image, dtype=np.uint8), scale, axis=0), scale, axis=1)


def framed_grid(
    images: np.ndarray,
    verdicts: Sequence[bool | None] | None = None,
    columns: int = 10,
    scale: int = 3,
    frame: int = 3,
) -> np.ndarray:
    """(N, H, W, 3) images in a grid, each framed green (True), red (False) or grey (None)."""
    images = np.asarray(images, dtype=np.uint8)
    count, height, width = images.shape[:3]
    marks = list(verdicts) if verdicts is not None else [None] * count
    if len(marks) != count:
        raise ValueError(f"{count} images but {len(marks)} verdicts")
    cell_h, cell_w = height * scale + 2 * frame, width * scale + 2 * frame
    rows = int(np.ceil(count / columns))
    cols = min(columns, count)
    canvas = np.full((rows * cell_h, cols * cell_w, 3), 255, dtype=np.uint8)
    for index in range(count):
        row, column = divmod(index, cols)
        top, left = row * cell_h, column * cell_w
        colour = NEUTRAL if marks[index] is None else GOOD if marks[index] else BAD
        canvas[top : top + cell_h, left : left + cell_w] = colour
        canvas[top + frame : top + cell_h - frame, left + frame : left + cell_w - frame] = enlarge(
            images[index], scale
        )
    return canvas
