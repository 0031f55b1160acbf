"""Plotly figures of 8x8 digits for the generative labs: tiled grids and latent maps.

A grid is one heatmap of tiles separated by blank gaps (one trace, fast to draw even
for 64 digits), with a short title above each tile.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from lienzo.dashboard.components.charts import COMPACT

GAP = 1  # blank pixels between tiles
TITLE_GAP = 3  # blank pixels between rows of tiles that have titles
WIDTH_PX = 860  # about the width of a lesson's main column on a laptop
DIGIT_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)


def digit_grid(
    images: np.ndarray,
    titles: Sequence[str] | None = None,
    columns: int | None = None,
    title: str = "",
    tile_px: int | None = None,
    row_labels: Sequence[str] | None = None,
) -> go.Figure:
    """(N, 8, 8) digits in 0..16 as a grid of tiles, ``columns`` per row (default: all)."""
    images = np.asarray(images, dtype=np.float32)
    count = len(images)
    columns = max(1, min(columns or count, count))
    tile_px = tile_px or min(90, WIDTH_PX // columns)  # as large as fits a lesson's width
    rows = int(np.ceil(count / columns))
    step = 8 + GAP
    row_gap = TITLE_GAP if titles else GAP  # room for the titles between rows
    row_step = 8 + row_gap
    canvas = np.full((rows * row_step - row_gap, columns * step - GAP), np.nan, dtype=np.float32)
    for index, image in enumerate(images):
        row, col = divmod(index, columns)
        canvas[row * row_step : row * row_step + 8, col * step : col * step + 8] = image
    figure = go.Figure(
        go.Heatmap(
            z=canvas,
            colorscale="gray",
            zmin=0,
            zmax=16,
            showscale=False,
            hoverongaps=False,
            hovertemplate="%{z:.1f}<extra></extra>",
        )
    )
    annotations = []
    for index, text in enumerate(titles or []):
        row, col = divmod(index, columns)
        annotations.append(
            dict(
                x=col * step + 3.5,
                y=row * row_step - 0.6,
                text=text,
                showarrow=False,
                yanchor="bottom",
                font=dict(size=11),
            )
        )
    for row, text in enumerate(row_labels or []):
        annotations.append(
            dict(
                x=-0.8,
                y=row * row_step + 3.5,
                text=text,
                showarrow=False,
                xanchor="right",
                font=dict(size=12),
            )
        )
    figure.update_layout(annotations=annotations)
    figure.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    figure.update_xaxes(visible=False)
    left = 90 if row_labels else 10
    top = (40 if title else 10) + (22 if titles else 0)  # the first row's titles sit above
    height = int(canvas.shape[0] * tile_px / 8 + top + 10)
    figure.update_layout(
        title=title,
        height=height,
        margin=dict(l=left, r=10, t=top, b=10),
    )
    return figure


def latent_scatter(
    coords: np.ndarray,
    labels: np.ndarray,
    title: str,
    x_title: str,
    y_title: str,
    digit_name: str,
    chosen: tuple[float, float] | None = None,
    chosen_name: str = "",
) -> go.Figure:
    """2-D latent coordinates (N, 2) as points coloured by digit; a star at ``chosen``."""
    figure = go.Figure()
    for digit in range(10):
        mask = labels == digit
        figure.add_trace(
            go.Scatter(
                x=coords[mask, 0],
                y=coords[mask, 1],
                mode="markers",
                name=str(digit),
                marker=dict(size=7, color=DIGIT_COLOURS[digit], opacity=0.75),
                hovertemplate=f"{digit_name} {digit}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
            )
        )
    if chosen is not None:
        figure.add_trace(
            go.Scatter(
                x=[chosen[0]],
                y=[chosen[1]],
                mode="markers",
                name=chosen_name,
                marker=dict(size=18, symbol="star", color="black", line=dict(color="white")),
                hoverinfo="skip",
            )
        )
    figure.update_layout(
        title=title,
        height=460,
        xaxis_title=x_title,
        yaxis_title=y_title,
        legend_title_text=digit_name,
        clickmode="event+select",
        **COMPACT,
    )
    return figure
