"""Text-to-image lesson: a small model built like Stable Diffusion, part by part, with a score."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lienzo.dashboard.components import charts
from lienzo.dashboard.components.language import current_language, option_labels, t
from lienzo.dashboard.components.messages import show_problem, show_unexpected
from lienzo.dashboard.components.model_cache import fresh_model, shared_pretrained
from lienzo.dashboard.components.training_state import show_job_state
from lienzo.dashboard.labs.training_job import DIVERGED, TrainingJob
from lienzo.plugins.text_to_image import stable_diffusion
from lienzo.plugins.text_to_image.detector import Verdict, judge
from lienzo.plugins.text_to_image.figures import enlarge, framed_grid
from lienzo.plugins.text_to_image.model import (
    DEFAULT_GUIDANCE,
    DEFAULT_SAMPLER,
    DEFAULT_STEPS,
    Evaluation,
)
from lienzo.plugins.text_to_image.pipeline import SAMPLER_NAMES, PipelineRun
from lienzo.plugins.text_to_image.vocabulary import parse_prompt
from lienzo.registry import ConfigError, default_registry, validate_config

MODEL_ID = "txt2img-shapes"
JOB_KEY = "t2i_job"
RESULT_KEY = "t2i_result"
SET_KEY = "t2i_set"
SD_KEY = "t2i_sd_folder"
EXAMPLES = 6
ATTRIBUTES = ("shape", "colour", "position", "size")
lang = current_language()
spec = default_registry().spec(MODEL_ID)
try:
    pretrained = shared_pretrained(MODEL_ID)
except FileNotFoundError:
    st.title(t("text_to_image.title"))
    show_problem("text_to_image.no_checkpoint")
    st.stop()


@st.cache_resource(show_spinner=False, max_entries=8)
def pretrained_set_score(steps: int, guidance: float, sampler: str) -> Evaluation:
    """The shared model's score on the prompt set (the same for every session)."""
    return pretrained.evaluate(steps=steps, guidance=guidance, sampler=sampler)


@st.cache_resource(show_spinner=False, max_entries=1)
def local_stable_diffusion(folder: str):
    """One local Stable Diffusion folder per process (several GB: never two at once)."""
    return stable_diffusion.load_stable_diffusion(folder)


def value_label(attribute: str, value: str | None) -> str:
    return t("text_to_image.none") if value is None else t(f"text_to_image.{attribute}_{value}")


def verdict_text(verdict: Verdict) -> str:
    """One line per asked attribute: ✅/❌, what was found, what was asked."""
    if not verdict.checks:
        return t("text_to_image.nothing_checked")
    lines = []
    for attribute, ok in verdict.checks.items():
        found = value_label(attribute, getattr(verdict.detected.scene, attribute))
        asked = value_label(attribute, getattr(verdict.asked, attribute))
        name = t(f"text_to_image.attribute_{attribute}")
        lines.append(
            f"✅ {name}: {found}"
            if ok
            else "❌ " + t("text_to_image.wrong", name=name, found=found, asked=asked)
        )
    return "  \n".join(lines)


def embedding_figure(run: PipelineRun) -> go.Figure:
    """One row per token (and two rows of padding), one column per embedding dimension."""
    pieces = run.tokens.pieces[: run.embedding.shape[0]]
    rows = min(len(pieces) + 2, run.embedding.shape[0])
    labels = [f"{i + 1}. {piece}" for i, piece in enumerate(pieces)]
    labels += [f"{i + 1}. {t('text_to_image.padding_row')}" for i in range(len(pieces), rows)]
    values = run.embedding[:rows]
    # MiniLM has a few outlier dimensions (|x| ~ 6); clipping the colour range at the
    # 99th percentile keeps the other 380 dimensions visible.
    bound = float(np.percentile(np.abs(values), 99)) or 1.0
    figure = go.Figure(
        go.Heatmap(z=values, y=labels, colorscale="RdBu", zmin=-bound, zmax=bound, showscale=True)
    )
    figure.update_yaxes(autorange="reversed", type="category")
    figure.update_xaxes(title_text=t("text_to_image.embedding_dimension"))
    figure.update_layout(
        title=t("text_to_image.embedding_title"), height=120 + 18 * rows, **charts.COMPACT
    )
    return figure


