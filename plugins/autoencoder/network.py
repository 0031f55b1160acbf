"""What every autoencoder variant shares: the 0..16 pixel boundary, the container, noise.

An encoder maps (B, 1, 8, 8) raw digits in 0..16 to a latent code; a decoder maps a
code back to (B, 1, 8, 8) in 0..16. The /16 and *16 live inside the modules, so the
exported ONNX graphs take and give the same numbers a learner sees on the page.
Training works on the decoder's ``logits`` (before the sigmoid) for numerical safety.
"""

from __future__ import annotations

import torch
import torch.nn as nn

PIXEL_MAX = 16.0


class Decoder(nn.Module):
    """Base class: subclasses define ``logits(z)``; ``forward`` turns them into pixels."""

    def logits(self, z: torch.Tensor) -> torch.Tensor:  # (B, D) -> (B, 1, 8, 8)
        raise NotImplementedError

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return PIXEL_MAX * torch.sigmoid(self.logits(z))  # (B, 1, 8, 8) in 0..16


class Autoencoder(nn.Module):
    """An encoder and a decoder. ``variational``: the encoder returns (mean, log_variance)."""

    def __init__(self, encoder: nn.Module, decoder: Decoder, latent_dim: int, variational: bool):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.latent_dim = latent_dim
        self.variational = variational

    def code(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, 8, 8) -> (B, D): the latent code (the mean for a VAE: no sampling)."""
        out = self.encoder(x)
        return out[0] if self.variational else out


def add_noise(x: torch.Tensor, level: torch.Tensor | float, generator: torch.Generator):
    """Gaussian noise with standard deviation ``level * 16`` per image, clipped to 0..16.

    x: (B, 1, 8, 8) in 0..16; level: a number or a (B,) tensor of fractions of the range.
    """
    level = torch.as_tensor(level, dtype=x.dtype).reshape(-1, 1, 1, 1)  # (B or 1, 1, 1, 1)
    noise = torch.randn(x.shape, generator=generator, dtype=x.dtype)
    return (x + level * PIXEL_MAX * noise).clamp(0.0, PIXEL_MAX)
