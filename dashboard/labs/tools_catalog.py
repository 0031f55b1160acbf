"""The market's image-generation tools, loaded from ``dashboard/data/tools.toml``."""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass

from lienzo.dashboard.labs.prompts import DATA_DIR

OPEN_WEIGHTS = ("yes", "no", "some")
API = ("yes", "no", "retired", "unconfirmed")


@dataclass(frozen=True)
class Tool:
    id: str
    name: str
    maker: str
    since: str
    url: str
    open_weights: str  # one of OPEN_WEIGHTS
    api: str  # one of API
    lienzo: str  # registry id of the adapter that calls it, "" when none
    access: Mapping[str, str]
    strengths: Mapping[str, str]
    licence: Mapping[str, str]


@functools.cache
def _data() -> dict:
    with (DATA_DIR / "tools.toml").open("rb") as handle:
        return tomllib.load(handle)


def tools() -> tuple[Tool, ...]:
    return tuple(Tool(**entry) for entry in _data()["tool"])


def checked() -> str:
    """When the facts were last checked, "YYYY-MM"."""
    return str(_data()["checked"])
