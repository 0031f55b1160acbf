"""How a live training run is doing, said the same way on every lab page."""

from __future__ import annotations

import streamlit as st

from lienzo.dashboard.components import charts
from lienzo.dashboard.components.language import current_language, t
from lienzo.dashboard.components.messages import show_problem
from lienzo.dashboard.labs.errors import number
from lienzo.dashboard.labs.training_job import DIVERGED, FAILED, TrainingJob


def show_job_state(job: TrainingJob, page: str, **progress: object) -> None:
    """The status line ``<page>.status_<status>`` (given ``progress`` and ``seconds``),
    then a clear message when the run failed or diverged (``<page>.diverged``)."""
    seconds = number(job.seconds, current_language(), digits=1)
    st.caption(t(f"{page}.status_{job.status}", seconds=seconds, **progress))
    if job.status == FAILED:
        # The technical detail stays, inside a sentence in the learner's language.
        st.error(t("common.unexpected_error", detail=job.error or "-"), icon="🛑")
    if job.status == DIVERGED:
        show_problem(f"{page}.diverged")


def classifier_curves(history: list, key: str) -> None:
    """Loss and accuracy per epoch, on the training set and the held-out digits, side by side."""
    epochs = [p.epoch for p in history]
    left, right = st.columns(2)
    for column, metric, value in (
        (left, "loss", lambda p, held: p.val_loss if held else p.loss),
        (right, "accuracy", lambda p, held: p.val_accuracy if held else p.accuracy),
    ):
        series = {
            t("training.train_set"): [value(p, False) for p in history],
            t("training.held_out"): [value(p, True) for p in history],
        }
        column.plotly_chart(
            charts.curves(
                epochs,
                series,
                t(f"training.{metric}_title"),
                t(f"training.{metric}"),
                t("training.epoch_axis"),
            ),
            key=f"{key}_{metric}_curve",
        )
