"""Images are numbers: any picture, sample or upload, read as the matrices it is."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lienzo.dashboard.components.image_input import image_input
from lienzo.dashboard.components.language import t
from lienzo.dashboard.components.matrix_figure import (
    CHANNEL_SCALES,
    GREY_SCALE,
    chart_config,
    matrix_figure,
)
from lienzo.dashboard.components.messages import show_problem, show_unexpected
from lienzo.dashboard.labs.errors import LabError
from lienzo.dashboard.labs.image_loading import LoadedImage
from lienzo.dashboard.labs.pixels import CHANNELS, clamp_patch, enlarge, outline

MAX_PATCH = 16


def _slider(label: str, low: int, high: int, default: int, key: str) -> int:
    """A slider from ``low`` to ``high``; a fixed value when there is nothing to choose."""
    if high <= low:
        return low
    return int(st.slider(label, low, high, min(max(default, low), high), key=key))


def _choose_patch(image: LoadedImage) -> tuple[int, int, int]:
    height, width = image.height, image.width
    shape_key = f"{height}x{width}"
    small = max(height, width) <= MAX_PATCH
    columns = st.columns(3)
    with columns[0]:
        size = _slider(
            t("images_numbers.patch_size"),
            1,
            min(MAX_PATCH, height, width),
            min(height, width) if small else 8,
            f"numbers_size_{shape_key}",
        )
    with columns[1]:
        row = _slider(
            t("images_numbers.patch_row"),
            0,
            height - size,
            0 if small else (height - size) // 2,
            f"numbers_row_{shape_key}",
        )
    with columns[2]:
        col = _slider(
            t("images_numbers.patch_col"),
            0,
            width - size,
            0 if small else (width - size) // 2,
            f"numbers_col_{shape_key}",
        )
    return clamp_patch(height, width, row, col, size)


def _overview(image: LoadedImage, row: int, col: int, size: int) -> None:
    # Enlarge first and frame on a margin, so the frame never hides a pixel of the window.
    shown, factor = enlarge(image.rgb)
    thickness = max(2, min(shown.shape[:2]) // 150)
    margin = thickness + 1
    canvas = np.pad(shown, ((margin, margin), (margin, margin), (0, 0)), constant_values=255)
    shown = outline(
        canvas,
        margin + row * factor,
        margin + col * factor,
        size * factor,
        size * factor,
        thickness=thickness,
    )
    st.image(shown, caption=t("images_numbers.overview_caption"), width="stretch")
    if factor > 1:
        st.caption(t("images_numbers.enlarged", factor=factor))


def _zoom(image: LoadedImage, row: int, col: int, size: int) -> None:
    patch = image.rgb[row : row + size, col : col + size]
    figure = go.Figure(
        go.Image(z=patch, x0=col, y0=row, hovertemplate="(%{y}, %{x}) = %{z}<extra></extra>")
    )
    # A thin frame, so white pixels stay visible against the white page.
    figure.add_shape(
        type="rect",
        x0=col - 0.5,
        x1=col + size - 0.5,
        y0=row - 0.5,
        y1=row + size - 0.5,
        line={"color": "#9ca3af", "width": 1},
    )
    figure.update_layout(height=320, margin={"l": 10, "r": 10, "t": 10, "b": 10})
    figure.update_xaxes(side="top", showgrid=False)
    figure.update_yaxes(showgrid=False, scaleanchor="x")
    st.plotly_chart(figure, key="numbers_zoom", config=chart_config())
    st.caption(t("images_numbers.zoom_caption", size=size))


def _matrix(values: np.ndarray, row: int, col: int, scale: str, colorscale, key: str) -> None:
    as_unit = scale == "unit"
    shown = values / 255.0 if as_unit else values
    rows = range(row, row + values.shape[0])
    cols = range(col, col + values.shape[1])
    figure = matrix_figure(
        shown,
        colorscale=colorscale,
        zmin=0,
        zmax=1 if as_unit else 255,
        number_format=".2f" if as_unit else ".0f",
        row_labels=rows,
        col_labels=cols,
        height=min(640, 120 + 34 * values.shape[0]),
    )
    st.plotly_chart(figure, key=key, config=chart_config())
    st.caption(t("images_numbers.table_caption"))
    table = pd.DataFrame(
        np.round(shown, 3) if as_unit else shown.astype(int),
        index=[str(r) for r in rows],
        columns=[str(c) for c in cols],
    )
    st.dataframe(table, height=36 * (values.shape[0] + 1) + 4)


def _numbers(image: LoadedImage, row: int, col: int, size: int, scale: str) -> None:
    window = (slice(row, row + size), slice(col, col + size))
    if image.is_grey:
        st.subheader(t("images_numbers.grey_matrix_header"))
        _matrix(
            image.rgb[..., 0][window].astype(float), row, col, scale, GREY_SCALE, "numbers_grey"
        )
        return
    st.subheader(t("images_numbers.colour_matrix_header"))
    labels = [t(f"images_numbers.channel_{name}") for name in CHANNELS] + [
        t("images_numbers.channel_luma")
    ]
    tabs = st.tabs(labels)
    for index, name in enumerate(CHANNELS):
        with tabs[index]:
            values = image.rgb[..., index][window].astype(float)
            _matrix(values, row, col, scale, CHANNEL_SCALES[name], f"numbers_{name}")
    with tabs[3]:
        st.caption(t("images_numbers.luma_formula"))
        _matrix(image.gray_255[window], row, col, scale, GREY_SCALE, "numbers_luma")
    r, g, b = (int(v) for v in image.rgb[row, col])
    st.markdown(t("images_numbers.one_pixel", row=row, col=col, r=r, g=g, b=b))


def _show(image: LoadedImage) -> None:
    height, width = image.height, image.width
    if image.is_grey:
        st.markdown(
            t("images_numbers.shape_grey", height=height, width=width, count=height * width)
        )
    else:
        st.markdown(
            t("images_numbers.shape_colour", height=height, width=width, count=height * width * 3)
        )
    st.subheader(t("images_numbers.patch_header"))
    row, col, size = _choose_patch(image)
    left, right = st.columns(2)
    with left:
        _overview(image, row, col, size)
    with right:
        _zoom(image, row, col, size)
    scale_labels = {option: t(f"images_numbers.scale_{option}") for option in ("bytes", "unit")}
    scale = st.radio(
        t("images_numbers.scale_label"),
        tuple(scale_labels),
        format_func=scale_labels.__getitem__,
        key="numbers_scale",
        horizontal=True,
    )
    _numbers(image, row, col, size, scale)


st.title(t("images_numbers.title"))
st.markdown(t("images_numbers.intro"))

image = image_input("numbers", default="digit_3", max_side=1024)
if image is not None:
    try:
        _show(image)
    except LabError as error:
        show_problem(error.messages)
    except Exception as error:  # noqa: BLE001 - a sentence for the learner, details in the log
        show_unexpected(error)

st.header(t("images_numbers.learn_header"))
st.markdown(t("images_numbers.learn_body"))
