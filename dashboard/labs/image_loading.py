"""The one way every page turns an upload or a sample into arrays.

``load_image`` accepts whatever a learner might drop on the page (a phone photo turned
sideways by EXIF, a CMYK JPEG from a print shop, a 16-bit scan, a GIF, a PNG with
transparency, a decompression bomb) and returns the same thing each time: an RGB uint8
array and a greyscale float array, plus notes telling the learner what was changed.
Anything that cannot be loaded raises ``ImageLoadError`` with a message in both
languages. Pillow's own exceptions and warnings never escape.
"""

from __future__ import annotations

import functools
import io
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from lienzo.dashboard.labs.errors import LabError, Message, bilingual

# Must equal `server.maxUploadSize` in .streamlit/config.toml (a test checks it).
# Streamlit's uploader refuses files above MB * 1,000,000 bytes in the browser (measured:
# 16,000,000 bytes pass at maxUploadSize = 16, 16,001,000 do not); so do we.
MAX_UPLOAD_MB = 16
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1_000_000
# 24 megapixels: any phone photo fits; a 100-megapixel "bomb" does not.
MAX_PIXELS = 24_000_000

# Formats we decode, keyed by Pillow's format name, and the extensions the uploader offers.
ALLOWED_FORMATS: dict[str, tuple[str, ...]] = {
    "PNG": ("png",),
    "JPEG": ("jpg", "jpeg"),
    "WEBP": ("webp",),
    "GIF": ("gif",),
    "BMP": ("bmp",),
    "TIFF": ("tif", "tiff"),
}
ALLOWED_EXTENSIONS: tuple[str, ...] = tuple(
    ext for exts in ALLOWED_FORMATS.values() for ext in exts
)

# Luma weights of ITU-R BT.601, the same Pillow uses for "L".
LUMA = np.array([0.299, 0.587, 0.114])

_TEXT = "image_loading."


class ImageLoadError(LabError):
    """The file cannot become an image for the lab; ``messages`` says why, in es and en."""


@dataclass(frozen=True)
class LoadedImage:
    rgb: np.ndarray  # uint8, H x W x 3, alpha composited on white, upright
    gray: np.ndarray  # float64, H x W, 0.0 = black .. 1.0 = white
    notes: list[Message] = field(default_factory=list)  # what we changed, for the learner
    original_mode: str = "RGB"  # Pillow mode in the file ("CMYK", "I;16", "P", ...)
    original_size: tuple[int, int] = (0, 0)  # (width, height) as stored, before EXIF rotation
    format: str | None = None  # Pillow format name, or None for arrays (samples)

    def __post_init__(self) -> None:
        # Read-only: samples are shared between sessions, and a page that wants to draw
        # on a picture must copy it first.
        self.rgb.setflags(write=False)
        self.gray.setflags(write=False)

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def is_grey(self) -> bool:
        """True when the three channels are identical (a grey picture, whatever the file)."""
        r, g, b = self.rgb[..., 0], self.rgb[..., 1], self.rgb[..., 2]
        return bool(np.array_equal(r, g) and np.array_equal(g, b))

    @property
    def gray_255(self) -> np.ndarray:
        """Greyscale on the 0..255 scale (float), the scale the lessons count in."""
        return self.gray * 255.0


def _error(key: str, **values: object) -> ImageLoadError:
    return ImageLoadError(bilingual(_TEXT + key, **values))


def _megapixels(pixels: int) -> float:
    return pixels / 1_000_000