st.title(t("text_to_image.title"))
st.markdown(t("text_to_image.intro"))
with st.expander(t("text_to_image.latent_header")):
    st.markdown(t("text_to_image.latent_text"))

# --- 1. Prompt and settings ----------------------------------------------------------------
st.header(t("text_to_image.prompt_header"))
st.session_state.setdefault("t2i_prompt", t("text_to_image.example_1"))


def use_example() -> None:
    choice = st.session_state.get("t2i_example")
    if choice:
        st.session_state["t2i_prompt"] = t(f"text_to_image.example_{choice}")


st.selectbox(
    t("text_to_image.examples_label"),
    [str(n) for n in range(1, EXAMPLES + 1)],
    index=None,
    placeholder=t("text_to_image.examples_placeholder"),
    format_func=option_labels("text_to_image.example_"),
    key="t2i_example",
    on_change=use_example,
)
prompt = st.text_input(t("text_to_image.prompt_label"), key="t2i_prompt", max_chars=300)
negative = st.text_input(
    t("text_to_image.negative_label"),
    key="t2i_negative",
    max_chars=300,
    help=t("text_to_image.negative_help"),
)
cols = st.columns(3)
guidance = cols[0].slider(
    t("text_to_image.guidance_label"),
    0.0,
    12.0,
    DEFAULT_GUIDANCE,
    0.5,
    key="t2i_guidance",
    help=t("text_to_image.guidance_help"),
)
steps = cols[1].slider(t("text_to_image.steps_label"), 1, 100, DEFAULT_STEPS, key="t2i_steps")
seed = cols[2].number_input(t("text_to_image.seed_label"), 0, 2**31 - 100, 0, key="t2i_seed")
cols = st.columns(3)
sampler = cols[0].selectbox(
    t("text_to_image.sampler_label"),
    SAMPLER_NAMES,
    index=SAMPLER_NAMES.index(DEFAULT_SAMPLER),
    format_func=option_labels("text_to_image.sampler_"),
    key="t2i_sampler",
)
count = cols[1].slider(t("text_to_image.count_label"), 1, 8, 4, key="t2i_count")
snapshot_count = cols[2].slider(t("text_to_image.snapshots_label"), 2, 8, 5, key="t2i_snapshots")

parsed = parse_prompt(prompt)
if prompt.strip() and not parsed.in_vocabulary:
    unknown = ", ".join(f"«{w}»" for w in parsed.unknown_words) or "—"
    st.warning(
        t("text_to_image.outside_vocabulary", words=unknown)
        if parsed.scene.shape is not None
        else t("text_to_image.no_shape", words=unknown)
    )

job: TrainingJob | None = st.session_state.get(JOB_KEY)
sd_folder: str | None = st.session_state.get(SD_KEY)
choices = ["pretrained"]
if job is not None and not job.running and job.history and job.status != DIVERGED:
    choices.append("own")
if sd_folder:
    choices.append("sd")
which = st.radio(
    t("text_to_image.model_label"),
    choices,
    format_func=option_labels("text_to_image.model_"),
    horizontal=True,
    key="t2i_which",
)

