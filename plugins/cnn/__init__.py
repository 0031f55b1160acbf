"""The digit CNN plugin: a LeNet-5-style classifier for scikit-learn's 8x8 digits.

Nothing here imports torch: the dashboard's home page lists this model without
paying for torch. The model class is imported when the registry builds one.
"""

from __future__ import annotations

from typing import Any

from lienzo.plugins.cnn.config import CnnTrainConfig
from lienzo.registry.hookspecs import hookimpl
from lienzo.registry.spec import ModelSpec, OnnxSupport

MODEL_ID = "cnn-lenet5"


def _new_model() -> Any:
    """A fresh, untrained DigitCNN (use ``.pretrained()`` on it for Lienzo's checkpoint)."""
    from lienzo.plugins.cnn.model import DigitCNN

    return DigitCNN()


SPEC = ModelSpec(
    id=MODEL_ID,
    family="cnn",
    title={"es": "CNN LeNet-5 para dígitos", "en": "LeNet-5 digit CNN"},
    summary={
        "es": "Red convolucional pequeña (dos capas de convolución y tres densas) que "
        "reconoce dígitos escritos a mano de 8x8 píxeles; se entrena en segundos en la CPU.",
        "en": "A small convolutional network (two convolution layers, three dense ones) "
        "that recognises 8x8 handwritten digits; trains in seconds on a CPU.",
    },
    capabilities=frozenset({"classify", "feature-maps", "train", "onnx"}),
    config_class=CnnTrainConfig,
    factory=_new_model,
    onnx=OnnxSupport(
        exportable=True,
        graphs=("classifier",),
        note={
            "es": "Entrada «digits» (lote, 1, 8, 8) con valores 0..16; salida «logits» (lote, 10).",
            "en": "Input 'digits' (batch, 1, 8, 8) with values 0..16; output 'logits' (batch, 10).",
        },
    ),
)


@hookimpl
def lienzo_register_models(register) -> None:
    register(SPEC)
