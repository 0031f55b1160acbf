"""Attention by hand: softmax(Q K^T / sqrt(d)) V, one step at a time, in plain numpy.

The calculator on the attention page shows every intermediate matrix, so each step is
kept. Tables typed by a learner are checked cell by cell first, with messages that
say which matrix, row and column is wrong.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np


class MatrixError(ValueError):
    """A table the learner typed cannot be used; ``messages`` has the es/en text."""

    def __init__(self, messages: dict[str, str]):
        super().__init__(messages["en"])
        self.messages = messages


@dataclass
class AttentionSteps:
    """Every intermediate result of one attention computation (float64)."""

    q: np.ndarray  # (n, d) queries: what each token is looking for
    k: np.ndarray  # (n, d) keys: what each token offers to be found by
    v: np.ndarray  # (n, d_v) values: what each token hands over
    scores: np.ndarray  # (n, n) Q K^T: how well query i matches key j
    scale: float  # sqrt(d)
    scaled: np.ndarray  # (n, n) scores / sqrt(d)
    exponentials: np.ndarray  # (n, n) exp(scaled - row max): the softmax numerators
    weights: np.ndarray  # (n, n) softmax of each row: rows sum to 1
    output: np.ndarray  # (n, d_v) weights @ V: a weighted mix of the values

    @property
    def d(self) -> int:
        return self.q.shape[1]


def softmax_rows(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise softmax; also returns the numerators exp(x - row max).

    Subtracting the row's maximum changes nothing in the result (it cancels in the
    division) but keeps exp() from overflowing for large scores.
    """
    shifted = matrix - matrix.max(axis=1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / exponentials.sum(axis=1, keepdims=True), exponentials


def attention_steps(q: Any, k: Any, v: Any) -> AttentionSteps:
    """softmax(Q K^T / sqrt(d)) V with every step kept. Q, K: (n, d); V: (n, d_v)."""
    q, k, v = (np.asarray(m, dtype=np.float64) for m in (q, k, v))
    if q.ndim != 2 or k.ndim != 2 or v.ndim != 2:
        raise ValueError("Q, K and V must be 2-D tables (tokens x numbers)")
    if q.shape != k.shape:
        raise ValueError(f"Q {q.shape} and K {k.shape} must have the same shape")
    if v.shape[0] != k.shape[0]:
        raise ValueError(f"V needs one row per token ({k.shape[0]}), got {v.shape[0]}")
    scores = q @ k.T  # (n, n)
    scale = math.sqrt(q.shape[1])
    scaled = scores / scale
    weights, exponentials = softmax_rows(scaled)
    return AttentionSteps(q, k, v, scores, scale, scaled, exponentials, weights, weights @ v)


def read_matrix(table: Any, name: str, limit: float = 1e6) -> np.ndarray:
    """A learner's table (DataFrame, nested lists) -> float64 (rows, cols), or MatrixError.

    Empty cells, text that is not a number, NaN, infinities and numbers beyond
    ``limit`` are refused; the message names the first bad cell (1-based).
    """
    rows = table.values.tolist() if hasattr(table, "values") else list(table)
    if not rows or not all(hasattr(row, "__len__") and len(row) for row in rows):
        raise MatrixError({"es": f"La matriz {name} está vacía.", "en": f"Matrix {name} is empty."})
    width = len(rows[0])
    numbers = np.empty((len(rows), width), dtype=np.float64)
    for i, row in enumerate(rows):
        if len(row) != width:
            raise MatrixError(
                {
                    "es": f"Las filas de {name} no tienen todas el mismo largo.",
                    "en": f"The rows of {name} do not all have the same length.",
                }
            )
        for j, cell in enumerate(row):
            numbers[i, j] = _number(cell, name, i + 1, j + 1, limit)
    return numbers


def _number(cell: Any, name: str, row: int, col: int, limit: float) -> float:
    where_es = f"{name}, fila {row}, columna {col}"
    where_en = f"{name}, row {row}, column {col}"
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        raise MatrixError(
            {
                "es": f"La celda ({where_es}) está vacía: escribe un número.",
                "en": f"The cell ({where_en}) is empty: type a number.",
            }
        )
    if isinstance(cell, bool):  # True/False are ints to Python, not numbers to a learner
        cell = str(cell)
    try:
        value = float(cell.replace(",", ".") if isinstance(cell, str) else cell)
    except (TypeError, ValueError):
        raise MatrixError(
            {
                "es": f"La celda ({where_es}) contiene «{cell}», que no es un número.",
                "en": f"The cell ({where_en}) holds '{cell}', which is not a number.",
            }
        ) from None
    if math.isnan(value):
        raise MatrixError(
            {
                "es": f"La celda ({where_es}) está vacía o no es un número (NaN).",
                "en": f"The cell ({where_en}) is empty or not a number (NaN).",
            }
        )
    if not math.isfinite(value) or abs(value) > limit:
        raise MatrixError(
            {
                "es": f"La celda ({where_es}) vale {value:g}: usa números entre "
                f"-{limit:g} y {limit:g}.",
                "en": f"The cell ({where_en}) is {value:g}: use numbers between "
                f"-{limit:g} and {limit:g}.",
            }
        )
    return value


def default_matrices(tokens: int, d: int) -> dict[str, np.ndarray]:
    """Starting Q, K, V for the calculator.

    3 tokens x d = 2 is a hand-made example: token 1's query points where token 3's
    key points, so token 1 mostly copies token 3's value. Other sizes get small
    seeded numbers with one decimal, easy to follow by hand.
    """
    if (tokens, d) == (3, 2):
        return {
            "Q": np.array([[1.0, 2.0], [0.0, 1.0], [1.0, 0.0]]),
            "K": np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 2.0]]),
            "V": np.array([[1.0, 0.0], [0.0, 1.0], [5.0, 5.0]]),
        }
    generator = np.random.default_rng(tokens * 10 + d)
    return {
        name: np.round(generator.uniform(-2, 2, size=(tokens, d)), 1) for name in ("Q", "K", "V")
    }
