"""The plain autoencoder: two dense layers down to the code, two dense layers back up."""

from __future__ import annotations

import torch
import torch.nn as nn

from lienzo.plugins.autoencoder.network import PIXEL_MAX, Autoencoder, Decoder

HIDDEN = 128


class DenseEncoder(nn.Module):
    def __init__(self, latent_dim: int, hidden: int = HIDDEN):
        super().__init__()
        self.fc1 = nn.Linear(64, hidden)
        self.fc2 = nn.Linear(hidden, latent_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = (x / PIXEL_MAX).flatten(1)  # (B, 1, 8, 8) 0..16 -> (B, 64) 0..1
        h = torch.relu(self.fc1(h))  # (B, hidden)
        return self.fc2(h)  # (B, D)


class DenseDecoder(Decoder):
    def __init__(self, latent_dim: int, hidden: int = HIDDEN):
        super().__init__()
        self.fc1 = nn.Linear(latent_dim, hidden)
        self.fc2 = nn.Linear(hidden, 64)

    def logits(self, z: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.fc1(z))  # (B, D) -> (B, hidden)
        return self.fc2(h).view(-1, 1, 8, 8)  # (B, 64) -> (B, 1, 8, 8)


def build(latent_dim: int) -> Autoencoder:
    return Autoencoder(DenseEncoder(latent_dim), DenseDecoder(latent_dim), latent_dim, False)
