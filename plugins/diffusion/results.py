"""What the diffusion model hands back: plain dataclasses of numpy arrays and numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lienzo.registry.contract import EpochProgress

# "Recognisable digits", the same target as the GAN's so the two labs compare.
TARGET_CONFIDENT_SHARE = 0.7
TARGET_CLASSES = 8


@dataclass
class DiffusionProgress(EpochProgress):
    """One report during training.

    ``epoch`` counts optimiser steps and ``epochs`` is the run's total; ``loss`` is the
    mean noise-prediction error (MSE) since the previous report. ``extra["elapsed"]``
    is the run's wall clock so far. Judged reports also carry ``samples``: the EMA
    network's digits for the fixed preview (64, 8, 8) in 0..16 (labels 0..9 in turn,
    DDIM, guidance), and in ``extra`` the judge's ``confident_share``,
    ``classes_present``, ``class_entropy_bits`` and ``frechet_distance``.
    """

    samples: np.ndarray | None = None

    @property
    def judged(self) -> bool:
        return self.samples is not None


@dataclass
class DiffusionTrainResult:
    history: list[DiffusionProgress] = field(default_factory=list)
    stopped_early: bool = False
    diverged: bool = False  # loss or weights became NaN/inf; weights are the last finite ones
    seconds: float = 0.0
    steps: int = 0
    # Wall-clock seconds (previews and judging included) until a judged preview first
    # reached a confident share >= 0.7 with >= 8 classes; None when it never did.
    seconds_to_target: float | None = None
    steps_to_target: int | None = None

    @property
    def final(self) -> DiffusionProgress | None:
        return self.history[-1] if self.history else None

    @property
    def last_judged(self) -> DiffusionProgress | None:
        return next((p for p in reversed(self.history) if p.judged), None)


def reached_target(figures: dict[str, Any]) -> bool:
    return (
        figures.get("confident_share", 0.0) >= TARGET_CONFIDENT_SHARE
        and figures.get("classes_present", 0) >= TARGET_CLASSES
    )


@dataclass
class DigitSamples:
    """Generated digits and how they were made.

    ``digits`` (N, 8, 8) in 0..16; ``labels`` (N,) the classes asked for (10 = none);
    ``steps`` the recorded states of the reverse process, as digits 0..16:
    (index, t, x_t (N, 8, 8), predicted x_0 (N, 8, 8)).
    """

    digits: np.ndarray
    labels: np.ndarray
    sampler: str
    num_steps: int
    spacing: str
    guidance_scale: float
    seed: int
    timesteps: np.ndarray  # (num_steps,) int64, the real ones used
    seconds: float
    network_calls: int
    runtime: str = "pytorch"  # or "onnxruntime"
    stopped: bool = False
    steps: list[tuple[int, int, np.ndarray, np.ndarray]] = field(default_factory=list)
