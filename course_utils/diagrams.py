"""Diagrams of recurrent networks, drawn with matplotlib, and the figures in ``img/``.

Every picture in ``img/`` comes from this module: ``make figures`` (that is,
``python -m course_utils.diagrams img``) redraws them all, and a test checks that
redrawing gives the same bytes. The drawing functions are also used live in the
notebooks (for example the time slider of notebook 02 colours the hidden states
of :func:`draw_unrolled`).

Colours follow the reference lectures' diagrams: inputs pink, hidden states
green, outputs blue. Notation: inputs x, hidden states h, outputs o (or y-hat),
weights U (input to hidden), W (hidden to hidden), V (hidden to output).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import matplotlib

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from course_utils.checks import check_axes, check_bool, check_int, check_str

#: The most steps :func:`draw_unrolled` draws (beyond that the boxes are too small to read).
MAX_DRAWN_STEPS = 100
from course_utils.plots import HEATMAP_CMAP

__all__ = [
    "COLORS",
    "ARCHITECTURES",
    "draw_unrolled",
    "draw_folded",
    "figure_folded_unrolled",
    "figure_architecture",
    "figure_architectures",
    "figure_bptt",
    "figure_stacked",
    "figure_bidirectional",
    "figure_attention_pooling",
    "figure_embedding_lookup",
    "figure_encoder_decoder",
    "figure_lstm_cell",
    "figure_gru_cell",
    "figure_gate_product",
    "FIGURES",
    "write_figures",
]

COLORS = {"x": "#f4b6c2", "h": "#b5e3b0", "o": "#a9c8f0", "edge": "#333333", "off": "#eeeeee",
          "loss": "#f7d08a", "grad": "#c0392b"}

#: The four families of the lectures: which steps take an input and which emit an output.
#: Each entry: (title, number of steps, steps with input, steps with output, example).
ARCHITECTURES: dict[str, tuple[str, int, tuple[int, ...], tuple[int, ...], str]] = {
    "one_to_many": ("one to many", 4, (0,), (0, 1, 2, 3), "generation, captioning"),
    "many_to_one": ("many to one", 4, (0, 1, 2, 3), (3,), "classification"),
    "many_to_many_synced": ("many to many, synced", 4, (0, 1, 2, 3), (0, 1, 2, 3), "tagging"),
    "many_to_many_delayed": ("many to many, delayed", 6, (0, 1, 2), (3, 4, 5), "translation"),
}

_BOX = 0.36  # half size of a node box


def _node(ax: Axes, x: float, y: float, text: str, color: str, *, text_color: str = "black",
          linewidth: float = 1.2) -> None:
    box = FancyBboxPatch(
        (x - _BOX, y - _BOX), 2 * _BOX, 2 * _BOX,
        boxstyle="round,pad=0.02,rounding_size=0.12", facecolor=color, edgecolor=COLORS["edge"], linewidth=linewidth,
    )
    ax.add_patch(box)
    ax.text(x, y, text, ha="center", va="center", fontsize=12, color=text_color)


def _vector_node(ax: Axes, x: float, y: float, text: str, values: np.ndarray, *, linewidth: float = 1.2) -> None:
    """A white box labelled `text` above a strip of cells, one per entry of `values` (in [-1, 1])."""
    _node(ax, x, y + 0.0, "", "white", linewidth=linewidth)
    ax.text(x, y + 0.17, text, ha="center", va="center", fontsize=11)
    cmap = matplotlib.colormaps[HEATMAP_CMAP]
    width = 1.6 * _BOX / len(values)
    for i, value in enumerate(np.clip(values, -1.0, 1.0)):
        ax.add_patch(Rectangle((x - 0.8 * _BOX + i * width, y - 0.28), width, 0.26, facecolor=cmap((value + 1) / 2),
                               edgecolor="#666666", linewidth=0.4))


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], label: str = "",
           *, offset: tuple[float, float] = (0.12, 0.0), connectionstyle: str = "arc3") -> None:
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, linewidth=1.2,
                                 color=COLORS["edge"], connectionstyle=connectionstyle, shrinkA=0, shrinkB=0))
    if label:
        mid = ((start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1])
        ax.text(*mid, label, ha="left", va="center", fontsize=10, style="italic")


def _check_steps(name: str, steps: Iterable[int] | None, n_steps: int) -> set[int]:
    if steps is None:
        return set(range(n_steps))
    if isinstance(steps, (str, bytes)) or not isinstance(steps, Iterable):
        raise ValueError(f"{name} must be an iterable of step indices in [0, {n_steps}), got {type(steps).__name__}")
    steps = list(steps)
    bad = [s for s in steps if isinstance(s, (bool, np.bool_)) or not isinstance(s, (int, np.integer)) or not 0 <= s < n_steps]
    if bad:
        raise ValueError(f"{name} must hold step indices in [0, {n_steps}), got {sorted(map(str, bad))}")
    return set(steps)


def draw_unrolled(
    ax: Axes,
    n_steps: int = 4,
    inputs: Iterable[int] | None = None,
    outputs: Iterable[int] | None = None,
    hidden_values: Sequence[float] | np.ndarray | None = None,
    *,
    weight_labels: bool = True,
    step_labels: Sequence[str] | None = None,
    current: int | None = None,
) -> None:
    """Draw an RNN unrolled over `n_steps` on `ax`; optional hidden values colour the h boxes.

    `hidden_values` of shape (n_steps,) colours each h box by one number in
    [-1, 1]; of shape (n_steps, units) it draws each h_t as a strip of cells,
    one per unit. A step whose values are not finite (nan) is greyed out, as
    not computed yet. `current` draws that step's h box with a thick edge.
    """
    check_axes(ax)
    n_steps = check_int(n_steps, "n_steps", 1, MAX_DRAWN_STEPS)
    inputs = _check_steps("inputs", inputs, n_steps)
    outputs = _check_steps("outputs", outputs, n_steps)
    weight_labels = check_bool(weight_labels, "weight_labels")
    if step_labels is None:
        step_labels = [str(t + 1) for t in range(n_steps)]
    if not isinstance(step_labels, Sequence) or not all(isinstance(label, str) for label in step_labels):
        raise ValueError(f"step_labels must be a sequence of strings, got {type(step_labels).__name__}")
    if len(step_labels) != n_steps:
        raise ValueError(f"step_labels must have n_steps={n_steps} entries, got {len(step_labels)}")
    cmap = matplotlib.colormaps[HEATMAP_CMAP]
    if hidden_values is not None:
        try:
            hidden_values = np.asarray(hidden_values, dtype=float)
        except (ValueError, TypeError):
            raise ValueError(f"hidden_values must be numbers of shape ({n_steps},) or ({n_steps}, units)") from None
        if hidden_values.ndim not in (1, 2) or hidden_values.shape[0] != n_steps or 0 in hidden_values.shape:
            raise ValueError(f"hidden_values must have shape ({n_steps},) or ({n_steps}, units), got {hidden_values.shape}")
    if current is not None and (isinstance(current, bool) or not isinstance(current, (int, np.integer))
                                or not 0 <= current < n_steps):
        raise ValueError(f"current must be a step index in [0, {n_steps}), got {current!r}")
    dx = 1.6
    for t in range(n_steps):
        x = t * dx
        sub = step_labels[t]
        linewidth = 3.0 if t == current else 1.2
        if hidden_values is not None and hidden_values.ndim == 2 and np.isfinite(hidden_values[t]).all():
            _vector_node(ax, x, 1.3, f"$h_{{{sub}}}$", hidden_values[t], linewidth=linewidth)
            color = None
        elif hidden_values is not None and hidden_values.ndim == 1 and np.isfinite(hidden_values[t]):
            value = float(np.clip(hidden_values[t], -1.0, 1.0))
            color = cmap((value + 1) / 2)
            text_color = "white" if abs(value) > 0.6 else "black"
        elif hidden_values is not None:
            color, text_color = COLORS["off"], "#999999"
        else:
            color, text_color = COLORS["h"], "black"
        if color is not None:
            _node(ax, x, 1.3, f"$h_{{{sub}}}$", color, text_color=text_color, linewidth=linewidth)
        if t in inputs:
            _node(ax, x, 0.0, f"$x_{{{sub}}}$", COLORS["x"])
            _arrow(ax, (x, _BOX), (x, 1.3 - _BOX), "U" if weight_labels else "")
        if t in outputs:
            _node(ax, x, 2.6, f"$o_{{{sub}}}$", COLORS["o"])
            _arrow(ax, (x, 1.3 + _BOX), (x, 2.6 - _BOX), "V" if weight_labels else "")
        if t > 0:
            _arrow(ax, (x - dx + _BOX, 1.3), (x - _BOX, 1.3), "W" if weight_labels else "", offset=(-0.08, 0.16))
    ax.set_xlim(-0.7, (n_steps - 1) * dx + 0.7)
    ax.set_ylim(-0.6, 3.2)
    ax.set_aspect("equal")
    ax.axis("off")


def draw_folded(ax: Axes) -> None:
    """Draw the folded (recursive) RNN: x -U-> h -V-> o with the W loop on h."""
    check_axes(ax)
    _node(ax, 0, 0.0, "$x_t$", COLORS["x"])
    _node(ax, 0, 1.3, "$h_t$", COLORS["h"])
    _node(ax, 0, 2.6, "$o_t$", COLORS["o"])
    _arrow(ax, (0, _BOX), (0, 1.3 - _BOX), "U")
    _arrow(ax, (0, 1.3 + _BOX), (0, 2.6 - _BOX), "V")
    ax.add_patch(FancyArrowPatch((_BOX, 1.5), (_BOX, 1.1), arrowstyle="-|>", mutation_scale=12, linewidth=1.2,
                                 color=COLORS["edge"], connectionstyle="arc,angleA=0,angleB=0,armA=28,armB=28,rad=8"))
    ax.text(0.95, 1.3, "W", fontsize=10, style="italic", va="center")
    ax.set_xlim(-0.7, 1.5)
    ax.set_ylim(-0.6, 3.2)
    ax.set_aspect("equal")
    ax.axis("off")


def figure_folded_unrolled() -> Figure:
    """The folded RNN beside the same network unrolled over four steps."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.2), gridspec_kw={"width_ratios": [1, 3.2]})
    draw_folded(left)
    left.set_title("folded", fontsize=11)
    draw_unrolled(right, 4, step_labels=["1", "2", "3", "4"])
    right.set_title("unrolled over time: the same U, W, V at every step", fontsize=11)
    fig.text(0.315, 0.47, "=", fontsize=22, ha="center", va="center")
    return fig


