"""The registry's model objects for the four autoencoders: train, encode, decode, explore, export.

``DigitAutoencoder`` holds everything the variants share; each subclass only names
its model id, network builder and config class. Images go in and come out as
(N, 8, 8) (or one (8, 8)) float arrays in 0..16, like scikit-learn's digits; codes
are (N, D) float32 arrays.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch

from lienzo.plugins.autoencoder import conv, dense, vae
from lienzo.plugins.autoencoder.config import AeTrainConfig, DenoisingTrainConfig, VaeTrainConfig
from lienzo.plugins.autoencoder.latent import latent_map, lerp, slerp
from lienzo.plugins.autoencoder.network import Autoencoder, add_noise
from lienzo.plugins.autoencoder.results import (
    Denoised,
    Interpolation,
    LatentAlgebra,
    LatentMap,
    Reconstruction,
    TrainResult,
    mse_per_image,
    psnr,
)
from lienzo.plugins.autoencoder.training import as_batch, fit
from lienzo.plugins.datasets.digits import as_digits, load_digits_split
from lienzo.registry.checkpoints import (
    CheckpointInfo,
    load_checkpoint,
    load_committed_checkpoint,
    save_checkpoint,
)
from lienzo.registry.contract import OnnxGraph, ProgressCallback
from lienzo.registry.spec import ConfigError, validate_config
from lienzo.registry.torch_threads import one_torch_thread

WEIGHTS_DIR = Path(__file__).parent / "weights"
JUDGE_SEED = 0  # the prior samples the judge scores during training: the same every epoch
LIVE_SAMPLES = 32  # how many of them a VAE keeps in ``live_samples`` after each epoch


class DigitAutoencoder:
    """An autoencoder for 8x8 digits (base class; use a variant below).

    ``Variant()`` is untrained (latent size from the config's default);
    ``Variant.pretrained()`` loads Lienzo's committed checkpoint as a new object.
    ``train`` changes this object's weights: call it on ``clone()`` of a shared model.
    """

    model_id: ClassVar[str]
    config_class: ClassVar[type] = AeTrainConfig
    build: ClassVar[Callable[[int], Autoencoder]]
    can_sample: ClassVar[bool] = False  # only the VAE has a prior to sample from

    def __init__(self, latent_dim: int | None = None, seed: int = 0):
        latent_dim = latent_dim or self.config_class().latent_dim
        self.network = self._seeded_network(latent_dim, seed)
        self.checkpoint_info: CheckpointInfo | None = None
        # Fresh weights are re-drawn from config.seed (and config.latent_dim) when
        # training starts; trained or loaded weights are fine-tuned.
        self.is_fresh = True
        self.live_samples: np.ndarray | None = None  # VAE: prior samples after the last epoch
        self._lock = threading.Lock()  # one training run at a time on this object

    @classmethod
    def _seeded_network(cls, latent_dim: int, seed: int) -> Autoencoder:
        # fork_rng: seeding the init must not change the caller's global torch RNG.
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            return cls.build(latent_dim).eval()

    @property
    def latent_dim(self) -> int:
        return self.network.latent_dim

    # -- construction -----------------------------------------------------------------

    @classmethod
    def pretrained_stem(cls) -> Path:
        return WEIGHTS_DIR / cls.model_id

    @classmethod
    def pretrained(cls) -> DigitAutoencoder:
        """Lienzo's checkpoint, from ``python -m lienzo.plugins.autoencoder.train_pretrained``."""
        state, info = load_committed_checkpoint(
            cls.pretrained_stem(), "python -m lienzo.plugins.autoencoder.train_pretrained"
        )
        model = cls(latent_dim=int(info.config["latent_dim"]))
        model.network.load_state_dict(state)  # copies into this model's own tensors
        model.checkpoint_info = copy.deepcopy(info)
        model.is_fresh = False
        return model

    def clone(self) -> DigitAutoencoder:
        """An independent copy (weights, checkpoint info), safe to train."""
        twin = type(self).__new__(type(self))
        twin.network = copy.deepcopy(self.network)
        twin.checkpoint_info = copy.deepcopy(self.checkpoint_info)
        twin.is_fresh = self.is_fresh
        twin.live_samples = None
        twin._lock = threading.Lock()
        return twin

    # -- training ----------------------------------------------------------------------

    def train(
        self,
        config: Any = None,
        progress: ProgressCallback | None = None,
        stop: threading.Event | None = None,
    ) -> TrainResult:
        """Train on the digits' training split (in place); see ``training.fit``.

        A fresh model starts from weights drawn with ``config.seed`` at
        ``config.latent_dim``; a trained or loaded one is fine-tuned (same latent size
        only). Raises ConfigError for NaN, out-of-bounds or mismatched settings.
        ``progress`` is called after every epoch; ``stop`` is checked before every batch.
        """
        config = validate_config(config if config is not None else self.config_class())
        if not isinstance(config, self.config_class):
            raise TypeError(f"{self.model_id} takes a {self.config_class.__name__}")
        if not self.is_fresh and config.latent_dim != self.latent_dim:
            raise ConfigError(
                {
                    "es": f"Este modelo ya está entrenado con un código de {self.latent_dim} "
                    f"dimensiones; no puede seguir entrenando con {config.latent_dim}.",
                    "en": f"This model is already trained with a {self.latent_dim}-dimensional "
                    f"code; it cannot keep training with {config.latent_dim}.",
                }
            )
        with self._lock:
            if self.is_fresh:
                self.network = self._seeded_network(config.latent_dim, config.seed)
            judge = self._epoch_judge(config)
            result = fit(self.network, load_digits_split(), config, progress, stop, judge)
            self.is_fresh = False
            self.checkpoint_info = None  # the weights no longer match any checkpoint
            return result

    def _epoch_judge(self, config: Any) -> Callable[[Autoencoder], dict[str, float]] | None:
        return None  # only the VAE generates; see VariationalAutoencoder

    # -- codes and images --------------------------------------------------------------

    @torch.no_grad()
    def encode(self, images: Any) -> np.ndarray:
        """(N, 8, 8) or (8, 8) in 0..16 -> (N, D) codes (the VAE's means)."""
        x = as_batch(as_digits(images))  # (N, 1, 8, 8)
        with one_torch_thread():
            return self.network.eval().code(x).numpy()

    @torch.no_grad()
    def decode(self, codes: Any) -> np.ndarray:
        """(N, D) or (D,) codes -> (N, 8, 8) images in 0..16."""
        z = torch.as_tensor(np.atleast_2d(np.asarray(codes, dtype=np.float32)))
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(
                f"codes must have {self.latent_dim} numbers each, got {tuple(z.shape)}"
            )
        if not torch.isfinite(z).all():
            raise ValueError("the codes contain NaN or infinite values")
        with one_torch_thread():
            return self.network.eval().decoder(z)[:, 0].numpy()  # (N, 8, 8)

    def reconstruct(self, images: Any) -> Reconstruction:
        """Encode and decode; per-image MSE (pixel levels squared) and PSNR (dB, peak 16)."""
        originals = as_digits(images)
        decoded = self.decode(self.encode(originals))
        mse = mse_per_image(decoded, originals)
        return Reconstruction(originals, decoded, mse, psnr(mse))

    def evaluate(self) -> Reconstruction:
        """Reconstruction of the whole held-out split (450 digits)."""
        return self.reconstruct(load_digits_split().x_test)

    def interpolate(self, a: Any, b: Any, n: int = 8, spherical: bool = False) -> Interpolation:
        """n images on the path from a's code to b's code (both ends included).

        Spherical paths suit the VAE, whose codes are spread around the origin (see
        ``latent.slerp``); for the other variants they are allowed but less meaningful.
        """
        if not 2 <= int(n) <= 64:
            raise ValueError(f"n must be between 2 and 64, got {n}")
        code_a, code_b = self.encode(a).mean(axis=0), self.encode(b).mean(axis=0)
        weights = np.linspace(0.0, 1.0, int(n))
        path = (slerp if spherical else lerp)(code_a, code_b, weights).astype(np.float32)
        path[0], path[-1] = code_a, code_b  # exact ends, whatever the rounding
        return Interpolation(self.decode(path), weights, path, spherical)

    def latent_algebra(self, a: Any, b: Any, c: Any) -> LatentAlgebra:
        """decode(code(a) - code(b) + code(c)); each of a, b, c is one digit or several,
        whose codes are averaged (an average of many examples gives a steadier direction)."""
        codes = np.stack([self.encode(x).mean(axis=0) for x in (a, b, c)])  # (3, D)
        result = codes[0] - codes[1] + codes[2]
        return LatentAlgebra(self.decode(result)[0], self.decode(codes), result)

    def denoise(self, images: Any, noise_level: float, seed: int = 0) -> Denoised:
        """Add Gaussian noise (std = noise_level * 16, clipped to 0..16), then reconstruct."""
        if not (np.isfinite(noise_level) and 0.0 <= noise_level <= 1.0):
            raise ValueError(f"noise_level must be between 0 and 1, got {noise_level}")
        clean = as_digits(images)
        generator = torch.Generator().manual_seed(int(seed))
        noisy = add_noise(as_batch(clean), float(noise_level), generator)[:, 0].numpy()
        output = self.reconstruct(noisy).images
        before, after = psnr(mse_per_image(noisy, clean)), psnr(mse_per_image(output, clean))
        return Denoised(clean, noisy, output, before, after, float(noise_level))

    def latent_map(self, images: Any) -> LatentMap:
        """2-D coordinates of the images' codes: the codes themselves for a 2-D code,
        else their projection on the two principal axes (PCA of the codes/means)."""
        return latent_map(self.encode(images))

    def decode_map(self, where: LatentMap, coords: Any) -> np.ndarray:
        """Decode points of a latent map: (M, 2) or (2,) -> (M, 8, 8)."""
        return self.decode(where.to_latent(coords))

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        raise NotImplementedError(
            f"{self.model_id} has no prior to sample from; only the VAE (ae-vae) does"
        )

    # -- export and storage ------------------------------------------------------------

    def onnx_graphs(self) -> list[OnnxGraph]:
        """Encoder: "digits" (B, 1, 8, 8) raw 0..16 -> "latent" (B, D) (the VAE: "mean" and
        "log_variance"). Decoder: "latent" (B, D) -> "digits" (B, 1, 8, 8) in 0..16.

        The modules are copies in eval mode, so exporting never touches this object.
        """
        x = as_batch(load_digits_split().x_test[:2])  # two real digits
        network = copy.deepcopy(self.network).eval()
        with torch.no_grad():
            z = network.code(x)
        outputs = ("mean", "log_variance") if network.variational else ("latent",)
        return [
            OnnxGraph("encoder", network.encoder, (x,), ("digits",), outputs),
            OnnxGraph("decoder", network.decoder, (z,), ("latent",), ("digits",)),
        ]

    def state_dict(self) -> dict[str, torch.Tensor]:
        return {name: t.detach().clone() for name, t in self.network.state_dict().items()}

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.network.parameters())

    def save(self, stem: Path | str, info: CheckpointInfo) -> Path:
        """Write ``stem.safetensors`` and its ``stem.json`` sidecar; return the weights path."""
        path = save_checkpoint(stem, self.state_dict(), info)
        self.checkpoint_info = info
        return path

    def load(self, stem: Path | str) -> DigitAutoencoder:
        """Load weights and sidecar written by :meth:`save`; returns self."""
        state, info = load_checkpoint(stem)
        if info.model_id != self.model_id:
            raise ValueError(f"{stem} holds {info.model_id!r}, not {self.model_id!r}")
        self.network = self._seeded_network(int(info.config["latent_dim"]), 0)
        self.network.load_state_dict(state)
        self.checkpoint_info, self.is_fresh = info, False
        return self


