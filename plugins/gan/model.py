"""DigitGAN: the registry's model object for "gan-dcgan-digits" (train, generate, walk, export).

Images come back as (N, 8, 8) float32 in 0..16, the numbers of scikit-learn's digits,
so the judge, the CNN and the pages read them like real digits.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from pathlib import Path
from typing import Any

import numpy as np
import torch

from lienzo.plugins.datasets.digits import load_digits_split
from lienzo.plugins.gan import MODEL_ID
from lienzo.plugins.gan.config import GanTrainConfig
from lienzo.plugins.gan.network import Discriminator, Generator, ImagesFromLatent, to_unit
from lienzo.plugins.gan.results import GanTrainResult
from lienzo.plugins.gan.training import GRID, fit_gan, fixed_samples
from lienzo.registry.checkpoints import (
    CheckpointInfo,
    load_checkpoint,
    load_committed_checkpoint,
    save_checkpoint,
)
from lienzo.registry.contract import OnnxGraph, ProgressCallback
from lienzo.registry.spec import ConfigError, validate_config
from lienzo.registry.torch_threads import one_torch_thread

PRETRAINED_STEM = Path(__file__).parent / "weights" / "gan-dcgan-digits"
FIXED_NOISE_SEED = 20240  # the fixed batch: same points for every run with the same latent size
JUDGED_SAMPLES = 256  # judged during training (the first 64 are the grid)
MAX_WALK_STEPS = 64


def _seeded_networks(latent_dim: int, seed: int) -> tuple[Generator, Discriminator]:
    # fork_rng: seeding the init must not change the caller's global torch RNG.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return Generator(latent_dim).eval(), Discriminator().eval()


def _pretrained_checkpoint() -> tuple[dict[str, torch.Tensor], CheckpointInfo]:
    return load_committed_checkpoint(
        PRETRAINED_STEM, "python -m lienzo.plugins.gan.train_pretrained"
    )


def latents(n: int, seed: int, latent_dim: int) -> np.ndarray:
    """(n, latent_dim) float32 standard-normal noise drawn from ``seed`` (row i is the same
    whatever n is, so seed s's first image is always the same point)."""
    if not 1 <= int(n) <= 100_000:
        raise ValueError(f"n must be between 1 and 100000, got {n}")
    generator = torch.Generator().manual_seed(int(seed))
    return torch.randn(int(n), latent_dim, generator=generator).numpy()


def _slerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Spherical interpolation (along the great circle), linear when a and b are parallel."""
    cos = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12))
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if omega < 1e-6:
        return (1 - t)[:, None] * a + t[:, None] * b
    return (np.sin((1 - t) * omega)[:, None] * a + np.sin(t * omega)[:, None] * b) / np.sin(omega)


class DigitGAN:
    """A DCGAN-style generator (and its discriminator) for 8x8 digits.

    ``DigitGAN()`` is untrained; ``DigitGAN.pretrained()`` loads Lienzo's committed
    checkpoint (a new object each call). ``train`` changes this object's weights: a page
    trains a fresh object from the registry, never a shared one.
    """

    model_id = MODEL_ID

    def __init__(self, latent_dim: int = GanTrainConfig.latent_dim, seed: int = 0):
        self.generator, self.discriminator = _seeded_networks(latent_dim, seed)
        self.checkpoint_info: CheckpointInfo | None = None
        # Fresh networks are re-drawn from config.seed (and config.latent_dim) at training
        # start; trained or loaded ones are trained further.
        self.is_fresh = True
        self._run_lock = threading.Lock()  # one training run at a time
        self._weights_lock = threading.Lock()  # one step or one generation at a time

    @property
    def latent_dim(self) -> int:
        return self.generator.latent_dim

    # -- construction -----------------------------------------------------------------

    @classmethod
    def pretrained(cls) -> DigitGAN:
        """Lienzo's checkpoint, trained by ``python -m lienzo.plugins.gan.train_pretrained``."""
        state, info = _pretrained_checkpoint()
        model = cls(latent_dim=int(info.config["latent_dim"]))
        model._load_state(state)
        model.checkpoint_info = copy.deepcopy(info)
        model.is_fresh = False
        return model

    def clone(self) -> DigitGAN:
        """An independent copy, safe to train."""
        twin = DigitGAN(self.latent_dim)
        twin._load_state(self.state_dict())
        twin.checkpoint_info = copy.deepcopy(self.checkpoint_info)
        twin.is_fresh = self.is_fresh
        return twin

    # -- training -----------------------------------------------------------------------

    def train(
        self,
        config: GanTrainConfig | None = None,
        progress: ProgressCallback | None = None,
        stop: threading.Event | None = None,
    ) -> GanTrainResult:
        """Train on the digits' training split (1347 images; the held-out 450 stay for the judge).

        Raises ConfigError for NaN or out-of-bounds settings, or a latent size that
        differs from an already-trained model's. ``progress`` gets a GanProgress every
        ``report_every`` steps, with the judge's figures and the fixed-noise grid every
        ``judge_every`` steps; ``stop`` is checked before every step. The same seed gives
        the same run on the same machine.
        """
        from lienzo.registry.judge import DigitJudge

        config = validate_config(config if config is not None else GanTrainConfig())
        with self._run_lock:
            if self.is_fresh:
                with self._weights_lock:
                    self.generator, self.discriminator = _seeded_networks(
                        config.latent_dim, config.seed
                    )
            elif config.latent_dim != self.latent_dim:
                raise ConfigError(
                    {
                        "es": f"Esta red ya entrenada usa un ruido de tamaño {self.latent_dim}; "
                        f"no puede seguir entrenando con {config.latent_dim}.",
                        "en": f"This trained network uses latent size {self.latent_dim}; "
                        f"it cannot continue training with {config.latent_dim}.",
                    }
                )
            x_train = to_unit(torch.tensor(load_digits_split().x_train).unsqueeze(1))
            fixed_z = torch.from_numpy(self.fixed_latents(JUDGED_SAMPLES))
            self.is_fresh = False
            self.checkpoint_info = None  # the weights no longer match any checkpoint
            with one_torch_thread():
                return fit_gan(
                    self.generator,
                    self.discriminator,
                    x_train,
                    config,
                    fixed_z,
                    progress,
                    stop,
                    lock=self._weights_lock,
                    judge=DigitJudge.default(),
                )

    # -- generation ----------------------------------------------------------------------

    def latents(self, n: int, seed: int) -> np.ndarray:
        """(n, latent_dim) noise drawn from ``seed``; ``generate(n, seed)`` draws these."""
        return latents(n, seed, self.latent_dim)

    def latent_for_seed(self, seed: int) -> np.ndarray:
        """(latent_dim,) the noise vector of ``seed`` (generate(1, seed)'s point)."""
        return self.latents(1, seed)[0]

    def fixed_latents(self, n: int = GRID) -> np.ndarray:
        """The fixed noise batch the lab's grid shows: the same points for every run."""
        return latents(n, FIXED_NOISE_SEED, self.latent_dim)

    @torch.no_grad()
    def generate_from_latent(self, z: Any) -> np.ndarray:
        """z: (N, latent_dim) or (latent_dim,) -> images (N, 8, 8) float32 in 0..16."""
        array = np.asarray(z, dtype=np.float32)
        if array.ndim == 1:
            array = array[None]
        if array.ndim != 2 or array.shape[1] != self.latent_dim or len(array) == 0:
            raise ValueError(
                f"expected latents shaped (N, {self.latent_dim}), got shape {np.shape(z)}"
            )
        if not np.all(np.isfinite(array)):
            raise ValueError("the latents contain NaN or infinite values")
        # One torch thread: for nets this small a second thread only adds waiting, and on a
        # busy 2-core machine it made 64 images take 80 ms instead of 1.5 ms.
        with self._weights_lock, one_torch_thread():
            self.generator.eval()
            images = ImagesFromLatent(self.generator)(torch.from_numpy(array))
        return images.numpy()  # (N, 8, 8)

    def generate(self, n: int, seed: int = 0) -> np.ndarray:
        """n images (n, 8, 8) in 0..16 from the noise of ``seed``."""
        return self.generate_from_latent(self.latents(n, seed))

    def samples_fixed(self, n: int = GRID) -> np.ndarray:
        """The images of the fixed noise batch with the current weights (n, 8, 8)."""
        with self._weights_lock, torch.no_grad(), one_torch_thread():
            z = torch.from_numpy(self.fixed_latents(n))
            return fixed_samples(self.generator, z)

    def latent_walk(
        self, seed_a: int, seed_b: int, steps: int = 10, spherical: bool = False
    ) -> np.ndarray:
        """Images (steps, 8, 8) along the way from seed_a's noise to seed_b's.

        Linear mixes pass near the origin where Gaussian noise rarely is (its length is
        about sqrt(latent_dim)); spherical interpolation keeps that length.
        """
        if not 2 <= int(steps) <= MAX_WALK_STEPS:
            raise ValueError(f"steps must be between 2 and {MAX_WALK_STEPS}, got {steps}")
        a, b = self.latent_for_seed(seed_a), self.latent_for_seed(seed_b)
        t = np.linspace(0.0, 1.0, int(steps))
        path = _slerp(a, b, t) if spherical else (1 - t)[:, None] * a + t[:, None] * b
        return self.generate_from_latent(path.astype(np.float32))

    def discriminate(self, images: Any) -> np.ndarray:
        """D's probability (N,) that each (N, 8, 8) image in 0..16 is a real digit."""
        array = np.asarray(images, dtype=np.float32).reshape(-1, 1, 8, 8)
        with self._weights_lock, torch.no_grad(), one_torch_thread():
            self.discriminator.eval()
            return torch.sigmoid(self.discriminator(to_unit(torch.from_numpy(array)))).numpy()

    # -- export and storage ------------------------------------------------------------

    def onnx_graphs(self) -> list[OnnxGraph]:
        """The generator: input "latent" (B, Z), output "images" (B, 8, 8) in 0..16.

        The module is a copy in eval mode, so exporting never touches this object.
        """
        with self._weights_lock:
            module = ImagesFromLatent(copy.deepcopy(self.generator)).eval()
        example = torch.from_numpy(self.latents(2, seed=0))
        return [
            OnnxGraph(
                name="generator",
                module=module,
                example_inputs=(example,),
                input_names=("latent",),
                output_names=("images",),
                dynamic_batch=True,
            )
        ]

    def state_dict(self) -> dict[str, torch.Tensor]:
        with self._weights_lock:
            tensors = {f"generator.{k}": v for k, v in self.generator.state_dict().items()}
            tensors |= {f"discriminator.{k}": v for k, v in self.discriminator.state_dict().items()}
            return {name: t.detach().clone() for name, t in tensors.items()}

    def _load_state(self, state: dict[str, torch.Tensor]) -> None:
        def part(prefix: str) -> dict[str, torch.Tensor]:
            return {k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)}

        with self._weights_lock:
            self.generator.load_state_dict(part("generator."))
            self.discriminator.load_state_dict(part("discriminator."))
            self.generator.eval()
            self.discriminator.eval()

    def parameter_count(self) -> dict[str, int]:
        return {
            "generator": sum(p.numel() for p in self.generator.parameters()),
            "discriminator": sum(p.numel() for p in self.discriminator.parameters()),
        }

    def save(self, stem: Path | str, info: CheckpointInfo) -> Path:
        """Write ``stem.safetensors`` and its ``stem.json`` sidecar; return the weights path."""
        path = save_checkpoint(stem, self.state_dict(), info)
        self.checkpoint_info = info
        return path

    def load(self, stem: Path | str) -> DigitGAN:
        """Load weights and sidecar written by :meth:`save` (any latent size); returns self."""
        state, info = load_checkpoint(stem)
        if info.model_id != self.model_id:
            raise ValueError(f"{stem} holds {info.model_id!r}, not {self.model_id!r}")
        latent_dim = int(info.config.get("latent_dim", self.latent_dim))
        with self._weights_lock:
            self.generator, self.discriminator = Generator(latent_dim), Discriminator()
        self._load_state(state)
        self.checkpoint_info, self.is_fresh = info, False
        return self

    def config_from_checkpoint(self) -> GanTrainConfig | None:
        if self.checkpoint_info is None:
            return None
        names = {f.name for f in dataclasses.fields(GanTrainConfig)}
        return GanTrainConfig(
            **{k: v for k, v in self.checkpoint_info.config.items() if k in names}
        )
