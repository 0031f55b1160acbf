"""Convolution: slide a kernel over an image; see each output pixel computed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from lienzo.dashboard.components.image_input import image_input
from lienzo.dashboard.components.language import current_language, t
from lienzo.dashboard.components.matrix_figure import (
    DIVERGING_SCALE,
    Box,
    chart_config,
    matrix_figure,
)
from lienzo.dashboard.components.messages import show_problem, show_unexpected
from lienzo.dashboard.labs import convolution as conv
from lienzo.dashboard.labs.errors import LabError, matrix_text, number
from lienzo.dashboard.labs.image_loading import downscale, load_sample
from lienzo.dashboard.labs.pixels import to_display_uint8

INPUTS = ("worked", "image")
PRESET_OPTIONS = ("worked", *conv.KERNEL_PRESETS)
STRIDES = (1, 2, 3)
PADDINGS = (0, 1, 2)
IMAGE_SIDE = 512  # images are reduced to this for a fast, readable result


def _labels(prefix: str, options) -> dict:
    # Computed up front: AppTest calls format_func outside the session's language.
    return {option: t(f"{prefix}{option}") for option in options}


def _preset_kernel(name: str) -> np.ndarray:
    return conv.WORKED_KERNEL if name == "worked" else conv.KERNEL_PRESETS[name].kernel


def _fmt(value: float) -> str:
    return number(value, current_language(), digits=3)


def _kernel_editor(preset: str, size: int) -> np.ndarray:
    start = conv.embed(_preset_kernel(preset), size)
    columns = [str(c) for c in range(size)]
    table = pd.DataFrame(start, columns=columns)
    edited = st.data_editor(
        table,
        key=f"conv_kernel_{preset}_{size}",  # a new preset or size starts a fresh editor
        hide_index=True,
        column_config={
            c: st.column_config.NumberColumn(c, format="%.4g", step=0.001) for c in columns
        },
    )
    values = pd.DataFrame(edited).to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(values).any():
        raise LabError.from_key("convolution.error_empty_cell")
    return values


def _input_editor() -> np.ndarray:
    with st.expander(t("convolution.edit_input")):
        st.caption(t("convolution.edit_input_help"))
        columns = [str(c) for c in range(conv.WORKED_IMAGE.shape[1])]
        edited = st.data_editor(
            pd.DataFrame(conv.WORKED_IMAGE, columns=columns),
            key="conv_input_editor",
            hide_index=True,
            column_config={c: st.column_config.NumberColumn(c, format="%g") for c in columns},
        )
    values = pd.DataFrame(edited).to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(values).any():
        raise LabError.from_key("convolution.error_empty_cell")
    return values


def _size_formula(image: np.ndarray, kernel: np.ndarray, stride: int, padding: int) -> None:
    n_h, n_w = image.shape[:2]
    k_h, k_w = kernel.shape
    st.markdown(
        t(
            "convolution.size_formula",
            n=n_h,
            k=k_h,
            p=padding,
            s=stride,
            out=conv.output_size(n_h, k_h, stride, padding),
            n_w=n_w,
            out_w=conv.output_size(n_w, k_w, stride, padding),
        )
    )


def _small_example(image: np.ndarray, kernel: np.ndarray, stride: int, padding: int) -> None:
    output = conv.convolve(image, kernel, stride, padding)
    out_h, out_w = output.shape
    st.subheader(t("convolution.step_header"))
    pick = st.columns(2)
    with pick[0]:
        row = _position_slider(t("convolution.out_row"), out_h, f"conv_row_{out_h}x{out_w}")
    with pick[1]:
        col = _position_slider(t("convolution.out_col"), out_w, f"conv_col_{out_h}x{out_w}")
    step = conv.explain_position(image, kernel, stride, padding, row, col)

    padded = np.pad(image, padding)
    boxes = [Box(step.top, step.left, kernel.shape[0], kernel.shape[1])]
    if padding:
        boxes.insert(0, Box(padding, padding, image.shape[0], image.shape[1], colour="#2563eb"))
    low, high = float(min(padded.min(), 0)), float(max(padded.max(), 1))
    panels = st.columns([4, 3, 3])
    with panels[0]:
        st.markdown(t("convolution.panel_input"))
        st.plotly_chart(
            matrix_figure(padded, zmin=low, zmax=high, boxes=boxes),
            key="conv_input_plot",
            config=chart_config(),
        )
        if padding:
            st.caption(t("convolution.padding_caption", p=padding))
    with panels[1]:
        st.markdown(t("convolution.panel_kernel"))
        bound = float(np.abs(kernel).max()) or 1.0
        st.plotly_chart(
            matrix_figure(kernel, colorscale=DIVERGING_SCALE, zmin=-bound, zmax=bound),
            key="conv_kernel_plot",
            config=chart_config(),
        )
    with panels[2]:
        st.markdown(t("convolution.panel_output"))
        st.plotly_chart(
            matrix_figure(output, boxes=[Box(row, col, 1, 1)]),
            key="conv_output_plot",
            config=chart_config(),
        )
    terms = " + ".join(
        f"{_fmt(w)}·{_fmt(x)}" if w >= 0 else f"({_fmt(w)})·{_fmt(x)}"
        for w, x in zip(kernel.ravel(), step.patch.ravel(), strict=True)
    )
    st.markdown(t("convolution.step_sum", row=row, col=col, terms=terms, total=_fmt(step.total)))
    st.markdown(t("convolution.output_matrix", matrix=_matrix_text(output)))
    _size_formula(image, kernel, stride, padding)

    with st.expander(t("convolution.flip_header")):
        flipped = np.flip(kernel)
        st.markdown(t("convolution.flip_body"))
        st.markdown(
            t(
                "convolution.flip_result",
                matrix=_matrix_text(conv.convolve(image, flipped, stride, padding)),
                same=t("convolution.flip_same")
                if np.allclose(flipped, kernel)
                else t("convolution.flip_different"),
            )
        )


def _matrix_text(values: np.ndarray) -> str:
    return matrix_text(values, current_language(), digits=3)


def _position_slider(label: str, count: int, key: str) -> int:
    if count <= 1:
        return 0
    return int(st.slider(label, 0, count - 1, 0, key=key))


def _image_example(kernel: np.ndarray, stride: int, padding: int) -> np.ndarray | None:
    loaded = image_input("conv", default="camera", max_side=IMAGE_SIDE)
    if loaded is None:
        return None
    grey = loaded.gray_255
    output = conv.convolve(grey, kernel, stride, padding)
    display_labels = _labels("convolution.display_", ("clip", "rescale"))
    how = st.radio(
        t("convolution.display_label"),
        tuple(display_labels),
        format_func=display_labels.__getitem__,
        key="conv_display",
        horizontal=True,
    )
    panels = st.columns([4, 2, 4])
    with panels[0]:
        st.image(
            to_display_uint8(grey),
            caption=t("convolution.image_in", h=grey.shape[0], w=grey.shape[1]),
        )
    with panels[1]:
        bound = float(np.abs(kernel).max()) or 1.0
        st.plotly_chart(
            matrix_figure(kernel, colorscale=DIVERGING_SCALE, zmin=-bound, zmax=bound, height=240),
            key="conv_kernel_plot",
            config=chart_config(),
        )
    with panels[2]:
        st.image(
            to_display_uint8(output, how),
            caption=t("convolution.image_out", h=output.shape[0], w=output.shape[1]),
        )
    st.caption(t("convolution.out_range", low=_fmt(output.min()), high=_fmt(output.max())))
    _size_formula(grey, kernel, stride, padding)
    return grey


def _latex_matrix(values: np.ndarray, scale: int = 1) -> str:
    rows = [" & ".join(f"{v * scale:g}" for v in row) for row in values]
    body = r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"
    return body if scale == 1 else rf"\tfrac{{1}}{{{scale}}}{body}"


_LATEX_NAME = {"identity": "I", "box_blur": "B", "cross_blur": "C"}
_LATEX_SCALE = {"identity": 1, "box_blur": 9, "cross_blur": 5}
_RESULT_SCALE = {"sharpen_from_blur": 9}  # written as 1/9 of whole numbers


def _latex_coefficient(value: float) -> str:
    return "" if abs(value) == 1 else f"{abs(value):g}\\,"


def _arithmetic() -> None:
    st.header(t("convolution.arithmetic_header"))
    st.markdown(t("convolution.arithmetic_intro"))
    st.latex(
        ",\\quad ".join(
            f"{symbol} = {_latex_matrix(conv.ARITHMETIC_TERMS[name], _LATEX_SCALE[name])}"
            for name, symbol in _LATEX_NAME.items()
        )
    )
    for result, terms in conv.KERNEL_ARITHMETIC.items():
        expression = " ".join(
            ("-" if c < 0 else ("+" if i else "")) + _latex_coefficient(c) + _LATEX_NAME[n]
            for i, (c, n) in enumerate(terms)
        )
        combined = _latex_matrix(conv.combine(terms), _RESULT_SCALE.get(result, 1))
        st.latex(f"{expression} = {combined}")


def _feature_maps(grey: np.ndarray | None) -> None:
    st.header(t("convolution.maps_header"))
    st.markdown(t("convolution.maps_intro"))
    if grey is None:
        grey = downscale(load_sample("camera"), 256).gray_255
        st.caption(t("convolution.maps_on_sample"))
    maps = conv.feature_maps(grey, conv.FEATURE_BANK)
    columns = st.columns(len(maps))
    for column, (name, values) in zip(columns, maps.items(), strict=True):
        with column:
            st.image(
                to_display_uint8(np.abs(values), "rescale"), caption=t(f"convolution.map_{name}")
            )
    st.markdown(t("convolution.maps_outro"))


def _page() -> np.ndarray | None:
    input_labels = _labels("convolution.input_", INPUTS)
    source = st.radio(
        t("convolution.input_label"),
        INPUTS,
        format_func=input_labels.__getitem__,
        key="conv_input",
        horizontal=True,
    )
    st.subheader(t("convolution.kernel_header"))
    controls = st.columns([3, 2, 2, 2])
    preset_labels = _labels("convolution.preset_", PRESET_OPTIONS)
    with controls[0]:
        preset = st.selectbox(
            t("convolution.preset_label"),
            PRESET_OPTIONS,
            format_func=preset_labels.__getitem__,
            key="conv_preset",
        )
    with controls[1]:
        size = st.radio(
            t("convolution.size_label"),
            (3, 5),
            format_func=lambda k: f"{k} × {k}",
            key="conv_size",
            horizontal=True,
        )
    with controls[2]:
        stride = st.radio(
            t("convolution.stride_label"), STRIDES, key="conv_stride", horizontal=True
        )
    with controls[3]:
        padding = st.radio(
            t("convolution.padding_label"), PADDINGS, key="conv_padding", horizontal=True
        )
    editor, about = st.columns([2, 3])
    with about:
        st.markdown(t(f"convolution.preset_{preset}_what"))
        st.caption(t("convolution.editor_help"))
    with editor:
        kernel = _kernel_editor(preset, size)

    grey = None
    if source == "worked":
        _small_example(_input_editor(), kernel, stride, padding)
    else:
        grey = _image_example(kernel, stride, padding)
    return grey


st.title(t("convolution.title"))
st.markdown(t("convolution.intro"))
try:
    chosen = _page()
except LabError as error:
    show_problem(error.messages)
    chosen = None
except Exception as error:  # noqa: BLE001 - a sentence for the learner, details in the log
    show_unexpected(error)
    chosen = None

try:
    _arithmetic()
    _feature_maps(chosen)
except LabError as error:
    show_problem(error.messages)
except Exception as error:  # noqa: BLE001
    show_unexpected(error)

st.header(t("convolution.learn_header"))
st.markdown(t("convolution.learn_body"))
