"""What the digit GAN hands back: plain dataclasses of numpy arrays and numbers (no torch)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lienzo.registry.contract import EpochProgress

# The figure the benchmark and the lab aim at: "recognisable digits".
TARGET_CONFIDENT_SHARE = 0.7
TARGET_CLASSES = 8


@dataclass
class GanProgress(EpochProgress):
    """One report during GAN training.

    ``epoch`` counts generator steps (a GAN trains by steps, not epochs) and ``epochs``
    is the run's total; ``loss`` is the generator's loss. ``extra`` holds running means
    since the previous report: ``loss_d``, ``loss_g``, ``d_real`` (mean D(x) on real
    digits) and ``d_fake`` (mean D(G(z)) on generated ones), plus, on judged reports,
    ``confident_share``, ``classes_present``, ``class_entropy_bits``,
    ``frechet_distance``. Judged reports also carry ``samples``: the generator's images
    of the fixed noise batch at that moment (64, 8, 8) in 0..16, and the class
    ``histogram`` (10,) of the judged samples.
    """

    samples: np.ndarray | None = None
    histogram: np.ndarray | None = None

    @property
    def judged(self) -> bool:
        return self.samples is not None


@dataclass
class GanTrainResult:
    history: list[GanProgress] = field(default_factory=list)
    stopped_early: bool = False  # the stop event was set before the last step
    diverged: bool = False  # a loss exploded (NaN/inf/> 50) or a weight became NaN/inf;
    # the weights are those from before that step
    seconds: float = 0.0
    steps: int = 0  # generator steps completed
    # Seconds (wall clock, judging included) until the judge first saw a confident share
    # >= 0.7 with >= 8 classes present; None when the run never got there.
    seconds_to_target: float | None = None
    steps_to_target: int | None = None

    @property
    def final(self) -> GanProgress | None:
        return self.history[-1] if self.history else None

    @property
    def last_judged(self) -> GanProgress | None:
        return next((p for p in reversed(self.history) if p.judged), None)


def reached_target(figures: dict[str, Any]) -> bool:
    return (
        figures.get("confident_share", 0.0) >= TARGET_CONFIDENT_SHARE
        and figures.get("classes_present", 0) >= TARGET_CLASSES
    )


# Diagnoses a lab can show beside the curves (codes; the page words them).
D_WINS = "d_wins"  # D tells every fake apart: G's gradient vanishes
MODE_COLLAPSE = "mode_collapse"  # the samples cover few classes


def diagnose(history: list[GanProgress]) -> list[str]:
    """What the latest reports say about the run's health, as codes (empty when fine).

    - ``d_wins``: in the last 3 reports D gave fakes < 0.05 on average while real
      digits got > 0.95: the discriminator is too good and the generator learns nothing.
    - ``mode_collapse``: the latest judged samples hold at most 3 classes
      (after the first 300 steps; at the start every run is a blob).
    """
    found = []
    recent = history[-3:]
    if len(recent) == 3 and all(
        p.extra.get("d_fake", 1.0) < 0.05 and p.extra.get("d_real", 0.0) > 0.95 for p in recent
    ):
        found.append(D_WINS)
    judged = next((p for p in reversed(history) if p.judged), None)
    if judged is not None and judged.epoch >= 300 and judged.extra.get("classes_present", 10) <= 3:
        found.append(MODE_COLLAPSE)
    return found
