"""Pooling: shrink a feature map by keeping the maximum or the mean of each window."""

from __future__ import annotations

import numpy as np
import streamlit as st

from lienzo.dashboard.components.image_input import image_input
from lienzo.dashboard.components.language import current_language, t
from lienzo.dashboard.components.matrix_figure import Box, chart_config, matrix_figure
from lienzo.dashboard.components.messages import show_problem, show_unexpected
from lienzo.dashboard.labs import pooling
from lienzo.dashboard.labs.errors import LabError, matrix_text, number

SIZES = (2, 3)
STRIDES = (1, 2, 3)
WINDOW_COLOURS = ("#f59e0b", "#2563eb", "#16a34a", "#db2777", "#7c3aed", "#0891b2")


def _fmt(value: float) -> str:
    return number(value, current_language(), digits=2)


def _matrix_text(values: np.ndarray) -> str:
    return matrix_text(values, current_language(), digits=2)


def _controls() -> tuple[str, int, int]:
    mode_labels = {mode: t(f"pooling.mode_{mode}") for mode in pooling.MODES}
    columns = st.columns(3)
    with columns[0]:
        mode = st.radio(
            t("pooling.mode_label"),
            pooling.MODES,
            format_func=mode_labels.__getitem__,
            key="pool_mode",
            horizontal=True,
        )
    with columns[1]:
        size = st.radio(
            t("pooling.size_label"),
            SIZES,
            format_func=lambda k: f"{k} × {k}",
            key="pool_size",
            horizontal=True,
        )
    with columns[2]:
        stride = st.radio(
            t("pooling.stride_label"), STRIDES, index=1, key="pool_stride", horizontal=True
        )
    return mode, size, stride


def _window_sentence(mode: str, window: pooling.Window) -> str:
    values = [_fmt(v) for v in window.values.ravel()]
    if mode == "max":
        formula = f"max({', '.join(values)})"
    else:
        formula = f"({' + '.join(values)}) / {window.values.size}"
    return t(
        "pooling.window_line",
        row=window.row,
        col=window.col,
        formula=formula,
        result=_fmt(window.result),
    )


def _worked(mode: str, size: int, stride: int) -> None:
    st.header(t("pooling.worked_header"))
    example = pooling.MAX_EXAMPLE if mode == "max" else pooling.AVG_EXAMPLE
    st.markdown(t(f"pooling.worked_input_{mode}"))
    output = pooling.pool(example, mode, size, stride)
    found = pooling.windows(example, mode, size, stride)
    boxes = [
        Box(w.top, w.left, size, size, colour=WINDOW_COLOURS[i % len(WINDOW_COLOURS)])
        for i, w in enumerate(found)
    ]
    out_boxes = [
        Box(w.row, w.col, 1, 1, colour=WINDOW_COLOURS[i % len(WINDOW_COLOURS)])
        for i, w in enumerate(found)
    ]
    panels = st.columns(2)
    with panels[0]:
        st.markdown(t("pooling.panel_input"))
        st.plotly_chart(
            matrix_figure(example, zmin=0, zmax=255, boxes=boxes, number_format=".0f"),
            key="pool_input_plot",
            config=chart_config(),
        )
    with panels[1]:
        st.markdown(t("pooling.panel_output"))
        st.plotly_chart(
            matrix_figure(output, zmin=0, zmax=255, boxes=out_boxes, number_format=".4~f"),
            key="pool_output_plot",
            config=chart_config(),
        )
    st.markdown("\n".join(f"- {_window_sentence(mode, w)}" for w in found))
    st.markdown(t("pooling.output_matrix", matrix=_matrix_text(output)))
    n = example.shape[0]
    st.markdown(
        t(
            "pooling.size_formula",
            n=n,
            k=size,
            s=stride,
            out=pooling.output_size(n, size, stride),
        )
    )
    if stride < size:
        st.caption(t("pooling.overlap_note"))
    elif stride > size:
        st.caption(t("pooling.gap_note"))
    if mode == "avg":
        halves = [w.result for w in found if w.result % 1 == 0.5]
        if halves:
            choices = pooling.rounding_choices(halves[0])
            st.info(
                t(
                    "pooling.rounding_note",
                    value=_fmt(halves[0]),
                    even=choices["half_to_even"],
                    down=choices["down"],
                    up=choices["half_up"],
                ),
                icon="ℹ️",
            )


def _on_image(mode: str, size: int, stride: int) -> None:
    st.header(t("pooling.image_header"))
    st.markdown(t("pooling.image_intro"))
    loaded = image_input("pool", default="camera", max_side=1024)
    if loaded is None:
        return
    times = st.slider(t("pooling.times_label"), 1, 3, 1, key="pool_times")
    colour = not loaded.is_grey
    values = loaded.rgb.astype(np.float64) if colour else loaded.gray_255
    shapes = [values.shape]
    for _ in range(times):
        values = pooling.pool(values, mode, size, stride)
        shapes.append(values.shape)
    result = np.clip(np.rint(values), 0, 255).astype(np.uint8)
    before, after = loaded.height * loaded.width, result.shape[0] * result.shape[1]
    panels = st.columns(2)
    with panels[0]:
        st.image(
            loaded.rgb,
            caption=t("pooling.image_before", h=loaded.height, w=loaded.width),
            width="stretch",
        )
    with panels[1]:
        st.image(
            result,
            caption=t("pooling.image_after", h=result.shape[0], w=result.shape[1]),
            width="stretch",
        )
    chain = " → ".join(f"{shape[0]} × {shape[1]}" for shape in shapes)
    st.markdown(
        t(
            "pooling.image_reduction",
            chain=chain,
            before=before,
            after=after,
            percent=number(100 * after / before, current_language(), digits=1),
        )
    )
    st.caption(t("pooling.image_same_width"))


st.title(t("pooling.title"))
st.markdown(t("pooling.intro"))
try:
    chosen_mode, chosen_size, chosen_stride = _controls()
    _worked(chosen_mode, chosen_size, chosen_stride)
    _on_image(chosen_mode, chosen_size, chosen_stride)
except LabError as error:
    show_problem(error.messages)
except Exception as error:  # noqa: BLE001 - a sentence for the learner, details in the log
    show_unexpected(error)

st.header(t("pooling.learn_header"))
st.markdown(t("pooling.learn_body"))
