"""The training loop every variant shares: Adam, seeded batches/noise, stop, divergence check.

Objectives (per image, averaged over the batch):

- plain and convolutional: MSE between the decoded and the input digit, in pixel
  levels squared (0..16 units, the numbers the learner sees);
- denoising: the same MSE, but the input is the digit plus Gaussian noise of a random
  strength in [0, noise_level] and the target is the clean digit;
- VAE: binary cross-entropy of the decoded pixels (as probabilities, 0..1) summed
  over the 64 pixels, plus beta * KL to the prior N(0, I), in nats.

One torch.Generator seeded with ``config.seed`` draws the batch order, the noise and
the VAE's eps, so the same seed and starting weights give the same run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from lienzo.plugins.autoencoder.network import PIXEL_MAX, Autoencoder, add_noise
from lienzo.plugins.autoencoder.results import TrainResult, mse_per_image, psnr
from lienzo.plugins.autoencoder.vae import kl_to_prior, reparameterise
from lienzo.plugins.datasets.digits import DigitsSplit
from lienzo.registry.contract import EpochProgress, ProgressCallback
from lienzo.registry.torch_threads import one_torch_thread

VALIDATION_NOISE_SEED = 12345  # the held-out noisy inputs are the same every epoch

Judge = Callable[[Autoencoder], dict[str, float]]


def as_batch(x: np.ndarray) -> torch.Tensor:
    """(N, 8, 8) digits -> (N, 1, 8, 8) float32 tensor (a copy: the split is read-only)."""
    return torch.tensor(np.asarray(x, dtype=np.float32)).unsqueeze(1)


def objective(
    network: Autoencoder,
    x: torch.Tensor,
    config,
    generator: torch.Generator,
    sample: bool = True,
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """The loss of one batch x (B, 1, 8, 8) and its parts. ``sample=False``: VAE uses the mean."""
    if network.variational:
        mean, log_variance = network.encoder(x)  # (B, D), (B, D)
        z = reparameterise(mean, log_variance, generator) if sample else mean
        logits = network.decoder.logits(z)  # (B, 1, 8, 8)
        target = x / PIXEL_MAX
        reconstruction = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
        reconstruction = reconstruction.flatten(1).sum(1).mean()  # nats per image
        kl = kl_to_prior(mean, log_variance).mean()
        return reconstruction + config.beta * kl, {"reconstruction": reconstruction, "kl": kl}
    noise_level = getattr(config, "noise_level", None)
    if noise_level is not None:  # denoising: noisy in, clean out
        levels = torch.rand(len(x), generator=generator) * noise_level  # (B,)
        inputs = add_noise(x, levels, generator)
    else:
        inputs = x
    decoded = network.decoder(network.code(inputs))  # (B, 1, 8, 8) in 0..16
    return F.mse_loss(decoded, x), {}


@torch.no_grad()
def held_out(network: Autoencoder, x: torch.Tensor, config) -> tuple[float, dict[str, float]]:
    """Objective on the held-out digits (no sampling), and the clean reconstruction's error."""
    network.eval()
    loss, parts = objective(
        network, x, config, torch.Generator().manual_seed(VALIDATION_NOISE_SEED), sample=False
    )
    decoded = network.decoder(network.code(x))  # clean input: plain reconstruction
    mse = mse_per_image(decoded[:, 0].numpy(), x[:, 0].numpy())
    figures = {"val_mse": float(mse.mean()), "val_psnr": float(psnr(mse).mean())}
    figures.update({f"val_{name}": float(value) for name, value in parts.items()})
    return float(loss), figures


def fit(
    network: Autoencoder,
    split: DigitsSplit,
    config,
    progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
    judge: Judge | None = None,
) -> TrainResult:
    """Train ``network`` in place on ``split.x_train``; report after every epoch.

    ``judge(network)`` (optional) adds figures to each epoch's ``extra``. Runs on one
    torch thread (see ``network.one_torch_thread``).
    """
    with one_torch_thread():
        return _fit(network, split, config, progress, stop, judge)


def _fit(network, split, config, progress, stop, judge) -> TrainResult:
    x_train, x_test = as_batch(split.x_train), as_batch(split.x_test)
    n = len(x_train)
    generator = torch.Generator().manual_seed(config.seed)
    optimizer = torch.optim.Adam(network.parameters(), lr=config.learning_rate)
    params = list(network.parameters())
    result = TrainResult()
    started = time.perf_counter()

    for epoch in range(1, config.epochs + 1):
        epoch_started = time.perf_counter()
        network.train()
        order = torch.randperm(n, generator=generator)
        sums: dict[str, float] = {}
        seen = 0
        for start in range(0, n, config.batch_size):
            if stop is not None and stop.is_set():
                result.stopped_early = True
                break
            index = order[start : start + config.batch_size]
            loss, parts = objective(network, x_train[index], config, generator)
            if not torch.isfinite(loss):
                result.diverged = True
                break
            before = [p.detach().clone() for p in params]  # small networks: cheap insurance
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if not all(torch.isfinite(p).all() for p in params):
                # The step blew the weights up: keep the last finite ones and stop.
                with torch.no_grad():
                    for p, old in zip(params, before, strict=True):
                        p.copy_(old)
                result.diverged = True
                break
            for name, value in {"loss": loss, **parts}.items():
                sums[name] = sums.get(name, 0.0) + value.item() * len(index)
            seen += len(index)

        if seen == 0 and not result.diverged:  # stopped before the epoch's first batch
            break
        val_loss, extra = held_out(network, x_test, config)
        extra.update({name: total / seen for name, total in sums.items() if name != "loss"})
        if seen != n:
            extra["fraction_of_epoch"] = seen / n
        if judge is not None and not result.diverged:
            extra.update(judge(network))
        record = EpochProgress(
            epoch=epoch,
            epochs=config.epochs,
            # The epoch where training diverged reports a NaN loss, whatever came before.
            loss=float("nan") if result.diverged or seen == 0 else sums["loss"] / seen,
            val_loss=val_loss,
            seconds=time.perf_counter() - epoch_started,
            extra=extra,
        )
        result.history.append(record)
        if progress is not None:
            progress(record)
        if result.stopped_early or result.diverged:
            break

    network.eval()
    result.seconds = time.perf_counter() - started
    return result
