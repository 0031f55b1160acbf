"""GAN lesson: a generator learns digits by fooling a discriminator; train one live, judge it."""

from __future__ import annotations

import dataclasses

import numpy as np
import streamlit as st

from lienzo.dashboard.components import charts
from lienzo.dashboard.components.language import option_labels, t
from lienzo.dashboard.components.messages import show_problem, show_unexpected
from lienzo.dashboard.components.model_cache import fresh_model, shared_pretrained
from lienzo.dashboard.components.training_state import show_job_state
from lienzo.dashboard.labs.gan import export_and_compare, judged, series, tile
from lienzo.dashboard.labs.training_job import DIVERGED, FAILED, TrainingJob
from lienzo.plugins.gan.results import (
    D_WINS,
    MODE_COLLAPSE,
    TARGET_CLASSES,
    TARGET_CONFIDENT_SHARE,
    diagnose,
)
from lienzo.registry import ConfigError, default_registry, validate_config

MODEL_ID = "gan-dcgan-digits"
JOB_KEY = "gan_job"
spec = default_registry().spec(MODEL_ID)
pretrained = shared_pretrained(MODEL_ID)
defaults = spec.default_config()


def own_model():
    """The learner's finished or stopped run, or None (a running or diverged one is not offered)."""
    job: TrainingJob | None = st.session_state.get(JOB_KEY)
    if job is None or job.running or job.status in (DIVERGED, FAILED) or not job.history:
        return None
    return job.model


def digits_figure(images: np.ndarray, title: str, columns: int = 8, height: int = 320):
    figure = charts.heatmap(tile(images, columns), title, zmin=0, zmax=16, height=height)
    figure.update_traces(hovertemplate="%{z:.1f}<extra></extra>")
    figure.update_xaxes(showgrid=False, zeroline=False)  # no lines across the gaps
    figure.update_yaxes(showgrid=False, zeroline=False)
    return figure


def show_judge(figures: dict, prefix: str = "") -> None:
    cols = st.columns(4)
    cols[0].metric(t("gan.confident_share"), f"{figures['confident_share']:.0%}")
    cols[1].metric(t("gan.classes_present"), f"{int(figures['classes_present'])} / 10")
    cols[2].metric(t("gan.entropy"), f"{figures['class_entropy_bits']:.2f}")
    cols[3].metric(t("gan.fd"), f"{figures['frechet_distance']:.1f}")


st.title(t("gan.title"))
st.markdown(t("gan.intro"))

# --- 1. Generate from a seed ----------------------------------------------------------
st.header(t("gan.generate_header"))
st.markdown(t("gan.generate_intro"))
seed = st.number_input(t("gan.seed"), 0, 2**31 - 1, 0, key="gan_generate_seed")
mine = own_model()
try:
    left, right = st.columns(2)
    left.plotly_chart(
        digits_figure(pretrained.generate(16, int(seed)), t("gan.model_pretrained"), 4),
        key="gan_generated_pretrained",
    )
    if mine is not None:
        right.plotly_chart(
            digits_figure(mine.generate(16, int(seed)), t("gan.model_own"), 4),
            key="gan_generated_own",
        )
        if mine.latent_dim != pretrained.latent_dim:
            right.caption(t("gan.other_latent", own=mine.latent_dim, theirs=pretrained.latent_dim))
    else:
        right.info(t("gan.own_missing"))
    metrics = (pretrained.checkpoint_info.metrics if pretrained.checkpoint_info else {}) or {}
    if "confident_share" in metrics:
        st.caption(t("gan.pretrained_figures", n=metrics["judge_n"], steps=metrics["steps"]))
        show_judge(metrics)
except Exception as error:  # noqa: BLE001
    show_unexpected(error)

# --- 2. Latent walk ----------------------------------------------------------------------
st.header(t("gan.walk_header"))
st.markdown(t("gan.walk_intro"))
cols = st.columns([1, 1, 1, 1])
seed_a = cols[0].number_input(t("gan.seed_a"), 0, 2**31 - 1, 1, key="gan_walk_a")
seed_b = cols[1].number_input(t("gan.seed_b"), 0, 2**31 - 1, 2, key="gan_walk_b")
walk_steps = cols[2].slider(t("gan.walk_steps"), 3, 16, 10, key="gan_walk_steps")
spherical = cols[3].toggle(t("gan.spherical"), False, key="gan_walk_spherical")
walk_choices = ["pretrained"] + (["own"] if mine is not None else [])
walk_model = st.radio(
    t("gan.model_label"),
    walk_choices,
    format_func=option_labels("gan.model_"),
    horizontal=True,
    key="gan_walk_model",
)
try:
    model = mine if walk_model == "own" and mine is not None else pretrained
    strip = model.latent_walk(int(seed_a), int(seed_b), int(walk_steps), spherical=spherical)
    st.plotly_chart(
        digits_figure(strip, t("gan.walk_title"), columns=len(strip), height=170),
        key="gan_walk_plot",
    )
