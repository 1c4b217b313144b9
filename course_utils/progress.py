"""A progress bar for the course's training loops that keeps stored notebooks stable.

In JupyterLab a long training cell shows a live ipywidgets bar. What the cell
stores is one display output whose text is fixed when the bar appears (for
example ``training: 40 epochs``) and whose live part is a widget view, which
``make execute`` strips and nbval does not compare; so the stored notebook is
the same on every run, under strict nbval too. The output carries the metadata
``{"course_progress": true}``, by which the site and the decks leave it out.
Outside a notebook kernel (a script, a benchmark, a terminal) nothing is shown.

    for epoch in progress(range(40), "epochs"):
        ...
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from course_utils.checks import check_float, check_int
from course_utils.cpu import LIVE_VARIABLE

__all__ = ["Progress", "progress", "MARKER"]

#: Metadata key of a progress bar's display output.
MARKER = "course_progress"
T = TypeVar("T")


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover (IPython ships with the course)
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class _Stable:
    """Shows ``widget`` live, with ``text`` as its fixed plain-text form."""

    def __init__(self, widget: Any, text: str):
        self.widget, self.text = widget, text

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        bundle = self.widget._repr_mimebundle_(**kwargs) or {}
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        return {**data, "text/plain": self.text}


class Progress:
    """A bar counting ``total`` steps of ``unit`` (live in a notebook front end, silent elsewhere or if not ``shown``)."""

    def __init__(self, total: int, unit: str = "steps", description: str = "training", *, min_interval: float = 0.2,
                 shown: bool = True):
        self.total = check_int(total, "total", low=0)
        if not isinstance(unit, str) or not unit:
            raise TypeError(f"unit must be a non-empty string, got {unit!r}")
        if not isinstance(description, str):
            raise TypeError(f"description must be a string, got {type(description).__name__}")
        if not isinstance(shown, bool):
            raise TypeError(f"shown must be True or False, got {type(shown).__name__}")
        self.unit, self.description = unit, description
        self.min_interval = check_float(min_interval, "min_interval", 0)
        self.done, self._shown_at, self._bar = 0, 0.0, None
        if shown and _in_kernel():
            self._show()

    def _show(self) -> None:
        import ipywidgets as widgets
        from IPython.display import display

        self._bar = widgets.IntProgress(value=0, min=0, max=self.total, description=self.description,
                                        style={"description_width": "initial"})
        self._label = widgets.Label(value=f"0/{self.total} {self.unit}")
        text = f"{self.description}: {self.total} {self.unit}" if self.description else f"{self.total} {self.unit}"
        display(_Stable(widgets.HBox([self._bar, self._label]), text), metadata={MARKER: True})

    def update(self, steps: int = 1) -> None:
        """Count ``steps`` more (the bar redraws at most every ``min_interval`` seconds, and at the end)."""
        self.done = min(self.total, self.done + check_int(steps, "steps", low=0))
        now = time.monotonic()
        if os.environ.get(LIVE_VARIABLE) == "0":  # (set by the course's tools for kernels with no front end)
            return
        if self._bar is not None and (self.done == self.total or now - self._shown_at >= self.min_interval):
            self._shown_at = now
            self._bar.value = self.done
            self._label.value = f"{self.done}/{self.total} {self.unit}"
            if self.done == self.total:
                self._bar.bar_style = "success"


def progress(iterable: Iterable[T], unit: str = "steps", description: str = "training",
             total: int | None = None) -> Iterator[T]:
    """Yield from ``iterable`` while a :class:`Progress` bar counts its items (``total`` defaults to ``len(iterable)``)."""
    if not isinstance(iterable, Iterable):
        raise TypeError(f"iterable must be iterable, got {type(iterable).__name__}")
    if total is None:
        if not hasattr(iterable, "__len__"):
            raise ValueError("total is required when iterable has no length")
        total = len(iterable)  # type: ignore[arg-type]
    bar = Progress(total, unit, description)
    for item in iterable:
        yield item
        bar.update()
