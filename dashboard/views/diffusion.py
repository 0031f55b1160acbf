"""Diffusion lesson: noise any image step by step, then watch a UNet draw digits out of noise."""

from __future__ import annotations

import dataclasses
import tempfile
import time

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from lienzo.dashboard.components import charts
from lienzo.dashboard.components.image_input import image_input
from lienzo.dashboard.components.language import current_language, option_labels, t
from lienzo.dashboard.components.messages import show_problem, show_unexpected
from lienzo.dashboard.components.model_cache import fresh_model, shared_pretrained
from lienzo.dashboard.components.training_state import show_job_state
from lienzo.dashboard.labs.training_job import DIVERGED, FAILED, TrainingJob
from lienzo.plugins.datasets.digits import load_digits_split
from lienzo.plugins.diffusion.figures import (
    digit_grid,
    display_scale,
    enlarge,
    grid,
    unit_to_uint8,
)
from lienzo.plugins.diffusion.model import DEFAULT_GUIDANCE, PREVIEW_N, PREVIEW_SAMPLER
from lienzo.plugins.diffusion.sampling import (
    DEFAULT_SPACING,
    SAMPLERS,
    SPACINGS,
    check_steps,
    scheduler_timesteps,
)
from lienzo.plugins.diffusion.schedules import (
    BETA_SCHEDULES,
    USES_BETA_RANGE,
    NoiseSchedule,
    ScheduleConfig,
    gaussian_noise,
    measured_snr,
    noise_schedule,
    noisy_sequence,
    to_display_range,
    to_model_range,
)
from lienzo.registry import ConfigError, default_registry, validate_config
from lienzo.registry.judge import DigitJudge

MODEL_ID = "diffusion-digits"
JOB_KEY = "diffusion_job"
SAMPLES_KEY = "diffusion_samples"
ONNX_KEY = "diffusion_onnx"
lang = current_language()
split = load_digits_split()
spec = default_registry().spec(MODEL_ID)
pretrained = shared_pretrained(MODEL_ID)
MODEL_SCHEDULE = pretrained.schedule


@st.cache_data(show_spinner=False, max_entries=64)
def cached_schedule(config: ScheduleConfig) -> NoiseSchedule:
    return noise_schedule(config)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_timesteps(sampler: str, steps: int, spacing: str) -> np.ndarray:
    return scheduler_timesteps(sampler, steps, MODEL_SCHEDULE, spacing)


@st.cache_resource(show_spinner=False)
def pretrained_preview_figures() -> dict[str, float]:
    """The pretrained model judged exactly like a training preview (for the comparison)."""
    labels = np.arange(PREVIEW_N) % 10
    digits = pretrained.generate(labels, *PREVIEW_SAMPLER, guidance_scale=DEFAULT_GUIDANCE)
    report = DigitJudge.default().score(digits.digits)
    return {
        "confident_share": report.confident_share,
        "classes_present": float(report.classes_present),
        "frechet_distance": report.frechet_distance,
    }


def curve_with_marker(x: np.ndarray, y: np.ndarray, step: int, title: str) -> go.Figure:
    """A schedule curve against t with the chosen step marked."""
    figure = go.Figure(go.Scatter(x=x, y=y, mode="lines", showlegend=False))
    figure.add_trace(
        go.Scatter(
            x=[step],
            y=[y[step]],
            mode="markers",
            marker=dict(size=11, color="#e4572e"),
            name=f"t = {step}",
            showlegend=False,
        )
    )
    figure.update_layout(title=title, height=280, xaxis_title="t", **charts.COMPACT)
    return figure


def show_image(image: np.ndarray, caption: str, target: int = 192) -> None:
    """A uint8 image enlarged pixel by pixel to about ``target`` px on its longer side."""
    st.image(enlarge(image, display_scale(*image.shape[:2], target=target)), caption=caption)


st.title(t("diffusion.title"))
st.markdown(t("diffusion.intro"))
with st.expander(t("diffusion.symbols_header"), expanded=True):
    st.markdown(t("diffusion.symbols"))

# --- 1. The forward process ---------------------------------------------------------------
st.header(t("diffusion.forward_header"))
st.markdown(t("diffusion.forward_intro"))
source = st.radio(
    t("diffusion.source_label"),
    ["digit", "image"],
    format_func=option_labels("diffusion.source_"),
    horizontal=True,
    key="diffusion_source",
)
x0_unit: np.ndarray | None = None  # x_0 in 0..1: (H, W) grey or (H, W, 3) colour
if source == "digit":
    index = st.slider(t("diffusion.digit_index"), 0, len(split.y_test) - 1, 0, key="diffusion_idx")
    x0_unit = split.x_test[index] / 16.0  # (8, 8)
