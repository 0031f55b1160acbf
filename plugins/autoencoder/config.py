"""Training settings for the autoencoders, with the bounds the dashboard's widgets use."""

from __future__ import annotations

from dataclasses import dataclass

from lienzo.registry.spec import bounded


@dataclass
class AeTrainConfig:
    """Plain and convolutional autoencoders."""

    latent_dim: int = bounded(8, 2, 32, es="Dimensión del código latente", en="Latent size")
    epochs: int = bounded(60, 1, 1000, es="Épocas", en="Epochs")
    batch_size: int = bounded(32, 1, 1024, es="Tamaño del lote", en="Batch size")
    learning_rate: float = bounded(3e-3, 1e-6, 1.0, es="Tasa de aprendizaje", en="Learning rate")
    seed: int = bounded(0, 0, 2**31 - 1, es="Semilla", en="Seed")


@dataclass
class DenoisingTrainConfig(AeTrainConfig):
    """Each training image gets noise of a random strength between 0 and ``noise_level``
    (a fraction of the 0..16 range), so one network cleans light and heavy noise."""

    noise_level: float = bounded(0.5, 0.0, 1.0, es="Nivel de ruido", en="Noise level")


@dataclass
class VaeTrainConfig(AeTrainConfig):
    """``beta`` weighs the KL term; ``judge_samples`` prior samples are scored by the
    quality judge after every epoch (0: never)."""

    beta: float = bounded(1.0, 0.0, 20.0, es="Beta (peso del término KL)", en="Beta (KL weight)")
    judge_samples: int = bounded(0, 0, 2000, es="Muestras para el juez", en="Samples for the judge")
