"""The two trainable networks, as Stable Diffusion builds them but small (diffusers classes).

- ``AutoencoderKL``: 32x32x3 image <-> 8x8x4 latent (4x smaller per side; SD is 8x,
  512x512x3 <-> 64x64x4). The diffusion runs on the latent: 48 times fewer numbers per
  image than the pixels, which is why a denoiser trains in minutes on a CPU.
- ``UNet2DConditionModel``: predicts the noise in an 8x8x4 latent, looking at the prompt's
  token embeddings through cross-attention (query = latent positions, key/value = tokens).

The exact settings are saved with the weights (the sidecar), like diffusers' config.json.
"""

from __future__ import annotations

from typing import Any

LATENT_CHANNELS = 4
LATENT_SIZE = 8
TEXT_DIM = 384  # MiniLM's hidden size: the width of each token embedding

AUTOENCODER_CONFIG: dict[str, Any] = {
    "in_channels": 3,
    "out_channels": 3,
    "down_block_types": ["DownEncoderBlock2D"] * 3,  # 32 -> 16 -> 8
    "up_block_types": ["UpDecoderBlock2D"] * 3,  # 8 -> 16 -> 32
    "block_out_channels": [16, 32, 32],
    "layers_per_block": 1,
    "latent_channels": LATENT_CHANNELS,
    "norm_num_groups": 8,
    "sample_size": 32,
    "mid_block_add_attention": False,  # an 8x8 latent needs no self-attention to decode
}

UNET_CONFIG: dict[str, Any] = {
    "sample_size": LATENT_SIZE,
    "in_channels": LATENT_CHANNELS,
    "out_channels": LATENT_CHANNELS,
    # Cross-attention at 8x8 (where "top left" is decided) and in the 4x4 middle block.
    "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"],
    "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"],
    "block_out_channels": [32, 64],
    "layers_per_block": 1,
    "norm_num_groups": 8,
    "cross_attention_dim": TEXT_DIM,
    "attention_head_dim": 4,  # diffusers reads this as the number of heads here
}


def build_autoencoder(config: dict[str, Any] | None = None, scaling_factor: float = 1.0) -> Any:
    """A new AutoencoderKL (random weights unless the caller seeds torch first)."""
    from diffusers import AutoencoderKL

    return AutoencoderKL(**(config or AUTOENCODER_CONFIG), scaling_factor=scaling_factor)


def build_unet(config: dict[str, Any] | None = None) -> Any:
    """A new UNet2DConditionModel (random weights unless the caller seeds torch first)."""
    from diffusers import UNet2DConditionModel

    return UNet2DConditionModel(**(config or UNET_CONFIG))


def parameter_count(module: Any) -> int:
    return sum(p.numel() for p in module.parameters())
