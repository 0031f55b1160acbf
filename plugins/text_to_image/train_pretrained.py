"""Train Lienzo's committed text-to-image checkpoint: one seeded, documented command.

    python -m lienzo.plugins.text_to_image.train_pretrained             # writes weights/
    python -m lienzo.plugins.text_to_image.train_pretrained --out DIR   # somewhere else
    python -m lienzo.plugins.text_to_image.train_pretrained --threads 2 # an idle machine

Stable Diffusion's order, small:

1. draw the captioned shapes set (6,000 images, seed 0);
2. train the autoencoder (32x32x3 <-> 8x8x4) and measure how faithfully its decoder
   redraws 1,000 images it never saw (the detector's score on reconstructions is the
   ceiling any generator on these latents can reach);
3. freeze it, set the latent scaling factor (1 / std of the latents);
4. embed every caption once with the frozen MiniLM and train the UNet on the latents;
5. score the fixed prompt set (30 prompts x 2 seeds) with the exact detector, at the
   default guidance, without guidance, and over a sweep of guidance scales; write
   weights + sidecar.

The same machine and thread count give the same weights every time (the thread count
changes the order of floating-point sums). The weights are stored as float16 (half the
size in the repository); the scores in the sidecar are measured on those stored weights.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import torch

from lienzo.plugins.text_to_image.config import AutoencoderTrainConfig, TextToImageTrainConfig
from lienzo.plugins.text_to_image.detector import adherence
from lienzo.plugins.text_to_image.model import (
    DEFAULT_GUIDANCE,
    DEFAULT_SAMPLER,
    DEFAULT_STEPS,
    PRETRAINED_STEM,
    ShapesTextToImage,
)
from lienzo.plugins.text_to_image.pipeline import latents_to_images
from lienzo.plugins.text_to_image.shapes_data import make_dataset
from lienzo.plugins.text_to_image.training import encode_images, fit_autoencoder, latent_scaling
from lienzo.registry.checkpoints import CheckpointInfo

COMMAND = "python -m lienzo.plugins.text_to_image.train_pretrained"
SEED = 0
HELD_OUT_SEED = 1  # a second draw of the data set, for the autoencoder's ceiling
GUIDANCE_SWEEP = (0.0, 1.0, 2.0, 4.0, 7.0, 10.0)  # scored into the sidecar, for the lab
AUTOENCODER = AutoencoderTrainConfig(steps=1500, batch_size=32, learning_rate=2e-3, seed=SEED)
UNET = TextToImageTrainConfig(
    steps=4000,
    batch_size=64,
    learning_rate=2e-3,
    uncond_probability=0.1,
    warmup_steps=100,
    report_every=100,
    seed=SEED,
    from_scratch=True,
)


def _rounded(summary: dict) -> dict:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in summary.items()}


def train_and_save(
    stem: Path = PRETRAINED_STEM,
    autoencoder: AutoencoderTrainConfig = AUTOENCODER,
    unet: TextToImageTrainConfig = UNET,
) -> dict:
    """Train both networks, score them, write ``stem.safetensors`` + ``stem.json``."""
    started = time.perf_counter()
    data = make_dataset(unet.images, SEED)
    model = ShapesTextToImage(seed=SEED)

    # 1-2. Autoencoder, then its ceiling on held-out images.
    print(f"autoencoder: {autoencoder.steps} steps on {len(data)} images", flush=True)
    ae_result = fit_autoencoder(
        model.vae, data.images, autoencoder, progress=lambda p: print(f"  {p.loss:.4f}", end="")
    )
    print(f"\n  {ae_result.seconds:.0f} s", flush=True)
    scaling = latent_scaling(model.vae, data.images[:2000])
    model.vae.register_to_config(scaling_factor=scaling)
    held_out = make_dataset(1000, HELD_OUT_SEED)
    rebuilt = latents_to_images(model.vae, encode_images(model.vae, held_out.images))
    ceiling = adherence(list(rebuilt), list(held_out.scenes)).summary()
    print(f"  reconstructions judged: {_rounded(ceiling)}", flush=True)

    # 3-4. Denoiser on frozen latents and caption embeddings.
    print(f"unet: {unet.steps} steps, batch {unet.batch_size}", flush=True)
    unet_result = model.train(
        unet, progress=lambda p: print(f"  step {int(p.extra['step'])}: {p.loss:.4f}", flush=True)
    )
    if unet_result.diverged or unet_result.stopped_early or ae_result.diverged:
        raise RuntimeError("training did not finish cleanly; nothing was written")
    train_seconds = time.perf_counter() - started

    # 5. Store (float16), reload what was stored, and score that.
    info = CheckpointInfo(
        model_id=model.model_id,
        config={
            **model.architecture(),
            "autoencoder_training": dataclasses.asdict(autoencoder),
            "unet_training": dataclasses.asdict(unet),
            "sampling": {
                "steps": DEFAULT_STEPS,
                "guidance": DEFAULT_GUIDANCE,
                "sampler": DEFAULT_SAMPLER,
            },
        },
        data=data.description,
        seed=SEED,
        metrics={},
        command=COMMAND,
    )
    model.save(stem, info)
    stored = ShapesTextToImage().load(stem)
    guided = stored.evaluate()
    unguided = stored.evaluate(guidance=1.0)
    by_guidance = {
        str(g): round(stored.evaluate(guidance=g).report.summary()["shape_and_colour"], 4)
        for g in GUIDANCE_SWEEP
    }
    info.metrics = {
        "adherence": _rounded(guided.report.summary()),
        "adherence_without_guidance": _rounded(unguided.report.summary()),
        "shape_and_colour_by_guidance": by_guidance,
        "autoencoder_reconstruction_adherence": _rounded(ceiling),
        "prompt_set": "30 prompts (15 shape x colour, es + en, with positions) x 2 seeds",
        "autoencoder_final_loss": round(ae_result.final.loss, 5),
        "unet_final_loss": round(unet_result.final.loss, 5),
        "autoencoder_seconds": round(ae_result.seconds, 1),
        "unet_seconds": round(unet_result.seconds, 1),
        "prepare_seconds": round(unet_result.prepare_seconds, 1),
        "train_seconds": round(train_seconds, 1),
        "evaluate_seconds": round(guided.seconds, 1),
        "torch_threads": torch.get_num_threads(),
        "parameters": model.parameter_count(),
    }
    path = model.save(stem, info)
    print(f"wrote {path} and {path.with_suffix('.json')}")
    print(f"adherence (guidance {DEFAULT_GUIDANCE}): {_rounded(guided.report.summary())}")
    print(f"adherence (no guidance): {_rounded(unguided.report.summary())}")
    print(f"trained in {train_seconds:.0f} s")
    return info.metrics


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="folder for txt2img-shapes.{safetensors,json}")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--unet-steps", type=int, default=UNET.steps)
    parser.add_argument("--autoencoder-steps", type=int, default=AUTOENCODER.steps)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    stem = args.out / PRETRAINED_STEM.name if args.out else PRETRAINED_STEM
    train_and_save(
        stem,
        dataclasses.replace(AUTOENCODER, steps=args.autoencoder_steps),
        dataclasses.replace(UNET, steps=args.unet_steps, threads=args.threads),
    )


if __name__ == "__main__":
    main()
