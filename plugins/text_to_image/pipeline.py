"""The text-to-image pipeline, in Stable Diffusion's three parts, with every middle step kept.

    prompt --text encoder--> token embeddings (B, L, D)
    z ~ N(0, I) --denoiser loop (UNet + scheduler, classifier-free guidance)--> latent x_0
    latent x_0 --decoder (the autoencoder's second half)--> image

The same loop runs Lienzo's small shapes model and a real Stable Diffusion folder
(see ``stable_diffusion.py``): only the parts plugged in differ.

Classifier-free guidance: each step the UNet predicts the noise twice, with the prompt
and with the negative prompt (or the empty prompt), and the step follows
``uncond + guidance * (cond - uncond)``: guidance 1 is the plain conditional model,
larger values push the image further towards the prompt and away from the negative.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from lienzo.plugins.diffusion.sampling import (
    SAMPLERS,
    check_sampler,
    check_steps,
    guided_noise,
    make_scheduler,
)
from lienzo.plugins.diffusion.schedules import ScheduleConfig
from lienzo.plugins.text_to_image.text_encoder import Tokens
from lienzo.plugins.text_to_image.threads import torch_threads
from lienzo.registry.spec import ConfigError

# The noise schedule the shapes model is trained with: Stable Diffusion 1.x's own (DDPM,
# T = 1000, "scaled_linear" betas from 0.00085 to 0.012), epsilon prediction. A cosine
# schedule was tried first and failed: it ends at alpha-bar_T = 2e-9, and turning a
# predicted noise back into x_0 divides by sqrt(alpha-bar_t), so at t = 999 any small
# error in the UNet's noise was multiplied by ~20,000 and every sample was garbage.
# Here alpha-bar_T = 0.0047 (the amplification is ~15, as in SD).
SCHEDULE = ScheduleConfig(
    num_train_timesteps=1000, beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012
)
SAMPLER_NAMES = tuple(SAMPLERS)  # ddpm, ddim, dpm_solver (plugins/diffusion/sampling.py)
MAX_STEPS = 200
MAX_IMAGES = 64
MAX_GUIDANCE = 30.0
Progress = Callable[[float, str], None]
# scheduler_factory(sampler name, steps) -> a diffusers scheduler with its timesteps set
SchedulerFactory = Callable[[str, int], Any]


# plugins/diffusion keeps pixel samplers inside -1..1 (clipping, thresholding); latents
# are not bounded that way, so every such option is off here (as in Stable Diffusion).
LATENT_OPTIONS: dict[str, dict[str, Any]] = {
    "ddpm": {"clip_sample": False},
    "ddim": {"clip_sample": False},
    "dpm_solver": {"thresholding": False},
}


def shapes_scheduler(name: str, steps: int) -> Any:
    """A sampler for the shapes model: its training schedule, latents never clipped,
    "trailing" spacing so that even 5 steps start from pure noise (t = 999)."""
    check_sampler(name)
    return make_scheduler(name, steps, SCHEDULE, spacing="trailing", **LATENT_OPTIONS[name])


@dataclass
class Snapshot:
    """The latent at one step of the loop, and what the UNet thinks the clean image is."""

    step: int  # 1-based index of the loop step just taken (0 = the starting noise z)
    timestep: int  # diffusion time t of the latent shown
    latent: np.ndarray  # (C, h, w) x_t of the first image
    noisy_image: np.ndarray  # (H, W, 3) uint8: x_t passed through the decoder
    predicted_image: np.ndarray | None  # (H, W, 3) uint8: the predicted x_0, decoded


@dataclass
class PipelineRun:
    """Everything one generation produced, part by part."""

    prompt: str
    negative_prompt: str
    tokens: Tokens
    negative_tokens: Tokens
    embedding_shape: tuple[int, ...]  # (B, L, D) of the prompt embeddings
    embedding: np.ndarray  # (L, D) of the prompt, for a heatmap
    latent_shape: tuple[int, ...]  # (B, C, h, w)
    timesteps: list[int]
    snapshots: list[Snapshot]
    images: np.ndarray  # (B, H, W, 3) uint8
    seeds: list[int]
    seconds: dict[str, float] = field(default_factory=dict)  # per part
    flagged: list[bool] = field(default_factory=list)  # blacked out by a safety checker


def latents_to_images(vae: Any, latents: torch.Tensor) -> np.ndarray:
    """Scaled latents (B, C, h, w) -> uint8 images (B, H, W, 3), through the decoder."""
    scaling = float(getattr(vae.config, "scaling_factor", 1.0))
    with torch.no_grad():
        decoded = vae.decode(latents / scaling).sample.float()  # (B, 3, H, W) in -1..1
    pixels = ((decoded.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return pixels.permute(0, 2, 3, 1).cpu().numpy()


def predicted_x0(
    scheduler: Any, latent: torch.Tensor, output: torch.Tensor, t: Any
) -> torch.Tensor:
    """The clean latent implied by the UNet's output at time t (epsilon or v prediction)."""
    alpha_bar = scheduler.alphas_cumprod[int(t)].to(latent.dtype)
    if scheduler.config.prediction_type == "v_prediction":
        return alpha_bar.sqrt() * latent - (1 - alpha_bar).sqrt() * output
    return (latent - (1 - alpha_bar).sqrt() * output) / alpha_bar.sqrt()


