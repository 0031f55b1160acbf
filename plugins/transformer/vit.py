"""DigitViT: the registry's model object for "vit-digits" (train, predict, attention, export).

Inputs are raw digits, (N, 8, 8) or (8, 8) floats in 0..16 like scikit-learn's data;
the network divides by 16 itself, so the ONNX graph takes the same numbers.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from pathlib import Path
from typing import Any

import numpy as np
import torch

from lienzo.plugins.datasets.classifiers import Evaluation, Prediction, TrainResult, as_batch
from lienzo.plugins.datasets.digits import as_digits, load_digits_split
from lienzo.plugins.transformer.config import (
    VitTrainConfig,
    config_from_dict,
    same_architecture,
    validate_vit_config,
)
from lienzo.plugins.transformer.results import PatchAttention
from lienzo.plugins.transformer.vit_network import TinyViT, parameter_count
from lienzo.plugins.transformer.vit_training import fit
from lienzo.registry.checkpoints import (
    CheckpointInfo,
    load_checkpoint,
    load_committed_checkpoint,
    save_checkpoint,
)
from lienzo.registry.contract import OnnxGraph, ProgressCallback
from lienzo.registry.spec import ConfigError

MODEL_ID = "vit-digits"
PRETRAINED_STEM = Path(__file__).parent / "weights" / "vit-digits"


def _seeded_network(config: VitTrainConfig) -> TinyViT:
    # fork_rng: seeding the init must not change the caller's global torch RNG.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        return TinyViT(**config.architecture()).eval()


def _pretrained_checkpoint() -> tuple[dict[str, torch.Tensor], CheckpointInfo]:
    return load_committed_checkpoint(
        PRETRAINED_STEM, "python -m lienzo.plugins.transformer.train_pretrained"
    )


class DigitViT:
    """A tiny vision transformer for 8x8 digits: patches are its tokens.

    ``DigitViT()`` is untrained (default architecture); ``DigitViT.pretrained()`` loads
    Lienzo's committed checkpoint (a new object each call). ``train`` changes this
    object's weights: call it on a fresh object or on ``clone()`` of a shared one.
    """

    model_id = MODEL_ID

    def __init__(self, config: VitTrainConfig | None = None):
        self.config = validate_vit_config(config or VitTrainConfig())
        self.network = _seeded_network(self.config)
        self.checkpoint_info: CheckpointInfo | None = None
        # A fresh model is rebuilt from the training config (architecture and seed) when
        # training starts; a trained or loaded one is fine-tuned and keeps its shape.
        self.is_fresh = True
        self._lock = threading.Lock()  # one training run at a time on this object

    # -- construction -----------------------------------------------------------------

    @classmethod
    def pretrained(cls) -> DigitViT:
        """Lienzo's checkpoint (``python -m lienzo.plugins.transformer.train_pretrained``)."""
        state, info = _pretrained_checkpoint()
        model = cls(config_from_dict(info.config))
        model.network.load_state_dict(state)  # copies into this model's own tensors
        model.checkpoint_info = copy.deepcopy(info)
        model.is_fresh = False
        return model

    def clone(self) -> DigitViT:
        """An independent copy (weights, settings, checkpoint info), safe to train."""
        twin = DigitViT.__new__(DigitViT)
        twin.config = copy.deepcopy(self.config)
        twin.network = copy.deepcopy(self.network)
        twin.checkpoint_info = copy.deepcopy(self.checkpoint_info)
        twin.is_fresh = self.is_fresh
        twin._lock = threading.Lock()
        return twin

    # -- training and evaluation -----------------------------------------------------

    def train(
        self,
        config: VitTrainConfig | None = None,
        progress: ProgressCallback | None = None,
        stop: threading.Event | None = None,
    ) -> TrainResult:
        """Train on the digits' training split (in place).

        A fresh model starts from weights drawn with ``config.seed`` in the architecture
        ``config`` describes; a trained or loaded one is fine-tuned and must keep its
        architecture. Raises ConfigError for NaN, out-of-bounds or inconsistent
        settings. ``progress`` is called after every epoch; ``stop`` is checked before
        every batch. Same seed -> same weights on the same machine.
        """
        config = validate_vit_config(config if config is not None else VitTrainConfig())
        with self._lock:
            if self.is_fresh:
                self.network = _seeded_network(config)
            elif not same_architecture(config, self.config):
                raise ConfigError(
                    {
                        "es": "Un modelo ya entrenado no puede cambiar de forma (parches, "
                        "tamaño, capas, cabezas): empieza con un modelo nuevo.",
                        "en": "A trained model cannot change its shape (patches, size, "
                        "layers, heads): start from a new model.",
                    }
                )
            self.config = config
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
        return Evaluation(float(np.trace(confusion) / len(labels)), confusion, len(labels))

    # -- inference ---------------------------------------------------------------------

    @torch.no_grad()
    def predict(self, images: Any) -> Prediction:
        """images: (8, 8) or (N, 8, 8) in 0..16 -> class probabilities (N, 10) and labels (N,)."""
        x = as_batch(as_digits(images))  # (N, 1, 8, 8)
        probabilities = torch.softmax(self.network.eval()(x), dim=1).numpy()  # (N, 10)
        return Prediction(probabilities=probabilities, labels=probabilities.argmax(1))

    @torch.no_grad()
    def attention(self, image: Any) -> PatchAttention:
        """Every layer's and head's attention over [CLS] + patches for one (8, 8) digit."""
        digits = as_digits(image)
        if len(digits) != 1:
            raise ValueError(f"attention takes one (8, 8) digit, got {len(digits)}")
        logits, maps = self.network.eval().forward_with_attention(as_batch(digits))
        probabilities = torch.softmax(logits[0], dim=0).numpy()  # (10,)
        return PatchAttention(
            weights=maps[0].numpy().copy(),  # (layers, heads, 1+P, 1+P)
            patch_size=self.network.patch_size,
            grid=self.network.grid,
            probabilities=probabilities,
            label=int(probabilities.argmax()),
        )

    # -- export and storage ------------------------------------------------------------

    def onnx_graphs(self) -> list[OnnxGraph]:
        """The classifier: input "digits" (B, 1, 8, 8) raw 0..16, output "logits" (B, 10).

        The module is a copy in eval mode, so exporting never touches this object.
        """
        example = as_batch(load_digits_split().x_test[:2])  # real digits, batch 2
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
        return parameter_count(self.network)

    def save(self, stem: Path | str, info: CheckpointInfo) -> Path:
        """Write ``stem.safetensors`` and its ``stem.json`` sidecar; return the weights path."""
        info.config = info.config or dataclasses.asdict(self.config)
        path = save_checkpoint(stem, self.state_dict(), info)
        self.checkpoint_info = info
        return path

    def load(self, stem: Path | str) -> DigitViT:
        """Load weights and sidecar written by :meth:`save` (architecture from the sidecar)."""
        state, info = load_checkpoint(stem)
        if info.model_id != self.model_id:
            raise ValueError(f"{stem} holds {info.model_id!r}, not {self.model_id!r}")
        self.config = validate_vit_config(config_from_dict(info.config))
        self.network = _seeded_network(self.config)
        self.network.load_state_dict(state)
        self.checkpoint_info, self.is_fresh = info, False
        return self
