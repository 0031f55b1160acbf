"""The digit GAN plugin: a DCGAN-style generator and discriminator for the 8x8 digits.

Nothing here imports torch: the dashboard's home page lists this model without
paying for torch. The model class is imported when the registry builds one.
"""

from __future__ import annotations

from typing import Any

from lienzo.plugins.gan.config import GanTrainConfig
from lienzo.registry.hookspecs import hookimpl
from lienzo.registry.spec import ModelSpec, OnnxSupport

MODEL_ID = "gan-dcgan-digits"


def _new_model() -> Any:
    """A fresh, untrained DigitGAN (use ``.pretrained()`` on it for Lienzo's checkpoint)."""
    from lienzo.plugins.gan.model import DigitGAN

    return DigitGAN()


SPEC = ModelSpec(
    id=MODEL_ID,
    family="gan",
    title={"es": "DCGAN para dígitos", "en": "DCGAN for digits"},
    summary={
        "es": "Dos redes convolucionales pequeñas que compiten: un generador que convierte "
        "ruido en dígitos de 8x8 y un discriminador que distingue dígitos reales de "
        "inventados; aprende a dibujar dígitos en unos 20 segundos en la CPU.",
        "en": "Two small convolutional networks that compete: a generator that turns noise "
        "into 8x8 digits and a discriminator that tells real digits from made-up ones; "
        "learns to draw digits in about 20 seconds on a CPU.",
    },
    capabilities=frozenset({"generate", "train", "onnx"}),
    config_class=GanTrainConfig,
    factory=_new_model,
    onnx=OnnxSupport(
        exportable=True,
        graphs=("generator",),
        note={
            "es": "Entrada «latent» (lote, tamaño latente) de ruido normal; salida «images» "
            "(lote, 8, 8) con valores 0..16.",
            "en": "Input 'latent' (batch, latent size) of normal noise; output 'images' "
            "(batch, 8, 8) with values 0..16.",
        },
    ),
)


@hookimpl
def lienzo_register_models(register) -> None:
    register(SPEC)