def figure_architecture(name: str) -> Figure:
    """One of the four architecture families of :data:`ARCHITECTURES`, as a figure."""
    if not isinstance(name, str) or name not in ARCHITECTURES:
        raise ValueError(f"name must be one of {sorted(ARCHITECTURES)}, got {name!r}")
    title, n_steps, ins, outs, example = ARCHITECTURES[name]
    fig, ax = plt.subplots(figsize=(0.9 + 1.0 * n_steps, 2.8))
    draw_unrolled(ax, n_steps, ins, outs, weight_labels=False)
    ax.set_title(f"{title}\n(e.g. {example})", fontsize=11)
    return fig


def figure_architectures() -> Figure:
    """The four architecture families side by side."""
    widths = [ARCHITECTURES[n][1] for n in ARCHITECTURES]
    fig, axes = plt.subplots(1, 4, figsize=(13, 3.0), gridspec_kw={"width_ratios": widths})
    for ax, (name, (title, n_steps, ins, outs, example)) in zip(axes, ARCHITECTURES.items()):
        draw_unrolled(ax, n_steps, ins, outs, weight_labels=False)
        ax.set_title(f"{title}\n(e.g. {example})", fontsize=11)
    return fig


def _gradient_arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=11, linewidth=1.4, linestyle="--",
                                 color=COLORS["grad"], shrinkA=0, shrinkB=0))


