"""What the transformer plugin hands back: plain dataclasses of numpy arrays (no torch)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class PatchAttention:
    """How the vision transformer looked at one digit.

    ``weights[layer, head, query, key]`` over the tokens [CLS], patch 1, ..., patch P
    (patches in reading order); every row sums to 1. ``cls_to_patches`` is row 0
    without its first column, laid out as the patch grid.
    """

    weights: np.ndarray  # (layers, heads, 1 + P, 1 + P)
    patch_size: int
    grid: int  # patches per side
    probabilities: np.ndarray  # (10,)
    label: int

    @property
    def cls_to_patches(self) -> np.ndarray:
        """(layers, heads, grid, grid): where [CLS] looks in the image."""
        layers, heads = self.weights.shape[:2]
        return self.weights[:, :, 0, 1:].reshape(layers, heads, self.grid, self.grid)

    @property
    def cls_to_itself(self) -> np.ndarray:
        """(layers, heads): the share of [CLS]'s attention it keeps on itself."""
        return self.weights[:, :, 0, 0]

    def overlay(self, layer: int, head: int) -> np.ndarray:
        """(8, 8): [CLS]'s attention to each patch spread over the pixels of that patch."""
        grid = self.cls_to_patches[layer, head]
        return np.kron(grid, np.ones((self.patch_size, self.patch_size)))


@dataclass
class TextAttention:
    """What MiniLM's attention did with one sentence.

    ``weights[layer, head, query, key]``: how much token ``query`` looks at token
    ``key``; every row sums to 1 (softmax).
    """

    tokens: list[str]  # WordPiece tokens, [CLS] first and [SEP] last
    weights: np.ndarray  # (layers, heads, T, T) float32
    truncated: bool  # the text had more tokens than max_tokens
    total_tokens: int  # tokens the whole text would need ([CLS] and [SEP] included)
    words: list[tuple[str, list[str]]] = field(default_factory=list)  # word -> its pieces

    @property
    def split_words(self) -> list[tuple[str, list[str]]]:
        """Words the vocabulary did not know whole, with the fragments it used instead."""
        return [(word, pieces) for word, pieces in self.words if len(pieces) > 1]

    def follow(self, token: int) -> np.ndarray:
        """(layers, heads, T): where token ``token`` looks, in every layer and head."""
        return self.weights[:, :, token, :]
