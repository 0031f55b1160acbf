"""The diffusion plugin: a class-conditional DDPM (diffusers UNet2DModel) on the 8x8 digits.

Nothing here imports torch or diffusers: the home page lists this model without paying
for them. ``schedules`` (the forward process) and ``sampling`` (schedulers by name and
the reverse loop with classifier-free guidance) are reused by the text-to-image plugin.
"""

from __future__ import annotations

from typing import Any

from lienzo.plugins.diffusion.config import DiffusionTrainConfig
from lienzo.registry.hookspecs import hookimpl
from lienzo.registry.spec import ModelSpec, OnnxSupport

MODEL_ID = "diffusion-digits"


def _new_model() -> Any:
    """A fresh, untrained DigitDiffusion (``.pretrained()`` on its class loads Lienzo's)."""
    from lienzo.plugins.diffusion.model import DigitDiffusion

    return DigitDiffusion()


SPEC = ModelSpec(
    id=MODEL_ID,
    family="diffusion",
    title={"es": "Difusión de dígitos (DDPM)", "en": "Digit diffusion (DDPM)"},
    summary={
        "es": "Una UNet pequeña de diffusers aprende a predecir el ruido añadido a dígitos de "
        "8x8; con DDPM, DDIM o DPM-Solver quita el ruido paso a paso y dibuja el dígito "
        "pedido (guía sin clasificador).",
        "en": "A small diffusers UNet learns to predict the noise added to 8x8 digits; with "
        "DDPM, DDIM or DPM-Solver it removes the noise step by step and draws the digit "
        "asked for (classifier-free guidance).",
    },
    capabilities=frozenset({"generate", "denoise", "train", "onnx"}),
    config_class=DiffusionTrainConfig,
    factory=_new_model,
    onnx=OnnxSupport(
        exportable=True,
        graphs=("unet",),
        note={
            "es": "Entradas «sample» (lote, 1, 8, 8), «timestep» (lote,) int64 y «class_labels» "
            "(lote,) int64 (10 = sin clase); salida «noise» (lote, 1, 8, 8).",
            "en": "Inputs 'sample' (batch, 1, 8, 8), 'timestep' (batch,) int64 and "
            "'class_labels' (batch,) int64 (10 = no class); output 'noise' (batch, 1, 8, 8).",
        },
    ),
)


@hookimpl
def lienzo_register_models(register) -> None:
    register(SPEC)
