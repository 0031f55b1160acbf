"""CNN lesson: a LeNet-5 reads a digit; see every layer; train your own and compare."""

from __future__ import annotations

import dataclasses

import numpy as np
import streamlit as st

from lienzo.dashboard.components import charts
from lienzo.dashboard.components.image_input import image_upload
from lienzo.dashboard.components.language import current_language, option_labels, t
from lienzo.dashboard.components.messages import show_problem, show_unexpected
from lienzo.dashboard.components.model_cache import fresh_model, shared_pretrained
from lienzo.dashboard.components.training_state import classifier_curves, show_job_state
from lienzo.dashboard.labs.training_job import DIVERGED, TrainingJob
from lienzo.plugins.datasets.digits import drawing_to_digit, image_to_digit, load_digits_split
from lienzo.registry import ConfigError, default_registry, validate_config
from lienzo.registry.spec import config_bounds

MODEL_ID = "cnn-lenet5"
JOB_KEY = "cnn_job"
lang = current_language()
spec = default_registry().spec(MODEL_ID)
pretrained = shared_pretrained(MODEL_ID)
split = load_digits_split()

st.title(t("cnn.title"))
st.markdown(t("cnn.intro"))

# --- 1. The input digit -------------------------------------------------------------
st.header(t("cnn.input_header"))
source = st.radio(
    t("cnn.source_label"),
    ["dataset", "draw", "upload"],
    format_func=option_labels("cnn.source_"),
    horizontal=True,
    key="cnn_source",
)
digit: np.ndarray | None = None
true_label: int | None = None
if source == "dataset":
    index = st.slider(t("cnn.sample_index"), 0, len(split.y_test) - 1, 0, key="cnn_index")
    digit, true_label = split.x_test[index], int(split.y_test[index])
    st.caption(t("cnn.true_label", label=true_label))
elif source == "upload":
    st.caption(t("cnn.upload_hint"))
    uploaded = image_upload("cnn", max_side=256)
    if uploaded is not None:
        digit = image_to_digit(uploaded.gray)
        if digit is None:
            show_problem("cnn.upload_empty")
else:
    st.caption(t("cnn.draw_hint"))
    try:
        from streamlit_drawable_canvas import st_canvas

        canvas = st_canvas(
            stroke_width=20,
            stroke_color="#FFFFFF",
            background_color="#000000",
            width=224,
            height=224,
            drawing_mode="freedraw",
            key="cnn_canvas",
        )
        if canvas is not None and canvas.image_data is not None:
            digit = drawing_to_digit(np.asarray(canvas.image_data, dtype=np.uint8))
    except ImportError:
        show_problem("cnn.canvas_missing")
    if digit is None:
        st.info(t("cnn.draw_empty"))

# --- 2. Prediction and feature maps ----------------------------------------------------
own_job: TrainingJob | None = st.session_state.get(JOB_KEY)
choices = ["pretrained"] + (
    ["own"] if own_job is not None and not own_job.running and own_job.history else []
)
which = st.radio(
    t("cnn.model_label"),
    choices,
    format_func=option_labels("cnn.model_"),
    horizontal=True,
    key="cnn_which_model",
)
model = own_job.model if which == "own" and own_job is not None else pretrained

if digit is not None:
    try:
        prediction = model.predict(digit)
        probabilities = prediction.probabilities[0]
        label = int(prediction.labels[0])
        left, right = st.columns([1, 2])
        left.plotly_chart(
            charts.heatmap(digit, t("cnn.input_title"), numbers=True, zmin=0, zmax=16, decimals=0),
            key="cnn_input_plot",
        )
        right.plotly_chart(
            charts.bars(
                [str(d) for d in range(10)], probabilities, t("cnn.probabilities_title"), label
            ),
            key="cnn_probabilities_plot",
        )
        verdict = t("cnn.prediction", label=label, confidence=f"{probabilities[label]:.0%}")
        if true_label is not None:
            verdict += " " + t("cnn.correct" if label == true_label else "cnn.wrong")
        st.subheader(verdict)

        st.header(t("cnn.maps_header"))
        st.markdown(t("cnn.maps_intro"))
        for layer in model.feature_maps(digit):
            description = t(f"cnn.layer_{layer.kind}")
            title = (
                f"{layer.name} · {description} · {' × '.join(str(n) for n in layer.array.shape)}"
            )
            if layer.array.ndim == 3:
                st.plotly_chart(charts.map_grid(layer.array, title), key=f"cnn_map_{layer.name}")
            elif layer.kind != "softmax":
                st.plotly_chart(
                    charts.heatmap(layer.array[None, :], title, height=120, colorscale="viridis"),
                    key=f"cnn_map_{layer.name}",
                )
    except ValueError as error:
        show_problem({"es": str(error), "en": str(error)})
    except Exception as error:  # noqa: BLE001
        show_unexpected(error)

