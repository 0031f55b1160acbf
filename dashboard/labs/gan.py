"""GAN lab helpers without Streamlit: image tiles, curves' series, export-and-compare.

The page only draws what these return; tests call them directly.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lienzo.plugins.gan.results import GanProgress


def tile(images: np.ndarray, columns: int = 8, gap: int = 1) -> np.ndarray:
    """(N, H, W) images -> one matrix, ``columns`` per row, NaN gaps (drawn transparent)."""
    images = np.asarray(images, dtype=np.float32)
    count, height, width = images.shape
    columns = max(1, min(columns, count))
    rows = int(np.ceil(count / columns))
    out = np.full(
        (rows * (height + gap) - gap, columns * (width + gap) - gap), np.nan, dtype=np.float32
    )
    for index, image in enumerate(images):
        r, c = divmod(index, columns)
        top, left = r * (height + gap), c * (width + gap)
        out[top : top + height, left : left + width] = image
    return out


def series(history: list[GanProgress], key: str, judged_only: bool = False) -> tuple[list, list]:
    """(steps, values) of one ``extra`` figure over the history."""
    picked = [p for p in history if key in p.extra and (p.judged or not judged_only)]
    return [p.epoch for p in picked], [p.extra[key] for p in picked]


def judged(history: list[GanProgress]) -> list[GanProgress]:
    return [p for p in history if p.judged]


@dataclass
class OnnxCheck:
    """An export report plus one generation through onnxruntime compared with PyTorch."""

    report: dict[str, Any]
    onnx_images: np.ndarray | None = None
    torch_images: np.ndarray | None = None
    max_abs_diff: float | None = None
    provider: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return self.max_abs_diff is not None and self.max_abs_diff <= 1e-3


def export_and_compare(model: Any, seed: int, n: int = 8, out_dir: str | None = None) -> OnnxCheck:
    """Export the generator (validated at batches 1/4/7), then generate ``n`` images from
    ``seed`` through onnxruntime and through PyTorch and compare them."""
    from lienzo.registry import export_onnx
    from lienzo.registry.onnx_session import OnnxSession

    out_dir = out_dir or tempfile.mkdtemp(prefix="lienzo-gan-onnx-")
    report = export_onnx(model, out_dir)
    check = OnnxCheck(report=report.to_dict())
    if not report.passed:
        check.problems = [p for graph in report.graphs for p in graph.problems]
        return check
    session = OnnxSession(report.graphs[0].path, prefer_gpu=False)
    z = model.latents(n, seed)
    (check.onnx_images,) = session.run(z)
    check.torch_images = model.generate_from_latent(z)
    check.max_abs_diff = float(np.abs(check.onnx_images - check.torch_images).max())
    check.provider = session.provider
    return check