else:
    st.caption(t("diffusion.image_hint"))
    loaded = image_input("diffusion_forward", max_side=64)
    if loaded is not None:
        x0_unit = loaded.gray if loaded.is_grey else loaded.rgb / 255.0

cols = st.columns(4)
total_steps = cols[0].number_input(
    t("diffusion.T_label"), 2, 4000, 1000, step=50, key="diffusion_T", help=t("diffusion.T_help")
)
schedule_name = cols[1].selectbox(
    t("diffusion.schedule_label"),
    BETA_SCHEDULES,
    format_func=option_labels("diffusion.schedule_"),
    key="diffusion_schedule",
)
uses_range = schedule_name in USES_BETA_RANGE
beta_1 = cols[2].number_input(
    t("diffusion.beta_1"),
    0.0,
    1.0,
    1e-4,
    step=1e-4,
    format="%.5f",
    key="diffusion_beta1",
    disabled=not uses_range,
)
beta_last = cols[3].number_input(
    t("diffusion.beta_T"),
    0.0,
    1.0,
    0.02,
    step=0.005,
    format="%.4f",
    key="diffusion_betaT",
    disabled=not uses_range,
)
zero_snr = st.checkbox(
    t("diffusion.zero_snr"), key="diffusion_zero_snr", help=t("diffusion.zero_snr_help")
)
st.caption(t(f"diffusion.schedule_note_{schedule_name}"))

schedule: NoiseSchedule | None = None
try:
    config = ScheduleConfig(
        num_train_timesteps=int(total_steps),
        beta_schedule=schedule_name,
        beta_start=float(beta_1),
        beta_end=float(beta_last),
        rescale_betas_zero_snr=bool(zero_snr),
    )
    schedule = cached_schedule(config)
except ConfigError as error:
    show_problem(error.messages)
except Exception as error:  # noqa: BLE001
    show_unexpected(error)

if schedule is not None:
    last = schedule.T - 1
    if st.session_state.get("diffusion_t", 0) > last:
        st.session_state["diffusion_t"] = last  # T shrank under the slider
    st.session_state.setdefault("diffusion_t", min(100, last))
    step = st.slider(t("diffusion.t_label"), 0, last, key="diffusion_t", help=t("diffusion.t_help"))
    steps_axis = np.arange(schedule.T)
    left, right = st.columns(2)  # side by side when wide, stacked on a phone
    left.plotly_chart(
        curve_with_marker(steps_axis, schedule.betas, step, t("diffusion.beta_plot")),
        key="diffusion_beta_plot",
    )
    right.plotly_chart(
        curve_with_marker(steps_axis, schedule.alphas_cumprod, step, t("diffusion.abar_plot")),
        key="diffusion_abar_plot",
    )
    st.caption(t("diffusion.schedule_plot_note"))

    if x0_unit is not None:
        noise_seed = st.number_input(
            t("diffusion.noise_seed"), 0, 2**31 - 1, 0, key="diffusion_noise_seed"
        )
        try:
            x0 = to_model_range(x0_unit)  # -1..1
            z = gaussian_noise(x0.shape, int(noise_seed))
            strip_steps = sorted({int(s) for s in np.linspace(0, last, 8).round()} | {step})
            noisy = noisy_sequence(x0, strip_steps, z, config)  # (len, *x0.shape)
            x_t = noisy[strip_steps.index(step)]
            left, middle, right = st.columns(3)
            with left:
                show_image(unit_to_uint8(x0_unit), t("diffusion.x0_caption"))
            with middle:
                show_image(unit_to_uint8(to_display_range(z)), t("diffusion.z_caption"))
            with right:
                show_image(unit_to_uint8(to_display_range(x_t)), t("diffusion.xt_caption", t=step))
            abar = float(schedule.alphas_cumprod[step])
            snr = float(schedule.snr(step))
            metrics = st.columns(4)
            metrics[0].metric(t("diffusion.abar_metric"), f"{abar:.4f}")
            metrics[1].metric(t("diffusion.signal_metric"), f"{np.sqrt(abar):.3f}")
            snr_db = f" ({10 * np.log10(snr):.1f} dB)" if 0 < snr < np.inf else ""
            metrics[2].metric(t("diffusion.snr_metric"), f"{snr:.3g}{snr_db}")
            metrics[3].metric(
                t("diffusion.snr_measured_metric"), f"{measured_snr(x0, x_t, step, schedule):.3g}"
            )
            st.caption(t("diffusion.snr_note"))
            tiles = unit_to_uint8(to_display_range(noisy))
            scale = display_scale(*tiles.shape[1:3], target=96)
            st.image(grid(tiles, columns=len(strip_steps), scale=scale))
            st.caption(t("diffusion.strip_caption", steps=", ".join(str(s) for s in strip_steps)))
        except ConfigError as error:
            show_problem(error.messages)
        except Exception as error:  # noqa: BLE001
            show_unexpected(error)

