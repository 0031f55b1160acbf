"""The shape of a local (PyTorch) model object, as the registry and pages use it.

A plugin's ``spec.factory()`` returns an object with these members. Results are
plain dataclasses of numpy arrays and numbers, so pages can draw them without
knowing torch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass
class OnnxGraph:
    """One exportable graph of a model (a classifier, or an encoder and a decoder).

    ``example_inputs`` are torch tensors with a batch dimension first. When
    ``dynamic_batch`` is true the export marks dimension 0 of every input and
    output as dynamic, and validation runs at a different batch size.
    """

    name: str
    module: Any  # torch.nn.Module in eval mode
    example_inputs: tuple[Any, ...]
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    dynamic_batch: bool = True


@dataclass
class EpochProgress:
    """What a training loop reports after each epoch."""

    epoch: int
    epochs: int
    loss: float
    accuracy: float | None = None
    val_loss: float | None = None
    val_accuracy: float | None = None
    seconds: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)


ProgressCallback = Callable[[EpochProgress], None]


@runtime_checkable
class LocalModel(Protocol):
    """What every local model object offers."""

    model_id: str

    def train(
        self,
        config: Any,
        progress: ProgressCallback | None = None,
        stop: threading.Event | None = None,
    ) -> Any: ...

    def onnx_graphs(self) -> list[OnnxGraph]: ...

    def state_dict(self) -> dict[str, Any]: ...
