"""A real Stable Diffusion folder on disk, run through Lienzo's own pipeline loop.

``StableDiffusionPipeline.from_pretrained(folder, local_files_only=True)`` reads a
diffusers-format folder (model_index.json, unet/, vae/, text_encoder/, tokenizer/,
scheduler/); its parts are then plugged into :class:`TextToImagePipeline`, the same
loop the shapes model uses, so the lab shows the same middle steps for both. Nothing
is downloaded: a folder that is not complete fails with a message saying what is
missing. If the folder has a safety checker it is loaded and applied to every image,
as ``StableDiffusionPipeline.__call__`` would.

Loading a multi-gigabyte model is the teacher's decision: the lab offers the folder
field only when ``LIENZO_ALLOW_LOCAL_SD=1`` is set (environment or Streamlit secrets).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from lienzo.plugins.diffusion.sampling import SAMPLERS, check_sampler, check_steps
from lienzo.plugins.text_to_image.pipeline import TextToImagePipeline
from lienzo.plugins.text_to_image.text_encoder import ClipEncoder
from lienzo.registry.spec import ConfigError

ALLOW_ENV = "LIENZO_ALLOW_LOCAL_SD"
PARTS = ("unet", "vae", "text_encoder", "tokenizer", "scheduler")


class StableDiffusionFolderError(ConfigError):
    """A folder that cannot be loaded as Stable Diffusion; ``messages`` has es and en."""


def allowed(secrets: Any = None) -> bool:
    """True when the teacher set LIENZO_ALLOW_LOCAL_SD to 1/true/yes (env or secrets)."""
    value = os.environ.get(ALLOW_ENV, "")
    if not value and secrets is not None:
        try:
            value = str(secrets.get(ALLOW_ENV, ""))
        except Exception:  # noqa: BLE001 - no secrets file is the same as "not allowed"
            value = ""
    return value.strip().lower() in ("1", "true", "yes")


def _fail(es: str, en: str) -> None:
    raise StableDiffusionFolderError({"es": es, "en": en})


def check_folder(path: str | Path) -> Path:
    """The folder as a Path, or StableDiffusionFolderError saying what is wrong with it."""
    text = str(path).strip()
    if not text:
        _fail("Escribe la ruta de una carpeta.", "Type the path of a folder.")
    folder = Path(text).expanduser()
    if not folder.exists():
        _fail(f"No existe la carpeta «{folder}».", f"The folder '{folder}' does not exist.")
    if not folder.is_dir():
        _fail(
            f"«{folder}» es un archivo, no una carpeta. Un único archivo .safetensors o .ckpt "
            "no vale: hace falta la carpeta en formato diffusers (con model_index.json).",
            f"'{folder}' is a file, not a folder. A single .safetensors or .ckpt file will not "
            "do: the folder in diffusers format (with model_index.json) is needed.",
        )
    index = folder / "model_index.json"
    if not index.is_file():
        _fail(
            f"En «{folder}» no hay model_index.json: no es una carpeta de diffusers.",
            f"'{folder}' has no model_index.json: it is not a diffusers folder.",
        )
    try:
        declared = json.loads(index.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        _fail(
            f"No se puede leer model_index.json ({error}).",
            f"model_index.json cannot be read ({error}).",
        )
    missing = [part for part in PARTS if part not in declared or not (folder / part).is_dir()]
    if missing:
        names = ", ".join(missing)
        _fail(
            f"A la carpeta le faltan partes de Stable Diffusion: {names}.",
            f"The folder lacks parts of Stable Diffusion: {names}.",
        )
    return folder


def folder_scheduler(config: Any, name: str, steps: int) -> Any:
    """Sampler ``name`` built from the folder's own scheduler config, timesteps set."""
    import diffusers

    check_sampler(name)
    steps = check_steps(steps, int(config["num_train_timesteps"]))
    scheduler = getattr(diffusers, SAMPLERS[name]).from_config(dict(config))
    scheduler.set_timesteps(steps)
    return scheduler


def load_stable_diffusion(path: str | Path) -> TextToImagePipeline:
    """The folder's tokenizer, CLIP text encoder, UNet, autoencoder and scheduler as a
    TextToImagePipeline (float32, CPU). Raises StableDiffusionFolderError."""
    folder = check_folder(path)
    try:
        import torch
        from diffusers import StableDiffusionPipeline

        loaded = StableDiffusionPipeline.from_pretrained(
            folder, local_files_only=True, dtype=torch.float32
        )
    except Exception as error:  # noqa: BLE001 - turned into a message the learner can act on
        detail = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        _fail(
            f"diffusers no pudo cargar la carpeta: {detail}",
            f"diffusers could not load the folder: {detail}",
        )
    config = loaded.scheduler.config
    pipeline = TextToImagePipeline(
        encoder=ClipEncoder(loaded.tokenizer, loaded.text_encoder),
        unet=loaded.unet.eval(),
        vae=loaded.vae.eval(),
        scheduler_factory=lambda name, steps: folder_scheduler(config, name, steps),
        name=folder.name,
    )
    if getattr(loaded, "safety_checker", None) is not None:
        pipeline.safety = lambda images: _safety_check(loaded, images)
    return pipeline


def _safety_check(loaded: Any, images: np.ndarray) -> tuple[np.ndarray, list[bool]]:
    """StableDiffusionPipeline's own check: flagged images come back black."""
    import torch

    pixels = images.astype(np.float32) / 255.0  # (B, H, W, 3) in 0..1
    checked, flagged = loaded.run_safety_checker(pixels, torch.device("cpu"), torch.float32)
    checked = np.asarray(checked, dtype=np.float32)
    return (checked * 255).round().astype(np.uint8), [bool(f) for f in (flagged or [])]
