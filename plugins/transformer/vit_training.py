"""The vision transformer's training loop: AdamW, a short warm-up, then cosine decay.

Transformers have no built-in idea that neighbouring pixels belong together (a CNN's
small kernels do) and must learn it from 1347 training digits; a learning rate that
starts gently and weight decay keep that stable. Random shifts of the digits were
tried and cost accuracy (a 1-pixel shift is 12% of an 8x8 digit, and the dataset's
digits are already centred), so there are none.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

import torch
import torch.nn as nn

from lienzo.plugins.datasets.classifiers import TrainResult, fit_classifier
from lienzo.plugins.datasets.digits import DigitsSplit
from lienzo.plugins.transformer.config import VitTrainConfig
from lienzo.registry.contract import ProgressCallback
from lienzo.registry.torch_threads import one_torch_thread

WARMUP_SHARE = 0.1  # share of all steps spent raising the learning rate from ~0


def _schedule(total_steps: int) -> Callable[[int], float]:
    warmup = max(1, int(WARMUP_SHARE * total_steps))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, total_steps - warmup)
        return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))

    return factor


def fit(
    network: nn.Module,
    split: DigitsSplit,
    config: VitTrainConfig,
    progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
) -> TrainResult:
    """Train ``network`` in place with AdamW and the warm-up/cosine schedule; the batch
    order comes from ``config.seed``. The loop is the digit classifiers' shared one."""
    optimizer = torch.optim.AdamW(
        network.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    steps_per_epoch = math.ceil(len(split.x_train) / config.batch_size)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, _schedule(steps_per_epoch * config.epochs)
    )
    with one_torch_thread():
        return fit_classifier(
            network,
            split,
            optimizer,
            epochs=config.epochs,
            batch_size=config.batch_size,
            seed=config.seed,
            scheduler=scheduler,
            progress=progress,
            stop=stop,
        )