class DenseAutoencoder(DigitAutoencoder):
    model_id = "ae-dense"
    build = staticmethod(dense.build)


class ConvAutoencoder(DigitAutoencoder):
    model_id = "ae-conv"
    build = staticmethod(conv.build)


class DenoisingAutoencoder(DigitAutoencoder):
    """The convolutional network, trained to map noisy digits to clean ones."""

    model_id = "ae-denoising"
    config_class = DenoisingTrainConfig
    build = staticmethod(conv.build)


class VariationalAutoencoder(DigitAutoencoder):
    model_id = "ae-vae"
    config_class = VaeTrainConfig
    build = staticmethod(vae.build)
    can_sample = True

    @torch.no_grad()
    def encode_distribution(self, images: Any) -> tuple[np.ndarray, np.ndarray]:
        """(N, 8, 8) -> the Gaussian of each code: means (N, D), standard deviations (N, D)."""
        with one_torch_thread():
            mean, log_variance = self.network.eval().encoder(as_batch(as_digits(images)))
        return mean.numpy(), torch.exp(0.5 * log_variance).numpy()

    @torch.no_grad()
    def prior_codes(self, n: int, seed: int = 0) -> np.ndarray:
        if not 1 <= int(n) <= 10_000:
            raise ValueError(f"n must be between 1 and 10000, got {n}")
        generator = torch.Generator().manual_seed(int(seed))
        return torch.randn((int(n), self.latent_dim), generator=generator).numpy()

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        """n new digits (n, 8, 8) in 0..16: decode z ~ N(0, I) drawn with ``seed``."""
        return self.decode(self.prior_codes(n, seed))

    def _epoch_judge(self, config: Any) -> Callable[[Autoencoder], dict[str, float]] | None:
        if config.judge_samples == 0:
            return None
        # The same prior codes every epoch, so the learner watches the same points improve.
        codes = torch.tensor(self.prior_codes(config.judge_samples, JUDGE_SEED))  # (n, D)

        def judge(network: Autoencoder) -> dict[str, float]:
            with torch.no_grad():
                samples = network.eval().decoder(codes)[:, 0].numpy()  # (n, 8, 8)
            self.live_samples = samples[:LIVE_SAMPLES].copy()  # a page may show them
            return judge_figures(samples)

        return judge


VARIANTS: dict[str, type[DigitAutoencoder]] = {
    cls.model_id: cls
    for cls in (DenseAutoencoder, ConvAutoencoder, DenoisingAutoencoder, VariationalAutoencoder)
}


def judge_figures(samples: np.ndarray) -> dict[str, float]:
    """The quality judge's numbers for generated digits, as ``judge_*`` floats."""
    from lienzo.registry.judge import DigitJudge

    report = DigitJudge.default().score(samples)
    return {
        "judge_confident_share": float(report.confident_share),
        "judge_classes_present": float(report.classes_present),
        "judge_class_entropy_bits": float(report.class_entropy_bits),
        "judge_frechet_distance": float(report.frechet_distance),
    }
