"""ShapesTextToImage: the registry's object for "txt2img-shapes" (generate, train, score, export).

Three parts, as in Stable Diffusion: the frozen pretrained MiniLM text encoder, a small
``UNet2DConditionModel`` denoiser that reads the prompt through cross-attention, and a
small ``AutoencoderKL`` whose decoder turns the 8x8x4 latent into a 32x32 image. It also
implements the :class:`~lienzo.registry.generation.ImageGenerator` protocol, so the
practical-project workflow can call it like any hosted generator.
"""

from __future__ import annotations

import copy
import io
import secrets
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from lienzo.plugins.text_to_image import MODEL_ID
from lienzo.plugins.text_to_image.config import TextToImageTrainConfig
from lienzo.plugins.text_to_image.detector import AdherenceReport, adherence
from lienzo.plugins.text_to_image.networks import (
    AUTOENCODER_CONFIG,
    UNET_CONFIG,
    build_autoencoder,
    build_unet,
    parameter_count,
)
from lienzo.plugins.text_to_image.pipeline import SCHEDULE, PipelineRun, TextToImagePipeline
from lienzo.plugins.text_to_image.prompt_set import FIRST_SEED, SetPrompt, expanded
from lienzo.plugins.text_to_image.shapes_data import make_dataset
from lienzo.plugins.text_to_image.text_encoder import MiniLMEncoder
from lienzo.plugins.text_to_image.threads import torch_threads
from lienzo.plugins.text_to_image.training import TrainResult, fit_unet, prepare
from lienzo.registry.checkpoints import (
    CheckpointInfo,
    load_checkpoint,
    load_committed_checkpoint,
    save_checkpoint,
)
from lienzo.registry.contract import OnnxGraph, ProgressCallback
from lienzo.registry.generation import (
    GeneratedImage,
    GenerationRequest,
    GenerationResult,
)
from lienzo.registry.generation import (
    ProgressCallback as GenerationProgress,
)
from lienzo.registry.spec import ConfigError, validate_config

PRETRAINED_STEM = Path(__file__).parent / "weights" / "txt2img-shapes"
DEFAULT_GUIDANCE = 4.0
DEFAULT_STEPS = 25
DEFAULT_SAMPLER = "ddim"
MAX_COUNT = 16
# GenerationRequest.extras this generator understands.
EXTRAS = {"guidance_scale", "steps", "sampler"}


@dataclass
class Evaluation:
    """The adherence rate over the fixed prompt set, with the images it was measured on."""

    report: AdherenceReport
    images: np.ndarray  # (60, 32, 32, 3) uint8
    prompts: list[SetPrompt]
    seeds: list[int]
    seconds: float
    steps: int
    guidance: float


def _pretrained_checkpoint() -> tuple[dict[str, torch.Tensor], CheckpointInfo]:
    return load_committed_checkpoint(
        PRETRAINED_STEM, "python -m lienzo.plugins.text_to_image.train_pretrained"
    )


def _seeded(build: Any, seed: int) -> Any:
    # fork_rng: seeding the init must not change the caller's global torch RNG.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build().eval()


class _UNetGraph(torch.nn.Module):
    """The UNet with plain tensor inputs and one output, as ONNX wants it."""

    def __init__(self, unet: Any) -> None:
        super().__init__()
        self.unet = unet

    def forward(self, sample, timestep, encoder_hidden_states):  # noqa: D102
        return self.unet(sample, timestep, encoder_hidden_states, return_dict=False)[0]


class _DecoderGraph(torch.nn.Module):
    """Scaled latent -> image in -1..1 (the division by the scaling factor is inside)."""

    def __init__(self, vae: Any) -> None:
        super().__init__()
        self.vae = vae
        self.scaling = float(vae.config.scaling_factor)

    def forward(self, latent):  # noqa: D102
        return self.vae.decode(latent / self.scaling, return_dict=False)[0]


