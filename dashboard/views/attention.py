"""Attention lesson: the formula by hand, a real transformer reads a sentence, images as tokens."""

from __future__ import annotations

import dataclasses
import tempfile

import numpy as np
import pandas as pd
import streamlit as st

from lienzo.dashboard.components import attention_figures as figures
from lienzo.dashboard.components import charts
from lienzo.dashboard.components.language import current_language, option_labels, t
from lienzo.dashboard.components.matrix_figure import chart_config
from lienzo.dashboard.components.messages import show_problem, show_unexpected
from lienzo.dashboard.components.model_cache import fresh_model, shared_pretrained
from lienzo.dashboard.components.training_state import classifier_curves, show_job_state
from lienzo.dashboard.labs.errors import number
from lienzo.dashboard.labs.training_job import DIVERGED, TrainingJob
from lienzo.plugins.datasets.digits import load_digits_split
from lienzo.plugins.transformer.attention_math import (
    MatrixError,
    attention_steps,
    default_matrices,
    read_matrix,
)
from lienzo.registry import ConfigError, default_registry

MINILM_ID, VIT_ID, CNN_ID = "transformer-minilm", "vit-digits", "cnn-lenet5"
JOB_KEY = "attention_vit_job"
EXAMPLES = ("es_1", "es_2", "es_3", "en_1", "en_2", "en_3")
MAX_TEXT = 600  # characters; the token limit below is what really bounds the work
lang = current_language()
registry = default_registry()


def percent(share: float) -> str:
    """0.971 -> "97,1 %" in Spanish, "97.1%" in English."""
    return number(share * 100, lang, 1) + (" %" if lang == "es" else "%")


def count(n: int) -> str:
    """18218 -> "18.218" in Spanish, "18,218" in English."""
    return f"{n:,}".replace(",", "." if lang == "es" else ",")


def num(value: float, digits: int = 3) -> str:
    """A number for a sentence, with the language's decimal mark (trailing zeros dropped)."""
    return number(float(value), lang, digits)


def vec(values, digits: int = 3) -> str:
    """[1.5, 2] in English, [1,5; 2] in Spanish (the comma is the decimal mark there)."""
    return "[" + ("; " if lang == "es" else ", ").join(num(x, digits) for x in values) + "]"


def points(delta: float) -> str:
    """An accuracy difference in percentage points: "+1,1 pp" / "+1.1 pp"."""
    return ("+" if delta >= 0 else "-") + number(abs(delta) * 100, lang) + " pp"


def plot(figure, key: str) -> None:
    st.plotly_chart(figure, key=key, config=chart_config())


st.title(t("attention.title"))
st.markdown(t("attention.intro"))
st.latex(
    r"\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{Q K^{\top}}{\sqrt{d}}\right) V"
)
st.markdown(t("attention.formula_explained"))

part = st.radio(
    t("attention.part_label"),
    ["calculator", "text", "images"],
    format_func=option_labels("attention.part_"),
    horizontal=True,
    key="attention_part",
)


# --- 1. The calculator ------------------------------------------------------------------