# --- 2. The reverse process -------------------------------------------------------------------
st.header(t("diffusion.reverse_header"))
params = pretrained.parameter_count()
st.markdown(
    t(
        "diffusion.reverse_intro",
        params=f"{params:,}".replace(",", "." if lang == "es" else ","),
    )
)
own_job: TrainingJob | None = st.session_state.get(JOB_KEY)
own_ready = (
    own_job is not None
    and not own_job.running
    and own_job.status not in (DIVERGED, FAILED)
    and bool(own_job.history)
)
which = st.radio(
    t("diffusion.model_label"),
    ["pretrained"] + (["own"] if own_ready else []),
    format_func=option_labels("diffusion.model_"),
    horizontal=True,
    key="diffusion_which",
)
model = own_job.model if which == "own" and own_ready else pretrained

class_names = {d: str(d) for d in range(10)} | {10: t("diffusion.class_none")}
cols = st.columns(3)
wanted = cols[0].selectbox(
    t("diffusion.class_label"),
    list(class_names),
    format_func=class_names.__getitem__,
    key="diffusion_class",
)
count = cols[1].slider(t("diffusion.count"), 1, 16, 8, key="diffusion_count")
seed = cols[2].number_input(t("diffusion.seed"), 0, 2**31 - 1, 0, key="diffusion_seed")
cols = st.columns(4)
sampler = cols[0].selectbox(
    t("diffusion.sampler"),
    list(SAMPLERS),
    index=1,
    format_func=option_labels("diffusion.sampler_"),
    key="diffusion_sampler",
)
steps = cols[1].number_input(
    t("diffusion.steps"),
    value=50,
    step=1,
    max_value=MODEL_SCHEDULE.num_train_timesteps,
    key="diffusion_steps",
    help=t("diffusion.steps_help"),
)
spacing = cols[2].selectbox(
    t("diffusion.spacing"),
    SPACINGS,
    index=SPACINGS.index(DEFAULT_SPACING[sampler]),
    format_func=option_labels("diffusion.spacing_"),
    key=f"diffusion_spacing_{sampler}",
)
guidance = cols[3].slider(
    t("diffusion.guidance"),
    0.0,
    10.0,
    DEFAULT_GUIDANCE,
    0.5,
    key="diffusion_guidance",
    help=t("diffusion.guidance_help"),
)
precision = st.radio(
    t("diffusion.precision"),
    ["float32", "float16"],
    horizontal=True,
    key="diffusion_precision",
    help=t("diffusion.precision_help"),
)
st.caption(t(f"diffusion.sampler_note_{sampler}"))

steps_ok = False
try:
    check_steps(int(steps), MODEL_SCHEDULE.num_train_timesteps)
    steps_ok = True
except ConfigError as error:
    show_problem(error.messages)

if steps_ok:
    with st.expander(t("diffusion.timesteps_header", steps=int(steps)), expanded=False):
        st.markdown(t("diffusion.timesteps_intro"))
        rows = []
        for option in SPACINGS:
            used = cached_timesteps(sampler, int(steps), option)
            rows.append(
                {
                    t("diffusion.spacing"): t(f"diffusion.spacing_{option}"),
                    t("diffusion.timesteps_first"): int(used[0]),
                    t("diffusion.timesteps_last"): int(used[-1]),
                    t("diffusion.timesteps_all"): " ".join(str(int(x)) for x in used),
                }
            )
        st.dataframe(rows, hide_index=True)