if st.button(t("text_to_image.generate"), type="primary", key="t2i_generate"):
    if not prompt.strip():
        show_problem("text_to_image.empty_prompt")
    else:
        try:
            bar = st.progress(0.0, text=t("text_to_image.generating"))
            report = lambda fraction, status: bar.progress(  # noqa: E731
                min(float(fraction), 1.0), text=t("text_to_image.generating")
            )
            options = dict(
                negative_prompt=negative,
                guidance=float(guidance),
                steps=int(steps),
                seed=int(seed),
                count=int(count),
                sampler=sampler,
                snapshots=int(snapshot_count),
                progress=report,
            )
            if which == "sd" and sd_folder:
                run = local_stable_diffusion(sd_folder).run(prompt, **options)
            else:
                model = job.model if which == "own" and job is not None else pretrained
                run = model.run(prompt, **options)
            bar.empty()
            st.session_state[RESULT_KEY] = {"run": run, "source": which}
        except stable_diffusion.StableDiffusionFolderError as error:
            show_problem(error.messages)
        except ConfigError as error:
            show_problem(error.messages)
        except Exception as error:  # noqa: BLE001
            show_unexpected(error)

# --- 2. The pipeline, part by part ------------------------------------------------------------
st.header(t("text_to_image.pipeline_header"))
st.graphviz_chart(
    f"""digraph {{
  rankdir=LR; node [shape=box, style="rounded,filled", fillcolor="#f4f1ea", fontname=Helvetica];
  prompt [label="{t("text_to_image.node_prompt")}", fillcolor="#ffffff"];
  encoder [label="{t("text_to_image.node_encoder")}", fillcolor="#dbe9f6"];
  noise [label="{t("text_to_image.node_noise")}", fillcolor="#ffffff"];
  unet [label="{t("text_to_image.node_unet")}", fillcolor="#fde2c8"];
  decoder [label="{t("text_to_image.node_decoder")}", fillcolor="#dff0d8"];
  image [label="{t("text_to_image.node_image")}", fillcolor="#ffffff"];
  prompt -> encoder; encoder -> unet [label="{t("text_to_image.edge_embeddings")}"];
  noise -> unet; unet -> unet [label="{t("text_to_image.edge_loop")}"];
  unet -> decoder [label="{t("text_to_image.edge_latent")}"]; decoder -> image;
}}""",
)
result = st.session_state.get(RESULT_KEY)
if result is None:
    st.info(t("text_to_image.no_result"))
