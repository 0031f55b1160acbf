"""Checkpoints: safetensors weights plus a JSON sidecar, written and read back."""

from __future__ import annotations

import json

import pytest
import torch

from lienzo.registry.checkpoints import CheckpointInfo, load_checkpoint, save_checkpoint


def make_info() -> CheckpointInfo:
    return CheckpointInfo(
        model_id="toy",
        config={"epochs": 3, "learning_rate": 0.01},
        data="números sintéticos",  # non-ASCII survives the sidecar
        seed=7,
        metrics={"test_accuracy": 0.5},
        command="python -m toy",
    )


def test_roundtrip_keeps_tensors_and_sidecar(tmp_path) -> None:
    state = {"w": torch.randn(3, 4), "b": torch.arange(4), "view": torch.randn(6)[::2]}
    weights = save_checkpoint(tmp_path / "sub" / "toy", state, make_info())
    assert weights == tmp_path / "sub" / "toy.safetensors" and weights.is_file()
    loaded, info = load_checkpoint(str(tmp_path / "sub" / "toy"))
    assert set(loaded) == set(state)
    assert all(torch.equal(loaded[k], state[k]) for k in state)
    assert info.model_id == "toy" and info.seed == 7 and info.data == "números sintéticos"
    assert info.config == {"epochs": 3, "learning_rate": 0.01}
    assert "torch" in info.versions and info.created
    sidecar = json.loads((tmp_path / "sub" / "toy.json").read_text("utf-8"))
    assert sidecar["metrics"] == {"test_accuracy": 0.5}


def test_missing_sidecar_is_an_error(tmp_path) -> None:
    save_checkpoint(tmp_path / "toy", {"w": torch.zeros(2)}, make_info())
    (tmp_path / "toy.json").unlink()
    with pytest.raises(FileNotFoundError):
        load_checkpoint(tmp_path / "toy")
