"""The reverse process: a diffusers scheduler by name, and the step-by-step loop with CFG.

Reusable by every diffusion model in Lienzo (the digits UNet, the text-to-image UNet):
the loop only needs a noise-prediction function ``noise_fn(sample, timesteps, cond)``
returning epsilon with the sample's shape, so it works the same for PyTorch and for an
onnxruntime session.

Rules the loop keeps (each a bug seen elsewhere):

- the number of steps is checked first: 0 or less (or more than T) is refused with a
  ConfigError in both languages, never a ZeroDivisionError from inside diffusers;
- ``set_timesteps`` always runs before the first ``step`` (a scheduler is only handed
  out by :func:`make_scheduler`, and the loop sets its timesteps again, which also
  resets multistep solvers' memory between runs);
- the timesteps are given to ``noise_fn`` as an int64 tensor of shape (batch,),
  whatever the scheduler stores;
- float16 on a CPU is refused with a message (:func:`check_dtype`);
- the same seed gives the same images: z and every random draw of the scheduler come
  from one ``torch.Generator`` seeded once.
"""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lienzo.plugins.diffusion.schedules import ScheduleConfig
from lienzo.registry.spec import ConfigError

# Sampler names the lab offers -> diffusers scheduler class names.
SAMPLERS: dict[str, str] = {
    "ddpm": "DDPMScheduler",
    "ddim": "DDIMScheduler",
    "dpm_solver": "DPMSolverMultistepScheduler",  # DPM-Solver++ (2M): good in 10-25 steps
}
SPACINGS = ("leading", "trailing", "linspace")
DEFAULT_SPACING = {"ddpm": "leading", "ddim": "leading", "dpm_solver": "linspace"}

# noise_fn(sample (B, C, H, W) float, timesteps (B,) int64, cond or None) -> epsilon like sample
NoiseFn = Callable[[Any, Any, Any], Any]
# progress(steps done, steps in all)
StepCallback = Callable[[int, int], None]


def _fail(es: str, en: str) -> None:
    raise ConfigError({"es": es, "en": en})


def check_steps(steps: Any, num_train_timesteps: int) -> int:
    """The number of sampling steps as an int in 1..T, or ConfigError (es/en)."""
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer):
        if isinstance(steps, float) and steps.is_integer():
            steps = int(steps)
        else:
            _fail(
                f"El número de pasos debe ser un entero, no {steps!r}.",
                f"The number of steps must be an integer, not {steps!r}.",
            )
    if steps <= 0:
        _fail(
            f"El número de pasos debe ser al menos 1 (ahora {steps}): sin pasos no se quita "
            "ningún ruido.",
            f"The number of steps must be at least 1 (got {steps}): with no steps no noise is "
            "removed.",
        )
    if steps > num_train_timesteps:
        _fail(
            f"Como mucho {num_train_timesteps} pasos (T del entrenamiento); ahora {steps}.",
            f"At most {num_train_timesteps} steps (the training T); got {steps}.",
        )
    return int(steps)


def check_sampler(name: str) -> str:
    if name not in SAMPLERS:
        _fail(
            f"Muestreador desconocido «{name}»; opciones: {', '.join(SAMPLERS)}.",
            f"Unknown sampler '{name}'; choices: {', '.join(SAMPLERS)}.",
        )
    return name


def check_spacing(spacing: str) -> str:
    if spacing not in SPACINGS:
        _fail(
            f"Espaciado desconocido «{spacing}»; opciones: {', '.join(SPACINGS)}.",
            f"Unknown spacing '{spacing}'; choices: {', '.join(SPACINGS)}.",
        )
    return spacing


def check_dtype(dtype: Any, device: Any = "cpu") -> Any:
    """torch dtype for sampling; float16 on a CPU is refused (slow, and NaN-prone there)."""
    import torch

    names = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}
    dtype = names.get(dtype, dtype) if isinstance(dtype, str) else dtype
    if dtype not in names.values():
        _fail(
            f"Tipo numérico no admitido: {dtype!r} (usa float32).",
            f"Unsupported number type: {dtype!r} (use float32).",
        )
    if dtype == torch.float16 and torch.device(device).type == "cpu":
        _fail(
            "float16 (media precisión) es un ahorro para GPU; en la CPU es lento y puede dar "
            "NaN. Aquí se muestrea en float32.",
            "float16 (half precision) is a GPU saving; on a CPU it is slow and can produce "
            "NaN. Sampling here runs in float32.",
        )
    return dtype