def _open(data: bytes, formats: list[str] | None) -> Image.Image:
    """Read only the header. Pillow's bomb warning is silenced: our own limit is stricter
    and is checked right after this, before any pixel is decoded."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(io.BytesIO(data), formats=formats)


def _identify_other_format(data: bytes) -> str | None:
    """The format name when Pillow knows the file but we do not accept it."""
    try:
        with _open(data, None) as image:
            return image.format
    except Image.DecompressionBombError:
        return None
    except Exception:  # noqa: BLE001 - any failure here just means "not an image"
        return None


def load_image(
    data: bytes,
    filename: str | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_pixels: int = MAX_PIXELS,
) -> LoadedImage:
    """Decode ``data`` into a ``LoadedImage`` or raise ``ImageLoadError``.

    Order matters for safety: the byte limit is checked before anything else, the pixel
    limit from the header before any pixel is decoded.
    """
    if not data:
        raise _error("empty")
    if len(data) > max_bytes:
        raise _error(
            "too_many_bytes",
            size_mb=len(data) / 1_000_000,
            limit_mb=max_bytes / 1_000_000,
        )

    try:
        image = _open(data, list(ALLOWED_FORMATS))
    except Image.DecompressionBombError as bomb:
        # Pillow refuses at open time beyond twice its own limit; report ours.
        found = re.search(r"\((\d+) pixels\)", str(bomb))
        pixels = int(found.group(1)) if found else None
        if pixels is None:
            raise _error("too_many_pixels_unknown", limit_mp=_megapixels(max_pixels)) from None
        raise _error(
            "too_many_pixels_total",
            mp=_megapixels(pixels),
            limit_mp=_megapixels(max_pixels),
        ) from None
    except UnidentifiedImageError:
        other = _identify_other_format(data)
        if other:
            raise _error(
                "unsupported_format", format=other, allowed=", ".join(ALLOWED_FORMATS)
            ) from None
        raise _error("not_an_image", allowed=", ".join(ALLOWED_FORMATS)) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise _error("damaged") from None

    with image:
        width, height = image.size
        if width < 1 or height < 1:
            raise _error("damaged")
        if width * height > max_pixels:
            raise _error(
                "too_many_pixels",
                width=width,
                height=height,
                mp=_megapixels(width * height),
                limit_mp=_megapixels(max_pixels),
            )
        notes: list[Message] = []
        frames = _frame_count(image)
        if frames > 1:
            notes.append(bilingual(_TEXT + "first_frame_only", frames=frames))
        try:
            image.seek(0)
            image.load()
        except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
            raise _error("truncated") from None
        original_mode, original_format = image.mode, image.format
        upright = _apply_orientation(image, notes)
        rgb, gray = _to_arrays(upright, notes)
    return LoadedImage(
        rgb=rgb,
        gray=gray,
        notes=notes,
        original_mode=original_mode,
        original_size=(width, height),
        format=original_format,
    )


def _frame_count(image: Image.Image) -> int:
    try:
        return int(getattr(image, "n_frames", 1))
    except (OSError, SyntaxError, ValueError, EOFError):
        return 1  # a damaged later frame does not matter: only the first is used


def _apply_orientation(image: Image.Image, notes: list[Message]) -> Image.Image:
    """Turn the picture the way the camera meant it (EXIF orientation 2..8)."""
    try:
        orientation = image.getexif().get(0x0112, 1)
    except Exception:  # noqa: BLE001 - malformed EXIF: keep the pixels as stored
        return image
    if orientation in (None, 1):
        return image
    try:
        turned = ImageOps.exif_transpose(image)
    except Exception:  # noqa: BLE001
        notes.append(bilingual(_TEXT + "orientation_ignored"))
        return image
    notes.append(bilingual(_TEXT + "orientation_applied", orientation=orientation))
    return turned if turned is not None else image


def _composite_on_white(rgba: np.ndarray) -> np.ndarray:
    colour = rgba[..., :3].astype(np.float64)
    alpha = rgba[..., 3:4].astype(np.float64) / 255.0
    return np.rint(colour * alpha + 255.0 * (1.0 - alpha)).astype(np.uint8)


def _high_bit_depth_gray(image: Image.Image, notes: list[Message]) -> np.ndarray:
    """Greyscale deeper than 8 bits, scaled (never clipped) to 0..1."""
    values = np.asarray(image).astype(np.float64)
    if image.mode.startswith("I;16"):
        notes.append(bilingual(_TEXT + "scaled_16bit"))
        return values / 65535.0
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    if image.mode == "I" and low >= 0 and high <= 65535:
        notes.append(bilingual(_TEXT + "scaled_16bit"))
        return values / 65535.0
    if image.mode == "F" and low >= 0 and high <= 1:
        return values
    notes.append(bilingual(_TEXT + "rescaled_range", low=f"{low:g}", high=f"{high:g}"))
    values = np.nan_to_num(values, nan=low)
    return (values - low) / (high - low) if high > low else np.zeros_like(values)


def _to_arrays(image: Image.Image, notes: list[Message]) -> tuple[np.ndarray, np.ndarray]:
    mode = image.mode
    if mode in ("I", "F") or mode.startswith("I;16"):
        gray = _high_bit_depth_gray(image, notes)
        grey8 = np.rint(gray * 255.0).astype(np.uint8)
        return np.repeat(grey8[..., None], 3, axis=2), gray

    has_alpha = mode in ("RGBA", "LA", "La", "RGBa", "PA") or "transparency" in image.info
    if has_alpha:
        rgb = _composite_on_white(np.asarray(image.convert("RGBA")))
        notes.append(bilingual(_TEXT + "alpha_on_white"))
    elif mode in ("L", "1"):
        grey8 = np.asarray(image.convert("L"))
        rgb = np.repeat(grey8[..., None], 3, axis=2)
        return rgb, grey8.astype(np.float64) / 255.0
    else:
        # CMYK (Pillow undoes Adobe's inverted CMYK itself), YCbCr, P, RGB, ...
        try:
            rgb = np.asarray(image.convert("RGB"))
        except (ValueError, OSError):
            raise _error("unsupported_mode", mode=mode) from None
        if mode == "CMYK":
            notes.append(bilingual(_TEXT + "converted_cmyk"))
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    return rgb, rgb_to_gray(rgb)


def rgb_to_gray(rgb: np.ndarray) -> np.ndarray:
    """Luminance 0..1 of an RGB uint8 array (BT.601 weights, as Pillow's "L")."""
    return (rgb.astype(np.float64) @ LUMA) / 255.0


def image_from_array(array: np.ndarray, *, value_max: float = 255.0) -> LoadedImage:
    """A ``LoadedImage`` from an in-memory array (H x W grey or H x W x 3 colour)."""
    values = np.asarray(array, dtype=np.float64)
    scaled = np.clip(values / value_max, 0.0, 1.0)
    if scaled.ndim == 2:
        grey8 = np.rint(scaled * 255.0).astype(np.uint8)
        rgb = np.repeat(grey8[..., None], 3, axis=2)
        gray, mode = scaled, "L"
    elif scaled.ndim == 3 and scaled.shape[2] in (3, 4):
        rgb8 = np.rint(scaled * 255.0).astype(np.uint8)
        rgb = _composite_on_white(rgb8) if rgb8.shape[2] == 4 else rgb8
        gray, mode = rgb_to_gray(rgb), "RGB"
    else:
        raise _error("bad_array", shape=str(tuple(values.shape)))
    return LoadedImage(
        rgb=rgb, gray=gray, original_mode=mode, original_size=(rgb.shape[1], rgb.shape[0])
    )


def downscale(image: LoadedImage, max_side: int) -> LoadedImage:
    """The same picture with its longer side at most ``max_side`` (area averaging)."""
    if max(image.height, image.width) <= max_side:
        return image
    factor = max_side / max(image.height, image.width)
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    rgb = np.asarray(Image.fromarray(image.rgb).resize(size, Image.Resampling.BOX))
    gray_image = Image.fromarray(image.gray.astype(np.float32), mode="F")
    gray = np.asarray(gray_image.resize(size, Image.Resampling.BOX)).astype(np.float64)
    note = bilingual(
        _TEXT + "downscaled",
        width=image.width,
        height=image.height,
        new_width=size[0],
        new_height=size[1],
    )
    return LoadedImage(
        rgb=rgb,
        gray=np.clip(gray, 0.0, 1.0),
        notes=[*image.notes, note],
        original_mode=image.original_mode,
        original_size=image.original_size,
        format=image.format,
    )


# ---- samples that ship inside installed packages (no network) ----------------------


def _digit(target: int) -> LoadedImage:
    from sklearn.datasets import load_digits

    digits = load_digits()
    index = int(np.flatnonzero(digits.target == target)[0])
    # scikit-learn stores ink as 0..16; we scale to 0..255 like every other image.
    return image_from_array(digits.images[index], value_max=16.0)


def _sklearn_photo(name: str) -> LoadedImage:
    from sklearn.datasets import load_sample_image

    return image_from_array(load_sample_image(name))


def _skimage(name: str) -> LoadedImage:
    from skimage import data

    return image_from_array(getattr(data, name)())


SAMPLE_SOURCES: dict[str, Callable[[], LoadedImage]] = {
    "digit_3": functools.partial(_digit, 3),
    "digit_7": functools.partial(_digit, 7),
    "camera": functools.partial(_skimage, "camera"),
    "astronaut": functools.partial(_skimage, "astronaut"),
    "coffee": functools.partial(_skimage, "coffee"),
    "chelsea": functools.partial(_skimage, "chelsea"),
    "coins": functools.partial(_skimage, "coins"),
    "checkerboard": functools.partial(_skimage, "checkerboard"),
    "china": functools.partial(_sklearn_photo, "china.jpg"),
    "flower": functools.partial(_sklearn_photo, "flower.jpg"),
}


# Cached per process; the arrays are read-only, so no session can change another's copy.
_CACHED: dict[str, Callable[[], LoadedImage]] = {
    name: functools.cache(loader) for name, loader in SAMPLE_SOURCES.items()
}


def sample_images() -> dict[str, Callable[[], LoadedImage]]:
    """Sample name -> loader (cached; returns read-only arrays)."""
    return dict(_CACHED)


def load_sample(name: str) -> LoadedImage:
    """One sample by name (cached per process)."""
    try:
        return _CACHED[name]()
    except KeyError:
        raise _error("unknown_sample", name=name) from None
