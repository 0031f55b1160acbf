"""What the digit CNN hands back beyond the shared classifier results (see datasets.classifiers)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class LayerActivation:
    """One layer's output for one image.

    kind: "conv", "relu", "pool" (array (C, H, W)), "dense" (array (units,)), or
    "softmax" for the final class probabilities (array (10,)).
    """

    name: str
    kind: str
    array: np.ndarray
