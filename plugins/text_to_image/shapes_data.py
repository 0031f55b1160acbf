"""The captioned shapes set: 32x32 colour images of one shape, drawn from a seed (no download).

Each image shows one circle, square or triangle in one of five colours, small or large,
in one cell of a 3x3 grid (with a little random jitter). Every image carries several
captions in Spanish and English that say more or less (colour, size and position are
sometimes left out), so prompts like "un círculo rojo" and "a red circle at the top
left" are both things the model has seen.

Why 32x32: the smallest size where a small triangle (9 pixels wide) is still clearly a
triangle; the denoiser works on an 8x8 latent of it, which is what makes training in
minutes on two CPU cores possible.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from lienzo.plugins.text_to_image.vocabulary import (
    BACKGROUND,
    COLOURS,
    PALETTE,
    POSITION_CELL,
    POSITIONS,
    SHAPES,
    SIZES,
    TEMPLATES,
    Scene,
    caption,
)

IMAGE_SIZE = 32
SUPERSAMPLE = 4  # draw 4x larger and shrink: smooth edges like a real picture
CELL_CENTRES = (8.0, 16.0, 24.0)  # pixel centre of each grid row/column
JITTER = 1.5  # +- pixels around the cell centre
HALF_SIZE = {"small": (3.8, 4.6), "large": (6.4, 7.4)}  # half the side, in pixels
CAPTIONS_PER_IMAGE = 4  # two Spanish, two English
DATASET_SEED = 0
DESCRIPTION = (
    "procedural shapes: 32x32 RGB, 3 shapes x 5 colours x 9 positions x 2 sizes, "
    "4 captions each (2 es + 2 en), seed {seed}, {n} images"
)


def draw_scene(scene: Scene, rng: np.random.Generator | None = None) -> np.ndarray:
    """One (32, 32, 3) uint8 image of a fully specified ``scene``.

    ``rng`` adds the jitter in position and size; without it the shape sits exactly
    in the middle of its cell at the middle of its size range.
    """
    if None in (scene.shape, scene.colour, scene.position, scene.size):
        raise ValueError(f"draw_scene needs every attribute set, got {scene}")
    row, column = POSITION_CELL[scene.position]
    low, high = HALF_SIZE[scene.size]
    if rng is None:
        dx = dy = 0.0
        half = (low + high) / 2
    else:
        dx, dy = rng.uniform(-JITTER, JITTER, size=2)
        half = rng.uniform(low, high)
    cx, cy = CELL_CENTRES[column] + dx, CELL_CENTRES[row] + dy
    scale = SUPERSAMPLE
    canvas = Image.new("RGB", (IMAGE_SIZE * scale, IMAGE_SIZE * scale), BACKGROUND)
    pen = ImageDraw.Draw(canvas)
    colour = PALETTE[scene.colour]
    # Pixel (i, j) covers [j, j+1) x [i, i+1); its centre is (j + 0.5, i + 0.5).
    left, top = (cx - half + 0.5) * scale, (cy - half + 0.5) * scale
    right, bottom = (cx + half + 0.5) * scale, (cy + half + 0.5) * scale
    if scene.shape == "circle":
        pen.ellipse((left, top, right, bottom), fill=colour)
    elif scene.shape == "square":
        pen.rectangle((left, top, right, bottom), fill=colour)
    else:  # an upward triangle filling the same box: apex on top, base at the bottom
        pen.polygon([((left + right) / 2, top), (right, bottom), (left, bottom)], fill=colour)
    small = canvas.resize((IMAGE_SIZE, IMAGE_SIZE), Image.Resampling.BOX)
    return np.asarray(small, dtype=np.uint8).copy()


def random_scene(rng: np.random.Generator) -> Scene:
    return Scene(
        shape=SHAPES[rng.integers(len(SHAPES))],
        colour=COLOURS[rng.integers(len(COLOURS))],
        position=POSITIONS[rng.integers(len(POSITIONS))],
        size=SIZES[rng.integers(len(SIZES))],
    )


def caption_variants(scene: Scene, rng: np.random.Generator) -> list[str]:
    """Two Spanish and two English captions; colour, position and size are sometimes left out.

    Leaving words out teaches the model what a partial prompt means ("un círculo"
    means any colour, anywhere).
    """
    captions = []
    for lang in ("es", "en", "es", "en"):
        said = Scene(
            shape=scene.shape,
            colour=scene.colour if rng.random() < 0.9 else None,
            position=scene.position if rng.random() < 0.8 else None,
            size=scene.size if rng.random() < 0.5 else None,
        )
        captions.append(caption(said, lang, int(rng.integers(len(TEMPLATES[lang])))))
    return captions


@dataclass(frozen=True)
class ShapesDataset:
    """images: uint8 (N, 32, 32, 3); scenes: what each shows; captions: (N, 4) strings."""

    images: np.ndarray
    scenes: tuple[Scene, ...]
    captions: tuple[tuple[str, ...], ...]
    seed: int

    def __len__(self) -> int:
        return len(self.scenes)

    @property
    def description(self) -> str:
        return DESCRIPTION.format(seed=self.seed, n=len(self))

    def unique_captions(self) -> list[str]:
        """Every distinct caption, sorted (the text encoder embeds each one once)."""
        return sorted({text for row in self.captions for text in row})


@functools.cache
def make_dataset(n: int = 6000, seed: int = DATASET_SEED) -> ShapesDataset:
    """``n`` captioned images drawn from ``seed``: the same arguments, the same data.

    Cached per process and read-only (copy before changing).
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    rng = np.random.default_rng(seed)
    scenes, images, captions = [], [], []
    for _ in range(n):
        scene = random_scene(rng)
        scenes.append(scene)
        images.append(draw_scene(scene, rng))
        captions.append(tuple(caption_variants(scene, rng)))
    stacked = np.stack(images)  # (N, 32, 32, 3)
    stacked.setflags(write=False)
    return ShapesDataset(stacked, tuple(scenes), tuple(captions), seed)


def to_model_range(images: np.ndarray) -> np.ndarray:
    """uint8 (N, H, W, 3) -> float32 (N, 3, H, W) in -1..1, the range the networks use."""
    return (np.asarray(images, dtype=np.float32).transpose(0, 3, 1, 2) / 127.5) - 1.0


def to_uint8(images: np.ndarray) -> np.ndarray:
    """float (N, 3, H, W) in -1..1 -> uint8 (N, H, W, 3); values outside are clipped."""
    scaled = (np.clip(np.asarray(images, dtype=np.float32), -1.0, 1.0) + 1.0) * 127.5
    return np.round(scaled).astype(np.uint8).transpose(0, 2, 3, 1)
