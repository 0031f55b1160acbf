"""Checkpoints: weights as safetensors, and a JSON sidecar saying how they were made."""

from __future__ import annotations

import functools
import json
import platform
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

SIDECAR_SUFFIX = ".json"
WEIGHTS_SUFFIX = ".safetensors"


@dataclass
class CheckpointInfo:
    """The sidecar: enough to reproduce and to judge the weights beside it."""

    model_id: str
    config: dict[str, Any]
    data: str  # which data, which split
    seed: int
    metrics: dict[str, Any]
    command: str = ""  # the command that produced it
    versions: dict[str, str] = field(default_factory=dict)
    created: str = ""


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in ("lienzo", "torch", "numpy", "scikit-learn", "onnx", "onnxruntime", "safetensors"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return versions


def save_checkpoint(stem: Path | str, state_dict: dict[str, Any], info: CheckpointInfo) -> Path:
    """Write ``stem.safetensors`` and ``stem.json``; return the weights path.

    The weights are written first and the sidecar last, so a sidecar always points
    at complete weights.
    """
    from safetensors.torch import save_file

    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    weights = stem.with_suffix(WEIGHTS_SUFFIX)
    tensors = {name: tensor.detach().contiguous().cpu() for name, tensor in state_dict.items()}
    save_file(tensors, str(weights), metadata={"model_id": info.model_id})
    info.versions = info.versions or library_versions()
    info.created = info.created or datetime.now(UTC).isoformat(timespec="seconds")
    sidecar = stem.with_suffix(SIDECAR_SUFFIX)
    sidecar.write_text(json.dumps(asdict(info), indent=2, ensure_ascii=False) + "\n", "utf-8")
    return weights


@functools.cache
def load_committed_checkpoint(stem: Path, command: str) -> tuple[dict[str, Any], CheckpointInfo]:
    """A checkpoint that ships with a plugin, read once per process.

    The tensors are shared by every caller: copy them into a model with
    ``load_state_dict`` (which copies), never change them in place. ``command`` is the
    seeded command that recreates the file, named in the error when it is missing.
    """
    if not Path(stem).with_suffix(WEIGHTS_SUFFIX).is_file():
        raise FileNotFoundError(f"{stem}{WEIGHTS_SUFFIX} is missing; recreate it with: {command}")
    return load_checkpoint(stem)


def load_checkpoint(stem: Path | str) -> tuple[dict[str, Any], CheckpointInfo]:
    """Read the weights and the sidecar written by :func:`save_checkpoint`."""
    from safetensors.torch import load_file

    stem = Path(stem)
    weights = stem.with_suffix(WEIGHTS_SUFFIX)
    info = CheckpointInfo(**json.loads(stem.with_suffix(SIDECAR_SUFFIX).read_text("utf-8")))
    return load_file(str(weights)), info