if st.button(t("diffusion.generate"), key="diffusion_generate", type="primary"):
    bar = st.progress(0.0, text=t("diffusion.generating"))
    try:
        st.session_state[SAMPLES_KEY] = model.generate(
            [int(wanted)] * int(count),
            sampler,
            int(steps),
            spacing=spacing,
            guidance_scale=float(guidance),
            seed=int(seed),
            record=6,
            dtype=precision,
            progress=lambda done, total: bar.progress(done / total, text=t("diffusion.generating")),
        )
    except ConfigError as error:
        st.session_state.pop(SAMPLES_KEY, None)
        show_problem(error.messages)
    except Exception as error:  # noqa: BLE001
        show_unexpected(error)
    bar.empty()

result = st.session_state.get(SAMPLES_KEY)
if result is not None:
    asked = class_names[int(result.labels[0])]
    st.subheader(t("diffusion.result_header", digit=asked))
    st.caption(
        t(
            "diffusion.result_caption",
            sampler=t(f"diffusion.sampler_{result.sampler}"),
            steps=result.num_steps,
            spacing=t(f"diffusion.spacing_{result.spacing}"),
            guidance=f"{result.guidance_scale:g}",
            seed=result.seed,
            seconds=f"{result.seconds:.2f}",
            calls=result.network_calls,
        )
    )
    st.image(digit_grid(result.digits, columns=8, scale=10))
    reading = DigitJudge.default().score(result.digits)
    read_as = ", ".join(str(int(d)) for d in np.repeat(np.arange(10), reading.class_histogram))
    st.caption(
        t(
            "diffusion.judge_reading",
            confident=f"{reading.confident_share:.0%}",
            classes=reading.classes_present,
            digits=read_as,
        )
    )
    if int(result.labels[0]) < 10:
        share = reading.class_histogram[int(result.labels[0])] / reading.n
        st.caption(t("diffusion.judge_match", share=f"{share:.0%}", digit=asked))
    if result.steps:
        st.markdown(t("diffusion.trajectory_intro"))
        shown = result.digits[: min(len(result.digits), 8)]
        xt_tiles = np.concatenate([s[2][: len(shown)] for s in result.steps])
        x0_tiles = np.concatenate([s[3][: len(shown)] for s in result.steps])
        left, right = st.columns(2)
        left.image(
            digit_grid(xt_tiles, columns=len(shown), scale=6), caption=t("diffusion.xt_rows")
        )
        right.image(
            digit_grid(x0_tiles, columns=len(shown), scale=6), caption=t("diffusion.x0_rows")
        )
        st.caption(
            t(
                "diffusion.rows_caption",
                rows=", ".join(f"{index + 1} (t = {step})" for index, step, _, _ in result.steps),
            )
        )

# --- 3. Quality against time -------------------------------------------------------------------
st.header(t("diffusion.compare_header"))

info = pretrained.checkpoint_info
comparison = (info.metrics.get("comparison") if info is not None else None) or []


def sampler_name(row: dict) -> str:
    return f"{t('diffusion.sampler_' + row['sampler'])} · {row['steps']}"


if comparison:
    judged_n = comparison[0]["n"]
    st.markdown(t("diffusion.compare_intro", n=judged_n))
    table = [
        {
            t("diffusion.col_sampler"): sampler_name(row),
            t("diffusion.col_seconds", n=judged_n): row["seconds"],
            t("diffusion.col_ms_per_digit"): round(1000 * row["seconds"] / row["n"], 1),
            t("diffusion.col_confident"): row["confident_share"],
            t("diffusion.col_classes"): row["classes_present"],
            t("diffusion.col_fd"): row["frechet_distance"],
        }
        for row in comparison
    ]
    st.dataframe(table, hide_index=True)
    names = [sampler_name(row) for row in comparison]
    left, right = st.columns(2)
    for column, field, title in (
        (left, "seconds", t("diffusion.col_seconds", n=judged_n)),
        (right, "frechet_distance", t("diffusion.col_fd")),
    ):
        bars = go.Figure(go.Bar(x=names, y=[row[field] for row in comparison]))
        bars.update_layout(title=title, height=280, **charts.COMPACT)
        column.plotly_chart(bars, key=f"diffusion_compare_{field}")
    st.caption(
        t(
            "diffusion.compare_note",
            n=comparison[0]["n"],
            guidance=f"{info.metrics.get('guidance_scale', DEFAULT_GUIDANCE):g}",
            command=info.command,
        )
    )
else:
    st.info(t("diffusion.compare_missing"))