def figure_bptt(n_steps: int = 4) -> Figure:
    """Backpropagation through time: a loss at every step, summed, and the gradient flowing back (dashed)."""
    n_steps = check_int(n_steps, "n_steps", 2, 8)
    dx = 1.6
    fig, ax = plt.subplots(figsize=(1.9 * n_steps + 0.6, 4.8))
    draw_unrolled(ax, n_steps)
    for t in range(n_steps):
        x = t * dx
        _node(ax, x, 3.9, f"$L_{{{t + 1}}}$", COLORS["loss"])
        _arrow(ax, (x, 2.6 + _BOX), (x, 3.9 - _BOX))
        _gradient_arrow(ax, (x - 0.2, 3.9 - _BOX), (x - 0.2, 2.6 + _BOX))
        _gradient_arrow(ax, (x - 0.2, 2.6 - _BOX), (x - 0.2, 1.3 + _BOX))
        if t > 0:
            _gradient_arrow(ax, (x - _BOX, 1.08), (x - dx + _BOX, 1.08))
    terms = " + ".join(f"L_{{{t + 1}}}" for t in range(n_steps))
    ax.text((n_steps - 1) * dx / 2, 4.7, f"$L = {terms}$", ha="center", va="center", fontsize=12)
    ax.plot([], [], color=COLORS["edge"], label="forward")
    ax.plot([], [], color=COLORS["grad"], linestyle="--", label="gradient (backward)")
    ax.legend(loc="lower center", ncol=2, fontsize=9)
    ax.set_ylim(-1.2, 5.0)
    return fig


def _reading_chain(ax: Axes, inputs: Sequence[str], state: str, dx: float) -> None:
    """Input boxes labelled `inputs` at y = 0 under a chain of states `state`_1, `state`_2, ... at y = 1.3."""
    for t, symbol in enumerate(inputs):
        x = t * dx
        _node(ax, x, 0.0, symbol, COLORS["x"])
        _node(ax, x, 1.3, f"${state}_{{{t + 1}}}$", COLORS["h"])
        _arrow(ax, (x, _BOX), (x, 1.3 - _BOX))
        if t > 0:
            _arrow(ax, (x - dx + _BOX, 1.3), (x - _BOX, 1.3))


def _finish(ax: Axes, xlim: tuple[float, float], ylim: tuple[float, float]) -> None:
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")


def figure_stacked(num_layers: int = 2, n_steps: int = 4) -> Figure:
    """A stacked RNN: layer l reads the hidden states of layer l - 1; h_n is the last column, one state per layer."""
    num_layers = check_int(num_layers, "num_layers", 1, 4)
    n_steps = check_int(n_steps, "n_steps", 2, 6)
    dx, dy = 1.6, 1.3
    fig, ax = plt.subplots(figsize=(1.6 * n_steps + 3.2, 1.25 * (num_layers + 2) + 0.4))
    top = dy * (num_layers + 1)
    for t in range(n_steps):
        x = t * dx
        _node(ax, x, 0.0, f"$x_{{{t + 1}}}$", COLORS["x"])
        for layer in range(1, num_layers + 1):
            y = layer * dy
            last = t == n_steps - 1
            _node(ax, x, y, f"$h^{{({layer})}}_{{{t + 1}}}$", COLORS["h"], linewidth=2.6 if last else 1.2)
            _arrow(ax, (x, y - dy + _BOX), (x, y - _BOX))
            if t > 0:
                label = f"$W^{{({layer})}}$" if t == 1 else ""
                _arrow(ax, (x - dx + _BOX, y), (x - _BOX, y), label, offset=(-0.25, 0.2))
        _node(ax, x, top, f"$o_{{{t + 1}}}$", COLORS["o"])
        _arrow(ax, (x, top - dy + _BOX), (x, top - _BOX))
    right = (n_steps - 1) * dx + _BOX + 0.25
    ax.annotate("", xy=(right, dy - _BOX), xytext=(right, num_layers * dy + _BOX),
                arrowprops={"arrowstyle": "-", "linewidth": 1.2, "color": COLORS["edge"]})
    ax.text(right + 0.15, (num_layers + 1) * dy / 2, "$h_n$: the last step\nof every layer,\n(num_layers, batch,\n hidden)",
            ha="left", va="center", fontsize=9)
    ax.text(right + 0.15, top, "output: the top\nlayer at every step,\n(batch, time, hidden)", ha="left", va="center",
            fontsize=9)
    for layer in range(1, num_layers + 1):
        ax.text(-_BOX - 0.2, layer * dy, f"layer {layer}", ha="right", va="center", fontsize=9)
    _finish(ax, (-1.6, (n_steps - 1) * dx + 2.6), (-0.6, top + 0.6))
    return fig


