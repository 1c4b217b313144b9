"""Shared code of the RNN course: models, data generators, training loops, plots.

Every notebook starts with::

    import course_utils
    course_utils.setup(seed=0)

and imports what else it needs explicitly, for example
``from course_utils.text import load_text``. Importing this package has no side
effects; only ``setup`` changes global state, and only when a notebook calls it.
"""

from course_utils.reproducibility import setup

__all__ = ["setup"]
