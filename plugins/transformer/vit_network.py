"""A vision transformer small enough to read in one screen and train live on a CPU.

The 8x8 digit is cut into square patches; each patch becomes a token, a learned
[CLS] token is put in front, and a few transformer blocks let every token look at
every other one. The class is read from the [CLS] token at the end. Attention is
written out by hand (softmax(Q K^T / sqrt(d)) V) so its weights can be shown and so
the ONNX graph contains exactly the formula the lesson teaches.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn

MAX_VALUE = 16.0  # digits are 0..16; the network scales them itself (ONNX takes raw digits)


class SelfAttention(nn.Module):
    """Multi-head self-attention that also returns its attention weights."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.head_dim = dim // heads
        self.qkv = nn.Linear(dim, 3 * dim)  # Q, K and V of every head in one product
        self.out = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        batch, tokens, dim = x.shape  # (B, T, D)
        qkv = self.qkv(x).reshape(batch, tokens, 3, self.heads, self.head_dim)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)  # each (B, H, T, d)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)  # (B, H, T, T)
        weights = torch.softmax(scores, dim=-1)  # each row sums to 1
        mixed = weights @ v  # (B, H, T, d)
        mixed = mixed.transpose(1, 2).reshape(batch, tokens, dim)  # (B, T, D)
        return self.out(mixed), weights


class Block(nn.Module):
    """Pre-norm transformer block: x + attention(norm(x)), then x + MLP(norm(x))."""

    def __init__(self, dim: int, heads: int, mlp_ratio: int):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attention = SelfAttention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(
            nn.Linear(dim, mlp_ratio * dim), nn.GELU(), nn.Linear(mlp_ratio * dim, dim)
        )

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mixed, weights = self.attention(self.norm1(x))
        x = x + mixed
        x = x + self.mlp(self.norm2(x))
        return x, weights


class TinyViT(nn.Module):
    """(B, 1, 8, 8) raw digits 0..16 -> (B, 10) logits, through patches as tokens."""

    def __init__(
        self,
        patch_size: int = 2,
        dim: int = 32,
        depth: int = 2,
        heads: int = 4,
        mlp_ratio: int = 2,
        image_side: int = 8,
        n_classes: int = 10,
    ):
        super().__init__()
        self.patch_size = patch_size
        self.grid = image_side // patch_size  # patches per side
        n_patches = self.grid**2
        # A convolution with stride = kernel = patch side is "flatten each patch, then a
        # linear layer": one token of size `dim` per patch.
        self.patch_embed = nn.Conv2d(1, dim, kernel_size=patch_size, stride=patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        # Blank patches all embed to the same vector, so at first only the position
        # tells them apart: std 0.2 (not ViT's usual 0.02) let learning start in 2-3
        # epochs instead of ~5 on the digits, for the same final accuracy.
        self.position = nn.Parameter(torch.randn(1, n_patches + 1, dim) * 0.2)
        self.blocks = nn.ModuleList(Block(dim, heads, mlp_ratio) for _ in range(depth))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, n_classes)

    def _run(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        x = self.patch_embed(x / MAX_VALUE)  # (B, D, g, g)
        x = x.flatten(2).transpose(1, 2)  # (B, P, D): patches in reading order
        cls = self.cls_token.expand(x.shape[0], -1, -1)  # (B, 1, D)
        x = torch.cat([cls, x], dim=1) + self.position  # (B, 1 + P, D)
        maps = []
        for block in self.blocks:
            x, weights = block(x)  # weights (B, H, 1 + P, 1 + P)
            maps.append(weights)
        return self.head(self.norm(x[:, 0])), maps  # logits (B, 10) from [CLS]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._run(x)[0]

    def forward_with_attention(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits (B, 10) and every block's attention, stacked (B, layers, H, 1+P, 1+P)."""
        logits, maps = self._run(x)
        return logits, torch.stack(maps, dim=1)


def parameter_count(network: nn.Module) -> int:
    return sum(p.numel() for p in network.parameters())
