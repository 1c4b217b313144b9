"""The set-up call every notebook makes first, so that a re-run gives the same outputs.

It is the one place in the course that touches global state (the global random
seeds, torch's thread count, print options, the plot style), and it does so only
because the notebook asks for it. Library code never seeds global generators: it
takes a ``seed`` or a ``numpy.random.Generator`` / ``torch.Generator``.
"""

from __future__ import annotations

import random

import matplotlib as mpl
import numpy as np
import torch

from course_utils.checks import check_int, check_seed

__all__ = ["setup", "PLOT_STYLE"]

#: Plot style shared by every figure of the course (applied by :func:`setup`).
PLOT_STYLE: dict[str, object] = {
    "figure.figsize": (7.0, 3.5),
    "figure.dpi": 90,
    "savefig.dpi": 90,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "image.cmap": "viridis",
    "svg.hashsalt": "rnn-course",
}


def setup(seed: int = 0, threads: int = 1) -> None:
    """Seed python/numpy/torch, use `threads` torch threads and deterministic kernels, set print options and plot style."""
    seed = check_seed(seed)
    threads = check_int(threads, "threads")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    np.set_printoptions(precision=4, suppress=True, linewidth=100)
    torch.set_printoptions(precision=4, sci_mode=False, linewidth=100)
    import matplotlib.pyplot  # noqa: F401  (activates the notebook's backend before the style is set)

    mpl.rcParams.update(PLOT_STYLE)
