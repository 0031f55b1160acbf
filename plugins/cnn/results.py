"""What the digit CNN hands back: plain dataclasses of numpy arrays and numbers (no torch)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lienzo.registry.contract import EpochProgress


@dataclass
class TrainResult:
    """One training run. ``history`` has one entry per epoch that ran (a stopped epoch too)."""

    history: list[EpochProgress] = field(default_factory=list)
    stopped_early: bool = False  # the stop event was set before the last epoch ended
    diverged: bool = False  # the loss became NaN/inf; weights are the last finite ones
    seconds: float = 0.0

    @property
    def final(self) -> EpochProgress | None:
        return self.history[-1] if self.history else None


@dataclass
class Evaluation:
    """Accuracy on the held-out split; confusion[true, predicted] counts."""

    accuracy: float
    confusion: np.ndarray  # (10, 10) int64
    n: int


@dataclass
class Prediction:
    probabilities: np.ndarray  # (N, 10) float32, rows sum to 1
    labels: np.ndarray  # (N,) int64

    @property
    def confidence(self) -> np.ndarray:
        return self.probabilities.max(axis=1)


@dataclass
class LayerActivation:
    """One layer's output for one image.

    kind: "conv", "relu", "pool" (array (C, H, W)), "dense" (array (units,)), or
    "softmax" for the final class probabilities (array (10,)).
    """

    name: str
    kind: str
    array: np.ndarray
