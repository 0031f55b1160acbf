"""The digit CNN, reached the way a page reaches it: through the registry."""

from __future__ import annotations

import dataclasses
import math
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import torch

from lienzo.plugins.cnn.config import CnnTrainConfig
from lienzo.plugins.cnn.model import PRETRAINED_STEM, DigitCNN
from lienzo.plugins.cnn.network import LAYERS
from lienzo.plugins.datasets.digits import image_to_digit, load_digits_split
from lienzo.registry import ConfigError, get, list_models
from lienzo.registry.contract import EpochProgress, LocalModel

MODEL_ID = "cnn-lenet5"
# The committed checkpoint reaches 98.2% on the 450 held-out digits; the floor leaves a
# little room for a retrained checkpoint on another CPU, not for a broken one.
PRETRAINED_FLOOR = 0.97


@pytest.fixture(scope="module")
def split():
    return load_digits_split()


@pytest.fixture(scope="module")
def pretrained() -> DigitCNN:
    return get(MODEL_ID).pretrained()


@pytest.fixture(scope="module")
def two_epochs() -> tuple[DigitCNN, object, list[EpochProgress]]:
    model = get(MODEL_ID)
    seen: list[EpochProgress] = []
    result = model.train(CnnTrainConfig(epochs=2, seed=0), progress=seen.append)
    return model, result, seen


def same_weights(a: DigitCNN, b: DigitCNN) -> bool:
    first, second = a.state_dict(), b.state_dict()
    return first.keys() == second.keys() and all(torch.equal(first[k], second[k]) for k in first)


def test_registered_with_its_spec() -> None:
    spec = next(s for s in list_models(family="cnn") if s.id == MODEL_ID)
    assert spec.capabilities == {"classify", "feature-maps", "train", "onnx"}
    assert spec.title["es"] and spec.summary["en"]
    assert spec.onnx.exportable and spec.onnx.graphs == ("classifier",)
    assert spec.default_config() == CnnTrainConfig()
    model = get(MODEL_ID)
    assert isinstance(model, DigitCNN) and isinstance(model, LocalModel)
    assert model.model_id == MODEL_ID and model.parameter_count() == 19754