# --- 3. Train your own -----------------------------------------------------------------
st.header(t("cnn.train_header"))
st.markdown(t("cnn.train_intro"))
defaults = spec.default_config()
bounds = config_bounds(type(defaults))
cols = st.columns(4)
epochs = cols[0].number_input(t("cnn.epochs"), int(bounds["epochs"][0]), 60, 8, key="cnn_epochs")
learning_rate = cols[1].number_input(
    t("cnn.learning_rate"),
    0.0,
    float(bounds["learning_rate"][1]),
    float(defaults.learning_rate),
    format="%.4f",
    key="cnn_lr",
)
batch_size = cols[2].select_slider(
    t("cnn.batch_size"), [8, 16, 32, 64, 128, 256], 64, key="cnn_batch"
)
seed = cols[3].number_input(t("cnn.seed"), 0, int(bounds["seed"][1]), 0, key="cnn_seed")


def start_training() -> None:
    """Button callback: runs before the page, so the page already sees the job running."""
    config = dataclasses.replace(
        defaults,
        epochs=int(st.session_state["cnn_epochs"]),
        learning_rate=float(st.session_state["cnn_lr"]),
        batch_size=int(st.session_state["cnn_batch"]),
        seed=int(st.session_state["cnn_seed"]),
    )
    try:
        validate_config(config)
    except ConfigError as error:
        st.session_state["cnn_config_error"] = error.messages
        return
    st.session_state.pop("cnn_config_error", None)
    st.session_state[JOB_KEY] = TrainingJob(fresh_model(MODEL_ID), config).start()


def stop_training() -> None:
    job = st.session_state.get(JOB_KEY)
    if job is not None:
        job.stop()


own_job = st.session_state.get(JOB_KEY)
running = own_job is not None and own_job.running
start, stop = st.columns(2)
start.button(
    t("cnn.start"), key="cnn_start", disabled=running, type="primary", on_click=start_training
)
stop.button(t("cnn.stop"), key="cnn_stop", disabled=not running, on_click=stop_training)
if "cnn_config_error" in st.session_state:
    show_problem(st.session_state["cnn_config_error"])


@st.fragment(run_every=1.0 if running else None)
def training_view() -> None:
    job: TrainingJob | None = st.session_state.get(JOB_KEY)
    if job is None:
        st.info(t("cnn.no_run_yet"))
        return
    history = job.history
    show_job_state(
        job,
        "cnn",
        epoch=len(history),
        epochs=job.config.epochs,
    )
    if history:
        classifier_curves(history, key="cnn")
    if running and not job.running:
        st.rerun()  # the run just ended: redraw the whole page (buttons, model choice)
    if not job.running and history and job.status != DIVERGED:
        compare(job)


def compare(job: TrainingJob) -> None:
    """The learner's network next to Lienzo's pretrained checkpoint, on the same held-out digits."""
    st.subheader(t("cnn.compare_header"))
    mine, theirs = job.model.evaluate(), pretrained.evaluate()
    left, right = st.columns(2)
    left.metric(
        t("cnn.model_own"),
        f"{mine.accuracy:.1%}",
        f"{(mine.accuracy - theirs.accuracy) * 100:+.1f} pp",
    )
    right.metric(t("cnn.model_pretrained"), f"{theirs.accuracy:.1%}")
    st.caption(
        t("cnn.compare_note", n=mine.n, epochs=len(job.history), seconds=f"{job.seconds:.1f}")
    )
    st.plotly_chart(
        charts.heatmap(
            mine.confusion,
            t("cnn.confusion_title"),
            numbers=True,
            colorscale="Blues",
            height=380,
            axis_labels=[str(d) for d in range(10)],
        ),
        key="cnn_confusion",
    )


training_view()
