"""Sliders that redraw a matplotlib figure, for the notebooks' interactive cells.

:func:`interact_figure` works like ``ipywidgets.interact`` for a function that
draws and returns a figure, but shows the figure as a PNG in a
``widgets.Image`` instead of capturing it in an ``Output`` widget. The picture
is the same in JupyterLab; the difference is that executing the notebook
headless (``make execute``, which runs nbclient without storing widget state)
does not route any output through a widget, which nbclient 0.11 cannot do in
that mode. The figure function is an ordinary function, so the cell after the
widget can call it (or what it computes) and assert the claim the widget shows.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

__all__ = ["interact_figure", "figure_png"]


def figure_png(fig: Figure, dpi: int = 90) -> bytes:
    """The figure rendered as PNG bytes (tight bounding box, white background)."""
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    if isinstance(dpi, bool) or not isinstance(dpi, int) or dpi < 10:
        raise ValueError(f"dpi must be an integer >= 10, got {dpi!r}")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    return buffer.getvalue()


def interact_figure(draw: Callable[..., Figure], **controls: widgets.ValueWidget) -> widgets.VBox:
    """The controls above the figure draw(**their values), redrawn whenever one of them changes."""
    if not callable(draw):
        raise TypeError(f"draw must be a function returning a matplotlib Figure, got {type(draw).__name__}")
    if not controls:
        raise ValueError("controls must name at least one widget, e.g. radius=widgets.FloatSlider(...)")
    for name, control in controls.items():
        if not isinstance(control, widgets.ValueWidget):
            raise TypeError(f"control {name!r} must be an ipywidgets value widget (a slider, a dropdown, ...), "
                            f"got {type(control).__name__}")
    image = widgets.Image(format="png")

    def redraw(_change: object = None) -> None:
        fig = draw(**{name: control.value for name, control in controls.items()})
        if not isinstance(fig, Figure):
            raise TypeError(f"draw must return a matplotlib Figure, got {type(fig).__name__}")
        try:
            image.value = figure_png(fig)
        finally:
            plt.close(fig)  # the notebook's inline backend must not show it a second time

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox(list(controls.values())), image])