except ValueError as error:
    show_problem({"es": str(error), "en": str(error)})
except Exception as error:  # noqa: BLE001
    show_unexpected(error)

# --- 3. Train your own ----------------------------------------------------------------------
st.header(t("gan.train_header"))
st.markdown(t("gan.train_intro"))
cols = st.columns(4)
cols[0].number_input(
    t("gan.lr_g"), 0.0, 10.0, float(defaults.lr_g), step=1e-4, format="%.4f", key="gan_lr_g"
)
cols[1].number_input(
    t("gan.lr_d"), 0.0, 10.0, float(defaults.lr_d), step=1e-4, format="%.4f", key="gan_lr_d"
)
cols[2].number_input(t("gan.latent_dim"), 0, 1024, int(defaults.latent_dim), key="gan_latent")
cols[3].number_input(t("gan.batch_size"), 0, 4096, int(defaults.batch_size), key="gan_batch")
cols = st.columns(4)
cols[0].number_input(t("gan.d_steps"), 0, 50, int(defaults.d_steps), key="gan_d_steps")
cols[1].number_input(t("gan.steps"), 0, 100_000, int(defaults.steps), step=100, key="gan_steps")
cols[2].number_input(t("gan.train_seed"), 0, 2**31 - 1, 0, key="gan_train_seed")
st.caption(t("gan.settings_hint"))


def start_training() -> None:
    """Button callback: runs before the page, so the page already sees the job running."""
    state = st.session_state
    config = dataclasses.replace(
        defaults,
        lr_g=float(state["gan_lr_g"]),
        lr_d=float(state["gan_lr_d"]),
        latent_dim=int(state["gan_latent"]),
        batch_size=int(state["gan_batch"]),
        d_steps=int(state["gan_d_steps"]),
        steps=int(state["gan_steps"]),
        seed=int(state["gan_train_seed"]),
    )
    try:
        validate_config(config)
    except ConfigError as error:
        state["gan_config_error"] = error.messages
        return
    state.pop("gan_config_error", None)
    state.pop("gan_onnx", None)
    # A fresh registry object: the shared pretrained model is never trained.
    state[JOB_KEY] = TrainingJob(fresh_model(MODEL_ID), config).start()


def stop_training() -> None:
    job = st.session_state.get(JOB_KEY)
    if job is not None:
        job.stop()


job: TrainingJob | None = st.session_state.get(JOB_KEY)
running = job is not None and job.running
start, stop = st.columns(2)
start.button(
    t("gan.start"), key="gan_start", disabled=running, type="primary", on_click=start_training
)
stop.button(t("gan.stop"), key="gan_stop", disabled=not running, on_click=stop_training)
if "gan_config_error" in st.session_state:
    show_problem(st.session_state["gan_config_error"])