# --- 4. Train your own ---------------------------------------------------------------------------
st.header(t("diffusion.train_header"))
st.markdown(t("diffusion.train_intro"))
defaults = spec.default_config()
cols = st.columns(5)
cols[0].number_input(
    t("diffusion.train_steps"), 1, 5000, 800, step=100, key="diffusion_train_steps"
)
cols[1].select_slider(
    t("diffusion.batch_size"), [16, 32, 64, 128, 256], defaults.batch_size, key="diffusion_batch"
)
cols[2].number_input(
    t("diffusion.learning_rate"),
    0.0,
    10.0,
    float(defaults.learning_rate),
    format="%.4f",
    key="diffusion_lr",
)
cols[3].slider(
    t("diffusion.label_dropout"),
    0.0,
    1.0,
    float(defaults.label_dropout),
    0.05,
    key="diffusion_dropout",
    help=t("diffusion.label_dropout_help"),
)
cols[4].number_input(t("diffusion.seed"), 0, 2**31 - 1, 0, key="diffusion_train_seed")


def start_training() -> None:
    """Button callback: runs before the page, so the page already sees the job running."""
    config = dataclasses.replace(
        defaults,
        steps=int(st.session_state["diffusion_train_steps"]),
        batch_size=int(st.session_state["diffusion_batch"]),
        learning_rate=float(st.session_state["diffusion_lr"]),
        label_dropout=float(st.session_state["diffusion_dropout"]),
        seed=int(st.session_state["diffusion_train_seed"]),
        judge_every=100,
    )
    try:
        validate_config(config)
    except ConfigError as error:
        st.session_state["diffusion_config_error"] = error.messages
        return
    st.session_state.pop("diffusion_config_error", None)
    st.session_state[JOB_KEY] = TrainingJob(fresh_model(MODEL_ID), config).start()


def stop_training() -> None:
    job = st.session_state.get(JOB_KEY)
    if job is not None:
        job.stop()


own_job = st.session_state.get(JOB_KEY)
running = own_job is not None and own_job.running
start, stop = st.columns(2)
start.button(
    t("diffusion.start"),
    key="diffusion_start",
    disabled=running,
    type="primary",
    on_click=start_training,
)
stop.button(t("diffusion.stop"), key="diffusion_stop", disabled=not running, on_click=stop_training)
if "diffusion_config_error" in st.session_state:
    show_problem(st.session_state["diffusion_config_error"])


@st.fragment(run_every=1.0 if running else None)
def training_view() -> None:
    job: TrainingJob | None = st.session_state.get(JOB_KEY)
    if job is None:
        st.info(t("diffusion.no_run_yet"))
        return
    history = job.history
    done = history[-1].epoch if history else 0
    show_job_state(
        job,
        "diffusion",
        step=done,
        steps=job.config.steps,
    )
    if history:
        judged = [p for p in history if p.judged]
        left, right = st.columns(2)
        loss_figure = charts.curves(
            [p.epoch for p in history],
            {t("diffusion.loss"): [p.loss for p in history]},
            t("diffusion.loss_title"),
            t("diffusion.loss"),
        )
        loss_figure.update_layout(
            xaxis_title=t("diffusion.step_axis"), xaxis_range=[0, job.config.steps]
        )
        left.plotly_chart(loss_figure, key="diffusion_loss_curve")
        if judged:
            quality = charts.curves(
                [p.epoch for p in judged],
                {t("diffusion.col_confident"): [p.extra["confident_share"] for p in judged]},
                t("diffusion.quality_title"),
                t("diffusion.col_confident"),
            )
            quality.update_layout(
                xaxis_title=t("diffusion.step_axis"),
                xaxis_range=[0, job.config.steps],
                yaxis_range=[0, 1.05],
            )
            right.plotly_chart(quality, key="diffusion_quality_curve")
            latest = judged[-1]
            st.image(
                digit_grid(latest.samples[:60], columns=10, scale=6),  # column = digit asked
                caption=t(
                    "diffusion.preview_caption",
                    step=latest.epoch,
                    confident=f"{latest.extra['confident_share']:.0%}",
                    classes=int(latest.extra["classes_present"]),
                    fd=f"{latest.extra['frechet_distance']:.1f}",
                ),
            )
    if running and not job.running:
        st.rerun()  # the run just ended: redraw the whole page (buttons, model choice)
    if not job.running and job.status != DIVERGED and job.result is not None:
        compare_with_pretrained(job)


