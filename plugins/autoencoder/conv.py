"""The convolutional autoencoder: strided convolutions down, transposed convolutions up.

Convolutions share their weights across positions, so the network learns strokes
once and finds them anywhere; the code is still a small vector in the middle.
The denoising autoencoder uses this same network, trained on noisy inputs.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from lienzo.plugins.autoencoder.network import PIXEL_MAX, Autoencoder, Decoder

C1, C2 = 16, 32  # channels after the first and the second downsampling


class ConvEncoder(nn.Module):
    def __init__(self, latent_dim: int):
        super().__init__()
        self.conv1 = nn.Conv2d(1, C1, kernel_size=3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(C1, C2, kernel_size=3, stride=2, padding=1)
        self.fc = nn.Linear(C2 * 2 * 2, latent_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.conv1(x / PIXEL_MAX))  # (B, 1, 8, 8) -> (B, 16, 4, 4)
        h = torch.relu(self.conv2(h))  # (B, 32, 2, 2)
        return self.fc(h.flatten(1))  # (B, 128) -> (B, D)


class ConvDecoder(Decoder):
    def __init__(self, latent_dim: int):
        super().__init__()
        self.fc = nn.Linear(latent_dim, C2 * 2 * 2)
        self.up1 = nn.ConvTranspose2d(C2, C1, kernel_size=4, stride=2, padding=1)
        self.up2 = nn.ConvTranspose2d(C1, C1, kernel_size=4, stride=2, padding=1)
        self.out = nn.Conv2d(C1, 1, kernel_size=3, padding=1)

    def logits(self, z: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.fc(z)).view(-1, C2, 2, 2)  # (B, D) -> (B, 32, 2, 2)
        h = torch.relu(self.up1(h))  # (B, 16, 4, 4)
        h = torch.relu(self.up2(h))  # (B, 16, 8, 8)
        return self.out(h)  # (B, 1, 8, 8)


def build(latent_dim: int) -> Autoencoder:
    return Autoencoder(ConvEncoder(latent_dim), ConvDecoder(latent_dim), latent_dim, False)