# How each sampler keeps its guess of x_0 inside the image range -1..1. Measured on the
# digits model (128 digits, guidance 2): DDIM with clip_sample=True clips x_0 but keeps
# the unclipped noise for the direction term; the mismatch piles up over the steps
# (Fréchet distance 39 at 50 steps, 7 without clipping). DPM-Solver++ without any limit
# drifts too (FD 65); dynamic thresholding brings it to 6. DDPM's fresh noise at every
# step absorbs its clipping (FD 4 at 1000 steps).
RANGE_OPTIONS: dict[str, dict[str, Any]] = {
    "ddpm": {"clip_sample": True},
    "ddim": {"clip_sample": False},
    "dpm_solver": {"thresholding": True, "sample_max_value": 1.0},
}


def make_scheduler(
    name: str,
    steps: int,
    schedule: ScheduleConfig | None = None,
    spacing: str | None = None,
    **extra: Any,
) -> Any:
    """A fresh diffusers scheduler ``name`` with ``set_timesteps(steps)`` already called.

    ``schedule`` must be the one the model was trained with; ``spacing`` is diffusers'
    ``timestep_spacing`` (None: the scheduler's usual one). ``extra`` overrides the
    scheduler's constructor options (e.g. ``clip_sample``; see ``RANGE_OPTIONS``, the
    defaults for images in -1..1). Raises ConfigError for a bad name, spacing, schedule
    or number of steps.
    """
    import diffusers

    check_sampler(name)
    schedule = (schedule or ScheduleConfig()).validated()
    steps = check_steps(steps, schedule.num_train_timesteps)
    spacing = check_spacing(spacing or DEFAULT_SPACING[name])
    options: dict[str, Any] = {
        **schedule.scheduler_kwargs(),
        "timestep_spacing": spacing,
        **RANGE_OPTIONS[name],
        **extra,
    }
    scheduler = getattr(diffusers, SAMPLERS[name])(**options)
    scheduler.set_timesteps(steps)
    return scheduler


def scheduler_timesteps(
    name: str, steps: int, schedule: ScheduleConfig | None = None, spacing: str | None = None
) -> np.ndarray:
    """The real timesteps (int64, first to last) ``name`` visits for ``steps`` and ``spacing``."""
    scheduler = make_scheduler(name, steps, schedule, spacing)
    return scheduler.timesteps.numpy().astype(np.int64)


def timestep_batch(timestep: Any, batch: int) -> Any:
    """Any timestep (Python int, 0-d or (1,) or (batch,) array/tensor) -> int64 tensor (batch,)."""
    import torch

    t = torch.as_tensor(
        np.asarray(timestep.detach().cpu() if hasattr(timestep, "detach") else timestep)
    )
    if t.is_floating_point():
        t = t.round()
    t = t.to(torch.int64).reshape(-1)
    if t.numel() == 1:
        return t.expand(batch).clone()
    if t.numel() != batch:
        raise ValueError(f"{t.numel()} timesteps for a batch of {batch}")
    return t


def guided_noise(
    noise_fn: NoiseFn, sample: Any, timesteps: Any, cond: Any, uncond: Any, guidance_scale: float
) -> Any:
    """Classifier-free guidance: eps_u + s * (eps_c - eps_u); s = 1 is the plain conditional.

    When cond and uncond are tensors of the same shape the two predictions run as one
    batch of 2B (one network call instead of two).
    """
    import torch

    if uncond is None or guidance_scale == 1.0:
        return noise_fn(sample, timesteps, cond)
    if (
        isinstance(cond, torch.Tensor)
        and isinstance(uncond, torch.Tensor)
        and cond.shape == uncond.shape
    ):
        both = noise_fn(
            torch.cat([sample, sample]),
            torch.cat([timesteps, timesteps]),
            torch.cat([cond, uncond]),
        )
        eps_cond, eps_uncond = both.chunk(2)
    else:
        eps_cond = noise_fn(sample, timesteps, cond)
        eps_uncond = noise_fn(sample, timesteps, uncond)
    return eps_uncond + guidance_scale * (eps_cond - eps_uncond)


@dataclass
class SamplingStep:
    """The state before one step: x_t and the model's guess of x_0 from it (numpy, -1..1)."""

    index: int  # 0-based position in the schedule
    timestep: int  # t
    sample: np.ndarray  # x_t (B, C, H, W)
    predicted_x0: np.ndarray  # (B, C, H, W)