def calculator() -> None:
    st.header(t("attention.calc_header"))
    st.markdown(t("attention.calc_intro"))
    cols = st.columns([1, 1, 2])
    n = int(cols[0].number_input(t("attention.calc_tokens"), 2, 6, 3, key="attention_calc_n"))
    d = int(cols[1].number_input(t("attention.calc_d"), 1, 6, 2, key="attention_calc_d"))
    cols[2].button(
        t("attention.calc_reset"),
        key="attention_calc_reset",
        on_click=lambda: st.session_state.update(
            attention_calc_version=st.session_state.get("attention_calc_version", 0) + 1
        ),
    )
    version = st.session_state.get("attention_calc_version", 0)
    rows = [t("attention.token_n", n=i + 1) for i in range(n)]
    starting = default_matrices(n, d)
    tables = {}
    for column, name in zip(st.columns(3), ("Q", "K", "V"), strict=True):
        column.markdown(f"**{name}** · {t(f'attention.calc_{name.lower()}_role')}")
        frame = pd.DataFrame(starting[name], index=rows, columns=[f"d{j + 1}" for j in range(d)])
        tables[name] = column.data_editor(
            frame,
            key=f"attention_calc_{name}_{n}_{d}_{version}",
            num_rows="fixed",
            width="stretch",
        )
    try:
        q, k, v = (read_matrix(tables[name], name) for name in ("Q", "K", "V"))
    except MatrixError as error:
        show_problem(error.messages)
        return
    steps = attention_steps(q, k, v)

    st.subheader(t("attention.step1"))
    st.markdown(t("attention.step1_text"))
    left, right = st.columns(2)
    with left:
        plot(
            figures.token_heatmap(
                steps.scores, rows, rows, "Q Kᵀ", numbers=True, zmin=None, zmax=None
            ),
            "attention_calc_scores",
        )
    with right:
        pick_row = st.selectbox(
            t("attention.calc_row"),
            list(range(n)),
            format_func=rows.__getitem__,
            key=f"attention_calc_row_{n}",
        )
        i = min(int(pick_row), n - 1)
        j = int(np.argmax(steps.scores[i]))
        products = " + ".join(f"({num(q[i, c])})·({num(k[j, c])})" for c in range(d))
        st.markdown(
            t(
                "attention.calc_dot",
                i=i + 1,
                j=j + 1,
                products=products,
                value=num(steps.scores[i, j]),
            )
        )

    st.subheader(t("attention.step2"))
    left, right = st.columns(2)
    with left:
        plot(
            figures.token_heatmap(
                steps.scaled, rows, rows, f"Q Kᵀ / √{d}", numbers=True, zmin=None, zmax=None
            ),
            "attention_calc_scaled",
        )
    right.markdown(t("attention.step2_text", d=d, root=num(steps.scale)))

    st.subheader(t("attention.step3"))
    st.markdown(t("attention.step3_text"))
    left, right = st.columns(2)
    with left:
        plot(
            figures.token_heatmap(steps.weights, rows, rows, "softmax", numbers=True),
            "attention_calc_weights",
        )
    with right:
        total = steps.exponentials[i].sum()
        st.markdown(t("attention.calc_softmax_row", row=rows[i]))
        st.dataframe(
            pd.DataFrame(
                {
                    t("attention.col_scaled"): steps.scaled[i],
                    t("attention.col_exp"): steps.exponentials[i],
                    t("attention.col_weight"): steps.weights[i],
                },
                index=rows,
            ).round(4),
            width="stretch",
        )
        st.caption(t("attention.calc_softmax_sum", total=num(total, 4)))

    st.subheader(t("attention.step4"))
    st.markdown(t("attention.step4_text"))
    left, right = st.columns(2)
    with left:
        columns = [f"d{c + 1}" for c in range(v.shape[1])]
        plot(
            figures.token_heatmap(
                steps.output,
                columns,
                rows,
                t("attention.calc_output"),
                numbers=True,
                zmin=None,
                zmax=None,
                colorscale="Blues",
            ),
            "attention_calc_output",
        )
    with right:
        mix = " + ".join(f"{num(steps.weights[i, r])}·{vec(v[r])}" for r in range(n))
        result = vec(steps.output[i])
        st.markdown(t("attention.calc_mix", row=rows[i], mix=mix, result=result))
    st.info(t("attention.calc_try"))


# --- 2. MiniLM reads a sentence ------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def load_minilm():
    """MiniLM, loaded once per process and only read (~4 s the first time)."""
    return registry.get(MINILM_ID).load()


def use_example() -> None:
    st.session_state["attention_text"] = t(
        f"attention.example_{st.session_state['attention_example']}"
    )