else:
    run: PipelineRun = result["run"]
    is_shapes = result["source"] != "sd"
    st.caption(
        t(
            "text_to_image.timings",
            encoder=f"{run.seconds.get('text_encoder', 0):.2f}",
            denoiser=f"{run.seconds.get('denoiser', 0):.2f}",
            decoder=f"{run.seconds.get('decoder', 0):.2f}",
        )
    )
    # 2a. Text encoder.
    st.subheader(t("text_to_image.part_encoder"))
    st.markdown(t("text_to_image.tokens_intro", count=len(run.tokens.pieces)))
    st.markdown(" ".join(f"`{piece}`" for piece in run.tokens.pieces))
    if run.tokens.truncated:
        st.warning(t("text_to_image.truncated"))
    shape_text = " × ".join(str(n) for n in run.embedding_shape)
    st.markdown(t("text_to_image.embedding_intro", shape=shape_text))
    st.plotly_chart(embedding_figure(run), key="t2i_embedding_plot")
    # 2b. Denoiser loop.
    st.subheader(t("text_to_image.part_denoiser"))
    st.markdown(
        t(
            "text_to_image.denoiser_intro",
            steps=len(run.timesteps),
            latent=" × ".join(str(n) for n in run.latent_shape[1:]),
        )
    )
    scale = max(1, 128 // run.images.shape[1])
    columns = st.columns(len(run.snapshots)) if run.snapshots else []
    for column, snapshot in zip(columns, run.snapshots, strict=False):
        column.image(
            enlarge(snapshot.noisy_image, scale),
            caption=t("text_to_image.snapshot_xt", step=snapshot.step, t=snapshot.timestep),
        )
        if snapshot.predicted_image is not None:
            column.image(
                enlarge(snapshot.predicted_image, scale), caption=t("text_to_image.snapshot_x0")
            )
    if run.snapshots:
        st.caption(t("text_to_image.snapshot_note"))
        st.plotly_chart(
            charts.map_grid(run.snapshots[-1].latent, t("text_to_image.latent_title"), columns=4),
            key="t2i_latent_plot",
        )
    # 2c. Decoder and the adherence of each image.
    st.subheader(t("text_to_image.part_decoder"))
    asked = parse_prompt(run.prompt).scene
    verdicts = [judge(image, asked) for image in run.images] if is_shapes else []
    big = max(1, 192 // run.images.shape[1])
    columns = st.columns(min(4, len(run.images)))
    for index, image in enumerate(run.images):
        column = columns[index % len(columns)]
        column.image(
            enlarge(image, big), caption=t("text_to_image.image_caption", seed=run.seeds[index])
        )
        if run.flagged and run.flagged[index]:
            column.warning(t("text_to_image.flagged"))
        if verdicts:
            column.markdown(verdict_text(verdicts[index]))
    if is_shapes and verdicts and asked.asked():
        matched = sum(v.all_correct for v in verdicts)
        st.metric(t("text_to_image.score_label"), f"{matched}/{len(verdicts)}")
        st.caption(t("text_to_image.detector_note"))
    elif is_shapes:
        st.info(t("text_to_image.nothing_to_score"))
    else:
        st.info(t("text_to_image.sd_not_scored"))
    if is_shapes and not parse_prompt(run.prompt).in_vocabulary:
        st.info(t("text_to_image.only_knows_data"))

# --- 3. Adherence over the fixed prompt set ------------------------------------------------
st.header(t("text_to_image.set_header"))
st.markdown(t("text_to_image.set_intro"))
sidecar = pretrained.checkpoint_info.metrics if pretrained.checkpoint_info else {}
stored = sidecar.get("adherence", {})
unguided = sidecar.get("adherence_without_guidance", {}).get("shape_and_colour", 0.0)
ceiling = sidecar.get("autoencoder_reconstruction_adherence", {}).get("all_asked", 0.0)
if stored:
    cols = st.columns(5)
    for column, key in zip(
        cols, ("shape_and_colour", "shape", "colour", "position", "size"), strict=True
    ):
        value = stored.get(key)
        column.metric(t(f"text_to_image.rate_{key}"), "—" if value is None else f"{value:.0%}")
    st.caption(
        t(
            "text_to_image.set_stored_note",
            unguided=f"{unguided:.0%}",
            ceiling=f"{ceiling:.0%}",
            minutes=f"{sidecar.get('train_seconds', 0) / 60:.0f}",
        )
    )

set_source = st.radio(
    t("text_to_image.set_model_label"),
    [c for c in choices if c != "sd"],
    format_func=option_labels("text_to_image.model_"),
    horizontal=True,
    key="t2i_set_which",
)
if st.button(t("text_to_image.set_run"), key="t2i_set_run"):
    try:
        with st.spinner(t("text_to_image.set_running")):
            if set_source == "own" and job is not None:
                evaluation = job.model.evaluate(
                    steps=int(steps), guidance=float(guidance), sampler=sampler
                )
            else:
                evaluation = pretrained_set_score(int(steps), float(guidance), sampler)
        st.session_state[SET_KEY] = {"evaluation": evaluation, "source": set_source}
    except ConfigError as error:
        show_problem(error.messages)
    except Exception as error:  # noqa: BLE001
        show_unexpected(error)

scored = st.session_state.get(SET_KEY)
if scored is not None:
    evaluation: Evaluation = scored["evaluation"]
    summary = evaluation.report.summary()
    st.subheader(
        t(
            "text_to_image.set_result",
            model=t(f"text_to_image.model_{scored['source']}"),
            steps=evaluation.steps,
            guidance=f"{evaluation.guidance:g}",
            seconds=f"{evaluation.seconds:.1f}",
        )
    )
    cols = st.columns(5)
    for column, key in zip(
        cols, ("shape_and_colour", "shape", "colour", "position", "size"), strict=True
    ):
        value = summary.get(key)
        column.metric(t(f"text_to_image.rate_{key}"), "—" if value is None else f"{value:.0%}")
    marks = [v.shape_and_colour for v in evaluation.report.verdicts]
    st.image(framed_grid(evaluation.images, marks, columns=10, scale=3))
    st.caption(t("text_to_image.grid_note"))
    rows = []
    for prompt_item, image_seed, verdict in zip(
        evaluation.prompts, evaluation.seeds, evaluation.report.verdicts, strict=True
    ):
        row = {
            t("text_to_image.column_prompt"): prompt_item.text,
            t("text_to_image.column_seed"): image_seed,
        }
        for attribute in ATTRIBUTES:
            if attribute in verdict.checks:
                found = value_label(attribute, getattr(verdict.detected.scene, attribute))
                row[t(f"text_to_image.attribute_{attribute}")] = (
                    "✅ " if verdict.checks[attribute] else "❌ "
                ) + found
            else:
                row[t(f"text_to_image.attribute_{attribute}")] = ""
        rows.append(row)
    with st.expander(t("text_to_image.table_header")):
        st.dataframe(pd.DataFrame(rows), hide_index=True)

# --- 4. Train more ----------------------------------------------------------------------------
st.header(t("text_to_image.train_header"))
st.markdown(t("text_to_image.train_intro"))
defaults = spec.default_config()
cols = st.columns(5)
SCRATCH_LEARNING_RATE = 2e-3  # measured: 500 steps from scratch reach 40% (3e-4: less)


def suggest_learning_rate() -> None:
    """Fine-tuning wants small steps; a random UNet learns faster with larger ones."""
    scratch = st.session_state.get("t2i_start_from") == "scratch"
    st.session_state["t2i_lr"] = SCRATCH_LEARNING_RATE if scratch else defaults.learning_rate


start_from = cols[0].radio(
    t("text_to_image.start_label"),
    ["pretrained", "scratch"],
    format_func=option_labels("text_to_image.start_"),
    key="t2i_start_from",
    on_change=suggest_learning_rate,
)
train_steps = cols[1].number_input(
    t("text_to_image.train_steps"), 1, 5000, 200, key="t2i_train_steps"
)
learning_rate = cols[2].number_input(
    t("text_to_image.learning_rate"),
    0.0,
    10.0,
    float(defaults.learning_rate),
    format="%.5f",
    key="t2i_lr",
)
batch_size = cols[3].select_slider(
    t("text_to_image.batch_size"), [16, 32, 64, 128], 64, key="t2i_batch"
)
train_seed = cols[4].number_input(
    t("text_to_image.seed_label"), 0, 2**31 - 1, 0, key="t2i_train_seed"
)


def attach_score(model) -> None:
    """Runs in the training thread when training ends: the run is scored like the checkpoint."""
    model.evaluation = model.evaluate()


def start_training() -> None:
    """Button callback: runs before the page, so the page already sees the job running."""
    config = dataclasses.replace(
        defaults,
        steps=int(st.session_state["t2i_train_steps"]),
        learning_rate=float(st.session_state["t2i_lr"]),
        batch_size=int(st.session_state["t2i_batch"]),
        seed=int(st.session_state["t2i_train_seed"]),
        from_scratch=st.session_state["t2i_start_from"] == "scratch",
        report_every=max(1, int(st.session_state["t2i_train_steps"]) // 40),
    )
    try:
        validate_config(config)
    except ConfigError as error:
        st.session_state["t2i_config_error"] = error.messages
        return
    st.session_state.pop("t2i_config_error", None)
    # A new object of its own (a copy of the pretrained model): the shared one never changes.
    st.session_state[JOB_KEY] = TrainingJob(fresh_model(MODEL_ID), config).start(after=attach_score)


def stop_training() -> None:
    running_job = st.session_state.get(JOB_KEY)
    if running_job is not None:
        running_job.stop()


job = st.session_state.get(JOB_KEY)
running = job is not None and job.running
start, stop = st.columns(2)
start.button(
    t("text_to_image.start"),
    key="t2i_train_start",
    disabled=running,
    type="primary",
    on_click=start_training,
)
stop.button(
    t("text_to_image.stop"), key="t2i_train_stop", disabled=not running, on_click=stop_training
)
if "t2i_config_error" in st.session_state:
    show_problem(st.session_state["t2i_config_error"])


@st.fragment(run_every=2.0 if running else None)
def training_view() -> None:
    current: TrainingJob | None = st.session_state.get(JOB_KEY)
    if current is None:
        st.info(t("text_to_image.no_run_yet"))
        return
    history = list(current.history)
    done = int(history[-1].extra.get("step", 0)) if history else 0
    if current.running and not history:
        st.caption(t("text_to_image.preparing", seconds=f"{current.seconds:.0f}"))
    else:
        show_job_state(current, "text_to_image", step=done, steps=current.config.steps)
    if history:
        st.plotly_chart(
            charts.curves(
                [p.extra.get("step", p.epoch) for p in history],
                {t("text_to_image.loss"): [p.loss for p in history]},
                t("text_to_image.loss_title"),
                t("text_to_image.loss"),
            ).update_layout(xaxis_title=t("text_to_image.step_axis")),
            key="t2i_loss_curve",
        )
    if running and not current.running:
        st.rerun()  # the run just ended: redraw the page (model choice, buttons)
    own_score = getattr(current.model, "evaluation", None)
    if not current.running and own_score is not None and stored:
        st.subheader(t("text_to_image.compare_header"))
        mine = own_score.report.summary()
        left, right = st.columns(2)
        left.metric(
            t("text_to_image.model_own"),
            f"{mine['shape_and_colour']:.0%}",
            f"{(mine['shape_and_colour'] - stored['shape_and_colour']) * 100:+.0f} pp",
        )
        right.metric(t("text_to_image.model_pretrained"), f"{stored['shape_and_colour']:.0%}")
        st.caption(t("text_to_image.compare_note", steps=done, seconds=f"{current.seconds:.0f}"))
        st.image(
            framed_grid(own_score.images, [v.shape_and_colour for v in own_score.report.verdicts])
        )


training_view()

# --- 5. A real Stable Diffusion folder ----------------------------------------------------------
st.header(t("text_to_image.sd_header"))
st.markdown(t("text_to_image.sd_intro"))
if not stable_diffusion.allowed(st.secrets):
    st.info(t("text_to_image.sd_disabled", env=stable_diffusion.ALLOW_ENV))
    st.text_input(t("text_to_image.sd_path"), key="t2i_sd_path_off", disabled=True)
else:
    folder = st.text_input(
        t("text_to_image.sd_path"), key="t2i_sd_path", placeholder="/models/stable-diffusion-v1-5"
    )
    if st.button(t("text_to_image.sd_load"), key="t2i_sd_load"):
        try:
            with st.spinner(t("text_to_image.sd_loading")):
                loaded = local_stable_diffusion(str(stable_diffusion.check_folder(folder)))
            st.session_state[SD_KEY] = str(stable_diffusion.check_folder(folder))
            st.rerun()
        except stable_diffusion.StableDiffusionFolderError as error:
            show_problem(error.messages)
        except Exception as error:  # noqa: BLE001
            show_unexpected(error)
    if sd_folder:
        pipeline = local_stable_diffusion(sd_folder)
        side = pipeline.image_side
        st.success(
            t("text_to_image.sd_loaded", folder=sd_folder, encoder=pipeline.encoder.name, side=side)
        )
        st.caption(t("text_to_image.sd_cpu_note"))