def figure_bidirectional(n_steps: int = 4) -> Figure:
    """A bidirectional RNN: a forward and a backward chain read the same inputs; each output sees both states."""
    n_steps = check_int(n_steps, "n_steps", 2, 6)
    dx, shift, y_fwd, y_bwd, y_out = 2.1, 0.48, 1.3, 2.55, 3.85
    fig, ax = plt.subplots(figsize=(2.0 * n_steps + 1.8, 4.8))
    for t in range(n_steps):
        x = t * dx
        _node(ax, x, 0.0, f"$x_{{{t + 1}}}$", COLORS["x"])
        _node(ax, x - shift, y_fwd, rf"$\overrightarrow{{h}}_{{{t + 1}}}$", COLORS["h"])
        _node(ax, x + shift, y_bwd, rf"$\overleftarrow{{h}}_{{{t + 1}}}$", "#d4efc9")
        _node(ax, x, y_out, f"$o_{{{t + 1}}}$", COLORS["o"])
        _arrow(ax, (x - 0.15, _BOX), (x - shift, y_fwd - _BOX))
        _arrow(ax, (x + 0.15, _BOX), (x + shift, y_bwd - _BOX))
        _arrow(ax, (x - shift, y_fwd + _BOX), (x - 0.15, y_out - _BOX))
        _arrow(ax, (x + shift, y_bwd + _BOX), (x + 0.15, y_out - _BOX))
        if t > 0:
            _arrow(ax, (x - dx - shift + _BOX, y_fwd), (x - shift - _BOX, y_fwd))
            _arrow(ax, (x + shift - _BOX, y_bwd), (x - dx + shift + _BOX, y_bwd))
    ax.text(-shift - _BOX - 0.15, y_fwd, "forward\n(left to right)", ha="right", va="center", fontsize=9)
    ax.text(-shift - _BOX - 0.15, y_bwd, "backward\n(right to left)", ha="right", va="center", fontsize=9)
    ax.text((n_steps - 1) * dx / 2, y_out + 0.75,
            r"$o_t = V\,[\overrightarrow{h}_t ; \overleftarrow{h}_t] + c$ (concatenate)   or   "
            r"$o_t = V\,(\overrightarrow{h}_t + \overleftarrow{h}_t) + c$ (sum)", ha="center", va="center", fontsize=10)
    _finish(ax, (-2.6, (n_steps - 1) * dx + 0.9), (-0.6, y_out + 1.1))
    return fig


#: The example sequence of the attention figure and its (illustrative) weights.
_ATTENTION_EXAMPLE = ("B", "c", "X", "a", "Y", "d", "E"), (0.02, 0.03, 0.45, 0.03, 0.41, 0.03, 0.03)


def figure_attention_pooling() -> Figure:
    """Attention pooling: a weight alpha_i = softmax(w . h_i) per hidden state, their weighted sum feeds the classifier."""
    symbols, alphas = _ATTENTION_EXAMPLE
    dx = 1.3
    n = len(symbols)
    centre = (n - 1) * dx / 2
    fig, ax = plt.subplots(figsize=(1.25 * n + 1.5, 5.6))
    pool_y, out_y = 4.3, 5.6
    _reading_chain(ax, symbols, "h", dx)
    for t, alpha in enumerate(alphas):
        x = t * dx
        ax.add_patch(Rectangle((x - 0.22, 1.85), 0.44, 1.6 * alpha, facecolor=COLORS["loss"], edgecolor=COLORS["edge"],
                               linewidth=0.8))
        ax.text(x + 0.26, 1.9, f"{alpha:.2f}", ha="left", va="bottom", fontsize=8)
        ax.plot([x, x], [1.3 + _BOX, 1.85], color=COLORS["edge"], linewidth=0.8)
        ax.add_patch(FancyArrowPatch((x, 1.85 + 1.6 * alpha), (centre, pool_y - _BOX), arrowstyle="-|>", mutation_scale=10,
                                     linewidth=0.4 + 6 * alpha, color=COLORS["edge"], alpha=0.25 + 0.75 * alpha / max(alphas),
                                     shrinkA=0, shrinkB=0))
    ax.text(-_BOX - 0.1, 2.2, r"$\alpha_i$", ha="right", va="center", fontsize=12)
    _node(ax, centre, pool_y, "", "white")
    ax.text(centre, pool_y, r"$\Sigma$", ha="center", va="center", fontsize=16)
    ax.text(centre + _BOX + 0.15, pool_y, r"$\Sigma_i\, \alpha_i h_i$", ha="left", va="center", fontsize=11)
    _node(ax, centre, out_y, r"$\hat{y}$", COLORS["o"])
    _arrow(ax, (centre, pool_y + _BOX), (centre, out_y - _BOX), "V, c")
    ax.text((n - 1) * dx + _BOX + 0.2, 2.6,
            r"$\alpha_i = \frac{\exp(w^\top h_i)}{\sum_j \exp(w^\top h_j)}$", ha="left", va="center", fontsize=12)
    _finish(ax, (-1.0, (n - 1) * dx + 3.3), (-0.6, out_y + 0.6))
    return fig