# Every 2 s: each redraw builds six charts in the server, and that Python work competes
# for the interpreter lock with the training thread (measured: a thread kept 30% busy
# slowed training by ~40%).
@st.fragment(run_every=2.0 if running else None)
def training_view() -> None:
    job: TrainingJob | None = st.session_state.get(JOB_KEY)
    if job is None:
        st.info(t("gan.no_run_yet"))
        return
    history = list(job.history)  # a snapshot: the thread keeps appending
    step = history[-1].epoch if history else 0
    show_job_state(
        job,
        "gan",
        step=step,
        steps=job.config.steps,
    )
    result = job.result
    if result is not None and result.seconds_to_target is not None:
        st.success(
            t(
                "gan.target_reached",
                seconds=f"{result.seconds_to_target:.0f}",
                steps=result.steps_to_target,
                share=f"{TARGET_CONFIDENT_SHARE:.0%}",
                classes=TARGET_CLASSES,
            )
        )
    for code in diagnose(history):
        if code == D_WINS:
            st.warning(t("gan.d_wins"))
        elif code == MODE_COLLAPSE:
            st.warning(t("gan.mode_collapse"))
    if not history:
        return

    left, right = st.columns(2)
    steps, loss_d = series(history, "loss_d")
    loss_g = series(history, "loss_g")[1]
    losses = charts.curves(
        steps, {t("gan.loss_d"): loss_d, t("gan.loss_g"): loss_g}, t("gan.loss_title"), ""
    )
    losses.update_layout(xaxis_title=t("gan.step"))
    left.plotly_chart(losses, key="gan_loss_curve")
    d_outputs = charts.curves(
        steps,
        {
            t("gan.d_real"): series(history, "d_real")[1],
            t("gan.d_fake"): series(history, "d_fake")[1],
        },
        t("gan.d_title"),
        "",
    )
    d_outputs.update_layout(xaxis_title=t("gan.step"), yaxis_range=[0, 1])
    right.plotly_chart(d_outputs, key="gan_d_curve")
    st.caption(t("gan.curves_note"))

    snapshots = judged(history)
    if not snapshots:
        return
    latest = snapshots[-1]
    left, right = st.columns(2)
    left.plotly_chart(
        digits_figure(latest.samples, t("gan.grid_title", step=latest.epoch), height=420),
        key="gan_grid",
    )
    shares = latest.histogram / max(1, latest.histogram.sum())
    hist = charts.bars([str(d) for d in range(10)], shares, t("gan.histogram_title"))
    hist.update_layout(height=420)
    right.plotly_chart(hist, key="gan_histogram")

    st.subheader(t("gan.judge_header"))
    show_judge(latest.extra)
    judge_steps = [p.epoch for p in snapshots]
    left, right = st.columns(2)
    quality = charts.curves(
        judge_steps,
        {
            t("gan.confident_share"): [p.extra["confident_share"] for p in snapshots],
            t("gan.classes_share"): [p.extra["classes_present"] / 10 for p in snapshots],
        },
        t("gan.quality_title"),
        "",
    )
    quality.update_layout(xaxis_title=t("gan.step"), yaxis_range=[0, 1.05])
    left.plotly_chart(quality, key="gan_quality_curve")
    distance = charts.curves(
        judge_steps,
        {t("gan.fd"): [p.extra["frechet_distance"] for p in snapshots]},
        t("gan.fd_title"),
        "",
    )
    distance.update_layout(xaxis_title=t("gan.step"), yaxis_type="log")
    right.plotly_chart(distance, key="gan_fd_curve")
    if running and not job.running:
        st.rerun()  # the run just ended: redraw the whole page (model choices, export)


training_view()

st.subheader(t("gan.judge_about_header"))
st.markdown(t("gan.judge_about"))

# --- 4. ONNX ---------------------------------------------------------------------------------
st.header(t("gan.onnx_header"))
st.markdown(t("gan.onnx_intro"))
onnx_choices = ["pretrained"] + (["own"] if mine is not None else [])
st.radio(
    t("gan.model_label"),
    onnx_choices,
    format_func=option_labels("gan.model_"),
    horizontal=True,
    key="gan_onnx_model",
)


def run_export() -> None:
    which = st.session_state.get("gan_onnx_model", "pretrained")
    model = own_model() if which == "own" else pretrained
    try:
        check = export_and_compare(model or pretrained, int(st.session_state["gan_generate_seed"]))
        st.session_state["gan_onnx"] = (which, check)
    except Exception as error:  # noqa: BLE001 - shown below as a clear message
        st.session_state["gan_onnx"] = (which, error)


st.button(t("gan.export"), key="gan_export", on_click=run_export)
if "gan_onnx" in st.session_state:
    which, check = st.session_state["gan_onnx"]
    if isinstance(check, Exception):
        show_unexpected(check)
    else:
        graph = check.report["graphs"][0]
        cols = st.columns(4)
        cols[0].metric(
            t("gan.onnx_passed"), t("gan.onnx_ok" if check.report["passed"] else "gan.onnx_failed")
        )
        cols[1].metric(t("gan.onnx_size"), f"{graph['file_bytes'] / 1024:.0f} KiB")
        cols[2].metric(t("gan.onnx_seconds"), f"{graph['export_seconds']:.1f} s")
        diff = graph["max_abs_diff"]
        cols[3].metric(t("gan.onnx_diff"), "—" if diff is None else f"{diff:.1e}")
        st.caption(
            t(
                "gan.onnx_report",
                model=t(f"gan.model_{which}"),
                opset=graph["opset"],
                batches=", ".join(str(b) for b in graph["batches_checked"]),
                tolerance=f"{graph['tolerance']:.0e}",
            )
        )
        for problem in check.problems:
            show_problem({"es": problem, "en": problem})
        if check.onnx_images is not None:
            left, right = st.columns(2)
            left.plotly_chart(
                digits_figure(check.torch_images, t("gan.onnx_torch"), 4, height=220),
                key="gan_onnx_torch",
            )
            right.plotly_chart(
                digits_figure(check.onnx_images, t("gan.onnx_runtime"), 4, height=220),
                key="gan_onnx_ort",
            )
            verdict = t(
                "gan.onnx_equal" if check.equal else "gan.onnx_different",
                diff=f"{check.max_abs_diff:.1e}",
                provider=check.provider,
            )
            (st.success if check.equal else st.error)(verdict)

# --- 5. Beyond the lab -----------------------------------------------------------------------
st.header(t("gan.beyond_header"))
st.markdown(t("gan.beyond"))
