"""Pretrained models shared by every session, loaded once per process.

A shared model is only ever used for inference; training always happens on a new
object built by the registry, so one learner's run never changes another's model.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from lienzo.registry import default_registry


@st.cache_resource(show_spinner=False)
def shared_pretrained(model_id: str) -> Any:
    """The registry's model with its shipped checkpoint loaded (read-only by convention)."""
    model = default_registry().get(model_id)
    return type(model).pretrained() if hasattr(type(model), "pretrained") else model


def fresh_model(model_id: str) -> Any:
    """A new, untrained model object that belongs to the caller alone."""
    return default_registry().get(model_id)