class ShapesTextToImage:
    """The small text-to-image model. ``ShapesTextToImage(seed)`` has random weights;
    ``ShapesTextToImage.pretrained()`` loads Lienzo's checkpoint (a new object each call).

    ``train`` changes this object's UNet: call it on ``clone()`` of a shared model.
    """

    model_id = MODEL_ID
    generator_id = MODEL_ID
    supported_fields = frozenset({"prompt", "negative_prompt", "seed", "count", "extras"})

    def __init__(self, seed: int = 0) -> None:
        self.vae = _seeded(lambda: build_autoencoder(AUTOENCODER_CONFIG), seed)
        self.unet = _seeded(lambda: build_unet(UNET_CONFIG), seed)
        self.checkpoint_info: CheckpointInfo | None = None
        self.is_fresh = True
        self._lock = threading.Lock()  # one training run at a time on this object

    # -- construction -------------------------------------------------------------------

    @classmethod
    def pretrained(cls) -> ShapesTextToImage:
        """Lienzo's checkpoint (``python -m lienzo.plugins.text_to_image.train_pretrained``)."""
        state, info = _pretrained_checkpoint()
        model = cls.__new__(cls)
        model._from_state(state, info)
        return model

    def _from_state(self, state: dict[str, torch.Tensor], info: CheckpointInfo) -> None:
        config = info.config
        self.vae = build_autoencoder(config["autoencoder"], config["scaling_factor"]).eval()
        self.unet = build_unet(config["unet"]).eval()
        self.vae.load_state_dict(_part(state, "vae."))  # copies into this model's tensors
        self.unet.load_state_dict(_part(state, "unet."))
        self.checkpoint_info = copy.deepcopy(info)
        self.is_fresh = False
        self._lock = threading.Lock()

    def clone(self) -> ShapesTextToImage:
        """An independent copy (weights, checkpoint info), safe to train."""
        twin = ShapesTextToImage.__new__(ShapesTextToImage)
        twin.vae = copy.deepcopy(self.vae)
        twin.unet = copy.deepcopy(self.unet)
        twin.checkpoint_info = copy.deepcopy(self.checkpoint_info)
        twin.is_fresh = self.is_fresh
        twin._lock = threading.Lock()
        return twin

    @property
    def pipeline(self) -> TextToImagePipeline:
        return TextToImagePipeline(MiniLMEncoder(), self.unet, self.vae, name=MODEL_ID)

    # -- generation -------------------------------------------------------------------------

    def run(self, prompt: str, **options: Any) -> PipelineRun:
        """Generate with every middle step kept (see ``TextToImagePipeline.run``)."""
        options.setdefault("guidance", DEFAULT_GUIDANCE)
        options.setdefault("steps", DEFAULT_STEPS)
        options.setdefault("sampler", DEFAULT_SAMPLER)
        return self.pipeline.run(prompt, **options)

    def generate(
        self, request: GenerationRequest, progress: GenerationProgress | None = None
    ) -> GenerationResult:
        """The workflow's entry: PNG images (32x32) for a GenerationRequest."""
        started = time.perf_counter()
        if not isinstance(request.prompt, str) or not request.prompt.strip():
            raise ConfigError({"es": "El prompt está vacío.", "en": "The prompt is empty."})
        if not 1 <= int(request.count) <= MAX_COUNT:
            raise ConfigError(
                {
                    "es": f"Se pueden pedir entre 1 y {MAX_COUNT} imágenes, no {request.count}.",
                    "en": f"Between 1 and {MAX_COUNT} images can be asked for, not "
                    f"{request.count}.",
                }
            )
        extras = dict(request.extras or {})
        unsupported = sorted(request.used_fields() - self.supported_fields)
        unsupported += [f"extras.{name}" for name in sorted(set(extras) - EXTRAS)]
        seed = int(request.seed) if request.seed is not None else secrets.randbelow(2**31 - 64)
        run = self.run(
            request.prompt,
            negative_prompt=request.negative_prompt or "",
            seed=seed,
            count=int(request.count),
            guidance=float(extras.get("guidance_scale", DEFAULT_GUIDANCE)),
            steps=int(extras.get("steps", DEFAULT_STEPS)),
            sampler=str(extras.get("sampler", DEFAULT_SAMPLER)),
            progress=progress,
        )
        images = [
            GeneratedImage(data=_png(image), format="png", seed=image_seed)
            for image, image_seed in zip(run.images, run.seeds, strict=True)
        ]
        return GenerationResult(
            images=images,
            provider=MODEL_ID,
            model=MODEL_ID,
            unsupported_fields=unsupported,
            cost_estimate_usd=0.0,
            seconds=time.perf_counter() - started,
            timings=dict(run.seconds),
        )

    def evaluate(
        self,
        steps: int = DEFAULT_STEPS,
        guidance: float = DEFAULT_GUIDANCE,
        sampler: str = DEFAULT_SAMPLER,
        seeds_per_prompt: int | None = None,
    ) -> Evaluation:
        """Generate the fixed prompt set (2 seeds per prompt) and score it with the detector."""
        prompts, seeds = expanded() if seeds_per_prompt is None else expanded(seeds_per_prompt)
        started = time.perf_counter()
        run = self.pipeline.run(
            "",
            prompts=[p.text for p in prompts],
            seed=FIRST_SEED,
            steps=steps,
            guidance=guidance,
            sampler=sampler,
        )
        report = adherence(list(run.images), [p.scene for p in prompts])
        return Evaluation(
            report=report,
            images=run.images,
            prompts=prompts,
            seeds=run.seeds,
            seconds=time.perf_counter() - started,
            steps=steps,
            guidance=guidance,
        )

    # -- training ----------------------------------------------------------------------------

    def train(
        self,
        config: TextToImageTrainConfig | None = None,
        progress: ProgressCallback | None = None,
        stop: threading.Event | None = None,
    ) -> TrainResult:
        """Train this object's UNet on the shapes set (in place); the autoencoder stays frozen.

        ``config.from_scratch`` (or a fresh object) starts from a new UNet drawn with
        ``config.seed``; otherwise it continues from the current weights ("train more").
        The first run in a process first embeds the captions and encodes the images
        (about a minute on two cores); ``prepare_seconds`` says how long that took.
        """
        config = validate_config(config if config is not None else TextToImageTrainConfig())
        with self._lock:
            started = time.perf_counter()
            with torch_threads(config.threads):
                data = prepare(make_dataset(config.images), self.vae)
            prepared = time.perf_counter() - started
            if config.from_scratch or self.is_fresh:
                self.unet = _seeded(lambda: build_unet(UNET_CONFIG), config.seed)
            with torch.random.fork_rng(devices=[]), torch_threads(config.threads):
                result = fit_unet(self.unet, data, SCHEDULE, config, progress, stop)
            result.prepare_seconds = prepared
            self.is_fresh = False
            if result.steps:
                self.checkpoint_info = None  # the weights no longer match any checkpoint
            return result

    # -- export and storage ----------------------------------------------------------------

    def onnx_graphs(self) -> list[OnnxGraph]:
        """ "unet": (sample (B, 4, 8, 8), timestep (B,) int64, text (B, 32, 384)) -> noise;
        "decoder": scaled latent (B, 4, 8, 8) -> image (B, 3, 32, 32) in -1..1."""
        generator = torch.Generator().manual_seed(0)
        latent = torch.randn(2, 4, 8, 8, generator=generator)
        text = torch.randn(2, 32, 384, generator=generator)
        timestep = torch.tensor([999, 10], dtype=torch.int64)
        return [
            OnnxGraph(
                name="unet",
                module=_UNetGraph(copy.deepcopy(self.unet)).eval(),
                example_inputs=(latent, timestep, text),
                input_names=("sample", "timestep", "encoder_hidden_states"),
                output_names=("noise",),
            ),
            OnnxGraph(
                name="decoder",
                module=_DecoderGraph(copy.deepcopy(self.vae)).eval(),
                example_inputs=(latent,),
                input_names=("latent",),
                output_names=("image",),
            ),
        ]

    def state_dict(self) -> dict[str, torch.Tensor]:
        state = {f"unet.{k}": v.detach().clone() for k, v in self.unet.state_dict().items()}
        state.update({f"vae.{k}": v.detach().clone() for k, v in self.vae.state_dict().items()})
        return state

    def parameter_count(self) -> dict[str, int]:
        return {"unet": parameter_count(self.unet), "autoencoder": parameter_count(self.vae)}

    def architecture(self) -> dict[str, Any]:
        """What the sidecar stores to rebuild the networks (like diffusers' config.json)."""
        return {
            "unet": dict(self.unet.config),
            "autoencoder": {
                k: v for k, v in dict(self.vae.config).items() if k in AUTOENCODER_CONFIG
            },
            "scaling_factor": float(self.vae.config.scaling_factor),
            "noise_schedule": SCHEDULE.to_dict(),
        }

    def save(self, stem: Path | str, info: CheckpointInfo, half: bool = True) -> Path:
        """Write ``stem.safetensors`` (float16 by default: half the size) and its sidecar."""
        state = self.state_dict()
        if half:
            state = {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
        path = save_checkpoint(stem, state, info)
        self.checkpoint_info = info
        return path

    def load(self, stem: Path | str) -> ShapesTextToImage:
        state, info = load_checkpoint(stem)
        if info.model_id != self.model_id:
            raise ValueError(f"{stem} holds {info.model_id!r}, not {self.model_id!r}")
        self._from_state(state, info)
        return self


def _part(state: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    """The tensors under ``prefix``, without it, as float32."""
    return {k[len(prefix) :]: v.float() for k, v in state.items() if k.startswith(prefix)}


def _png(image: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.asarray(image, dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def train_config_dict(config: TextToImageTrainConfig) -> dict[str, Any]:
    return asdict(config)
