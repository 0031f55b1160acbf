"""The denoiser: a small diffusers UNet2DModel for 8x8 digits, class-conditional.

Sized for two CPU cores: two resolution levels (8x8 and 4x4) of 16 and 32 channels,
one ResNet block per level, no attention (at 4x4 a convolution already sees the whole
image). Class labels 0..9 are digits; label 10 is "no class", the unconditional
prediction classifier-free guidance subtracts.

Digits (0..16) enter as x_0 = digit / 8 - 1, in -1..1 like every diffusion model's
images, and leave through :func:`to_digits`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch
from diffusers import UNet2DModel

NUM_CLASSES = 10
NULL_CLASS = NUM_CLASSES  # "no class": the unconditional branch of guidance
IMAGE_SIDE = 8


@dataclass(frozen=True)
class UNetShape:
    """The few UNet2DModel settings that matter here (saved in the checkpoint sidecar)."""

    block_out_channels: tuple[int, ...] = (16, 32)
    layers_per_block: int = 1
    norm_num_groups: int = 8

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def build_unet(shape: UNetShape | None = None) -> UNet2DModel:
    """A fresh UNet (weights from torch's global RNG: seed it, or use fork_rng, first)."""
    shape = shape or UNetShape()
    levels = len(shape.block_out_channels)
    return UNet2DModel(
        sample_size=IMAGE_SIDE,
        in_channels=1,
        out_channels=1,
        block_out_channels=tuple(shape.block_out_channels),
        down_block_types=("DownBlock2D",) * levels,
        up_block_types=("UpBlock2D",) * levels,
        layers_per_block=shape.layers_per_block,
        norm_num_groups=shape.norm_num_groups,
        add_attention=False,
        num_class_embeds=NUM_CLASSES + 1,  # + the null class
    )


def to_model_range(digits: torch.Tensor) -> torch.Tensor:
    """Digits 0..16 -> x_0 in -1..1."""
    return digits / 8.0 - 1.0


def to_digits(x: torch.Tensor) -> torch.Tensor:
    """x in -1..1 (clipped) -> digits 0..16, the judge's and the CNN's range."""
    return ((x.clamp(-1.0, 1.0) + 1.0) * 8.0).float()


class NoisePredictor(torch.nn.Module):
    """The exported graph: (sample, timestep, class_labels) -> predicted noise.

    A thin wrapper so ONNX gets plain tensors in and one tensor out (UNet2DModel
    returns a dataclass), with the timestep as an int64 tensor of shape (batch,).
    """

    def __init__(self, unet: UNet2DModel):
        super().__init__()
        self.unet = unet

    def forward(
        self, sample: torch.Tensor, timestep: torch.Tensor, class_labels: torch.Tensor
    ) -> torch.Tensor:
        # sample (B, 1, 8, 8) float32, timestep (B,) int64, class_labels (B,) int64
        return self.unet(sample, timestep, class_labels=class_labels).sample  # (B, 1, 8, 8)
