"""The GAN training loop: D and G take turns; seeded, stoppable, divergence-checked.

Each step: ``d_steps`` discriminator updates (real digits labelled 1, the generator's
fakes labelled 0, binary cross-entropy), then one generator update with the
"non-saturating" loss (G is rewarded when D calls its fakes real), Adam for both.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from lienzo.plugins.gan.config import GanTrainConfig
from lienzo.plugins.gan.network import Discriminator, Generator, to_digits
from lienzo.plugins.gan.results import GanProgress, GanTrainResult, reached_target
from lienzo.registry.contract import ProgressCallback

GRID = 64  # fixed-noise images kept in each judged report (an 8x8 grid)
# A binary cross-entropy above this means a logit beyond -50: sigmoid(-50) ~ 2e-22. Healthy
# runs stay under ~10; with absurd learning rates (1.0) G's loss reached 5e8 in 100 steps
# without ever becoming NaN. Such a run is reported as diverged, not trained on.
LOSS_LIMIT = 50.0


def _finite(module: nn.Module) -> bool:
    return all(torch.isfinite(p).all() for p in module.parameters())


@torch.no_grad()
def fixed_samples(generator: Generator, fixed_z: torch.Tensor) -> np.ndarray:
    """The generator's images (N, 8, 8) in 0..16 of the fixed noise, in eval mode."""
    generator.eval()
    return to_digits(generator(fixed_z))[:, 0].numpy()


def fit_gan(
    generator: Generator,
    discriminator: Discriminator,
    x_train: torch.Tensor,  # (N, 1, 8, 8) in -1..1
    config: GanTrainConfig,
    fixed_z: torch.Tensor,  # (M, Z), M >= GRID: judged every `judge_every` steps
    progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
    lock: threading.Lock | None = None,
    judge: object | None = None,
) -> GanTrainResult:
    """Train both networks in place; see the module docstring. Batches and noise come from
    ``config.seed``. A step whose loss is NaN, infinite or above ``LOSS_LIMIT``, or that
    leaves a non-finite weight, is undone and ends the run as diverged. ``lock`` is held
    during each step and each snapshot, so another thread can generate between steps.
    ``judge`` is a DigitJudge (None: no judging)."""
    lock = lock or threading.Lock()
    generator_rng = torch.Generator().manual_seed(config.seed)
    opt_g = torch.optim.Adam(generator.parameters(), lr=config.lr_g, betas=(config.beta1, 0.999))
    opt_d = torch.optim.Adam(
        discriminator.parameters(), lr=config.lr_d, betas=(config.beta1, 0.999)
    )
    n, batch, latent = len(x_train), config.batch_size, generator.latent_dim
    result = GanTrainResult()
    sums = {"loss_d": 0.0, "loss_g": 0.0, "d_real": 0.0, "d_fake": 0.0}
    counted = 0
    started = last_report = time.perf_counter()

    def report(step: int, judged: bool) -> None:
        nonlocal counted, last_report
        means = {k: (v / counted if counted else float("nan")) for k, v in sums.items()}
        record = GanProgress(
            epoch=step,
            epochs=config.steps,
            loss=means["loss_g"],
            seconds=time.perf_counter() - last_report,
            extra=dict(means),
        )
        if judged and judge is not None:
            with lock:
                images = fixed_samples(generator, fixed_z)
            if np.all(np.isfinite(images)):
                figures = judge.score(images)
                record.extra.update(
                    confident_share=figures.confident_share,
                    classes_present=float(figures.classes_present),
                    class_entropy_bits=figures.class_entropy_bits,
                    frechet_distance=figures.frechet_distance,
                )
                record.samples = images[:GRID].copy()
                record.histogram = figures.class_histogram.copy()
                if result.seconds_to_target is None and reached_target(record.extra):
                    result.seconds_to_target = time.perf_counter() - started
                    result.steps_to_target = step
        result.history.append(record)
        if progress is not None:
            progress(record)
        for key in sums:
            sums[key] = 0.0
        counted, last_report = 0, time.perf_counter()

    step = 0
    while step < config.steps:
        if stop is not None and stop.is_set():
            result.stopped_early = True
            break
        with lock:
            before = [
                p.detach().clone() for p in (*generator.parameters(), *discriminator.parameters())
            ]
            generator.train()
            discriminator.train()
            for _ in range(config.d_steps):
                real = x_train[torch.randint(0, n, (batch,), generator=generator_rng)]
                z = torch.randn(batch, latent, generator=generator_rng)
                fake = generator(z).detach()  # (B, 1, 8, 8); D's step must not train G
                logits_real, logits_fake = discriminator(real), discriminator(fake)  # (B,)
                loss_d = F.binary_cross_entropy_with_logits(
                    logits_real, torch.ones_like(logits_real)
                ) + F.binary_cross_entropy_with_logits(logits_fake, torch.zeros_like(logits_fake))
                opt_d.zero_grad(set_to_none=True)
                loss_d.backward()
                opt_d.step()
            z = torch.randn(batch, latent, generator=generator_rng)
            logits = discriminator(generator(z))  # (B,)
            loss_g = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
            opt_g.zero_grad(set_to_none=True)
            loss_g.backward()
            opt_g.step()  # D's gradients from this pass are never applied (zeroed next step)
            sane = bool(loss_d.item() < LOSS_LIMIT and loss_g.item() < LOSS_LIMIT)  # NaN: False
            if not (sane and _finite(generator) and _finite(discriminator)):
                # Keep the last finite weights, report the step as diverged, stop.
                params = (*generator.parameters(), *discriminator.parameters())
                with torch.no_grad():
                    for p, old in zip(params, before, strict=True):
                        p.copy_(old)
                result.diverged = True
        step += 1
        if result.diverged:  # report the step's own figures (NaN or huge), then stop
            for key in sums:
                sums[key] = 0.0
            counted = 0
        sums["loss_d"] += loss_d.item()
        sums["loss_g"] += loss_g.item()
        sums["d_real"] += torch.sigmoid(logits_real).mean().item()
        sums["d_fake"] += torch.sigmoid(logits_fake).mean().item()
        counted += 1
        if result.diverged:
            report(step, judged=False)
            break
        result.steps = step
        judged = step % config.judge_every == 0 or step == config.steps
        if judged or step % config.report_every == 0:
            report(step, judged)

    if result.stopped_early and counted:
        report(step, judged=True)  # what was learnt since the last report, and a last grid
    generator.eval()
    discriminator.eval()
    result.seconds = time.perf_counter() - started
    return result
