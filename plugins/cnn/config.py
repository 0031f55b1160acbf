"""Training settings for the digit CNN, with the bounds the dashboard's widgets use."""

from __future__ import annotations

from dataclasses import dataclass

from lienzo.registry.spec import bounded


@dataclass
class CnnTrainConfig:
    epochs: int = bounded(20, 1, 200, es="Épocas", en="Epochs")
    batch_size: int = bounded(64, 1, 1024, es="Tamaño del lote", en="Batch size")
    learning_rate: float = bounded(2e-3, 1e-6, 1.0, es="Tasa de aprendizaje", en="Learning rate")
    weight_decay: float = bounded(0.0, 0.0, 1.0, es="Decaimiento de pesos", en="Weight decay")
    seed: int = bounded(0, 0, 2**31 - 1, es="Semilla", en="Seed")