def test_listing_models_does_not_import_torch() -> None:
    code = (
        "import sys; import lienzo.registry as r; "
        "assert any(s.id == 'cnn-lenet5' for s in r.list_models()); "
        "assert 'torch' not in sys.modules, 'torch imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_two_epochs_learn(two_epochs) -> None:
    _, result, seen = two_epochs
    assert seen == result.history and [h.epoch for h in seen] == [1, 2]
    first, second = result.history
    assert second.loss < first.loss and second.val_loss < first.val_loss
    assert second.val_accuracy > first.val_accuracy > 0.15  # chance is 0.10
    assert 0 <= second.accuracy <= 1 and second.epochs == 2
    assert not result.stopped_early and not result.diverged and result.seconds > 0


def test_same_seed_same_weights_other_seed_other_weights(two_epochs) -> None:
    model, _, _ = two_epochs
    again = get(MODEL_ID)
    again.train(CnnTrainConfig(epochs=2, seed=0))
    assert same_weights(model, again)
    other = get(MODEL_ID)
    other.train(CnnTrainConfig(epochs=2, seed=1))
    assert not same_weights(model, other)


def test_predict_shapes_and_probabilities(pretrained, split) -> None:
    one = pretrained.predict(split.x_test[0])
    assert one.probabilities.shape == (1, 10) and one.labels.shape == (1,)
    many = pretrained.predict(split.x_test[:5])
    assert many.probabilities.shape == (5, 10)
    assert np.allclose(many.probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert np.array_equal(many.labels, many.probabilities.argmax(axis=1))
    assert np.array_equal(pretrained.predict(split.x_test[:5, None]).labels, many.labels)


@pytest.mark.parametrize(
    ("images", "match"),
    [
        (np.zeros((7, 7)), "8x8"),
        (np.zeros((3, 8)), "8x8"),
        (np.zeros((2, 3, 8, 8)), "8x8"),
        (np.zeros((0, 8, 8)), "8x8"),
        (np.full((8, 8), 255.0), "0..16"),
        (np.full((8, 8), np.nan), "NaN"),
    ],
)
def test_bad_inputs_raise_value_error(pretrained, images, match) -> None:
    with pytest.raises(ValueError, match=match):
        pretrained.predict(images)


def test_feature_maps_cover_every_layer(pretrained, split) -> None:
    image = split.x_test[3]
    layers = pretrained.feature_maps(image)
    assert [(layer.name, layer.kind) for layer in layers[:-1]] == list(LAYERS)
    shapes = {layer.name: layer.array.shape for layer in layers}
    assert shapes == {
        "conv1": (6, 8, 8),
        "relu1": (6, 8, 8),
        "pool1": (6, 4, 4),
        "conv2": (16, 4, 4),
        "relu2": (16, 4, 4),
        "pool2": (16, 2, 2),
        "fc1": (120,),
        "relu3": (120,),
        "fc2": (84,),
        "relu4": (84,),
        "fc3": (10,),
        "probabilities": (10,),
    }
    by_name = {layer.name: layer.array for layer in layers}
    assert by_name["relu1"].min() >= 0
    # Reference: 2x2 max pooling by hand; then conv1 by hand from the weights.
    relu1 = by_name["relu1"]
    assert np.allclose(by_name["pool1"], relu1.reshape(6, 4, 2, 4, 2).max(axis=(2, 4)))
    w = pretrained.network.conv1.weight.detach().numpy()[0, 0]
    b = pretrained.network.conv1.bias.detach().numpy()[0]
    padded = np.pad(image / 16.0, 1)
    by_hand = np.array(
        [[(padded[i : i + 3, j : j + 3] * w).sum() + b for j in range(8)] for i in range(8)]
    )
    assert np.allclose(by_name["conv1"][0], by_hand, atol=1e-5)
    assert layers[-1].kind == "softmax"
    assert np.allclose(by_name["probabilities"], pretrained.predict(image).probabilities[0])
    with pytest.raises(ValueError):
        pretrained.feature_maps(split.x_test[:2])


def test_stop_event_stops_between_batches() -> None:
    stop = threading.Event()
    model = get(MODEL_ID)
    result = model.train(CnnTrainConfig(epochs=50), progress=lambda p: stop.set(), stop=stop)
    assert result.stopped_early and len(result.history) == 1

    already = threading.Event()
    already.set()
    result = get(MODEL_ID).train(CnnTrainConfig(epochs=5), stop=already)
    assert result.stopped_early and result.history == []


def test_stop_from_another_thread_ends_a_long_run_quickly() -> None:
    stop = threading.Event()
    model = get(MODEL_ID)
    box = {}
    worker = threading.Thread(
        target=lambda: box.setdefault("r", model.train(CnnTrainConfig(epochs=200), stop=stop))
    )
    worker.start()
    time.sleep(0.3)
    stop.set()
    worker.join(10)
    assert not worker.is_alive()
    assert box["r"].stopped_early and len(box["r"].history) < 200


@pytest.mark.parametrize(
    "change",
    [
        {"learning_rate": float("nan")},
        {"learning_rate": 5.0},
        {"epochs": 0},
        {"batch_size": 5000},
        {"seed": -1},
    ],
)
def test_bad_config_is_refused_before_training(change) -> None:
    config = dataclasses.replace(CnnTrainConfig(), **change)
    with pytest.raises(ConfigError) as caught:
        get(MODEL_ID).train(config)
    field = next(iter(change))
    assert field in caught.value.messages["en"] and field in caught.value.messages["es"]


def test_divergence_stops_and_is_reported() -> None:
    model = get(MODEL_ID).pretrained()
    with torch.no_grad():
        model.network.fc3.bias[0] = float("nan")
    result = model.train(CnnTrainConfig(epochs=3))
    assert result.diverged and len(result.history) == 1
    assert math.isnan(result.history[0].loss)


def test_training_a_clone_leaves_the_shared_model_alone(pretrained) -> None:
    before = pretrained.state_dict()
    mine = pretrained.clone()
    mine.train(CnnTrainConfig(epochs=1))
    assert not same_weights(mine, pretrained)
    assert all(torch.equal(before[k], v) for k, v in pretrained.state_dict().items())
    assert same_weights(get(MODEL_ID).pretrained(), pretrained)  # the cache is untouched


def test_pretrained_checkpoint_accuracy_and_sidecar(pretrained) -> None:
    evaluation = pretrained.evaluate()
    assert evaluation.n == 450 and evaluation.confusion.sum() == 450
    assert evaluation.accuracy == pytest.approx(np.trace(evaluation.confusion) / 450)
    assert evaluation.accuracy >= PRETRAINED_FLOOR
    info = pretrained.checkpoint_info
    assert info.model_id == MODEL_ID and info.seed == 0
    assert info.config == dataclasses.asdict(CnnTrainConfig(**info.config))
    assert "stratified" in info.data and "seed 0" in info.data
    assert info.metrics["test_accuracy"] == pytest.approx(evaluation.accuracy, abs=0.005)
    assert {"torch", "numpy", "python"} <= set(info.versions)
    assert info.command.startswith("python -m lienzo.plugins.cnn.train_pretrained")
    assert PRETRAINED_STEM.with_suffix(".safetensors").stat().st_size < 1_000_000


def test_save_and_load_roundtrip(pretrained, split, tmp_path) -> None:
    pretrained.clone().save(tmp_path / "mine", pretrained.checkpoint_info)
    loaded = get(MODEL_ID).load(tmp_path / "mine")
    assert same_weights(loaded, pretrained) and not loaded.is_fresh
    assert np.array_equal(
        loaded.predict(split.x_test).labels, pretrained.predict(split.x_test).labels
    )


def test_drawings_reach_the_network(pretrained, split) -> None:
    # Dataset digits drawn large on a page and converted back are still recognised.
    digits = []
    for x in split.x_test[:100]:
        page = np.pad(np.kron(x / 16.0, np.ones((12, 12))), ((30, 20), (10, 40)))
        digits.append(image_to_digit(1.0 - page))  # dark ink on white paper
    accuracy = (pretrained.predict(np.array(digits)).labels == split.y_test[:100]).mean()
    assert accuracy >= 0.9
    # A hand-drawn ring is a zero.
    yy, xx = np.mgrid[:280, :280]
    ring = np.abs(np.hypot((yy - 140) / 100, (xx - 140) / 60) - 1) < 0.12
    assert pretrained.predict(image_to_digit(ring.astype(float))).labels[0] == 0
