"""Plotly figures the labs share: heatmaps, grids of feature maps, curves, bars."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

COMPACT = dict(margin=dict(l=10, r=10, t=40, b=10))


def heatmap(
    matrix: np.ndarray,
    title: str = "",
    *,
    numbers: bool = False,
    colorscale: str = "gray",
    height: int = 260,
    zmin: float | None = None,
    zmax: float | None = None,
    decimals: int = 2,
    axis_labels: Sequence[str] | None = None,
) -> go.Figure:
    """A matrix drawn as an image, top row at the top; optional numbers in the cells.

    ``axis_labels`` names the columns and rows alike (e.g. the digits of a confusion matrix).
    """
    figure = go.Figure(
        go.Heatmap(
            z=matrix,
            colorscale=colorscale,
            zmin=zmin,
            zmax=zmax,
            x=list(axis_labels) if axis_labels is not None else None,
            y=list(axis_labels) if axis_labels is not None else None,
            text=np.round(matrix, decimals) if numbers else None,
            texttemplate="%{text}" if numbers else None,
            showscale=False,
        )
    )
    ticks = axis_labels is not None
    figure.update_yaxes(
        autorange="reversed",
        scaleanchor="x",
        showticklabels=ticks,
        type="category" if ticks else None,
    )
    figure.update_xaxes(showticklabels=ticks, type="category" if ticks else None)
    figure.update_layout(title=title, height=height, **COMPACT)
    return figure


def map_grid(
    maps: np.ndarray, title: str, columns: int = 8, colorscale: str = "viridis"
) -> go.Figure:
    """Every channel of a (C, H, W) activation as a small heatmap."""
    count = maps.shape[0]
    rows = int(np.ceil(count / columns))
    cols = min(columns, count)
    figure = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[str(i + 1) for i in range(count)],
        horizontal_spacing=0.02,
        vertical_spacing=0.08,
    )
    for index in range(count):
        figure.add_trace(
            go.Heatmap(z=maps[index], colorscale=colorscale, showscale=False),
            row=index // cols + 1,
            col=index % cols + 1,
        )
    figure.update_yaxes(autorange="reversed", showticklabels=False)
    figure.update_xaxes(showticklabels=False)
    figure.update_layout(title=title, height=110 * rows + 60, **COMPACT)
    return figure


def bars(
    labels: Sequence[str], values: Sequence[float], title: str, highlight: int | None = None
) -> go.Figure:
    colours = ["#e4572e" if i == highlight else "#4c78a8" for i in range(len(values))]
    figure = go.Figure(go.Bar(x=list(labels), y=list(values), marker_color=colours))
    # Category axis: every label shown (a numeric axis would print only 0, 2, 4, ...).
    figure.update_layout(
        title=title, height=260, yaxis_range=[0, 1], xaxis_type="category", **COMPACT
    )
    return figure


def curves(
    x: Sequence[float],
    series: dict[str, Sequence[float | None]],
    title: str,
    y_title: str,
    x_title: str | None = None,
) -> go.Figure:
    figure = go.Figure()
    for name, values in series.items():
        figure.add_trace(go.Scatter(x=list(x), y=list(values), mode="lines+markers", name=name))
    figure.update_layout(
        title=title, height=300, xaxis_title=x_title, yaxis_title=y_title, **COMPACT
    )
    if all(float(value).is_integer() for value in x):
        figure.update_xaxes(tickformat="d")  # whole epochs, never 1.5
    return figure
