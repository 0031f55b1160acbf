"""Settings of the text-to-image model's two training stages, with the bounds widgets use."""

from __future__ import annotations

from dataclasses import dataclass

from lienzo.registry.spec import bounded


@dataclass
class TextToImageTrainConfig:
    """Training the denoiser (UNet); the text encoder and the autoencoder stay frozen."""

    steps: int = bounded(300, 1, 20000, es="Pasos de entrenamiento", en="Training steps")
    batch_size: int = bounded(64, 2, 512, es="Tamaño del lote", en="Batch size")
    learning_rate: float = bounded(3e-4, 1e-6, 0.1, es="Tasa de aprendizaje", en="Learning rate")
    # Share of captions replaced by the empty prompt: teaches the unconditional
    # prediction that classifier-free guidance needs.
    uncond_probability: float = bounded(
        0.1, 0.0, 1.0, es="Probabilidad de prompt vacío", en="Empty-prompt probability"
    )
    images: int = bounded(6000, 16, 20000, es="Imágenes del conjunto", en="Images in the data set")
    warmup_steps: int = bounded(0, 0, 5000, es="Pasos de calentamiento", en="Warm-up steps")
    report_every: int = bounded(20, 1, 1000, es="Pasos por punto", en="Steps per point")
    seed: int = bounded(0, 0, 2**31 - 1, es="Semilla", en="Seed")
    # One thread is the safe choice on a shared 2-core server (see training.torch_threads).
    threads: int = bounded(1, 1, 64, es="Hilos de torch", en="Torch threads")
    # True: start from a new random UNet drawn from ``seed`` (the autoencoder stays).
    from_scratch: bool = False


@dataclass
class AutoencoderTrainConfig:
    """Training the autoencoder (only the pretrained command does this)."""

    steps: int = bounded(1500, 1, 20000, es="Pasos", en="Steps")
    batch_size: int = bounded(32, 2, 512, es="Tamaño del lote", en="Batch size")
    learning_rate: float = bounded(2e-3, 1e-6, 0.1, es="Tasa de aprendizaje", en="Learning rate")
    kl_weight: float = bounded(1e-6, 0.0, 1.0, es="Peso de la KL", en="KL weight")
    # Weight of the error in neighbouring-pixel differences: keeps corners sharp.
    edge_weight: float = bounded(1.0, 0.0, 10.0, es="Peso de los bordes", en="Edge weight")
    images: int = bounded(6000, 16, 20000, es="Imágenes", en="Images")
    seed: int = bounded(0, 0, 2**31 - 1, es="Semilla", en="Seed")