def compare_with_pretrained(job: TrainingJob) -> None:
    """The learner's last judged preview beside the pretrained model judged the same way."""
    last = job.result.last_judged
    if last is None:
        return
    st.subheader(t("diffusion.own_vs_pretrained"))
    theirs = pretrained_preview_figures()
    mine = last.extra
    cols = st.columns(3)
    cols[0].metric(
        t("diffusion.col_confident"),
        f"{mine['confident_share']:.0%}",
        f"{(mine['confident_share'] - theirs['confident_share']) * 100:+.0f} pp",
    )
    cols[1].metric(
        t("diffusion.col_classes"),
        f"{mine['classes_present']:.0f}",
        f"{mine['classes_present'] - theirs['classes_present']:+.0f}",
    )
    cols[2].metric(
        t("diffusion.col_fd"),
        f"{mine['frechet_distance']:.1f}",
        f"{mine['frechet_distance'] - theirs['frechet_distance']:+.1f}",
        delta_color="inverse",
    )
    reached = job.result.seconds_to_target
    st.caption(
        t(
            "diffusion.own_vs_pretrained_note",
            confident=f"{theirs['confident_share']:.0%}",
            classes=int(theirs["classes_present"]),
            fd=f"{theirs['frechet_distance']:.1f}",
            n=PREVIEW_N,
            target=(
                t(
                    "diffusion.target_reached",
                    seconds=f"{reached:.0f}",
                    step=job.result.steps_to_target,
                )
                if reached is not None
                else t("diffusion.target_missed")
            ),
        )
    )


training_view()

# --- 5. ONNX -------------------------------------------------------------------------------
st.header(t("diffusion.onnx_header"))
st.markdown(t("diffusion.onnx_intro"))


def run_onnx_check(chosen) -> dict:
    """Export the UNet, validate it, then sample the same digits with both runtimes."""
    from lienzo.registry.onnx_export import export_onnx
    from lienzo.registry.onnx_session import OnnxSession

    folder = st.session_state.setdefault("diffusion_onnx_dir", tempfile.mkdtemp(prefix="lienzo-"))
    report = export_onnx(chosen, folder)
    outcome = {"report": report.to_dict(), "passed": report.passed}
    if report.passed:
        session = OnnxSession(report.graphs[0].path)
        labels = np.arange(16) % 10
        started = time.perf_counter()
        eager = chosen.generate(labels, "ddim", 50, seed=0)
        eager_seconds = time.perf_counter() - started
        started = time.perf_counter()
        onnx = chosen.generate(labels, "ddim", 50, seed=0, onnx_session=session)
        onnx_seconds = time.perf_counter() - started
        outcome.update(
            provider=session.describe(),
            eager_seconds=eager_seconds,
            onnx_seconds=onnx_seconds,
            max_diff=float(np.abs(eager.digits - onnx.digits).max()),
            digits=onnx.digits,
        )
    return outcome


if st.button(t("diffusion.onnx_button"), key="diffusion_onnx_button"):
    with st.spinner(t("diffusion.onnx_running")):
        try:
            st.session_state[ONNX_KEY] = run_onnx_check(model)
        except ConfigError as error:
            show_problem(error.messages)
        except Exception as error:  # noqa: BLE001
            show_unexpected(error)

outcome = st.session_state.get(ONNX_KEY)
if outcome is not None:
    graph = outcome["report"]["graphs"][0]
    if outcome["passed"]:
        st.success(
            t(
                "diffusion.onnx_passed",
                batches=", ".join(str(b) for b in graph["batches_checked"]),
                diff=f"{graph['max_abs_diff']:.1e}",
                kib=f"{graph['file_bytes'] / 1024:.0f}",
                seconds=f"{graph['export_seconds']:.1f}",
                opset=graph["opset"],
            )
        )
        cols = st.columns(3)
        cols[0].metric(t("diffusion.onnx_eager"), f"{outcome['eager_seconds']:.2f} s")
        cols[1].metric(
            t("diffusion.onnx_runtime", provider=outcome["provider"]),
            f"{outcome['onnx_seconds']:.2f} s",
        )
        cols[2].metric(
            t("diffusion.onnx_ratio"), f"{outcome['eager_seconds'] / outcome['onnx_seconds']:.1f}×"
        )
        st.image(digit_grid(outcome["digits"], columns=8, scale=8))
        st.caption(t("diffusion.onnx_same", diff=f"{outcome['max_diff']:.2e}"))
    else:
        show_problem(
            {
                "es": t("diffusion.onnx_failed") + " " + "; ".join(graph["problems"]),
                "en": t("diffusion.onnx_failed") + " " + "; ".join(graph["problems"]),
            }
        )

st.divider()
st.markdown(t("diffusion.takeaways"))
