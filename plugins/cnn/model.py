"""DigitCNN: the registry's model object for "cnn-lenet5" (train, predict, explain, export).

Inputs are raw digits, (N, 8, 8) or (8, 8) floats in 0..16 like scikit-learn's data;
the network divides by 16 itself, so the ONNX graph takes the same numbers.
"""

from __future__ import annotations

import copy
import threading
from pathlib import Path
from typing import Any

import numpy as np
import torch

from lienzo.plugins.cnn import MODEL_ID
from lienzo.plugins.cnn.config import CnnTrainConfig
from lienzo.plugins.cnn.network import LeNet5
from lienzo.plugins.cnn.results import LayerActivation
from lienzo.plugins.cnn.training import fit
from lienzo.plugins.datasets.classifiers import Evaluation, Prediction, TrainResult, as_batch
from lienzo.plugins.datasets.digits import DESCRIPTION, as_digits, load_digits_split
from lienzo.registry.checkpoints import (
    CheckpointInfo,
    load_checkpoint,
    load_committed_checkpoint,
    save_checkpoint,
)
from lienzo.registry.contract import OnnxGraph, ProgressCallback
from lienzo.registry.spec import validate_config

PRETRAINED_STEM = Path(__file__).parent / "weights" / "lenet5-digits"


def _seeded_network(seed: int) -> LeNet5:
    # fork_rng: seeding the init must not change the caller's global torch RNG.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return LeNet5().eval()


def _pretrained_checkpoint() -> tuple[dict[str, torch.Tensor], CheckpointInfo]:
    return load_committed_checkpoint(
        PRETRAINED_STEM, "python -m lienzo.plugins.cnn.train_pretrained"
    )


class DigitCNN:
    """A LeNet-5-style classifier for 8x8 digits.

    ``DigitCNN(seed)`` is untrained; ``DigitCNN.pretrained()`` loads Lienzo's committed
    checkpoint (a new object each call, so one caller's training never changes
    another's). ``train`` changes this object's weights: call it on ``clone()`` of a
    shared model.
    """

    model_id = MODEL_ID
    data_description = DESCRIPTION  # written into every checkpoint's sidecar

    def __init__(self, seed: int = 0):
        self.network = _seeded_network(seed)
        self.checkpoint_info: CheckpointInfo | None = None
        # Fresh weights are re-drawn from config.seed when training starts, so the
        # seed decides the starting weights too; trained/loaded weights are fine-tuned.
        self.is_fresh = True
        self._lock = threading.Lock()  # one training run at a time on this object

    # -- construction -----------------------------------------------------------------

    @classmethod
    def pretrained(cls) -> DigitCNN:
        """Lienzo's checkpoint, trained by ``python -m lienzo.plugins.cnn.train_pretrained``."""
        state, info = _pretrained_checkpoint()
        model = cls()
        model.network.load_state_dict(state)  # copies into this model's own tensors
        model.checkpoint_info = copy.deepcopy(info)
        model.is_fresh = False
        return model

    def clone(self) -> DigitCNN:
        """An independent copy (weights, checkpoint info), safe to train."""
        twin = DigitCNN.__new__(DigitCNN)
        twin.network = copy.deepcopy(self.network)
        twin.checkpoint_info = copy.deepcopy(self.checkpoint_info)
        twin.is_fresh = self.is_fresh
        twin._lock = threading.Lock()
        return twin

    # -- training and evaluation -----------------------------------------------------

    def train(
        self,
        config: CnnTrainConfig | None = None,
        progress: ProgressCallback | None = None,
        stop: threading.Event | None = None,
    ) -> TrainResult:
        """Train this object's network on the digits' training split (in place).

        A fresh model (never trained or loaded) starts from weights drawn with
        ``config.seed``; a trained or loaded one is fine-tuned from where it is.
        Raises ConfigError for NaN or out-of-bounds settings. ``progress`` is called
        after every epoch; ``stop`` is checked before every batch. Same seed, same
        starting weights -> same result on the same machine.
        """
        config = validate_config(config if config is not None else CnnTrainConfig())
        with self._lock:
            if self.is_fresh:
                self.network = _seeded_network(config.seed)
            result = fit(self.network, load_digits_split(), config, progress, stop)
            self.is_fresh = False
            self.checkpoint_info = None  # the weights no longer match any checkpoint
            return result

    @torch.no_grad()
    def evaluate(self) -> Evaluation:
        """Accuracy and confusion matrix on the held-out split."""
        split = load_digits_split()
        labels = self.predict(split.x_test).labels
        confusion = np.zeros((10, 10), dtype=np.int64)
        np.add.at(confusion, (split.y_test, labels), 1)
        accuracy = float(np.trace(confusion) / len(labels))
        return Evaluation(accuracy=accuracy, confusion=confusion, n=len(labels))

    # -- inference ---------------------------------------------------------------------

    @torch.no_grad()
    def predict(self, images: Any) -> Prediction:
        """images: (8, 8) or (N, 8, 8) in 0..16 -> class probabilities (N, 10) and labels (N,)."""
        x = as_batch(as_digits(images))  # (N, 1, 8, 8)
        network = self.network.eval()
        probabilities = torch.softmax(network(x), dim=1).numpy()  # (N, 10)
        return Prediction(probabilities=probabilities, labels=probabilities.argmax(1))

    @torch.no_grad()
    def feature_maps(self, image: Any) -> list[LayerActivation]:
        """Every layer's output for one (8, 8) digit, then the class probabilities."""
        digits = as_digits(image)
        if len(digits) != 1:
            raise ValueError(f"feature_maps takes one (8, 8) digit, got {len(digits)}")
        network = self.network.eval()
        layers = network.forward_with_activations(as_batch(digits))
        found = [LayerActivation(name, kind, t[0].numpy().copy()) for name, kind, t in layers]
        probabilities = torch.softmax(layers[-1][2][0], dim=0).numpy()  # (10,)
        return found + [LayerActivation("probabilities", "softmax", probabilities)]

    # -- export and storage ------------------------------------------------------------

    def onnx_graphs(self) -> list[OnnxGraph]:
        """The classifier: input "digits" (B, 1, 8, 8) raw 0..16, output "logits" (B, 10).

        The module is a copy in eval mode, so exporting never touches this object.
        """
        example = as_batch(load_digits_split().x_test[:1])  # a real digit, batch 1
        return [
            OnnxGraph(
                name="classifier",
                module=copy.deepcopy(self.network).eval(),
                example_inputs=(example,),
                input_names=("digits",),
                output_names=("logits",),
                dynamic_batch=True,
            )
        ]

    def state_dict(self) -> dict[str, torch.Tensor]:
        return {name: t.detach().clone() for name, t in self.network.state_dict().items()}

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.network.parameters())

    def save(self, stem: Path | str, info: CheckpointInfo) -> Path:
        """Write ``stem.safetensors`` and its ``stem.json`` sidecar; return the weights path."""
        path = save_checkpoint(stem, self.state_dict(), info)
        self.checkpoint_info = info
        return path

    def load(self, stem: Path | str) -> DigitCNN:
        """Load weights and sidecar written by :meth:`save`; returns self."""
        state, info = load_checkpoint(stem)
        if info.model_id != self.model_id:
            raise ValueError(f"{stem} holds {info.model_id!r}, not {self.model_id!r}")
        self.network.load_state_dict(state)
        self.checkpoint_info, self.is_fresh = info, False
        return self
