"""Pure functions that return plotly figures; pages only place them."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

# Ten distinguishable colours for the digits (Plotly's D3 palette, colour-blind friendlier order).
DIGIT_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
ACCENT = "#FF4B4B"


def _layout(fig: go.Figure, height: int, title: str | None = None, **kw) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40 if title else 10, b=10),
                      title=title, template="plotly_dark", paper_bgcolor="rgba(0,0,0,0)",
                      plot_bgcolor="rgba(0,0,0,0)", legend=dict(orientation="h", y=-0.2), **kw)
    return fig


def smooth(values, weight: float = 0.9) -> np.ndarray:
    """Exponential moving average, bias-corrected, as TensorBoard draws noisy batch losses."""
    out, avg = [], 0.0
    for i, v in enumerate(values, start=1):
        avg = weight * avg + (1 - weight) * v
        out.append(avg / (1 - weight ** i))
    return np.array(out)


def loss_curves(history: dict, batch_losses: list[float] | None = None, batches_per_epoch: int = 1,
                title: str | None = None, height: int = 320) -> go.Figure:
    """Train vs validation loss per epoch (the article's figure), plus smoothed per-batch loss."""
    fig = go.Figure()
    if batch_losses:
        x = np.arange(1, len(batch_losses) + 1) / max(batches_per_epoch, 1)
        fig.add_scatter(x=x, y=batch_losses, mode="lines", name="batch (raw)", opacity=0.25,
                        line=dict(color="#888", width=1))
        fig.add_scatter(x=x, y=smooth(batch_losses), mode="lines", name="batch (smoothed)",
                        line=dict(color="#aaa", width=1.5))
    styles = {"loss": ("train", ACCENT, "solid"), "val_loss": ("validation (test set)", "#4ea8de", "solid"),
              "reconstruction": ("train reconstruction", "#f4a261", "dot"),
              "val_reconstruction": ("validation reconstruction", "#90e0ef", "dot")}
    for key, (name, color, dash) in styles.items():
        values = history.get(key)
        if values:
            fig.add_scatter(x=np.arange(1, len(values) + 1), y=values, mode="lines+markers", name=name,
                            line=dict(color=color, width=2.5, dash=dash), marker=dict(size=5))
    if history.get("kl"):
        fig.add_scatter(x=np.arange(1, len(history["kl"]) + 1), y=history["kl"], mode="lines", name="KL (right)",
                        yaxis="y2", line=dict(color="#b5179e", dash="dash"))
        fig.update_layout(yaxis2=dict(overlaying="y", side="right", title="KL per digit", showgrid=False))
    fig.update_xaxes(title="epoch")
    fig.update_yaxes(title="BCE per pixel")
    return _layout(fig, height, title)


def latent_bars(code: np.ndarray, height: int = 200) -> go.Figure:
    code = np.asarray(code, dtype=np.float64).ravel()
    fig = go.Figure(go.Bar(x=[f"z{i + 1}" for i in range(len(code))], y=code,
                           marker_color=np.where(code >= 0, ACCENT, "#4ea8de"),
                           hovertemplate="%{x}: %{y:.3f}<extra></extra>"))
    fig.update_xaxes(showticklabels=len(code) <= 32, tickangle=0)
    fig.update_yaxes(zeroline=True, zerolinecolor="#666")
    return _layout(fig, height, bargap=0.15)


def latent_map(points: np.ndarray, labels: np.ndarray, axis_prefix: str = "z",
               marker: np.ndarray | None = None, marker_name: str = "current",
               background: tuple[np.ndarray, tuple, tuple] | None = None, height: int = 520) -> go.Figure:
    """The test set as a scatter coloured by digit; clickable points carry their test index."""
    fig = go.Figure()
    if background is not None:  # the decoded manifold, drawn under the points
        image, (x0, x1), (y0, y1) = background
        fig.add_heatmap(z=image[::-1], x=np.linspace(x0, x1, image.shape[1]), y=np.linspace(y0, y1, image.shape[0]),
                        colorscale="gray", showscale=False, opacity=0.55, hoverinfo="skip")
    labels = np.asarray(labels)
    for digit in range(10):
        idx = np.flatnonzero(labels == digit)
        fig.add_scattergl(x=points[idx, 0], y=points[idx, 1], mode="markers", name=str(digit),
                          customdata=idx, marker=dict(size=4, color=DIGIT_COLORS[digit], opacity=0.7),
                          hovertemplate=f"digit {digit} · test #%{{customdata}}<extra></extra>")
    if marker is not None:
        fig.add_scatter(x=[marker[0]], y=[marker[1]], mode="markers", name=marker_name, hoverinfo="skip",
                        marker=dict(symbol="star", size=20, color="white", line=dict(color=ACCENT, width=2)))
    fig.update_xaxes(title=f"{axis_prefix}1", zeroline=False)
    fig.update_yaxes(title=f"{axis_prefix}2", zeroline=False, scaleanchor="x" if axis_prefix == "z" else None)
    return _layout(fig, height, legend_title_text="digit", clickmode="event+select", dragmode="pan")


def metric_bars(names: list[str], values: list[float], metric: str, height: int = 260) -> go.Figure:
    fig = go.Figure(go.Bar(x=names, y=values, marker_color=ACCENT, text=[f"{v:.4f}" for v in values],
                           textposition="outside"))
    fig.update_yaxes(title=metric)
    return _layout(fig, height)
