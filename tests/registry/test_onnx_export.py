"""ONNX export with validation, onnxruntime sessions, and the latency comparison."""

from __future__ import annotations

import json

import numpy as np
import onnx
import onnxruntime
import pytest
import torch
import torch.nn as nn

from lienzo.plugins.datasets.digits import load_digits_split
from lienzo.registry import export_onnx, get
from lienzo.registry.bench import compare_latency, format_report, run_benchmark
from lienzo.registry.contract import OnnxGraph
from lienzo.registry.onnx_session import CPU, CUDA, OnnxSession

HAS_CUDA = CUDA in onnxruntime.get_available_providers()


class GraphsOnly:
    """A stand-in model: just an id and some graphs."""

    model_id = "toy"

    def __init__(self, *graphs: OnnxGraph):
        self.graphs = list(graphs)

    def onnx_graphs(self) -> list[OnnxGraph]:
        return self.graphs


class ScaleByStep(nn.Module):
    """Like a diffusion UNet's signature: a float sample and an int64 timestep per row."""

    def forward(self, sample: torch.Tensor, timestep: torch.Tensor) -> torch.Tensor:
        return sample * timestep.to(sample.dtype)[:, None]  # (B, 4) * (B, 1)


class Boom(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise RuntimeError("boom: this module cannot run")


class ForgotEval(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear, self.dropout = nn.Linear(4, 4), nn.Dropout(0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.linear(x))


@pytest.fixture(scope="module")
def cnn():
    return get("cnn-lenet5").pretrained()


@pytest.fixture(scope="module")
def exported(cnn, tmp_path_factory):
    return export_onnx(cnn, tmp_path_factory.mktemp("onnx"))


@pytest.fixture(scope="module")
def step_graph(tmp_path_factory):
    graph = OnnxGraph(
        "step",
        ScaleByStep().eval(),
        (torch.rand(1, 4), torch.tensor([5])),
        ("sample", "timestep"),
        ("scaled",),
    )
    report = export_onnx(GraphsOnly(graph), tmp_path_factory.mktemp("step"))
    assert report.passed, report.to_dict()
    return report.graphs[0].path


@pytest.mark.slow
def test_cnn_export_passes_with_a_full_report(exported) -> None:
    assert exported.passed
    (graph,) = exported.graphs
    assert graph.name == "classifier" and graph.opset == 18
    assert graph.output_names == ["logits"] and graph.batches_checked == [1, 4, 7]
    assert graph.max_abs_diff is not None and graph.max_abs_diff <= graph.tolerance == 1e-4
    assert graph.file_bytes > 10_000 and graph.export_seconds > 0
    assert any("batch-1 example" in note for note in graph.notes)
    loaded = onnx.load(graph.path)
    assert {o.domain: o.version for o in loaded.opset_import}[""] == 18
    assert [i.name for i in loaded.graph.input] == ["digits"]
    assert json.loads(json.dumps(exported.to_dict()))["passed"] is True


@pytest.mark.slow
def test_batch_one_example_runs_at_batch_1_4_7(cnn, exported) -> None:
    (graph,) = cnn.onnx_graphs()
    assert graph.example_inputs[0].shape[0] == 1  # the case this test is about
    session = OnnxSession(exported.graphs[0].path)
    digits = load_digits_split().x_test
    for batch in (1, 4, 7):
        x = digits[:batch, None]
        (logits,) = session.run(x)
        assert logits.shape == (batch, 10)
        with torch.no_grad():
            expected = graph.module(torch.tensor(x)).numpy()
        assert np.abs(logits - expected).max() <= 1e-4


@pytest.mark.slow
def test_onnxruntime_agrees_with_pytorch_on_the_whole_held_out_split(cnn, exported) -> None:
    split = load_digits_split()
    (logits,) = OnnxSession(exported.graphs[0].path).run(digits=split.x_test[:, None])
    assert np.array_equal(logits.argmax(1), cnn.predict(split.x_test).labels)
    assert (logits.argmax(1) == split.y_test).mean() == pytest.approx(cnn.evaluate().accuracy)


def test_broken_modules_give_failed_reports_not_crashes(tmp_path) -> None:
    model = GraphsOnly(
        OnnxGraph("boom", Boom().eval(), (torch.rand(2, 4),), ("x",), ("y",)),
        OnnxGraph("forgot-eval", ForgotEval().train(), (torch.rand(2, 4),), ("x",), ("y",)),
        OnnxGraph("names", nn.Linear(4, 4).eval(), (torch.rand(2, 4),), ("x",), ("y", "extra")),
    )
    report = export_onnx(model, tmp_path)
    assert not report.passed
    boom, forgot, names = report.graphs
    assert not boom.passed and "boom: this module cannot run" in boom.problems[0]
    assert not forgot.passed and any(".eval()" in p for p in forgot.problems)
    assert any("differs from PyTorch" in p for p in forgot.problems)
    assert forgot.max_abs_diff > forgot.tolerance
    assert not names.passed and "output names" in names.problems[0]
    assert json.dumps(report.to_dict())


def test_a_model_whose_graphs_cannot_be_listed_gives_a_failed_report(tmp_path) -> None:
    class NoGraphs:
        model_id = "none"

        def onnx_graphs(self):
            raise ImportError("optional dependency missing")

    report = export_onnx(NoGraphs(), tmp_path)
    assert not report.passed and "optional dependency missing" in report.graphs[0].problems[0]


@pytest.mark.skipif(HAS_CUDA, reason="this onnxruntime build has CUDA")
def test_asking_for_the_gpu_without_one_reports_cpu(step_graph) -> None:
    session = OnnxSession(step_graph, prefer_gpu=True)
    assert session.providers == [CPU] and session.provider == CPU
    assert not session.on_gpu and session.describe() == "CPU"


@pytest.mark.filterwarnings("ignore:Specified provider 'CUDAExecutionProvider'")
def test_the_provider_reported_is_the_one_the_session_got(step_graph, monkeypatch) -> None:
    # Pretend the build offers CUDA (as onnxruntime-gpu without CUDA libraries does):
    # the session falls back to CPU and must say so, whatever was asked for.
    real = onnxruntime.get_available_providers()
    monkeypatch.setattr(onnxruntime, "get_available_providers", lambda: [CUDA, *real])
    session = OnnxSession(step_graph, prefer_gpu=True)
    assert session.providers == list(session.session.get_providers())
    if not HAS_CUDA:
        assert session.provider == CPU and not session.on_gpu


@pytest.mark.parametrize("timestep", [7, np.array(7), np.int32(7), torch.tensor(7), [7, 7, 7]])
def test_inputs_are_cast_to_the_declared_dtype_and_rank(step_graph, timestep) -> None:
    session = OnnxSession(step_graph)
    assert session.input_names == ["sample", "timestep"] and session.output_names == ["scaled"]
    sample = np.ones((3, 4))  # float64 in, the graph declares float32
    (scaled,) = session.run(sample, timestep)
    assert scaled.dtype == np.float32 and np.array_equal(scaled, np.full((3, 4), 7.0))
    (named,) = session.run(timestep=timestep, sample=sample)
    assert np.array_equal(named, scaled)


def test_wrong_inputs_get_clear_errors(step_graph) -> None:
    session = OnnxSession(step_graph)
    with pytest.raises(TypeError, match="takes 2 inputs"):
        session.run(np.ones((1, 4)))
    with pytest.raises(TypeError, match="missing"):
        session.run(sample=np.ones((1, 4)), t=1)


@pytest.mark.slow
def test_compare_latency_rows(cnn, exported) -> None:
    rows = compare_latency(cnn, exported.graphs[0].path, (1, 8), repeats=5)
    assert [row.batch for row in rows] == [1, 8]
    assert all(row.torch_ms > 0 and row.onnx_ms > 0 and row.provider == CPU for row in rows)
    assert rows[0].speedup == pytest.approx(rows[0].torch_ms / rows[0].onnx_ms)


@pytest.mark.slow
def test_benchmark_runs_extra_measurements_and_formats() -> None:
    result = run_benchmark(extra=[lambda: {"home page cold render (s)": 1.25}], repeats=3)
    assert result["export"]["passed"] and len(result["latency"]) == 2
    text = format_report(result)
    assert "ONNX export" in text and "home page cold render (s): 1.250" in text
    assert json.dumps(result)
