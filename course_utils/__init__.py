"""Shared code of the RNN course: models, data generators, training loops, plots.

Every notebook starts with::

    import course_utils
    course_utils.setup(seed=0)

and imports what else it needs explicitly, for example
``from course_utils.text import load_text``. Importing this package has no side
effects and loads no numeric library (the course kernel's launcher,
``course_utils.kernel``, must set their variables before they load); only
``setup`` changes global state, and only when a notebook calls it.
"""

__all__ = ["setup"]


def __getattr__(name: str):
    """``course_utils.setup``, imported (with numpy, torch and matplotlib) when first used."""
    if name == "setup":
        from course_utils.reproducibility import setup

        return setup
    raise AttributeError(f"module 'course_utils' has no attribute {name!r}")
