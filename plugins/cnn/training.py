"""The CNN's training: Adam on cross-entropy through the digit classifiers' shared loop."""

from __future__ import annotations

import threading

import torch.nn as nn
import torch.optim

from lienzo.plugins.cnn.config import CnnTrainConfig
from lienzo.plugins.datasets.classifiers import TrainResult, fit_classifier
from lienzo.plugins.datasets.digits import DigitsSplit
from lienzo.registry.contract import ProgressCallback


def fit(
    network: nn.Module,
    split: DigitsSplit,
    config: CnnTrainConfig,
    progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
) -> TrainResult:
    """Train ``network`` in place; the epoch's batch order comes from ``config.seed``."""
    optimizer = torch.optim.Adam(
        network.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    return fit_classifier(
        network,
        split,
        optimizer,
        epochs=config.epochs,
        batch_size=config.batch_size,
        seed=config.seed,
        progress=progress,
        stop=stop,
    )
