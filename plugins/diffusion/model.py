"""DigitDiffusion: the registry's model object for "diffusion-digits".

A class-conditional DDPM on scikit-learn's 8x8 digits: a diffusers ``UNet2DModel``
predicts the noise, any diffusers DDPM-family scheduler (DDPM, DDIM, DPM-Solver++)
runs the reverse process, classifier-free guidance steers it to the digit asked for.
Digits go in and come out as (N, 8, 8) floats in 0..16, like the dataset.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from lienzo.plugins.datasets.digits import DESCRIPTION, load_digits_split
from lienzo.plugins.diffusion import MODEL_ID
from lienzo.plugins.diffusion.config import DiffusionTrainConfig
from lienzo.plugins.diffusion.network import (
    NULL_CLASS,
    NUM_CLASSES,
    NoisePredictor,
    UNetShape,
    build_unet,
    to_digits,
)
from lienzo.plugins.diffusion.results import DiffusionTrainResult, DigitSamples
from lienzo.plugins.diffusion.sampling import (
    DEFAULT_SPACING,
    NoiseFn,
    StepCallback,
    check_dtype,
    make_scheduler,
    record_positions,
    sample,
    timestep_batch,
)
from lienzo.plugins.diffusion.schedules import ScheduleConfig
from lienzo.plugins.diffusion.training import fit_diffusion
from lienzo.registry.checkpoints import (
    CheckpointInfo,
    load_checkpoint,
    load_committed_checkpoint,
    save_checkpoint,
)
from lienzo.registry.contract import OnnxGraph, ProgressCallback
from lienzo.registry.spec import ConfigError, validate_config
from lienzo.registry.torch_threads import one_torch_thread

PRETRAINED_STEM = Path(__file__).parent / "weights" / "diffusion-digits"
# The noise schedule the model is trained with: T = 1000 so "1000 DDPM steps" is the
# original sampler; the cosine schedule keeps 8x8 digits readable longer than linear.
SCHEDULE = ScheduleConfig(num_train_timesteps=1000, beta_schedule="squaredcos_cap_v2")
PREVIEW_N = 64  # digits per judged preview during training (labels 0..9 in turn)
PREVIEW_SAMPLER = ("ddim", 20)
DEFAULT_GUIDANCE = 2.0


def _pretrained_checkpoint() -> tuple[dict[str, torch.Tensor], CheckpointInfo]:
    return load_committed_checkpoint(
        PRETRAINED_STEM, "python -m lienzo.plugins.diffusion.train_pretrained"
    )


def _seeded_unet(seed: int, shape: UNetShape) -> torch.nn.Module:
    with torch.random.fork_rng(devices=[]):  # leave the caller's global RNG alone
        torch.manual_seed(seed)
        return build_unet(shape).eval()


def check_labels(labels: Any) -> np.ndarray:
    """Labels 0..9 (a digit) or 10 (no class) as int64 (N,), or ConfigError (es/en)."""
    array = np.asarray(labels)
    if array.ndim != 1 or len(array) == 0 or not np.issubdtype(array.dtype, np.integer):
        raise ConfigError(
            {
                "es": "Hace falta una lista no vacía de etiquetas enteras (0-9, o 10 = sin clase).",
                "en": "A non-empty list of integer labels is needed (0-9, or 10 = no class).",
            }
        )
    if array.min() < 0 or array.max() > NULL_CLASS:
        low, high = array.min(), array.max()
        raise ConfigError(
            {
                "es": f"Las etiquetas van de 0 a 9 (10 = sin clase); llegó {low}..{high}.",
                "en": f"Labels go from 0 to 9 (10 = no class); got {low}..{high}.",
            }
        )
    return array.astype(np.int64)


def torch_noise_fn(unet: torch.nn.Module) -> NoiseFn:
    """eps_theta(x_t, t, y) from a UNet2DModel (timesteps as int64 (B,), labels (B,))."""

    def predict(x: torch.Tensor, t: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return unet(x, t, class_labels=labels).sample

    return predict


def onnx_noise_fn(session: Any) -> NoiseFn:
    """The same function through an onnxruntime graph exported by :meth:`onnx_graphs`.

    The timestep is fed as the graph declares it (int64, shape (batch,)) whatever the
    caller passes: a Python int, a 0-d array, an int64 tensor.
    """

    def predict(x: torch.Tensor, t: Any, labels: Any) -> torch.Tensor:
        batch = int(x.shape[0])
        (eps,) = session.run(
            sample=x.detach().cpu().numpy().astype(np.float32),
            timestep=timestep_batch(t, batch).numpy(),
            class_labels=timestep_batch(labels, batch).numpy(),
        )
        return torch.from_numpy(eps)

    return predict


class DigitDiffusion:
    """``DigitDiffusion()`` is untrained; ``DigitDiffusion.pretrained()`` is Lienzo's
    checkpoint (a new object each call). ``train`` changes this object: call it on a
    fresh object or a ``clone()``, never on a model shared between sessions."""

    model_id = MODEL_ID
    schedule = SCHEDULE
    data_description = DESCRIPTION + "; trained on the training split only"

    def __init__(self, seed: int = 0, shape: UNetShape | None = None):
        self.shape = shape or UNetShape()
        self.unet = _seeded_unet(seed, self.shape)  # trained by Adam
        self.ema = copy.deepcopy(self.unet)  # its moving average: what samples
        self.checkpoint_info: CheckpointInfo | None = None
        self.is_fresh = True
        # Held by each training step; sampling takes it only while this object trains,
        # so sessions sampling from a shared (never trained) model never wait on each other.
        self._lock = threading.Lock()
        self._training = threading.Event()

    # -- construction ------------------------------------------------------------------

    @classmethod
    def pretrained(cls) -> DigitDiffusion:
        """Lienzo's checkpoint from ``python -m lienzo.plugins.diffusion.train_pretrained``."""
        state, info = _pretrained_checkpoint()
        model = cls(shape=UNetShape(**_shape_of(info)))
        model._load_state(state)
        model.checkpoint_info = copy.deepcopy(info)
        return model

    def clone(self) -> DigitDiffusion:
        twin = DigitDiffusion.__new__(DigitDiffusion)
        twin.shape = self.shape
        with self._lock:
            twin.unet = copy.deepcopy(self.unet)
            twin.ema = copy.deepcopy(self.ema)
        twin.checkpoint_info = copy.deepcopy(self.checkpoint_info)
        twin.is_fresh = self.is_fresh
        twin._lock = threading.Lock()
        twin._training = threading.Event()
        return twin

    # -- training ------------------------------------------------------------------------

    def train(
        self,
        config: DiffusionTrainConfig | None = None,
        progress: ProgressCallback | None = None,
        stop: threading.Event | None = None,
    ) -> DiffusionTrainResult:
        """Train on the digits' training split (in place); see ``training.fit_diffusion``.

        A fresh model starts from weights drawn with ``config.seed``; a trained or loaded
        one is fine-tuned. Raises ConfigError for NaN or out-of-bounds settings. Judged
        previews (64 digits, DDIM 20 steps, guidance 2) come every ``judge_every`` steps.
        """
        config = validate_config(config if config is not None else DiffusionTrainConfig())
        if self.is_fresh:
            self.unet = _seeded_unet(config.seed, self.shape)
            self.ema = copy.deepcopy(self.unet)
        split = load_digits_split()
        from lienzo.registry.judge import DigitJudge

        judge = DigitJudge.default()

        def preview(ema: torch.nn.Module) -> tuple[np.ndarray, dict[str, float]]:
            labels = np.arange(PREVIEW_N) % NUM_CLASSES
            digits = self._sample_digits(ema, labels, *PREVIEW_SAMPLER, None, DEFAULT_GUIDANCE, 0)
            report = judge.score(digits.digits)
            return digits.digits, {
                "confident_share": report.confident_share,
                "classes_present": float(report.classes_present),
                "class_entropy_bits": report.class_entropy_bits,
                "frechet_distance": report.frechet_distance,
            }

        self.is_fresh = False
        self.checkpoint_info = None  # the weights no longer match any checkpoint
        self._training.set()
        try:
            return fit_diffusion(
                self.unet,
                self.ema,
                split.x_train,
                split.y_train,
                config,
                self.schedule,
                progress,
                stop,
                self._lock,
                preview,
            )
        finally:
            self._training.clear()

    # -- sampling ------------------------------------------------------------------------

    def _sample_digits(
        self,
        network: torch.nn.Module | None,
        labels: np.ndarray,
        sampler: str,
        steps: int,
        spacing: str | None,
        guidance_scale: float,
        seed: int,
        *,
        noise_fn: NoiseFn | None = None,
        record: int = 0,
        progress: StepCallback | None = None,
        stop: threading.Event | None = None,
        runtime: str = "pytorch",
    ) -> DigitSamples:
        spacing = spacing or DEFAULT_SPACING.get(sampler, "leading")
        scheduler = make_scheduler(sampler, steps, self.schedule, spacing)
        fn = noise_fn or torch_noise_fn(network.eval())
        y = torch.from_numpy(labels)
        null = torch.full_like(y, NULL_CLASS)
        run = sample(
            fn,
            scheduler,
            (len(labels), 1, 8, 8),
            seed=seed,
            cond=y,
            uncond=null if guidance_scale != 1.0 else None,
            guidance_scale=float(guidance_scale),
            record=record_positions(steps, record),
            progress=progress,
            stop=stop,
        )
        as_digits = lambda x: to_digits(torch.from_numpy(x))[:, 0].numpy()  # noqa: E731
        return DigitSamples(
            digits=as_digits(run.images),
            labels=labels,
            sampler=sampler,
            num_steps=steps,
            spacing=spacing,
            guidance_scale=float(guidance_scale),
            seed=int(seed),
            timesteps=run.timesteps,
            seconds=run.seconds,
            network_calls=run.network_calls,
            runtime=runtime,
            stopped=run.stopped,
            steps=[
                (s.index, s.timestep, as_digits(s.sample), as_digits(s.predicted_x0))
                for s in run.steps
            ],
        )

    def generate(
        self,
        labels: Sequence[int] | np.ndarray,
        sampler: str = "ddim",
        steps: int = 50,
        *,
        spacing: str | None = None,
        guidance_scale: float = DEFAULT_GUIDANCE,
        seed: int = 0,
        record: int = 0,
        dtype: str = "float32",
        onnx_session: Any = None,
        progress: StepCallback | None = None,
        stop: threading.Event | None = None,
    ) -> DigitSamples:
        """Digits of the classes in ``labels`` (10 = no class) by the reverse process.

        ``sampler``: "ddpm", "ddim" or "dpm_solver"; ``steps``: 1..T (ConfigError
        otherwise); ``record``: how many intermediate states to keep (spread evenly);
        ``onnx_session``: an OnnxSession of the exported graph to run instead of PyTorch
        (same scheduler, same noise). float16 on this CPU is refused with ConfigError.
        """
        labels = check_labels(labels)
        check_dtype(dtype, "cpu")
        if not np.isfinite(guidance_scale) or not 0.0 <= guidance_scale <= 20.0:
            raise ConfigError(
                {
                    "es": f"La escala de guía debe estar entre 0 y 20 (ahora {guidance_scale}).",
                    "en": f"The guidance scale must be between 0 and 20 (got {guidance_scale}).",
                }
            )
        noise_fn = onnx_noise_fn(onnx_session) if onnx_session is not None else None
        guard = self._lock if self._training.is_set() else contextlib.nullcontext()
        with guard, one_torch_thread():
            return self._sample_digits(
                self.ema,
                labels,
                sampler,
                steps,
                spacing,
                guidance_scale,
                seed,
                noise_fn=noise_fn,
                record=record,
                progress=progress,
                stop=stop,
                runtime="onnxruntime" if onnx_session is not None else "pytorch",
            )

    def judge_samples(
        self,
        n: int = 256,
        sampler: str = "ddim",
        steps: int = 50,
        guidance_scale: float = DEFAULT_GUIDANCE,
        seed: int = 0,
    ) -> tuple[DigitSamples, Any]:
        """``n`` digits (labels 0..9 in turn) and the judge's report on them."""
        from lienzo.registry.judge import DigitJudge

        digits = self.generate(
            np.arange(n) % NUM_CLASSES, sampler, steps, guidance_scale=guidance_scale, seed=seed
        )
        return digits, DigitJudge.default().score(digits.digits)

    # -- export and storage --------------------------------------------------------------

    def onnx_graphs(self) -> list[OnnxGraph]:
        """ "unet": sample (B, 1, 8, 8) float32, timestep (B,) int64, class_labels (B,) int64
        -> noise (B, 1, 8, 8). A copy of the EMA network, so exporting touches nothing here."""
        generator = torch.Generator().manual_seed(0)
        with self._lock:
            module = NoisePredictor(copy.deepcopy(self.ema)).eval()
        return [
            OnnxGraph(
                name="unet",
                module=module,
                example_inputs=(
                    torch.randn((2, 1, 8, 8), generator=generator),
                    torch.tensor([10, 500], dtype=torch.int64),
                    torch.tensor([3, NULL_CLASS], dtype=torch.int64),
                ),
                input_names=("sample", "timestep", "class_labels"),
                output_names=("noise",),
                dynamic_batch=True,
            )
        ]

    def state_dict(self) -> dict[str, torch.Tensor]:
        """The EMA weights (what samples); training resumes from them after a load."""
        with self._lock:
            return {k: v.detach().clone() for k, v in self.ema.state_dict().items()}

    def _load_state(self, state: dict[str, torch.Tensor]) -> None:
        self.ema.load_state_dict(state)
        self.unet.load_state_dict(state)
        self.is_fresh = False

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.ema.parameters())

    def save(self, stem: Path | str, info: CheckpointInfo) -> Path:
        info.config = {
            **info.config,
            "unet": self.shape.to_dict(),
            "schedule": self.schedule.to_dict(),
        }
        path = save_checkpoint(stem, self.state_dict(), info)
        self.checkpoint_info = info
        return path

    def load(self, stem: Path | str) -> DigitDiffusion:
        state, info = load_checkpoint(stem)
        if info.model_id != self.model_id:
            raise ValueError(f"{stem} holds {info.model_id!r}, not {self.model_id!r}")
        shape = UNetShape(**_shape_of(info))
        if shape != self.shape:
            self.shape = shape
            self.unet, self.ema = build_unet(shape), build_unet(shape)
        self._load_state(state)
        self.checkpoint_info = info
        return self


def _shape_of(info: CheckpointInfo) -> dict[str, Any]:
    shape = dict(info.config.get("unet", {}))
    if "block_out_channels" in shape:
        shape["block_out_channels"] = tuple(shape["block_out_channels"])
    return shape
