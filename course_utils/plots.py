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
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from course_utils.checks import check_axes, check_bool, check_float, check_str

__all__ = [
    "HEATMAP_CMAP", "MIN_TEXT_PX", "DECK_FIGURE_PX", "plot_heatmap", "caption", "describe_figure",
    "display_scale", "smallest_text_px", "make_readable", "install_figure_formatter",
]

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
    vmin: float | None = None,
    cmap: str | None = None,
) -> Any:
    """Heatmap of ``values`` (time, units) for one sequence: units as rows, time as columns, colours on [-limit, limit].

    ``symbols`` is what was read at each step (a string such as ``"BbXc...E"`` or a
    list of labels), one per row of ``values``; the steps whose symbol is in
    ``marks`` are drawn as dashed lines. ``units`` picks and orders the rows to
    show (default: all, in order). Values beyond ``limit`` take the end colours
    and the colour bar gets arrows. ``vmin`` moves the low end of the range (for
    example 0 for a gate, whose values lie in [0, 1]) and ``cmap`` replaces the
    diverging colour map (a sequential one suits such a range). Returns the axis.
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
    limit = check_float(limit, "limit", 0, low_open=True)
    low = -limit if vmin is None else check_float(vmin, "vmin")
    if low >= limit:
        raise ValueError(f"vmin must be a finite number below limit={limit}, got {vmin!r}")
    if cmap is not None and not isinstance(cmap, str):
        raise TypeError(f"cmap must be the name of a matplotlib colour map, got {type(cmap).__name__}")
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
    check_axes(ax, optional=True)
    check_str(title, "title", optional=True)
    check_str(label, "label", optional=True)
    colorbar = check_bool(colorbar, "colorbar")
    if ax is None:
        _, ax = plt.subplots(figsize=(min(14.0, 3.0 + 0.09 * n_steps), 0.8 + 0.22 * len(units)))

    shown = values[:, units].T  # (units shown, time)
    image = ax.imshow(shown, aspect="auto", cmap=cmap or HEATMAP_CMAP, vmin=low, vmax=limit, interpolation="nearest")
    # Every label at least MIN_TEXT_PX high once the deck has fitted the figure; where the steps
    # (or units) are too close for one label each, every few are labelled (the marks always are).
    fig = ax.figure
    scale = display_scale(fig)
    fontsize = MIN_TEXT_PX / (scale * fig.dpi / 72.0)
    box = ax.get_position()
    width_px = fig.get_size_inches()[0] * fig.dpi * box.width * scale
    height_px = fig.get_size_inches()[1] * fig.dpi * box.height * scale
    per_label = MIN_TEXT_PX * (0.7 * max(len(s) for s in symbols) + 0.4)
    stride = max(1, math.ceil(n_steps * per_label / width_px))
    ax.set_xticks(range(n_steps), symbols, fontsize=fontsize)
    ax.tick_params(axis="x", length=0, pad=2)
    every = next(step for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, n_steps) if n_steps / step <= 12)
    steps_axis = ax.secondary_xaxis("top")  # step numbers along the top, every few steps
    steps_axis.set_xticks(range(0, n_steps, every))
    steps_axis.tick_params(labelsize=fontsize, length=2, pad=1)
    ax.set_yticks(range(len(units)), [str(unit) for unit in units], fontsize=fontsize)
    row_stride = max(1, math.ceil(len(units) * 1.2 * MIN_TEXT_PX / height_px))
    for row, tick in enumerate(ax.yaxis.get_major_ticks()):
        tick.label1.set_visible(tick.label1.get_visible() and row % row_stride == 0)
    ax.set_ylabel("unit")
    ax.set_xlabel("time step: the symbol read" + (f" (one in {stride} labelled)" if stride > 1 else ""))
    ax.grid(False)
    ticks = ax.xaxis.get_major_ticks()  # one per step (their labels may be hidden on a shared axis)
    for step, symbol in enumerate(symbols):
        tick_label = ticks[step].label1
        visible = tick_label.get_visible()  # False on an axis that shares its labels with the one below
        tick_label.set_visible(visible and (step % stride == 0 or symbol in set(marks)))
        if symbol in set(marks):
            ax.axvline(step, color="black", linestyle="--", linewidth=0.8)
            tick_label.set_fontweight("bold")
    if title is not None:
        ax.set_title(title)
    if colorbar:
        above, below = bool((shown > limit).any()), bool((shown < low).any())
        extend = {(True, True): "both", (True, False): "max", (False, True): "min"}.get((above, below), "neither")
        bar = ax.figure.colorbar(image, ax=ax, label=label, extend=extend, fraction=0.04, pad=0.01)
        bar.ax.tick_params(labelsize=fontsize)
        bar.ax.yaxis.label.set_fontsize(max(fontsize, bar.ax.yaxis.label.get_fontsize()))
    for text in (ax.xaxis.label, ax.yaxis.label, ax.title):
        text.set_fontsize(max(fontsize, text.get_fontsize()))
    return ax


# ---------------------------------------------------------------- figures readable and described
#
# Every figure a notebook shows goes through IPython's PNG formatter for matplotlib
# figures. :func:`install_figure_formatter` (called by ``course_utils.setup``) wraps it
# so that, with no change to a notebook cell, the stored output carries an alt text
# (``output.metadata["image/png"]["alt"]``, which the course's nbconvert templates put
# on the ``<img>``) and no text of the figure is smaller than :data:`MIN_TEXT_PX` once
# the deck has fitted the figure into :data:`DECK_FIGURE_PX`. A cell that knows better
# than the automatic description says what the figure shows with :func:`caption`.

#: Smallest size (CSS px, at the deck's 1280 x 800) of any text in a figure.
MIN_TEXT_PX = 12.0
#: The largest box (width, height in px at deck size) a deck gives a figure; a larger figure is scaled down to it.
DECK_FIGURE_PX = (1150.0, 600.0)
_CAPTION = "_course_caption"


def caption(fig: Any, text: str) -> Any:
    """Set the alt text of ``fig`` (a Figure or an Axes of it) to ``text``, a sentence saying what it shows; return the figure."""
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if isinstance(fig, Axes):
        fig = fig.figure
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure or Axes, got {type(fig).__name__}")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text must be a non-empty string, got {text!r}")
    setattr(fig, _CAPTION, " ".join(text.split()))
    return fig


def _plain(text: str) -> str:
    """A label as a screen reader should read it: TeX dollars and backslashes dropped, spaces collapsed."""
    text = re.sub(r"\\(mathrm|mathbf|text|operatorname)\{([^}]*)\}", r"\2", text)
    text = text.replace("$", "").replace("\\", "").replace("{", "").replace("}", "")
    return " ".join(text.split())


def _is_colorbar(ax: Any) -> bool:
    return getattr(ax, "_colorbar", None) is not None


def _describe_axes(ax: Any) -> str:
    """One panel in words: its kind, title, axes, legend entries and colour bar."""
    from matplotlib.container import BarContainer

    kinds = []
    if ax.images:
        kinds.append("heatmap")
    if any(isinstance(c, BarContainer) for c in ax.containers):
        kinds.append("bar chart")
    def is_rule(line: Any) -> bool:  # axvline / axhline: a marker across the panel, not data
        x, y = np.atleast_1d(line.get_xdata()), np.atleast_1d(line.get_ydata())
        return len(x) == 2 and (x[0] == x[1] or y[0] == y[1])

    lines = [line for line in ax.get_lines() if len(np.atleast_1d(line.get_xdata())) > 1 and not is_rule(line)]
    if lines:
        kinds.append("line plot")
    if ax.collections and not ax.images:
        kinds.append("scatter plot")
    kind = " and ".join(kinds) or "panel"
    words = [kind]
    title = _plain(ax.get_title())
    if title:
        words[0] = f"{kind} '{title}'"
    ylabel, xlabel = _plain(ax.get_ylabel()), _plain(ax.get_xlabel())
    if ylabel and xlabel:
        words.append(f"{ylabel} against {xlabel}")
    elif ylabel or xlabel:
        words.append(f"axis: {ylabel or xlabel}")
    legend = ax.get_legend()
    if legend is not None:
        entries = [_plain(t.get_text()) for t in legend.get_texts() if t.get_text()]
        if entries:
            words.append("legend: " + ", ".join(entries))
    for image in ax.images:
        bar = getattr(image, "colorbar", None)
        label = _plain(bar.ax.get_ylabel() or bar.ax.get_xlabel()) if bar is not None else ""
        low, high = image.get_clim()
        words.append(f"colour{' ' + label if label else ''} from {low:.3g} to {high:.3g}")
        break
    return ", ".join(words)


def _check_figure(fig: object) -> Any:
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    return fig


def describe_figure(fig: Any) -> str:
    """The alt text of ``fig``: its :func:`caption` if a cell set one, else a sentence built from its titles, axes and legends."""
    _check_figure(fig)
    explicit = getattr(fig, _CAPTION, None)
    if explicit:
        return explicit
    panels = [ax for ax in fig.axes if ax.get_visible() and not _is_colorbar(ax) and ax.axison]
    drawings = [ax for ax in fig.axes if ax.get_visible() and not ax.axison]
    suptitle = _plain(fig._suptitle.get_text()) if getattr(fig, "_suptitle", None) is not None else ""
    parts = []
    if panels:
        described = [_describe_axes(ax) for ax in panels]
        if len(described) == 1:
            parts.append(f"Figure: {described[0]}.")
        else:
            parts.append(f"Figure of {len(described)} panels. " + " ".join(
                f"{i}: {text}." for i, text in enumerate(described, 1)))
    if drawings:
        texts = [_plain(t.get_text()) for ax in drawings for t in ax.texts if t.get_visible() and t.get_text().strip()]
        titles = [_plain(ax.get_title()) for ax in drawings if ax.get_title()]
        label = "; ".join(titles) or ", ".join(dict.fromkeys(texts[:12]))
        parts.append(f"Diagram{': ' + label if label else ''}.")
    text = " ".join(parts) or "Figure."
    return f"{suptitle}. {text}" if suptitle else text


def _texts(fig: Any) -> list[Any]:
    """The visible, non-empty texts of a drawn figure (titles, labels, tick labels, legends, annotations)."""
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and t.get_figure(root=True) is fig]


def display_scale(fig: Any) -> float:
    """How much a deck shrinks ``fig`` to fit it into :data:`DECK_FIGURE_PX` (1.0: shown at its own size)."""
    _check_figure(fig)
    width, height = fig.get_size_inches() * fig.dpi
    return float(min(1.0, DECK_FIGURE_PX[0] / width, DECK_FIGURE_PX[1] / height))


def smallest_text_px(fig: Any) -> float:
    """The height in px at deck size of the smallest text of ``fig`` (inf when it has none)."""
    scale = display_scale(fig) * fig.dpi / 72.0  # (display_scale checks fig)
    sizes = [t.get_fontsize() * scale for t in _texts(fig)]
    return min(sizes, default=math.inf)


def make_readable(fig: Any, min_px: float = MIN_TEXT_PX) -> int:
    """Enlarge every text of ``fig`` smaller than ``min_px`` at deck size to that size; return how many were enlarged."""
    _check_figure(fig)
    min_px = check_float(min_px, "min_px", 0, low_open=True)
    fig.canvas.draw()  # creates the tick labels
    points = min_px / (display_scale(fig) * fig.dpi / 72.0)
    small = [t for t in _texts(fig) if t.get_fontsize() < points - 1e-9]
    for text in small:
        text.set_fontsize(points)
    return len(small)


def _png_with_alt(original: Any, fig: Any, *args: Any, **kwargs: Any) -> Any:
    """The inline backend's PNG of ``fig`` (text enlarged where needed) with its alt text as output metadata."""
    make_readable(fig)
    data = original(fig, *args, **kwargs)
    if data is None:
        return None
    metadata: dict[str, Any] = {}
    if isinstance(data, tuple):
        data, metadata = data[0], dict(data[1] or {})
    metadata["alt"] = describe_figure(fig)
    return data, metadata


def install_figure_formatter(shell: Any = None) -> bool:
    """Make IPython's PNG output of every matplotlib figure readable and described (see :func:`make_readable`).

    Returns False outside IPython (nothing to do); calling it again does not wrap twice.
    """
    import functools

    from matplotlib.figure import Figure

    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    formatter = shell.display_formatter.formatters["image/png"]
    try:
        original = formatter.lookup_by_type(Figure)
    except KeyError:
        # pyplot loads its backend (which registers the inline formatter) with the first figure
        import matplotlib.pyplot as plt

        plt.close(plt.figure())
        try:
            original = formatter.lookup_by_type(Figure)
        except KeyError:
            return False
    if getattr(original, "_course_alt", False):
        return True
    wrapped = functools.partial(_png_with_alt, original)
    wrapped._course_alt = True  # type: ignore[attr-defined]
    formatter.for_type(Figure, wrapped)
    return True