def figure_embedding_lookup(vocab_size: int = 6, dim: int = 3, index: int = 3) -> Figure:
    """An embedding is a table lookup: one-hot row vector times the (vocab_size, dim) matrix picks row `index`."""
    vocab_size = check_int(vocab_size, "vocab_size", 2, 10)
    dim = check_int(dim, "dim", 1, 6)
    index = check_int(index, "index", 0, vocab_size - 1)
    values = np.sin(np.arange(vocab_size * dim).reshape(vocab_size, dim) * 1.7 + 0.4)
    cmap = matplotlib.colormaps[HEATMAP_CMAP]
    cell = 0.5
    fig, ax = plt.subplots(figsize=(0.5 * (vocab_size + 2 * dim) + 3.5, 0.5 * vocab_size + 1.6))
    top = vocab_size * cell
    for k in range(vocab_size):  # the one-hot row vector, drawn as a row
        ax.add_patch(Rectangle((k * cell, top / 2 - cell / 2), cell, cell, facecolor=COLORS["x"] if k == index else "white",
                               edgecolor=COLORS["edge"], linewidth=0.8))
        ax.text(k * cell + cell / 2, top / 2, "1" if k == index else "0", ha="center", va="center", fontsize=9)
    ax.text(vocab_size * cell / 2, top / 2 - cell, f"one-hot $x$ ({vocab_size},)", ha="center", va="top", fontsize=9)
    left = vocab_size * cell + 0.8
    ax.text(left - 0.4, top / 2, r"$\times$", ha="center", va="center", fontsize=14)
    for k in range(vocab_size):  # the embedding matrix, row k at the top for k = 0
        y = top - (k + 1) * cell
        for j in range(dim):
            ax.add_patch(Rectangle((left + j * cell, y), cell, cell, facecolor=cmap((values[k, j] + 1) / 2),
                                   edgecolor=COLORS["edge"], linewidth=2.0 if k == index else 0.5,
                                   alpha=1.0 if k == index else 0.35))
        ax.text(left - 0.1, y + cell / 2, str(k), ha="right", va="center", fontsize=8, color="#666666")
    ax.text(left + dim * cell / 2, -0.25, f"$E$ ({vocab_size}, {dim})", ha="center", va="top", fontsize=9)
    right = left + dim * cell + 0.8
    ax.text(right - 0.4, top / 2, "=", ha="center", va="center", fontsize=14)
    for j in range(dim):
        ax.add_patch(Rectangle((right + j * cell, top / 2 - cell / 2), cell, cell, facecolor=cmap((values[index, j] + 1) / 2),
                               edgecolor=COLORS["edge"], linewidth=2.0))
    ax.text(right + dim * cell / 2, top / 2 - cell, f"row {index} of $E$ ({dim},)", ha="center", va="top", fontsize=9)
    ax.text((right + dim * cell) / 2, top + 0.35, f"nn.Embedding({vocab_size}, {dim})(index {index}) reads row {index}: "
            "no multiplication needed", ha="center", va="bottom", fontsize=10)
    ax.set_xlim(-0.2, right + dim * cell + 0.2)
    ax.set_ylim(-0.8, top + 0.8)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


def figure_encoder_decoder(source: str = "3142", start: str = "<s>") -> Figure:
    """The number sorter as an encoder-decoder: the encoder's last state is the context, the decoder writes the sorted digits."""
    if not isinstance(source, str) or not 2 <= len(source) <= 6 or not source.isdigit():
        raise ValueError(f"source must be a string of 2 to 6 digits, got {source!r}")
    check_str(start, "start", nonempty=True)
    target = "".join(sorted(source))
    n = len(source)
    dx = 1.5
    gap = 1.2
    fig, ax = plt.subplots(figsize=(1.5 * 2 * n + 2.6, 4.4))
    _reading_chain(ax, source, "e", dx)
    context_x = (n - 1) * dx + gap
    _node(ax, context_x, 1.3, "$C$", COLORS["loss"])
    _arrow(ax, ((n - 1) * dx + _BOX, 1.3), (context_x - _BOX, 1.3))
    inputs = [start] + list(target[:-1])
    for t in range(n):
        x = context_x + gap + t * dx
        _node(ax, x, 0.0, inputs[t], "white" if t == 0 else COLORS["x"])
        _node(ax, x, 1.3, f"$d_{{{t + 1}}}$", COLORS["h"])
        _node(ax, x, 2.6, target[t], COLORS["o"])
        _arrow(ax, (x, _BOX), (x, 1.3 - _BOX))
        _arrow(ax, (x, 1.3 + _BOX), (x, 2.6 - _BOX))
        _arrow(ax, (x - (gap if t == 0 else dx) + _BOX, 1.3), (x - _BOX, 1.3))
        if t < n - 1:
            ax.add_patch(FancyArrowPatch((x + _BOX, 2.6), (x + dx - _BOX, 0.1), arrowstyle="-|>", mutation_scale=10,
                                         linewidth=1.0, linestyle="--", color=COLORS["grad"], shrinkA=0, shrinkB=0))
    ax.text((n - 1) * dx / 2, 3.2, "encoder: reads the digits", ha="center", va="center", fontsize=10)
    ax.text(context_x + gap + (n - 1) * dx / 2, 3.4, "decoder: writes them sorted", ha="center", va="center", fontsize=10)
    ax.text(context_x, 2.15, f"context\n$C = e_{{{n}}}$", ha="center", va="center", fontsize=9)
    ax.text(context_x + gap + (n - 1) * dx / 2, -0.8,
            "decoder input: the previous true digit while training (teacher forcing),\n"
            "its own previous prediction at test time (dashed)", ha="center", va="center", fontsize=9)
    _finish(ax, (-0.7, context_x + gap + (n - 1) * dx + 0.7), (-1.3, 3.8))
    return fig


