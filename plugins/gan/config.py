"""Training settings for the digit GAN, with the bounds the dashboard's widgets use."""

from __future__ import annotations

from dataclasses import dataclass

from lienzo.registry.spec import bounded


@dataclass
class GanTrainConfig:
    """One training run. A "step" is ``d_steps`` discriminator updates then one generator update.

    Defaults: ~25-30 s of live training on one CPU thread, enough for recognisable digits.
    ``batch_size`` starts at 2 because batch normalisation needs two samples to normalise.
    """

    steps: int = bounded(1500, 1, 20000, es="Pasos de entrenamiento", en="Training steps")
    lr_g: float = bounded(
        2e-3, 1e-6, 1.0, es="Tasa de aprendizaje del generador", en="Generator learning rate"
    )
    lr_d: float = bounded(
        2e-3,
        1e-6,
        1.0,
        es="Tasa de aprendizaje del discriminador",
        en="Discriminator learning rate",
    )
    beta1: float = bounded(0.5, 0.0, 0.999, es="beta1 de Adam", en="Adam beta1")
    latent_dim: int = bounded(32, 1, 256, es="Tamaño del ruido latente", en="Latent size")
    batch_size: int = bounded(64, 2, 1024, es="Tamaño del lote", en="Batch size")
    d_steps: int = bounded(
        1, 1, 10, es="Pasos de D por paso de G", en="Discriminator steps per generator step"
    )
    seed: int = bounded(0, 0, 2**31 - 1, es="Semilla", en="Seed")
    report_every: int = bounded(25, 1, 1000, es="Pasos entre informes", en="Steps between reports")
    judge_every: int = bounded(
        100, 1, 5000, es="Pasos entre evaluaciones del juez", en="Steps between judge reports"
    )
