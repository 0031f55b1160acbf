"""Export a local model's graphs to ONNX and validate them the way HF optimum does.

For every :class:`~lienzo.registry.contract.OnnxGraph` of a model:

1. ``torch.onnx.export(dynamo=True)`` with an explicit opset, named inputs and outputs,
   and ``dynamic_shapes`` marking dimension 0 when the graph has a dynamic batch.
   A batch-1 example is tiled to batch 2 first: exporters may specialise a size-1
   dimension and bake "batch = 1" into reshapes, whatever ``dynamic_shapes`` says.
2. Load it in onnxruntime (CPU) and check: output names; at each validation batch
   size, output shapes equal PyTorch's; max |onnx - torch| <= atol + rtol * |torch|.

A failure of any kind becomes a failed :class:`GraphReport` with a message (and the
traceback in the log), never an exception out of :func:`export_onnx`.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

DEFAULT_OPSET = 18
DEFAULT_BATCHES = (1, 4, 7)


@dataclass
class GraphReport:
    """How one graph exported and how closely onnxruntime matched PyTorch."""

    name: str
    path: str
    opset: int
    file_bytes: int = 0
    export_seconds: float = 0.0
    max_abs_diff: float | None = None  # worst over every output and batch size checked
    tolerance: float = 0.0  # atol: passes when |onnx - torch| <= tolerance + rtol * |torch|
    rtol: float = 0.0
    batches_checked: list[int] = field(default_factory=list)
    output_names: list[str] = field(default_factory=list)
    passed: bool = False
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was done, not what went wrong


@dataclass
class ExportReport:
    model_id: str
    out_dir: str
    graphs: list[GraphReport] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.graphs) and all(graph.passed for graph in self.graphs)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed}


def _batch_of(inputs: tuple[Any, ...]) -> int:
    return int(inputs[0].shape[0])


def batch_inputs(inputs: tuple[Any, ...], batch: int, seed: int) -> tuple[Any, ...]:
    """Inputs with ``batch`` rows. Float inputs get fresh values in the example's range
    (identical rows would hide a graph that mixes up samples); integer inputs (labels,
    timesteps) reuse the example's rows cyclically, staying valid."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    resized = []
    for tensor in inputs:
        rows = torch.arange(batch) % tensor.shape[0]
        if tensor.is_floating_point():
            low, high = tensor.min(), tensor.max()
            if high <= low:
                low, high = low - 1, high + 1
            noise = torch.rand((batch, *tensor.shape[1:]), generator=generator)
            resized.append((low + noise * (high - low)).to(tensor.dtype))
        else:
            resized.append(tensor[rows].clone())
    return tuple(resized)


def _torch_outputs(module: Any, inputs: tuple[Any, ...]) -> list[np.ndarray]:
    import torch

    with torch.no_grad():
        out = module(*inputs)
    out = out if isinstance(out, tuple | list) else (out,)
    return [t.detach().cpu().numpy() for t in out]


@contextlib.contextmanager
def _quiet_exporter():
    """Hide the exporter's chatter that a learner cannot act on (torch-internal notices)."""
    noisy = logging.getLogger("torch.onnx._internal.exporter._registration")
    level = noisy.level
    noisy.setLevel(logging.ERROR)  # "torchvision is not installed. Skipping ..."
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*LeafSpec.*", category=FutureWarning)
            warnings.filterwarnings("ignore", message=".*axis name.*", category=UserWarning)
            # Reported as a problem of the graph instead (see _export_one).
            warnings.filterwarnings("ignore", message=".*in training mode.*", category=UserWarning)
            yield
    finally:
        noisy.setLevel(level)


def _root_cause(error: BaseException) -> str:
    """The innermost exception as one short line (the exporter wraps the real error)."""
    while error.__cause__ is not None:
        error = error.__cause__
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(error)).strip()
    first = text.splitlines()[0] if text else ""
    return f"{type(error).__name__}: {first}"[:500]