# ---------------------------------------------------------------- gated cells (notebook 07)

_GATE = {"sigma": COLORS["loss"], "tanh": COLORS["h"]}


def _gate_box(ax: Axes, x: float, y: float, name: str, function: str, role: str) -> None:
    """A gate: a box with its name and squashing function, its role written under it."""
    ax.add_patch(FancyBboxPatch((x - 0.5, y - 0.45), 1.0, 0.9, boxstyle="round,pad=0.02,rounding_size=0.1",
                                facecolor=_GATE[function], edgecolor=COLORS["edge"], linewidth=1.2))
    symbol = r"\sigma" if function == "sigma" else r"\tanh"
    ax.text(x, y + 0.14, f"${name}$", ha="center", va="center", fontsize=14)
    ax.text(x, y - 0.2, f"${symbol}$", ha="center", va="center", fontsize=11)
    ax.text(x, y - 0.62, role, ha="center", va="top", fontsize=10, color="#444444")


def _operator(ax: Axes, x: float, y: float, text: str) -> None:
    """A round node for an elementwise operation (``×``, ``+``, ``1−``, ``tanh``)."""
    radius = 0.26 if len(text) <= 2 else 0.38
    ax.add_patch(matplotlib.patches.Circle((x, y), radius, facecolor="white", edgecolor=COLORS["edge"], linewidth=1.2,
                                           zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=13 if len(text) <= 2 else 10, zorder=4)


def _line(ax: Axes, points: Sequence[tuple[float, float]], *, arrow: bool = True, width: float = 1.2,
          color: str = COLORS["edge"]) -> None:
    """A polyline through ``points``, with an arrow head on its last segment."""
    xs, ys = zip(*points)
    if len(points) > 2:
        ax.plot(xs[:-1], ys[:-1], color=color, linewidth=width, solid_capstyle="butt", zorder=1)
    start, end = points[-2], points[-1]
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>" if arrow else "-", mutation_scale=12, linewidth=width,
                                 color=color, shrinkA=0, shrinkB=0, zorder=2))


def _cell_canvas(width: float) -> tuple[Figure, Axes]:
    """A figure for a recurrent cell: its grey rounded box, `width` wide, from (-0.2, -0.2)."""
    fig, ax = plt.subplots(figsize=(10.0, 5.4))
    ax.add_patch(FancyBboxPatch((-0.2, -0.2), width, 5.3, boxstyle="round,pad=0.05,rounding_size=0.3",
                                facecolor="#f7f7f7", edgecolor="#999999", linewidth=1.0, zorder=0))
    return fig, ax


def _state_path(ax: Axes, y: float, operators: Sequence[float], end: float) -> None:
    """The thick state line at height y from x = -1.3 to `end`, broken around the operator circles at `operators`."""
    stops = [-1.3, *operators, end]
    for k, (left, right) in enumerate(zip(stops, stops[1:])):
        _line(ax, [(left + (0.26 if k else 0.0), y), (right - (0.26 if k < len(operators) else 0.0), y)], width=2.6)


def figure_lstm_cell() -> Figure:
    """The LSTM cell: gates i, f, g, o read [h_{t-1}, x_t]; the cell-state path c_{t-1} -> c_t on top; h_t = o * tanh(c_t)."""
    fig, ax = _cell_canvas(9.0)
    top, bus, gates = 4.3, 0.55, 2.1
    # the cell-state path: multiplied by f, then i * g added
    _state_path(ax, top, (1.5, 4.0), 9.9)
    ax.text(-1.35, top + 0.3, "$c_{t-1}$", ha="left", va="bottom", fontsize=14)
    ax.text(9.9, top + 0.3, "$c_t$", ha="right", va="bottom", fontsize=14)
    ax.text(2.75, top + 0.3, "cell state: the memory path", ha="center", va="bottom", fontsize=11, style="italic")
    _operator(ax, 1.5, top, "×")
    _operator(ax, 4.0, top, "+")
    # the inputs: h_{t-1} and x_t on one bus that feeds every gate
    _line(ax, [(-1.3, bus), (6.4, bus)], arrow=False)
    ax.text(-1.35, bus + 0.15, "$h_{t-1}$", ha="left", va="bottom", fontsize=14)
    _line(ax, [(0.3, -1.1), (0.3, bus)], arrow=False)
    ax.text(0.3, -1.2, "$x_t$", ha="center", va="top", fontsize=14)
    for x, name, function, role in [(1.5, "f_t", "sigma", "forget"), (2.9, "i_t", "sigma", "input"),
                                    (4.3, "g_t", "tanh", "candidate"), (6.4, "o_t", "sigma", "output")]:
        _line(ax, [(x, bus), (x, gates - 0.45)])
        _gate_box(ax, x, gates, name, function, role)
    _line(ax, [(1.5, gates + 0.45), (1.5, top - 0.26)])  # f multiplies c_{t-1}
    _operator(ax, 3.6, 3.3, "×")  # i * g
    _line(ax, [(2.9, gates + 0.45), (2.9, 3.3), (3.6 - 0.26, 3.3)])
    _line(ax, [(4.3, gates + 0.45), (4.3, 3.3), (3.6 + 0.26, 3.3)])
    _line(ax, [(3.6, 3.3 + 0.26), (4.0 - 0.1, top - 0.24)])
    # the output: h_t = o_t * tanh(c_t)
    _operator(ax, 7.6, 3.3, "tanh")
    _line(ax, [(7.6, top), (7.6, 3.3 + 0.38)])
    _operator(ax, 7.6, gates, "×")
    _line(ax, [(7.6, 3.3 - 0.38), (7.6, gates + 0.26)])
    _line(ax, [(6.9, gates), (7.6 - 0.26, gates)])
    _line(ax, [(7.6, gates - 0.26), (7.6, bus), (9.9, bus)], width=1.8)
    ax.text(9.9, bus + 0.15, "$h_t$", ha="right", va="bottom", fontsize=14)
    ax.text(4.35, -1.75, "× and + act element by element; every gate reads $h_{t-1}$ and $x_t$",
            ha="center", va="top", fontsize=11, color="#444444")
    _finish(ax, (-1.5, 10.1), (-2.3, 5.3))
    ax.set_title("The LSTM cell: $c_t = f_t \\odot c_{t-1} + i_t \\odot g_t$,  $h_t = o_t \\odot \\tanh(c_t)$",
                 fontsize=13)
    return fig


