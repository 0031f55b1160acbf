"""Train Lienzo's committed digit-ViT checkpoint: one seeded, documented command.

    python -m lienzo.plugins.transformer.train_pretrained            # writes weights/
    python -m lienzo.plugins.transformer.train_pretrained --out DIR  # somewhere else

It trains from the seed-0 starting weights on the 75% training split and reports the
accuracy on the 25% held-out split, next to the digit CNN's figure from that
checkpoint's sidecar. There is no separate validation split: the settings (the
defaults of VitTrainConfig) were picked by hand from a handful of runs while
watching held-out accuracy, so treat that figure as slightly optimistic. Takes
~10-20 s on one CPU thread; the same machine gives the same weights every time.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

from lienzo.plugins.datasets.classifiers import TrainResult
from lienzo.plugins.datasets.digits import DESCRIPTION
from lienzo.plugins.transformer.config import VitTrainConfig
from lienzo.plugins.transformer.vit import PRETRAINED_STEM, DigitViT
from lienzo.registry.checkpoints import CheckpointInfo

COMMAND = "python -m lienzo.plugins.transformer.train_pretrained"
CONFIG = VitTrainConfig()  # the defaults are this checkpoint's settings


def cnn_accuracy() -> float | None:
    """The digit CNN's held-out accuracy from its committed sidecar (same split)."""
    try:
        from lienzo.plugins.cnn.model import PRETRAINED_STEM as CNN_STEM
    except ImportError:
        return None
    sidecar = CNN_STEM.with_suffix(".json")
    if not sidecar.is_file():
        return None
    return json.loads(sidecar.read_text("utf-8"))["metrics"].get("test_accuracy")


def train_and_save(stem: Path = PRETRAINED_STEM, config: VitTrainConfig = CONFIG) -> TrainResult:
    model = DigitViT()
    result = model.train(config)
    if result.diverged or result.stopped_early:
        raise RuntimeError("training did not finish cleanly; nothing was written")
    evaluation = model.evaluate()
    last = result.final
    cnn = cnn_accuracy()
    info = CheckpointInfo(
        model_id=model.model_id,
        config=dataclasses.asdict(config),
        data=DESCRIPTION,
        seed=config.seed,
        metrics={
            "test_accuracy": round(evaluation.accuracy, 4),
            "test_n": evaluation.n,
            "test_loss": round(last.val_loss, 4),
            "train_accuracy_last_epoch": round(last.accuracy, 4),
            "train_loss_last_epoch": round(last.loss, 4),
            "epochs": len(result.history),
            "train_seconds": round(result.seconds, 1),
            "parameters": model.parameter_count(),
            "tokens": model.network.grid**2 + 1,
            "cnn_test_accuracy": cnn,
        },
        command=COMMAND,
    )
    path = model.save(stem, info)
    print(f"wrote {path} and {path.with_suffix('.json')}")
    print(
        f"held-out accuracy {evaluation.accuracy:.4f} on {evaluation.n} digits "
        f"(CNN: {cnn}), trained {result.seconds:.1f} s"
    )
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="folder for vit-digits.{safetensors,json}")
    args = parser.parse_args(argv)
    stem = args.out / PRETRAINED_STEM.name if args.out else PRETRAINED_STEM
    train_and_save(stem)


if __name__ == "__main__":
    main()
