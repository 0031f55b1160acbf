"""Prompt adherence, measured: an exact detector of shape, colour, position and size.

The GenEval idea (Ghosh et al., 2023: check a generated image with a detector instead
of asking a person) on our own data, where the detector can be exact instead of a
learned one:

1. background = the median colour of the image (the shape covers under a quarter);
2. object = the largest connected region of pixels far from the background (the
   threshold is half-way between the background and the shape's own core colour, so
   blurred edges count the way a person would count them);
3. colour = the palette colour nearest to the median colour of the object's core;
4. shape = from the object's bounding box: a triangle has three times more pixels in
   its lower half than in its upper half (a circle and a square are symmetric); a
   square covers the box's corner pixels, a circle leaves them empty;
5. position = the 3x3 grid cell of the box centre; size = the box's longer side.

On the data set's own images it is right every time (tests check it on thousands).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from lienzo.plugins.text_to_image.vocabulary import PALETTE, POSITIONS, Scene

FIND_THRESHOLD = 40.0  # RGB distance from the background that surely belongs to something
MIN_AREA = 6  # pixels: smaller specks are noise, not an object
MAX_COLOUR_DISTANCE = 110.0  # farther than this from every palette colour: "no known colour"
GRID_EDGES = (12.0, 20.0)  # pixel coordinates between the grid's cells (centres 8, 16, 24)
LARGE_SIDE = 12  # bounding-box side in pixels from which a shape counts as large
# A square covers the corner pixels of its box, a circle does not. On the data set's
# own images circles reach at most 0.19 and squares at least 0.56; redrawn by the
# autoencoder (softer corners) circles reach 0.09 and 99% of squares at least 0.24.
# The threshold sits between the drawn circles' maximum and the redrawn squares.
# (The fill ratio cannot tell them apart: a circle 8 pixels wide fills up to 94% of
# its box, because pixels are square.)
SQUARE_CORNERS = 0.28
TRIANGLE_BALANCE = 0.6  # upper-half / lower-half pixels below this: triangle

_PALETTE_NAMES = tuple(PALETTE)
_PALETTE_RGB = np.array([PALETTE[name] for name in _PALETTE_NAMES], dtype=np.float32)  # (5, 3)


@dataclass
class Detection:
    """What the detector sees in one image (None: nothing found, or no known value)."""

    scene: Scene
    objects: int  # connected regions bigger than MIN_AREA
    fill_ratio: float | None = None  # object pixels / bounding-box pixels
    balance: float | None = None  # upper-half pixels / lower-half pixels of the box
    corners: float | None = None  # mean coverage of the box's four corner pixels, 0..1
    colour_rgb: tuple[int, int, int] | None = None
    colour_distance: float | None = None  # to the nearest palette colour
    box: tuple[int, int, int, int] | None = None  # top, left, bottom, right (inclusive)


@dataclass
class Verdict:
    """One image against one prompt: each asked attribute right or wrong."""

    asked: Scene
    detected: Detection
    checks: dict[str, bool] = field(default_factory=dict)  # attribute -> detected == asked

    @property
    def all_correct(self) -> bool:
        return bool(self.checks) and all(self.checks.values())

    @property
    def shape_and_colour(self) -> bool | None:
        """Both right (None when the prompt did not ask for both)."""
        if "shape" not in self.checks or "colour" not in self.checks:
            return None
        return self.checks["shape"] and self.checks["colour"]


def _as_rgb(image: np.ndarray) -> np.ndarray:
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) RGB image, got shape {array.shape}")
    return array.astype(np.float32)


def detect(image: np.ndarray) -> Detection:
    """Find the one shape of an (H, W, 3) uint8 image and read its attributes."""
    rgb = _as_rgb(image)
    height, width = rgb.shape[:2]
    background = np.median(rgb.reshape(-1, 3), axis=0)  # (3,)
    distance = np.linalg.norm(rgb - background, axis=2)  # (H, W)
    labels, count = ndimage.label(distance > FIND_THRESHOLD)
    if count == 0:
        return Detection(Scene(), objects=0)
    areas = ndimage.sum_labels(np.ones_like(distance), labels, index=range(1, count + 1))
    objects = int(np.sum(areas >= MIN_AREA))
    if objects == 0:
        return Detection(Scene(), objects=0)
    region = labels == (int(np.argmax(areas)) + 1)

    # Colour: the core of the region (its most saturated half), against the palette.
    core = region & (distance >= np.median(distance[region]))
    colour = np.median(rgb[core], axis=0)  # (3,)
    gaps = np.linalg.norm(_PALETTE_RGB - colour, axis=1)  # (5,)
    nearest = int(np.argmin(gaps))
    colour_name = _PALETTE_NAMES[nearest] if gaps[nearest] <= MAX_COLOUR_DISTANCE else None

    # Outline: half-way between background and core, inside the region's neighbourhood.
    half_way = 0.5 * float(np.linalg.norm(colour - background))
    near = ndimage.binary_dilation(region, iterations=1)
    mask = near & (distance >= max(half_way, FIND_THRESHOLD / 2))
    rows, columns = np.nonzero(mask)
    top, bottom, left, right = rows.min(), rows.max(), columns.min(), columns.max()
    box_height, box_width = bottom - top + 1, right - left + 1
    fill = float(mask.sum()) / float(box_height * box_width)
    middle = (top + bottom) / 2.0
    upper = float(np.sum(rows < middle))
    lower = float(np.sum(rows > middle))
    balance = upper / max(lower, 1.0)
    # How much of each corner pixel of the box the shape covers (0..1): a square's
    # corners are full, a circle's empty, even when the circle is only 8 pixels wide.
    coverage = np.clip(distance / max(2.0 * half_way, 1.0), 0.0, 1.0)
    corners = float(np.mean(coverage[[top, top, bottom, bottom], [left, right, left, right]]))
    if balance < TRIANGLE_BALANCE:
        shape = "triangle"
    elif corners > SQUARE_CORNERS:
        shape = "square"
    else:
        shape = "circle"

    centre_y, centre_x = middle * 32.0 / height, (left + right) / 2.0 * 32.0 / width
    row = int(np.searchsorted(GRID_EDGES, centre_y))
    column = int(np.searchsorted(GRID_EDGES, centre_x))
    side = max(box_height, box_width) * 32.0 / max(height, width)
    return Detection(
        scene=Scene(
            shape=shape,
            colour=colour_name,
            position=POSITIONS[row * 3 + column],
            size="large" if side >= LARGE_SIDE else "small",
        ),
        objects=objects,
        fill_ratio=fill,
        balance=balance,
        corners=corners,
        colour_rgb=tuple(int(round(v)) for v in colour),
        colour_distance=float(gaps[nearest]),
        box=(int(top), int(left), int(bottom), int(right)),
    )


def judge(image: np.ndarray, asked: Scene) -> Verdict:
    """Check every attribute ``asked`` names against what :func:`detect` finds."""
    found = detect(image)
    checks = {name: getattr(found.scene, name) == value for name, value in asked.asked().items()}
    return Verdict(asked=asked, detected=found, checks=checks)


@dataclass
class AdherenceReport:
    """Rates over a set of (image, prompt) pairs; each rate counts only prompts that asked."""

    verdicts: list[Verdict]

    def rate(self, attribute: str) -> float | None:
        relevant = [v.checks[attribute] for v in self.verdicts if attribute in v.checks]
        return float(np.mean(relevant)) if relevant else None

    @property
    def shape_and_colour(self) -> float | None:
        both = [v.shape_and_colour for v in self.verdicts if v.shape_and_colour is not None]
        return float(np.mean(both)) if both else None

    @property
    def all_correct(self) -> float | None:
        return float(np.mean([v.all_correct for v in self.verdicts])) if self.verdicts else None

    def summary(self) -> dict[str, float | int | None]:
        """Every rate as a plain dict (for sidecars, the page and the benchmark)."""
        return {
            "images": len(self.verdicts),
            "shape_and_colour": self.shape_and_colour,
            "shape": self.rate("shape"),
            "colour": self.rate("colour"),
            "position": self.rate("position"),
            "size": self.rate("size"),
            "all_asked": self.all_correct,
        }


def adherence(images: Sequence[np.ndarray], asked: Sequence[Scene]) -> AdherenceReport:
    """Judge each image against its prompt's scene (same order, same length)."""
    if len(images) != len(asked):
        raise ValueError(f"{len(images)} images but {len(asked)} prompts")
    return AdherenceReport(
        [judge(image, scene) for image, scene in zip(images, asked, strict=True)]
    )