def text_explorer() -> None:
    st.header(t("attention.text_header"))
    st.markdown(t("attention.text_intro"))
    first = EXAMPLES[0] if lang == "es" else EXAMPLES[3]
    st.session_state.setdefault("attention_example", first)
    if "attention_text" not in st.session_state:  # widget state is dropped on other parts
        st.session_state["attention_text"] = st.session_state.get(
            "attention_saved_text", t(f"attention.example_{first}")
        )
    examples = {key: t(f"attention.example_{key}") for key in EXAMPLES}
    st.selectbox(
        t("attention.example_label"),
        list(EXAMPLES),
        format_func=examples.__getitem__,
        key="attention_example",
        on_change=use_example,
    )
    text = st.text_area(t("attention.text_label"), key="attention_text", max_chars=MAX_TEXT)
    st.session_state["attention_saved_text"] = text
    max_tokens = st.slider(t("attention.max_tokens"), 8, 64, 40, key="attention_max_tokens")
    if not text.strip():
        st.info(t("attention.text_empty"))
        return
    try:
        with st.spinner(t("attention.loading")):
            minilm = load_minilm()
        result = minilm.attention(text, max_tokens=max_tokens)
    except ConfigError as error:
        show_problem(error.messages)
        return
    except Exception as error:  # noqa: BLE001
        show_unexpected(error)
        return
    shape = minilm.shape
    st.caption(
        t(
            "attention.model_facts",
            layers=shape["layers"],
            heads=shape["heads"],
            hidden=shape["hidden"],
            vocabulary=count(shape["vocabulary"]),
            seconds=number(minilm.load_seconds or 0.0, lang),
        )
    )
    if result.truncated:
        st.warning(t("attention.truncated", shown=len(result.tokens), total=result.total_tokens))

    tokens = result.tokens
    labels = [f"{i}·{token}" for i, token in enumerate(tokens)]
    st.subheader(t("attention.tokens_header", n=len(tokens)))
    st.markdown(" ".join(f"`{i}·{token}`" for i, token in enumerate(tokens)))
    st.markdown(t("attention.tokens_explained"))
    split = result.split_words
    if split:
        lines = [f"- **{word}** → {' · '.join(f'`{p}`' for p in pieces)}" for word, pieces in split]
        st.markdown(t("attention.split_words", count=len(split), words=len(result.words)))
        st.markdown("\n".join(lines[:12]))
        st.caption(t("attention.split_why"))
    else:
        st.success(t("attention.no_split"))

    st.subheader(t("attention.grid_header"))
    st.markdown(t("attention.grid_intro"))
    plot(
        figures.head_grid(
            result.weights,
            t("attention.grid_title"),
            t("attention.layer"),
            t("attention.head"),
            t("attention.head"),
        ),
        "attention_grid",
    )

    st.subheader(t("attention.zoom_header"))
    left, right = st.columns(2)
    layer = left.slider(t("attention.layer"), 1, shape["layers"], 1, key="attention_layer")
    head = right.slider(t("attention.head"), 1, shape["heads"], 1, key="attention_head")
    plot(
        figures.token_heatmap(
            result.weights[layer - 1, head - 1],
            labels,
            labels,
            t("attention.zoom_title", layer=layer, head=head),
            zmax=None,  # this head's own range, so weak patterns stay visible
        ),
        "attention_zoom",
    )
    st.caption(t("attention.zoom_caption"))

    st.subheader(t("attention.follow_header"))
    st.markdown(t("attention.follow_intro"))
    left, right = st.columns(2)
    token = left.selectbox(
        t("attention.follow_token"),
        list(range(len(tokens))),
        index=min(1, len(tokens) - 1),
        format_func=labels.__getitem__,
        key=f"attention_follow_token_{len(tokens)}",
    )
    token = min(int(token), len(tokens) - 1)
    how = right.radio(
        t("attention.follow_how"),
        ["mean", "head"],
        format_func=option_labels("attention.follow_"),
        key="attention_follow_how",
        horizontal=True,
    )
    follow = result.follow(token)  # (layers, heads, T)
    shares = follow[layer - 1].mean(axis=0) if how == "mean" else follow[layer - 1, head - 1]
    which = t("attention.all_heads") if how == "mean" else t("attention.one_head", head=head)
    plot(
        figures.token_bars(
            labels,
            shares,
            t("attention.follow_title", token=labels[token], layer=layer, which=which),
            highlight=token,
        ),
        "attention_follow_bars",
    )
    top = int(np.argmax(shares))
    st.markdown(
        t(
            "attention.follow_top",
            token=tokens[token],
            target=tokens[top],
            share=percent(shares[top]),
            layer=layer,
        )
    )
    by_layer = follow.mean(axis=1) if how == "mean" else follow[:, head - 1]  # (layers, T)
    plot(
        figures.token_heatmap(
            by_layer,
            labels,
            [t("attention.layer_n", n=i + 1) for i in range(shape["layers"])],
            t("attention.follow_layers_title", token=labels[token], which=which),
            hover="%{y} · %{x}: %{z:.3f}<extra></extra>",
        ),
        "attention_follow_layers",
    )
    st.caption(t("attention.follow_caption"))


# --- 3. Images as tokens: the digit ViT --------------------------------------------------------


