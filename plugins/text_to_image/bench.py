"""The text-to-image model's benchmark figures, for ``registry.bench.run_benchmark(extra=...)``.

- prompt adherence over the fixed prompt set (30 prompts x 2 seeds, guidance 4, 25 DDIM
  steps): shape and colour together, and each attribute alone; and over every fully
  specified scene in both languages (540 prompts, one seed each);
- generation time per image: one image alone (text encoder + 25 guided UNet steps +
  decoder; median of ``repeats`` after a warm-up), and per image inside the 60-image batch;
- the torch thread count used and the 1-minute load average (other processes change
  every figure on a shared machine).
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any


def every_scene_adherence(model: Any, seed: int = 5000) -> dict[str, Any]:
    """Adherence on every fully specified scene (3 shapes x 5 colours x 9 positions x
    2 sizes) in both languages: 540 prompts, one seed each, beyond the fixed set."""
    from lienzo.plugins.text_to_image.detector import adherence
    from lienzo.plugins.text_to_image.vocabulary import (
        COLOURS,
        POSITIONS,
        SHAPES,
        SIZES,
        Scene,
        caption,
    )

    scenes = [
        Scene(shape, colour, position, size)
        for shape in SHAPES
        for colour in COLOURS
        for position in POSITIONS
        for size in SIZES
    ]
    asked, images = [], []
    for lang in ("es", "en"):
        texts = [caption(scene, lang) for scene in scenes]
        for start in range(0, len(texts), 54):
            run = model.run("", prompts=texts[start : start + 54], seed=seed + start)
            images.extend(run.images)
        asked.extend(scenes)
    summary = adherence(images, asked).summary()
    return {
        "txt2img: every scene es+en (540 images), shape and colour": summary["shape_and_colour"],
        "txt2img: every scene es+en (540 images), position": summary["position"],
        "txt2img: every scene es+en (540 images), size": summary["size"],
        "txt2img: every scene es+en (540 images), all asked": summary["all_asked"],
    }


def measure_text_to_image(
    repeats: int = 5, threads: int = 1, every_scene: bool = True
) -> dict[str, Any]:
    from lienzo.plugins.text_to_image.model import ShapesTextToImage

    model = ShapesTextToImage.pretrained()
    load_before = os.getloadavg()[0]
    model.pipeline.run("a red circle at the top left", threads=threads)  # warm-up: MiniLM loads
    times = []
    for repeat in range(max(1, repeats)):
        started = time.perf_counter()
        model.run("un cuadrado azul en el centro", seed=repeat, threads=threads)
        times.append(time.perf_counter() - started)
    evaluation = model.evaluate()
    summary = evaluation.report.summary()
    more = every_scene_adherence(model) if every_scene else {}
    return {
        **more,
        "txt2img: adherence, shape and colour (60 images)": summary["shape_and_colour"],
        "txt2img: adherence, shape": summary["shape"],
        "txt2img: adherence, colour": summary["colour"],
        "txt2img: adherence, position": summary["position"],
        "txt2img: adherence, size": summary["size"],
        "txt2img: seconds per image (one image, 25 DDIM steps)": statistics.median(times),
        "txt2img: seconds per image (batch of 60)": evaluation.seconds / len(evaluation.images),
        "txt2img: torch threads": threads,
        "txt2img: load average (1 min) before/after": (
            f"{load_before:.1f}/{os.getloadavg()[0]:.1f}"
        ),
    }
