"""Plotly figures for the attention lesson: attention maps, token bars, patch overlays.

No streamlit here: the page passes the figures on. Token labels go on numeric axes
(tick text), so a word that appears twice ("el ... el") keeps two columns.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

COMPACT = dict(margin=dict(l=10, r=10, t=40, b=10))
ATTENTION_SCALE = "Viridis"
# Transparent where [CLS] does not look, opaque orange-red where it looks most.
OVERLAY_SCALE = [[0.0, "rgba(255,80,0,0)"], [1.0, "rgba(255,80,0,0.85)"]]


def token_heatmap(
    matrix: np.ndarray,
    x_tokens: Sequence[str],
    y_tokens: Sequence[str],
    title: str,
    *,
    numbers: bool = False,
    zmin: float | None = 0.0,
    zmax: float | None = 1.0,
    colorscale: str = ATTENTION_SCALE,
    height: int | None = None,
    hover: str = "%{y} → %{x}: %{z:.3f}<extra></extra>",
) -> go.Figure:
    """A (rows, cols) matrix with tokens as tick labels, row 0 at the top."""
    matrix = np.asarray(matrix, dtype=np.float64)
    rows, cols = matrix.shape
    figure = go.Figure(
        go.Heatmap(
            z=matrix,
            x=list(range(cols)),
            y=list(range(rows)),
            colorscale=colorscale,
            zmin=zmin,
            zmax=zmax,
            text=np.round(matrix, 3) if numbers else None,
            texttemplate="%{text}" if numbers else None,
            customdata=[[[y_tokens[i], x_tokens[j]] for j in range(cols)] for i in range(rows)],
            hovertemplate=hover.replace("%{y}", "%{customdata[0]}").replace(
                "%{x}", "%{customdata[1]}"
            ),
            showscale=not numbers,
            xgap=1,
            ygap=1,
        )
    )
    figure.update_xaxes(tickvals=list(range(cols)), ticktext=list(x_tokens), tickangle=-60)
    figure.update_yaxes(tickvals=list(range(rows)), ticktext=list(y_tokens), autorange="reversed")
    size = height or int(min(700, max(220, 110 + 22 * rows)))  # room for tilted labels
    figure.update_layout(title=title, height=size, **COMPACT)
    return figure


def head_grid(
    weights: np.ndarray, title: str, row_title: str, column_title: str, hover_name: str
) -> go.Figure:
    """(layers, heads, T, T) attention as a grid of small heatmaps: a row per layer."""
    layers, heads = weights.shape[:2]
    figure = make_subplots(
        rows=layers,
        cols=heads,
        row_titles=[f"{row_title} {i + 1}" for i in range(layers)],
        column_titles=[f"{column_title} {j + 1}" for j in range(heads)],
        horizontal_spacing=0.008,
        vertical_spacing=0.015,
    )
    for layer in range(layers):
        for head in range(heads):
            figure.add_trace(
                go.Heatmap(
                    z=weights[layer, head],
                    colorscale=ATTENTION_SCALE,
                    zmin=0,
                    zmax=1,
                    showscale=False,
                    hovertemplate=f"{hover_name} {layer + 1}.{head + 1}: "
                    "%{y} → %{x}: %{z:.2f}<extra></extra>",
                ),
                row=layer + 1,
                col=head + 1,
            )
    figure.update_xaxes(showticklabels=False, ticks="", showgrid=False, zeroline=False)
    figure.update_yaxes(
        showticklabels=False, ticks="", showgrid=False, zeroline=False, autorange="reversed"
    )
    figure.update_annotations(font_size=11)
    figure.update_layout(title=title, height=80 * layers + 90, **COMPACT)
    return figure


def token_bars(
    tokens: Sequence[str], values: np.ndarray, title: str, highlight: int | None = None
) -> go.Figure:
    """Where one token looks: a bar per token (shares that sum to 1)."""
    colours = ["#e4572e" if i == highlight else "#4c78a8" for i in range(len(values))]
    figure = go.Figure(
        go.Bar(
            x=list(range(len(values))),
            y=np.asarray(values, dtype=np.float64),
            marker_color=colours,
            hovertemplate="%{customdata}: %{y:.3f}<extra></extra>",
            customdata=list(tokens),
        )
    )
    figure.update_xaxes(tickvals=list(range(len(tokens))), ticktext=list(tokens), tickangle=-60)
    top = float(np.max(values)) if len(values) else 1.0
    figure.update_layout(
        title=title, height=300, yaxis_range=[0, min(1.0, top * 1.15 + 0.02)], **COMPACT
    )
    return figure


def digit_with_patches(
    digit: np.ndarray, patch_size: int, title: str, numbers: bool = True
) -> go.Figure:
    """The 8x8 digit in grey with the patch borders drawn and each patch's token number."""
    side = digit.shape[0]
    figure = go.Figure(
        go.Heatmap(
            z=digit,
            colorscale="gray",
            zmin=0,
            zmax=16,
            showscale=False,
            hovertemplate="(%{y}, %{x}): %{z}<extra></extra>",
        )
    )
    for edge in range(0, side + 1, patch_size):
        line = dict(color="#f59e0b", width=2)
        figure.add_shape(
            type="line", x0=edge - 0.5, x1=edge - 0.5, y0=-0.5, y1=side - 0.5, line=line
        )
        figure.add_shape(
            type="line", y0=edge - 0.5, y1=edge - 0.5, x0=-0.5, x1=side - 0.5, line=line
        )
    if numbers:
        grid = side // patch_size
        for index in range(grid * grid):
            row, col = divmod(index, grid)
            figure.add_annotation(
                x=col * patch_size - 0.5 + 0.35,
                y=row * patch_size - 0.5 + 0.35,
                text=str(index + 1),
                showarrow=False,
                font=dict(color="#f59e0b", size=11),
                xanchor="left",
                yanchor="top",
            )
    hidden = dict(showticklabels=False, ticks="", showgrid=False, zeroline=False)
    figure.update_yaxes(autorange="reversed", scaleanchor="x", **hidden)
    figure.update_xaxes(**hidden)
    figure.update_layout(title=title, height=300, **COMPACT)
    return figure