@dataclass
class SamplingResult:
    images: np.ndarray  # x_0 (B, C, H, W) float32, roughly -1..1
    timesteps: np.ndarray  # (steps,) int64, the real ones used
    sampler: str
    seconds: float = 0.0
    network_calls: int = 0
    stopped: bool = False  # the stop event ended it early: ``images`` is the last x_t
    steps: list[SamplingStep] = field(default_factory=list)


def record_positions(steps: int, count: int) -> set[int]:
    """``count`` step indices spread evenly from the first to the last (always both)."""
    if count <= 0:
        return set()
    return {int(round(i)) for i in np.linspace(0, steps - 1, min(count, steps))}


def predicted_x0(scheduler: Any, sample: Any, eps: Any, timestep: int) -> Any:
    """x_0 = (x_t - sqrt(1 - alpha-bar_t) eps) / sqrt(alpha-bar_t), clipped to -1..1."""
    abar = float(scheduler.alphas_cumprod[int(timestep)])
    return ((sample - (1.0 - abar) ** 0.5 * eps) / max(abar, 1e-12) ** 0.5).clamp(-1.0, 1.0)


def sample(
    noise_fn: NoiseFn,
    scheduler: Any,
    shape: tuple[int, ...],
    *,
    seed: int = 0,
    cond: Any = None,
    uncond: Any = None,
    guidance_scale: float = 1.0,
    record: Iterable[int] | None = None,
    progress: StepCallback | None = None,
    stop: threading.Event | None = None,
    eta: float = 0.0,
    z: Any = None,
) -> SamplingResult:
    """Run the reverse process from z ~ N(0, I) of ``shape`` (B, C, H, W) with ``scheduler``.

    ``scheduler``: from :func:`make_scheduler` (its timesteps are set again here, which
    also clears a multistep solver's memory). ``cond``/``uncond``: what ``noise_fn``
    gets as conditioning (class labels, text embeddings); with ``uncond`` and
    ``guidance_scale`` != 1, classifier-free guidance. ``record``: step indices whose x_t
    and predicted x_0 are kept. ``eta``: DDIM's noise share (0 = deterministic).
    ``z``: a starting noise tensor of ``shape`` to use instead of drawing one from ``seed``
    (the seed still drives the scheduler's own random draws).
    """
    import torch

    if getattr(scheduler, "num_inference_steps", None) is None:
        raise RuntimeError("set_timesteps was never called: build schedulers with make_scheduler")
    scheduler.set_timesteps(scheduler.num_inference_steps)  # fresh state for this run
    timesteps = scheduler.timesteps.numpy().astype(np.int64)
    keep = set(record or ())
    generator = torch.Generator().manual_seed(int(seed))
    if z is None:
        z = torch.randn(shape, generator=generator)
    elif tuple(z.shape) != tuple(shape):
        raise ValueError(f"z has shape {tuple(z.shape)}, expected {tuple(shape)}")
    x = z.float() * float(scheduler.init_noise_sigma)
    accepts = inspect.signature(scheduler.step).parameters
    step_options: dict[str, Any] = {"generator": generator} if "generator" in accepts else {}
    if "eta" in accepts:
        step_options["eta"] = eta
    result = SamplingResult(
        images=np.empty(0), timesteps=timesteps, sampler=type(scheduler).__name__
    )
    started = time.perf_counter()
    with torch.no_grad():
        for index, t in enumerate(timesteps):
            if stop is not None and stop.is_set():
                result.stopped = True
                break
            model_input = scheduler.scale_model_input(x, int(t))
            t_batch = timestep_batch(int(t), shape[0])  # (B,) int64
            eps = guided_noise(noise_fn, model_input, t_batch, cond, uncond, guidance_scale)
            result.network_calls += 1
            if index in keep:
                result.steps.append(
                    SamplingStep(
                        index=index,
                        timestep=int(t),
                        sample=x.numpy().copy(),
                        predicted_x0=predicted_x0(scheduler, x, eps, int(t)).numpy(),
                    )
                )
            x = scheduler.step(eps, int(t), x, **step_options).prev_sample
            if progress is not None:
                progress(index + 1, len(timesteps))
    result.seconds = time.perf_counter() - started
    result.images = x.numpy().astype(np.float32)
    return result
