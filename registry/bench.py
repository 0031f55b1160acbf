"""Measured numbers for the README and the registry page, all from one run.

    lienzo bench                     # CNN export and latency, then every lesson's figures
    lienzo bench --only gan,diffusion
    python -m lienzo.registry.bench --json

``run_benchmark(extra=[...])`` takes more measurements as callables that return
``{label: value}``; their figures appear under "extra" in the report. ``main`` adds
each lesson's own measurements (``LESSON_MEASUREMENTS``): the home page's cold render,
live-training seconds to a quality target, generation latency in PyTorch and
onnxruntime. A lesson that cannot be measured reports why instead of stopping the run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

Measurement = Callable[[], Mapping[str, Any]]


@dataclass
class LatencyRow:
    batch: int
    torch_ms: float  # median of `repeats` calls, PyTorch eager, no autograd
    onnx_ms: float  # median of `repeats` calls, onnxruntime
    speedup: float  # torch_ms / onnx_ms (> 1: ONNX Runtime is faster)
    provider: str  # where onnxruntime really ran
    repeats: int


def _median_ms(call: Callable[[], Any], repeats: int, warmup: int) -> float:
    for _ in range(warmup):
        call()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000.0


def compare_latency(
    model: Any,
    onnx_path: Path | str,
    batch_sizes: Sequence[int] = (1, 64),
    repeats: int = 30,
    warmup: int = 3,
    graph_name: str | None = None,
    prefer_gpu: bool = True,
) -> list[LatencyRow]:
    """Median latency of one graph of ``model`` in PyTorch eager and in onnxruntime.

    The CNN at the defaults takes ~0.1 s in all. Inputs are random but valid
    (see ``onnx_export.batch_inputs``); both runtimes get the same ones.
    """
    import torch

    from lienzo.registry.onnx_export import batch_inputs
    from lienzo.registry.onnx_session import OnnxSession

    graphs = model.onnx_graphs()
    graph = next((g for g in graphs if graph_name in (None, g.name)), None)
    if graph is None:
        raise ValueError(f"no graph {graph_name!r}; the model has {[g.name for g in graphs]}")
    session = OnnxSession(onnx_path, prefer_gpu=prefer_gpu)
    rows = []
    for batch in batch_sizes:
        inputs = batch_inputs(tuple(graph.example_inputs), batch, seed=batch)
        arrays = [t.numpy() for t in inputs]

        def eager(inputs: tuple[Any, ...] = inputs) -> None:
            with torch.inference_mode():
                graph.module(*inputs)

        def onnx(arrays: list[Any] = arrays) -> None:
            session.run(*arrays)

        torch_ms = _median_ms(eager, repeats, warmup)
        onnx_ms = _median_ms(onnx, repeats, warmup)
        rows.append(
            LatencyRow(batch, torch_ms, onnx_ms, torch_ms / onnx_ms, session.provider, repeats)
        )
    return rows


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def run_benchmark(
    extra: Sequence[Measurement] = (), repeats: int = 200, batch_sizes: Sequence[int] = (1, 64)
) -> dict[str, Any]:
    """Export the pretrained CNN, time eager vs onnxruntime, then run ``extra`` measurements."""
    import torch

    from lienzo.plugins.cnn.model import DigitCNN
    from lienzo.registry.onnx_export import export_onnx

    model = DigitCNN.pretrained()
    with tempfile.TemporaryDirectory() as folder:
        report = export_onnx(model, folder)
        graph = report.graphs[0]
        rows = (
            compare_latency(model, graph.path, batch_sizes, repeats=repeats)
            if report.passed
            else []
        )
    figures: dict[str, Any] = {}
    for measure in extra:
        figures.update(measure())
    return {
        "model": model.model_id,
        "versions": {name: _version(name) for name in ("torch", "onnxruntime", "onnx")},
        "torch_threads": torch.get_num_threads(),
        "export": {
            "passed": report.passed,
            "seconds": graph.export_seconds,
            "file_bytes": graph.file_bytes,
            "opset": graph.opset,
            "max_abs_diff": graph.max_abs_diff,
            "problems": graph.problems,
        },
        "latency": [asdict(row) for row in rows],
        "extra": figures,
    }


def format_report(result: Mapping[str, Any]) -> str:
    export = result["export"]
    versions = ", ".join(f"{name} {version}" for name, version in result["versions"].items())
    lines = [
        f"Lienzo benchmark: {result['model']} "
        f"({versions}; torch threads {result['torch_threads']})",
        f"ONNX export: {export['seconds']:.2f} s, {export['file_bytes'] / 1024:.0f} KiB, "
        f"opset {export['opset']}, max |onnx - torch| {export['max_abs_diff']:.2g}, "
        + ("passed" if export["passed"] else "FAILED: " + "; ".join(export["problems"])),
    ]
    if result["latency"]:
        lines.append(f"{'batch':>6} {'eager ms':>10} {'onnx ms':>10} {'speedup':>8}  provider")
        for row in result["latency"]:
            lines.append(
                f"{row['batch']:>6} {row['torch_ms']:>10.3f} {row['onnx_ms']:>10.3f} "
                f"{row['speedup']:>7.1f}x  {row['provider']} (median of {row['repeats']})"
            )
    for label, value in result["extra"].items():
        lines.append(f"{label}: {value:.3f}" if isinstance(value, float) else f"{label}: {value}")
    return "\n".join(lines)


# Each lesson's own figures, in course order: "module:function" returning {label: value}.
LESSON_MEASUREMENTS = (
    "lienzo.dashboard.bench_home:measure_home_cold_render",
    "lienzo.plugins.gan.bench:measure_gan",
    "lienzo.plugins.autoencoder.bench:measure_autoencoders",
    "lienzo.plugins.transformer.bench:measure_transformer",
    "lienzo.plugins.diffusion.bench:measure_diffusion",
    "lienzo.plugins.text_to_image.bench:measure_text_to_image",
)


def _measurement(target: str, only: set[str] | None) -> Measurement | None:
    module_name, _, function_name = target.partition(":")
    lesson = module_name.split(".")[-2]  # "gan", "autoencoder", ..., "dashboard"
    if only is not None and lesson not in only:
        return None
    import importlib

    def measure() -> Mapping[str, Any]:
        try:
            return getattr(importlib.import_module(module_name), function_name)()
        except Exception as error:  # noqa: BLE001 - one lesson's failure is one figure
            return {f"{lesson}: could not be measured": f"{type(error).__name__}: {error}"}

    return measure


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Lienzo's measured numbers, from one run.")
    parser.add_argument("--repeats", type=int, default=200, help="timed calls per figure")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated lessons to add to the CNN figures "
        "(dashboard, gan, autoencoder, transformer, diffusion, text_to_image); default all",
    )
    args = parser.parse_args(argv)
    only = {name.strip() for name in args.only.split(",") if name.strip()} or None
    extra = [m for m in (_measurement(t, only) for t in LESSON_MEASUREMENTS) if m is not None]
    result = run_benchmark(extra=extra, repeats=args.repeats)
    print(json.dumps(result, indent=2, default=str) if args.json else format_report(result))


if __name__ == "__main__":
    main()
