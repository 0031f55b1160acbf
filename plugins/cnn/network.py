"""A LeNet-5-style network sized for 8x8 digits, small enough to train live on a CPU.

The network takes raw digits, 0..16 like scikit-learn's data, and divides by 16
itself, so the exported ONNX graph takes the same numbers the learner sees.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

# (name, kind) of every layer, in order; `forward_with_activations` reports them all.
LAYERS: tuple[tuple[str, str], ...] = (
    ("conv1", "conv"),
    ("relu1", "relu"),
    ("pool1", "pool"),
    ("conv2", "conv"),
    ("relu2", "relu"),
    ("pool2", "pool"),
    ("fc1", "dense"),
    ("relu3", "relu"),
    ("fc2", "dense"),
    ("relu4", "relu"),
    ("fc3", "dense"),
)


class LeNet5(nn.Module):
    """conv -> pool -> conv -> pool -> three fully connected layers -> 10 logits."""

    def __init__(self, n_classes: int = 10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=3, padding=1)
        self.fc1 = nn.Linear(16 * 2 * 2, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, n_classes)

    def _run(self, x: torch.Tensor, keep: list | None) -> torch.Tensor:
        def tap(name: str, t: torch.Tensor) -> torch.Tensor:
            if keep is not None:
                keep.append((name, t))
            return t

        x = x / 16.0  # (B, 1, 8, 8) raw 0..16 -> 0..1
        x = tap("conv1", self.conv1(x))  # (B, 6, 8, 8)
        x = tap("relu1", F.relu(x))
        x = tap("pool1", F.max_pool2d(x, 2))  # (B, 6, 4, 4)
        x = tap("conv2", self.conv2(x))  # (B, 16, 4, 4)
        x = tap("relu2", F.relu(x))
        x = tap("pool2", F.max_pool2d(x, 2))  # (B, 16, 2, 2)
        x = x.flatten(1)  # (B, 64)
        x = tap("fc1", self.fc1(x))  # (B, 120)
        x = tap("relu3", F.relu(x))
        x = tap("fc2", self.fc2(x))  # (B, 84)
        x = tap("relu4", F.relu(x))
        return tap("fc3", self.fc3(x))  # (B, 10) logits

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, 8, 8) raw digits 0..16 -> (B, 10) logits."""
        return self._run(x, keep=None)

    def forward_with_activations(self, x: torch.Tensor) -> list[tuple[str, str, torch.Tensor]]:
        """Every layer's output as (name, kind, tensor), in the order of LAYERS."""
        keep: list[tuple[str, torch.Tensor]] = []
        self._run(x, keep)
        kinds = dict(LAYERS)
        return [(name, kinds[name], t) for name, t in keep]