def images_as_tokens() -> None:
    st.header(t("attention.vit_header"))
    st.markdown(t("attention.vit_intro"))
    pretrained = shared_pretrained(VIT_ID)
    split = load_digits_split()
    own: TrainingJob | None = st.session_state.get(JOB_KEY)
    choices = ["pretrained"] + (
        ["own"] if own is not None and not own.running and own.history else []
    )
    which = st.radio(
        t("attention.vit_model_label"),
        choices,
        format_func=option_labels("attention.vit_model_"),
        horizontal=True,
        key="attention_vit_which",
    )
    model = own.model if which == "own" and own is not None else pretrained
    index = st.slider(
        t("attention.vit_index"), 0, len(split.y_test) - 1, 0, key="attention_vit_index"
    )
    digit, true_label = split.x_test[index], int(split.y_test[index])
    try:
        seen = model.attention(digit)
        patch, grid = seen.patch_size, seen.grid
        left, right = st.columns(2)
        with left:
            plot(
                figures.digit_with_patches(
                    digit, patch, t("attention.vit_patches_title", n=grid * grid, side=patch)
                ),
                "attention_vit_patches",
            )
        with right:
            plot(
                charts.bars(
                    [str(c) for c in range(10)],
                    seen.probabilities,
                    t("attention.vit_probabilities"),
                    seen.label,
                ),
                "attention_vit_probabilities",
            )
        verdict = t(
            "attention.vit_prediction",
            label=seen.label,
            confidence=percent(float(seen.probabilities[seen.label])),
            true=true_label,
        )
        verdict += " " + t(
            "attention.vit_correct" if seen.label == true_label else "attention.vit_wrong"
        )
        st.subheader(verdict)
        st.markdown(t("attention.vit_tokens", n=grid * grid, tokens=grid * grid + 1, side=patch))
        layers, heads = seen.weights.shape[:2]
        overlays = np.stack(
            [np.stack([seen.overlay(l_, h) for h in range(heads)]) for l_ in range(layers)]
        )  # (layers, heads, 8, 8)
        plot(
            figures.patch_overlays(
                digit,
                overlays,
                seen.cls_to_itself,
                t("attention.vit_overlay_title"),
                t("attention.layer"),
                t("attention.head"),
                t("attention.vit_self"),
            ),
            "attention_vit_overlays",
        )
        st.caption(t("attention.vit_overlay_caption"))
    except ValueError as error:
        show_problem({"es": str(error), "en": str(error)})
    except Exception as error:  # noqa: BLE001
        show_unexpected(error)

    compare_with_cnn(pretrained)
    train_your_own()
    onnx_check(model)


def compare_with_cnn(pretrained) -> None:
    st.subheader(t("attention.vit_vs_cnn_header"))
    mine = pretrained.evaluate()
    cols = st.columns(2)
    cols[0].metric(t("attention.vit_name"), percent(mine.accuracy))
    cols[0].caption(t("attention.parameters", n=count(pretrained.parameter_count())))
    if CNN_ID in {spec.id for spec in registry.list()}:
        cnn = shared_pretrained(CNN_ID)
        info = cnn.checkpoint_info
        accuracy = info.metrics.get("test_accuracy") if info else None
        accuracy = accuracy if accuracy is not None else cnn.evaluate().accuracy
        cols[1].metric(
            t("attention.cnn_name"),
            percent(accuracy),
            points(accuracy - mine.accuracy),
        )
        cols[1].caption(t("attention.parameters", n=count(cnn.parameter_count())))
        st.markdown(
            t(
                "attention.result_cnn_wins"
                if accuracy > mine.accuracy
                else "attention.result_vit_wins"
            )
        )
    else:
        cols[1].info(t("attention.cnn_missing"))
    st.markdown(t("attention.vit_vs_cnn_text", n=mine.n))


def start_training() -> None:
    """Button callback: runs before the page, so the page already sees the job running."""
    spec = registry.spec(VIT_ID)
    config = dataclasses.replace(
        spec.default_config(),
        patch_size=int(st.session_state["attention_train_patch"]),
        epochs=int(st.session_state["attention_train_epochs"]),
        learning_rate=float(st.session_state["attention_train_lr"]),
        seed=int(st.session_state["attention_train_seed"]),
    )
    from lienzo.plugins.transformer.config import validate_vit_config

    try:
        validate_vit_config(config)
    except ConfigError as error:
        st.session_state["attention_config_error"] = error.messages
        return
    st.session_state.pop("attention_config_error", None)
    st.session_state[JOB_KEY] = TrainingJob(fresh_model(VIT_ID), config).start()


def stop_training() -> None:
    job = st.session_state.get(JOB_KEY)
    if job is not None:
        job.stop()


