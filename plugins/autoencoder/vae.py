"""The variational autoencoder: the encoder gives a Gaussian per image, not a point.

For each digit the encoder outputs a mean and a log-variance per latent dimension.
Training draws the code with the reparameterisation trick, z = mean + std * eps
with eps ~ N(0, I), so gradients flow through mean and std. The loss adds
beta * KL(N(mean, std^2) || N(0, I)) to the reconstruction error: it pulls every
Gaussian towards the prior N(0, I), which makes the latent space smooth and lets us
generate new digits by decoding z ~ N(0, I).
"""

from __future__ import annotations

import torch
import torch.nn as nn

from lienzo.plugins.autoencoder.dense import DenseDecoder
from lienzo.plugins.autoencoder.network import PIXEL_MAX, Autoencoder

HIDDEN = 256


class GaussianEncoder(nn.Module):
    def __init__(self, latent_dim: int, hidden: int = HIDDEN):
        super().__init__()
        self.fc = nn.Linear(64, hidden)
        self.mean = nn.Linear(hidden, latent_dim)
        self.log_variance = nn.Linear(hidden, latent_dim)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = torch.relu(self.fc((x / PIXEL_MAX).flatten(1)))  # (B, 1, 8, 8) -> (B, hidden)
        return self.mean(h), self.log_variance(h)  # (B, D), (B, D)


def reparameterise(mean: torch.Tensor, log_variance: torch.Tensor, generator: torch.Generator):
    """z = mean + std * eps: random, yet differentiable with respect to mean and std."""
    eps = torch.randn(mean.shape, generator=generator, dtype=mean.dtype)
    return mean + torch.exp(0.5 * log_variance) * eps  # (B, D)


def kl_to_prior(mean: torch.Tensor, log_variance: torch.Tensor) -> torch.Tensor:
    """KL(N(mean, var) || N(0, I)) per image, summed over latent dimensions: (B,)."""
    return 0.5 * (mean.pow(2) + log_variance.exp() - 1.0 - log_variance).sum(dim=1)


def build(latent_dim: int) -> Autoencoder:
    encoder = GaussianEncoder(latent_dim)
    return Autoencoder(encoder, DenseDecoder(latent_dim, hidden=HIDDEN), latent_dim, True)
