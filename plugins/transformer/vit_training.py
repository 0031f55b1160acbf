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
import time
from collections.abc import Callable

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from lienzo.plugins.datasets.digits import DigitsSplit
from lienzo.plugins.transformer.config import VitTrainConfig
from lienzo.plugins.transformer.results import TrainResult
from lienzo.plugins.transformer.vit_network import loss_and_accuracy
from lienzo.registry.contract import EpochProgress, ProgressCallback
from lienzo.registry.torch_threads import one_torch_thread

WARMUP_SHARE = 0.1  # share of all steps spent raising the learning rate from ~0


def as_batch(x: np.ndarray) -> torch.Tensor:
    """(N, 8, 8) digits -> (N, 1, 8, 8) float32 tensor (a copy: the split is read-only)."""
    return torch.tensor(np.asarray(x, dtype=np.float32)).unsqueeze(1)


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
    """Train ``network`` in place; the batch order comes from ``config.seed``.

    Train loss/accuracy are running means over the epoch's batches;
    val_* are measured on the held-out split after the epoch, in eval mode.
    """
    x_train, y_train = as_batch(split.x_train), torch.tensor(split.y_train)
    x_test, y_test = as_batch(split.x_test), torch.tensor(split.y_test)
    n = len(x_train)
    generator = torch.Generator().manual_seed(config.seed)
    optimizer = torch.optim.AdamW(
        network.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    steps_per_epoch = math.ceil(n / config.batch_size)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, _schedule(steps_per_epoch * config.epochs)
    )
    params = list(network.parameters())
    result = TrainResult()
    started = time.perf_counter()

    with one_torch_thread():
        for epoch in range(1, config.epochs + 1):
            epoch_started = time.perf_counter()
            network.train()
            order = torch.randperm(n, generator=generator)
            loss_sum, correct, seen = 0.0, 0, 0
            for start in range(0, n, config.batch_size):
                if stop is not None and stop.is_set():
                    result.stopped_early = True
                    break
                index = order[start : start + config.batch_size]
                logits = network(x_train[index])  # (B, 10)
                loss = F.cross_entropy(logits, y_train[index])
                if not torch.isfinite(loss):
                    result.diverged = True
                    break
                before = [p.detach().clone() for p in params]  # ~30k numbers: cheap insurance
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
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
                epochs=config.epochs,
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