def figure_gru_cell() -> Figure:
    """The GRU cell: reset gate r_t shapes the candidate n_t; update gate z_t mixes h_{t-1} and n_t into h_t."""
    fig, ax = _cell_canvas(8.2)
    top, bus, gates = 4.3, 0.55, 2.1
    # the state path: h_{t-1} * z_t, plus (1 - z_t) * n_t
    _state_path(ax, top, (1.5, 6.6), 9.3)
    ax.text(-1.35, top + 0.3, "$h_{t-1}$", ha="left", va="bottom", fontsize=14)
    ax.text(9.3, top + 0.3, "$h_t$", ha="right", va="bottom", fontsize=14)
    ax.text(4.0, top + 0.3, "the state: kept where $z_t = 1$, replaced where $z_t = 0$", ha="center", va="bottom",
            fontsize=11, style="italic")
    _operator(ax, 1.5, top, "×")
    _operator(ax, 6.6, top, "+")
    # the inputs on one bus
    _line(ax, [(0.1, top), (0.1, bus), (5.6, bus)], arrow=False)
    _line(ax, [(0.6, -1.1), (0.6, bus)], arrow=False)
    ax.text(0.6, -1.2, "$x_t$", ha="center", va="top", fontsize=14)
    for x, name, role in [(1.5, "z_t", "update"), (3.0, "r_t", "reset")]:
        _line(ax, [(x, bus), (x, gates - 0.45)])
        _gate_box(ax, x, gates, name, "sigma", role)
    _line(ax, [(1.5, gates + 0.45), (1.5, top - 0.26)])  # z multiplies h_{t-1}
    _operator(ax, 2.6, 3.3, "1−")
    _line(ax, [(1.5, 3.3), (2.6 - 0.38, 3.3)])
    _line(ax, [(2.6 + 0.38, 3.3), (6.6 - 0.26, 3.3)])
    _operator(ax, 6.6, 3.3, "×")
    _line(ax, [(6.6, 3.3 + 0.26), (6.6, top - 0.26)])
    # the candidate: n_t = tanh(U x_t + r_t * (W h_{t-1}))
    _operator(ax, 4.2, gates, "×")
    _line(ax, [(3.5, gates), (4.2 - 0.26, gates)])
    _line(ax, [(4.2, bus), (4.2, gates - 0.26)])
    ax.text(4.3, 1.0, "$W^n h_{t-1}$", ha="left", va="center", fontsize=11)
    _line(ax, [(4.2 + 0.26, gates), (5.6 - 0.5, gates)])
    _line(ax, [(5.6, bus), (5.6, gates - 0.45)])
    ax.text(5.7, 1.0, "$U^n x_t$", ha="left", va="center", fontsize=11)
    _gate_box(ax, 5.6, gates, "n_t", "tanh", "candidate")
    _line(ax, [(5.6 + 0.5, gates), (6.6, gates), (6.6, 3.3 - 0.26)])
    ax.text(4.0, -1.75, "× and + act element by element; $r_t$ decides how much of $h_{t-1}$ the candidate sees",
            ha="center", va="top", fontsize=11, color="#444444")
    _finish(ax, (-1.5, 9.5), (-2.3, 5.3))
    ax.set_title("The GRU cell: $h_t = (1 - z_t) \\odot n_t + z_t \\odot h_{t-1}$", fontsize=13)
    return fig


#: The example of :func:`figure_gate_product`: a vector v and the pre-activations z of its gate.
_GATE_EXAMPLE = (np.array([0.8, -0.6, 0.9, 0.5, -0.7]), np.array([4.0, -4.0, 0.0, 2.0, -1.0]))


