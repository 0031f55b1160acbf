"""The forward (noising) process: beta schedules and x_t, from diffusers' own schedulers.

Symbols, as the lab uses them:

- ``x_0``: the clean image, scaled to -1..1.
- ``t`` in 0..T-1: the step; ``T``: the number of training steps (``num_train_timesteps``).
- ``beta_t``: the share of variance replaced by fresh noise at step t.
- ``alpha-bar_t`` = prod_{s<=t} (1 - beta_s): how much of x_0's variance is left after t steps.
- ``z`` (or epsilon): standard Gaussian noise, same shape as x_0.
- ``x_t = sqrt(alpha-bar_t) * x_0 + sqrt(1 - alpha-bar_t) * z`` (one jump, no loop needed).
- ``SNR_t = alpha-bar_t / (1 - alpha-bar_t)``: signal power over noise power.

The betas and alpha-bars come from ``diffusers.DDPMScheduler`` (not a copy of its
formulas), so what the lab plots is exactly what the samplers use. This module imports
neither streamlit nor the model; diffusers is imported when a schedule is built.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from lienzo.registry.spec import ConfigError

# diffusers' beta_schedule names, in the order the lab offers them.
BETA_SCHEDULES = ("linear", "scaled_linear", "squaredcos_cap_v2", "sigmoid")
# Schedules that read beta_start/beta_end (the cosine one derives betas from alpha-bar).
USES_BETA_RANGE = frozenset({"linear", "scaled_linear", "sigmoid"})
MIN_TRAIN_STEPS, MAX_TRAIN_STEPS = 2, 4000


@dataclass(frozen=True)
class ScheduleConfig:
    """How noise is added during training; the same values must be used for sampling."""

    num_train_timesteps: int = 1000  # T
    beta_schedule: str = "linear"
    beta_start: float = 1e-4  # beta_1 (linear, scaled_linear, sigmoid)
    beta_end: float = 0.02  # beta_T
    rescale_betas_zero_snr: bool = False  # force alpha-bar_T = 0 (pure noise at the last step)

    def validated(self) -> ScheduleConfig:
        """Self, or ConfigError (es/en) naming what is wrong."""
        steps = self.num_train_timesteps
        if isinstance(steps, bool) or not isinstance(steps, int | np.integer):
            _fail(
                f"T debe ser un número entero, no {steps!r}.",
                f"T must be an integer, not {steps!r}.",
            )
        if not MIN_TRAIN_STEPS <= steps <= MAX_TRAIN_STEPS:
            _fail(
                f"T (pasos de difusión) = {steps} debe estar entre {MIN_TRAIN_STEPS} y "
                f"{MAX_TRAIN_STEPS}.",
                f"T (diffusion steps) = {steps} must be between {MIN_TRAIN_STEPS} and "
                f"{MAX_TRAIN_STEPS}.",
            )
        if self.beta_schedule not in BETA_SCHEDULES:
            _fail(
                f"Programa de beta desconocido «{self.beta_schedule}»; opciones: "
                f"{', '.join(BETA_SCHEDULES)}.",
                f"Unknown beta schedule '{self.beta_schedule}'; choices: "
                f"{', '.join(BETA_SCHEDULES)}.",
            )
        if self.beta_schedule in USES_BETA_RANGE:
            start, end = float(self.beta_start), float(self.beta_end)
            if not (math.isfinite(start) and math.isfinite(end) and 0 < start < end < 1):
                _fail(
                    f"Hace falta 0 < beta_1 < beta_T < 1; ahora beta_1 = {start:g} y "
                    f"beta_T = {end:g}.",
                    f"beta_1 and beta_T need 0 < beta_1 < beta_T < 1; got beta_1 = {start:g} "
                    f"and beta_T = {end:g}.",
                )
        return self

    def scheduler_kwargs(self) -> dict[str, Any]:
        """Keyword arguments every diffusers DDPM-family scheduler accepts."""
        return {
            "num_train_timesteps": int(self.num_train_timesteps),
            "beta_schedule": self.beta_schedule,
            "beta_start": float(self.beta_start),
            "beta_end": float(self.beta_end),
            "rescale_betas_zero_snr": bool(self.rescale_betas_zero_snr),
        }

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _fail(es: str, en: str) -> None:
    raise ConfigError({"es": es, "en": en})


@dataclass
class NoiseSchedule:
    """beta_t and alpha-bar_t for t = 0..T-1 (float64 numpy arrays of length T)."""

    config: ScheduleConfig
    betas: np.ndarray  # (T,)
    alphas_cumprod: np.ndarray  # (T,) alpha-bar_t

    @property
    def T(self) -> int:  # noqa: N802 - the paper's symbol
        return len(self.betas)

    @property
    def signal_scale(self) -> np.ndarray:
        """sqrt(alpha-bar_t): the factor on x_0 in x_t."""
        return np.sqrt(self.alphas_cumprod)

    @property
    def noise_scale(self) -> np.ndarray:
        """sqrt(1 - alpha-bar_t): the factor on z in x_t."""
        return np.sqrt(1.0 - self.alphas_cumprod)

    def snr(self, t: int | np.ndarray | None = None) -> np.ndarray | float:
        """alpha-bar_t / (1 - alpha-bar_t); inf at alpha-bar = 1, 0 at alpha-bar = 0."""
        abar = self.alphas_cumprod if t is None else self.alphas_cumprod[t]
        with np.errstate(divide="ignore"):
            return abar / (1.0 - abar)

    def snr_db(self, t: int | np.ndarray | None = None) -> np.ndarray | float:
        """10 log10(SNR); -inf where the signal is gone."""
        with np.errstate(divide="ignore"):
            return 10.0 * np.log10(self.snr(t))

    def check_step(self, t: int) -> int:
        return check_step(t, self.T)


def check_step(t: int, T: int) -> int:  # noqa: N803 - the paper's symbol
    """t as an int, or ConfigError (es/en) unless it is an integer in 0..T-1."""
    if isinstance(t, bool) or not isinstance(t, int | np.integer) or not 0 <= t < T:
        _fail(
            f"El paso t = {t!r} debe ser un entero entre 0 y {T - 1}.",
            f"The step t = {t!r} must be an integer between 0 and {T - 1}.",
        )
    return int(t)


def ddpm_scheduler(config: ScheduleConfig, **extra: Any) -> Any:
    """A diffusers DDPMScheduler for ``config`` (validated); ``extra`` goes to its constructor."""
    from diffusers import DDPMScheduler

    return DDPMScheduler(**config.validated().scheduler_kwargs(), **extra)


def noise_schedule(config: ScheduleConfig | None = None) -> NoiseSchedule:
    """The betas and alpha-bars diffusers computes for ``config``."""
    config = (config or ScheduleConfig()).validated()
    scheduler = ddpm_scheduler(config)
    return NoiseSchedule(
        config=config,
        betas=scheduler.betas.double().numpy().copy(),
        alphas_cumprod=scheduler.alphas_cumprod.double().numpy().copy(),
    )


def to_model_range(image: np.ndarray) -> np.ndarray:
    """An image in 0..1 -> x_0 in -1..1 (float32), the range the noise is scaled for."""
    return np.asarray(image, dtype=np.float32) * 2.0 - 1.0


def to_display_range(x: np.ndarray) -> np.ndarray:
    """x in -1..1 (noisy values go beyond) -> 0..1 for display, clipped."""
    return np.clip((np.asarray(x, dtype=np.float32) + 1.0) / 2.0, 0.0, 1.0)


def gaussian_noise(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """z: standard normal noise of ``shape``, the same for the same seed (torch's generator)."""
    import torch

    generator = torch.Generator().manual_seed(int(seed))
    return torch.randn(shape, generator=generator).numpy()


def add_noise(x0: np.ndarray, t: int, noise: np.ndarray, config: ScheduleConfig) -> np.ndarray:
    """x_t = sqrt(alpha-bar_t) x_0 + sqrt(1 - alpha-bar_t) z, via DDPMScheduler.add_noise.

    x0 and noise: same-shape float arrays (any shape); t: one step 0..T-1.
    """
    import torch

    x0 = np.asarray(x0, dtype=np.float32)
    noise = np.asarray(noise, dtype=np.float32)
    if x0.shape != noise.shape:
        raise ValueError(f"x_0 {x0.shape} and z {noise.shape} must have the same shape")
    scheduler = ddpm_scheduler(config)
    t = check_step(t, config.num_train_timesteps)
    # add_noise broadcasts alpha-bar over a leading batch dimension: give it one.
    noisy = scheduler.add_noise(
        torch.from_numpy(x0[None]), torch.from_numpy(noise[None]), torch.tensor([t])
    )
    return noisy[0].numpy()


def measured_snr(x0: np.ndarray, x_t: np.ndarray, t: int, schedule: NoiseSchedule) -> float:
    """The SNR of this x_t measured on its pixels: power of sqrt(abar) x_0 over the noise's power.

    The schedule's SNR assumes x_0 has unit variance; a real image (mostly mid-grey or
    mostly black) has less, so the learner sees both numbers.
    """
    signal = schedule.signal_scale[t] * np.asarray(x0, dtype=np.float64)
    noise = np.asarray(x_t, dtype=np.float64) - signal
    noise_power = float(np.mean(noise**2))
    signal_power = float(np.mean(signal**2))
    return math.inf if noise_power == 0 else signal_power / noise_power


def noisy_sequence(
    x0: np.ndarray, steps: list[int] | np.ndarray, noise: np.ndarray, config: ScheduleConfig
) -> np.ndarray:
    """x_t for each t in ``steps`` with the same z: (len(steps), *x0.shape), one scheduler call."""
    import torch

    x0 = np.asarray(x0, dtype=np.float32)
    noise = np.asarray(noise, dtype=np.float32)
    if x0.shape != noise.shape:
        raise ValueError(f"x_0 {x0.shape} and z {noise.shape} must have the same shape")
    t = [check_step(int(s), config.num_train_timesteps) for s in steps]
    scheduler = ddpm_scheduler(config)
    count = len(t)
    noisy = scheduler.add_noise(
        torch.from_numpy(np.broadcast_to(x0, (count, *x0.shape)).copy()),
        torch.from_numpy(np.broadcast_to(noise, (count, *noise.shape)).copy()),
        torch.tensor(t, dtype=torch.int64),
    )
    return noisy.numpy()
