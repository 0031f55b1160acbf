"""Settings for the transformer plugin's two models, with the bounds the widgets use."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from lienzo.registry.spec import ConfigError, bounded, validate_config

IMAGE_SIDE = 8  # the digits are 8x8
PATCH_SIZES = (2, 4)  # sides that tile 8x8: 16 or 4 patches (1 would be 64, 8 only one)


@dataclass
class MiniLMConfig:
    """How much text the attention explorer reads at once."""

    max_tokens: int = bounded(
        40,
        4,
        128,
        es="Máximo de tokens (con [CLS] y [SEP])",
        en="Most tokens ([CLS], [SEP] included)",
    )


@dataclass
class VitTrainConfig:
    """One training run of the digit vision transformer, its architecture included.

    The architecture fields (patch_size, dim, depth, heads, mlp_ratio) shape a fresh
    network; a trained or loaded one keeps its own. The defaults are the committed
    checkpoint's settings: ~97% held-out accuracy after ~10-20 s on one CPU thread.
    """

    patch_size: int = bounded(2, 2, 4, es="Lado del parche (píxeles)", en="Patch side (pixels)")
    dim: int = bounded(32, 8, 128, es="Tamaño de cada token", en="Token size")
    depth: int = bounded(
        2, 1, 4, es="Capas (bloques transformer)", en="Layers (transformer blocks)"
    )
    heads: int = bounded(4, 1, 8, es="Cabezas de atención", en="Attention heads")
    mlp_ratio: int = bounded(2, 1, 4, es="Ancho del MLP (× tamaño)", en="MLP width (× size)")
    epochs: int = bounded(30, 1, 300, es="Épocas", en="Epochs")
    batch_size: int = bounded(64, 1, 1024, es="Tamaño del lote", en="Batch size")
    learning_rate: float = bounded(5e-3, 1e-6, 1.0, es="Tasa de aprendizaje", en="Learning rate")
    weight_decay: float = bounded(0.05, 0.0, 1.0, es="Decaimiento de pesos", en="Weight decay")
    seed: int = bounded(0, 0, 2**31 - 1, es="Semilla", en="Seed")

    def architecture(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in ARCHITECTURE_FIELDS}


ARCHITECTURE_FIELDS = ("patch_size", "dim", "depth", "heads", "mlp_ratio")


def validate_vit_config(config: VitTrainConfig) -> VitTrainConfig:
    """Bounds first (NaN included), then the two rules bounds cannot say."""
    validate_config(config)
    if config.patch_size not in PATCH_SIZES:
        raise ConfigError(
            {
                "es": f"«Lado del parche» (patch_size = {config.patch_size}) debe ser 2 o 4, "
                "para que los parches cubran la imagen de 8x8 sin sobrar píxeles.",
                "en": f"'Patch side' (patch_size = {config.patch_size}) must be 2 or 4, "
                "so the patches tile the 8x8 image exactly.",
            }
        )
    if config.dim % config.heads:
        raise ConfigError(
            {
                "es": f"El tamaño de cada token (dim = {config.dim}) debe ser múltiplo del "
                f"número de cabezas (heads = {config.heads}): cada cabeza mira una parte igual.",
                "en": f"The token size (dim = {config.dim}) must be a multiple of the number "
                f"of heads (heads = {config.heads}): each head looks at an equal share.",
            }
        )
    return config


def same_architecture(a: VitTrainConfig, b: VitTrainConfig) -> bool:
    return a.architecture() == b.architecture()


def config_from_dict(values: dict) -> VitTrainConfig:
    """A config from a sidecar's dict, ignoring fields an older sidecar may not have."""
    known = {f.name for f in dataclasses.fields(VitTrainConfig)}
    return VitTrainConfig(**{k: v for k, v in values.items() if k in known})
