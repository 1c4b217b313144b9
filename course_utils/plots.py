"""Plots of what a recurrent network does over time, shared by the notebooks.

:func:`plot_heatmap` draws one per-step quantity of a network for one sequence
(a hidden state, a cell state, a gate) as a heatmap with one row per unit and one
column per time step, the way the NYU deep-learning lab shows a trained LSTM
reading the temporal-order task (reference lecture ``002_e6a91ca0d0943e3a.txt``):
a diverging colour map centred at 0 (blue negative, white 0, red positive, as in
notebook 02's unrolled diagrams) on a *fixed* colour range with a colour bar, so
that two heatmaps drawn with the same range can be compared colour for colour;
the symbol read at each step along the time axis, and the steps that hold the
marks of the task (``X``/``Y``) drawn as dashed lines with their labels in bold.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

__all__ = ["HEATMAP_CMAP", "plot_heatmap"]

#: The diverging colour map of every heatmap: negative blue, zero white, positive red.
HEATMAP_CMAP = "RdBu_r"


def _as_matrix(values: object) -> np.ndarray:
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    if not isinstance(values, np.ndarray):
        raise TypeError(f"values must be a torch.Tensor or a numpy array, got {type(values).__name__}")
    if values.ndim != 2 or 0 in values.shape:
        raise ValueError(f"values must have shape (time, units) with both at least 1, got {values.shape}")
    if not (np.issubdtype(values.dtype, np.floating) or np.issubdtype(values.dtype, np.integer)):
        raise TypeError(f"values must hold real numbers, got dtype {values.dtype}")
    values = values.astype(np.float64)
    if not np.isfinite(values).all():
        raise ValueError("values must be finite (no nan or inf)")
    return values


def plot_heatmap(
    values: torch.Tensor | np.ndarray,
    symbols: str | Sequence[str],
    ax: Any = None,
    *,
    limit: float = 1.0,
    marks: str = "XY",
    units: Sequence[int] | None = None,
    title: str | None = None,
    label: str | None = None,
    colorbar: bool = True,
) -> Any:
    """Heatmap of ``values`` (time, units) for one sequence: units as rows, time as columns, colours on [-limit, limit].

    ``symbols`` is what was read at each step (a string such as ``"BbXc...E"`` or a
    list of labels), one per row of ``values``; the steps whose symbol is in
    ``marks`` are drawn as dashed lines. ``units`` picks and orders the rows to
    show (default: all, in order). Values beyond ``limit`` take the end colours
    and the colour bar gets arrows. Returns the axis.
    """
    import matplotlib.pyplot as plt

    values = _as_matrix(values)
    n_steps, n_units = values.shape
    if isinstance(symbols, str):
        symbols = list(symbols)
    if not isinstance(symbols, Sequence) or not all(isinstance(s, str) for s in symbols):
        raise TypeError(f"symbols must be a string or a sequence of strings, got {type(symbols).__name__}")
    if len(symbols) != n_steps:
        raise ValueError(f"symbols must give one label per time step: values has {n_steps} steps, "
                         f"symbols has {len(symbols)}")
    if isinstance(limit, bool) or not isinstance(limit, (int, float)) or not math.isfinite(limit) or limit <= 0:
        raise ValueError(f"limit must be a positive finite number, got {limit!r}")
    if not isinstance(marks, str):
        raise TypeError(f"marks must be a string of symbols, got {type(marks).__name__}")
    if isinstance(units, (np.ndarray, torch.Tensor)):
        units = units.tolist()
    if units is None:
        units = list(range(n_units))
    else:
        if isinstance(units, (str, bytes)) or not isinstance(units, Sequence) or not units:
            raise ValueError(f"units must be a non-empty sequence of unit indices, got {units!r}")
        for unit in units:
            if isinstance(unit, bool) or not isinstance(unit, (int, np.integer)) or not 0 <= unit < n_units:
                raise ValueError(f"units must be integers in [0, {n_units}), got {list(units)}")
        units = [int(unit) for unit in units]
    if ax is None:
        _, ax = plt.subplots(figsize=(min(14.0, 3.0 + 0.09 * n_steps), 0.8 + 0.22 * len(units)))

    shown = values[:, units].T  # (units shown, time)
    image = ax.imshow(shown, aspect="auto", cmap=HEATMAP_CMAP, vmin=-limit, vmax=limit, interpolation="nearest")
    fontsize = max(5.0, min(9.0, 520.0 / n_steps))
    ax.set_xticks(range(n_steps), symbols, fontsize=fontsize)
    ax.tick_params(axis="x", length=0, pad=2)
    every = next(step for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, n_steps) if n_steps / step <= 12)
    steps_axis = ax.secondary_xaxis("top")  # step numbers along the top, every few steps
    steps_axis.set_xticks(range(0, n_steps, every))
    steps_axis.tick_params(labelsize=7, length=2, pad=1)
    ax.set_yticks(range(len(units)), [str(unit) for unit in units], fontsize=max(5.0, min(9.0, 160.0 / len(units))))
    ax.set_ylabel("unit")
    ax.set_xlabel("time step: the symbol read")
    ax.grid(False)
    ticks = ax.xaxis.get_major_ticks()  # one per step (their labels may be hidden on a shared axis)
    for step, symbol in enumerate(symbols):
        if symbol in set(marks):
            ax.axvline(step, color="black", linestyle="--", linewidth=0.8)
            ticks[step].label1.set_fontweight("bold")
            ticks[step].label1.set_fontsize(max(fontsize, 8.0))
    if title is not None:
        ax.set_title(title)
    if colorbar:
        above, below = bool((shown > limit).any()), bool((shown < -limit).any())
        extend = {(True, True): "both", (True, False): "max", (False, True): "min"}.get((above, below), "neither")
        ax.figure.colorbar(image, ax=ax, label=label, extend=extend, fraction=0.04, pad=0.01)
    return ax