def figure_gate_product() -> Figure:
    """A gate: sigma(z) squashes each entry into [0, 1]; multiplied element by element with v, it passes, halves or blocks each entry."""
    v, z = _GATE_EXAMPLE
    gate = 1.0 / (1.0 + np.exp(-z))
    fig, (curve, table) = plt.subplots(1, 2, figsize=(10.0, 4.6), gridspec_kw={"width_ratios": [1.0, 1.35]})
    grid = np.linspace(-6, 6, 200)
    curve.plot(grid, 1.0 / (1.0 + np.exp(-grid)), color=COLORS["edge"], linewidth=2.0)
    curve.scatter(z, gate, s=60, color=COLORS["grad"], zorder=3)
    for k, (zk, gk) in enumerate(zip(z, gate)):
        curve.annotate(f"{gk:.2f}", (zk, gk), textcoords="offset points", xytext=(8, -14 if gk > 0.5 else 6),
                       fontsize=11)
    curve.axhline(0, color="#999999", linewidth=0.8)
    curve.axhline(1, color="#999999", linewidth=0.8, linestyle="--")
    curve.set_xlabel("pre-activation $z$", fontsize=12)
    curve.set_ylabel(r"gate $\sigma(z)$", fontsize=12)
    curve.set_title(r"$\sigma$ maps any $z$ into $[0, 1]$", fontsize=13)
    curve.tick_params(labelsize=11)
    curve.set_ylim(-0.1, 1.15)
    curve.spines[["top", "right"]].set_visible(False)
    cmap = matplotlib.colormaps[HEATMAP_CMAP]
    columns = [("$v$", v, "signed"), (r"$\sigma(z)$", gate, "gate"), (r"$\sigma(z) \odot v$", gate * v, "signed")]
    for j, (name, values, kind) in enumerate(columns):
        x = 1.6 * j
        table.text(x + 0.5, len(v) + 0.35, name, ha="center", va="bottom", fontsize=14)
        for k, value in enumerate(values):
            y = len(v) - 1 - k
            face = matplotlib.colormaps["Greys"](0.1 + 0.6 * value) if kind == "gate" else cmap((value + 1) / 2)
            table.add_patch(Rectangle((x, y), 1.0, 0.9, facecolor=face, edgecolor=COLORS["edge"], linewidth=0.8))
            dark = (kind == "gate" and value > 0.6) or (kind == "signed" and abs(value) > 0.65)
            table.text(x + 0.5, y + 0.45, f"{value:+.2f}" if kind == "signed" else f"{value:.2f}", ha="center",
                       va="center", fontsize=12, color="white" if dark else "black")
    table.text(1.3, 2.45, "⊙", ha="center", va="center", fontsize=18)
    table.text(2.9, 2.45, "=", ha="center", va="center", fontsize=18)
    for k, what in enumerate(["passes", "blocked", "halved", "mostly passes", "mostly blocked"]):
        table.text(4.35, len(v) - 1 - k + 0.45, what, ha="left", va="center", fontsize=11, color="#444444")
    table.set_xlim(-0.2, 6.6)
    table.set_ylim(-0.3, len(v) + 1.0)
    table.axis("off")
    table.set_title("a gate multiplies element by element", fontsize=13)
    return fig


#: Every file in img/ and the function that draws it.
FIGURES: dict[str, Callable[[], Figure]] = {
    "rnn_folded_unrolled.png": figure_folded_unrolled,
    "architectures.png": figure_architectures,
    "bptt_unrolled.png": figure_bptt,
    "stacked_rnn.png": figure_stacked,
    "bidirectional_rnn.png": figure_bidirectional,
    "attention_pooling.png": figure_attention_pooling,
    "embedding_lookup.png": figure_embedding_lookup,
    "encoder_decoder.png": figure_encoder_decoder,
    "lstm_cell.png": figure_lstm_cell,
    "gru_cell.png": figure_gru_cell,
    "gate_product.png": figure_gate_product,
    **{f"arch_{name}.png": (lambda name=name: figure_architecture(name)) for name in ARCHITECTURES},
}


def write_figures(directory: str | Path, names: Iterable[str] | None = None) -> list[Path]:
    """Draw the figures of :data:`FIGURES` (or just `names`) into `directory`; return the paths written."""
    if not isinstance(directory, (str, Path)):
        raise TypeError(f"directory must be a str or a pathlib.Path, got {type(directory).__name__}")
    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"directory must be an existing folder, got {str(directory)!r}")
    if names is not None and (isinstance(names, str) or not isinstance(names, Iterable)):
        raise TypeError(f"names must be an iterable of figure file names (or None), got {type(names).__name__}")
    names = list(FIGURES) if names is None else list(names)
    if not all(isinstance(name, str) for name in names):
        raise TypeError(f"names must be figure file names (strings), got {names!r}")
    unknown = sorted(set(names) - set(FIGURES))
    if unknown:
        raise ValueError(f"names must be among {sorted(FIGURES)}, got unknown {unknown}")
    written = []
    with matplotlib.rc_context():
        # from matplotlib's defaults, as `make figures` starts: a style set before (course_utils.setup) changes nothing
        matplotlib.rcdefaults()
        matplotlib.rcParams.update({"font.family": "DejaVu Sans", "mathtext.fontset": "dejavusans", "svg.hashsalt": "rnn"})
        for name in names:
            fig = FIGURES[name]()
            path = directory / name
            fig.savefig(path, dpi=110, bbox_inches="tight", facecolor="white", metadata={"Software": None})
            plt.close(fig)
            written.append(path)
    return written


if __name__ == "__main__":
    matplotlib.use("Agg")
    target = sys.argv[1] if len(sys.argv) > 1 else "img"
    for written_path in write_figures(target):
        print(written_path)
