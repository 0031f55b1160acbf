"""Autoencoders lesson: compress digits to a code and back; interpolate, add codes, denoise,
sample from a VAE; train your own variant live and compare the four."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import numpy as np
import streamlit as st

from lienzo.dashboard.components import charts
from lienzo.dashboard.components.digit_figures import digit_grid, latent_scatter
from lienzo.dashboard.components.language import current_language, option_labels, t
from lienzo.dashboard.components.messages import show_problem, show_unexpected
from lienzo.dashboard.components.model_cache import fresh_model, shared_pretrained
from lienzo.dashboard.components.training_state import show_job_state
from lienzo.dashboard.labs import autoencoders as lab
from lienzo.dashboard.labs.training_job import DIVERGED, TrainingJob
from lienzo.plugins.datasets.digits import load_digits_split
from lienzo.registry import ConfigError, default_registry, validate_config

NAMES = {"ae-dense": "dense", "ae-conv": "conv", "ae-denoising": "denoising", "ae-vae": "vae"}
JOBS_KEY = "ae_jobs"  # {model id: TrainingJob}: the learner's runs, one per variant
lang = current_language()
registry = default_registry()
variants = [model_id for model_id in NAMES if model_id in {s.id for s in registry.list()}]
split = load_digits_split()
jobs: dict[str, TrainingJob] = st.session_state.setdefault(JOBS_KEY, {})


def number(value: float, digits: int = 2) -> str:
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "es" else text


st.title(t("autoencoders.title"))
st.markdown(t("autoencoders.intro"))

# --- 0. Which autoencoder ----------------------------------------------------------------
name = st.radio(
    t("autoencoders.variant_label"),
    [NAMES[model_id] for model_id in variants],
    format_func=option_labels("autoencoders.variant_"),
    horizontal=True,
    key="ae_variant",
)
variant = next(model_id for model_id, short in NAMES.items() if short == name)
st.markdown(t(f"autoencoders.about_{name}"))
pretrained = shared_pretrained(variant)
own_job = jobs.get(variant)
own_ready = own_job is not None and not own_job.running and bool(own_job.history)
which = st.radio(
    t("autoencoders.model_label"),
    ["pretrained", "own"] if own_ready else ["pretrained"],
    format_func=option_labels("autoencoders.model_"),
    horizontal=True,
    key=f"ae_which_{variant}",
)
model = own_job.model if which == "own" and own_ready else pretrained
if which == "own" and own_job is not None and own_job.status == DIVERGED:
    show_problem("autoencoders.own_diverged_model")
tag = f"{variant}_{which}"  # widgets whose range depends on the model get their own keys


def digit_picker(label: str, key: str, default_digit: int, column) -> np.ndarray:
    """A digit class and which of its held-out examples; returns the (8, 8) image."""
    left, right = column.columns(2)
    digit = left.selectbox(label, list(range(10)), index=default_digit, key=f"{key}_digit")
    # Each digit has 44-46 held-out examples; larger numbers wrap around.
    example = right.number_input(t("autoencoders.example"), 1, 99, 1, key=f"{key}_example")
    return lab.held_out_digit(digit, int(example) - 1)


# --- 1. Reconstructions --------------------------------------------------------------------
st.header(t("autoencoders.recon_header"))
st.markdown(t("autoencoders.recon_intro", dim=model.latent_dim))
try:
    start = st.slider(t("autoencoders.recon_start"), 0, len(split.x_test) - 8, 0, key="ae_first")
    shown = model.reconstruct(split.x_test[start : start + 8])
    titles = [
        f"{number(m, 1)} · {number(p, 1)} dB" for m, p in zip(shown.mse, shown.psnr, strict=True)
    ]
    st.plotly_chart(
        digit_grid(
            np.concatenate([shown.originals, shown.images]),
            [f"{t('autoencoders.label')} {y}" for y in split.y_test[start : start + 8]] + titles,
            columns=8,
            row_labels=[t("autoencoders.row_original"), t("autoencoders.row_decoded")],
        ),
        key="ae_recon_grid",
    )
    everything = model.evaluate()
    left, right = st.columns(2)
    left.metric(t("autoencoders.mean_mse"), number(everything.mean_mse))
    right.metric(t("autoencoders.mean_psnr"), f"{number(everything.mean_psnr, 1)} dB")
    st.caption(t("autoencoders.recon_note", n=len(everything.mse)))
except Exception as error:  # noqa: BLE001
    show_unexpected(error)

# --- 2. The latent map ---------------------------------------------------------------------
st.header(t("autoencoders.map_header"))
st.markdown(t("autoencoders.map_intro"))
try:
    where = model.latent_map(split.x_test)
    if where.method == "exact":
        st.info(t("autoencoders.map_exact"))
    else:
        st.info(
            t(
                "autoencoders.map_pca",
                dim=model.latent_dim,
                first=f"{where.explained[0]:.0%}",
                second=f"{where.explained[1]:.0%}",
            )
        )
    low, high = where.coords.min(axis=0), where.coords.max(axis=0)
    pad = 0.1 * (high - low)
    low, high = np.round(low - pad, 1), np.round(high + pad, 1)
    x_key, y_key, chart_key = f"ae_map_x_{tag}", f"ae_map_y_{tag}", f"ae_map_{tag}"
    centre = np.clip(np.round(where.coords.mean(axis=0), 2), low, high)
    for key, axis_low, axis_high in ((x_key, low[0], high[0]), (y_key, low[1], high[1])):
        if key in st.session_state:  # a retrained model of yours may have another range
            st.session_state[key] = float(np.clip(st.session_state[key], axis_low, axis_high))

    def clicked() -> None:
        """A click on the map moves the two sliders to the point (before the page reruns)."""
        points = st.session_state[chart_key].selection.points
        if points:
            st.session_state[x_key] = float(np.clip(round(points[0]["x"], 2), low[0], high[0]))
            st.session_state[y_key] = float(np.clip(round(points[0]["y"], 2), low[1], high[1]))

    map_column, decoded_column = st.columns([3, 1])
    with decoded_column:
        x = st.slider(
            t("autoencoders.map_x"), float(low[0]), float(high[0]), float(centre[0]), key=x_key
        )
        y = st.slider(
            t("autoencoders.map_y"), float(low[1]), float(high[1]), float(centre[1]), key=y_key
        )
        image = model.decode_map(where, [x, y])
        st.plotly_chart(
            digit_grid(image, [t("autoencoders.map_decoded")], tile_px=150),
            key="ae_map_decoded",
        )
    axis = "exact" if where.method == "exact" else "pca"
    map_column.plotly_chart(
        latent_scatter(
            where.coords,
            split.y_test,
            t("autoencoders.map_title", n=len(split.y_test)),
            t(f"autoencoders.map_axis1_{axis}"),
            t(f"autoencoders.map_axis2_{axis}"),
            t("autoencoders.label"),
            chosen=(x, y),
            chosen_name=t("autoencoders.map_chosen"),
        ),
        key=chart_key,
        on_select=clicked,
        selection_mode="points",
    )
    st.caption(t("autoencoders.map_hint"))
except Exception as error:  # noqa: BLE001
    show_unexpected(error)

# --- 3. Interpolation ----------------------------------------------------------------------
st.header(t("autoencoders.interp_header"))
st.markdown(t("autoencoders.interp_intro"))
try:
    pick_a, pick_b = st.columns(2)
    a = digit_picker(t("autoencoders.digit_a"), "ae_interp_a", 1, pick_a)
    b = digit_picker(t("autoencoders.digit_b"), "ae_interp_b", 7, pick_b)
    steps_column, path_column = st.columns(2)
    steps = steps_column.slider(t("autoencoders.interp_steps"), 3, 16, 10, key="ae_interp_n")
    paths = ["linear", "spherical"] if model.can_sample else ["linear"]
    path = path_column.radio(
        t("autoencoders.interp_path"),
        paths,
        format_func=option_labels("autoencoders.path_"),
        horizontal=True,
        key=f"ae_interp_path_{variant}",
    )
    walk = model.interpolate(a, b, steps, spherical=path == "spherical")
    st.plotly_chart(
        digit_grid(walk.images, [number(w, 2) for w in walk.weights]), key="ae_interp_strip"
    )
    norms = np.linalg.norm(walk.latents, axis=1)
    st.caption(
        t(
            "autoencoders.interp_note",
            start=number(norms[0]),
            middle=number(norms[len(norms) // 2]),
            end=number(norms[-1]),
        )
    )
    if not model.can_sample:
        st.caption(t("autoencoders.interp_spherical_vae_only"))
except Exception as error:  # noqa: BLE001
    show_unexpected(error)

# --- 4. Latent algebra ---------------------------------------------------------------------
st.header(t("autoencoders.algebra_header"))
st.markdown(t("autoencoders.algebra_intro"))
try:
    columns = st.columns([1, 1, 1, 2])
    chosen = [
        columns[i].selectbox(label, list(range(10)), index=default, key=f"ae_algebra_{key}")
        for i, (label, key, default) in enumerate(
            [
                (t("autoencoders.algebra_a"), "a", 7),
                (t("autoencoders.algebra_b"), "b", 1),
                (t("autoencoders.algebra_c"), "c", 4),
            ]
        )
    ]
    average = columns[3].toggle(t("autoencoders.algebra_average"), True, key="ae_algebra_mean")
    parts = [lab.all_of(d) if average else lab.held_out_digit(d, 0) for d in chosen]
    answer = model.latent_algebra(*parts)
    st.plotly_chart(
        digit_grid(
            np.concatenate([answer.parts, answer.image[None]]),
            [f"a ({chosen[0]})", f"− b ({chosen[1]})", f"+ c ({chosen[2]})", "= ?"],
            tile_px=110,
        ),
        key="ae_algebra_grid",
    )
    if "cnn-lenet5" in {s.id for s in registry.list()}:
        reading = shared_pretrained("cnn-lenet5").predict(answer.image)
        label = int(reading.labels[0])
        st.markdown(
            t(
                "autoencoders.algebra_reading",
                label=label,
                confidence=f"{reading.probabilities[0, label]:.0%}",
            )
        )
    st.caption(t("autoencoders.algebra_note"))
except Exception as error:  # noqa: BLE001
    show_unexpected(error)

# --- 5. Denoising --------------------------------------------------------------------------
st.header(t("autoencoders.denoise_header"))
st.markdown(t("autoencoders.denoise_intro"))
try:
    left, right = st.columns([3, 1])
    level = left.slider(t("autoencoders.noise_level"), 0.0, 1.0, 0.3, 0.05, key="ae_noise")
    noise_seed = right.number_input(t("autoencoders.noise_seed"), 0, 10_000, 0, key="ae_noise_seed")
    cleaned = model.denoise(split.x_test[start : start + 8], level, int(noise_seed))
    st.plotly_chart(
        digit_grid(
            np.concatenate([cleaned.noisy, cleaned.output, cleaned.clean]),
            [f"{number(p, 1)} dB" for p in cleaned.psnr_before]
            + [f"{number(p, 1)} dB" for p in cleaned.psnr_after]
            + [f"{t('autoencoders.label')} {y}" for y in split.y_test[start : start + 8]],
            columns=8,
            row_labels=[
                t("autoencoders.row_noisy"),
                t("autoencoders.row_output"),
                t("autoencoders.row_clean"),
            ],
        ),
        key="ae_denoise_grid",
    )
    before, after = float(cleaned.psnr_before.mean()), float(cleaned.psnr_after.mean())
    cols = st.columns(3)
    cols[0].metric(t("autoencoders.psnr_before"), f"{number(before, 1)} dB")
    cols[1].metric(t("autoencoders.psnr_after"), f"{number(after, 1)} dB")
    gain = ("+" if after >= before else "−") + number(abs(after - before), 1)
    cols[2].metric(t("autoencoders.psnr_gain"), f"{gain} dB")
    if variant != "ae-denoising":
        st.caption(t("autoencoders.denoise_other_variant"))
    st.markdown(t("autoencoders.denoise_render"))
except Exception as error:  # noqa: BLE001
    show_unexpected(error)

# --- 6. The VAE: a distribution per digit, and sampling ----------------------------------------
if model.can_sample:
    st.header(t("autoencoders.vae_header"))
    st.markdown(t("autoencoders.vae_intro"))
    try:
        means, stds = model.encode_distribution(a)
        figure = charts.bars(
            [f"z{i + 1}" for i in range(len(means[0]))], means[0], t("autoencoders.vae_code_title")
        )
        figure.update_traces(error_y=dict(type="data", array=stds[0], visible=True))
        figure.update_layout(yaxis_range=None)
        st.plotly_chart(figure, key="ae_vae_code")
        st.caption(t("autoencoders.vae_code_note"))

        st.subheader(t("autoencoders.sample_header"))
        left, right = st.columns(2)
        sample_seed = left.number_input(t("autoencoders.sample_seed"), 0, 10_000, 0, key="ae_seed")
        count = right.select_slider(
            t("autoencoders.sample_count"), [16, 32, 64], 32, key="ae_sample_count"
        )
        samples = model.sample(int(count), int(sample_seed))
        st.plotly_chart(digit_grid(samples, columns=16, tile_px=55), key="ae_samples")
        from lienzo.registry.judge import DigitJudge

        report = DigitJudge.default().score(model.sample(lab.JUDGE_SAMPLES, int(sample_seed)))
        cols = st.columns(4)
        cols[0].metric(t("autoencoders.judge_confident"), f"{report.confident_share:.0%}")
        cols[1].metric(t("autoencoders.judge_classes"), f"{report.classes_present} / 10")
        cols[2].metric(t("autoencoders.judge_entropy"), number(report.class_entropy_bits))
        cols[3].metric(t("autoencoders.judge_fd"), number(report.frechet_distance, 1))
        shares = report.class_histogram / max(report.n, 1)
        histogram = charts.bars(
            [str(d) for d in range(10)], shares, t("autoencoders.judge_histogram", n=report.n)
        )
        histogram.update_layout(yaxis_range=[0, max(0.25, float(shares.max()) * 1.2)])
        st.plotly_chart(histogram, key="ae_judge_histogram")
        st.caption(t("autoencoders.judge_note"))
    except Exception as error:  # noqa: BLE001
        show_unexpected(error)

# --- 7. Train your own -----------------------------------------------------------------------
section = 7 if model.can_sample else 6  # the VAE has one section more
st.header(t("autoencoders.train_header", number=section, variant=t(f"autoencoders.variant_{name}")))
st.markdown(t(f"autoencoders.train_intro_{'vae' if model.can_sample else 'ae'}"))
spec = registry.spec(variant)
defaults = spec.default_config()
cols = st.columns(5)
cols[0].select_slider(
    t("autoencoders.latent_dim"), [2, 3, 4, 6, 8, 12, 16], defaults.latent_dim, key="ae_latent"
)
cols[1].number_input(t("autoencoders.epochs"), 0, 1000, 30, key="ae_epochs")
cols[2].number_input(
    t("autoencoders.learning_rate"), 0.0, 10.0, defaults.learning_rate, format="%.4f", key="ae_lr"
)
cols[3].select_slider(t("autoencoders.batch_size"), [8, 16, 32, 64, 128, 256], 32, key="ae_batch")
cols[4].number_input(t("autoencoders.seed"), 0, 2**31 - 1, 0, key="ae_train_seed")
if variant == "ae-vae":
    st.slider(t("autoencoders.beta"), 0.0, 4.0, 0.5, 0.05, key="ae_beta")
    st.caption(t("autoencoders.beta_note"))
if variant == "ae-denoising":
    st.slider(t("autoencoders.train_noise"), 0.0, 1.0, 0.5, 0.05, key="ae_train_noise")

LIVE_JUDGE_SAMPLES = 256


def start_training() -> None:
    """Button callback: runs before the page, so the page already sees the job running."""
    changes = dict(
        latent_dim=int(st.session_state["ae_latent"]),
        epochs=int(st.session_state["ae_epochs"]),
        learning_rate=float(st.session_state["ae_lr"]),
        batch_size=int(st.session_state["ae_batch"]),
        seed=int(st.session_state["ae_train_seed"]),
    )
    if variant == "ae-vae":
        changes.update(beta=float(st.session_state["ae_beta"]), judge_samples=LIVE_JUDGE_SAMPLES)
    if variant == "ae-denoising":
        changes["noise_level"] = float(st.session_state["ae_train_noise"])
    config = dataclasses.replace(defaults, **changes)
    try:
        validate_config(config)
    except ConfigError as error:
        st.session_state["ae_config_error"] = error.messages
        return
    st.session_state.pop("ae_config_error", None)
    jobs[variant] = TrainingJob(fresh_model(variant), config).start()


def stop_training() -> None:
    for job in jobs.values():
        job.stop()


busy = [model_id for model_id, job in jobs.items() if job.running]
start_column, stop_column = st.columns(2)
start_column.button(
    t("autoencoders.start"),
    key="ae_start",
    disabled=bool(busy),
    type="primary",
    on_click=start_training,
)
stop_column.button(t("autoencoders.stop"), key="ae_stop", disabled=not busy, on_click=stop_training)
if busy and busy[0] != variant:
    st.info(t("autoencoders.busy_other", variant=t(f"autoencoders.variant_{NAMES[busy[0]]}")))
if "ae_config_error" in st.session_state:
    show_problem(st.session_state["ae_config_error"])


@st.fragment(run_every=1.0 if variant in busy else None)
def training_view() -> None:
    job = jobs.get(variant)
    if job is None:
        st.info(t("autoencoders.no_run_yet"))
        return
    history = job.history[:]  # the thread appends; draw one consistent copy
    show_job_state(
        job,
        "autoencoders",
        epoch=len(history),
        epochs=job.config.epochs,
    )
    if history:
        epochs = [p.epoch for p in history]
        left, right = st.columns(2)
        left.plotly_chart(
            charts.curves(
                epochs,
                {
                    t("autoencoders.train"): [p.loss for p in history],
                    t("autoencoders.held_out"): [p.val_loss for p in history],
                },
                t(f"autoencoders.loss_title_{'vae' if job.model.can_sample else 'ae'}"),
                t("autoencoders.loss"),
            ),
            key="ae_loss_curve",
        )
        right.plotly_chart(
            charts.curves(
                epochs,
                {t("autoencoders.held_out"): [p.extra.get("val_psnr") for p in history]},
                t("autoencoders.psnr_title"),
                "dB",
            ),
            key="ae_psnr_curve",
        )
        if job.model.can_sample:
            st.caption(t("autoencoders.loss_note_vae"))
            left, right = st.columns(2)
            left.plotly_chart(
                charts.curves(
                    epochs,
                    {
                        t("autoencoders.term_reconstruction"): [
                            p.extra.get("reconstruction") for p in history
                        ],
                        t("autoencoders.term_kl"): [p.extra.get("kl") for p in history],
                    },
                    t("autoencoders.terms_title", beta=number(job.config.beta)),
                    t("autoencoders.nats"),
                ),
                key="ae_terms_curve",
            )
            right.plotly_chart(
                charts.curves(
                    epochs,
                    {
                        t("autoencoders.judge_confident"): [
                            p.extra.get("judge_confident_share") for p in history
                        ],
                        t("autoencoders.judge_classes_share"): [
                            p.extra.get("judge_classes_present", 0) / 10 for p in history
                        ],
                    },
                    t("autoencoders.judge_history_title", n=job.config.judge_samples),
                    t("autoencoders.share"),
                ),
                key="ae_judge_curve",
            )
            live = getattr(job.model, "live_samples", None)
            if live is not None:
                st.plotly_chart(
                    digit_grid(live, columns=16, tile_px=50, title=t("autoencoders.live_samples")),
                    key="ae_live_samples",
                )
    if variant in busy and not job.running:
        st.rerun()  # the run just ended: redraw the whole page (buttons, model choice)
    if not job.running and history and job.status != DIVERGED:
        compare(job)


def compare(job: TrainingJob) -> None:
    """The learner's model next to Lienzo's pretrained one, on the same held-out digits."""
    st.subheader(t("autoencoders.compare_header"))
    mine, theirs = job.model.evaluate(), pretrained.evaluate()
    left, right = st.columns(2)
    left.metric(
        t("autoencoders.model_own"),
        f"{number(mine.mean_psnr, 1)} dB",
        f"{mine.mean_psnr - theirs.mean_psnr:+.1f} dB",
    )
    right.metric(t("autoencoders.model_pretrained"), f"{number(theirs.mean_psnr, 1)} dB")
    st.caption(
        t(
            "autoencoders.compare_note",
            n=len(mine.mse),
            mine=number(mine.mean_mse),
            theirs=number(theirs.mean_mse),
            epochs=len(job.history),
            seconds=f"{job.seconds:.1f}",
        )
    )


training_view()

# --- 8. Export to ONNX ----------------------------------------------------------------------------
st.subheader(t("autoencoders.export_header"))
st.markdown(t("autoencoders.export_intro"))


@st.cache_resource(show_spinner=False)
def export_pretrained(model_id: str):
    """Export once per process: the pretrained weights are the same for everyone."""
    from lienzo.registry.onnx_export import export_onnx

    return export_onnx(shared_pretrained(model_id), Path(tempfile.mkdtemp(prefix="lienzo-ae-")))


def export_current() -> None:
    from lienzo.registry.onnx_export import export_onnx

    if which == "own" and own_ready:
        out_dir = Path(tempfile.mkdtemp(prefix="lienzo-ae-own-"))
        report = export_onnx(own_job.model, out_dir)
        st.session_state["ae_export"] = (tag, report)
        if report.passed:  # the comparison table shows the size of your run's files
            sizes = st.session_state.setdefault("ae_own_onnx", {})
            sizes[variant] = (own_job, sum(g.file_bytes for g in report.graphs))
    else:
        st.session_state["ae_export"] = (tag, export_pretrained(variant))


if st.button(t("autoencoders.export_button"), key="ae_export_button"):
    try:
        with st.spinner(t("autoencoders.exporting")):
            export_current()
    except Exception as error:  # noqa: BLE001
        show_unexpected(error)
exported = st.session_state.get("ae_export")
if exported and exported[0] == tag:
    report = exported[1]
    for graph in report.graphs:
        if graph.passed:
            st.success(
                t(
                    "autoencoders.export_ok",
                    name=graph.name,
                    kib=f"{graph.file_bytes / 1024:.0f}",
                    diff=f"{graph.max_abs_diff:.1e}",
                    batches=", ".join(str(b) for b in graph.batches_checked),
                    seconds=f"{graph.export_seconds:.1f}",
                )
            )
            path = Path(graph.path)
            if path.is_file():
                st.download_button(
                    t("autoencoders.download", name=path.name),
                    path.read_bytes(),
                    file_name=path.name,
                    key=f"ae_download_{graph.name}",
                )
        else:
            problems = "; ".join(graph.problems)
            st.error(t("autoencoders.export_failed", name=graph.name, problems=problems), icon="⚠️")

# --- 9. The four variants side by side ----------------------------------------------------------
st.header(t("autoencoders.table_header", number=section + 1))
st.markdown(t("autoencoders.table_intro"))


@st.cache_resource(show_spinner=False)
def pretrained_figures(model_id: str) -> lab.VariantFigures:
    return lab.variant_figures(shared_pretrained(model_id), "pretrained")


def dash(value, digits: int = 2) -> str:
    if value is None:
        return "—"
    return f"{value:.0%}" if digits == -1 else number(value, digits)


try:
    rows: list[lab.VariantFigures] = [pretrained_figures(model_id) for model_id in variants]
    # The learner's finished runs, measured once per run (the judge takes a moment).
    own_rows: dict = st.session_state.setdefault("ae_own_rows", {})
    for model_id, job in jobs.items():
        if job.running or not job.history or job.status == DIVERGED:
            continue
        cached = own_rows.get(model_id)
        if cached is None or cached[0] is not job:
            figures = lab.variant_figures(job.model, "own", job.seconds, len(job.history))
            own_rows[model_id] = cached = (job, figures)
        exported_size = st.session_state.get("ae_own_onnx", {}).get(model_id)
        if exported_size is not None and exported_size[0] is job:
            cached[1].onnx_kib = exported_size[1] / 1024
        rows.append(cached[1])
    # One column per model, one row per figure: narrow enough for a phone.
    figures = [
        ("col_parameters", lambda row: f"{row.parameters:,}".replace(",", " ")),
        ("col_latent", lambda row: str(row.latent_dim)),
        ("col_seconds", lambda row: dash(row.train_seconds, 1)),
        ("col_epochs", lambda row: dash(row.epochs, 0)),
        ("col_mse", lambda row: dash(row.mse)),
        ("col_psnr", lambda row: dash(row.psnr_db, 1)),
        ("col_confident", lambda row: dash(row.confident_share, -1)),
        ("col_classes", lambda row: dash(row.classes_present, 0)),
        ("col_fd", lambda row: dash(row.frechet_distance, 1)),
        ("col_onnx", lambda row: dash(row.onnx_kib, 0)),
    ]
    headers = [
        t(f"autoencoders.variant_{NAMES[row.model_id]}")
        if row.source == "pretrained"
        else t("autoencoders.col_own", variant=t(f"autoencoders.variant_{NAMES[row.model_id]}"))
        for row in rows
    ]
    table = [
        {t("autoencoders.col_figure"): t(f"autoencoders.{key}")}
        | {header: show(row) for header, row in zip(headers, rows, strict=True)}
        for key, show in figures
    ]
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(t("autoencoders.table_note"))
except Exception as error:  # noqa: BLE001
    show_unexpected(error)