def _export_one(graph: Any, path: Path, opset: int, report: GraphReport) -> tuple[Any, ...]:
    """Write the .onnx file; return the example inputs actually used."""
    import torch

    example = tuple(graph.example_inputs)
    dynamic_shapes = None
    if graph.dynamic_batch:
        if _batch_of(example) == 1:
            example = tuple(torch.cat([t, t]) for t in example)
            report.notes.append("batch-1 example tiled to batch 2 for export")
        batch = torch.export.Dim("batch", min=1, max=65536)
        dynamic_shapes = tuple({0: batch} for _ in example)
    if getattr(graph.module, "training", False):
        report.problems.append("the module is in training mode; call .eval() before export")
    started = time.perf_counter()
    with _quiet_exporter():
        torch.onnx.export(
            graph.module,
            example,
            str(path),
            dynamo=True,
            opset_version=opset,
            input_names=list(graph.input_names),
            output_names=list(graph.output_names),
            dynamic_shapes=dynamic_shapes,
            external_data=False,  # one self-contained file (our graphs are small)
            verbose=False,
        )
    report.export_seconds = time.perf_counter() - started
    report.file_bytes = path.stat().st_size
    return example


def _validate(
    graph: Any,
    path: Path,
    example: tuple[Any, ...],
    batches: tuple[int, ...],
    atol: float,
    rtol: float,
    report: GraphReport,
) -> None:
    from lienzo.registry.onnx_session import OnnxSession

    session = OnnxSession(path, prefer_gpu=False)  # CPU: comparable with PyTorch on CPU
    report.output_names = list(session.output_names)
    if list(session.output_names) != list(graph.output_names):
        report.problems.append(
            f"output names {session.output_names} "
            f"differ from the declared {list(graph.output_names)}"
        )
    sizes = batches if graph.dynamic_batch else (_batch_of(example),)
    worst = 0.0
    for batch in sizes:
        inputs = batch_inputs(example, batch, seed=batch)
        expected = _torch_outputs(graph.module, inputs)
        got = session.run(*[t.cpu().numpy() for t in inputs])
        report.batches_checked.append(batch)
        for name, want, have in zip(graph.output_names, expected, got, strict=False):
            if want.shape != have.shape:
                report.problems.append(
                    f"batch {batch}: output {name!r} has shape {have.shape}, PyTorch {want.shape}"
                )
                continue
            diff = np.abs(have.astype(np.float64) - want.astype(np.float64))
            worst = max(worst, float(diff.max()) if diff.size else 0.0)
            if not np.all(diff <= atol + rtol * np.abs(want)):
                report.problems.append(
                    f"batch {batch}: output {name!r} differs from PyTorch by up to "
                    f"{float(diff.max()):.3g} (allowed {atol:.0e} + {rtol:.0e} * |torch|)"
                )
        if len(got) != len(expected):
            report.problems.append(f"batch {batch}: {len(got)} outputs, PyTorch {len(expected)}")
    report.max_abs_diff = worst


def export_onnx(
    model: Any,
    out_dir: Path | str,
    opset: int = DEFAULT_OPSET,
    atol: float = 1e-4,
    rtol: float = 1e-4,
    validation_batches: tuple[int, ...] = DEFAULT_BATCHES,
) -> ExportReport:
    """Export and validate every graph of ``model`` into ``out_dir/<model_id>-<graph>.onnx``."""
    out_dir = Path(out_dir)
    model_id = str(getattr(model, "model_id", type(model).__name__))
    report = ExportReport(model_id=model_id, out_dir=str(out_dir))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        graphs = list(model.onnx_graphs())
    except Exception as error:  # noqa: BLE001 - reported, not raised
        log.exception("could not list the ONNX graphs of %s", model_id)
        failed = GraphReport(name="?", path="", opset=opset)
        failed.problems.append(f"could not list the graphs: {type(error).__name__}: {error}")
        report.graphs.append(failed)
        return report

    for graph in graphs:
        path = out_dir / f"{model_id}-{graph.name}.onnx"
        one = GraphReport(name=graph.name, path=str(path), opset=opset, tolerance=atol, rtol=rtol)
        report.graphs.append(one)
        stage = "export"
        try:
            example = _export_one(graph, path, opset, one)
            stage = "validation"
            _validate(graph, path, example, tuple(validation_batches), atol, rtol, one)
        except Exception as error:  # noqa: BLE001 - reported, not raised
            log.exception("ONNX %s of %s/%s failed", stage, model_id, graph.name)
            one.problems.append(f"{stage} failed: {_root_cause(error)}")
        one.passed = not one.problems
    return report
