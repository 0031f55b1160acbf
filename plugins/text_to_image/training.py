"""Training loops: the autoencoder (pixels <-> latents), then the denoiser on frozen latents.

Stable Diffusion's recipe, small: the autoencoder is trained first and then frozen;
every training image is encoded to its latent once, every caption is embedded by the
frozen text encoder once, and the UNet learns to predict the noise added to those
latents at a random time t, given the caption's token embeddings (or, with probability
``uncond_probability``, the empty prompt's, for classifier-free guidance).
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from lienzo.plugins.diffusion.schedules import ScheduleConfig, ddpm_scheduler
from lienzo.plugins.text_to_image.config import AutoencoderTrainConfig, TextToImageTrainConfig
from lienzo.plugins.text_to_image.shapes_data import ShapesDataset, to_model_range
from lienzo.plugins.text_to_image.text_encoder import CaptionTable, MiniLMEncoder
from lienzo.registry.contract import EpochProgress, ProgressCallback

_ENCODE_BATCH = 256


@dataclass
class TrainResult:
    history: list[EpochProgress] = field(default_factory=list)
    seconds: float = 0.0
    steps: int = 0
    stopped_early: bool = False
    diverged: bool = False
    prepare_seconds: float = 0.0  # embedding captions and encoding images (cached afterwards)

    @property
    def final(self) -> EpochProgress | None:
        return self.history[-1] if self.history else None


@dataclass
class LatentData:
    """A data set ready for the denoiser: scaled latents and caption rows into a table."""

    latents: torch.Tensor  # (N, 4, 8, 8), multiplied by the autoencoder's scaling factor
    caption_rows: torch.Tensor  # (N, 4) rows of ``table``
    table: CaptionTable


_CACHE: dict[tuple[Any, ...], LatentData] = {}
_CACHE_LOCK = threading.Lock()
_TABLES: dict[tuple[str, ...], CaptionTable] = {}


def weights_fingerprint(module: torch.nn.Module) -> str:
    """A short hash of a module's weights (two equal autoencoders give equal latents)."""
    digest = hashlib.sha1()
    for name, tensor in sorted(module.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()[:16]


@torch.no_grad()
def encode_images(vae: Any, images: np.ndarray) -> torch.Tensor:
    """uint8 (N, 32, 32, 3) -> latents (N, 4, 8, 8): the posterior's mean, times the scaling."""
    scaling = float(vae.config.scaling_factor)
    pixels = torch.from_numpy(to_model_range(images))  # (N, 3, 32, 32) in -1..1
    parts = [
        vae.encode(pixels[start : start + _ENCODE_BATCH]).latent_dist.mode()
        for start in range(0, len(pixels), _ENCODE_BATCH)
    ]
    return torch.cat(parts) * scaling


def prepare(dataset: ShapesDataset, vae: Any, encoder: MiniLMEncoder | None = None) -> LatentData:
    """Latents and caption embeddings for ``dataset``, computed once per process.

    The first call costs most of a minute on two CPU cores (MiniLM embeds ~3,200
    captions); later calls with the same data and autoencoder are instant.
    """
    key = (dataset.seed, len(dataset), weights_fingerprint(vae), float(vae.config.scaling_factor))
    with _CACHE_LOCK:
        if key in _CACHE:
            return _CACHE[key]
        captions = tuple(dataset.unique_captions())
        table = _TABLES.get(captions)
        if table is None:
            table = _TABLES[captions] = CaptionTable(encoder or MiniLMEncoder(), list(captions))
        rows = torch.stack([table.rows(list(row)) for row in dataset.captions])  # (N, 4)
        data = LatentData(encode_images(vae.eval(), dataset.images), rows, table)
        _CACHE[key] = data
        return data


def _learning_rate(step: int, config: TextToImageTrainConfig) -> float:
    """Linear warm-up, then a cosine decay to a tenth (steadier last steps)."""
    if config.warmup_steps and step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    span = max(config.steps - config.warmup_steps, 1)
    progress = min((step - config.warmup_steps) / span, 1.0)
    return config.learning_rate * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def fit_unet(
    unet: Any,
    data: LatentData,
    schedule: ScheduleConfig,
    config: TextToImageTrainConfig,
    progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
) -> TrainResult:
    """Teach ``unet`` (in place) to predict the noise; one progress point per ``report_every``."""
    scheduler = ddpm_scheduler(schedule)  # the forward process: add_noise(x_0, z, t)
    generator = torch.Generator().manual_seed(config.seed)
    optimiser = torch.optim.AdamW(unet.parameters(), lr=config.learning_rate, weight_decay=0.0)
    count, captions_each = data.caption_rows.shape
    points = math.ceil(config.steps / config.report_every)
    result = TrainResult()
    started = time.perf_counter()
    losses: list[float] = []
    unet.train()
    try:
        for step in range(config.steps):
            if stop is not None and stop.is_set():
                result.stopped_early = True
                break
            for group in optimiser.param_groups:
                group["lr"] = _learning_rate(step, config)
            batch = min(config.batch_size, count)
            index = torch.randint(0, count, (batch,), generator=generator)
            which = torch.randint(0, captions_each, (batch,), generator=generator)
            rows = data.caption_rows[index, which]
            dropped = torch.rand(batch, generator=generator) < config.uncond_probability
            rows = torch.where(dropped, torch.zeros_like(rows), rows)  # row 0 = empty prompt
            context = data.table.embeddings[rows]  # (B, 32, 384)
            clean = data.latents[index]  # (B, 4, 8, 8)
            noise = torch.randn(clean.shape, generator=generator)
            t = torch.randint(
                0, scheduler.config.num_train_timesteps, (batch,), generator=generator
            )
            noisy = scheduler.add_noise(clean, noise, t)
            predicted = unet(noisy, t, encoder_hidden_states=context).sample
            loss = torch.nn.functional.mse_loss(predicted, noise)
            if not torch.isfinite(loss):
                result.diverged = True
                break
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(unet.parameters(), 1.0)
            optimiser.step()
            losses.append(float(loss.detach()))
            result.steps = step + 1
            if (step + 1) % config.report_every == 0 or step + 1 == config.steps:
                point = EpochProgress(
                    epoch=len(result.history) + 1,
                    epochs=points,
                    loss=float(np.mean(losses)),
                    seconds=time.perf_counter() - started,
                    extra={"step": float(step + 1), "learning_rate": _learning_rate(step, config)},
                )
                losses.clear()
                result.history.append(point)
                if progress is not None:
                    progress(point)
    finally:
        unet.eval()
    result.seconds = time.perf_counter() - started
    return result


def fit_autoencoder(
    vae: Any,
    images: np.ndarray,
    config: AutoencoderTrainConfig,
    progress: ProgressCallback | None = None,
    report_every: int = 50,
) -> TrainResult:
    """Train the autoencoder (in place) to reconstruct ``images`` through its 8x8x4 latent.

    Loss: L1 + squared error of the reconstruction, plus ``edge_weight`` times the L1
    error of the differences between neighbouring pixels (without it, 800 steps drew
    small squares with round corners: the detector took 20% of them for circles), plus
    ``kl_weight`` times the KL term that keeps latents near N(0, 1). Like Stable
    Diffusion the KL weight is tiny; unlike it we decode the posterior's mean instead
    of a sample, which reaches sharp edges in fewer CPU steps.
    """
    generator = torch.Generator().manual_seed(config.seed)
    pixels = torch.from_numpy(to_model_range(images))  # (N, 3, 32, 32)
    optimiser = torch.optim.AdamW(vae.parameters(), lr=config.learning_rate, weight_decay=0.0)
    result = TrainResult()
    started = time.perf_counter()
    losses: list[float] = []
    vae.train()
    for step in range(config.steps):
        lr = config.learning_rate * (
            0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / config.steps))
        )
        for group in optimiser.param_groups:
            group["lr"] = lr
        index = torch.randint(0, len(pixels), (config.batch_size,), generator=generator)
        target = pixels[index]
        posterior = vae.encode(target).latent_dist
        rebuilt = vae.decode(posterior.mode()).sample
        error = rebuilt - target  # (B, 3, 32, 32)
        edges = (error[..., 1:, :] - error[..., :-1, :]).abs().mean() + (
            error[..., :, 1:] - error[..., :, :-1]
        ).abs().mean()  # the error of the vertical and horizontal pixel differences
        loss = (
            error.abs().mean()
            + error.pow(2).mean()
            + config.edge_weight * edges
            + config.kl_weight * posterior.kl().mean()
        )
        if not torch.isfinite(loss):
            result.diverged = True
            break
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        losses.append(float(loss.detach()))
        result.steps = step + 1
        if (step + 1) % report_every == 0 or step + 1 == config.steps:
            point = EpochProgress(
                epoch=len(result.history) + 1,
                epochs=math.ceil(config.steps / report_every),
                loss=float(np.mean(losses)),
                seconds=time.perf_counter() - started,
            )
            losses.clear()
            result.history.append(point)
            if progress is not None:
                progress(point)
    vae.eval()
    result.seconds = time.perf_counter() - started
    return result


@torch.no_grad()
def latent_scaling(vae: Any, images: np.ndarray) -> float:
    """1 / standard deviation of the latents: scaled latents have unit variance, which is
    what the noise schedule assumes (Stable Diffusion's 0.18215 is the same idea)."""
    pixels = torch.from_numpy(to_model_range(images))
    latents = vae.eval().encode(pixels).latent_dist.mode()
    return float(1.0 / latents.std())
