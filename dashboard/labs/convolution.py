"""Convolution as deep-learning libraries compute it (no streamlit here).

What a CNN layer calls "convolution" is cross-correlation: the kernel slides over the
image *without being flipped*, and each output pixel is the sum of the input pixels under
the kernel, each multiplied by the kernel weight on top of it. The numbers come from
``torch.nn.functional.conv2d`` (the function every PyTorch CNN uses), not from a loop
written here, so what the learner sees is what a network computes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lienzo.dashboard.labs.errors import LabError

_TEXT = "convolution."

# The syllabus' worked example: valid convolution, stride 1, gives WORKED_OUTPUT exactly.
WORKED_IMAGE = np.array(
    [
        [1, 1, 1, 0, 0],
        [0, 1, 1, 1, 0],
        [0, 0, 1, 1, 1],
        [0, 0, 1, 1, 0],
        [0, 1, 1, 0, 0],
    ],
    dtype=np.float64,
)
WORKED_KERNEL = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=np.float64)
WORKED_OUTPUT = np.array([[4, 3, 4], [2, 4, 3], [2, 3, 4]], dtype=np.float64)


class ConvolutionError(LabError):
    """A kernel, stride or padding that cannot work, explained in es and en."""


def _error(key: str, **values: object) -> ConvolutionError:
    return ConvolutionError.from_key(_TEXT + "error_" + key, **values)


IDENTITY = np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=np.float64)
BOX_BLUR = np.ones((3, 3)) / 9.0
# The mean of a pixel and its four neighbours; only used to explain the sharpen kernel.
CROSS_BLUR = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=np.float64) / 5.0


@dataclass(frozen=True)
class KernelPreset:
    key: str  # texts: convolution.preset_<key> (name) and convolution.preset_<key>_what
    kernel: np.ndarray


def _preset(key: str, kernel: np.ndarray) -> KernelPreset:
    kernel = np.asarray(kernel, dtype=np.float64)
    kernel.setflags(write=False)
    return KernelPreset(key, kernel)


KERNEL_PRESETS: dict[str, KernelPreset] = {
    preset.key: preset
    for preset in (
        _preset("identity", IDENTITY),
        # Under cross-correlation this weight on the LEFT neighbour moves the image RIGHT.
        _preset("shift", [[0, 0, 0], [1, 0, 0], [0, 0, 0]]),
        _preset("box_blur", BOX_BLUR),
        _preset("gaussian_blur", np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16.0),
        _preset("sharpen", [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
        _preset("edge", [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),
        # "sharpen = original - blur": original + (original - blur) = 2 * identity - blur.
        _preset("sharpen_from_blur", 2 * IDENTITY - BOX_BLUR),
    )
}

# Kernels are numbers too: adding and scaling kernels adds and scales their outputs
# (convolution is linear). Each entry: result preset, [(coefficient, kernel name)].
ARITHMETIC_TERMS: dict[str, np.ndarray] = {
    "identity": IDENTITY,
    "box_blur": BOX_BLUR,
    "cross_blur": CROSS_BLUR,
}
KERNEL_ARITHMETIC: dict[str, list[tuple[float, str]]] = {
    # original + (original - blur): keep the picture, add back what blurring removes.
    "sharpen_from_blur": [(2.0, "identity"), (-1.0, "box_blur")],
    # 9 * (original - blur): only what blurring removes, i.e. the edges.
    "edge": [(9.0, "identity"), (-9.0, "box_blur")],
    # original + 5 * (original - blur over the 4 neighbours) = the classic sharpen kernel.
    "sharpen": [(6.0, "identity"), (-5.0, "cross_blur")],
}


def combine(terms: list[tuple[float, str]]) -> np.ndarray:
    """The kernel sum(coefficient * kernel) for ``KERNEL_ARITHMETIC`` entries."""
    return sum(
        (coefficient * ARITHMETIC_TERMS[name] for coefficient, name in terms), np.zeros((3, 3))
    )


# Filters for the "one layer, many feature maps" demonstration.
SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)  # vertical edges
SOBEL_Y = SOBEL_X.T.copy()  # horizontal edges
FEATURE_BANK: dict[str, np.ndarray] = {
    "vertical_edges": SOBEL_X,
    "horizontal_edges": SOBEL_Y,
    "edge": KERNEL_PRESETS["edge"].kernel,
    "box_blur": BOX_BLUR,
}


def embed(kernel: np.ndarray, size: int) -> np.ndarray:
    """A smaller odd-sized kernel centred in a ``size`` x ``size`` kernel of zeros."""
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.shape == (size, size):
        return kernel.copy()
    out = np.zeros((size, size))
    top, left = (size - kernel.shape[0]) // 2, (size - kernel.shape[1]) // 2
    out[top : top + kernel.shape[0], left : left + kernel.shape[1]] = kernel
    return out


def output_size(n: int, k: int, stride: int = 1, padding: int = 0) -> int:
    """Output length along one axis: floor((n + 2p - k) / s) + 1."""
    return (n + 2 * padding - k) // stride + 1


def validate(image_shape: tuple[int, ...], kernel: np.ndarray, stride: int, padding: int) -> None:
    """Raise ``ConvolutionError`` with a clear message when the settings cannot work."""
    kernel = np.asarray(kernel)
    if kernel.ndim != 2 or kernel.size == 0:
        raise _error("kernel_not_2d", shape=str(tuple(kernel.shape)))
    if not np.issubdtype(kernel.dtype, np.number) or not np.all(np.isfinite(kernel)):
        raise _error("kernel_not_numbers")
    if len(image_shape) not in (2, 3) or min(image_shape[:2]) < 1:
        raise _error("image_shape", shape=str(tuple(image_shape)))
    if int(stride) != stride or stride < 1:
        raise _error("stride", stride=stride)
    if int(padding) != padding or padding < 0:
        raise _error("padding", padding=padding)
    height, width = image_shape[:2]
    kh, kw = kernel.shape
    if kh > height + 2 * padding or kw > width + 2 * padding:
        raise _error(
            "kernel_too_large",
            kh=kh,
            kw=kw,
            height=height,
            width=width,
            padding=padding,
        )


def convolve(
    image: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0
) -> np.ndarray:
    """Cross-correlate a 2-D image (or each channel of an H x W x C image) with ``kernel``.

    Zero padding of ``padding`` pixels on every side, then the kernel moves ``stride``
    pixels at a time. Returns float64 of shape (H', W') or (H', W', C).
    """
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    validate(image.shape, kernel, stride, padding)

    import torch
    import torch.nn.functional as F

    channels_last = image.ndim == 3
    planes = image.transpose(2, 0, 1) if channels_last else image[None]  # C x H x W
    channels = planes.shape[0]
    x = torch.from_numpy(np.ascontiguousarray(planes))[None]  # 1 x C x H x W
    # One copy of the kernel per channel, applied to its own channel only (groups=C).
    weight = torch.from_numpy(kernel.copy()).expand(channels, 1, *kernel.shape).contiguous()
    with torch.no_grad():
        out = F.conv2d(x, weight, stride=int(stride), padding=int(padding), groups=channels)
    result = out[0].numpy()  # C x H' x W'
    return result.transpose(1, 2, 0).copy() if channels_last else result[0].copy()


def feature_maps(
    image: np.ndarray, kernels: dict[str, np.ndarray], stride: int = 1, padding: int = 1
) -> dict[str, np.ndarray]:
    """One convolution layer with several filters: one call, one feature map per filter."""
    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 2:
        raise _error("image_shape", shape=str(tuple(image.shape)))
    for kernel in kernels.values():
        validate(image.shape, kernel, stride, padding)
    import torch
    import torch.nn.functional as F

    weight = torch.from_numpy(np.stack([np.asarray(k, dtype=np.float64) for k in kernels.values()]))
    with torch.no_grad():
        out = F.conv2d(
            torch.from_numpy(np.ascontiguousarray(image))[None, None],
            weight[:, None],  # filters x 1 input channel x kh x kw
            stride=int(stride),
            padding=int(padding),
        )
    return {name: out[0, i].numpy().copy() for i, name in enumerate(kernels)}


@dataclass(frozen=True)
class PositionExplanation:
    """How one output pixel is made: the patch under the kernel, products, their sum."""

    row: int
    col: int
    top: int  # position of the patch in the padded image
    left: int
    patch: np.ndarray
    products: np.ndarray
    total: float


def explain_position(
    image: np.ndarray, kernel: np.ndarray, stride: int, padding: int, row: int, col: int
) -> PositionExplanation:
    """The arithmetic behind output pixel (row, col), for showing step by step."""
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    validate(image.shape, kernel, stride, padding)
    if image.ndim != 2:
        raise _error("image_shape", shape=str(tuple(image.shape)))
    out_h = output_size(image.shape[0], kernel.shape[0], stride, padding)
    out_w = output_size(image.shape[1], kernel.shape[1], stride, padding)
    if not (0 <= row < out_h and 0 <= col < out_w):
        raise _error("position", row=row, col=col, out_h=out_h, out_w=out_w)
    padded = np.pad(image, padding)
    top, left = row * stride, col * stride
    patch = padded[top : top + kernel.shape[0], left : left + kernel.shape[1]]
    products = patch * kernel
    return PositionExplanation(row, col, top, left, patch, products, float(products.sum()))