def initial_noise(seeds: Sequence[int], shape: tuple[int, int, int]) -> torch.Tensor:
    """z: one (C, h, w) normal sample per seed, so image k depends only on its own seed."""
    noise = [torch.randn(shape, generator=torch.Generator().manual_seed(int(s))) for s in seeds]
    return torch.stack(noise)  # (B, C, h, w)


class TextToImagePipeline:
    """Text encoder + UNet + scheduler + autoencoder, run as one loop you can watch."""

    def __init__(
        self,
        encoder: Any,
        unet: Any,
        vae: Any,
        scheduler_factory: SchedulerFactory = shapes_scheduler,
        name: str = "",
    ) -> None:
        self.encoder = encoder
        self.unet = unet
        self.vae = vae
        self.scheduler_factory = scheduler_factory
        self.name = name
        # images (B, H, W, 3) uint8 -> (checked images, flagged per image); None: no check
        self.safety: Callable[[np.ndarray], tuple[np.ndarray, list[bool]]] | None = None

    @property
    def latent_shape(self) -> tuple[int, int, int]:
        size = self.unet.config.sample_size
        height, width = (size, size) if isinstance(size, int) else tuple(size)
        return (int(self.unet.config.in_channels), int(height), int(width))

    @property
    def image_side(self) -> int:
        """Side of the generated images: the latent's side times the decoder's upsampling."""
        ups = 2 ** (len(self.vae.config.block_out_channels) - 1)
        return self.latent_shape[1] * ups

    def _check(self, texts: Sequence[str], guidance: float, steps: int, sampler: str) -> None:
        """ConfigError (es/en) for settings the loop cannot run with."""
        if not all(isinstance(text, str) for text in texts):
            _fail("El prompt debe ser texto.", "The prompt must be text.")
        if not 1 <= len(texts) <= MAX_IMAGES:
            _fail(
                f"Se pueden generar entre 1 y {MAX_IMAGES} imágenes a la vez, no {len(texts)}.",
                f"Between 1 and {MAX_IMAGES} images can be generated at once, not {len(texts)}.",
            )
        if not math.isfinite(guidance) or not 0.0 <= guidance <= MAX_GUIDANCE:
            _fail(
                f"La guía debe estar entre 0 y {MAX_GUIDANCE:g}; ahora {guidance}.",
                f"Guidance must be between 0 and {MAX_GUIDANCE:g}; got {guidance}.",
            )
        check_sampler(sampler)
        check_steps(steps, MAX_STEPS)

    def run(
        self,
        prompt: str,
        negative_prompt: str = "",
        guidance: float = 3.0,
        steps: int = 25,
        seed: int = 0,
        count: int = 1,
        sampler: str = "ddim",
        snapshots: int = 0,
        progress: Progress | None = None,
        prompts: Sequence[str] | None = None,
        threads: int = 1,
    ) -> PipelineRun:
        """Generate ``count`` images (seeds ``seed .. seed+count-1``) for one prompt.

        ``prompts`` (optional) gives one prompt per image instead, for scoring a whole
        prompt set in one batch. ``snapshots`` > 0 keeps that many x_t along the loop
        (plus z), decoded, for the lab. ``threads``: torch threads for this call.
        """
        texts = list(prompts) if prompts is not None else [prompt] * int(count)
        self._check(texts, float(guidance), steps, sampler)
        with torch_threads(threads), torch.no_grad():
            return self._loop(
                texts,
                negative_prompt,
                float(guidance),
                int(steps),
                int(seed),
                sampler,
                int(snapshots),
                progress,
            )

    def _loop(
        self,
        texts: list[str],
        negative_prompt: str,
        guidance: float,
        steps: int,
        seed: int,
        sampler: str,
        snapshots: int,
        progress: Progress | None,
    ) -> PipelineRun:
        count = len(texts)
        report = progress or (lambda fraction, status: None)
        seconds: dict[str, float] = {}

        # 1. Text encoder: (B, L, D) for the prompts, (1, L, D) for the negative prompt.
        started = time.perf_counter()
        report(0.0, "text encoder")
        unique = sorted(set(texts) | {negative_prompt})
        table = dict(zip(unique, self.encoder.encode(unique), strict=True))
        cond = torch.stack([table[text] for text in texts])  # (B, L, D)
        uncond = table[negative_prompt][None].expand_as(cond)  # (B, L, D)
        seconds["text_encoder"] = time.perf_counter() - started

        # 2. Denoiser loop from z ~ N(0, I).
        started = time.perf_counter()
        scheduler = self.scheduler_factory(sampler, int(steps))
        seeds = [int(seed) + k for k in range(count)]
        latents = initial_noise(seeds, self.latent_shape) * scheduler.init_noise_sigma
        keep = _snapshot_steps(len(scheduler.timesteps), snapshots)
        kept: list[Snapshot] = []
        if 0 in keep:
            kept.append(self._snapshot(0, scheduler.timesteps[0], latents, None, scheduler))
        for index, t in enumerate(scheduler.timesteps):
            model_input = scheduler.scale_model_input(latents, t)  # x_t as DDPM defines it
            t_batch = torch.full((count,), int(t), dtype=torch.int64)
            output = guided_noise(self._noise, model_input, t_batch, cond, uncond, guidance)
            x0 = predicted_x0(scheduler, model_input, output, t)  # (B, C, h, w)
            latents = scheduler.step(output, t, latents).prev_sample
            if index + 1 in keep:
                after = index + 1
                following = scheduler.timesteps[after] if after < len(scheduler.timesteps) else 0
                kept.append(self._snapshot(after, following, latents, x0, scheduler))
            report((index + 1) / (len(scheduler.timesteps) + 1), f"step {index + 1}/{steps}")
        seconds["denoiser"] = time.perf_counter() - started

        # 3. Decoder: latent -> pixels.
        started = time.perf_counter()
        images = latents_to_images(self.vae, latents)
        flagged = [False] * count
        if self.safety is not None:
            images, flagged = self.safety(images)
        seconds["decoder"] = time.perf_counter() - started
        report(1.0, "done")
        return PipelineRun(
            prompt=texts[0],
            negative_prompt=negative_prompt,
            tokens=self.encoder.tokens(texts[0]),
            negative_tokens=self.encoder.tokens(negative_prompt),
            embedding_shape=tuple(cond.shape),
            embedding=cond[0].numpy(),
            latent_shape=tuple(latents.shape),
            timesteps=[int(t) for t in scheduler.timesteps],
            snapshots=kept,
            images=images,
            seeds=seeds,
            seconds=seconds,
            flagged=flagged,
        )

    def _noise(self, sample: torch.Tensor, t: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        """The UNet's noise prediction (B, C, h, w) for x_t, t (B,) and text (B, L, D)."""
        return self.unet(sample, t, encoder_hidden_states=text).sample

    def _snapshot(
        self, step: int, t: Any, latents: torch.Tensor, x0: torch.Tensor | None, scheduler: Any
    ) -> Snapshot:
        first = _variance_preserving(scheduler, latents[:1], step)  # (1, C, h, w)
        return Snapshot(
            step=step,
            timestep=int(t),
            latent=first[0].numpy().copy(),
            noisy_image=latents_to_images(self.vae, first)[0],
            predicted_image=None if x0 is None else latents_to_images(self.vae, x0[:1])[0],
        )


def _snapshot_steps(total: int, wanted: int) -> set[int]:
    """Which loop steps to keep: z (0), the last one, and evenly spread ones between."""
    if wanted <= 0:
        return set()
    return {int(round(i)) for i in np.linspace(0, total, min(wanted, total) + 1)}


def _variance_preserving(scheduler: Any, latents: torch.Tensor, index: int) -> torch.Tensor:
    """x_t as DDPM defines it. Euler-type samplers carry x_0 + sigma * noise instead,
    which is x_t times sqrt(sigma^2 + 1); DDIM and DPM-Solver already carry x_t."""
    if float(scheduler.init_noise_sigma) <= 1.0 or not hasattr(scheduler, "sigmas"):
        return latents
    sigma = float(scheduler.sigmas[min(index, len(scheduler.sigmas) - 1)])
    return latents / (sigma**2 + 1.0) ** 0.5


def _fail(es: str, en: str) -> None:
    raise ConfigError({"es": es, "en": en})
