"""What every digit classifier shares (the CNN, the vision transformer): result types,
input batches and one training loop with a stop event and divergence checks."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from lienzo.plugins.datasets.digits import DigitsSplit
from lienzo.registry.contract import EpochProgress, ProgressCallback

# Cross-entropy over 10 classes starts near 2.3; far above that the weights have blown
# up (a learning rate of 1.0 reached ~90,000 in the CNN's first epoch without a NaN).
EXPLODED_LOSS = 50.0


@dataclass
class TrainResult:
    """One training run. ``history`` has one entry per epoch that ran (a stopped epoch too)."""

    history: list[EpochProgress] = field(default_factory=list)
    stopped_early: bool = False  # the stop event was set before the last epoch ended
    diverged: bool = False  # the loss exploded or became NaN/inf; weights are the last finite ones
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


def as_batch(x: np.ndarray) -> torch.Tensor:
    """(N, 8, 8) digits -> (N, 1, 8, 8) float32 tensor (a copy: the split is read-only)."""
    return torch.tensor(np.asarray(x, dtype=np.float32)).unsqueeze(1)


@torch.no_grad()
def loss_and_accuracy(network: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    network.eval()
    logits = network(x)
    loss = F.cross_entropy(logits, y).item()
    accuracy = (logits.argmax(1) == y).float().mean().item()
    return loss, accuracy


def fit_classifier(
    network: nn.Module,
    split: DigitsSplit,
    optimizer: torch.optim.Optimizer,
    *,
    epochs: int,
    batch_size: int,
    seed: int,
    scheduler: Any = None,  # a torch LR scheduler stepped after every batch, if any
    progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
) -> TrainResult:
    """Train ``network`` in place on cross-entropy; the batch order comes from ``seed``.

    Train loss/accuracy are running means over the epoch's batches (cheap, and what
    learners see in every framework); val_* are measured on the held-out split after
    the epoch with the network in eval mode.
    """
    x_train, y_train = as_batch(split.x_train), torch.tensor(split.y_train)
    x_test, y_test = as_batch(split.x_test), torch.tensor(split.y_test)
    n = len(x_train)
    generator = torch.Generator().manual_seed(seed)
    params = list(network.parameters())
    result = TrainResult()
    started = time.perf_counter()

    for epoch in range(1, epochs + 1):
        epoch_started = time.perf_counter()
        network.train()
        order = torch.randperm(n, generator=generator)
        loss_sum, correct, seen = 0.0, 0, 0
        for start in range(0, n, batch_size):
            if stop is not None and stop.is_set():
                result.stopped_early = True
                break
            index = order[start : start + batch_size]
            logits = network(x_train[index])  # (B, 10)
            loss = F.cross_entropy(logits, y_train[index])
            if not torch.isfinite(loss) or loss.item() > EXPLODED_LOSS:
                result.diverged = True
                break
            before = [p.detach().clone() for p in params]  # a few 10k numbers: cheap insurance
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            if not all(torch.isfinite(p).all() for p in params):
                # The step blew the weights up: keep the last finite ones and stop.
                with torch.no_grad():
                    for p, old in zip(params, before, strict=True):
                        p.copy_(old)
                result.diverged = True
                break
            loss_sum += loss.item() * len(index)
            correct += (logits.argmax(1) == y_train[index]).sum().item()
            seen += len(index)

        if seen == 0 and not result.diverged:  # stopped before the epoch's first batch
            break
        val_loss, val_accuracy = loss_and_accuracy(network, x_test, y_test)
        record = EpochProgress(
            epoch=epoch,
            epochs=epochs,
            # The epoch where training diverged reports a NaN loss, whatever came before.
            loss=float("nan") if result.diverged else loss_sum / seen,
            accuracy=correct / seen if seen else None,
            val_loss=val_loss,
            val_accuracy=val_accuracy,
            seconds=time.perf_counter() - epoch_started,
            extra={} if seen == n else {"fraction_of_epoch": seen / n},
        )
        result.history.append(record)
        if progress is not None:
            progress(record)
        if result.stopped_early or result.diverged:
            break

    network.eval()
    result.seconds = time.perf_counter() - started
    return result