def train_your_own() -> None:
    st.subheader(t("attention.train_header"))
    st.markdown(t("attention.train_intro"))
    defaults = registry.spec(VIT_ID).default_config()
    cols = st.columns(4)
    cols[0].selectbox(
        t("attention.train_patch"),
        [2, 4],
        format_func=option_labels("attention.train_patch_"),
        key="attention_train_patch",
    )
    cols[1].number_input(
        t("attention.train_epochs"), 1, 100, defaults.epochs, key="attention_train_epochs"
    )
    cols[2].number_input(
        t("attention.train_lr"),
        0.0,
        10.0,
        float(defaults.learning_rate),
        format="%.4f",
        key="attention_train_lr",
    )
    cols[3].number_input(t("attention.train_seed"), 0, 2**31 - 1, 0, key="attention_train_seed")
    job: TrainingJob | None = st.session_state.get(JOB_KEY)
    running = job is not None and job.running
    start, stop = st.columns(2)
    start.button(
        t("attention.train_start"),
        key="attention_train_start",
        disabled=running,
        type="primary",
        on_click=start_training,
    )
    stop.button(
        t("attention.train_stop"),
        key="attention_train_stop",
        disabled=not running,
        on_click=stop_training,
    )
    if "attention_config_error" in st.session_state:
        show_problem(st.session_state["attention_config_error"])

    @st.fragment(run_every=1.0 if running else None)
    def training_view() -> None:
        _training_body(running)

    training_view()


def _training_body(was_running: bool) -> None:
    job: TrainingJob | None = st.session_state.get(JOB_KEY)
    if job is None:
        st.info(t("attention.no_run_yet"))
        return
    history = job.history
    show_job_state(
        job,
        "attention",
        epoch=len(history),
        epochs=job.config.epochs,
    )
    if history:
        classifier_curves(history, key="attention")
    if was_running and not job.running:
        st.rerun()  # the run just ended: redraw the whole page (buttons, model choice)
    if not job.running and history and job.status != DIVERGED:
        mine = job.model.evaluate()
        theirs = shared_pretrained(VIT_ID).evaluate()
        st.metric(
            t("attention.own_accuracy"),
            percent(mine.accuracy),
            points(mine.accuracy - theirs.accuracy),
        )
        st.caption(
            t(
                "attention.own_note",
                epochs=len(history),
                seconds=number(job.seconds, lang),
                pretrained=percent(theirs.accuracy),
            )
        )


def onnx_check(model) -> None:
    st.subheader(t("attention.onnx_header"))
    st.markdown(t("attention.onnx_intro"))
    if st.button(t("attention.onnx_button"), key="attention_onnx"):
        try:
            from lienzo.registry import export_onnx
            from lienzo.registry.bench import compare_latency
            from lienzo.registry.onnx_session import OnnxSession

            with st.spinner(t("attention.onnx_running")):
                folder = tempfile.mkdtemp(prefix="lienzo-vit-onnx-")
                report = export_onnx(model, folder)
                graph = report.graphs[0]
                agree, latency = None, None
                if report.passed:
                    x_test = load_digits_split().x_test
                    logits = OnnxSession(graph.path).run(x_test[:, None])[0]
                    agree = int((logits.argmax(1) == model.predict(x_test).labels).sum())
                    latency = compare_latency(model, graph.path, (64,), repeats=20)[0]
            st.session_state["attention_onnx_result"] = (report, agree, latency)
        except Exception as error:  # noqa: BLE001
            show_unexpected(error)
    found = st.session_state.get("attention_onnx_result")
    if not found:
        return
    report, agree, latency = found
    graph = report.graphs[0]
    if not report.passed:
        show_problem({"es": "; ".join(graph.problems), "en": "; ".join(graph.problems)})
        return
    st.success(
        t(
            "attention.onnx_passed",
            batches=", ".join(str(b) for b in graph.batches_checked),
            diff=f"{graph.max_abs_diff:.1e}",
            agree=agree,
            n=len(load_digits_split().y_test),
        )
    )
    cols = st.columns(3)
    cols[0].metric(t("attention.onnx_size"), f"{graph.file_bytes / 1024:.0f} KiB")
    cols[1].metric(t("attention.onnx_time"), f"{number(graph.export_seconds, lang)} s")
    cols[2].metric(t("attention.onnx_speed"), f"{number(latency.speedup, lang)}×")
    st.caption(
        t(
            "attention.onnx_note",
            provider=latency.provider,
            torch=number(latency.torch_ms, lang, 2),
            onnx=number(latency.onnx_ms, lang, 2),
        )
    )


# --- the page ---------------------------------------------------------------------------------

if part == "calculator":
    calculator()
elif part == "text":
    text_explorer()
else:
    images_as_tokens()

st.divider()
st.header(t("attention.uses_header"))
st.markdown(t("attention.uses_text"))
left, right = st.columns(2)
with left:
    st.subheader(t("attention.limits_header"))
    st.markdown(t("attention.limits_text"))
with right:
    st.subheader(t("attention.future_header"))
    st.markdown(t("attention.future_text"))
