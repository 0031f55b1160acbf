"""A DCGAN-style generator and discriminator sized for the 8x8 digits.

Why 8x8 and not 16x16: the data are 8x8 (upsampling adds no information, only pixels
to learn), and at 8x8 a step costs ~12 ms on one CPU thread with base width 16, so the
lab reaches recognisable digits in ~15-25 s of live training. The same nets at 16x16
would do ~4x the convolution work per step for the same digits.

Images inside the networks are -1..1 (tanh); ``ImagesFromLatent`` maps to the 0..16
of the dataset at the API boundary, so the ONNX graph gives the numbers learners see.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

WIDTH = 16  # base channel count: 2*W -> W -> W/2 in the generator, W/2 -> W -> 2*W in D
MAX_VALUE = 16.0


class Generator(nn.Module):
    """latent (B, Z) -> dense -> (2W, 2, 2) -> up -> (W, 4, 4) -> up -> (W/2, 8, 8) -> (1, 8, 8)."""

    def __init__(self, latent_dim: int, width: int = WIDTH):
        super().__init__()
        self.latent_dim, self.width = latent_dim, width
        self.project = nn.Linear(latent_dim, 2 * width * 2 * 2)
        self.norm0 = nn.BatchNorm1d(2 * width * 2 * 2)
        self.up1 = nn.ConvTranspose2d(2 * width, width, kernel_size=4, stride=2, padding=1)
        self.norm1 = nn.BatchNorm2d(width)
        self.up2 = nn.ConvTranspose2d(width, width // 2, kernel_size=4, stride=2, padding=1)
        self.norm2 = nn.BatchNorm2d(width // 2)
        self.to_image = nn.Conv2d(width // 2, 1, kernel_size=3, padding=1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """(B, Z) -> (B, 1, 8, 8) in -1..1."""
        h = F.relu(self.norm0(self.project(z)))  # (B, 8W)
        h = h.view(-1, 2 * self.width, 2, 2)  # (B, 2W, 2, 2)
        h = F.relu(self.norm1(self.up1(h)))  # (B, W, 4, 4)
        h = F.relu(self.norm2(self.up2(h)))  # (B, W/2, 8, 8)
        return torch.tanh(self.to_image(h))  # (B, 1, 8, 8)


class Discriminator(nn.Module):
    """(B, 1, 8, 8) in -1..1 -> conv -> strided convs -> one logit per image ("how real")."""

    def __init__(self, width: int = WIDTH):
        super().__init__()
        self.conv1 = nn.Conv2d(1, width // 2, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(width // 2, width, kernel_size=4, stride=2, padding=1)
        self.conv3 = nn.Conv2d(width, 2 * width, kernel_size=4, stride=2, padding=1)
        self.decide = nn.Linear(2 * width * 2 * 2, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, 8, 8) -> (B,) logits; sigmoid(logit) = D's probability that x is real."""
        h = F.leaky_relu(self.conv1(x), 0.2)  # (B, W/2, 8, 8)
        h = F.leaky_relu(self.conv2(h), 0.2)  # (B, W, 4, 4)
        h = F.leaky_relu(self.conv3(h), 0.2)  # (B, 2W, 2, 2)
        return self.decide(h.flatten(1)).squeeze(1)  # (B,)


class ImagesFromLatent(nn.Module):
    """The exported graph: latent (B, Z) -> images (B, 8, 8) in 0..16, like the dataset."""

    def __init__(self, generator: Generator):
        super().__init__()
        self.generator = generator

    def forward(self, latent: torch.Tensor) -> torch.Tensor:
        return (self.generator(latent)[:, 0] + 1.0) * (MAX_VALUE / 2)  # (B, 8, 8)


def to_unit(x: torch.Tensor) -> torch.Tensor:
    """Dataset digits 0..16 -> -1..1, the generator's range."""
    return x / (MAX_VALUE / 2) - 1.0


def to_digits(x: torch.Tensor) -> torch.Tensor:
    """Generator output -1..1 -> 0..16."""
    return (x + 1.0) * (MAX_VALUE / 2)