def patch_overlays(
    digit: np.ndarray,
    overlays: np.ndarray,
    self_share: np.ndarray,
    title: str,
    row_title: str,
    column_title: str,
    self_label: str,
) -> go.Figure:
    """For each layer and head: the digit in grey, [CLS]'s attention over it in orange.

    overlays (layers, heads, 8, 8) spread each patch's weight over its pixels; the
    colour scale of every panel runs from 0 to that panel's largest weight; hovering
    shows the share [CLS] kept on itself (``self_share``, (layers, heads)).
    """
    layers, heads = overlays.shape[:2]
    titles = [f"{column_title} {h + 1}" for _ in range(layers) for h in range(heads)]
    figure = make_subplots(
        rows=layers,
        cols=heads,
        subplot_titles=titles,
        row_titles=[f"{row_title} {i + 1}" for i in range(layers)],
        horizontal_spacing=0.03,
        vertical_spacing=0.12,
    )
    for layer in range(layers):
        for head in range(heads):
            place = dict(row=layer + 1, col=head + 1)
            figure.add_trace(
                go.Heatmap(
                    z=digit, colorscale="gray", zmin=0, zmax=16, showscale=False, hoverinfo="skip"
                ),
                **place,
            )
            panel = overlays[layer, head]
            figure.add_trace(
                go.Heatmap(
                    z=panel,
                    colorscale=OVERLAY_SCALE,
                    zmin=0,
                    zmax=max(float(panel.max()), 1e-6),
                    showscale=False,
                    hovertemplate=f"%{{z:.1%}} · {self_label}: "
                    f"{self_share[layer, head]:.1%}<extra></extra>",
                ),
                **place,
            )
    figure.update_xaxes(showticklabels=False, ticks="", showgrid=False, constrain="domain")
    figure.update_yaxes(showticklabels=False, ticks="", showgrid=False, autorange="reversed")
    for index in range(layers * heads):
        figure.layout[
            f"yaxis{'' if index == 0 else index + 1}"
        ].scaleanchor = f"x{'' if index == 0 else index + 1}"
    figure.update_annotations(font_size=11)
    figure.update_layout(title=title, height=230 * layers + 60, **COMPACT)
    return figure
