"""The set-up call every notebook makes first, so that a re-run gives the same outputs.

It is the one place in the course that touches global state (the global random
seeds, torch's thread count, print options, the plot style), and it does so only
because the notebook asks for it. Library code never seeds global generators: it
takes a ``seed`` or a ``numpy.random.Generator`` / ``torch.Generator``.
"""

from __future__ import annotations

import random

import matplotlib as mpl
import matplotlib.style  # noqa: F401  (mpl.style.library)
import numpy as np
import torch

from course_utils.checks import check_int, check_seed

__all__ = ["setup", "PLOT_STYLE"]

#: The most torch threads setup accepts (far more than a laptop's cores; a typo such as 10**6 would crash torch).
MAX_THREADS = 256

#: Plot style shared by every figure of the course (applied by :func:`setup`). Sizes are
#: chosen for the decks: at 100 dpi an 11-point label is 15 px, and no text is below
#: ``plots.MIN_TEXT_PX`` (12 px) at deck size (the PNG formatter enlarges what is smaller).
#: Colours read for colour-blind viewers: matplotlib's Petroff cycle for lines, viridis for
#: images (its lightness rises steadily, so it also reads in grey).
PLOT_STYLE: dict[str, object] = {
    "figure.figsize": (7.0, 3.5),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.style.library["petroff10"]["axes.prop_cycle"],
    "legend.frameon": False,
    "image.cmap": "viridis",
    "svg.hashsalt": "rnn-course",
}


def _use_deterministic_algorithms() -> None:
    """``torch.use_deterministic_algorithms(True)`` for eager code, without importing torch's compiler.

    The public call also imports ``torch._inductor`` (about 2 s, at the start of
    every notebook) to set the compiler's flag; the course never compiles, so
    only the flag that the eager kernels read is set, the one the public call
    sets. (Where torch lacks the private setter, the public call is made.)
    """
    setter = getattr(torch._C, "_set_deterministic_algorithms", None)
    if setter is None:
        torch.use_deterministic_algorithms(True)
    else:
        setter(True, warn_only=False)


def setup(seed: int = 0, threads: int = 1) -> None:
    """Seed python/numpy/torch, use `threads` torch threads and deterministic kernels, set print options and plot style."""
    seed = check_seed(seed)
    threads = check_int(threads, "threads", 1, MAX_THREADS)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    _use_deterministic_algorithms()
    np.set_printoptions(precision=4, suppress=True, linewidth=100)
    torch.set_printoptions(precision=4, sci_mode=False, linewidth=100)
    import matplotlib.pyplot  # noqa: F401  (activates the notebook's backend before the style is set)

    mpl.rcParams.update(PLOT_STYLE)
    from course_utils.plots import install_figure_formatter

    install_figure_formatter()  # alt text and readable text on every figure a notebook shows
