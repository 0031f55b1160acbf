"""Train Lienzo's committed digit-diffusion checkpoint: one seeded, documented command.

    python -m lienzo.plugins.diffusion.train_pretrained           # plugins/diffusion/weights/
    python -m lienzo.plugins.diffusion.train_pretrained --out DIR # somewhere else

It trains the class-conditional UNet from the seed-0 starting weights on the digits'
75% training split, then samples 256 digits (labels 0..9 in turn, guidance 2, seed 0)
with each sampler of the lab's comparison (1000 DDPM steps, 50 and 20 DDIM steps, 20
DPM-Solver++ steps) and stores the judge's figures and the sampling time of each in
the sidecar, so the lab shows them without recomputing. The same machine gives the
same weights every time. The weights are stored in float16 (half the file; the model
computes in float32 after loading, and every figure in the sidecar is measured on the
stored weights).
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

from lienzo.plugins.diffusion.config import DiffusionTrainConfig
from lienzo.plugins.diffusion.model import (
    DEFAULT_GUIDANCE,
    PRETRAINED_STEM,
    DigitDiffusion,
)
from lienzo.registry.checkpoints import CheckpointInfo

COMMAND = "python -m lienzo.plugins.diffusion.train_pretrained"
CONFIG = DiffusionTrainConfig(steps=2000, batch_size=128, learning_rate=2e-3, seed=0)
# (sampler, steps) of the lab's quality-and-time comparison
COMPARISON = (("ddpm", 1000), ("ddim", 50), ("ddim", 20), ("dpm_solver", 20))
JUDGED_N = 256


def compare_samplers(model: DigitDiffusion, n: int = JUDGED_N) -> list[dict[str, Any]]:
    """The judge's figures and the wall-clock time of each sampler on the same n digits."""
    rows = []
    for sampler, steps in COMPARISON:
        digits, report = model.judge_samples(n, sampler, steps, DEFAULT_GUIDANCE, seed=0)
        rows.append(
            {
                "sampler": sampler,
                "steps": steps,
                "spacing": digits.spacing,
                "n": n,
                "seconds": round(digits.seconds, 2),
                "network_calls": digits.network_calls,
                "confident_share": round(report.confident_share, 4),
                "classes_present": report.classes_present,
                "class_entropy_bits": round(report.class_entropy_bits, 3),
                "frechet_distance": round(report.frechet_distance, 2),
            }
        )
        print(rows[-1], flush=True)
    return rows


def _halve(model: DigitDiffusion) -> None:
    """Round the weights to float16 and back, so the figures below describe the stored file."""
    for parameter in list(model.ema.parameters()) + list(model.unet.parameters()):
        parameter.data = parameter.data.half().float()


def train_and_save(stem: Path = PRETRAINED_STEM, config: DiffusionTrainConfig = CONFIG) -> None:
    model = DigitDiffusion()

    def show(record) -> None:
        if record.judged:
            print(
                f"step {record.epoch}: loss {record.loss:.4f}, "
                f"confident {record.extra['confident_share']:.2f}, "
                f"classes {record.extra['classes_present']:.0f}, "
                f"FD {record.extra['frechet_distance']:.1f}, "
                f"{record.extra['elapsed']:.0f} s",
                flush=True,
            )

    result = model.train(config, progress=show)
    if result.diverged or result.stopped_early:
        raise RuntimeError("training did not finish cleanly; nothing was written")
    _halve(model)
    comparison = compare_samplers(model)
    info = CheckpointInfo(
        model_id=model.model_id,
        config=dataclasses.asdict(config),
        data=model.data_description,
        seed=config.seed,
        metrics={
            "guidance_scale": DEFAULT_GUIDANCE,
            "judged_n": JUDGED_N,
            "comparison": comparison,
            "train_seconds": round(result.seconds, 1),
            "seconds_to_target": (
                round(result.seconds_to_target, 1) if result.seconds_to_target else None
            ),
            "steps_to_target": result.steps_to_target,
            "final_loss": round(result.final.loss, 5),
            "parameters": model.parameter_count(),
            "weights_dtype": "float16",
        },
        command=COMMAND,
    )
    state = {name: tensor.half() for name, tensor in model.state_dict().items()}
    from lienzo.registry.checkpoints import save_checkpoint

    info.config = {
        **info.config,
        "unet": model.shape.to_dict(),
        "schedule": model.schedule.to_dict(),
    }
    path = save_checkpoint(stem, state, info)
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB) and {path.with_suffix('.json')}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="folder for diffusion-digits.{safetensors,json}")
    parser.add_argument("--steps", type=int, default=CONFIG.steps, help="training steps")
    args = parser.parse_args(argv)
    stem = args.out / PRETRAINED_STEM.name if args.out else PRETRAINED_STEM
    train_and_save(stem, dataclasses.replace(CONFIG, steps=args.steps))


if __name__ == "__main__":
    main()
