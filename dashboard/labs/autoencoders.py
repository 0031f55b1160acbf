"""The autoencoder lab's logic without Streamlit: picking digits, comparison figures.

Everything here takes model objects and returns plain numbers, so the comparison
table can be tested without a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lienzo.plugins.datasets.digits import load_digits_split

JUDGE_SAMPLES, JUDGE_SEED = 1000, 0  # the same as the committed sidecars


def examples_of(digit: int) -> np.ndarray:
    """Indices into the held-out split of every example of ``digit``."""
    return np.flatnonzero(load_digits_split().y_test == int(digit))


def held_out_digit(digit: int, example: int) -> np.ndarray:
    """The ``example``-th held-out image of ``digit`` (wrapping around), (8, 8)."""
    indices = examples_of(digit)
    return load_digits_split().x_test[indices[int(example) % len(indices)]]


def all_of(digit: int) -> np.ndarray:
    """Every held-out image of ``digit``, (n, 8, 8)."""
    return load_digits_split().x_test[examples_of(digit)]


@dataclass
class VariantFigures:
    """One row of the comparison table (None: not measured for this row)."""

    model_id: str
    source: str  # "pretrained" or "own"
    parameters: int
    latent_dim: int
    train_seconds: float | None
    epochs: int | None
    mse: float  # held-out, pixel levels squared
    psnr_db: float
    confident_share: float | None = None
    classes_present: int | None = None
    frechet_distance: float | None = None
    onnx_kib: float | None = None


def variant_figures(
    model: Any,
    source: str,
    train_seconds: float | None = None,
    epochs: int | None = None,
    onnx_bytes: int | None = None,
) -> VariantFigures:
    """Measure reconstruction on the held-out split now; take training time, epochs and
    ONNX size from the checkpoint's sidecar when the model has one, else from the
    arguments; score 1000 prior samples with the judge when the model can sample."""
    info = getattr(model, "checkpoint_info", None)
    metrics = dict(info.metrics) if info is not None else {}
    evaluation = model.evaluate()
    if onnx_bytes is None and "onnx_encoder_bytes" in metrics:
        onnx_bytes = metrics["onnx_encoder_bytes"] + metrics["onnx_decoder_bytes"]
    row = VariantFigures(
        model_id=model.model_id,
        source=source,
        parameters=model.parameter_count(),
        latent_dim=model.latent_dim,
        # A checkpoint's CPU seconds (one thread) are not inflated by a busy machine.
        train_seconds=metrics.get("train_cpu_seconds", metrics.get("train_seconds", train_seconds)),
        epochs=metrics.get("epochs", epochs),
        mse=evaluation.mean_mse,
        psnr_db=evaluation.mean_psnr,
        onnx_kib=onnx_bytes / 1024 if onnx_bytes else None,
    )
    if model.can_sample:
        from lienzo.plugins.autoencoder.model import judge_figures

        judged = judge_figures(model.sample(JUDGE_SAMPLES, JUDGE_SEED))
        row.confident_share = judged["judge_confident_share"]
        row.classes_present = int(judged["judge_classes_present"])
        row.frechet_distance = judged["judge_frechet_distance"]
    return row
