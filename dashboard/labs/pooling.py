"""Max and average pooling as a CNN computes them (no streamlit here).

A window of ``size`` x ``size`` moves ``stride`` pixels at a time and keeps one number
per position: the largest value (max pooling) or the mean (average pooling). There are
no weights to learn; pooling only shrinks the feature map. The numbers come from
``torch.nn.functional.max_pool2d`` / ``avg_pool2d``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lienzo.dashboard.labs.errors import LabError

_TEXT = "pooling."

MODES = ("max", "avg")

# The syllabus' worked examples (2x2 window, stride 2). The two inputs differ only in
# the top-left value: 29 for max pooling, 31 for average pooling.
MAX_EXAMPLE = np.array(
    [[29, 15, 28, 184], [0, 100, 70, 38], [12, 12, 7, 2], [12, 12, 45, 6]], dtype=np.float64
)
AVG_EXAMPLE = np.array(
    [[31, 15, 28, 184], [0, 100, 70, 38], [12, 12, 7, 2], [12, 12, 45, 6]], dtype=np.float64
)
MAX_EXAMPLE_OUTPUT = np.array([[100, 184], [12, 45]], dtype=np.float64)
AVG_EXAMPLE_OUTPUT = np.array([[36.5, 80], [12, 15]], dtype=np.float64)


class PoolingError(LabError):
    """A window or stride that cannot work, explained in es and en."""


def _error(key: str, **values: object) -> PoolingError:
    return PoolingError.from_key(_TEXT + "error_" + key, **values)


def output_size(n: int, size: int, stride: int) -> int:
    """Windows along one axis: floor((n - size) / stride) + 1 (leftover edge dropped)."""
    return (n - size) // stride + 1


def validate(shape: tuple[int, ...], mode: str, size: int, stride: int) -> None:
    if mode not in MODES:
        raise _error("mode", mode=mode)
    if len(shape) not in (2, 3) or min(shape[:2]) < 1:
        raise _error("image_shape", shape=str(tuple(shape)))
    if int(size) != size or size < 1:
        raise _error("size", size=size)
    if int(stride) != stride or stride < 1:
        raise _error("stride", stride=stride)
    if size > shape[0] or size > shape[1]:
        raise _error("too_large", size=size, height=shape[0], width=shape[1])


def pool(x: np.ndarray, mode: str = "max", size: int = 2, stride: int | None = None) -> np.ndarray:
    """Pool a 2-D array, or each channel of an H x W x C array. Stride defaults to size."""
    stride = size if stride is None else stride
    x = np.asarray(x, dtype=np.float64)
    validate(x.shape, mode, size, stride)

    import torch
    import torch.nn.functional as F

    channels_last = x.ndim == 3
    planes = x.transpose(2, 0, 1) if channels_last else x[None]  # C x H x W
    tensor = torch.from_numpy(np.ascontiguousarray(planes))[None]
    with torch.no_grad():
        if mode == "max":
            out = F.max_pool2d(tensor, kernel_size=int(size), stride=int(stride))
        else:
            out = F.avg_pool2d(tensor, kernel_size=int(size), stride=int(stride))
    result = out[0].numpy()
    return result.transpose(1, 2, 0).copy() if channels_last else result[0].copy()


@dataclass(frozen=True)
class Window:
    row: int  # output position
    col: int
    top: int  # input position of the window's top-left pixel
    left: int
    values: np.ndarray
    result: float


def windows(x: np.ndarray, mode: str, size: int, stride: int) -> list[Window]:
    """Every window of a 2-D array with the value pooling keeps, for drawing them."""
    x = np.asarray(x, dtype=np.float64)
    validate(x.shape, mode, size, stride)
    if x.ndim != 2:
        raise _error("image_shape", shape=str(tuple(x.shape)))
    pooled = pool(x, mode, size, stride)
    found = []
    for row in range(pooled.shape[0]):
        for col in range(pooled.shape[1]):
            top, left = row * stride, col * stride
            values = x[top : top + size, left : left + size]
            found.append(Window(row, col, top, left, values, float(pooled[row, col])))
    return found


def rounding_choices(value: float) -> dict[str, int]:
    """The same mean under three rounding rules (36.5 -> 36, 36, 37): slides differ."""
    return {
        "half_to_even": round(value),  # Python and NumPy: ties go to the even neighbour
        "down": math.floor(value),
        "half_up": math.floor(value + 0.5),
    }
