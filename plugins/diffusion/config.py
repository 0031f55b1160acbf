"""Training settings for the digits diffusion model, with the bounds the lab's widgets use."""

from __future__ import annotations

from dataclasses import dataclass

from lienzo.registry.spec import bounded


@dataclass
class DiffusionTrainConfig:
    """One training run. A step is one Adam update on ``batch_size`` noised digits.

    ``label_dropout``: the share of labels replaced by the "no class" label, so the same
    network also learns the unconditional prediction classifier-free guidance needs.
    """

    steps: int = bounded(1500, 1, 20000, es="Pasos de entrenamiento", en="Training steps")
    batch_size: int = bounded(128, 2, 1024, es="Tamaño del lote", en="Batch size")
    learning_rate: float = bounded(2e-3, 1e-6, 1.0, es="Tasa de aprendizaje", en="Learning rate")
    label_dropout: float = bounded(
        0.1, 0.0, 1.0, es="Proporción de etiquetas ocultadas", en="Share of labels dropped"
    )
    ema_decay: float = bounded(
        0.995, 0.0, 0.99999, es="Decaimiento de la media móvil (EMA)", en="EMA decay"
    )
    seed: int = bounded(0, 0, 2**31 - 1, es="Semilla", en="Seed")
    report_every: int = bounded(25, 1, 1000, es="Pasos entre informes", en="Steps between reports")
    judge_every: int = bounded(
        250, 1, 20000, es="Pasos entre evaluaciones del juez", en="Steps between judge reports"
    )
