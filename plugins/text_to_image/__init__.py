"""The text-to-image plugin: a small model built the way Stable Diffusion is.

Frozen pretrained MiniLM text encoder -> small diffusers ``UNet2DConditionModel``
(cross-attention on the prompt's tokens, classifier-free guidance) denoising an 8x8x4
latent -> the decoder of a small ``AutoencoderKL``, trained on a procedurally drawn
set of captioned shapes. Nothing here imports torch: the home page lists this model
without paying for torch, diffusers or transformers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lienzo.plugins.text_to_image.config import TextToImageTrainConfig
from lienzo.registry.hookspecs import hookimpl
from lienzo.registry.spec import ModelSpec, OnnxSupport

MODEL_ID = "txt2img-shapes"


def _new_model() -> Any:
    """Lienzo's pretrained model when its checkpoint is installed, else a random one.

    Generators are called straight from the factory (the practical-project workflow),
    so the factory gives the usable model; training always works on this new object.
    """
    from lienzo.plugins.text_to_image.model import PRETRAINED_STEM, ShapesTextToImage

    if PRETRAINED_STEM.with_suffix(".safetensors").is_file():
        return ShapesTextToImage.pretrained()
    return ShapesTextToImage()


SPEC = ModelSpec(
    id=MODEL_ID,
    family="diffusion",
    title={
        "es": "Texto a imagen de formas (como Stable Diffusion, en pequeño)",
        "en": "Shapes text-to-image (Stable Diffusion, small)",
    },
    summary={
        "es": "Escribe «un círculo rojo arriba a la izquierda» y lo dibuja: codificador de "
        "texto MiniLM preentrenado y congelado, una UNet con atención cruzada que quita ruido "
        "en un espacio latente de 8x8x4 y el decodificador de un autoencoder; imágenes de "
        "32x32 de círculos, cuadrados y triángulos.",
        "en": "Type 'a red circle at the top left' and it draws it: a frozen pretrained MiniLM "
        "text encoder, a UNet with cross-attention that denoises an 8x8x4 latent, and an "
        "autoencoder's decoder; 32x32 images of circles, squares and triangles.",
    },
    capabilities=frozenset({"text-to-image", "generate", "train", "onnx"}),
    config_class=TextToImageTrainConfig,
    factory=_new_model,
    onnx=OnnxSupport(
        exportable=True,
        graphs=("unet", "decoder"),
        note={
            "es": "«unet»: latente (lote, 4, 8, 8), paso de tiempo (lote,) entero y texto "
            "(lote, 32, 384) -> ruido predicho; «decoder»: latente -> imagen (lote, 3, 32, 32). "
            "El codificador de texto (MiniLM) se queda en PyTorch.",
            "en": "'unet': latent (batch, 4, 8, 8), integer timestep (batch,) and text "
            "(batch, 32, 384) -> predicted noise; 'decoder': latent -> image (batch, 3, 32, 32). "
            "The text encoder (MiniLM) stays in PyTorch.",
        },
    ),
)


CHECKPOINT = Path(__file__).parent / "weights" / "txt2img-shapes.safetensors"


@hookimpl
def lienzo_register_models(register) -> None:
    # A lesson either works or is not listed: without its trained checkpoint this model
    # would draw noise, so it is registered (and its lesson shown) only when the
    # checkpoint made by ``python -m lienzo.plugins.text_to_image.train_pretrained`` is there.
    if CHECKPOINT.is_file():
        register(SPEC)
