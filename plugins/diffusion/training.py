"""The training loop: teach the UNet to predict the noise that was added (DDPM's objective).

Each step: take a batch of digits x_0, draw a step t uniformly from 0..T-1 and noise z
for each, build x_t = sqrt(alpha-bar_t) x_0 + sqrt(1 - alpha-bar_t) z with the
scheduler's ``add_noise``, and minimise ||z - eps_theta(x_t, t, y)||^2. A share of the
labels y is replaced by the null class (label dropout), so one network learns both the
conditional and the unconditional prediction that classifier-free guidance combines.

An exponential moving average (EMA) of the weights is what samples: it smooths the
step-to-step noise of Adam, and diffusion samples are visibly better with it.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from lienzo.plugins.diffusion.config import DiffusionTrainConfig
from lienzo.plugins.diffusion.network import NULL_CLASS, to_model_range
from lienzo.plugins.diffusion.results import DiffusionProgress, DiffusionTrainResult, reached_target
from lienzo.plugins.diffusion.schedules import ScheduleConfig, ddpm_scheduler
from lienzo.registry.contract import ProgressCallback
from lienzo.registry.torch_threads import one_torch_thread

# (ema network) -> judged samples (N, 8, 8) in 0..16 and the judge's figures
PreviewFn = Callable[[torch.nn.Module], tuple[np.ndarray, dict[str, float]]]


def _finite(module: torch.nn.Module) -> bool:
    return all(torch.isfinite(p).all() for p in module.parameters())


@torch.no_grad()
def update_ema(ema: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    """ema <- decay * ema + (1 - decay) * model, parameter by parameter."""
    ema_params = list(ema.parameters())
    torch._foreach_lerp_(ema_params, [p.detach() for p in model.parameters()], 1.0 - decay)


def fit_diffusion(
    unet: torch.nn.Module,
    ema: torch.nn.Module,
    digits: np.ndarray,  # (N, 8, 8) in 0..16
    labels: np.ndarray,  # (N,) 0..9
    config: DiffusionTrainConfig,
    schedule: ScheduleConfig,
    progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
    lock: threading.Lock | None = None,
    preview: PreviewFn | None = None,
) -> DiffusionTrainResult:
    """Train ``unet`` in place and keep ``ema`` as its moving average; see the module docstring.

    Batches, steps t, noise and label dropout come from ``config.seed``. ``lock`` is
    held during each step, so another thread may sample from ``ema`` between steps.
    ``preview`` runs every ``judge_every`` steps and at the end.
    """
    lock = lock or threading.Lock()
    rng = torch.Generator().manual_seed(config.seed)
    scheduler = ddpm_scheduler(schedule)
    x_all = to_model_range(torch.tensor(np.asarray(digits, dtype=np.float32))).unsqueeze(1)
    y_all = torch.tensor(np.asarray(labels, dtype=np.int64))
    n, batch, total_t = len(x_all), min(config.batch_size, len(x_all)), schedule.num_train_timesteps
    optimizer = torch.optim.AdamW(unet.parameters(), lr=config.learning_rate, weight_decay=0.0)
    result = DiffusionTrainResult()
    loss_sum, counted = 0.0, 0
    started = time.perf_counter()
    window_started = started

    def report(step: int, judged: bool) -> None:
        nonlocal loss_sum, counted, window_started
        record = DiffusionProgress(
            epoch=step,
            epochs=config.steps,
            loss=loss_sum / counted if counted else result.history[-1].loss,
            seconds=time.perf_counter() - window_started,
        )
        record.extra["elapsed"] = time.perf_counter() - started
        if judged and preview is not None:
            with lock:
                samples, figures = preview(ema)
            record.samples = samples
            record.extra.update(figures)
            if result.seconds_to_target is None and reached_target(figures):
                result.seconds_to_target = time.perf_counter() - started
                result.steps_to_target = step
        result.history.append(record)
        if progress is not None:
            progress(record)
        loss_sum, counted, window_started = 0.0, 0, time.perf_counter()

    with one_torch_thread():
        unet.train()
        for step in range(1, config.steps + 1):
            if stop is not None and stop.is_set():
                result.stopped_early = True
                break
            index = torch.randint(0, n, (batch,), generator=rng)
            x0, y = x_all[index], y_all[index].clone()  # (B, 1, 8, 8), (B,)
            y[torch.rand(batch, generator=rng) < config.label_dropout] = NULL_CLASS
            t = torch.randint(0, total_t, (batch,), generator=rng)  # (B,) int64
            noise = torch.randn(x0.shape, generator=rng)
            x_t = scheduler.add_noise(x0, noise, t)
            with lock:
                predicted = unet(x_t, t, class_labels=y).sample
                loss = F.mse_loss(predicted, noise)
                if not torch.isfinite(loss):
                    result.diverged = True
                    break
                before = copy.deepcopy(unet.state_dict())
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(unet.parameters(), 1.0)
                optimizer.step()
                if not _finite(unet):
                    unet.load_state_dict(before)  # keep the last finite weights
                    result.diverged = True
                    break
                # Warm-up: early on the average follows the model closely.
                update_ema(ema, unet, min(config.ema_decay, (1 + step) / (10 + step)))
            result.steps = step
            loss_sum += loss.item()
            counted += 1
            judged = step % config.judge_every == 0 or step == config.steps
            if step % config.report_every == 0 or judged:
                report(step, judged)
        if result.diverged:
            loss_sum, counted = float("nan"), 1  # the run's last report shows the blow-up
            report(result.steps, False)
        elif result.steps and (counted or not result.history[-1].judged):
            report(result.steps, preview is not None)  # always end on judged samples
    unet.eval()
    ema.eval()
    result.seconds = time.perf_counter() - started
    return result
