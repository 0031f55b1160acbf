"""Plotly heatmaps of small matrices with the numbers written in the cells.

Row 0 is at the top (as in an image), cells are square, and rectangles can outline a
kernel position or a pooling window. No streamlit here: pages pass the figure on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

# Black -> white, as pixel intensities look.
GREY_SCALE = [[0.0, "#000000"], [1.0, "#ffffff"]]
CHANNEL_SCALES = {
    "R": [[0.0, "#000000"], [1.0, "#ff0000"]],
    "G": [[0.0, "#000000"], [1.0, "#00c000"]],
    "B": [[0.0, "#000000"], [1.0, "#0050ff"]],
}
# Negative weights blue, zero white, positive red: for kernels.
DIVERGING_SCALE = "RdBu_r"


@dataclass(frozen=True)
class Box:
    top: int
    left: int
    height: int
    width: int
    colour: str = "#f59e0b"


def matrix_figure(
    values: np.ndarray,
    *,
    colorscale: str | list = GREY_SCALE,
    zmin: float | None = None,
    zmax: float | None = None,
    zmid: float | None = None,
    show_numbers: bool = True,
    number_format: str = ".3~f",
    boxes: Sequence[Box] = (),
    row_labels: Sequence[int] | None = None,
    col_labels: Sequence[int] | None = None,
    title: str | None = None,
    height: int = 320,
    hover: str = "",
) -> go.Figure:
    """A heatmap of ``values`` (2-D) with optional numbers in the cells and outlines."""
    values = np.asarray(values, dtype=np.float64)
    rows, cols = values.shape
    x = list(col_labels) if col_labels is not None else list(range(cols))
    y = list(row_labels) if row_labels is not None else list(range(rows))
    heatmap = go.Heatmap(
        z=values,
        x=x,
        y=y,
        colorscale=colorscale,
        zmin=zmin,
        zmax=zmax,
        zmid=zmid,
        showscale=False,
        texttemplate=f"%{{z:{number_format}}}" if show_numbers else None,
        textfont={"size": 13 if max(rows, cols) <= 8 else 10},
        hovertemplate=hover + "(%{y}, %{x}) = %{z:" + number_format + "}<extra></extra>",
        xgap=1,
        ygap=1,
    )
    figure = go.Figure(heatmap)
    for box in boxes:
        figure.add_shape(
            type="rect",
            x0=x[0] + box.left - 0.5,
            x1=x[0] + box.left + box.width - 0.5,
            y0=y[0] + box.top - 0.5,
            y1=y[0] + box.top + box.height - 0.5,
            line={"color": box.colour, "width": 3},
        )
    figure.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 30 if title else 10, "b": 10},
        title={"text": title, "font": {"size": 14}} if title else None,
        plot_bgcolor="#d1d5db",  # shows as thin lines between cells (xgap, ygap)
    )
    figure.update_xaxes(
        side="top",
        showgrid=False,
        zeroline=False,
        constrain="domain",
        tickmode="array",
        tickvals=x if cols <= 16 else None,
    )
    figure.update_yaxes(
        autorange="reversed",
        showgrid=False,
        zeroline=False,
        scaleanchor="x",
        constrain="domain",
        tickmode="array",
        tickvals=y if rows <= 16 else None,
    )
    return figure


def chart_config() -> dict:
    """Plotly options for teaching figures: no toolbar clutter, no logo."""
    return {"displayModeBar": False, "displaylogo": False}
