"""Model specs and typed configs with bounds."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from lienzo.registry import ConfigError, ModelSpec, bounded, validate_config
from lienzo.registry.spec import config_bounds


@dataclass
class TrainConfig:
    epochs: int = bounded(10, 1, 100)
    learning_rate: float = bounded(1e-3, 1e-6, 1.0)


def make_spec(**changes) -> ModelSpec:
    values = dict(
        id="x",
        family="cnn",
        title={"es": "a", "en": "a"},
        summary={"es": "b", "en": "b"},
        capabilities=frozenset({"classify"}),
        config_class=TrainConfig,
        factory=TrainConfig,
    )
    values.update(changes)
    return ModelSpec(**values)


def test_valid_spec_has_no_problems() -> None:
    assert make_spec().problems() == []
    assert config_bounds(TrainConfig) == {"epochs": (1, 100), "learning_rate": (1e-6, 1.0)}


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"id": ""}, "id must be"),
        ({"family": "banana"}, "family"),
        ({"title": {"es": "solo"}}, "title"),
        ({"capabilities": frozenset({"fly"})}, "unknown capabilities"),
        ({"config_class": dict}, "dataclass"),
        ({"factory": 3}, "factory"),
    ],
)
def test_invalid_specs_say_why(changes: dict, fragment: str) -> None:
    assert any(fragment in problem for problem in make_spec(**changes).problems())


@pytest.mark.parametrize("value", [0, 101, -5])
def test_out_of_bounds_config_is_refused_in_both_languages(value: int) -> None:
    with pytest.raises(ConfigError) as caught:
        validate_config(TrainConfig(epochs=value))
    assert "epochs" in caught.value.messages["en"] and "entre" in caught.value.messages["es"]


@pytest.mark.parametrize("value", [math.nan, math.inf, 5.0])
def test_absurd_learning_rates_are_refused(value: float) -> None:
    with pytest.raises(ConfigError):
        validate_config(TrainConfig(learning_rate=value))
