"""The autoencoder plugin family: plain, convolutional, denoising and variational, on the digits.

Nothing here imports torch: the dashboard lists these models without paying for it.
The model classes (``model.py``) are imported when the registry builds one.
"""

from __future__ import annotations

from typing import Any

from lienzo.plugins.autoencoder.config import AeTrainConfig, DenoisingTrainConfig, VaeTrainConfig
from lienzo.registry.hookspecs import hookimpl
from lienzo.registry.spec import ModelSpec, OnnxSupport

MODEL_IDS = ("ae-dense", "ae-conv", "ae-denoising", "ae-vae")


def _factory(model_id: str):
    def new_model() -> Any:
        """A fresh, untrained model (``.pretrained()`` on its class loads the checkpoint)."""
        from lienzo.plugins.autoencoder.model import VARIANTS

        return VARIANTS[model_id]()

    return new_model


_ONNX_NOTE = {
    "es": "Dos grafos. Codificador: «digits» (lote, 1, 8, 8) con valores 0..16 -> código "
    "«latent» (lote, D). Decodificador: «latent» (lote, D) -> «digits» (lote, 1, 8, 8).",
    "en": "Two graphs. Encoder: 'digits' (batch, 1, 8, 8) with values 0..16 -> code "
    "'latent' (batch, D). Decoder: 'latent' (batch, D) -> 'digits' (batch, 1, 8, 8).",
}
_VAE_ONNX_NOTE = {
    "es": "Dos grafos. Codificador: «digits» (lote, 1, 8, 8) -> «mean» y «log_variance» "
    "(lote, D). Decodificador: «latent» (lote, D) -> «digits» (lote, 1, 8, 8) con valores 0..16.",
    "en": "Two graphs. Encoder: 'digits' (batch, 1, 8, 8) -> 'mean' and 'log_variance' "
    "(batch, D). Decoder: 'latent' (batch, D) -> 'digits' (batch, 1, 8, 8) with values 0..16.",
}
_COMMON = frozenset({"reconstruct", "denoise", "train", "onnx"})

SPECS = (
    ModelSpec(
        id="ae-dense",
        family="autoencoder",
        title={"es": "Autocodificador denso", "en": "Dense autoencoder"},
        summary={
            "es": "Dos capas densas comprimen un dígito de 64 píxeles a un código de 8 números "
            "y otras dos lo reconstruyen.",
            "en": "Two dense layers squeeze a 64-pixel digit into an 8-number code and two "
            "more rebuild it.",
        },
        capabilities=_COMMON,
        config_class=AeTrainConfig,
        factory=_factory("ae-dense"),
        onnx=OnnxSupport(True, ("encoder", "decoder"), _ONNX_NOTE),
    ),
    ModelSpec(
        id="ae-conv",
        family="autoencoder",
        title={"es": "Autocodificador convolucional", "en": "Convolutional autoencoder"},
        summary={
            "es": "Convoluciones con paso 2 bajan de 8×8 a 2×2 y convoluciones transpuestas "
            "vuelven a subir; el código en medio tiene 8 números.",
            "en": "Stride-2 convolutions go down from 8×8 to 2×2 and transposed convolutions "
            "come back up; the code in the middle has 8 numbers.",
        },
        capabilities=_COMMON,
        config_class=AeTrainConfig,
        factory=_factory("ae-conv"),
        onnx=OnnxSupport(True, ("encoder", "decoder"), _ONNX_NOTE),
    ),
    ModelSpec(
        id="ae-denoising",
        family="autoencoder",
        title={"es": "Autocodificador de eliminación de ruido", "en": "Denoising autoencoder"},
        summary={
            "es": "La misma red convolucional, entrenada con dígitos ruidosos a la entrada y "
            "limpios como objetivo: aprende a quitar el ruido.",
            "en": "The same convolutional network, trained with noisy digits as input and clean "
            "ones as the target: it learns to remove noise.",
        },
        capabilities=_COMMON,
        config_class=DenoisingTrainConfig,
        factory=_factory("ae-denoising"),
        onnx=OnnxSupport(True, ("encoder", "decoder"), _ONNX_NOTE),
    ),
    ModelSpec(
        id="ae-vae",
        family="autoencoder",
        title={"es": "Autocodificador variacional (VAE)", "en": "Variational autoencoder (VAE)"},
        summary={
            "es": "El codificador da una media y una varianza por dimensión; el término KL "
            "ordena el espacio latente para poder generar dígitos nuevos desde N(0, I).",
            "en": "The encoder gives a mean and a variance per dimension; the KL term keeps the "
            "latent space tidy so new digits can be generated from N(0, I).",
        },
        capabilities=_COMMON | {"generate"},
        config_class=VaeTrainConfig,
        factory=_factory("ae-vae"),
        onnx=OnnxSupport(True, ("encoder", "decoder"), _VAE_ONNX_NOTE),
    ),
)


@hookimpl
def lienzo_register_models(register) -> None:
    for spec in SPECS:
        register(spec)
