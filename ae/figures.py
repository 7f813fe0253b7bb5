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
    fig.update_layout(yaxis_title="BCE per pixel")  # only the left axis: the KL axis keeps its own title
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


def thin(values, max_points: int) -> tuple[np.ndarray, int]:
    """Average neighbours until at most ``max_points`` remain; returns (values, how many were merged)."""
    values = np.asarray(values, dtype=np.float64)
    step = max(1, -(-len(values) // max_points))
    usable = len(values) // step * step
    merged = values[:usable].reshape(-1, step).mean(axis=1) if usable else values[:0]
    return merged, step


def live_loss(history: dict, batch_losses: list[float], batches_per_epoch: int, title: str | None = None,
              max_points: int = 1500, height: int = 360) -> go.Figure:
    """:func:`loss_curves` for a running job: long per-batch series are averaged down so a chart redrawn
    every second stays light."""
    merged, step = thin(batch_losses, max_points)
    return loss_curves(history, list(merged), max(1, batches_per_epoch) / step, title=title, height=height)


def compare_losses(histories: dict[str, dict], height: int = 320) -> go.Figure:
    """Validation loss per epoch of several models on one chart (training loss dotted)."""
    fig = go.Figure()
    for i, (name, history) in enumerate(histories.items()):
        color = DIGIT_COLORS[i % len(DIGIT_COLORS)]
        for key, dash, suffix in (("val_loss", "solid", "validation"), ("loss", "dot", "train")):
            values = history.get(key)
            if values:
                fig.add_scatter(x=np.arange(1, len(values) + 1), y=values, mode="lines+markers",
                                name=f"{name} ({suffix})", line=dict(color=color, dash=dash, width=2),
                                marker=dict(size=4))
    fig.update_xaxes(title="epoch")
    fig.update_yaxes(title="loss per pixel")
    return _layout(fig, height)


def explore_map(points: np.ndarray, labels: np.ndarray, axis_prefix: str, axis_titles: tuple[str, str],
                start: np.ndarray, ranges: tuple[tuple[float, float], tuple[float, float]],
                background: tuple[np.ndarray, tuple, tuple] | None = None,
                click_grid: tuple[tuple[float, float], tuple[float, float], int] | None = None,
                height: int = 540) -> go.Figure:
    """The Explore page's map: test digits to click (customdata = test index), the starting point as a star.

    Plotly reports selections only for data points, so ``click_grid`` adds an invisible, clickable grid
    (customdata -1) over the given ranges: a click on empty space then selects the nearest grid point.
    Selected and unselected points keep their look, so a click never dims the map.
    """
    fig = latent_map(points, labels, axis_prefix, marker=start, marker_name="start",
                     background=background, height=height)
    dots = 0.3 if background is not None else 0.7  # over the decoded digits, the dots step back
    fig.update_traces(selector=dict(type="scattergl"), marker_opacity=dots, selected=dict(marker=dict(opacity=dots)),
                      unselected=dict(marker=dict(opacity=dots)))
    fig.update_traces(selector=dict(type="heatmap"), opacity=0.9)
    fig.update_traces(selector=dict(name="start"), selected=dict(marker=dict(opacity=1)),
                      unselected=dict(marker=dict(opacity=1)))
    if click_grid is not None:
        (x0, x1), (y0, y1), n = click_grid
        gx, gy = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
        fig.add_scattergl(x=gx.ravel(), y=gy.ravel(), mode="markers", name="decode here", showlegend=False,
                          customdata=np.full(gx.size, -1), marker=dict(size=6, color="white", opacity=0),
                          selected=dict(marker=dict(opacity=0)), unselected=dict(marker=dict(opacity=0)),
                          hovertemplate="decode (%{x:.2f}, %{y:.2f})<extra></extra>")
    fig.update_xaxes(title=axis_titles[0], range=list(ranges[0]))
    fig.update_yaxes(title=axis_titles[1], range=list(ranges[1]))
    return fig.update_layout(uirevision="explore-map", hovermode="closest",
                             legend=dict(orientation="h", y=-0.12, title_text="digit"))
